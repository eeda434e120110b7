"""The search dialog in a real headless QGIS, driving the real engine (`satseg tune`) on the
16-patch sample dataset: the job it builds from the training dialog, a real 2-trial search and
"Train with the best settings", cancel and resume, and no engine at all."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest
from qgis.PyQt.QtWidgets import QApplication

import satseg_plugin
from conftest import flush, run_dialog
from satseg_plugin.core import settings, train_job, tune_job
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.core.tune_job import SpaceRow
from satseg_plugin.gui.train_dialog import TrainDialog
from satseg_plugin.gui.tune_dialog import TuneDialog

RUN_TIMEOUT_MS = 120000
#: a model that trains one epoch of the 16-patch dataset in a few seconds on 2 CPU cores
TINY_BASE = {"epochs": 1, "batch_size": 4, "device": "cpu",
             "model": {"architecture": "custom_unet", "depth": 2, "base_width": 8},
             "data": {"num_workers": 0, "class_balanced": False},
             "augment": {"enabled": False}, "early_stopping": {"patience": 0}}
SPACE = [SpaceRow("optim.lr", "log_float", "1e-4", "1e-2", enabled=True),
         SpaceRow("model.base_width", "int", "8", "16", "8", enabled=True)]


@pytest.fixture(scope="module")
def dataset_dir(sample_dataset) -> Path:
    return sample_dataset / "dataset"


@pytest.fixture
def search(qgis_app, qgis_iface, use_engine, dialogs, dataset_dir, tmp_path):
    """A search dialog over the tiny base job, optim.lr and model.base_width searched."""
    dialog = dialogs(TuneDialog(qgis_iface, base_job={"dataset": str(dataset_dir),
                                                      **TINY_BASE}))
    dialog.output.setFilePath(str(tmp_path / "search"))
    dialog.space.set_rows(SPACE)
    return dialog


def read_trials(folder: Path) -> list:
    with open(folder / "trials.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def group_alive(pgid: int) -> bool:
    """Some process of the process group `pgid` still runs (data-loader workers included)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    return True
            except ProcessLookupError:
                pass
    return False


