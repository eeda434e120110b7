"""The Train dialog in a real headless QGIS, driving the real engine (`satseg models`, `satseg
train`) on a tiny sample dataset."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtGui import QColor

from conftest import run_dialog
from satseg_plugin.core import settings, train_job
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.core.source_info import FUSION_KEYS
from satseg_plugin.gui.train_dialog import MODELS_CACHE, TrainDialog

RUN_TIMEOUT_MS = 120000
#: a tiny model that trains in seconds on 2 CPU cores
TINY = {"model.architecture": "custom_unet", "model.depth": 2, "model.base_width": 8,
        "epochs": 2, "batch_size": 4, "data.num_workers": 0, "data.steps_per_epoch": 0,
        "augment.enabled": False, "schedule.warmup_epochs": 0, "early_stopping.patience": 0,
        "device": "cpu"}
#: engine keys the form has no widget for: passed through from loaded files untouched (the
#: fusion keys have widgets only for a dataset of several sources or dates: test_train_fusion;
#: `selection` is always the engine's choice, shown with its reason in the chosen box)
PASS_THROUGH = {"schema", "dataset", "output_dir", "resume", "log_every_steps",
                "data.source", "selection", *FUSION_KEYS}


def engine_started(engine_python: str, config: Path) -> dict:
    """Start `satseg train --config FILE`; the first event (started, or error if the job is
    refused), then stop the run: job validation happens before `started`."""
    process = subprocess.Popen([engine_python, "-m", "satseg_engine", "train",
                                "--config", str(config), "--progress", "json"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        return json.loads(process.stdout.readline())
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def dataset_dir(sample_dataset) -> Path:
    """A 16-patch dataset (64 px, 6 classes, 10 bands) cut from the engine's sample scene."""
    return sample_dataset / "dataset"


@pytest.fixture(scope="module")
def models_summary(engine) -> dict:
    return engine("models")["summary"]


@pytest.fixture
def dialog(qgis_app, qtbot, qgis_iface, use_engine, dialogs):
    dialog = dialogs(TrainDialog(qgis_iface))
    dialog.confirm_replace = lambda folder: True
    with qtbot.waitSignal(dialog.models_loaded, timeout=RUN_TIMEOUT_MS):
        pass
    return dialog


def ready(dialog: TrainDialog, dataset: Path, output: Path, **values) -> None:
    dialog.adapt.setChecked(False)  # the form's values (auto: test_train_auto.py)
    dialog.dataset.setFilePath(str(dataset))
    dialog.output.setFilePath(str(output))
    dialog.form.set_values({**TINY, **values})


def drawn_pixels(widget, rect) -> int:
    """Pixels of `rect` in a grab of `widget` that are not the white background."""
    image = widget.grab().toImage()
    white = QColor("#ffffff").rgb()
    return sum(1 for x in range(rect.left() + 2, rect.right() - 2, 2)
               for y in range(rect.top() + 2, rect.bottom() - 2, 2)
               if image.pixel(x, y) != white)


def test_models_come_from_the_engine_and_the_encoder_follows_the_architecture(
        qtbot, qgis_iface, engine_python, saved_settings, models_summary):
    settings.set_engine_python(engine_python)
    MODELS_CACHE.pop(engine_python, None)
    dialog = TrainDialog(qgis_iface)
    with qtbot.waitSignal(dialog.models_loaded, timeout=RUN_TIMEOUT_MS):
        assert dialog.models_runner.is_running(), "asked from the engine"
    assert MODELS_CACHE[engine_python] == dialog.models == models_summary
    combo = dialog.form.widgets["model.architecture"]
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names == [a["name"] for a in models_summary["architectures"]]
    encoders = dialog.form.widgets["model.encoder"]
    assert encoders.count() == len(models_summary["encoders"])
    assert dialog.form.values()["model.architecture"] == models_summary["default_architecture"]
    dialog.adapt.setChecked(False)  # ticked, the engine chooses the encoder (test_train_auto)
    for architecture in models_summary["architectures"]:
        dialog.form.set_values({"model.architecture": architecture["name"]})
        assert encoders.isEnabled() is architecture["uses_encoder"], architecture["name"]
        assert dialog.form.widgets["model.depth"].isEnabled() is (
            architecture["name"] == "custom_unet")
    dialog.done(0)
    dialog.deleteLater()


