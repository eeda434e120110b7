"""A whole raster's band statistics read by windows (`satseg info RASTER --stats`), and `doctor`
saying which array module computes them and why."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import rasterio
from raster_factory import error_code, run_verb, write_raster

from satseg_engine.data.band_stats import PERCENTILES
from satseg_engine.data.raster_stats import raster_statistics, strips


def tiled(path, data, nodata):
    """A tiled GeoTIFF (32-px blocks): windows then cut through blocks as a real scene does."""
    write_raster(path, data, nodata=nodata)
    with rasterio.open(path) as src:
        profile = src.profile | {"tiled": True, "blockxsize": 32, "blockysize": 32}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        for i in range(len(data)):
            dst.set_band_description(i + 1, f"b{i}")
    return path


def numpy_truth(band: np.ndarray, nodata: float) -> dict[str, float]:
    values = band[(band != nodata) & ~np.isnan(band.astype(np.float64))]
    out = {"mean": float(np.mean(values, dtype=np.float64)),
           "std": float(np.std(values, dtype=np.float64)),
           "min": float(values.min()), "max": float(values.max()), "valid_pixels": values.size}
    return out | {f"p{p}": float(np.percentile(values, p, method="inverted_cdf"))
                  for p in PERCENTILES}


def test_strips_cover_the_raster_once_in_whole_block_rows():
    cut = list(strips(1000, 1010, 32, max_values=70_000))
    assert cut[0] == (0, 64) and sum(rows for _, rows in cut) == 1010
    assert all(top == i * 64 for i, (top, _) in enumerate(cut))
    assert list(strips(5, 3, 1, max_values=1)) == [(0, 1), (1, 1), (2, 1)]
    assert list(strips(1000, 100, 32, max_values=10_000))[:2] == [(0, 32), (32, 32)]


@pytest.mark.parametrize("dtype, nodata", [("uint16", 0), ("int16", -32768),
                                           ("float32", -9999.0)])
def test_statistics_by_windows_equal_the_one_pass_numpy_result(tmp_path, dtype, nodata):
    rng = np.random.default_rng(11)
    data = (rng.gamma(3.0, 400.0, (3, 150, 170)) - (500 if dtype == "int16" else 0)
            ).astype(dtype)
    data[:, :40, :50] = nodata  # a nodata corner: whole blocks and parts of blocks
    data[2] = nodata  # band 3 is all nodata
    if dtype == "float32":
        data[0, 100:110] = np.nan
    path = tiled(tmp_path / "scene.tif", data, nodata)
    windowed = raster_statistics(path, max_values=170 * 7, arrays="numpy")  # 22 strips
    one_pass = raster_statistics(path, max_values=10**9, arrays="numpy")
    moments = ("mean", "std")  # a float band's are merged by Chan's formula: last bits differ
    for cut, whole in zip(windowed["bands"][:2], one_pass["bands"][:2], strict=True):
        assert {k: v for k, v in cut.items() if k not in moments} == \
            {k: v for k, v in whole.items() if k not in moments}
        assert [cut[k] for k in moments] == pytest.approx([whole[k] for k in moments],
                                                          rel=1e-12)
    assert [b["name"] for b in windowed["bands"]] == ["b0", "b1", "b2"]
    for band, stats in zip(data[:2], windowed["bands"][:2], strict=True):
        truth = numpy_truth(band, nodata)
        assert stats["valid_pixels"] == truth["valid_pixels"]
        assert stats["mean"] == pytest.approx(truth["mean"], rel=1e-9)
        assert stats["std"] == pytest.approx(truth["std"], rel=1e-9)
        assert {k: stats[k] for k in ("min", "max", "p1", "p2", "p98", "p99")} == \
            {k: truth[k] for k in ("min", "max", "p1", "p2", "p98", "p99")}
    assert windowed["bands"][2] == one_pass["bands"][2]
    assert windowed["bands"][2]["valid_pixels"] == 0 and windowed["bands"][2]["mean"] is None


def test_info_stats_on_the_command_line(tmp_path):
    data = np.random.default_rng(2).integers(1, 4000, (2, 90, 80)).astype(np.uint16)
    data[:, :10] = 0
    path = tiled(tmp_path / "scene.tif", data, 0)
    env = {**os.environ, "SATSEG_ARRAYS": "numpy"}
    proc = subprocess.run([sys.executable, "-m", "satseg_engine", "info", str(path), "--stats",
                           "--bands", "2"], capture_output=True, text=True, env=env, timeout=120)
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 0, proc.stderr
    summary = events[-1]["summary"]
    assert summary["size"] == "80 x 90" and summary["dtype"] == "uint16"
    assert summary["arrays"].startswith("numpy (NumPy") and "SATSEG_ARRAYS=numpy" in \
        summary["arrays"]
    (stats,) = summary["statistics"]
    truth = numpy_truth(data[1], 0)
    assert stats["name"] == "b1" and stats["p98"] == truth["p98"]
    assert stats["mean"] == pytest.approx(truth["mean"], rel=1e-9)
    assert [e["done"] for e in events if e["type"] == "progress"][-1] == 90


def test_info_tells_a_raster_from_a_dataset(tmp_path):
    path = tiled(tmp_path / "scene.tif", np.ones((1, 8, 8), dtype=np.uint8), 0)
    assert error_code("info", dataset=path) == "not_a_dataset"  # hint: add --stats
    (tmp_path / "ds").mkdir()
    assert error_code("info", dataset=tmp_path / "ds", stats=True) == "not_a_raster"
    assert error_code("info", dataset=path, stats=True, bands=[3]) == "bad_bands"
    summary, _ = run_verb("info", dataset=path, stats=True, arrays="numpy")
    assert summary["statistics"][0]["mean"] == 1.0 and "arrays=numpy" in summary["arrays"]


def doctor(env: dict[str, str], tmp_path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "satseg_engine", "doctor", "--output-dir",
                           str(tmp_path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])["summary"]["cupy"]


def test_doctor_reports_the_statistics_backend_and_why(tmp_path):
    fake = tmp_path / "site" / "cupy"  # CuPy installed on a machine without a GPU
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "__version__ = '13.9.fake'\nclass cuda:\n    class runtime:\n"
        "        @staticmethod\n        def getDeviceCount():\n"
        "            raise RuntimeError('cudaErrorNoDevice')\n")
    report = doctor({"PYTHONPATH": str(tmp_path / "site")}, tmp_path)
    assert report["available"] is False and "sees no CUDA device" in report["reason"]
    assert report["statistics"]["backend"] == "numpy"
    assert "CuPy 13.9.fake sees no CUDA device" in report["statistics"]["reason"]
    forced = doctor({"SATSEG_ARRAYS": "cupy", "PYTHONPATH": str(tmp_path / "site")}, tmp_path)
    assert forced["statistics"]["backend"] is None
    assert "cupy-cuda12x" in forced["statistics"]["reason"]
