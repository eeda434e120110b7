"""The Train dialog: a front end to `satseg train` (models from `satseg models`).

Dataset folder (its summary from dataset.json), presets, the training options (TrainForm), the
fusion of several sources or dates when the dataset has them (FusionBox), output folder with
"Resume" from a last.pt left there, job files (save / load JSON that `satseg train --config`
accepts), Start / Cancel, live charts with an ETA, and at the end the run's files with "Use best
model for prediction".
"""

from __future__ import annotations

import html
import os
from typing import Any, Callable, Dict, Optional

from qgis.core import QgsSettings
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core import settings, train_job
from ..core.engine_command import ALL_GPUS, LAUNCH_KEY
from ..core.engine_runner import EngineRunner, RunFailure, RunState
from ..core.layers import InputError
from ..core.source_info import architectures_for, is_fusion_key, is_multisource
from ..core.source_jobs import source_text
from .chosen_box import ChosenBox
from .fusion_box import FusionBox
from .i18n import translate
from .run_panel import RunPanel
from .train_form import TrainForm
from .train_results import ArtifactsPanel, TrainingMonitor

#: keys the dialog itself fills (not the form)
OWN_KEYS = ("dataset", "output_dir", "resume")
#: engine interpreter -> its `satseg models` summary (asked once per QGIS session)
MODELS_CACHE: Dict[str, Dict[str, Any]] = {}


def preset_texts() -> Dict[str, str]:
    return {"quick_test": translate("satseg", "Quick test (small U-Net, few epochs)"),
            "balanced": translate("satseg", "Balanced classes"),
            "imbalanced": translate("satseg", "Imbalanced classes (focal + Dice, median "
                                              "weights, class-balanced sampling)")}


