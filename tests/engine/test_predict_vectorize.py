"""`satseg predict --vectorize` with a tiny model trained here: the class map also comes out as
polygons, announced as an artifact and listed in the summary."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from dataset_factory import DEFAULT_CLASSES, make_dataset
from rasterio import features

from satseg_engine.core.cli import run_job
from satseg_engine.core.events import Events


def test_predict_vectorize_writes_sieved_polygons_named_by_the_model(tmp_path, engine):
    dataset = make_dataset(tmp_path / "patches", patch_size=32,
                           counts={"train": 8, "validation": 2, "test": 2})
    run_job("train", {"dataset": str(dataset), "output_dir": str(tmp_path / "model"),
                      "epochs": 2, "batch_size": 4, "data": {"num_workers": 0},
                      "model": {"architecture": "custom_unet", "depth": 1, "base_width": 8}},
            Events(io.StringIO()))
    raster = sorted((dataset / "Patch" / "train" / "images").glob("*.tif"))[0]
    run = engine("predict", "--raster", str(raster), "--checkpoint",
                 str(tmp_path / "model" / "best_iou.pt"), "--output-dir", str(tmp_path / "out"),
                 "--name", "scene", "--vectorize", "--vectorize-min-size", "4",
                 "--progress", "json", timeout=300)
    assert run.returncode == 0, run.stderr
    polygons = tmp_path / "out" / "scene_polygons.gpkg"
    artifacts = {(e["kind"], e["role"]): Path(e["path"]) for e in run.of_type("artifact")}
    assert artifacts[("vector", "polygons")] == polygons
    summary = run.terminal["summary"]
    assert Path(summary["outputs"]["polygons"]) == polygons
    frame = gpd.read_file(polygons, layer="polygons")
    assert summary["polygons"]["features"] == len(frame) > 0
    names = {c["value"]: c["name"] for c in DEFAULT_CLASSES}
    assert all(names[v] == n for v, n in zip(frame.class_value, frame.class_name, strict=True))
    with rasterio.open(tmp_path / "out" / "scene_classes.tif") as src:
        classes, transform = src.read(1), src.transform
    valid = classes != 255
    assert frame.pixels.sum() == summary["predicted_pixels"] == valid.sum()
    sieved = features.sieve(classes, 4, mask=valid, connectivity=4)
    drawn = features.rasterize(zip(frame.geometry, frame.class_value, strict=True),
                               out_shape=classes.shape, transform=transform, fill=255)
    assert (drawn == np.where(valid, sieved, 255)).all()
    assert ((frame.mean_confidence > 0) & (frame.mean_confidence <= 1)).all()
