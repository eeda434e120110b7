"""The plugin's reliability matrix (cases.py), each case through a real Extract patches dialog in
headless QGIS and a real engine subprocess: what the user reads, that the dialog stays usable
(and a second run works), that QGIS stayed responsive, and that no engine process is left."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from bench import GOOD_ENGINE, MAX_GAP_S, Bench, family, wait_gone
from case import Case
from cases import CASES

from satseg_plugin.core.engine_runner import RunState

Scenario = Callable[[Bench, Any, Case], None]
SCENARIOS: dict[str, Scenario] = {}


def scenario(case_id: str) -> Callable[[Scenario], Scenario]:
    def register(function: Scenario) -> Scenario:
        SCENARIOS[case_id] = function
        return function
    return register


def second_run_works(bench: Bench, qtbot: Any, python: str = "") -> None:
    """After a failure, a run with a working engine succeeds in the same dialog."""
    bench.use(python or bench.fake(GOOD_ENGINE, "good-engine"))
    assert bench.run(qtbot) is RunState.DONE, bench.message()
    assert "Dataset written to" in bench.message()


def failed(bench: Bench, qtbot: Any, case: Case, state: RunState) -> str:
    """Run, expect `state` with the case's code; the message line."""
    assert bench.run(qtbot) is state, bench.message()
    assert bench.failure().code == case.code
    assert bench.usable(), "Run is enabled again, Cancel disabled"
    return bench.message()


