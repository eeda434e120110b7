"""`satseg inspect CHECKPOINT`: the header a user (or the plugin) needs, nothing bulky."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import torch

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import SatsegError
from satseg_engine.core.events import Events
from satseg_engine.models import checkpoint
from satseg_engine.models import registry as models

CLASSES = [{"value": 1, "name": "water", "colour": "#1f78b4"},
           {"value": 4, "name": "forest", "colour": "#33a02c"},
           {"value": 9, "name": "urban", "colour": "#e31a1c"}]
BANDS = ["B2", "B3", "B4"]
METRICS = {"train": {"loss": 0.5, "miou": 0.6},
           "validation": {"loss": 0.7, "miou": 0.55, "accuracy": 0.8,
                          "per_class": {c["name"]: {"iou": 0.5 + i / 10, "f1": 0.6,
                                                    "precision": 0.7, "recall": 0.8}
                                        for i, c in enumerate(CLASSES)},
                          "confusion_matrix": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}


def write_checkpoint(path: Path, resume: bool = False, **extra: object) -> Path:
    kwargs = {"depth": 1, "base_width": 4}
    header = {"engine_version": "0.1.0", "architecture": "custom_unet", "encoder": None,
              "model_kwargs": kwargs, "in_channels": len(BANDS), "band_names": BANDS,
              "normalization": {"method": "standardize", "nodata": 0,
                                "bands": [{"name": b, "mean": 1.0, "std": 2.0} for b in BANDS]},
              "classes": CLASSES, "ignore_value": 255, "patch_size": 32, "task": "multiclass",
              "threshold": 0.5, "epoch": 3, "metrics": METRICS, "role": "best_iou",
              "config": {"dataset": "/somewhere", "epochs": 3}, **extra}
    torch.manual_seed(0)
    model = models.build_model("custom_unet", None, len(BANDS), len(CLASSES), kwargs)
    return checkpoint.save_checkpoint(path, header, model.state_dict(),
                                      resume={"epoch": 3} if resume else None)


def inspect(path: Path) -> dict:
    return run_job("inspect", {"checkpoint": str(path)}, Events(io.StringIO()))


@pytest.mark.parametrize(("extra", "resume", "pixel_size"), [
    ({}, False, None),
    ({"pixel_size": [10.0, 10.0]}, True, [10.0, 10.0]),
])
def test_the_summary_is_the_header_without_its_bulky_parts(tmp_path, extra, resume, pixel_size):
    path = write_checkpoint(tmp_path / "model.pt", resume=resume, **extra)
    summary = inspect(path)
    assert summary["classes"] == CLASSES and summary["band_names"] == BANDS
    assert (summary["in_channels"], summary["patch_size"], summary["task"]) == (3, 32,
                                                                                "multiclass")
    assert (summary["architecture"], summary["encoder"]) == ("custom_unet", None)
    assert (summary["epoch"], summary["role"], summary["threshold"]) == (3, "best_iou", 0.5)
    assert summary["normalization"] == "standardize", "the method, not per-band statistics"
    assert summary.get("pixel_size") == pixel_size
    assert summary["resumable"] is resume
    assert summary["checkpoint"] == str(path.resolve())
    assert summary["metrics"]["train"] == {"loss": 0.5, "miou": 0.6}
    validation = summary["metrics"]["validation"]
    assert validation["per_class_iou"] == {"water": 0.5, "forest": 0.6, "urban": 0.7}
    assert "confusion_matrix" not in validation and "per_class" not in validation
    assert not {"config", "state_dict", "model_kwargs"} & set(summary)
    assert len(json.dumps(summary)) < 2000, "small enough to show in a dialog"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not_satseg", "missing"])
def test_a_damaged_file_is_a_bad_checkpoint(tmp_path, damage):
    path = tmp_path / "model.pt"
    if damage == "garbage":
        path.write_bytes(b"this is not a model")
    elif damage == "truncated":
        good = write_checkpoint(tmp_path / "good.pt").read_bytes()
        path.write_bytes(good[: len(good) // 2])
    elif damage == "not_satseg":
        torch.save({"weights": torch.zeros(3)}, path)
    with pytest.raises(SatsegError) as caught:
        inspect(path)
    assert caught.value.code == ("invalid_job" if damage == "missing" else "bad_checkpoint")
    assert "model.pt" in caught.value.message


@pytest.mark.parametrize("damage", [False, True])
def test_satseg_inspect_subprocess(tmp_path, engine, damage):
    path = write_checkpoint(tmp_path / "best_iou.pt")
    if damage:
        path.write_bytes(path.read_bytes()[:200])
    run = engine("inspect", str(path), "--progress", "json")
    assert run.events[0]["type"] == "started" and run.events[0]["verb"] == "inspect"
    if damage:
        assert run.returncode == 1
        assert run.terminal["type"] == "error" and run.terminal["code"] == "bad_checkpoint"
        assert "hint" in run.terminal and "satseg train" in run.terminal["hint"]
    else:
        assert run.returncode == 0, run.stderr
        assert run.terminal["type"] == "done"
        assert [c["name"] for c in run.terminal["summary"]["classes"]] == ["water", "forest",
                                                                           "urban"]