def test_the_job_carries_every_choice_and_its_file_runs_in_the_engine(
        dialog, dataset_dir, tmp_path, engine_python):
    ready(dialog, dataset_dir, tmp_path / "run")
    choices = {"model.architecture": "FPN", "model.encoder": "resnet18", "epochs": 7,
               "batch_size": 6, "loss.name": "tversky", "loss.tversky_alpha": 0.4,
               "loss.class_weights": "inverse", "optim.optimizer": "sgd", "optim.lr": 0.02,
               "optim.encoder_lr": 0.002, "optim.momentum": 0.8, "schedule.name": "step",
               "schedule.step_size": 3, "schedule.warmup_epochs": 1,
               "optim.freeze_encoder_epochs": 2, "amp": "bf16", "device": "cpu",
               "early_stopping.patience": 4, "early_stopping.monitor": "loss",
               "kfold.folds": 0, "data.normalization": "standardize",
               "augment.noise": 0.05, "data.num_workers": 0, "data.steps_per_epoch": 5,
               "optim.grad_clip": 1.5, "seed": 7, "data.class_balanced": True}
    dialog.form.set_values(choices)
    job = dialog.job()
    flat = train_job.flatten(job)
    assert {k: flat[k] for k in choices} == choices
    assert job["dataset"] == str(dataset_dir) and job["output_dir"] == str(tmp_path / "run")

    saved = tmp_path / "job.json"
    dialog.save_job(str(saved))
    assert json.loads(saved.read_text())["schema"] == 1
    assert "satseg train --config job.json" in dialog.panel.message_text()
    started = engine_started(engine_python, saved)
    assert started["type"] == "started", started
    resolved = train_job.flatten(started["job"])
    assert {k: resolved[k] for k in choices} == choices, "the engine read every choice"
    assert set(resolved) - set(flat) <= PASS_THROUGH, "the form shows every engine key"

    dialog.apply_preset("quick_test")  # change everything, then load the file back
    assert dialog.job() != job
    dialog.load_job(str(saved))
    assert dialog.job() == job, "load(save(job)) round-trips"


@pytest.mark.parametrize("preset, expected", [
    ("quick_test", {"model.architecture": "custom_unet", "epochs": 5, "augment.enabled": False,
                    "loss.name": "dice_ce"}),
    ("balanced", {"model.architecture": "Unet", "model.encoder": "resnet34",
                  "loss.name": "dice_ce", "loss.class_weights": "none",
                  "data.class_balanced": False, "early_stopping.patience": 10}),
    ("imbalanced", {"loss.name": "focal_dice", "loss.class_weights": "median",
                    "data.class_balanced": True, "early_stopping.monitor": "miou"}),
])
def test_presets_set_their_fields(dialog, dataset_dir, tmp_path, preset, expected):
    ready(dialog, dataset_dir, tmp_path, **{"loss.name": "lovasz", "epochs": 3,
                                            "data.class_balanced": not expected.get(
                                                "data.class_balanced", True)})
    dialog.preset.setCurrentIndex(dialog.preset.findData(preset))
    dialog.preset.activated.emit(dialog.preset.currentIndex())
    values = dialog.form.values()
    assert {k: values[k] for k in expected} == expected
    focal = dialog.form.widgets["loss.focal_gamma"].isEnabled()
    assert focal is ("focal" in values["loss.name"]), "loss parameters follow the loss"


def test_a_training_run_draws_live_curves_and_lists_its_files(
        qtbot, dialog, dataset_dir, tmp_path):
    out = tmp_path / "run"
    ready(dialog, dataset_dir, out)
    dialog.show()
    assert run_dialog(qtbot, dialog) is RunState.DONE
    monitor = dialog.monitor
    assert [e for e, _ in monitor.history.series("validation", "loss")] == [1.0, 2.0]
    assert monitor.loss_chart.point_count("training") == 2
    assert monitor.loss_chart.point_count("validation") == 2
    assert monitor.miou_chart.point_count("validation") == 2
    assert monitor.history.test is not None, "the test split of the best model"
    assert set(monitor.class_chart.values) <= {c["name"] for c in
                                              dialog.dataset_info.classes}
    assert monitor.class_chart.colours["water"] == "#1f78b4", "classes in their own colours"
    for chart in (monitor.loss_chart, monitor.miou_chart, monitor.class_chart):
        assert drawn_pixels(chart, chart.plot_rect()) > 50, chart.title
    assert "epoch 2/2" in monitor.status.text()
    assert "Training finished: 2 epochs." in dialog.panel.message_text()
    quality = dialog.artifacts.quality  # the engine's end-of-run quality report
    assert quality.isVisible() and "Quality" in quality.text()

    plots = dialog.artifacts.paths("plot")
    assert {Path(p).name for p in plots} == {"training_curves.png", "per_class_iou.png",
                                            "confusion_matrix.png"}
    assert {Path(p).name for p in dialog.artifacts.paths("checkpoint")} == {
        "best_loss.pt", "best_iou.pt", "last.pt"}
    viewer = dialog.artifacts.open(dialog.artifacts.list.item(
        dialog.artifacts.paths().index(plots[0])))
    assert viewer is not None and not viewer.picture.isNull()
    viewer.close()

    assert dialog.artifacts.best_button.isEnabled()
    dialog.artifacts.best_button.click()
    assert QgsSettings().value(train_job.LAST_CHECKPOINT_KEY) == str(out / "best_iou.pt")
    assert "will be used for prediction" in dialog.panel.message_text()