class TrainDialog(QDialog):
    """Dataset + options + output → `satseg train` → live charts → checkpoints and plots."""

    #: the training run ended (RunState)
    run_finished = pyqtSignal(object)
    #: the model list arrived from the engine (its `models` summary; {} when it failed)
    models_loaded = pyqtSignal(dict)

    def __init__(self, iface: Any, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.iface = iface
        self.dataset_info: Optional[train_job.DatasetSummary] = None
        self.models: Dict[str, Any] = {}
        self.summary: Dict[str, Any] = {}
        self._job: Dict[str, Any] = {}
        #: asked before a new run replaces the checkpoints of an earlier one (tests replace it)
        self.confirm_replace: Callable[[str], bool] = self._ask_replace
        self.setObjectName("satsegTrainDialog")
        self.setWindowTitle(translate("satseg", "satseg — Train"))
        self.resize(1380, 900)

        self.dataset = QgsFileWidget()
        self.dataset.setStorageMode(QgsFileWidget.GetDirectory)
        self.dataset.fileChanged.connect(lambda _path: self.dataset_changed())
        self.dataset_summary = QLabel(translate("satseg", "Choose a folder written by Extract "
                                                          "patches."))
        self.dataset_summary.setWordWrap(True)
        self.preset = QComboBox()
        self.preset.addItem(translate("satseg", "(choose a preset)"), "")
        for name, text in preset_texts().items():
            self.preset.addItem(text, name)
        self.preset.activated.connect(lambda _i: self.apply_preset(self.preset.currentData()))
        self.form = TrainForm()
        self.form.set_gpu_count(settings.cuda_device_count())  # from the last doctor Check
        self.adapt = QCheckBox(translate("satseg", "Choose model size, augmentation, sampling, "
                                                   "loader workers and epochs for this dataset"))
        self.adapt.setObjectName("adaptToDataset")
        self.adapt.setToolTip(translate("satseg", "The engine chooses these options from the "
                                                  "dataset's size, bands and class balance when "
                                                  "the run starts, and says why. Untick to set "
                                                  "them yourself."))
        self.adapt.setChecked(True)
        self.adapt.toggled.connect(lambda _on: self.show_adapt())
        self.form.changed.connect(self.show_adapt)
        self.fusion = FusionBox()
        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.GetDirectory)
        self.output.fileChanged.connect(lambda _path: self.refresh_resume())
        self.resume = QCheckBox(translate("satseg", "Resume the interrupted run (last.pt)"))
        self.resume.setEnabled(False)
        save_button = QPushButton(translate("satseg", "Save job…"))
        save_button.clicked.connect(self._save_clicked)
        load_button = QPushButton(translate("satseg", "Load job…"))
        load_button.clicked.connect(self._load_clicked)
        self.search_button = QPushButton(translate("satseg", "Search settings…"))
        self.search_button.setToolTip(translate("satseg", "Search the best learning rate, "
                                                          "architecture, loss… around these "
                                                          "settings (satseg tune)."))
        self.search_button.clicked.connect(self.open_search)

        data_box = QGroupBox(translate("satseg", "Dataset"))
        data_form = QFormLayout(data_box)
        data_form.addRow(translate("satseg", "Dataset folder:"), self.dataset)
        data_form.addRow(self.dataset_summary)
        data_form.addRow(translate("satseg", "Preset:"), self.preset)
        data_form.addRow(self.adapt)
        output_box = QGroupBox(translate("satseg", "Output"))
        output_form = QFormLayout(output_box)
        output_form.addRow(translate("satseg", "Output folder:"), self.output)
        output_form.addRow("", self.resume)
        job_row = QHBoxLayout()
        job_row.addWidget(save_button)
        job_row.addWidget(load_button)
        job_row.addStretch(1)
        output_form.addRow(translate("satseg", "Job file:"), job_row)
        output_form.addRow("", self.search_button)

        options = QWidget()
        options_layout = QVBoxLayout(options)
        options_layout.setContentsMargins(0, 0, 4, 0)
        options_layout.addWidget(data_box)
        options_layout.addWidget(self.form)
        options_layout.addWidget(self.fusion)
        options_layout.addWidget(output_box)
        options_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(options)
        scroll.setWidgetResizable(True)
        scroll.setFixedWidth(options.sizeHint().width()
                             + scroll.verticalScrollBar().sizeHint().width() + 6)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        self.monitor = TrainingMonitor()
        self.artifacts = ArtifactsPanel()
        self.artifacts.best_button.clicked.connect(self.use_best_model)
        progress_box = QGroupBox(translate("satseg", "Progress"))
        QVBoxLayout(progress_box).addWidget(self.monitor)
        files_box = QGroupBox(translate("satseg", "Results"))
        QVBoxLayout(files_box).addWidget(self.artifacts)
        self.chosen = ChosenBox()
        right = QVBoxLayout()
        right.addWidget(progress_box, 1)
        right.addWidget(self.chosen)
        right.addWidget(files_box)
        columns = QHBoxLayout()
        columns.addWidget(scroll, 0)
        columns.addLayout(right, 1)

        self.panel = RunPanel.for_dialog(self, iface, self.start, self._on_done, self._on_finished,
                                         translate("satseg", "Start"))
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.panel)

        self.models_runner = EngineRunner(settings.engine_python(), self)
        self.models_runner.done.connect(self._models_done)
        self.models_runner.error.connect(self._models_failed)
        cached = MODELS_CACHE.get(self.models_runner.engine_python)
        if cached is not None:
            QTimer.singleShot(0, lambda: self._models_done(cached))
        else:
            self.models_runner.start("models", {})

    # -- models -----------------------------------------------------------------------------
    def _models_done(self, summary: dict) -> None:
        MODELS_CACHE[self.models_runner.engine_python] = dict(summary)
        self.models = dict(summary)
        self.form.set_models(summary)
        self.fusion.set_models(summary)
        self.show_adapt()
        self.models_loaded.emit(self.models)

    def _models_failed(self, failure: RunFailure) -> None:
        self.panel.show_message(translate("satseg", "Could not list the models: {error}")
                                .format(error=failure.text()), "error")
        self.models_loaded.emit({})

    # -- dataset, presets, output -----------------------------------------------------------
    def dataset_changed(self) -> None:
        """Read the dataset's summary (dataset.json) and show it."""
        folder = self.dataset.filePath().strip()
        self.dataset_info = None
        self.fusion.set_sources([])
        self.form.set_band_names([])
        if not folder:
            self.dataset_summary.setText(translate("satseg", "Choose a folder written by "
                                                             "Extract patches."))
            return
        try:
            self.dataset_info = train_job.read_dataset(folder)
        except (FileNotFoundError, ValueError) as exc:
            self.dataset_summary.setText('<span style="color:#c53030">{}</span>'.format(
                html.escape(self._dataset_problem(folder, exc))))
            return
        self.dataset_summary.setText(dataset_html(self.dataset_info))
        self.fusion.set_sources(self.dataset_info.sources)
        self.form.set_band_names(self.dataset_info.band_names)
        if not self.output.filePath().strip():
            self.output.setFilePath(os.path.join(folder, "training"))

    def _dataset_problem(self, folder: str, exc: Exception) -> str:
        if not os.path.isdir(folder):
            return translate("satseg", "The dataset folder {path} does not exist: choose the "
                                       "folder written by Extract patches.").format(path=folder)
        if isinstance(exc, FileNotFoundError):
            return translate("satseg", "{path} holds no dataset.json: choose the folder "
                                       "written by Extract patches (it holds dataset.json and "
                                       "Patch/).").format(path=folder)
        return translate("satseg", "{path} is not a readable patch dataset ({error}): extract "
                                   "it again.").format(path=folder, error=exc)

    def apply_preset(self, name: str) -> None:
        if name:
            self.form.apply_preset(name)
            self.adapt.setChecked(train_job.PRESET_ADAPTS.get(name, False))
            self.preset.setCurrentIndex(self.preset.findData(name))
            self.show_adapt()

    def show_adapt(self) -> None:
        """With "Choose … for this dataset" ticked, the options the engine chooses are greyed."""
        adapt = self.adapt.isChecked()
        tip = translate("satseg", "Chosen for the dataset when the run starts (untick \"Choose "
                                  "… for this dataset\" to set it).") if adapt else ""
        for key in train_job.AUTO_KEYS:
            widget = self.form.widgets.get(key)
            if widget is not None:
                widget.setToolTip(tip)
                widget.setEnabled(not adapt)
        if not adapt:
            self.form.update_enabled()  # the form's own rules (no encoder for a custom U-Net)

    def refresh_resume(self) -> None:
        """Offer Resume when the output folder holds a last.pt."""
        path = train_job.resumable_checkpoint(self.output.filePath().strip())
        self.resume.setEnabled(bool(path))
        if not path:
            self.resume.setChecked(False)
        self.resume.setToolTip(path)

    # -- the job ----------------------------------------------------------------------------
    def job(self) -> Dict[str, Any]:
        """The `satseg train` job of the dialog's state; InputError says what to fix."""
        folder = self.dataset.filePath().strip()
        if not folder:
            raise InputError(translate("satseg", "Choose the dataset folder (a folder written "
                                                 "by Extract patches, holding dataset.json)."))
        if self.dataset_info is None or self.dataset_info.path != folder:
            self.dataset_changed()
        if self.dataset_info is None:
            raise InputError(self.dataset_summary_text())
        output = self.output.filePath().strip()
        if not output:
            raise InputError(translate("satseg", "Choose the output folder (checkpoints, "
                                                 "metrics and plots go there)."))
        values = self.form.values()
        if values.get("device") == ALL_GPUS:  # each torchrun process takes its own GPU
            values["device"] = "cuda"
        fusion = self.fusion.values()
        if fusion:  # the Fusion group's keys replace any loaded ones
            values = {k: v for k, v in values.items() if not is_fusion_key(k)}
            values.update(fusion)
        self._check(values)
        if self.adapt.isChecked():
            values.update({key: train_job.AUTO for key in train_job.AUTO_KEYS})
        job = train_job.unflatten({k: v for k, v in values.items() if k not in OWN_KEYS})
        job = {"dataset": os.path.abspath(folder), "output_dir": os.path.abspath(output), **job}
        if self.resume.isChecked() and self.resume.isEnabled():
            job["resume"] = train_job.resumable_checkpoint(output)
        return job

    def dataset_summary_text(self) -> str:
        from qgis.PyQt.QtGui import QTextDocument

        document = QTextDocument()
        document.setHtml(self.dataset_summary.text())
        return document.toPlainText()

    def _check(self, values: Dict[str, Any]) -> None:
        architecture = str(values.get("model.architecture") or "")
        if not architecture:
            raise InputError(translate("satseg", "No model architecture: the list of models "
                                                 "has not come from the engine. Check the "
                                                 "engine in satseg Settings, then reopen this "
                                                 "dialog."))
        need = self.form.min_patch_size(architecture)
        have = self.dataset_info.patch_size if self.dataset_info else 0
        if need and have and have < need:
            raise InputError(translate("satseg", "{model} needs patches of at least {need} px; "
                                                 "this dataset's are {have} px. Choose another "
                                                 "architecture or extract larger patches.")
                             .format(model=architecture, need=need, have=have))
        need = self.fusion.stream_network()
        fitting = architectures_for(self.form.architectures, need) if need else []
        if need and architecture not in fitting:
            what = (translate("satseg", "Mid fusion") if need == "mid_fusion" else
                    translate("satseg", "A temporal network ({mode}) in early fusion").format(
                        mode=values.get("model.temporal")))
            raise InputError(translate("satseg", "{what} decodes with a U-Net, not {model}: "
                                                 "choose {fitting}, or late fusion.").format(
                what=what, model=architecture, fitting=" or ".join(fitting)))
        epochs = int(values["epochs"])
        for key, text in (("schedule.warmup_epochs", translate("satseg", "Warm-up epochs")),
                          ("optim.freeze_encoder_epochs",
                           translate("satseg", "Freeze encoder epochs"))):
            if epochs > 1 and int(values.get(key) or 0) >= epochs and \
                    self.form.widgets[key].isEnabled() and not self.adapt.isChecked():
                raise InputError(translate("satseg", "{option} ({value}) must be fewer than "
                                                     "the epochs ({epochs}).")
                                 .format(option=text, value=values[key], epochs=epochs))
        if self.resume.isChecked() and int(values.get("kfold.folds") or 0) >= 2:
            raise InputError(translate("satseg", "A cross-validation cannot be resumed: untick "
                                                 "Resume or set the folds to 0."))

    def set_job(self, job: Dict[str, Any]) -> list:
        """Show a job (as loaded from a file); returns keys the form has no widget for."""
        self.dataset.setFilePath(str(job.get("dataset") or ""))
        self.output.setFilePath(str(job.get("output_dir") or ""))
        self.form.extra = {}
        flat = train_job.flatten({k: v for k, v in job.items() if k not in OWN_KEYS})
        self.adapt.setChecked(train_job.adapts(flat))
        flat = {k: v for k, v in flat.items() if v != train_job.AUTO or k not in
                train_job.AUTO_KEYS}
        if self.fusion.active():
            self.fusion.set_values({k: v for k, v in flat.items() if is_fusion_key(k)})
            flat = {k: v for k, v in flat.items() if not is_fusion_key(k)}
        unknown = self.form.set_values(flat)
        self.refresh_resume()
        self.resume.setChecked(bool(job.get("resume")) and self.resume.isEnabled())
        self.preset.setCurrentIndex(0)
        self.show_adapt()
        return unknown

    def save_job(self, path: str) -> Dict[str, Any]:
        """Write the job file (InputError when the job is incomplete)."""
        job = self.job()
        train_job.save_job(path, job)
        self.panel.show_message(translate("satseg", "Job saved to {path}. Run it without QGIS "
                                                    "with: satseg train --config {name}")
                                .format(path=path, name=os.path.basename(path)), "success")
        return job

    def load_job(self, path: str) -> Dict[str, Any]:
        job = train_job.load_job(path)
        unknown = self.set_job(job)
        text = translate("satseg", "Job loaded from {path}.").format(path=path)
        if unknown:
            text += " " + translate("satseg", "Kept as they are (no field for them): "
                                              "{keys}.").format(keys=", ".join(unknown))
        self.panel.show_message(text, "info")
        return job

    def open_search(self) -> Optional[QDialog]:
        """Open the search dialog with this dialog's job as the base of the search."""
        job = self.panel.job_or_none(self.job)
        if job is None:
            return None
        from .tune_dialog import TuneDialog, open_tool

        dialog = open_tool("tune", lambda: TuneDialog(self.iface, self.parentWidget()))
        dialog.set_base_job(job, translate("satseg", "the training dialog"))
        dialog.raise_()
        return dialog

    def _save_clicked(self) -> None:
        start = os.path.join(self.output.filePath().strip() or os.path.expanduser("~"),
                             "train_job.json")
        path, _ = QFileDialog.getSaveFileName(self, translate("satseg", "Save training job"),
                                              start, translate("satseg", "Job files (*.json)"))
        if path:
            try:
                self.save_job(path)
            except (InputError, OSError) as problem:
                self.panel.show_message(str(problem), "error")

    def _load_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, translate("satseg", "Load training job"),
                                              self.output.filePath().strip(),
                                              translate("satseg", "Job files (*.json)"))
        if path:
            try:
                self.load_job(path)
            except train_job.JobFileError as problem:
                self.panel.show_message(str(problem), "error")

    # -- running ----------------------------------------------------------------------------
    def start(self) -> None:
        """Check the inputs and start `satseg train` (returns at once)."""
        job = self.panel.job_or_none(self.job)
        if job is None:
            return
        existing = os.path.join(job["output_dir"], train_job.RESUME_FILE)
        if "resume" not in job and os.path.isfile(existing) and \
                not self.confirm_replace(job["output_dir"]):
            return
        self._job = job
        if self.form.processes() > 1:  # the runner starts the engine through torchrun
            job = {**job, LAUNCH_KEY: self.form.processes()}
        self.summary = {}
        self.artifacts.clear()
        self.chosen.clear()
        colours = self.dataset_info.class_colours if self.dataset_info else {}
        epochs = job.get("epochs")
        self.monitor.begin(epochs if isinstance(epochs, int) else 1, colours)
        self.panel.show_message(translate("satseg", "Training… QGIS stays usable meanwhile."))
        runner = self.panel.start("train", job, translate("satseg", "Train"))
        runner.received.connect(self._on_event)

    def _ask_replace(self, folder: str) -> bool:
        answer = QMessageBox.question(
            self, translate("satseg", "Replace the earlier run?"),
            translate("satseg", "{folder} already holds a training run. Starting anew replaces "
                                "its checkpoints; tick Resume to continue it instead.")
            .format(folder=folder), QMessageBox.Ok | QMessageBox.Cancel, QMessageBox.Cancel)
        return answer == QMessageBox.Ok

    def _on_event(self, event: dict) -> None:
        kind = event.get("type")
        if kind in ("metric", "progress"):
            self.monitor.handle(event)
        elif kind == "artifact" and event.get("role") == train_job.DEFAULTS_ROLE:
            self.show_chosen(train_job.read_chosen(str(event["path"])))
        elif kind == "artifact":
            self.artifacts.add(str(event["kind"]), str(event["path"]),
                               str(event.get("role") or ""))

    def show_chosen(self, chosen: list) -> None:
        """What the engine chose for this dataset; its epoch count sizes the charts."""
        self.chosen.show_chosen(chosen)
        epochs = next((c.get("value") for c in chosen if c.get("key") == "epochs"), None)
        if isinstance(epochs, int):
            self.monitor.planned_epochs = max(1, epochs)

    def _on_done(self, summary: dict) -> None:
        self.summary = summary
        if isinstance(summary.get("quality"), list):  # one run (k-fold: in each fold's files)
            self.artifacts.show_quality(summary["quality"])
        best = train_job.best_checkpoint(summary)
        self.artifacts.best_button.setEnabled(bool(best))
        test = summary.get("test") or summary.get("validation") or {}
        miou = test.get("miou") if isinstance(test, dict) else None
        text = translate("satseg", "Training finished: {epochs} epochs.").format(
            epochs=summary.get("epochs_run", summary.get("folds", "")))
        if isinstance(miou, float):
            text += " " + translate("satseg", "mIoU of the best model: {value:.3f}.").format(
                value=miou)
        self.panel.show_message(text, "success")

    def _on_finished(self, state: RunState) -> None:
        self.monitor.end()
        self.refresh_resume()
        if state is RunState.CANCELLED and self.resume.isEnabled():
            self.panel.show_message(translate("satseg", "Training cancelled. last.pt keeps "
                                                        "where it stopped: tick Resume and "
                                                        "Start to continue."), "info")
        self.run_finished.emit(state)

    def use_best_model(self) -> str:
        """Remember the best checkpoint for prediction and open the Predict dialog."""
        path = train_job.best_checkpoint(self.summary)
        if not path:
            return ""
        QgsSettings().setValue(train_job.LAST_CHECKPOINT_KEY, path)
        self.panel.show_message(translate("satseg", "{path} will be used for prediction.")
                                .format(path=path), "success")
        try:
            from qgis.utils import plugins
        except ImportError:
            return path
        plugin = plugins.get("satseg_plugin")
        if plugin is not None and hasattr(plugin, "open_tool"):
            plugin.open_tool("predict")
        return path

    def done(self, result: int) -> None:
        """Closing the dialog cancels a run (its last.pt stays resumable)."""
        self.panel.cancel()
        if self.models_runner.is_running():
            self.models_runner.cancel()
        super().done(result)


