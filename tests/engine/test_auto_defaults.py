"""The "auto" training defaults: dataset facts → choices with reasons (a table), explicit values
winning, and a real run that announces, applies and stores what it chose."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import torch
from dataset_factory import make_dataset

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import JobError
from satseg_engine.core.events import Events
from satseg_engine.core.jobs import load_job
from satseg_engine.training.auto import DatasetFacts, choose, facts_from, resolve
from satseg_engine.training.options import TrainJob

NAMES = ("water", "forest", "road")


def facts(patches: int = 400, size: int = 32, pixels=(30_000, 60_000, 300), **extra
          ) -> DatasetFacts:
    return DatasetFacts(train_patches=patches, patch_size=size, bands=10, class_names=NAMES,
                        class_pixels=pixels, **extra)


def chosen(f: DatasetFacts) -> dict:
    return {c.key: c.value for c in choose(f)}


# (facts, key, expected value, words in the reason)
TABLE = [
    (facts(400, 32), "model.encoder", "resnet34", "0.4 M training pixels"),
    (facts(2000, 128), "model.encoder", "resnet34", "32.8 M training pixels: resnet34"),
    (facts(400, 32), "augment.brightness", 0.1, "standard augmentation"),
    (facts(400, 32), "augment.noise", 0.02, "standard augmentation for 0.4 M"),
    (facts(3000, 128), "augment.scale", 0.1, "standard augmentation for 49.2 M"),
    (facts(4000, 128), "augment.contrast", 0.05, "light augmentation for 65.5 M"),
    (facts(pixels=(30_000, 60_000, 600)), "data.class_balanced", True,
     "'road' covers 0.66 % of the training pixels (< 1.0 %)"),
    (facts(pixels=(30_000, 60_000, 1_200)), "data.class_balanced", False,
     "'road', covers 1.3 %"),
    (facts(pixels=(30_000, 60_000, 300)), "data.class_balanced", True, "'road' covers 0.33 %"),
    (facts(pixels=(30_000, 60_000, 9_000)), "data.class_balanced", False,
     "'road', covers 9.1 %"),
    (facts(pixels=(30_000, 60_000, 0)), "data.class_balanced", False, "'water', covers 33.3"),
    (facts(pixels=(30_000, 60_000, 600)), "loss.class_weights", "rare_sqrt",
     "'road' covers 0.66 % of the training pixels: classes under 1 % weigh the square root"),
    (facts(pixels=(30_000, 60_000, 1_200)), "loss.class_weights", "none",
     "'road', covers 1.3 % of the training pixels: the loss is unweighted"),
    (facts(device="cpu", cpu_count=2), "data.num_workers", 0, "on the CPU (2 cores)"),
    (facts(device="cpu", cpu_count=64), "data.num_workers", 0, "compete with the model"),
    (facts(device="cuda", cpu_count=16), "data.num_workers", 3, "10-band patches"),
    (facts(device="cuda", cpu_count=2), "data.num_workers", 1, "2 CPU cores"),
    (facts(400, batch_size=8), "epochs", 60, "50 batches per epoch: 60 epochs"),
    (facts(40, batch_size=8), "epochs", 100, "within 10–100 epochs"),
    (facts(40_000, batch_size=8), "epochs", 10, "5000 batches per epoch"),
    (facts(40_000, batch_size=8, steps_per_epoch=100), "epochs", 30, "100 batches per epoch"),
    (facts(40_000, batch_size=8, min_epochs=12), "epochs", 13, "13 epochs"),
]


@pytest.mark.parametrize(("f", "key", "value", "words"), TABLE)
def test_each_rule_gives_its_value_and_says_why(f, key, value, words) -> None:
    choice = next(c for c in choose(f) if c.key == key)
    assert choice.value == value
    assert words in choice.reason


def test_every_auto_key_of_the_job_has_a_rule_and_nothing_else_is_auto() -> None:
    job = load_job(TrainJob, {"dataset": ".", "output_dir": "out"})
    resolved, choices = resolve(job, facts())
    assert {c.key for c in choices} == {
        "model.encoder", "augment.scale", "augment.shift", "augment.brightness",
        "augment.contrast", "augment.noise", "data.class_balanced", "data.num_workers",
        "epochs", "selection", "loss.class_weights"}
    assert "auto" not in json.dumps(resolved.to_dict()).replace('"task": "auto"', "").replace(
        '"device": "auto"', "")
    assert resolved.model.encoder == "resnet34" and resolved.data.num_workers == 0


def test_an_explicit_value_always_wins() -> None:
    job = load_job(TrainJob, {"dataset": ".", "output_dir": "out", "epochs": 3,
                              "model": {"encoder": "resnet50"},
                              "data": {"class_balanced": False, "num_workers": 2},
                              "augment": {"noise": 0.0}, "loss": {"class_weights": "median"}})
    resolved, choices = resolve(job, facts(pixels=(30_000, 60_000, 600)))
    assert (resolved.epochs, resolved.model.encoder) == (3, "resnet50")
    assert resolved.loss.class_weights == "median"
    assert (resolved.data.class_balanced, resolved.data.num_workers) == (False, 2)
    assert resolved.augment.noise == 0.0 and resolved.augment.scale == 0.1
    assert {c.key for c in choices} == {"augment.scale", "augment.shift", "augment.brightness",
                                        "augment.contrast", "selection"}


@pytest.mark.parametrize(("data", "key"), [
    ({"epochs": "many"}, "epochs"),
    ({"data": {"num_workers": -1}}, "data.num_workers"),
    ({"augment": {"scale": 0.9}}, "augment.scale"),
    ({"data": {"class_balanced": "sometimes"}}, "data.class_balanced"),
])
def test_wrong_values_next_to_auto_are_still_refused(data, key) -> None:
    with pytest.raises(JobError) as caught:
        load_job(TrainJob, {"dataset": ".", "output_dir": "out", **data})
    assert caught.value.key == key


def test_facts_come_from_dataset_json_counts() -> None:
    info = {"patch_size": 64, "band_names": ["a", "b", "c"],
            "classes": [{"value": 1, "name": "a"}, {"value": 4, "name": "b"}],
            "splits": {"train": {"class_pixels": {"1": 90, "4": 10}},
                       "validation": {"class_pixels": {"1": 5, "4": 5}}}}
    job = load_job(TrainJob, {"dataset": ".", "output_dir": "out", "batch_size": 4})
    f = facts_from(info, 12, job, "cpu", 4)
    assert (f.train_patches, f.patch_size, f.bands, f.class_pixels) == (12, 64, 3, (90, 10))
    assert f.rarest() == ("b", 0.1) and f.batches_per_epoch() == 3


def test_a_run_announces_applies_and_stores_its_choices(tmp_path: Path) -> None:
    dataset = make_dataset(tmp_path / "ds", patch_size=32,
                           counts={"train": 8, "validation": 2, "test": 0})
    out = tmp_path / "out"
    stream = io.StringIO()
    job = {"dataset": str(dataset), "output_dir": str(out), "epochs": 1, "batch_size": 4,
           "model": {"architecture": "custom_unet", "depth": 2, "base_width": 8}}
    summary = run_job("train", job, Events(stream))
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    logs = [e["message"] for e in events if e["type"] == "log"]
    assert any(m.startswith("chosen for this dataset: data.num_workers = 0 (training on the "
                            "CPU") for m in logs)
    report = next(e for e in events if e["type"] == "artifact" and e["role"] == "defaults")
    written = json.loads(Path(report["path"]).read_text(encoding="utf-8"))["chosen"]
    assert {c["key"] for c in written} == {c["key"] for c in summary["chosen"]}
    assert "epochs" not in {c["key"] for c in written}  # given explicitly
    config = torch.load(out / "last.pt", map_location="cpu", weights_only=True)["header"]["config"]
    assert config["epochs"] == 1 and config["augment"]["brightness"] == 0.1
    assert config["data"]["num_workers"] == 0 and config["model"]["encoder"] == "resnet34"
