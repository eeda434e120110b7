"""The Train dialog's "Choose … for this dataset": "auto" options in the job, greyed widgets,
presets and job files, and the "Chosen for this dataset" box filled by a real engine run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satseg_plugin.core import train_job
from satseg_plugin.core.engine_runner import RunState

RUN_TIMEOUT_MS = 120000
TINY = {"model.architecture": "custom_unet", "model.depth": 2, "model.base_width": 8,
        "batch_size": 4, "device": "cpu", "epochs": 3, "data.num_workers": 1}


@pytest.fixture
def dialog(train_dialog, sample_dataset, tmp_path):
    dialog = train_dialog
    dialog.confirm_replace = lambda folder: True
    dialog.dataset.setFilePath(str(sample_dataset / "dataset"))
    dialog.output.setFilePath(str(tmp_path / "run"))
    dialog.form.set_values(TINY)
    return dialog


def test_ticked_the_engine_chooses_and_the_widgets_say_so(dialog) -> None:
    assert dialog.adapt.isChecked(), "the default"
    flat = train_job.flatten(dialog.job())
    assert {k: flat[k] for k in train_job.AUTO_KEYS} == dict.fromkeys(train_job.AUTO_KEYS,
                                                                      "auto")
    assert flat["batch_size"] == 4 and flat["model.architecture"] == "custom_unet"
    for key in ("epochs", "data.num_workers", "augment.noise", "data.class_balanced"):
        widget = dialog.form.widgets[key]
        assert not widget.isEnabled() and "Chosen for the dataset" in widget.toolTip(), key

    dialog.adapt.setChecked(False)
    flat = train_job.flatten(dialog.job())
    assert (flat["epochs"], flat["data.num_workers"]) == (3, 1), "the form's values again"
    assert dialog.form.widgets["epochs"].isEnabled()
    assert dialog.form.widgets["data.num_workers"].toolTip() == ""
    assert not dialog.form.widgets["model.encoder"].isEnabled(), "custom U-Net: no encoder"


@pytest.mark.parametrize(("preset", "adapts"), [("quick_test", False), ("balanced", True),
                                                ("imbalanced", False)])
def test_presets_tick_or_untick_it(dialog, preset, adapts) -> None:
    dialog.adapt.setChecked(not adapts)
    dialog.apply_preset(preset)
    assert dialog.adapt.isChecked() is adapts
    epochs = train_job.flatten(dialog.job())["epochs"]
    assert epochs == ("auto" if adapts else train_job.PRESETS[preset]["epochs"])


def test_job_files_keep_auto_and_explicit_values(dialog, tmp_path) -> None:
    saved = tmp_path / "auto.json"
    job = dialog.save_job(str(saved))
    assert json.loads(saved.read_text())["data"]["num_workers"] == "auto"
    dialog.adapt.setChecked(False)
    dialog.load_job(str(saved))
    assert dialog.adapt.isChecked() and dialog.job() == job

    dialog.adapt.setChecked(False)
    explicit = dialog.save_job(str(tmp_path / "explicit.json"))
    dialog.adapt.setChecked(True)
    dialog.load_job(str(tmp_path / "explicit.json"))
    assert not dialog.adapt.isChecked() and dialog.job() == explicit


def test_a_run_fills_the_chosen_box_from_the_engine(qtbot, dialog) -> None:
    dialog.show()
    assert not dialog.chosen.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        dialog.panel.run_button.click()
        qtbot.waitUntil(lambda: bool(dialog.chosen.chosen), timeout=RUN_TIMEOUT_MS)
        dialog.panel.cancel()  # the box fills before the first step: no need to train
    assert finished.args[0] in (RunState.CANCELLED, RunState.DONE)
    chosen = {c["key"]: c["value"] for c in dialog.chosen.chosen}
    assert set(chosen) == set(train_job.AUTO_KEYS)
    assert chosen["data.num_workers"] == 0 and chosen["model.encoder"] == "resnet34"
    assert dialog.chosen.isVisibleTo(dialog)
    text = dialog.chosen.text()
    assert "data.num_workers = 0: training on the CPU" in text
    assert "augment.noise = 0.02: standard augmentation for" in text
    assert dialog.monitor.planned_epochs == chosen["epochs"] >= 10
    written = Path(dialog.job()["output_dir"]) / "auto_defaults.json"
    assert json.loads(written.read_text(encoding="utf-8"))["chosen"] == dialog.chosen.chosen
