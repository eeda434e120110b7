"""The command line: help without torch, clean stdout, exit codes, cancellation."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def test_help_lists_verbs_without_importing_the_heavy_stack():
    code = ("import sys; from satseg_engine.core import cli; cli.build_parser(); "
            "print(sorted(m for m in ('torch', 'rasterio', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    help_text = subprocess.run([sys.executable, "-m", "satseg_engine", "--help"],
                               capture_output=True, text=True, check=True).stdout
    for verb in ("doctor", "selftest"):
        assert verb in help_text


def test_console_script_is_the_same_command():
    satseg = shutil.which("satseg", path=str(Path(sys.executable).parent))
    assert satseg, "the engine package installs a 'satseg' console command"
    out = subprocess.run([satseg, "selftest", "--seconds", "0", "--steps", "2"],
                         capture_output=True, text=True, check=True).stdout
    assert [json.loads(line)["type"] for line in out.splitlines()][-1] == "done"


def test_library_prints_never_reach_the_event_stream():
    code = """
import os, sys
from satseg_engine.core import cli
import satseg_engine.verbs.selftest as verb
original = verb.run
def noisy(job, events):
    print("stray python print")
    os.write(1, b"stray C-level write\\n")
    return original(job, events)
verb.run = noisy
sys.exit(cli.main(["selftest", "--seconds", "0", "--steps", "3"]))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[0]["type"] == "started" and events[-1]["type"] == "done"
    assert "stray python print" in proc.stderr and "stray C-level write" in proc.stderr


@pytest.mark.parametrize("outcome, returncode, terminal", [
    ("done", 0, "done"),
    ("error", 1, "error"),
    ("exit", 3, "progress"),
    ("silent", 0, "progress"),
])
def test_each_outcome_ends_as_it_says(engine, outcome, returncode, terminal):
    run = engine("selftest", "--seconds", "0", "--steps", "2", "--outcome", outcome)
    assert run.returncode == returncode
    assert run.events[0]["type"] == "started"
    assert run.terminal["type"] == terminal
    assert len([e for e in run.events if e["type"] in ("done", "error")]) <= 1


@pytest.mark.parametrize("outcome, returncode", [("done", 0), ("error", 1)])
def test_the_process_ends_without_the_interpreter_teardown(tmp_path, outcome, returncode):
    # the teardown of torch's modules took 1.3-2 s after every run: the engine skips it, and
    # loses nothing (events, stderr, outputs) by doing so
    marker, output = tmp_path / "teardown-ran", tmp_path / "report.txt"
    code = f"""
import atexit, os, sys
atexit.register(lambda: open({str(marker)!r}, "w").close())
import satseg_engine.verbs.selftest as verb
original = verb.run
def last_words(job, events):
    result = original(job, events)
    print("last words on stderr", end="")          # no newline, nothing flushed
    os.write(1, b"a C-level write at the very end")
    return result
verb.run = last_words
sys.argv = ["satseg", "selftest", "--seconds", "0", "--steps", "2", "--outcome", {outcome!r},
            "--output", {str(output)!r}]
from satseg_engine.core.cli import main
sys.exit(main())
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == returncode, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["type"] == ("done" if outcome == "done" else "error")
    assert not marker.exists(), "the interpreter's teardown (atexit) ran"
    if outcome == "done":
        assert output.read_text().splitlines() == ["step 1", "step 2"]
        assert proc.stderr.endswith("last words on stderra C-level write at the very end")


def test_crash_is_a_signal_death(engine):
    run = engine("selftest", "--seconds", "0", "--steps", "1", "--outcome", "crash")
    assert run.returncode == -signal.SIGABRT


def test_sigterm_cancels_cleanly_and_leaves_no_partial_output(tmp_path):
    output = tmp_path / "report.txt"
    proc = subprocess.Popen([sys.executable, "-m", "satseg_engine", "selftest", "--seconds",
                             "30", "--steps", "300", "--output", str(output)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stdout:  # wait until it is really working
        lines.append(json.loads(line))
        if lines[-1]["type"] == "progress" and lines[-1]["done"] >= 2:
            break
    assert any(p.name.startswith(".report.txt.part") for p in tmp_path.iterdir())
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=10)
    assert time.monotonic() - started < 5
    events = lines + [json.loads(line) for line in rest.splitlines()]
    assert proc.returncode == 130
    assert events[-1]["type"] == "error" and events[-1]["code"] == "cancelled"
    assert list(tmp_path.iterdir()) == [], "neither the final file nor a temporary is left"


def test_output_is_renamed_into_place_when_complete(engine, tmp_path):
    output = tmp_path / "report.txt"
    run = engine("selftest", "--seconds", "0", "--steps", "3", "--output", str(output))
    assert run.terminal["type"] == "done"
    assert output.read_text().splitlines() == ["step 1", "step 2", "step 3"]
    assert run.of_type("artifact")[0]["path"] == str(output.resolve())
    assert sorted(os.listdir(tmp_path)) == ["report.txt"]


def test_a_broken_verb_module_does_not_break_the_others(tmp_path):
    code = """
import sys
from satseg_engine.core import cli
cli.VERBS["broken"] = "satseg_engine.verbs.does_not_exist"
status = cli.main(["selftest", "--seconds", "0", "--steps", "1"])
print("HELP", file=sys.stderr)
try:
    cli.main(["--help"])
except SystemExit:
    pass
sys.exit(status)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["type"] == "done"
    assert "unavailable" in proc.stderr.split("HELP", 1)[1] or "unavailable" in proc.stdout


def test_a_one_raster_flag_given_twice_names_the_flag_for_several(engine, tmp_path):
    # argparse would keep the last --raster and predict one scene: the user asked for two
    run = engine("predict", "--raster", "north.tif", "--raster", "south.tif", "--checkpoint",
                 str(tmp_path / "model.pt"), "--output-dir", str(tmp_path / "out"))
    assert run.returncode == 2  # a usage error, as argparse's own
    assert run.terminal["type"] == "error"
    assert run.terminal["code"] == "bad_argument"
    message = run.terminal["message"]
    assert "--raster was given twice (north.tif, then south.tif)" in message
    assert "--rasters" in message
    assert not (tmp_path / "out").exists()


def test_any_other_flag_given_twice_keeps_the_last(engine):
    # scripts append overrides to a base command line: the later flag wins
    run = engine("selftest", "--seconds", "0", "--steps", "1", "--steps", "3")
    assert run.returncode == 0
    assert run.terminal["summary"]["steps"] == 3