def test_cancel_leaves_a_resumable_run_that_resume_continues(qtbot, dialog, dataset_dir,
                                                             tmp_path):
    out = tmp_path / "run"
    ready(dialog, dataset_dir, out, epochs=200)
    assert not dialog.resume.isEnabled()
    with qtbot.waitSignal(dialog.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        dialog.panel.run_button.click()
        # epoch 2 under way: epoch 1 is complete in last.pt whenever the cancel lands
        qtbot.waitUntil(lambda: len(dialog.monitor.history.series("train", "loss")) >= 2,
                        timeout=RUN_TIMEOUT_MS)
        dialog.panel.cancel_button.click()
    assert blocker.args[0] is RunState.CANCELLED
    assert (out / "last.pt").is_file()
    assert dialog.resume.isEnabled() and "tick Resume" in dialog.panel.message_text()

    dialog.resume.setChecked(True)
    dialog.form.set_values({"epochs": 4})
    job = dialog.job()
    assert job["resume"] == str(out / "last.pt")
    assert run_dialog(qtbot, dialog) is RunState.DONE
    epochs = [e for e, _ in dialog.monitor.history.series("train", "loss")]
    assert epochs and epochs[0] >= 2 and epochs[-1] == 4, "continued, not restarted"


@pytest.mark.parametrize("change, words", [
    ("no_dataset", "Choose the dataset folder"),
    ("missing_folder", "does not exist: choose the folder written by Extract patches"),
    ("not_a_dataset", "holds no dataset.json"),
    ("no_output", "Choose the output folder"),
    ("warmup_too_long", "Warm-up epochs (2) must be fewer than the epochs (2)"),
    ("patches_too_small", "PAN needs patches of at least 128 px; this dataset's are 64 px"),
])
def test_mistakes_are_refused_with_the_fix(dialog, dataset_dir, tmp_path, change, words):
    ready(dialog, dataset_dir, tmp_path / "never")
    if change == "no_dataset":
        dialog.dataset.setFilePath("")
    elif change == "missing_folder":
        dialog.dataset.setFilePath(str(tmp_path / "nowhere"))
    elif change == "not_a_dataset":
        dialog.dataset.setFilePath(str(tmp_path))
    elif change == "no_output":
        dialog.output.setFilePath("")
    elif change == "warmup_too_long":
        dialog.form.set_values({"schedule.warmup_epochs": 2})
    elif change == "patches_too_small":
        dialog.form.set_values({"model.architecture": "PAN"})
    dialog.panel.run_button.click()
    assert words in dialog.panel.message_text()
    assert dialog.panel.runner is None and dialog.panel.run_button.isEnabled()
    assert not (tmp_path / "never").exists()


def test_losses_come_from_the_engine(qgis_app, qtbot, qgis_iface, engine_python,
                                     saved_settings, models_summary):
    from satseg_plugin.gui.train_dialog import TrainDialog

    dialog = TrainDialog(qgis_iface)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.models == models_summary, timeout=60000)
    combo = dialog.form.widgets["loss.name"]
    assert [combo.itemText(i) for i in range(combo.count())] == list(models_summary["losses"])
    dialog.form.set_values({"loss.name": "tversky"})
    assert dialog.form.widgets["loss.tversky_alpha"].isEnabled()
    assert not dialog.form.widgets["loss.focal_gamma"].isEnabled()
