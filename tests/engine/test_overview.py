"""`satseg overview`: one PNG with image, labels, prediction and confidence panels."""

from __future__ import annotations

import numpy as np
import rasterio
from PIL import Image

from conftest import run_engine


def _confidence_like(labels: str, path: str) -> str:
    with rasterio.open(labels) as src:
        profile = src.profile | {"dtype": "float32", "nodata": -1.0, "count": 1}
        data = np.where(src.read(1) == 0, -1.0, 0.8).astype("float32")
    profile.pop("photometric", None)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def test_overview_draws_every_panel_it_is_given(tmp_path):
    sample = tmp_path / "sample"
    assert run_engine("sample", "--output-dir", str(sample), "--width", "300", "--height",
                      "200").terminal["type"] == "done"
    confidence = _confidence_like(str(sample / "labels.tif"), str(tmp_path / "conf.tif"))
    output = tmp_path / "overview.png"
    run = run_engine("overview", "--image", str(sample / "scene.tif"), "--labels",
                     str(sample / "labels.tif"), "--prediction", str(sample / "labels.tif"),
                     "--confidence", confidence, "--output", str(output), "--max-size", "150")
    assert run.terminal["type"] == "done", run.stderr
    summary = run.terminal["summary"]
    assert summary["panels"] == ["Image (B8/B4/B3)", "Reference labels", "Prediction",
                                 "Confidence"]
    assert summary["panel_size"] == [100, 150], "decimated to max_size, aspect kept"
    with Image.open(output) as picture:
        assert picture.width > 3 * picture.height, "four panels side by side"
    assert run.of_type("artifact")[0]["role"] == "overview"


def test_image_only_overview_and_a_missing_file(tmp_path):
    sample = tmp_path / "sample"
    run_engine("sample", "--output-dir", str(sample), "--width", "128", "--height", "128")
    run = run_engine("overview", "--image", str(sample / "scene.tif"), "--output",
                     str(tmp_path / "o.png"))
    assert run.terminal["summary"]["panels"] == ["Image (B8/B4/B3)"]
    missing = run_engine("overview", "--image", str(tmp_path / "nope.tif"), "--output",
                         str(tmp_path / "x.png"))
    assert missing.returncode == 2 and missing.terminal["key"] == "image"
