"""Value 0 of a label raster (black in a colour mask) without a class is unlabelled — and said so.

A research-style 5-class mask (values 0–4, no nodata) read without a class 0 loses a fifth of
its pixels; the engine must warn with that share and the fix, and extract 0 once it is a class.
"""

from __future__ import annotations

import json

import numpy as np
import rasterio
from raster_factory import run_verb, scene, write_raster

from satseg_engine.data.dataset import patch_paths

SIZE = 40  # 8 rows per value: each of the 5 values is exactly 20.0 % of the mask


def five_class_mask(tmp_path, nodata=None):
    image, _ = scene(tmp_path, SIZE, SIZE, bands=2)
    values = np.repeat(np.arange(5, dtype=np.uint8), SIZE // 5)[:, None].repeat(SIZE, axis=1)
    return image, write_raster(tmp_path / "mask04.tif", values, nodata=nodata)


def extract(tmp_path, image, labels, name, **job):
    summary, events = run_verb("extract", image=image, labels=labels, patch_size=20,
                               ratios=[1, 0, 0], output_dir=tmp_path / name, workers=1, **job)
    warnings = [e["message"] for e in events if e["type"] == "log" and e["level"] == "warning"]
    return summary, warnings


def label_values(dataset) -> set:
    found = set()
    for _, path in patch_paths(dataset, "train"):
        with rasterio.open(path) as src:
            found |= set(np.unique(src.read(1)).tolist())
    return found


def test_value_0_dropped_without_a_class_is_a_warning_with_its_share_and_the_fix(tmp_path):
    image, labels = five_class_mask(tmp_path)
    _, warnings = extract(tmp_path, image, labels, "ds")
    zero = [w for w in warnings if "value 0" in w]
    assert len(zero) == 1, warnings
    assert "mask04.tif" in zero[0] and "20.0 %" in zero[0] and "unlabelled" in zero[0]
    assert '"value": 0' in zero[0] and "tick 'Class' on the value 0 row" in zero[0]
    data = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert [c["value"] for c in data["classes"]] == [1, 2, 3, 4]
    assert label_values(tmp_path / "ds") == {1, 2, 3, 4, 255}


def test_value_0_declared_a_class_is_extracted_and_not_warned_about(tmp_path):
    image, labels = five_class_mask(tmp_path)
    classes = [{"value": v, "name": f"c{v}"} for v in range(5)]
    _, warnings = extract(tmp_path, image, labels, "ds", classes=classes)
    assert not [w for w in warnings if "value 0" in w], warnings
    data = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert [c["value"] for c in data["classes"]] == [0, 1, 2, 3, 4]
    assert label_values(tmp_path / "ds") == {0, 1, 2, 3, 4}


def test_value_0_as_the_rasters_nodata_is_no_surprise(tmp_path):
    image, labels = five_class_mask(tmp_path, nodata=0)
    _, warnings = extract(tmp_path, image, labels, "ds")
    assert not [w for w in warnings if "value 0" in w], warnings


def test_the_grid_verb_says_it_too(tmp_path):
    image, labels = five_class_mask(tmp_path)
    _, events = run_verb("grid", image=image, labels=labels, output=tmp_path / "grid.gpkg",
                         patch_size=20)
    assert any("value 0 covers 20.0 %" in e.get("message", "") for e in events)


def test_black_in_a_colour_mask_without_a_black_class_is_a_warning(tmp_path):
    image, _ = scene(tmp_path, SIZE, SIZE, bands=2)
    rgb = np.zeros((3, SIZE, SIZE), np.uint8)
    rgb[2, :30] = 255                                      # 75 % blue, 25 % black
    mask = write_raster(tmp_path / "colours.tif", rgb)
    water = {"value": 1, "name": "water", "colour": "#0000ff"}
    _, warnings = extract(tmp_path, image, mask, "ds", classes=[water])
    black = [w for w in warnings if "black" in w]
    assert len(black) == 1 and "25.0 %" in black[0] and "#000000" in black[0], warnings
    shadow = {"value": 2, "name": "shadow", "colour": "#000000"}
    _, warnings = extract(tmp_path, image, mask, "ds2", classes=[water, shadow])
    assert not [w for w in warnings if "black" in w], warnings
    assert label_values(tmp_path / "ds2") == {1, 2}
