"""docs/processing-toolbox.png: the Processing toolbox filtered to satseg (the real
QgsProcessingToolboxTreeView over the real registry with the satseg provider) beside the
algorithm dialog of satseg:predict, grabbed under Xvfb.

    SATSEG_ENGINE_PYTHON=$ENGINE_PY xvfb-run -a -s "-screen 0 1600x1000x24" \
        $QGIS_PY scripts/processing_toolbox_shot.py [--output docs/processing-toolbox.png]

The engine Python fills the train algorithm's architecture and encoder lists (`satseg models`).
QGIS settings go to a throwaway folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", tempfile.mkdtemp(prefix="satseg-shot-"))

from qgis.core import QgsApplication  # noqa: E402
from qgis.PyQt.QtCore import QSize, Qt  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage, QPainter  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402

TREE_SIZE = QSize(360, 660)
DIALOG_SIZE = QSize(940, 660)
GAP = 12


class Iface:
    """The few QgisInterface methods Processing's algorithm dialog calls (no map canvas)."""

    def __init__(self) -> None:
        self.window = QMainWindow()

    def mainWindow(self) -> QMainWindow:
        return self.window

    def __getattr__(self, name: str):
        """Everything else (map canvas, browser model, active layer…): there is none."""
        return lambda *args, **kwargs: None


def settle(widget: QWidget, size: QSize) -> QImage:
    widget.resize(size)
    widget.show()
    for _ in range(30):
        QApplication.processEvents()
    return widget.grab().toImage()


def select(tree: QWidget, text: str) -> None:
    """Make the toolbox row showing `text` the current one."""
    model = tree.model()
    pending = [model.index(row, 0) for row in range(model.rowCount())]
    while pending:
        index = pending.pop()
        if index.data(Qt.DisplayRole) == text:
            tree.setCurrentIndex(index)
            return
        pending += [model.index(row, 0, index) for row in range(model.rowCount(index))]


def sample_scene(python: str) -> str:
    """A small sample scene made by the engine, loaded into the project as 'scene' (the
    dialog's raster field shows it); '' without an engine."""
    if not python:
        return ""
    from qgis.core import QgsProject, QgsRasterLayer

    folder = Path(tempfile.mkdtemp(prefix="satseg-shot-data-")) / "sentinel2_demo"
    subprocess.run([python, "-m", "satseg_engine", "sample", "--output-dir", str(folder),
                    "--width", "128", "--height", "128", "--progress", "json"], check=True,
                   capture_output=True)
    layer = QgsRasterLayer(str(folder / "scene.tif"), "scene")
    QgsProject.instance().addMapLayer(layer)
    return layer.id()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "processing-toolbox.png")
    args = parser.parse_args()
    app = QgsApplication([], True)
    app.initQgis()
    sys.path.append(os.path.join(app.pkgDataPath(), "python", "plugins"))
    import qgis.utils

    qgis.utils.iface = Iface()  # before Processing's modules import it
    from processing.core.Processing import Processing
    from qgis.gui import QgsProcessingToolboxProxyModel, QgsProcessingToolboxTreeView

    Processing.initialize()
    from satseg_plugin.processing import engine_models
    from satseg_plugin.processing.provider import SatsegProvider

    python = os.environ.get("SATSEG_ENGINE_PYTHON", "")
    if python:
        engine_models.fetch(python)  # the real architecture and encoder lists
    provider = SatsegProvider()
    QgsApplication.processingRegistry().addProvider(provider)

    tree = QgsProcessingToolboxTreeView(None, QgsApplication.processingRegistry())
    tree.setFilters(QgsProcessingToolboxProxyModel.FilterToolbox)
    tree.setFilterString("satseg")
    tree.expandAll()
    tree.setHeaderHidden(True)
    select(tree, "Predict classes")
    tree_image = settle(tree, TREE_SIZE)

    from processing import createAlgorithmDialog

    scene = sample_scene(python)
    dialog = createAlgorithmDialog("satseg:predict", {
        "INPUT": scene, "CHECKPOINT": str(Path(scene).parent / "model" / "best_iou.pt")})
    dialog_image = settle(dialog, DIALOG_SIZE)

    canvas = QImage(tree_image.width() + GAP + dialog_image.width(),
                    max(tree_image.height(), dialog_image.height()), QImage.Format_ARGB32)
    canvas.fill(QColor("#d0d0d0"))
    painter = QPainter(canvas)
    painter.drawImage(0, 0, tree_image)
    painter.drawImage(tree_image.width() + GAP, 0, dialog_image)
    painter.end()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(str(args.output))
    print(f"wrote {args.output} ({canvas.width()}×{canvas.height()})")
    for widget in (dialog, tree):
        widget.close()
        widget.setAttribute(Qt.WA_DeleteOnClose)
        widget.deleteLater()
    QApplication.processEvents()
    QgsApplication.processingRegistry().removeProvider(provider)
    from qgis.core import QgsProject

    QgsProject.instance().removeAllMapLayers()
    app.exitQgis()


if __name__ == "__main__":
    main()
