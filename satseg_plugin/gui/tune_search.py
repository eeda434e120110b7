"""The search dialog's "Budget and search" group: trials and minutes, metric and direction,
sampler, pruner, storage, study name, the output folder (and whether it holds a study that a
search continues), and the job-file buttons the dialog hands in."""

from __future__ import annotations

from typing import Any, Dict, Sequence

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
)

from ..core import tune_job
from .i18n import translate


def _combo(names: Sequence[str]) -> QComboBox:
    combo = QComboBox()
    for name in names:
        combo.addItem(name, name)
    return combo


class SearchBox(QGroupBox):
    """The `search` section of the job and the output folder; `values()` / `set_values()`."""

    def __init__(self, buttons: Sequence[QPushButton] = ()):
        super().__init__(translate("satseg", "Budget and search"))
        self.trials = QSpinBox()
        self.trials.setRange(0, 100000)
        self.trials.setSpecialValueText(translate("satseg", "until the time is up"))
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(0, 1e6)
        self.minutes.setDecimals(1)
        self.minutes.setSpecialValueText(translate("satseg", "no limit"))
        self.metric = _combo(tune_job.METRICS)
        self.direction = _combo(tune_job.DIRECTIONS)
        self.direction.setItemText(0, translate("satseg", "auto (minimise a loss, else "
                                                          "maximise)"))
        self.sampler = _combo(tune_job.SAMPLERS)
        self.pruner = _combo(tune_job.PRUNERS)
        self.storage = QLineEdit()
        self.storage.setPlaceholderText(translate("satseg", "SQLite in the output folder "
                                                            "(study.db)"))
        self.storage.setToolTip(translate("satseg", "Any SQLAlchemy URL (e.g. postgresql://…) "
                                                    "lets several satseg tune processes work "
                                                    "on one study."))
        self.study_name = QLineEdit()
        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.GetDirectory)
        self.output.fileChanged.connect(lambda _p: self.refresh_resume())
        self.resume_label = QLabel()
        self.resume_label.setWordWrap(True)
        grid = QGridLayout(self)
        for index, (text, widget) in enumerate((
                (translate("satseg", "Trials:"), self.trials),
                (translate("satseg", "Time budget (minutes):"), self.minutes),
                (translate("satseg", "Metric:"), self.metric),
                (translate("satseg", "Direction:"), self.direction),
                (translate("satseg", "Sampler:"), self.sampler),
                (translate("satseg", "Pruner:"), self.pruner),
                (translate("satseg", "Storage:"), self.storage),
                (translate("satseg", "Study name:"), self.study_name))):
            row, column = divmod(index, 2)
            grid.addWidget(QLabel(text), row, column * 2)
            grid.addWidget(widget, row, column * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.addWidget(QLabel(translate("satseg", "Output folder:")), 4, 0)
        grid.addWidget(self.output, 4, 1, 1, 3)
        grid.addWidget(self.resume_label, 5, 1, 1, 3)
        job_row = QHBoxLayout()
        for button in buttons:
            job_row.addWidget(button)
        job_row.addStretch(1)
        grid.addWidget(QLabel(translate("satseg", "Job file:")), 6, 0)
        grid.addLayout(job_row, 6, 1, 1, 3)
        self.set_values(tune_job.SEARCH_DEFAULTS)

    def set_values(self, search: Dict[str, Any]) -> None:
        """Show a job's `search` section (missing keys: the contract's defaults)."""
        values = {**tune_job.SEARCH_DEFAULTS, **search}
        self.trials.setValue(int(values["trials"]))
        self.minutes.setValue(float(values["timeout_s"]) / 60)
        for combo, key in ((self.metric, "metric"), (self.direction, "direction"),
                           (self.sampler, "sampler"), (self.pruner, "pruner")):
            combo.setCurrentIndex(max(0, combo.findData(values[key])))
        self.storage.setText(str(values["storage"]))
        self.study_name.setText(str(values["study_name"]))

    def values(self) -> Dict[str, Any]:
        """The job's `search` section."""
        return {"trials": self.trials.value(), "timeout_s": round(self.minutes.value() * 60, 3),
                "metric": self.metric.currentData(), "direction": self.direction.currentData(),
                "sampler": self.sampler.currentData(), "pruner": self.pruner.currentData(),
                "storage": self.storage.text().strip(),
                "study_name": self.study_name.text().strip() or "satseg"}

    def refresh_resume(self) -> None:
        """Say when the output folder holds a study that a search continues."""
        found = tune_job.study_exists(self.output.filePath().strip())
        self.resume_label.setText(translate("satseg", "This folder holds a study: Search "
                                                      "continues it until it has the trials "
                                                      "asked for.") if found else "")
