"""The Search dialog: a front end to `satseg tune` (hyper-parameter search with Optuna).

A base training job (from the training dialog's "Search settings…", a job file, or the engine's
defaults over a dataset), the keys to search and their ranges (SpaceTable, with presets), the
budget, metric, sampler, pruner and storage; Search / Cancel through the RunPanel; the trials
as they end, the best so far and the current trial (TrialsPanel); and "Train with the best
settings", which opens the training dialog on the best trial's job. A cancelled search stays
resumable: searching again into the same output folder continues its study.
"""

from __future__ import annotations

import html
import os
from typing import Any, Callable, Dict, Optional

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import train_job, tune_job, tune_results
from ..core.engine_runner import RunState
from ..core.layers import InputError
from .i18n import translate
from .run_panel import RunPanel
from .tune_search import SearchBox
from .tune_space import SpaceTable
from .tune_trials import TrialsPanel

SEARCH_DIR = "search"


def open_tool(name: str, make: Callable[[], QDialog]) -> QDialog:
    """The plugin's dialog `name` (the one of its menu) when the plugin is loaded, else a new
    one from `make()`; shown either way."""
    try:
        from qgis.utils import plugins
    except ImportError:
        plugins = {}
    plugin = plugins.get("satseg_plugin")
    dialog = plugin.open_tool(name) if plugin is not None and hasattr(plugin, "open_tool") \
        else None
    if dialog is None:
        dialog = make()
        dialog.show()
    return dialog


