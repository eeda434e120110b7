"""`satseg tune` as real processes: resumed after SIGKILL, cancelled by SIGTERM (the plugin's
Cancel) and retried, and two processes sharing one output folder and its SQLite study."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import optuna
import pytest
from dataset_factory import make_dataset
from optuna.trial import TrialState

ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("ds") / "patches", patch_size=32,
                        counts={"train": 8, "validation": 4, "test": 0})


def _command(dataset: Path, out: Path, trials: int) -> list[str]:
    return [sys.executable, "-m", "satseg_engine", "tune", "--dataset", str(dataset),
            "--output-dir", str(out), "--epochs", "2", "--batch-size", "4",
            "--model.architecture", "custom_unet", "--model.depth", "2",
            "--model.base-width", "8", "--data.num-workers", "0",
            "--data.normalization", "standardize", "--space", "optim.lr=log_float:1e-3:3e-2",
            "--search.trials", str(trials)]


def _start(command: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
                            env=ENV)


def _read_until(proc: subprocess.Popen, stop: Callable[[dict], bool]) -> list[dict]:
    events = []
    for line in proc.stdout:
        events.append(json.loads(line))
        if stop(events[-1]):
            return events
    raise AssertionError(f"the run ended before the awaited event: {events[-3:]}")


def _run(command: list[str]) -> tuple[int, list[dict]]:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, env=ENV)
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()]


def _study(out: Path) -> optuna.Study:
    return optuna.load_study(study_name="satseg", storage=f"sqlite:///{out}/study.db")


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def _trial_end(number: int) -> Callable[[dict], bool]:
    return lambda e: e["type"] == "metric" and e["stage"] == "tune" and e["epoch"] == number


def _in_trial(number: int) -> Callable[[dict], bool]:
    return lambda e: e["type"] == "progress" and e["stage"] == "train" and e["trial"] == number


@pytest.mark.timeout(900)
def test_a_killed_search_resumes_to_exactly_its_budget(dataset, tmp_path):
    out = tmp_path / "out"
    command = _command(dataset, out, 3)
    proc = _start(command, tmp_path / "first.log")
    _read_until(proc, _trial_end(0))
    _read_until(proc, _in_trial(1))  # trial 1 is training
    first = _snapshot(out / "trials" / "trial_0000")
    proc.kill()
    proc.wait()
    assert [t.state for t in _study(out).trials] == [TrialState.COMPLETE, TrialState.RUNNING]

    code, events = _run(command)
    assert code == 0 and events[-1]["type"] == "done", events[-3:]
    assert any("trial 1 was left running" in e.get("message", "") for e in events)
    trials = _study(out).trials
    states = [t.state for t in trials]
    assert states.count(TrialState.COMPLETE) == 3 and TrialState.RUNNING not in states
    assert trials[1].state == TrialState.FAIL and trials[1].user_attrs["interrupted"] is True
    assert trials[2].params == trials[1].params  # the killed trial's values were retried first
    assert events[-1]["summary"]["trials"] == {"complete": 3, "pruned": 0, "failed": 1,
                                               "running": 0}
    assert _snapshot(out / "trials" / "trial_0000") == first
    assert len(list((out / "trials").glob("trial_*"))) == 4
    # the rerun lists every trial (the plugin's table fills from these): trial 0 of the first
    # process and the killed trial 1 once it is failed, before the trials it runs itself
    ended = [(e["epoch"], e["trial"]["state"]) for e in events if _trial_end(e.get("epoch"))(e)]
    assert ended == [(0, "COMPLETE"), (1, "FAIL"), (2, "COMPLETE"), (3, "COMPLETE")]


@pytest.mark.timeout(900)
def test_cancel_fails_the_trial_and_the_rerun_retries_it_first(dataset, tmp_path):
    out = tmp_path / "out"
    command = _command(dataset, out, 2)
    proc = _start(command, tmp_path / "first.log")
    _read_until(proc, _in_trial(1))
    proc.send_signal(signal.SIGTERM)
    rest = [json.loads(line) for line in proc.stdout]
    assert proc.wait(timeout=60) == 130
    assert rest[-1]["type"] == "error" and rest[-1]["code"] == "cancelled"
    ended = [e["trial"] for e in rest if e["type"] == "metric" and e["stage"] == "tune"]
    assert [(r["number"], r["state"], r["value"]) for r in ended] == [(1, "FAIL", None)]
    study = _study(out)
    cancelled = study.trials[1]
    assert cancelled.state == TrialState.FAIL and cancelled.user_attrs["interrupted"] is True
    waiting = [t for t in study.trials if t.state == TrialState.WAITING]
    assert [t.params for t in waiting] == [cancelled.params]

    code, events = _run(command)
    assert code == 0 and events[-1]["type"] == "done"
    ended = [e["trial"] for e in events if e["type"] == "metric" and e["stage"] == "tune"]
    assert [(r["number"], r["state"]) for r in ended] == [(0, "COMPLETE"), (1, "FAIL"),
                                                          (2, "COMPLETE")]
    assert ended[2]["params"] == cancelled.params  # the first trial the rerun ran itself
    assert events[-1]["summary"]["trials"]["complete"] == 2


@pytest.mark.timeout(900)
def test_two_processes_share_one_study_and_its_budget(dataset, tmp_path):
    out = tmp_path / "out"
    command = _command(dataset, out, 4)
    procs = [_start(command, tmp_path / f"p{i}.log") for i in range(2)]
    results = [(p.wait(timeout=800), [json.loads(line) for line in p.stdout]) for p in procs]
    for code, events in results:
        assert code == 0 and events[-1]["type"] == "done", events[-2:]
    trials = _study(out).trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 4  # the budget, not twice it
    assert sorted(t.number for t in trials) == [0, 1, 2, 3]
    assert {t.user_attrs["pid"] for t in trials} == {p.pid for p in procs}  # both worked
    folders = sorted(p.name for p in (out / "trials").iterdir() if p.is_dir())
    assert folders == [f"trial_{n:04d}" for n in range(4)]
    for folder in folders:
        assert (out / "trials" / folder / "metrics.csv").is_file()
    for _code, events in results:  # every process's reports cover the whole study
        assert events[-1]["summary"]["trials"]["complete"] + \
            events[-1]["summary"]["trials"]["running"] == 4
