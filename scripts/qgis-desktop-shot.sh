#!/usr/bin/env bash
# Install the packaged plugin into a fresh QGIS profile, start the real QGIS desktop under Xvfb,
# open the plugin's menu and save a screenshot: what a user sees after "Install from ZIP".
# usage: scripts/qgis-desktop-shot.sh OUTPUT.png [PROJECT.qgz]   (SHOT_MENU=0: keep the menu shut)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "$1")
project=${2:+$(realpath "$2")}
profiles=$(mktemp -d "${TMPDIR:-/tmp}/satseg-qgis-profile.XXXX")
trap 'rm -rf "$profiles"' EXIT
/usr/bin/python3 "$here/scripts/package.py" --output "$profiles/satseg_plugin.zip" \
    --deploy "$profiles/profiles/default/python/plugins" >/dev/null
mkdir -p "$profiles/profiles/default/QGIS"
printf '[PythonPlugins]\nsatseg_plugin=true\n[qgis]\nshowTips322=false\ncheckVersion=false\n' \
    > "$profiles/profiles/default/QGIS/QGIS3.ini"
cat > "$profiles/shot.py" <<PY
# Runs inside QGIS (--code): wait for the GUI, open the satseg menu, grab the screen, quit.
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QMenu
from qgis.utils import iface, plugins

def open_menu():
    window = iface.mainWindow()
    window.setGeometry(0, 0, 1600, 1000)  # no window manager under Xvfb: size it by hand
    assert "satseg_plugin" in plugins, "the satseg plugin did not load"
    if ${SHOT_MENU:-1}:
        menu = window.findChild(QMenu, "satsegMenu")
        window.menuBar().setActiveAction(menu.menuAction())
    else:
        iface.mapCanvas().zoomToFullExtent()
    QTimer.singleShot(3000, grab)

def grab():
    QApplication.primaryScreen().grabWindow(0).save("$out")
    QTimer.singleShot(200, QApplication.instance().quit)

QTimer.singleShot(6000, open_menu)
PY
timeout 180 xvfb-run -a -s "-screen 0 1600x1000x24" qgis --profiles-path "$profiles" --nologo \
    --noversioncheck --code "$profiles/shot.py" ${project:+"$project"} \
    > "$profiles/qgis.log" 2>&1 || true
if [ ! -s "$out" ]; then
    tail -20 "$profiles/qgis.log" >&2
    echo "no screenshot was taken" >&2
    exit 1
fi
echo "$out"
