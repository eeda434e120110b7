#!/usr/bin/env bash
# Create (or reuse) the QGIS-side test environment and print its path on the last line.
#
# A venv over Debian's Python with --system-site-packages so that it sees PyQGIS and PyQt5, holding
# only the test tools. numpy is constrained below 2 so that pip can never replace Debian's numpy
# (QGIS's GDAL bindings and matplotlib are built against numpy 1.x; see ENVIRONMENT.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
req="$here/tests/plugin/requirements.txt"
hash=$(cat "$req" | sha256sum | cut -c1-12)
venv=${QGIS_TEST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/satseg/qgis-test-$hash}
if [ ! -f "$venv/.complete" ]; then
    echo "satseg: building the QGIS test environment in $venv" >&2
    rm -rf "$venv"
    /usr/bin/python3 -m venv --system-site-packages "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q \
        -c <(printf 'numpy<2\nattrs>=23.1\n') -r "$req" >&2
    "$venv/bin/python" -c "import qgis.core, PyQt5.QtCore, pytest_qgis" >&2
    touch "$venv/.complete"
fi
echo "$venv"
