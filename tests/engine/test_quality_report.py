"""The quality report at the end of training: rare classes, classes near an IoU of 0 on
validation, diverging curves — on real tiny trainings, and its thresholds on listed numbers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from dataset_factory import make_dataset

from satseg_engine.core.cli import run_job
from satseg_engine.core.events import Events
from satseg_engine.training.reports import quality_report

pytestmark = pytest.mark.usefixtures("one_torch_thread")

NAMES = ["water", "forest", "urban"]   # values 1, 2, 5 in dataset_factory.DEFAULT_CLASSES


def _relabel(root: Path, split: str, change) -> None:
    """Rewrite every label patch of `split` with `change(label, index)`; recount dataset.json."""
    info = json.loads((root / "dataset.json").read_text())
    counts = dict.fromkeys(("1", "2", "5"), 0)
    for index, path in enumerate(sorted((root / "Patch" / split / "labels").glob("*.tif"))):
        with rasterio.open(path, "r+") as dst:
            label = change(dst.read(1), index)
            dst.write(label, 1)
        for value in counts:
            counts[value] += int((label == int(value)).sum())
    info["splits"][split]["class_pixels"] = counts
    (root / "dataset.json").write_text(json.dumps(info))


def _train(dataset: Path, out: Path, epochs: int, lr: float) -> tuple[dict, list[dict]]:
    job = {"dataset": str(dataset), "output_dir": str(out), "epochs": epochs, "batch_size": 4,
           "device": "cpu", "model": {"architecture": "custom_unet", "depth": 2,
                                      "base_width": 8},
           "data": {"num_workers": 0, "normalization": "standardize"},
           "augment": {"enabled": False}, "optim": {"lr": lr}, "schedule": {"name": "none"}}
    stream = io.StringIO()
    summary = run_job("train", job, Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture(scope="module")
def rare_urban(tmp_path_factory) -> Path:
    """Urban is labelled only in a 4 × 4 block of one training patch (16 of ~15 000 pixels)
    but normally in validation."""
    root = make_dataset(tmp_path_factory.mktemp("rare") / "patches", patch_size=32,
                        counts={"train": 16, "validation": 6, "test": 2}, seed=4)

    def keep_a_corner(label: np.ndarray, index: int) -> np.ndarray:
        label[label == 5] = 1
        if index == 0:
            label[10:14, 10:14] = 5
        return label
    _relabel(root, "train", keep_a_corner)
    return root


@pytest.fixture(scope="module")
def swapped_validation(tmp_path_factory) -> Path:
    """Validation says water where the image shows forest and the other way round: the better
    the model fits the training patches, the worse its validation loss."""
    root = make_dataset(tmp_path_factory.mktemp("swap") / "patches", patch_size=32,
                        counts={"train": 12, "validation": 6, "test": 2}, seed=5)
    _relabel(root, "validation", lambda label, _i: np.choose(
        np.isin(label, (1, 2)), (label, 3 - np.minimum(label, 2))).astype(np.uint8))
    return root


def test_a_rare_class_is_flagged_with_its_levers(rare_urban, tmp_path) -> None:
    summary, events = _train(rare_urban, tmp_path / "run", epochs=4, lr=0.01)
    checks = {(f["check"], f.get("class")) for f in summary["quality"]}
    assert ("few_pixels", "urban") in checks
    assert ("iou_near_zero", "urban") in checks, summary["validation"]["per_class"]
    assert not {c for c in checks if c[1] in ("water", "forest")}, "common classes learnt"
    few = next(f for f in summary["quality"] if f["check"] == "few_pixels")
    assert few["pixels"] == 16 and few["share"] < 0.002
    assert "data.class_balanced" in few["lever"]
    warnings = [e["message"] for e in events if e["type"] == "log"
                and e["level"] == "warning" and e["message"].startswith("quality:")]
    assert any("class urban has few training pixels: 16" in w for w in warnings)
    report = (tmp_path / "run" / "quality_report.txt").read_text()
    assert "class urban is hardly ever found" in report and "what usually helps" in report
    saved = json.loads((tmp_path / "run" / "metrics.json").read_text())["summary"]
    assert saved["quality"] == summary["quality"]
    assert any(e["type"] == "artifact" and e.get("role") == "quality" for e in events)


def test_diverging_curves_are_flagged(swapped_validation, tmp_path) -> None:
    summary, _ = _train(swapped_validation, tmp_path / "run", epochs=8, lr=0.01)
    diverging = [f for f in summary["quality"] if f["check"] == "diverging"]
    history = json.loads((tmp_path / "run" / "metrics.json").read_text())["history"]
    assert diverging, [(r["train_loss"], r["validation_loss"]) for r in history]
    assert "early_stopping.patience" in diverging[0]["lever"]
    assert diverging[0]["rise"] >= 0.15


# -- the thresholds, on listed numbers ------------------------------------------------------------

def _rows(train: list[float], validation: list[float]) -> list[dict]:
    return [{"epoch": i + 1, "train_loss": t, "validation_loss": v}
            for i, (t, v) in enumerate(zip(train, validation, strict=True))]


@pytest.mark.parametrize(("pixels", "flagged"), [
    ([90000, 9000, 1000], {"urban"}),         # 1.0 % of 100 000, and 1 000 pixels
    ([90000, 8100, 1900], {"urban"}),         # 1.9 %, though 1 900 pixels
    ([77900, 20000, 2100], set()),            # 2.1 % and over 1 024 pixels
    ([400, 300, 300], {"water", "forest", "urban"}),  # shares fine, each under 1024 pixels
])
def test_few_pixels_threshold(pixels, flagged) -> None:
    found = quality_report(NAMES, pixels, None, [])
    assert {f["class"] for f in found if f["check"] == "few_pixels"} == flagged


def test_iou_near_zero_and_classes_absent_from_validation() -> None:
    matrix = [[90, 10, 0],     # water: IoU 90 / (100 + 99 - 90) = 0.83
              [9, 1, 0],       # forest: IoU 1 / (10 + 11 - 1) = 0.05
              [0, 0, 0]]       # urban: no validation pixels
    found = quality_report(NAMES, [5000, 4000, 3000], matrix, [])
    assert [(f["check"], f["class"]) for f in found] == [("iou_near_zero", "forest"),
                                                          ("no_validation_pixels", "urban")]
    assert found[0]["iou"] == pytest.approx(0.05)
    assert "model.encoder_weights" in found[0]["lever"]


@pytest.mark.parametrize(("train", "validation", "diverging"), [
    ([1.0, 0.8, 0.6, 0.4, 0.3], [1.0, 0.7, 0.8, 0.9, 0.95], True),     # +36 %, train falls
    ([1.0, 0.8, 0.6, 0.4, 0.3], [1.0, 0.7, 0.72, 0.75, 0.78], False),  # +11 %: noise
    ([1.0, 0.8, 0.9, 1.0, 1.1], [1.0, 0.7, 0.8, 0.9, 0.95], False),    # train rises too
    ([1.0, 0.8, 0.6, 0.4, 0.3], [1.0, 0.9, 0.8, 0.7, 0.6], False),     # both fall
    ([1.0, 0.6, 0.3], [1.0, 0.7, 0.95], False),                        # 3 epochs: too few
])
def test_diverging_curves_threshold(train, validation, diverging) -> None:
    found = quality_report(NAMES, [5000, 4000, 3000], None, _rows(train, validation))
    assert any(f["check"] == "diverging" for f in found) is diverging


@pytest.mark.parametrize("balanced", [False, True])
def test_the_levers_never_advise_a_switch_the_run_already_used(balanced) -> None:
    matrix = [[90, 10, 0], [10, 90, 0], [5, 5, 0]]   # urban: rare and never found
    found = quality_report(NAMES, [90000, 9000, 1000], matrix, [], balanced=balanced)
    levers = {f["check"]: f["lever"] for f in found if f["class"] == "urban"}
    assert set(levers) == {"few_pixels", "iou_near_zero"}
    for lever in levers.values():
        advised = "drawn more often" not in lever and "data.class_balanced" in lever
        assert advised is not balanced, lever
        assert "label more" in lever