def dataset_html(info: train_job.DatasetSummary) -> str:
    """Patches per split, classes, bands and patch size of a dataset, as HTML."""
    splits = " · ".join(f"{html.escape(text)} {info.patches.get(name, 0)}" for name, text in (
        ("train", translate("satseg", "train")),
        ("validation", translate("satseg", "validation")),
        ("test", translate("satseg", "test"))))
    total = sum(info.patches.values())
    swatches = " ".join(
        f'<span style="background-color:{html.escape(str(c.get("colour") or "#999"))}">'
        f'&nbsp;&nbsp;&nbsp;</span>&nbsp;{html.escape(str(c.get("name")))}'
        for c in info.classes)
    bands = ", ".join(info.band_names)
    lines = [translate("satseg", "<b>{n} patches</b> of {size}×{size} px: {splits}").format(
                 n=total, size=info.patch_size, splits=splits),
             translate("satseg", "{n} classes: {classes}").format(n=len(info.classes),
                                                                   classes=swatches),
             translate("satseg", "{n} bands: {bands}").format(n=len(info.band_names),
                                                               bands=html.escape(bands))]
    if is_multisource(info.sources):
        lines.append(translate("satseg", "Sources: {sources}").format(sources=html.escape(
            ", ".join(source_text(s) for s in info.sources))))
    return "<br>".join(lines)
