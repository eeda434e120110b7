"""Build the demo's QGIS project: the sample scene, its labels, the grid and the prediction,
styled as the plugin styles them. Runs in QGIS's own Python (/usr/bin/python3), headless.

usage: python3 scripts/demo_project.py DEMO_DIR   → DEMO_DIR/satseg-demo.qgz
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402 - after the path and platform are set
    QgsApplication,
    QgsProject,
    QgsRasterLayer,
    QgsReferencedRectangle,
    QgsVectorLayer,
)


def build(demo: Path) -> Path:
    from satseg_plugin.core.layers import style_grid_layer
    from satseg_plugin.core.styling import (
        load_prediction_group,
        read_classes,
        style_class_layer,
        style_composite,
    )

    project = QgsProject.instance()
    project.clear()
    scene = QgsRasterLayer(str(demo / "sample" / "scene.tif"), "scene (false colour)", "gdal")
    labels = QgsRasterLayer(str(demo / "sample" / "labels.tif"), "reference labels", "gdal")
    grid = QgsVectorLayer(f"{demo / 'grid.gpkg'}|layername=grid", "grid (by split)", "ogr")
    for layer in (scene, labels, grid):
        if not layer.isValid():
            raise SystemExit(f"QGIS could not open {layer.source()}: run `make demo` first")
    style_composite(scene)
    style_class_layer(labels, read_classes(str(demo / "sample" / "labels.tif")))
    style_grid_layer(grid)
    inputs = project.layerTreeRoot().addGroup("Input")
    for layer, visible in ((grid, False), (labels, False), (scene, True)):
        project.addMapLayer(layer, False)
        inputs.addLayer(layer).setItemVisibilityChecked(visible)
    prediction = demo / "prediction"
    load_prediction_group(project, {"classes": str(prediction / "scene_classes.tif"),
                                    "confidence": str(prediction / "scene_confidence.tif")},
                          None, "Prediction")
    project.setCrs(scene.crs())
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(scene.extent(),
                                                                       scene.crs()))
    output = demo / "satseg-demo.qgz"
    partial = output.with_name(".satseg-demo.part.qgz")
    project.setFileName(str(partial))
    if not project.write():
        raise SystemExit(f"could not write {output}: {project.error()}")
    partial.replace(output)
    project.clear()
    return output


def main() -> None:
    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(f"QGIS project: {build(Path(sys.argv[1]).resolve())}")
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main()
