"""EngineRunner against the real engine subprocess, inside a real headless QGIS."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from satseg_plugin.core.engine_runner import (
    MAX_LINE_BYTES,
    MAX_REPORTED_LINES,
    EngineRunner,
    RunState,
    engine_environment,
    running,
    stop_all,
)
from satseg_plugin.core.events import EventFormatError, parse_event

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "events.jsonl"


class Recorder:
    """Everything a runner emitted, in order."""

    def __init__(self, runner: EngineRunner):
        self.calls: list = []
        for name in ("started", "progress", "metric", "log", "artifact", "done", "error",
                     "finished"):
            getattr(runner, name).connect(lambda *args, n=name: self.calls.append((n, args)))

    def names(self) -> list:
        return [name for name, _ in self.calls]

    def first(self, name: str):
        return next(args for n, args in self.calls if n == name)


def run_to_end(qtbot, runner: EngineRunner, verb: str, job: dict, timeout_ms: int = 60000):
    with qtbot.waitSignal(runner.finished, timeout=timeout_ms) as blocker:
        runner.start(verb, job)
    return blocker.args[0]


def test_parser_reads_every_golden_event():
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    events = [parse_event(line) for line in lines]
    assert [e["type"] for e in events] == ["started", "log", "progress", "progress", "progress",
                                           "metric", "metric", "log", "artifact", "artifact",
                                           "done", "error"]
    assert events[6]["per_class"]["water"]["iou"] == 0.9
    assert events[4]["total"] is None
    for bad in ("not json", "[1]", '{"type": "teleport"}', '{"type": "log", "level": "info"}'):
        with pytest.raises(EventFormatError):
            parse_event(bad)
    assert parse_event("   ") is None


def test_golden_events_become_the_right_signals(qgis_app):
    runner = EngineRunner("/unused")
    recorder = Recorder(runner)
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        runner.handle_line(line)
    assert recorder.first("progress") == ("train", 0, 40, "batches")
    assert ("progress", ("scan", 3, -1, "files")) in recorder.calls
    assert recorder.first("artifact") == ("checkpoint", "/out/best_iou.pt", "best_iou")
    assert recorder.first("log") == ("info", "reading dataset: 120 patches, 6 classes — "
                                             "ünïcödé ok")
    assert recorder.first("metric")[0]["values"]["loss"] == 0.6931
    assert runner.terminal["type"] == "done", "the first terminal event wins"


def test_a_real_run_reports_progress_and_done(qgis_app, qtbot, engine_python):
    runner = EngineRunner(engine_python)
    recorder = Recorder(runner)
    state = run_to_end(qtbot, runner, "selftest", {"seconds": 0.3, "steps": 3})
    assert state is RunState.DONE
    names = recorder.names()
    assert names[0] == "started" and names[-2:] == ["done", "finished"]
    assert ("progress", ("selftest", 3, 3, "steps")) in recorder.calls
    assert recorder.first("done")[0]["steps"] == 3
    assert recorder.first("started")[0]["job"]["steps"] == 3


def test_cancel_ends_quickly_with_no_orphan_and_no_partial_output(qgis_app, qtbot,
                                                                  engine_python, tmp_path):
    runner = EngineRunner(engine_python)
    recorder = Recorder(runner)
    output = tmp_path / "report.txt"
    with qtbot.waitSignal(runner.progress, timeout=30000):
        runner.start("selftest", {"seconds": 60, "steps": 600, "output": str(output)})
    pid = runner.process_id()
    assert pid > 0 and _alive(pid)
    started = time.monotonic()
    with qtbot.waitSignal(runner.finished, timeout=10000) as blocker:
        runner.cancel()
    assert blocker.args[0] is RunState.CANCELLED
    assert time.monotonic() - started < 5
    failure = recorder.first("error")[0]
    assert failure.state is RunState.CANCELLED and "cancelled" in failure.text()
    assert not _alive(pid), "the engine process is gone"
    assert list(tmp_path.iterdir()) == [], "no partial report is left behind"


@pytest.mark.parametrize("outcome, state, words", [
    ("error", RunState.ENGINE_ERROR, "selftest failed as requested"),
    ("crash", RunState.CRASHED, "crashed"),
    ("exit", RunState.EXITED_NONZERO, "exited with code 3"),
    ("silent", RunState.NO_TERMINAL_EVENT, "without reporting success or failure"),
])
def test_each_way_of_failing_is_told_apart(qgis_app, qtbot, engine_python, outcome, state,
                                           words):
    runner = EngineRunner(engine_python)
    recorder = Recorder(runner)
    assert run_to_end(qtbot, runner, "selftest", {"seconds": 0, "steps": 1,
                                                  "outcome": outcome}) is state
    failure = recorder.first("error")[0]
    assert failure.state is state and words in failure.text()
    if outcome == "error":
        assert failure.code == "selftest_error" and "outcome=done" in failure.hint


def test_invalid_job_reaches_the_error_signal_with_its_key(qgis_app, qtbot, engine_python):
    runner = EngineRunner(engine_python)
    recorder = Recorder(runner)
    assert run_to_end(qtbot, runner, "selftest", {"secnds": 1}) is RunState.ENGINE_ERROR
    failure = recorder.first("error")[0]
    assert failure.key == "secnds" and "did you mean 'seconds'" in failure.text()


@pytest.mark.parametrize("path, words", [
    ("", "No engine interpreter is set"),
    ("/nonexistent/python3", "does not exist"),
])
def test_missing_interpreter_gives_a_clear_message(qgis_app, qtbot, path, words):
    runner = EngineRunner(path)
    recorder = Recorder(runner)
    assert run_to_end(qtbot, runner, "doctor", {}) is RunState.FAILED_TO_START
    assert words in recorder.first("error")[0].text()


def test_an_interpreter_without_the_engine_exits_non_zero(qgis_app, qtbot, tmp_path):
    runner = EngineRunner("/usr/bin/python3")  # a real Python, but no satseg_engine in it
    recorder = Recorder(runner)
    assert run_to_end(qtbot, runner, "doctor", {}) is RunState.EXITED_NONZERO
    assert "No module named satseg_engine" in recorder.first("error")[0].text()


def test_child_environment_is_cleaned(qgis_app, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/usr/share/qgis/python")
    monkeypatch.setenv("QGIS_PREFIX_PATH", "/usr")
    monkeypatch.setenv("GDAL_DATA", "/usr/share/gdal")
    env = engine_environment()
    for name in ("PYTHONPATH", "QGIS_PREFIX_PATH", "GDAL_DATA"):
        assert not env.contains(name)
    assert env.value("PYTHONUNBUFFERED") == "1" and env.value("PYTHONIOENCODING") == "utf-8"
    assert env.value("PATH") == os.environ["PATH"]


def test_the_job_file_is_valid_json_and_removed_afterwards(qgis_app, qtbot, engine_python,
                                                           tmp_path):
    runner = EngineRunner(engine_python)
    seen = []
    runner.started.connect(lambda event: seen.append(event["job"]))
    with qtbot.waitSignal(runner.finished, timeout=30000):
        runner.start("selftest", {"seconds": 0, "steps": 1}, work_dir=str(tmp_path))
    assert seen == [{"schema": 1, "seconds": 0.0, "steps": 1, "outcome": "done",
                     "output": None}]
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".json"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive for our purpose
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())



def test_output_that_is_not_events_is_bounded_and_said(qgis_app):
    runner = EngineRunner("/unused/python")
    recorder = Recorder(runner)
    received = []
    runner.received.connect(received.append)
    runner.take_output(b"x" * (MAX_LINE_BYTES + 1))         # a huge line, still without "\n"
    runner.take_output(b"x" * 2**20 + b" rest of it\n")      # its end: skipped, not parsed
    runner.take_output(b'{"type": "log", "t": 0, "level": "info", "message": "back"}\n')
    warnings = [args[1] for name, args in recorder.calls if name == "log" and
                args[0] == "warning"]
    assert warnings == ["unexpected engine output: a line of more than 8 MiB (dropped)"]
    assert [e["message"] for e in received] == ["back"], "events after it still arrive"
    assert len(runner._stdout_buffer) == 0
    for i in range(25):
        runner.take_output(f"print {i}\n".encode())
    warnings = [args[1] for name, args in recorder.calls if name == "log"
                and args[0] == "warning"]
    assert len(warnings) == 1 + MAX_REPORTED_LINES, "10 shown, then one line for the rest"
    assert warnings[-1] == "more unexpected engine output follows; it is not shown"


def test_stop_all_stops_every_running_engine(qgis_app, qtbot, engine_python, tmp_path):
    runner = EngineRunner(engine_python)
    with qtbot.waitSignal(runner.progress, timeout=30000):
        runner.start("selftest", {"seconds": 60, "steps": 600,
                                  "output": str(tmp_path / "report.txt")})
    pid = runner.process_id()
    assert running() == [runner] and _alive(pid)
    started = time.monotonic()
    assert stop_all() == 1
    assert time.monotonic() - started < 6 and not _alive(pid)
    assert runner.state is RunState.CANCELLED and running() == []
    assert list(tmp_path.iterdir()) == [], "the engine removed its partial output"