def test_search_settings_in_the_training_dialog_make_its_job_the_base_of_the_search(
        train_dialog, dialogs, dataset_dir, tmp_path, engine_python):
    train_dialog.adapt.setChecked(False)
    train_dialog.dataset.setFilePath(str(dataset_dir))
    train_dialog.output.setFilePath(str(tmp_path / "runs" / "training"))
    train_dialog.form.set_values({"model.architecture": "FPN", "model.encoder": "resnet18",
                                  "epochs": 3, "loss.name": "focal_dice", "optim.lr": 0.002,
                                  "data.num_workers": 0, "device": "cpu"})
    train_dialog.search_button.click()
    opened = [w for w in QApplication.topLevelWidgets()
              if isinstance(w, TuneDialog) and w.isVisible()]
    assert len(opened) == 1, "the search dialog opened"
    dialog = dialogs(opened[0])
    assert dialog.output.filePath() == str(tmp_path / "runs" / "search"), \
        "the search goes next to the training run"
    assert "FPN" in dialog.base_label.text() and "training dialog" in dialog.base_label.text()
    dialog.apply_preset("regularisation")
    dialog.trials.setValue(3)
    job = dialog.job()
    base = train_job.flatten(train_dialog.job())
    flat = train_job.flatten({k: v for k, v in job.items() if k not in ("space", "search")})
    assert {k: flat[k] for k in base if k != "output_dir"} == \
        {k: v for k, v in base.items() if k != "output_dir"}, "every training choice is kept"
    assert job["output_dir"] == str(tmp_path / "runs" / "search")
    assert list(job["space"]) == list(tune_job.PRESETS["regularisation"])
    assert job["search"]["trials"] == 3

    path = tmp_path / "tune_job.json"  # and the engine accepts it as it is
    train_job.save_job(str(path), job)
    process = subprocess.Popen([engine_python, "-m", "satseg_engine", "tune", "--config",
                                str(path), "--progress", "json"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        started = json.loads(process.stdout.readline())
    finally:
        process.kill()
        process.wait()
    assert started["type"] == "started", started
    assert started["job"]["space"]["optim.lr"] == job["space"]["optim.lr"]
    assert started["job"]["model"]["architecture"] == "FPN"


@pytest.mark.timeout(240)
def test_a_real_two_trial_search_fills_the_table_and_trains_with_the_best_settings(
        qtbot, search, dialogs, dataset_dir, tmp_path):
    search.trials.setValue(2)
    ended = []
    search.trial_ended.connect(ended.append)
    assert run_dialog(qtbot, search, timeout_ms=RUN_TIMEOUT_MS) is RunState.DONE, \
        search.panel.message_text()
    rows = read_trials(tmp_path / "search")
    assert len(rows) == 2 and len(ended) == 2
    assert search.results.table.rowCount() == 2
    assert set(search.results.state_column()) <= {"COMPLETE", "PRUNED"}
    assert search.results.state_column() == [r["state"] for r in rows]
    best = max((r for r in rows if r["state"] == "COMPLETE"), key=lambda r: float(r["value"]))
    best_text = search.results.best_text()
    assert f"trial {best['number']}" in best_text, best_text
    assert f"{float(best['value']):.4f}" in best_text, best_text
    assert "Search finished" in search.panel.message_text()
    assert search.results.best_button.isEnabled()

    search.results.best_button.click()
    train = search.train_dialog
    assert isinstance(train, TrainDialog) and train.isVisible()
    dialogs(train)
    values = train.form.values()
    assert values["optim.lr"] == pytest.approx(float(best["optim.lr"]), rel=1e-5)
    assert values["model.base_width"] == int(best["model.base_width"])
    assert values["model.architecture"] == "custom_unet" and values["epochs"] == 1
    assert train.dataset.filePath() == str(dataset_dir)
    assert train.output.filePath() == str(tmp_path / "search" / "best_run")


@pytest.mark.timeout(240)
def test_cancel_stops_the_engine_and_searching_again_resumes_the_study(
        qtbot, search, tmp_path):
    search.set_base_job({**search.base, "epochs": 2})  # trials that last a while
    search.space.set_row(SpaceRow("model.base_width", "int", "16", "32", "16", enabled=True))
    search.set_search({"trials": 20, "pruner": "none"})
    with qtbot.waitSignal(search.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        search.panel.run_button.click()
        qtbot.waitUntil(lambda: search.results.log.current is not None, timeout=RUN_TIMEOUT_MS)
        assert not search.results.trial_bar.isHidden(), "the current trial's progress shows"
        pid = search.panel.runner.process_id()
        search.panel.cancel_button.click()
    assert finished.args[0] is RunState.CANCELLED
    qtbot.waitUntil(lambda: not group_alive(pid), timeout=5000)
    message = search.panel.message_text()
    assert "cancelled" in message and "resume" in message, message
    assert search.panel.run_button.isEnabled() and not search.panel.cancel_button.isEnabled()
    assert "holds a study" in search.resume_label.text()

    search.trials.setValue(1)  # the study has no finished trial: one more is the whole budget
    with qtbot.waitSignal(search.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        search.panel.run_button.click()
        assert "Continuing the study" in search.panel.message_text()
    assert finished.args[0] is RunState.DONE, search.panel.message_text()
    rows = read_trials(tmp_path / "search")
    assert rows[0]["state"] == "FAIL", "the cancelled trial stays in the study"
    assert [r["state"] for r in rows[1:]] == ["COMPLETE"], rows
    assert rows[1]["model.base_width"] == rows[0]["model.base_width"], \
        "the interrupted trial's settings were tried again"


def test_without_an_engine_the_dialog_says_what_to_do(qtbot, qgis_iface, saved_settings,
                                                      dialogs, dataset_dir, tmp_path,
                                                      monkeypatch):
    monkeypatch.delenv("SATSEG_ENGINE_PYTHON", raising=False)
    settings.set_engine_python("")
    dialog = dialogs(TuneDialog(qgis_iface, base_job={"dataset": str(dataset_dir)}))
    dialog.output.setFilePath(str(tmp_path / "search"))
    assert "engine's default" in dialog.base_label.text()

    dialog.space.set_row(SpaceRow("optim.lr", "log_float", "0", "1e-2", enabled=True))
    dialog.panel.run_button.click()  # a wrong row: nothing starts, the row says why
    assert dialog.panel.runner is None
    assert "log range" in dialog.panel.message_text()
    assert "log range" in dialog.space.problem("optim.lr")

    dialog.apply_preset("regularisation")
    assert run_dialog(qtbot, dialog, timeout_ms=10000) is RunState.FAILED_TO_START
    message = dialog.panel.message_text()
    assert "No engine interpreter is set" in message and "Settings" in message, message
    assert dialog.panel.run_button.isEnabled()
    assert not (tmp_path / "search").exists()


def test_the_plugin_menu_opens_the_search_dialog_next_to_training(qgis_iface, use_engine):
    plugin = satseg_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        texts = [a.text() for a in plugin.menu.actions() if not a.isSeparator()]
        assert texts.index("Search settings…") == texts.index("Train…") + 1
        plugin.actions["tune"].trigger()
        dialog = plugin.dialogs["tune"]
        assert isinstance(dialog, TuneDialog) and dialog.isVisible()
        assert dialog.results.best_text() == "No trial has ended yet."
    finally:
        plugin.unload()
        flush()
