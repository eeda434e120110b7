"""`satseg export --format onnx`: tiny trained models (a custom U-Net and an smp Unet) as ONNX
files that Deepness reads and that agree with PyTorch; `satseg inspect` reads them back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from dataset_factory import make_dataset

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError, SatsegError
from satseg_engine.core.events import Events
from satseg_engine.models import checkpoint

pytestmark = pytest.mark.usefixtures("one_torch_thread")

MODELS = {"custom_unet": {"architecture": "custom_unet", "depth": 2, "base_width": 8},
          "smp_unet": {"architecture": "Unet", "encoder": "resnet18"}}


def train(dataset: Path, out: Path, model: dict, task: dict | None = None) -> Path:
    job = {"dataset": str(dataset), "output_dir": str(out), "epochs": 1, "batch_size": 4,
           "model": model, "data": {"num_workers": 0, "normalization": "standardize"},
           "optim": {"lr": 0.01}, **(task or {})}
    run_job("train", job, Events(io.StringIO()))
    return out / "best_loss.pt"


def export(path: Path, **job) -> tuple[dict, list[dict]]:
    stream = io.StringIO()
    summary = run_job("export", {"checkpoint": str(path), **job}, Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("onnx-ds") / "patches", patch_size=32,
                        counts={"train": 4, "validation": 2, "test": 2})


@pytest.fixture(scope="module", params=sorted(MODELS))
def trained(request, dataset, tmp_path_factory) -> Path:
    return train(dataset, tmp_path_factory.mktemp(request.param), MODELS[request.param])


def metadata(path: Path) -> dict:
    return {p.key: json.loads(p.value) for p in onnx.load(str(path)).metadata_props}


def test_export_writes_what_deepness_reads_and_agrees_with_pytorch(trained, tmp_path):
    header = checkpoint.read_checkpoint(trained)["header"]
    out = tmp_path / "model.onnx"
    summary, events = export(trained, output=str(out))
    print(f"{header['architecture']}: max |ORT - torch| = {summary['max_abs_diff']:.3g} "
          f"over {[(c['height'], c['width']) for c in summary['checks']]}")
    assert summary["max_abs_diff"] < 1e-3 and summary["tolerance"] == 1e-3
    shapes = [(c["height"], c["width"]) for c in summary["checks"]]
    assert shapes[:3] == [(32, 32)] * 3 and 32 < shapes[3][1] < shapes[3][0]  # larger, 2:1-ish
    assert out.is_file() and summary["output"] == str(out.resolve())
    assert any(e["type"] == "artifact" and e["path"] == str(out) for e in events)
    meta = metadata(out)
    # the keys Deepness's model_base.py reads, with the checkpoint's values
    assert meta["model_type"] == "Segmentor"
    assert meta["class_names"] == {str(i): c["name"] for i, c in enumerate(header["classes"])}
    assert meta["tile_size"] == 32 and meta["tiles_overlap"] == 50
    assert meta["seg_thresh"] == 0.0 and meta["seg_small_segment"] == 0
    # Deepness divides by 255 then standardises: mean 0, std 1/255 hands the graph raw pixels
    assert meta["standardization_mean"] == [0.0] * 4
    assert meta["standardization_std"] == pytest.approx([1 / 255] * 4)
    # satseg's own: the folded normalisation (the checkpoint's statistics) and its full header
    bands = header["normalization"]["bands"]
    assert meta["satseg_normalization"]["mean"] == [b["mean"] for b in bands]
    assert meta["satseg_normalization"]["std"] == [b["std"] for b in bands]
    assert meta["satseg_header"]["classes"] == header["classes"]
    assert meta["satseg_header"]["band_names"] == header["band_names"]
    # dynamic batch, height and width; fixed bands and classes (Deepness reads them)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (inp,), (outp,) = session.get_inputs(), session.get_outputs()
    assert inp.shape == ["batch", 4, "height", "width"]
    assert outp.shape == ["batch", len(header["classes"]), "height", "width"]


def test_the_graph_takes_raw_pixels_and_returns_probabilities(trained, tmp_path):
    out = tmp_path / "raw.onnx"
    export(trained, output=str(out))
    model, header = checkpoint.load_model(trained)
    bands = header["normalization"]["bands"]
    mean = np.array([b["mean"] for b in bands], np.float32)[None, :, None, None]
    std = np.array([b["std"] for b in bands], np.float32)[None, :, None, None]
    rng = np.random.default_rng(1)
    raw = (mean + std * rng.standard_normal((2, 4, 64, 96))).astype(np.float32)
    with torch.inference_mode():  # the training normalisation done by hand, then softmax
        expected = torch.softmax(model(torch.from_numpy((raw - mean) / std)), 1).numpy()
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {"raw_pixels": raw})[0]
    assert got.shape == (2, 3, 64, 96)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_inspect_reads_an_onnx_file_back(trained, tmp_path):
    out = tmp_path / "inspect.onnx"
    export(trained, output=str(out), resolution_cm=1000)
    from_onnx = run_job("inspect", {"checkpoint": str(out)}, Events(io.StringIO()))
    from_pt = run_job("inspect", {"checkpoint": str(trained)}, Events(io.StringIO()))
    assert (from_onnx["format"], from_pt["format"]) == ("onnx", "checkpoint")
    for key in ("classes", "band_names", "patch_size", "task", "architecture", "metrics"):
        assert from_onnx[key] == from_pt[key]
    assert from_onnx["deepness"]["resolution"] == 1000.0
    assert from_onnx["deepness"]["model_type"] == "Segmentor"
    assert from_onnx["inputs"]["shape"] == ["batch", 4, "height", "width"]


def test_a_mismatch_fails_and_leaves_no_file(trained, tmp_path):
    out = tmp_path / "strict.onnx"
    with pytest.raises(SatsegError) as caught:
        export(trained, output=str(out), tolerance=0.0)  # float32 kernels never agree exactly
    assert caught.value.code == "export_mismatch" and "tolerance" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_writes_beside_the_checkpoint_and_refuses_bad_names(
        tmp_path, dataset, engine):
    path = train(dataset, tmp_path / "bin", MODELS["custom_unet"])
    run = engine("export", str(path), "--format", "onnx", "--opset", "18")
    assert run.returncode == 0, run.stderr[-2000:]
    summary = run.terminal["summary"]
    assert summary["output"] == str(path.with_suffix(".onnx").resolve())
    assert summary["opset"] == 18 and onnx.load(summary["output"]).opset_import[0].version == 18
    assert run.events[0]["type"] == "started"
    assert [e["role"] for e in run.of_type("artifact")] == ["onnx"]
    with pytest.raises(JobError, match=r"must end in \.onnx"):
        export(path, output=str(tmp_path / "model.pt"))
    with pytest.raises(JobError, match="already an ONNX model"):
        export(path.with_suffix(".onnx"))


def test_a_multisource_model_is_refused_with_a_hint(tmp_path):
    from prediction_helpers import source_entry, sources_header

    head = sources_header([source_entry("images", ["B1", "B2"]),
                           source_entry("s1", ["VV", "VH"])],
                          architecture="Unet", encoder="resnet18", model_kwargs={})
    path = tmp_path / "fusion.pt"  # the header alone decides: refused before its weights load
    checkpoint.save_checkpoint(path, head, torch.nn.Conv2d(4, 3, 1).state_dict())
    with pytest.raises(SatsegError) as caught:
        export(path, output=str(tmp_path / "fusion.onnx"))
    assert caught.value.code == "export_unsupported"
    assert "multi-source" in caught.value.message and "--backend torch" in caught.value.hint
    assert not (tmp_path / "fusion.onnx").exists()
