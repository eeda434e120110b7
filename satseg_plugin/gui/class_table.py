"""An editable class table: value, name, colour (with a colour picker), and whether the row is a
class; add and remove rows. A row that is not a class (value 0 of a label raster without class 0,
black in a colour mask) shows pixels that stay unlabelled, and why, until the user ticks it."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from qgis.gui import QgsColorButton
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.layers import PALETTE, ClassRow, InputError
from .i18n import translate

VALUE, NAME, COLOUR, USE = range(4)
IGNORE_VALUE = 255


def add_remove_row(add_text: str, add: Callable[[], Any], remove: Callable[[], Any]
                   ) -> Tuple[QPushButton, QPushButton, QHBoxLayout]:
    """The "Add …" / "Remove selected" buttons under an editable table, left-aligned."""
    add_button = QPushButton(add_text)
    add_button.clicked.connect(lambda: add())
    remove_button = QPushButton(translate("satseg", "Remove selected"))
    remove_button.clicked.connect(lambda: remove())
    row = QHBoxLayout()
    row.addWidget(add_button)
    row.addWidget(remove_button)
    row.addStretch(1)
    return add_button, remove_button, row


class ClassTable(QWidget):
    """Rows of (value 0–254, name, colour, is a class); `classes()` checks the class rows and
    returns job dicts."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([translate("satseg", "Value"),
                                              translate("satseg", "Name"),
                                              translate("satseg", "Colour"),
                                              translate("satseg", "Class")])
        self.table.horizontalHeaderItem(USE).setToolTip(translate(
            "satseg", "Untick to leave this value's pixels unlabelled (not learnt, not scored)"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.Stretch)
        header.setSectionResizeMode(COLOUR, QHeaderView.Fixed)
        self.table.setColumnWidth(COLOUR, 90)
        header.setSectionResizeMode(USE, QHeaderView.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.add_button, self.remove_button, buttons = add_remove_row(
            translate("satseg", "Add class"), lambda: self.add_row(), self.remove_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # -- rows -------------------------------------------------------------------------------
    def set_classes(self, rows: Sequence[ClassRow]) -> None:
        """Replace the table's rows."""
        self.table.setRowCount(0)
        for row in rows:
            self.add_row(row)

    def add_row(self, row: Optional[ClassRow] = None) -> int:
        """Append a row (the next free value and a palette colour when none is given)."""
        if row is None:
            used = {r.value for r in self.rows()}
            value = next(v for v in range(1, IGNORE_VALUE) if v not in used)
            row = ClassRow(value, "", PALETTE[(value - 1) % len(PALETTE)])
        index = self.table.rowCount()
        self.table.insertRow(index)
        spin = QSpinBox()
        spin.setRange(0, IGNORE_VALUE - 1)
        spin.setValue(row.value)
        spin.setFrame(False)
        self.table.setCellWidget(index, VALUE, spin)
        self.table.setItem(index, NAME, QTableWidgetItem(row.name))
        button = QgsColorButton()
        button.setColor(QColor(row.colour))
        button.setAllowOpacity(False)
        button.setColorDialogTitle(translate("satseg", "Class colour"))
        self.table.setCellWidget(index, COLOUR, button)
        use = QCheckBox()
        use.setChecked(not row.ignored)
        use.toggled.connect(lambda _on, box=use: self._show_use(box))
        self.table.setCellWidget(index, USE, use)
        if row.note:
            for widget in (spin, button, use):
                widget.setToolTip(row.note)
            self.table.item(index, NAME).setToolTip(row.note)
        self._show_use(use)
        return index

    def _show_use(self, box: QCheckBox) -> None:
        """A row that is not a class reads as such: italic, and 'unlabelled' by its tick."""
        for index in range(self.table.rowCount()):
            if self.table.cellWidget(index, USE) is box:
                item = self.table.item(index, NAME)
                font = item.font()
                font.setItalic(not box.isChecked())
                item.setFont(font)
                box.setText("" if box.isChecked() else translate("satseg", "unlabelled"))

    def remove_selected(self) -> None:
        for index in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(index)

    def rows(self) -> List[ClassRow]:
        """The rows as shown (unchecked)."""
        out = []
        for index in range(self.table.rowCount()):
            item = self.table.item(index, NAME)
            out.append(ClassRow(self.table.cellWidget(index, VALUE).value(),
                                item.text().strip() if item is not None else "",
                                self.table.cellWidget(index, COLOUR).color().name(),
                                ignored=not self.table.cellWidget(index, USE).isChecked(),
                                note=item.toolTip() if item is not None else ""))
        return out

    def set_class(self, value: int, on: bool = True) -> None:
        """Tick (or untick) 'Class' on the row(s) of `value`."""
        for index, row in enumerate(self.rows()):
            if row.value == value:
                self.table.cellWidget(index, USE).setChecked(on)

    def classes(self) -> List[Dict[str, object]]:
        """The class rows for a job (rows not ticked 'Class' stay unlabelled); InputError when
        names are missing or values repeat."""
        rows = [r for r in self.rows() if not r.ignored]
        unnamed = [str(r.value) for r in rows if not r.name]
        if unnamed:
            raise InputError(translate("satseg", "Give a name to the class(es) with value "
                                                 "{values} in the class table.").format(
                values=", ".join(unnamed)))
        values = [r.value for r in rows]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise InputError(translate("satseg", "Class values must be distinct; {values} "
                                                 "appear(s) more than once in the class "
                                                 "table.").format(
                values=", ".join(str(v) for v in repeated)))
        return [r.as_job() for r in rows]
