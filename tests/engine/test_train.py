"""`satseg train` end to end on tiny synthetic datasets (real GeoTIFFs, real tiny models)."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from dataset_factory import make_dataset

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError, SatsegError
from satseg_engine.core.events import Events
from satseg_engine.data.patch_data import list_items
from satseg_engine.models import checkpoint
from satseg_engine.models import registry as models
from satseg_engine.training.kfold import fold_indices
from satseg_engine.training.loop import StepContext, train_epoch
from satseg_engine.training.setup import resolve_amp
from satseg_engine.training.state import EarlyStopping, RunState

SMALL_UNET = {"architecture": "custom_unet", "depth": 2, "base_width": 8}


def _job(dataset: Path, out: Path, **extra) -> dict:
    job = {"dataset": str(dataset), "output_dir": str(out), "epochs": 5, "batch_size": 4,
           "model": SMALL_UNET, "data": {"num_workers": 0, "normalization": "standardize"},
           "optim": {"lr": 0.01}, "log_every_steps": 2}
    job.update(extra)
    return job


def _run(job: dict) -> tuple[dict, list[dict]]:
    stream = io.StringIO()
    summary = run_job("train", job, Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("ds") / "patches", patch_size=32,
                        counts={"train": 16, "validation": 4, "test": 4})


@pytest.fixture(scope="module")
def trained(dataset, tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    out = tmp_path_factory.mktemp("run") / "out"
    summary, events = _run(_job(dataset, out))
    return out, summary, events


def test_training_beats_chance_and_evaluates_the_test_split(trained) -> None:
    _out, summary, events = trained
    # 3 spectrally separable classes: always predicting the majority class gives mIoU < 0.3
    assert summary["validation"]["miou"] > 0.5
    assert summary["test"]["miou"] > 0.45
    assert set(summary["test"]["per_class"]) == {"water", "forest", "urban"}
    tests = [e for e in events if e["type"] == "metric" and e["split"] == "test"]
    assert len(tests) == 1 and tests[0]["values"]["miou"] == pytest.approx(summary["test"]["miou"])


def test_outputs_events_and_checkpoints(trained) -> None:
    out, summary, events = trained
    artifacts = {(e["kind"], e.get("role")): Path(e["path"]) for e in events
                 if e["type"] == "artifact"}
    for key in [("checkpoint", "best_loss"), ("checkpoint", "best_iou"), ("checkpoint", "last"),
                ("csv", "metrics"), ("report", "metrics"), ("report", "summary"),
                ("plot", "training_curves"), ("plot", "per_class_iou"),
                ("plot", "confusion_matrix")]:
        assert artifacts[key].is_file(), key
    for key in [k for k in artifacts if k[0] == "plot"]:
        assert artifacts[key].read_bytes()[:4] == b"\x89PNG"
    assert "parameters" in (out / "model_summary.txt").read_text()
    epoch_metrics = [e for e in events if e["type"] == "metric" and e.get("step") is None]
    for split in ("train", "validation"):
        rows = [e for e in epoch_metrics if e["split"] == split]
        assert [e["epoch"] for e in rows] == [1, 2, 3, 4, 5]
        assert {"loss", "miou", "accuracy"} <= set(rows[0]["values"])
        assert set(rows[-1]["per_class"]["water"]) == {"iou", "f1", "precision", "recall"}
    steps = [e for e in events if e["type"] == "metric" and e.get("step") is not None]
    assert [e["step"] for e in steps] == list(range(2, 21, 2))  # 4 batches × 5 epochs
    lines = (out / "metrics.csv").read_text().splitlines()
    assert len(lines) == 6 and "validation_iou_water" in lines[0]
    _model, header = checkpoint.load_model(out / "best_iou.pt")
    assert header["epoch"] == summary["best_iou_epoch"] and header["role"] == "best_iou"
    assert header["band_names"] == ["B1", "B2", "B3", "B4"]
    assert header["normalization"]["method"] == "standardize"
    assert header["config"]["epochs"] == 5
    assert "resume" in torch.load(out / "last.pt", weights_only=True)
    assert "resume" not in torch.load(out / "best_iou.pt", weights_only=True)


def test_resume_continues_from_the_saved_epoch(dataset, trained, tmp_path) -> None:
    out, _, _ = trained
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    summary, events = _run(_job(dataset, copy, epochs=6, resume=str(copy / "last.pt")))
    epochs = sorted({e["epoch"] for e in events if e["type"] == "metric"
                     and e["split"] == "train" and e.get("step") is None})
    assert epochs == [6]
    steps = [e["step"] for e in events if e["type"] == "metric" and e.get("step")]
    assert steps == [22, 24]
    assert summary["epochs_run"] == 6
    assert len((copy / "metrics.csv").read_text().splitlines()) == 7


def test_sigterm_leaves_a_resumable_last_checkpoint(dataset, tmp_path) -> None:
    out = tmp_path / "out"
    job = tmp_path / "job.json"
    job.write_text(json.dumps(_job(dataset, out, epochs=200, log_every_steps=1)))
    proc = subprocess.Popen([sys.executable, "-m", "satseg_engine", "train", "--config",
                             str(job)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    events = []
    deadline = time.time() + 90
    for line in proc.stdout:
        events.append(json.loads(line))
        if events[-1]["type"] == "metric" and events[-1].get("step", 0) >= 6:  # in epoch 2
            proc.send_signal(signal.SIGTERM)
            break
        assert time.time() < deadline
    events += [json.loads(line) for line in proc.stdout]
    assert proc.wait(60) == 130
    assert events[-1]["type"] == "error" and events[-1]["code"] == "cancelled"
    saved = torch.load(out / "last.pt", weights_only=True)
    assert saved["resume"]["interrupted"] is True
    assert saved["resume"]["epoch"] >= 1
    assert not list(out.glob(".*part*"))
    done = saved["resume"]["epoch"]
    summary, _ = _run(_job(dataset, out, epochs=done + 1, resume=str(out / "last.pt")))
    assert summary["epochs_run"] == done + 1


def test_frozen_encoder_does_not_change_and_unfrozen_does() -> None:
    torch.manual_seed(0)
    model = models.build_model("custom_unet", None, 3, 2, {"depth": 2, "base_width": 4})
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    data = [(torch.randn(2, 3, 16, 16), torch.randint(0, 2, (2, 16, 16)))] * 3
    ctx = StepContext(torch.device("cpu"), None, False, "multiclass", 0.5, 2, 255)
    loss = torch.nn.CrossEntropyLoss(ignore_index=255)
    scaler = torch.amp.GradScaler("cpu", enabled=False)

    def snapshot() -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        enc, dec = models.split_parameters(model)
        return [p.detach().clone() for p in enc], [p.detach().clone() for p in dec]

    for frozen in (True, False):
        before_enc, before_dec = snapshot()
        model.train()
        models.set_encoder_frozen(model, frozen)
        train_epoch(model, data, loss, optimizer, scaler, ctx, max_steps=3, grad_clip=1.0,
                    after_step=lambda step, value: None)
        after_enc, after_dec = snapshot()
        same = all(torch.equal(a, b) for a, b in zip(before_enc, after_enc, strict=True))
        assert same is frozen
        assert not all(torch.equal(a, b) for a, b in zip(before_dec, after_dec, strict=True))


@pytest.mark.parametrize("group_by", ["image", "patch"])
def test_kfold_folds_are_disjoint_and_cover_the_pool(dataset, group_by) -> None:
    pool = list_items(dataset, "train") + list_items(dataset, "validation")
    folds = list(fold_indices(pool, 2, group_by, seed=1))
    assert len(folds) == 2
    seen = np.concatenate([val for _, val in folds])
    assert sorted(seen.tolist()) == list(range(len(pool)))
    for train, val in folds:
        assert not set(train) & set(val)
        if group_by == "image":
            assert not {pool[i].group for i in train} & {pool[i].group for i in val}


def test_kfold_run_reports_mean_and_std(dataset, tmp_path) -> None:
    summary, events = _run(_job(dataset, tmp_path / "cv", epochs=1,
                                kfold={"folds": 2},
                                data={"num_workers": 0, "steps_per_epoch": 1}))
    assert summary["folds"] == 2
    assert set(summary["validation"]["overall"]["miou"]) == {"mean", "std"}
    assert "water" in summary["test"]["per_class"]
    assert (tmp_path / "cv" / "fold_2" / "best_iou.pt").is_file()
    assert (tmp_path / "cv" / "kfold_summary.json").is_file()
    assert {e["stage"] for e in events if e["type"] == "metric"} == {"fold_1", "fold_2"}


def test_binary_task_with_balanced_sampling_onecycle_and_fp16_fallback(tmp_path) -> None:
    classes = ({"value": 0, "name": "background", "colour": "#000000"},
               {"value": 1, "name": "building", "colour": "#ff0000"})
    ds = make_dataset(tmp_path / "bin", classes=classes, counts={"train": 8, "validation": 2})
    summary, events = _run(_job(ds, tmp_path / "out", epochs=3, amp="fp16",
                                data={"num_workers": 0, "class_balanced": True,
                                      "steps_per_epoch": 2},
                                schedule={"name": "onecycle", "warmup_epochs": 1},
                                loss={"name": "combo", "class_weights": "median"},
                                optim={"lr": 0.01, "grad_clip": 1.0}))
    warnings = [e["message"] for e in events if e["type"] == "log" and e["level"] == "warning"]
    assert any("fp16" in w and "CPU" in w for w in warnings)
    assert summary["task"] == "binary" and summary["epochs_run"] == 3
    model, header = checkpoint.load_model(tmp_path / "out" / "last.pt")
    assert header["task"] == "binary"
    assert model(torch.zeros(1, 4, 32, 32)).shape == (1, 1, 32, 32)


def test_bf16_autocast_on_cpu_trains() -> None:
    events = Events(io.StringIO())
    dtype = resolve_amp("bf16", torch.device("cpu"), events)
    assert dtype in (torch.bfloat16, None)
    if dtype is None:
        pytest.skip("this CPU cannot run bf16 autocast")
    model = models.build_model("custom_unet", None, 3, 2, {"depth": 1, "base_width": 4})
    ctx = StepContext(torch.device("cpu"), dtype, True, "multiclass", 0.5, 2, 255)
    result = train_epoch(model.to(memory_format=torch.channels_last),
                         [(torch.randn(2, 3, 8, 8), torch.randint(0, 2, (2, 8, 8)))],
                         torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1),
                         torch.amp.GradScaler("cpu", enabled=False), ctx, max_steps=1,
                         grad_clip=0.0, after_step=lambda s, v: None)
    assert np.isfinite(result.loss)


@pytest.mark.parametrize(("monitor", "values", "stop_at"), [
    ("loss", [1.0, 0.9, 0.95, 0.85, 0.8], None),
    ("loss", [1.0, 0.9, 0.95, 0.91, 0.92], 4),
    ("miou", [0.1, 0.2, 0.2, 0.19, 0.3], 4),
])
def test_early_stopping_patience(monitor, values, stop_at) -> None:
    stopper, state = EarlyStopping(monitor, patience=2, min_delta=0.0), RunState()
    stops = [stopper.update(state, v) for v in values]
    assert (stops.index(True) + 1 if True in stops else None) == stop_at


@pytest.mark.parametrize(("change", "message"), [
    ({"data": {"normalization": "weights"}}, "model.encoder_weights is empty"),
    ({"device": "gpu"}, "cuda:N"),
    ({"optim": {"freeze_encoder_epochs": 9}}, "freeze_encoder_epochs"),
])
def test_job_validation_errors(dataset, tmp_path, change, message) -> None:
    with pytest.raises(JobError, match=message):
        run_job("train", _job(dataset, tmp_path) | change, Events(io.StringIO()))


@pytest.mark.parametrize(("model", "message"), [
    ({"architecture": "UNet2"}, "unknown architecture"),
    ({"architecture": "PAN", "encoder": "resnet18"}, "at least 128"),
])
def test_model_errors_before_training(dataset, tmp_path, model, message) -> None:
    with pytest.raises(SatsegError, match=message):
        run_job("train", _job(dataset, tmp_path, model=model), Events(io.StringIO()))
