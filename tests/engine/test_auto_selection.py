"""Model selection when the validation split cannot judge every class (the `selection` rule as a
table, the epoch rule, a real run whose validation split lacks a training class), and the `rare`
class weights (an option, not an `auto` choice: it lost on bench_defaults.py's held-out areas)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from dataset_factory import make_dataset
from raster_factory import run_verb

from satseg_engine.core.jobs import load_job
from satseg_engine.training.auto import DatasetFacts, choose, facts_from
from satseg_engine.training.options import TrainJob
from satseg_engine.training.state import keeps_epoch

NAMES = ("water", "forest", "road")


def facts(validation) -> DatasetFacts:
    return DatasetFacts(train_patches=64, patch_size=64, bands=10, class_names=NAMES,
                        class_pixels=(30_000, 60_000, 300), validation_pixels=validation)


# (validation pixels per class, expected selection, words in the reason)
TABLE = [
    ((5_000, 9_000, 40), "miou", "holds every training class"),
    ((0, 9_000, 40), "last", "holds no 'water' pixels"),
    ((0, 9_000, 0), "last", "holds no 'water', 'road' pixels"),
    ((0, 0, 0), "last", "no validation pixels"),
    (None, "miou", "k-fold"),
]


@pytest.mark.parametrize(("validation", "value", "words"), TABLE)
def test_selection_follows_what_the_validation_split_holds(validation, value, words) -> None:
    choice = next(c for c in choose(facts(validation)) if c.key == "selection")
    assert choice.value == value
    assert words in choice.reason


def test_a_class_missing_from_training_too_does_not_count() -> None:
    f = DatasetFacts(train_patches=64, patch_size=64, bands=10, class_names=NAMES,
                     class_pixels=(30_000, 60_000, 0), validation_pixels=(10, 10, 0))
    assert next(c for c in choose(f) if c.key == "selection").value == "miou"


@pytest.mark.parametrize(("selection", "miou", "best", "kept"), [
    ("miou", 0.70, 0.72, False),   # a worse epoch does not replace the best one
    ("miou", 0.73, 0.72, True),
    ("last", 0.40, 0.72, True),    # last: every epoch replaces the previous one
])
def test_which_epoch_best_iou_keeps(selection, miou, best, kept) -> None:
    assert keeps_epoch(selection, miou, best) is kept


def test_validation_counts_come_from_dataset_json_except_for_kfold() -> None:
    info = {"patch_size": 64, "band_names": ["a"],
            "classes": [{"value": 1, "name": "a"}, {"value": 4, "name": "b"}],
            "splits": {"train": {"class_pixels": {"1": 90, "4": 10}},
                       "validation": {"class_pixels": {"1": 5, "4": 0}}}}
    job = load_job(TrainJob, {"dataset": ".", "output_dir": "out"})
    assert facts_from(info, 12, job, "cpu", 2).missing_in_validation() == ["b"]
    kfold = load_job(TrainJob, {"dataset": ".", "output_dir": "out", "kfold": {"folds": 3}})
    assert facts_from(info, 12, kfold, "cpu", 2).validation_pixels is None


def _drop_class_from_validation(root: Path, value: int, instead: int) -> None:
    """Relabel `value` as `instead` in every validation label patch (and in dataset.json)."""
    for path in (root / "Patch" / "validation" / "labels").glob("*.tif"):
        with rasterio.open(path, "r+") as dst:
            label = dst.read(1)
            dst.write(np.where(label == value, instead, label).astype(label.dtype), 1)
    info = json.loads((root / "dataset.json").read_text(encoding="utf-8"))
    pixels = info["splits"]["validation"]["class_pixels"]
    pixels[str(instead)] += pixels[str(value)]
    pixels[str(value)] = 0
    (root / "dataset.json").write_text(json.dumps(info), encoding="utf-8")


def test_a_run_whose_validation_lacks_a_class_keeps_the_last_epoch(tmp_path: Path) -> None:
    dataset = make_dataset(tmp_path / "ds", patch_size=32,
                           counts={"train": 8, "validation": 3, "test": 0})
    _drop_class_from_validation(dataset, 5, 1)
    out = tmp_path / "out"
    job = {"dataset": str(dataset), "output_dir": str(out), "epochs": 3, "batch_size": 4,
           "model": {"architecture": "custom_unet", "depth": 2, "base_width": 8}}
    summary, events = run_verb("train", **job)
    logs = [e["message"] for e in events if e["type"] == "log"]
    assert any("selection = last (the validation split holds no 'urban' pixels" in m
               for m in logs)
    assert summary["best_epoch"] == summary["best_iou_epoch"] == 3
    best = torch.load(out / "best_iou.pt", map_location="cpu", weights_only=True)
    assert best["header"]["epoch"] == 3
    assert best["header"]["config"]["selection"] == "last"


# training pixels 9 000 / 600 / 50 / 350 → shares 0.9, 0.06, 0.005, 0.035; median share 0.0475:
# only the third class is under 1 %: 0.0475 / 0.005 = 9.5 (rare_sqrt: √9.5 ≈ 3.082); a class
# without pixels weighs 0
@pytest.mark.parametrize(("method", "expected"), [
    ("rare", [1.0, 1.0, 9.5, 1.0, 0.0]),
    ("rare_sqrt", [1.0, 1.0, 3.0822, 1.0, 0.0]),
    ("median", [0.0475 / 0.9, 0.0475 / 0.06, 9.5, 0.0475 / 0.035, 0.0]),
])
def test_rare_weights_only_the_rare_classes(method, expected) -> None:
    from satseg_engine.models.losses import class_weights_from_counts

    weights = class_weights_from_counts(method, [9_000, 600, 50, 350, 0])
    assert weights.tolist() == pytest.approx(expected, rel=1e-5)
