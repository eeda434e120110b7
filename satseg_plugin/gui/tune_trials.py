"""The right side of the search dialog: the best trial so far, the current trial's progress,
and the table of ended trials (number, state, value, parameters, duration), best highlighted.

Fed with the engine's events through `tune_results.TrialLog` (no parsing here).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import tune_job, tune_results
from ..core.train_job import format_duration
from ..core.tune_results import format_params, format_value
from .i18n import translate

NUMBER, STATE, VALUE, PARAMS, DURATION = range(5)
BEST_BRUSH = QBrush(QColor("#c6f6d5"))
STATE_COLOURS: Dict[str, str] = {"COMPLETE": "#276749", "PRUNED": "#975a16", "FAIL": "#c53030"}


def state_texts() -> Dict[str, str]:
    return {"COMPLETE": translate("satseg", "complete"), "PRUNED": translate("satseg", "pruned"),
            "FAIL": translate("satseg", "failed")}


class TrialsPanel(QWidget):
    """Best line, current-trial bar, trials table and "Train with the best settings"."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.log = tune_results.TrialLog()
        self.metric = tune_job.SEARCH_DEFAULTS["metric"]
        self.best_label = QLabel()
        self.best_label.setObjectName("satsegTuneBest")
        self.best_label.setWordWrap(True)
        self.best_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.trial_bar = QProgressBar()
        self.trial_bar.setObjectName("satsegTuneTrial")
        self.trial_bar.setTextVisible(True)
        self.trial_bar.hide()
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("satsegTuneTrials")
        self.table.setHorizontalHeaderLabels([
            translate("satseg", "Trial"), translate("satseg", "State"),
            translate("satseg", "Value"), translate("satseg", "Parameters"),
            translate("satseg", "Duration")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(PARAMS, QHeaderView.Stretch)
        self.best_button = QPushButton(translate("satseg", "Train with the best settings"))
        self.best_button.setObjectName("satsegTuneTrainBest")
        self.best_button.setToolTip(translate("satseg", "Opens the training dialog with the "
                                                        "best trial's settings, to train the "
                                                        "final model."))
        self.best_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.best_label)
        layout.addWidget(self.trial_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.best_button)
        self.clear()

    def clear(self, metric: str = "") -> None:
        """A new search: no trials yet."""
        self.log = tune_results.TrialLog()
        self.metric = metric or tune_job.SEARCH_DEFAULTS["metric"]
        self.table.setRowCount(0)
        self.trial_bar.hide()
        self.best_button.setEnabled(False)
        self.best_label.setText(translate("satseg", "No trial has ended yet."))

    def handle(self, event: Dict[str, Any]) -> Optional[tune_results.Trial]:
        """Take one engine event; the Trial when one ended."""
        trial = self.log.add(event)
        if trial is not None:
            self._show_trials()
        self._show_current()
        return trial

    # -- showing ------------------------------------------------------------------------------
    def _show_trials(self) -> None:
        rows = self.log.rows()
        states = state_texts()
        self.table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for index, trial in enumerate(rows):
            best = trial.number == self.log.best_number
            texts = (str(trial.number), states.get(trial.state, trial.state.lower()),
                     format_value(trial.value), format_params(trial.params),
                     format_duration(trial.duration_s))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, trial.state if column == STATE else None)
                if column == PARAMS:
                    item.setToolTip(text.replace(", ", "\n"))
                if column == STATE:
                    item.setForeground(QBrush(QColor(STATE_COLOURS.get(trial.state, "#000"))))
                if column in (NUMBER, VALUE, DURATION):
                    item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
                if best:
                    item.setBackground(BEST_BRUSH)
                    item.setFont(bold)
                self.table.setItem(index, column, item)
        best = self.log.best()
        self.best_button.setEnabled(best is not None)
        if best is not None:
            self.best_label.setText(translate("satseg", "Best so far: trial {number}, {metric} "
                                                        "= {value} ({params})").format(
                number=best.number, metric=self.metric,
                value=format_value(self.log.best_value), params=format_params(best.params)))
        elif self.log.best_number is not None:  # a resumed study's earlier trial
            self.best_label.setText(translate("satseg", "Best so far: trial {number} of an "
                                                        "earlier run of this study, {metric} = "
                                                        "{value}").format(
                number=self.log.best_number, metric=self.metric,
                value=format_value(self.log.best_value)))
        else:
            self.best_label.setText(translate("satseg", "No trial has a value yet."))

    def _show_current(self) -> None:
        log = self.log
        if log.current is None:
            self.trial_bar.hide()
            return
        done, total = log.batches
        if not total:
            self.trial_bar.setRange(0, 0)
            self.trial_bar.setFormat(translate("satseg", "trial {number}: starting…").format(
                number=log.current))
            self.trial_bar.show()
            return
        self.trial_bar.setRange(0, total)
        self.trial_bar.setValue(min(done, total))
        self.trial_bar.setFormat(translate("satseg", "trial {number}: epoch {epoch}, {done}/"
                                                     "{total} batches").format(
            number=log.current, epoch=log.epoch + 1 if done < total else log.epoch,
            done=done, total=total))
        self.trial_bar.show()

    def state_column(self) -> list:
        """The engine's state of each row (COMPLETE, PRUNED, FAIL), in trial order."""
        return [self.table.item(i, STATE).data(Qt.UserRole) for i in range(self.table.rowCount())]

    def best_text(self) -> str:
        return self.best_label.text()
