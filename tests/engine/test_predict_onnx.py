"""`satseg predict` with ONNX Runtime: an exported model (or a checkpoint converted in memory)
gives the torch backend's class map through the same windows, blending and outputs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from prediction_helpers import auto_cpu_precision, read, train_tiny_checkpoint, write_raster

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import SatsegError
from satseg_engine.core.events import Events

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> tuple[Path, Path]:
    """A custom U-Net trained 1 epoch, and its ONNX export."""
    pt = train_tiny_checkpoint(tmp_path_factory.mktemp("onnx-predict"))
    run_job("export", {"checkpoint": str(pt)}, Events(io.StringIO()))
    return pt, pt.with_suffix(".onnx")


@pytest.fixture(scope="module")
def raster(tmp_path_factory) -> Path:
    rng = np.random.default_rng(3)
    data = rng.uniform(800, 4000, (4, 90, 130)).astype(np.float32)
    data[:, 10:20, 30:45] = 0  # the training nodata: masked pixels
    return write_raster(tmp_path_factory.mktemp("raster") / "scene.tif", data, nodata=0)


def predict(raster: Path, out: Path, checkpoint: Path, **job) -> tuple[dict, list[dict]]:
    stream = io.StringIO()
    summary = run_job("predict", {"raster": str(raster), "checkpoint": str(checkpoint),
                                  "output_dir": str(out), "device": "cpu", **job},
                      Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("window", ["patch", "auto"])
def test_onnxruntime_gives_torchs_class_map(model, raster, tmp_path, window):
    pt, exported = model
    torch_run, _ = predict(raster, tmp_path / "torch", pt, backend="torch", window=window)
    ort_run, events = predict(raster, tmp_path / "ort", exported, backend="onnxruntime",
                              window=window)
    assert (torch_run["backend"], ort_run["backend"]) == ("torch", "onnxruntime")
    assert ort_run["prediction_window"] == torch_run["prediction_window"]
    assert ort_run["windows"] == torch_run["windows"]
    assert any("backend: onnxruntime CPU" in e.get("message", "") for e in events)
    a = read(torch_run["outputs"]["classes"])
    b = read(ort_run["outputs"]["classes"])
    agree = float((a == b).mean())
    conf = np.abs(read(torch_run["outputs"]["confidence"]) -
                  read(ort_run["outputs"]["confidence"]))
    print(f"window {window}: class maps agree on {agree:.5%} of pixels, max |Δ confidence| "
          f"{conf.max():.3g}")
    assert agree >= 0.999
    assert (a[10:20, 30:45] == 255).all() and (b[10:20, 30:45] == 255).all()  # nodata kept


def test_auto_takes_onnxruntime_for_an_onnx_file_and_tta_works(model, raster, tmp_path):
    _pt, exported = model
    summary, _ = predict(raster, tmp_path / "auto", exported, tta=True)
    assert summary["backend"] == "onnxruntime"
    assert Path(summary["outputs"]["classes"]).is_file()


def test_a_checkpoint_runs_on_onnxruntime_when_asked(model, raster, tmp_path):
    pt, _exported = model
    torch_run, _ = predict(raster, tmp_path / "t", pt, backend="torch", window="patch")
    ort_run, events = predict(raster, tmp_path / "o", pt, backend="onnxruntime",
                              window="patch")
    assert ort_run["backend"] == "onnxruntime"
    assert any("converting the checkpoint to ONNX" in e.get("message", "") for e in events)
    agree = (read(torch_run["outputs"]["classes"]) == read(ort_run["outputs"]["classes"]))
    assert agree.mean() >= 0.999


def test_an_onnx_file_on_the_torch_backend_is_refused(model, raster, tmp_path):
    with pytest.raises(SatsegError) as caught:
        predict(raster, tmp_path / "x", model[1], backend="torch")
    assert caught.value.code == "backend_mismatch" and caught.value.key == "backend"
    assert "--backend onnxruntime" in caught.value.hint


def test_an_onnx_file_without_satseg_metadata_is_refused(model, raster, tmp_path):
    import onnx

    graph = onnx.load(str(model[1]))
    del graph.metadata_props[:]
    bare = tmp_path / "bare.onnx"
    onnx.save(graph, str(bare))
    with pytest.raises(SatsegError) as caught:
        predict(raster, tmp_path / "y", bare)
    assert caught.value.code == "bad_model" and "satseg export" in caught.value.hint
    assert not (tmp_path / "y").exists() or not list((tmp_path / "y").iterdir())


def test_auto_on_the_cpu_takes_the_runtime_the_benchmark_chose(model, raster, tmp_path):
    from satseg_engine.prediction.backend import AUTO_RUNTIME

    pt, _exported = model
    auto, events = predict(raster, tmp_path / "auto", pt)
    # bench_onnx.py, 2 000², large windows, idle machine: ONNX Runtime took 1.15x torch's time
    assert auto["backend"] == AUTO_RUNTIME["cpu"] == "torch"
    assert any(f"backend: cpu, {auto_cpu_precision()}" in e.get("message", "") for e in events)
    converted, events = predict(raster, tmp_path / "ort", pt, backend="onnxruntime")
    assert converted["backend"] == "onnxruntime"
    assert any("converting the checkpoint to ONNX" in e.get("message", "") for e in events)
    agree = read(auto["outputs"]["classes"]) == read(converted["outputs"]["classes"])
    assert agree.mean() >= 0.999
