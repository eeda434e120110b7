"""`satseg tune` end to end in-process: real tiny trainings, a real Optuna study, its reports,
its events and its pruning."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
import torch
from dataset_factory import make_dataset
from raster_factory import run_verb

from satseg_engine.core.jobs import load_job
from satseg_engine.training.options import TrainJob

pytestmark = pytest.mark.usefixtures("one_torch_thread")
TINY = {"epochs": 2, "batch_size": 4, "log_every_steps": 2,
        "model": {"architecture": "custom_unet", "depth": 2, "base_width": 8},
        "data": {"num_workers": 0, "normalization": "standardize"}, "optim": {"lr": 0.01}}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("ds") / "patches", patch_size=32,
                        counts={"train": 16, "validation": 4, "test": 0})


@pytest.fixture(scope="module")
def search(dataset, tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    out = tmp_path_factory.mktemp("tune") / "out"
    job = {**TINY, "dataset": str(dataset), "output_dir": str(out),
           "space": {"optim.lr": "log_float:1e-3:3e-2", "model.base_width": "choice:4,8"},
           "search": {"trials": 3}}
    summary, events = run_verb("tune", **job)
    return out, summary, events


def _trial_ends(events: list[dict]) -> list[dict]:
    return [e for e in events if e["type"] == "metric" and e["stage"] == "tune"]


def test_three_trials_in_the_csv_and_the_summary(search):
    out, summary, events = search
    with open(out / "trials.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["number"] for r in rows] == ["0", "1", "2"]
    assert list(rows[0]) == ["number", "state", "value", "duration_s", "optim.lr",
                             "model.base_width"]
    ends = {e["trial"]["number"]: e for e in _trial_ends(events)}
    for row in rows:
        assert row["state"] == "COMPLETE" and float(row["duration_s"]) > 0
        assert 1e-3 <= float(row["optim.lr"]) <= 3e-2 and row["model.base_width"] in ("4", "8")
        assert float(row["value"]) == pytest.approx(ends[int(row["number"])]["values"]["value"])
    assert summary["trials"] == {"complete": 3, "pruned": 0, "failed": 0, "running": 0}
    best_row = max(rows, key=lambda r: float(r["value"]))
    assert summary["best"]["number"] == int(best_row["number"])
    assert summary["metric"] == "validation.miou" and summary["direction"] == "maximize"
    assert json.loads((out / "tune_summary.json").read_text()) == json.loads(json.dumps(summary))
    assert events[-1]["type"] == "artifact"  # run_job leaves the terminal event to the CLI


def test_trial_end_events_carry_the_contract(search):
    _out, _summary, events = search
    ends = _trial_ends(events)
    assert [e["epoch"] for e in ends] == [0, 1, 2] and all(e["split"] == "trial" for e in ends)
    best_so_far = None
    for end in ends:
        record = end["trial"]
        assert set(record) == {"number", "state", "value", "params", "duration_s",
                               "best_number", "best_value"}
        assert record["state"] == "COMPLETE" and end["values"] == {"value": record["value"]}
        assert set(record["params"]) == {"optim.lr", "model.base_width"}
        if best_so_far is None or record["value"] > best_so_far[1]:
            best_so_far = (record["number"], record["value"])
        assert (record["best_number"], record["best_value"]) == best_so_far
    progress = [(e["done"], e["total"], e["unit"]) for e in events
                if e["type"] == "progress" and e["stage"] == "tune"]
    assert progress == [(1, 3, "trials"), (2, 3, "trials"), (3, 3, "trials")]


def test_trial_events_are_tagged_and_each_epoch_reported(search):
    out, _summary, events = search
    trained = [e for e in events if e["type"] == "progress" and e["stage"] == "train"]
    assert trained and all(e["trial"] in (0, 1, 2) for e in trained)
    validation: dict[int, dict[int, float]] = {}
    for e in events:
        if e["type"] == "metric" and e["split"] == "validation":
            validation.setdefault(e["trial"], {})[e["epoch"]] = e["values"]["miou"]
    study = optuna.load_study(study_name="satseg", storage=f"sqlite:///{out}/study.db")
    for trial in study.trials:
        assert trial.intermediate_values == pytest.approx(validation[trial.number])
        assert sorted(trial.intermediate_values) == [1, 2]  # one value per epoch
        assert trial.value == pytest.approx(max(validation[trial.number].values()))
        assert (out / "trials" / f"trial_{trial.number:04d}" / "best_iou.pt").is_file()
    roles = {(e["kind"], e.get("role")) for e in events if e["type"] == "artifact"
             and "trial" not in e}
    assert roles == {("csv", "trials"), ("report", "best_job"), ("checkpoint", "best"),
                     ("plot", "optimization_history"), ("plot", "param_importances"),
                     ("plot", "parallel_coordinate"), ("report", "summary")}


def test_best_job_trains_as_is_and_best_model_loads(search):
    out, summary, _events = search
    data = json.loads((out / "best_job.json").read_text())
    job = load_job(TrainJob, data)
    best = summary["best"]
    assert job.optim.lr == pytest.approx(best["params"]["optim.lr"])
    assert job.model.base_width == best["params"]["model.base_width"]
    trial_folder = out / "trials" / f"trial_{best['number']:04d}"
    model = torch.load(out / "best_model.pt", map_location="cpu", weights_only=True)
    assert (out / "best_model.pt").read_bytes() == (trial_folder / "best_iou.pt").read_bytes()
    assert model["state_dict"]
    for role in ("optimization_history", "param_importances", "parallel_coordinate"):
        png = out / f"{role}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    run = subprocess.run([sys.executable, "-m", "satseg_engine", "train", "--config",
                          str(out / "best_job.json"), "--epochs", "1"],
                         capture_output=True, text=True, timeout=300)
    last = json.loads(run.stdout.splitlines()[-1])
    assert run.returncode == 0 and last["type"] == "done", run.stderr[-2000:]
    assert Path(last["summary"]["output_dir"]) == out / "best_run"


def test_a_trial_that_cannot_learn_is_pruned_early(dataset, tmp_path):
    job = {**TINY, "epochs": 3, "dataset": str(dataset), "output_dir": str(tmp_path / "out"),
           "space": {"optim.lr": {"type": "choice", "choices": [0.01, 1e-7, 1e-8]}},
           "search": {"trials": 3, "sampler": "grid", "pruner": "median",
                      "startup_trials": 1, "warmup_epochs": 1}}
    summary, events = run_verb("tune", **job)
    ends = {e["trial"]["params"]["optim.lr"]: e["trial"] for e in _trial_ends(events)}
    assert ends[0.01]["state"] == "COMPLETE"
    assert ends[1e-7]["state"] == ends[1e-8]["state"] == "PRUNED"
    assert summary["trials"]["pruned"] == 2 and summary["best"]["params"] == {"optim.lr": 0.01}
    epochs_run: dict[int, set[int]] = {}
    for e in events:
        if e["type"] == "metric" and e["split"] == "validation":
            epochs_run.setdefault(e["trial"], set()).add(e["epoch"])
    for record in ends.values():
        ran = len(epochs_run[record["number"]])
        assert ran == 3 if record["state"] == "COMPLETE" else 2 <= ran < 3


def test_failing_trials_are_recorded_and_a_hopeless_search_stops(dataset, tmp_path):
    from satseg_engine.core.errors import SatsegError

    job = {**TINY, "dataset": str(dataset), "output_dir": str(tmp_path / "out"),
           "space": {"model.architecture": "choice:NoSuchNet"}, "search": {"trials": 20}}
    with pytest.raises(SatsegError) as caught:
        run_verb("tune", **job)
    assert caught.value.code == "tune_failing" and "NoSuchNet" in caught.value.message
    study = optuna.load_study(study_name="satseg", storage=f"sqlite:///{tmp_path}/out/study.db")
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.FAIL] * 5
    assert all("NoSuchNet" in t.user_attrs["error"] for t in study.trials)
