"""The search space as a table: one row per searchable training key — a tick to search it, its
kind (range, log range, integer range, choices), low / high / step or the list of choices — and
what is wrong with a row, shown on that row.

Rows in, rows out (`tune_job.SpaceRow`); turning them into the engine's `space` is
`tune_job.space`, without widgets.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ..core import tune_job
from ..core.tune_job import SpaceRow
from .i18n import translate
from .train_form import sections

COLUMNS = ("key", "kind", "low", "high", "step", "choices", "problem")
KEY, KIND, LOW, HIGH, STEP, CHOICES, PROBLEM = range(len(COLUMNS))
#: kind -> the text columns that apply to it (the others are greyed)
USED: Dict[str, Sequence[int]] = {"float": (LOW, HIGH), "log_float": (LOW, HIGH),
                                  "int": (LOW, HIGH, STEP), "choice": (CHOICES,)}
ERROR_BRUSH = QBrush(QColor("#fed7d7"))
ERROR_COLOUR = QColor("#c53030")


def key_labels() -> Dict[str, str]:
    """Training key -> its label in the training form ("Learning rate")."""
    return {spec.key: spec.label.rstrip(": ") for _, _, fields in sections() for spec in fields}


class SpaceTable(QTableWidget):
    """The searchable keys; `rows()` / `set_rows()`, presets, and errors shown per row."""

    changed = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("satsegTuneSpace")
        self.setHorizontalHeaderLabels([
            translate("satseg", "Search"), translate("satseg", "Kind"),
            translate("satseg", "Low"), translate("satseg", "High"), translate("satseg", "Step"),
            translate("satseg", "Choices"), translate("satseg", "Problem")])
        self.horizontalHeaderItem(CHOICES).setToolTip(
            translate("satseg", "Choices (comma-separated)"))
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(KEY, QHeaderView.Interactive)
        header.setSectionResizeMode(CHOICES, QHeaderView.Stretch)
        self.setColumnWidth(KEY, 200)
        self.labels = key_labels()
        self.keys: List[str] = []
        self._filling = False
        self.itemChanged.connect(self._item_changed)
        self.set_rows(tune_job.default_rows())

    # -- rows -------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[SpaceRow]) -> None:
        self._filling = True
        self.setRowCount(0)
        self.keys = []
        for row in rows:
            self._add(row)
        self._filling = False
        self.refresh()
        self.changed.emit()

    def _add(self, row: SpaceRow) -> None:
        index = self.rowCount()
        self.insertRow(index)
        self.keys.append(row.key)
        label = self.labels.get(row.key)
        check = QTableWidgetItem(label or row.key)
        check.setData(Qt.UserRole, row.key)
        check.setToolTip(row.key)  # the job key (`satseg tune --space KEY=…`)
        check.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
        check.setCheckState(Qt.Checked if row.enabled else Qt.Unchecked)
        self.setItem(index, KEY, check)
        kind = QComboBox()
        for name, text in tune_job.kind_texts().items():
            kind.addItem(text, name)
        kind.setCurrentIndex(max(0, kind.findData(row.kind)))
        kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.setCellWidget(index, KIND, kind)
        for column, text in ((LOW, row.low), (HIGH, row.high), (STEP, row.step),
                             (CHOICES, row.choices)):
            self.setItem(index, column, QTableWidgetItem(text))
        problem = QTableWidgetItem("")
        problem.setFlags(Qt.ItemIsEnabled)
        problem.setForeground(QBrush(ERROR_COLOUR))
        self.setItem(index, PROBLEM, problem)

    def rows(self) -> List[SpaceRow]:
        return [self.row(key) for key in self.keys]

    def row(self, key: str) -> SpaceRow:
        index = self.keys.index(key)

        def text(column: int) -> str:
            return self.item(index, column).text().strip()

        return SpaceRow(key=key, kind=str(self.cellWidget(index, KIND).currentData()),
                        low=text(LOW), high=text(HIGH), step=text(STEP),
                        choices=text(CHOICES),
                        enabled=self.item(index, KEY).checkState() == Qt.Checked)

    def set_row(self, row: SpaceRow) -> None:
        """Replace the values of one key's row (a key not listed gets a new row)."""
        rows = self.rows()
        keys = [r.key for r in rows]
        if row.key in keys:
            rows[keys.index(row.key)] = row
        else:
            rows.append(row)
        self.set_rows(rows)

    def enabled_keys(self) -> List[str]:
        return [r.key for r in self.rows() if r.enabled]

    def apply_preset(self, name: str) -> None:
        self.set_rows(tune_job.preset_rows(name, self.rows()))

    # -- checking -----------------------------------------------------------------------------
    def check(self) -> Dict[str, str]:
        """Show on each ticked row what the engine would refuse; {key: message}."""
        _, errors = tune_job.space(self.rows())
        self.show_errors(errors)
        return errors

    def show_errors(self, errors: Dict[str, str]) -> None:
        self._filling = True
        for index, key in enumerate(self.keys):
            message = errors.get(key, "")
            self.item(index, PROBLEM).setText(message)
            for column in range(len(COLUMNS)):
                item = self.item(index, column)
                if item is not None:
                    item.setBackground(ERROR_BRUSH if message else QBrush())
                    item.setToolTip(message or (key if column == KEY else ""))
        self._filling = False
        if errors:
            self.scrollToItem(self.item(self.keys.index(next(iter(errors))), KEY))

    def problem(self, key: str) -> str:
        """The message shown on a key's row ("" when none)."""
        return self.item(self.keys.index(key), PROBLEM).text()

    # -- reacting -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Grey the cells that do not apply to a row's kind, and every cell of an unticked
        row."""
        self._filling = True
        for index in range(self.rowCount()):
            enabled = self.item(index, KEY).checkState() == Qt.Checked
            kind = self.cellWidget(index, KIND)
            kind.setEnabled(enabled)
            used = USED.get(str(kind.currentData()), ())
            for column in (LOW, HIGH, STEP, CHOICES):
                item = self.item(index, column)
                editable = enabled and column in used
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsEditable if editable else
                              Qt.NoItemFlags)
        self._filling = False

    def _kind_changed(self) -> None:
        self.refresh()
        self.changed.emit()

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        if item.column() == KEY:
            self.refresh()
        if self.item(item.row(), PROBLEM) is not None and \
                self.item(item.row(), PROBLEM).text():
            self.check()  # a fixed row loses its message as soon as it is right
        self.changed.emit()
