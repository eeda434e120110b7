"""Inputs in the other formats QGIS users load: a VRT image, Shapefile labels."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.shutil

from conftest import run_engine


def test_extract_from_a_vrt_image_with_shapefile_labels(tmp_path):
    sample = tmp_path / "sample"
    assert run_engine("sample", "--output-dir", str(sample), "--width", "256", "--height",
                      "256").terminal["type"] == "done"
    vrt = tmp_path / "scene.vrt"
    rasterio.shutil.copy(sample / "scene.tif", vrt, driver="VRT")
    shapefile = tmp_path / "labels.shp"
    gpd.read_file(sample / "labels.gpkg").to_file(shapefile)

    run = run_engine("extract", "--image", str(vrt), "--labels", str(shapefile),
                     "--label-field", "class", "--patch-size", "64", "--output-dir",
                     str(tmp_path / "dataset"))
    assert run.terminal["type"] == "done", run.terminal
    info = json.loads((tmp_path / "dataset" / "dataset.json").read_text())
    assert info["band_names"][:3] == ["B2", "B3", "B4"]
    assert info["provenance"]["label_kind"] == "vector"
    image = sorted((tmp_path / "dataset" / "Patch" / "train" / "images").glob("*.tif"))[0]
    label = image.parent.parent / "labels" / image.name
    with rasterio.open(image) as patch, rasterio.open(sample / "scene.tif") as scene:
        window = rasterio.windows.from_bounds(*patch.bounds, transform=scene.transform)
        np.testing.assert_array_equal(patch.read(), scene.read(window=window))
    with rasterio.open(label) as patch, rasterio.open(sample / "labels.tif") as reference:
        window = rasterio.windows.from_bounds(*patch.bounds, transform=reference.transform)
        expected = reference.read(1, window=window)
        got = patch.read(1)
        labelled = expected > 0
        assert (got[labelled] == expected[labelled]).mean() > 0.99, \
            "the rasterised shapefile matches the label raster"