# -- the engine interpreter ---------------------------------------------------------------------
@scenario("plugin-engine-missing")
def engine_missing(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(str(bench.tmp / "deleted-env" / "bin" / "python"))
    text = failed(bench, qtbot, case, RunState.FAILED_TO_START)
    assert "deleted-env/bin/python does not exist" in text
    assert "satseg Settings" in text and "Set up engine environment" in text
    second_run_works(bench, qtbot)


@scenario("plugin-engine-not-satseg")
def engine_not_satseg(bench: Bench, qtbot: Any, case: Case) -> None:
    assert Path("/usr/bin/python3").is_file()
    bench.use("/usr/bin/python3")
    text = failed(bench, qtbot, case, RunState.EXITED_NONZERO)
    assert "/usr/bin/python3 is a Python without satseg's engine" in text
    assert "satseg Settings" in text and "Set up engine environment" in text
    assert "exited with code" not in text
    second_run_works(bench, qtbot)


@scenario("plugin-engine-incomplete")
def engine_incomplete(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(bench.fake('import torch_that_is_not_installed as torch\n'))
    text = failed(bench, qtbot, case, RunState.EXITED_NONZERO)
    assert "lacks the package 'torch_that_is_not_installed'" in text
    assert "Set up engine environment" in text
    second_run_works(bench, qtbot)


# -- an engine that misbehaves ----------------------------------------------------------------
@scenario("plugin-engine-crash")
def engine_crash(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(bench.fake('''
        emit({"type": "started", "verb": VERB, "job": {}, "engine_version": "fake",
              "device": "cpu"})
        emit({"type": "progress", "stage": "extract", "done": 1, "total": 4, "unit": "patch"})
        time.sleep(0.5)
        raise RuntimeError("the native library gave up")
    '''))
    text = failed(bench, qtbot, case, RunState.EXITED_NONZERO)
    assert "exited with code 1 while running 'extract'" in text
    assert "RuntimeError: the native library gave up" in text
    assert "satseg log" in text and "Check" in text
    assert "Traceback (most recent call last)" in bench.log(), "the whole output is in the log"
    second_run_works(bench, qtbot)


@scenario("plugin-engine-killed")
def engine_killed(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(bench.fake('''
        import signal
        emit({"type": "started", "verb": VERB, "job": {}, "engine_version": "fake",
              "device": "cpu"})
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGSEGV)
    '''))
    text = failed(bench, qtbot, case, RunState.CRASHED)
    assert "The engine crashed while running 'extract'" in text and "satseg log" in text
    second_run_works(bench, qtbot)


@scenario("plugin-engine-garbage")
def engine_garbage(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(bench.fake(dedent('''
        if VERB == "extract":
            print("loading weights from the cache...")
            print("[1, 2, 3]")
            print('{"type": "mystery", "t": 0}')
            print('{"type": "progress", "stage": ')
            for i in range(30):
                print(f"debug line {i}")
        ''') + GOOD_ENGINE))
    assert bench.run(qtbot) is RunState.DONE, bench.message()
    assert "Dataset written to" in bench.message()
    log = bench.log()
    assert "not JSON: 'loading weights from the cache...'" in log
    assert "not a JSON object: '[1, 2, 3]'" in log and "unknown event type 'mystery'" in log
    assert log.count("unexpected engine output:") == 10
    assert log.count("more unexpected engine output follows") == 1


@scenario("plugin-engine-huge-line")
def engine_huge_line(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(bench.fake(dedent('''
        if VERB == "extract":
            chunk = "x" * 2**20
            for _ in range(24):
                sys.stdout.write(chunk)
            sys.stdout.write("\\n")
            sys.stdout.flush()
        ''') + GOOD_ENGINE))
    assert bench.run(qtbot) is RunState.DONE, bench.message()
    log = bench.log()
    assert log.count("unexpected engine output: a line of more than 8 MiB (dropped)") == 1
    assert bench.dialog.panel.runner.summary["output"] == "", "the preview ran after it"


@scenario("plugin-engine-no-events")
def engine_no_events(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(bench.fake('print("Hello from another program")\n'))
    text = failed(bench, qtbot, case, RunState.NO_TERMINAL_EVENT)
    assert "without reporting success or failure" in text
    assert "1 line(s) that are not satseg events" in text
    assert "satseg's engine?" in text and "satseg Settings" in text
    second_run_works(bench, qtbot)


@scenario("plugin-engine-cut-output")
def engine_cut_output(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.use(bench.fake('''
        emit({"type": "started", "verb": VERB, "job": {}, "engine_version": "fake",
              "device": "cpu"})
        sys.stdout.write('{"type": "done", "summ')
        sys.stdout.flush()
    '''))
    text = failed(bench, qtbot, case, RunState.NO_TERMINAL_EVENT)
    assert "without reporting success or failure" in text
    second_run_works(bench, qtbot)


# -- engine errors as the dialog shows them -----------------------------------------------------
@scenario("plugin-error-dataset-exists")
def error_dataset_exists(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.output.mkdir()
    (bench.output / "dataset.json").write_text("{}")
    text = failed(bench, qtbot, case, RunState.ENGINE_ERROR)
    assert "already holds a dataset" in text and "(key: output_dir)" in text
    assert "set overwrite" in text
    assert (bench.output / "dataset.json").read_text() == "{}", "nothing was touched"
    bench.dialog.overwrite.setChecked(True)
    second_run_works(bench, qtbot, bench.engine_python)
    assert json.loads((bench.output / "dataset.json").read_text())["classes"]


@scenario("plugin-error-labels-outside")
def error_labels_outside(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.dialog.labels.setLayer(bench.layers["away"])
    text = failed(bench, qtbot, case, RunState.ENGINE_ERROR)
    assert "do not overlap" in text and "belong to this image" in text
    assert not bench.output.exists()
    bench.dialog.labels.setLayer(bench.layers["labels"])
    second_run_works(bench, qtbot, bench.engine_python)


@scenario("plugin-label-zero-dropped")
def label_zero_dropped(bench: Bench, qtbot: Any, case: Case) -> None:
    bench.dialog.labels.setLayer(bench.layers["zero"])
    first = bench.dialog.classes.rows()[0]
    assert first.value == 0 and first.ignored and "20.0 %" in first.note
    assert bench.run(qtbot) is RunState.DONE, bench.message()
    data = json.loads((bench.output / "dataset.json").read_text())
    assert [c["value"] for c in data["classes"]] == [1, 2, 3, 4]
    log = bench.log()
    assert "mask04.tif: value 0 covers 20.0 % of the pixels and is treated as unlabelled" in log
    assert "tick 'Class' on the value 0 row" in log


# -- stopping -----------------------------------------------------------------------------------
def start_long_run(bench: Bench, dialog: Any, qtbot: Any) -> set:
    """Start a long extraction (big image, 16-px patches) in `dialog`; wait until it extracts;
    the engine's processes."""
    dialog.set_images([bench.layers["big"]])
    dialog.labels.setLayer(bench.layers["big_labels"])
    dialog.grid.setLayer(None)
    dialog.grid_options.patch_size.setValue(16)
    dialog.output.setFilePath(str(bench.output))
    bench.heartbeat.start()
    dialog.panel.run_button.click()
    runner = dialog.panel.runner
    qtbot.waitSignal(runner.progress, timeout=60000).wait()
    processes = family(runner.process_id())
    assert runner.process_id() in processes
    return processes


@scenario("plugin-dialog-closed")
def dialog_closed(bench: Bench, qtbot: Any, case: Case) -> None:
    dialog = bench.dialog
    dialog.show()
    processes = start_long_run(bench, dialog, qtbot)
    started = time.monotonic()
    with qtbot.waitSignal(dialog.run_finished, timeout=15000) as blocker:
        dialog.close()
    bench.heartbeat.stop()
    assert blocker.args[0] is RunState.CANCELLED
    assert dialog.panel.runner.failure.code == case.code
    assert wait_gone(processes, 1.0) == set(), "no engine process or worker is left"
    assert time.monotonic() - started < 6
    assert not (bench.output / "dataset.json").exists()
    assert "cancelled" in bench.message()


@scenario("plugin-qgis-closed")
def qgis_closed(bench: Bench, qtbot: Any, case: Case) -> None:
    from satseg_plugin.plugin import SatsegPlugin

    plugin = SatsegPlugin(bench.iface)
    plugin.initGui()
    try:
        dialog = plugin.open_tool("extract")
        processes = start_long_run(bench, dialog, qtbot)
        runner = dialog.panel.runner
        bench.heartbeat.stop()
    except BaseException:
        plugin.unload()
        raise
    started = time.monotonic()
    plugin.unload()
    assert wait_gone(processes, 0.5) == set(), "no engine outlives the plugin (or QGIS)"
    assert time.monotonic() - started < 7
    assert runner.failure.code == case.code
    assert not (bench.output / "dataset.json").exists()


# -- the matrix ---------------------------------------------------------------------------------
def test_every_case_has_a_scenario_and_the_table_is_sound():
    ids = [case.id for case in CASES]
    assert sorted(SCENARIOS) == sorted(ids) and len(set(ids)) == len(ids)
    assert all(case.family == "plugin" and case.situation and case.answer for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, bench: Bench, qtbot: Any) -> None:
    SCENARIOS[case.id](bench, qtbot, case)
    assert bench.heartbeat.ticks > 0, "the event loop ran during the run"
    assert bench.heartbeat.max_gap < MAX_GAP_S, \
        f"QGIS stalled for {bench.heartbeat.max_gap:.2f} s during the run"
    assert bench.dialog.panel.run_button.isEnabled()

