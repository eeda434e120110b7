"""scripts/demo_project.py turns the demo's outputs into a QGIS project with styled layers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from osgeo import gdal
from qgis.core import QgsProject

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import demo_project  # noqa: E402


def _engine(engine_python: str, *args: str) -> None:
    subprocess.run([engine_python, "-m", "satseg_engine", *args, "--progress", "json"],
                   check=True, capture_output=True, timeout=120)


def test_the_project_holds_the_inputs_and_the_prediction_styled(qgis_app, engine_python,
                                                                tmp_path):
    sample = tmp_path / "sample"
    _engine(engine_python, "sample", "--output-dir", str(sample), "--width", "256",
            "--height", "256")
    _engine(engine_python, "grid", "--image", str(sample / "scene.tif"), "--output",
            str(tmp_path / "grid.gpkg"), "--patch-size", "64")
    prediction = tmp_path / "prediction"
    prediction.mkdir()
    # stand-ins for predict's outputs: the labels as classes (same class tag), a confidence
    shutil.copy(sample / "labels.tif", prediction / "scene_classes.tif")
    gdal.Translate(str(prediction / "scene_confidence.tif"), str(sample / "labels.tif"),
                   outputType=gdal.GDT_Float32, scaleParams=[[0, 6, 0, 1]], noData=-1)

    output = demo_project.build(tmp_path)

    project = QgsProject.instance()
    assert project.read(str(output)), project.error()
    try:
        layers = {layer.name(): layer for layer in project.mapLayers().values()}
        assert {name: type(layer.renderer()).__name__ for name, layer in layers.items()} == {
            "scene (false colour)": "QgsMultiBandColorRenderer",
            "reference labels": "QgsPalettedRasterRenderer",
            "grid (by split)": "QgsCategorizedSymbolRenderer",
            "scene classes": "QgsPalettedRasterRenderer",
            "scene confidence": "QgsSingleBandPseudoColorRenderer"}
        false_colour = layers["scene (false colour)"].renderer()
        assert (false_colour.redBand(), false_colour.greenBand(), false_colour.blueBand()) == \
            (7, 3, 2), "B8/B4/B3 of the Sentinel-2 band order"
        legend = [c.label for c in layers["scene classes"].renderer().classes()]
        assert legend == ["water", "forest", "cropland", "built-up", "road", "grassland"]
        assert [g.name() for g in project.layerTreeRoot().children()] == ["Prediction", "Input"]
        assert project.crs().authid() == "EPSG:32632"
        assert not list(tmp_path.glob(".satseg-demo*")), "no temporary project left behind"
    finally:
        project.clear()
