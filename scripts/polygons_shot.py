"""docs/polygons.png: the sample scene's prediction as polygons, styled by class over the image.

The real engine makes the sample scene, a patch dataset and a small model, then runs
`satseg predict --vectorize`; the plugin's own styling (false-colour composite, polygons
categorised by class) is rendered with QGIS's map renderer: the whole scene, and a close-up
where the outlines and the image beneath show.

    SATSEG_ENGINE_PYTHON=$ENGINE_PY xvfb-run -a -s "-screen 0 1600x1000x24" \
        $QGIS_PY scripts/polygons_shot.py [--output docs/polygons.png] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsRectangle
from qgis.PyQt.QtCore import QPointF
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter, QPen
from screenshots import REPO, engine, render  # also puts the repository on sys.path

SCENE_PX = 512
PATCH_PX = 64
EPOCHS = 12
MIN_SIZE = 16
SIDE = 480


def make_prediction(python: str, work: Path) -> Path:
    """Sample scene → dataset → small model → prediction with polygons; the sample folder."""
    sample = work / "sample"
    engine(python, "sample", "--output-dir", str(sample), "--width", str(SCENE_PX),
           "--height", str(SCENE_PX))
    engine(python, "grid", "--image", str(sample / "scene.tif"), "--output",
           str(work / "grid.gpkg"), "--patch-size", str(PATCH_PX))
    engine(python, "extract", "--image", str(sample / "scene.tif"), "--labels",
           str(sample / "labels.tif"), "--grid", str(work / "grid.gpkg"), "--output-dir",
           str(work / "dataset"))
    engine(python, "train", "--dataset", str(work / "dataset"), "--output-dir",
           str(work / "model"), "--epochs", str(EPOCHS), "--model.architecture", "custom_unet",
           "--model.depth", "3", "--model.base-width", "16", "--batch-size", "8",
           "--data.num-workers", "0")
    engine(python, "predict", "--raster", str(sample / "scene.tif"), "--checkpoint",
           str(work / "model" / "best_iou.pt"), "--output-dir", str(work / "out"),
           "--vectorize", "--vectorize-min-size", str(MIN_SIZE))
    return sample


def figure(scene: QgsRasterLayer, polygons, close_up: QgsRectangle) -> QImage:
    """Whole scene | close-up, the class legend below."""
    legend_h = 90
    whole = render([polygons, scene], scene.extent(), scene.crs(), SIDE)
    polygons.setOpacity(0.45)
    near = render([polygons, scene], close_up, scene.crs(), SIDE)
    image = QImage(SIDE * 2 + 30, SIDE + 40 + legend_h, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    font = QFont()
    font.setPixelSize(16)
    font.setBold(True)
    p.setFont(font)
    p.drawText(QPointF(10, 24), f"Predicted classes as polygons (sieve {MIN_SIZE} px)")
    p.drawText(QPointF(SIDE + 20, 24), "Close-up: outlines over the image")
    for x, picture in ((10, whole), (SIDE + 20, near)):
        p.drawImage(x, 34, picture)
        p.setPen(QPen(QColor("#444444"), 1))
        p.drawRect(x, 34, SIDE, SIDE)
    p.setPen(QPen(QColor("#ffffff"), 2))
    left = 10 + (close_up.xMinimum() - scene.extent().xMinimum()) / scene.extent().width() * SIDE
    top = 34 + (scene.extent().yMaximum() - close_up.yMaximum()) / scene.extent().height() * SIDE
    p.drawRect(int(left), int(top), int(close_up.width() / scene.extent().width() * SIDE),
               int(close_up.height() / scene.extent().height() * SIDE))
    font.setBold(False)
    font.setPixelSize(14)
    p.setFont(font)
    for i, category in enumerate(polygons.renderer().categories()):
        x, y = 10 + (i % 3) * 150, SIDE + 56 + (i // 3) * 24
        p.fillRect(x, y, 18, 18, category.symbol().color())
        p.setPen(QColor("black"))
        p.drawText(QPointF(x + 26, y + 14), category.label())
    p.drawText(QPointF(SIDE + 20, SIDE + 70), f"{polygons.featureCount()} polygons, each "
               "with its class, name, colour, area")
    p.drawText(QPointF(SIDE + 20, SIDE + 94), "and mean confidence (layer 'polygons')")
    p.end()
    return image


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "polygons.png")
    parser.add_argument("--work-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "satseg-polygons-shot")
    args = parser.parse_args()
    python = os.environ.get("SATSEG_ENGINE_PYTHON", "")
    if not os.path.isfile(python):
        parser.error("set SATSEG_ENGINE_PYTHON to the engine's Python (build/env.sh: ENGINE_PY)")
    work = args.work_dir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "profile").mkdir(parents=True)
    app = QgsApplication([], False, str(work / "profile"))
    app.initQgis()
    from satseg_plugin.core import polygon_style, styling

    sample = make_prediction(python, work)
    scene = QgsRasterLayer(str(sample / "scene.tif"), "scene")
    styling.style_composite(scene)
    project = QgsProject.instance()
    project.addMapLayer(scene)
    polygons = polygon_style.add_polygons_layer(
        project, str(work / "out" / "scene_polygons.gpkg"), "scene polygons",
        styling.read_classes(str(work / "out" / "scene_classes.tif")))
    extent = scene.extent()
    close_up = QgsRectangle(extent.xMinimum() + extent.width() * 0.3,
                            extent.yMinimum() + extent.height() * 0.35,
                            extent.xMinimum() + extent.width() * 0.6,
                            extent.yMinimum() + extent.height() * 0.65)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    figure(scene, polygons, close_up).save(str(args.output))
    print(args.output, flush=True)
    del polygons, scene
    project.removeAllMapLayers()
    shutil.rmtree(work, ignore_errors=True)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
