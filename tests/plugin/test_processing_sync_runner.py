"""SyncRunner, the synchronous runner behind the Processing algorithms, against the real engine:
events in order, each way of failing told apart exactly as EngineRunner tells them, cancel
through its callback, and no engine interpreter."""

from __future__ import annotations

import os
import time

import pytest

from satseg_plugin.core.run_failure import RunState
from satseg_plugin.core.sync_runner import EngineRunError, SyncRunner


def test_events_arrive_in_order_and_the_summary_is_returned(engine_python):
    seen = []
    summary = SyncRunner(engine_python, on_event=seen.append).run(
        "selftest", {"seconds": 0.3, "steps": 3})
    kinds = [event["type"] for event in seen]
    assert kinds[0] == "started" and kinds[-1] == "done"
    assert [(e["done"], e["total"]) for e in seen if e["type"] == "progress"][-1] == (3, 3)
    assert summary == seen[-1]["summary"]


@pytest.mark.parametrize("outcome, state, words", [
    ("error", RunState.ENGINE_ERROR, "selftest failed as requested"),
    ("crash", RunState.CRASHED, "crashed"),
    ("exit", RunState.EXITED_NONZERO, "exited with code 3"),
    ("silent", RunState.NO_TERMINAL_EVENT, "without reporting success or failure"),
])
def test_each_way_of_failing_is_told_apart(engine_python, outcome, state, words):
    with pytest.raises(EngineRunError) as raised:
        SyncRunner(engine_python).run("selftest", {"seconds": 0, "steps": 1,
                                                   "outcome": outcome})
    failure = raised.value.failure
    assert failure.state is state and words in str(raised.value)
    if outcome == "error":
        assert failure.code == "selftest_error" and "outcome=done" in failure.hint


def test_cancel_stops_the_engine_and_removes_its_partial_output(engine_python, tmp_path):
    started = {}

    def cancelled() -> bool:
        return bool(started) and time.monotonic() - started["t"] > 0.5

    runner = SyncRunner(engine_python, on_event=lambda e: started.setdefault(
        "t", time.monotonic()), is_cancelled=cancelled)
    with pytest.raises(EngineRunError) as raised:
        runner.run("selftest", {"seconds": 60, "steps": 600,
                                "output": str(tmp_path / "report.txt")})
    assert raised.value.failure.state is RunState.CANCELLED
    assert time.monotonic() - started["t"] < 6
    with pytest.raises(ProcessLookupError):
        os.kill(runner.pid, 0)
    assert list(tmp_path.iterdir()) == [], "no partial report is left behind"


@pytest.mark.parametrize("path, words", [("", "No engine interpreter is set"),
                                         ("/nonexistent/python3", "does not exist")])
def test_no_interpreter_fails_before_anything_starts(path, words):
    with pytest.raises(EngineRunError) as raised:
        SyncRunner(path).run("selftest", {})
    assert raised.value.failure.state is RunState.FAILED_TO_START and words in str(raised.value)


def test_a_python_without_the_engine_is_named(tmp_path):
    with pytest.raises(EngineRunError) as raised:
        SyncRunner("/usr/bin/python3").run("selftest", {}, work_dir=str(tmp_path))
    assert raised.value.failure.code == "not_an_engine"
    assert "Set up engine environment" in raised.value.failure.hint