class TuneDialog(QDialog):
    """Base job + space + budget → `satseg tune` → live trials → "Train with the best settings"."""

    #: the search ended (RunState)
    run_finished = pyqtSignal(object)
    #: a trial ended (tune_results.Trial)
    trial_ended = pyqtSignal(object)

    def __init__(self, iface: Any, parent: Optional[QWidget] = None,
                 base_job: Optional[Dict[str, Any]] = None):
        super().__init__(parent)
        self.iface = iface
        self.base: Dict[str, Any] = {}
        self.base_origin = ""
        self.summary: Dict[str, Any] = {}
        self._output = ""
        #: the training dialog "Train with the best settings" opened (or filled)
        self.train_dialog: Optional[QDialog] = None
        self.setObjectName("satsegTuneDialog")
        self.setWindowTitle(translate("satseg", "satseg — Search settings"))
        self.resize(1440, 860)

        self.dataset = QgsFileWidget()
        self.dataset.setStorageMode(QgsFileWidget.GetDirectory)
        self.dataset.fileChanged.connect(lambda _p: self._default_output())
        self.base_label = QLabel()
        self.base_label.setWordWrap(True)
        load_button = QPushButton(translate("satseg", "Load job…"))
        load_button.clicked.connect(self._load_clicked)
        save_button = QPushButton(translate("satseg", "Save job…"))
        save_button.clicked.connect(self._save_clicked)
        base_box = QGroupBox(translate("satseg", "Training to improve"))
        base_form = QFormLayout(base_box)
        base_form.addRow(translate("satseg", "Dataset folder:"), self.dataset)
        base_form.addRow(self.base_label)

        self.preset = QComboBox()
        self.preset.addItem(translate("satseg", "(choose a preset)"), "")
        for name, text in tune_job.preset_texts().items():
            self.preset.addItem(text, name)
        self.preset.activated.connect(lambda _i: self.apply_preset(self.preset.currentData()))
        self.space = SpaceTable()
        space_box = QGroupBox(translate("satseg", "What to search"))
        space_layout = QVBoxLayout(space_box)
        preset_row = QHBoxLayout()
        preset_row.addWidget(QLabel(translate("satseg", "Preset:")))
        preset_row.addWidget(self.preset, 1)
        space_layout.addLayout(preset_row)
        space_layout.addWidget(self.space, 1)

        self.search_box = SearchBox((save_button, load_button))
        self.trials = self.search_box.trials
        self.output = self.search_box.output
        self.resume_label = self.search_box.resume_label

        self.results = TrialsPanel()
        self.results.best_button.clicked.connect(self.train_best)
        trials_box = QGroupBox(translate("satseg", "Trials"))
        QVBoxLayout(trials_box).addWidget(self.results)
        left = QVBoxLayout()
        left.addWidget(base_box)
        left.addWidget(space_box, 1)
        left.addWidget(self.search_box)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(trials_box, 1)
        self.panel = RunPanel.for_dialog(self, iface, self.start, self._on_done,
                                         self._on_finished, translate("satseg", "Search"))
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.panel)
        self.set_base_job(base_job or {})

    # -- the base job, presets, search settings -------------------------------------------
    def set_base_job(self, job: Dict[str, Any], origin: str = "") -> None:
        """Search from a train job (the training dialog's, or a file's): its dataset, and its
        output folder's sibling `search` as the search's output when none is chosen."""
        self.base = tune_job.base_of(job)
        self.base_origin = origin
        train_output = str(job.get("output_dir") or "")
        if train_output and not self.output.filePath().strip():
            self.output.setFilePath(os.path.join(os.path.dirname(train_output.rstrip("/\\")),
                                                 SEARCH_DIR))
        self.dataset.setFilePath(str(job.get("dataset") or ""))
        self._show_base()

    def _show_base(self) -> None:
        flat = train_job.flatten({k: v for k, v in self.base.items() if k != "dataset"})
        if not flat:
            text = translate("satseg", "Every other training option keeps the engine's "
                                       "default. To search around your own settings, click "
                                       "Search settings… in the training dialog, or load a "
                                       "training job file.")
        else:
            shown = ", ".join(f"{key} {flat[key]}" for key in (
                "model.architecture", "model.encoder", "epochs", "batch_size", "loss.name")
                if key in flat)
            text = translate("satseg", "Every other training option as in {origin}: {shown} "
                                       "({n} options).").format(
                origin=self.base_origin or translate("satseg", "the loaded job"),
                shown=shown, n=len(flat))
        self.base_label.setText(html.escape(text, quote=False))

    def _default_output(self) -> None:
        folder = self.dataset.filePath().strip()
        if folder and not self.output.filePath().strip():
            self.output.setFilePath(os.path.join(folder, SEARCH_DIR))

    def apply_preset(self, name: str) -> None:
        if name:
            self.space.apply_preset(name)
            self.preset.setCurrentIndex(self.preset.findData(name))

    def set_search(self, search: Dict[str, Any]) -> None:
        self.search_box.set_values(search)

    def search_values(self) -> Dict[str, Any]:
        return self.search_box.values()

    def refresh_resume(self) -> None:
        self.search_box.refresh_resume()

    # -- the job ----------------------------------------------------------------------------
    def job(self) -> Dict[str, Any]:
        """The `satseg tune` job; InputError says what to fix (a row's problem shows on it)."""
        folder = self.dataset.filePath().strip()
        base = {**self.base, "dataset": os.path.abspath(folder) if folder else ""}
        errors = self.space.check()
        if errors:
            key = next(iter(errors))
            raise tune_job.RowError(key, errors[key])
        return tune_job.build_job(base, self.space.rows(), self.search_values(),
                                  self.output.filePath())

    def set_job(self, job: Dict[str, Any]) -> None:
        """Show a job file: a tune job (its space and search too) or a train job."""
        self.output.setFilePath("")
        self.set_base_job(job, translate("satseg", "the loaded job"))
        if "space" in job:
            self.space.set_rows(tune_job.rows_from_space(job.get("space") or {}))
            self.set_search(dict(job.get("search") or {}))
            self.output.setFilePath(str(job.get("output_dir") or ""))

    def _save_clicked(self) -> None:
        start = os.path.join(self.output.filePath().strip() or os.path.expanduser("~"),
                             "tune_job.json")
        path, _ = QFileDialog.getSaveFileName(self, translate("satseg", "Save search job"),
                                              start, translate("satseg", "Job files (*.json)"))
        if path:
            try:
                train_job.save_job(path, self.job())
            except (InputError, OSError) as problem:
                self.panel.show_message(str(problem), "error")
                return
            self.panel.show_message(translate("satseg", "Job saved to {path}. Run it without "
                                                        "QGIS with: satseg tune --config "
                                                        "{name}").format(
                path=path, name=os.path.basename(path)), "success")

    def _load_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, translate("satseg", "Load job"),
                                              self.output.filePath().strip(),
                                              translate("satseg", "Job files (*.json)"))
        if path:
            try:
                self.set_job(train_job.load_job(path))
            except train_job.JobFileError as problem:
                self.panel.show_message(str(problem), "error")

    # -- running ----------------------------------------------------------------------------
    def start(self) -> None:
        """Check the inputs and start `satseg tune` (returns at once)."""
        job = self.panel.job_or_none(self.job)
        if job is None:
            return
        self._output = job["output_dir"]
        self.summary = {}
        self.results.clear(job["search"]["metric"])
        resuming = tune_job.study_exists(self._output)
        self.panel.show_message(translate("satseg", "Continuing the study in {folder}…")
                                .format(folder=self._output) if resuming else
                                translate("satseg", "Searching… each trial is one training "
                                                    "run; QGIS stays usable meanwhile."))
        runner = self.panel.start("tune", job, translate("satseg", "Search"))
        runner.progress.disconnect()  # the panel's bar counts trials, not a trial's batches
        runner.received.connect(self._on_event)

    def _on_event(self, event: Dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "progress" and event.get("stage") == "tune":
            self._show_trial_progress(int(event["done"]), event.get("total"))
        elif kind in ("progress", "metric"):
            trial = self.results.handle(event)
            if trial is not None:
                self._refresh_best_button()
                self.trial_ended.emit(trial)

    def _refresh_best_button(self) -> None:
        """Enabled when there is a best job to train (an earlier trial's: its best_job.json)."""
        try:
            ready = bool(self.best_job())
        except train_job.JobFileError:
            ready = False
        self.results.best_button.setEnabled(ready)

    def _show_trial_progress(self, done: int, total: Optional[int]) -> None:
        bar = self.panel.progress
        if total:
            bar.setRange(0, int(total))
            bar.setValue(min(done, int(total)))
            bar.setFormat(translate("satseg", "{done}/{total} trials").format(done=done,
                                                                              total=total))
        else:
            bar.setRange(0, 0)
            bar.setFormat(translate("satseg", "{done} trials").format(done=done))

    def _on_done(self, summary: dict) -> None:
        self.summary = summary
        trials = summary.get("trials") or {}
        best = summary.get("best") or {}
        self._refresh_best_button()
        counts = {key: trials.get(key, 0) for key in ("complete", "pruned", "failed")}
        if not best:
            self.panel.show_message(translate("satseg", "Search finished: {complete} complete, "
                                                        "{pruned} pruned, {failed} failed; no "
                                                        "trial completed (the satseg log says "
                                                        "why).").format(**counts), "error")
            return
        self.panel.show_message(translate("satseg", "Search finished: {complete} complete, "
                                                    "{pruned} pruned, {failed} failed. Best: "
                                                    "trial {number}, {value}.").format(
            number=best.get("number"), value=tune_results.format_value(best.get("value")),
            **counts), "success")

    def _on_finished(self, state: RunState) -> None:
        self.results.trial_bar.hide()
        self.refresh_resume()
        if state is RunState.CANCELLED:
            self.panel.show_message(translate("satseg", "Search cancelled. The study in "
                                                        "{folder} keeps its ended trials: "
                                                        "click Search with the same output "
                                                        "folder to resume it.").format(
                folder=self._output), "info")
        self.run_finished.emit(state)

    # -- the best settings --------------------------------------------------------------------
    def best_job(self) -> Dict[str, Any]:
        base = {**self.base, "dataset": os.path.abspath(self.dataset.filePath().strip())}
        return tune_results.best_job(self._output or self.output.filePath().strip(), base,
                                     self.results.log.best(), self.summary)

    def train_best(self) -> Optional[QDialog]:
        """Open the training dialog filled with the best trial's job."""
        try:
            job = self.best_job()
        except train_job.JobFileError as problem:
            self.panel.show_message(str(problem), "error")
            return None
        if not job:
            return None
        from .train_dialog import TrainDialog

        dialog = open_tool("train", lambda: TrainDialog(self.iface, self.parentWidget()))
        dialog.set_job(job)
        dialog.raise_()
        self.train_dialog = dialog
        self.panel.show_message(translate("satseg", "The training dialog holds the best "
                                                    "settings: click Start there to train the "
                                                    "final model."), "success")
        return dialog

    def done(self, result: int) -> None:
        """Closing the dialog cancels a search (its study stays resumable)."""
        self.panel.cancel()
        super().done(result)
