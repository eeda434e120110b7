"""The extraction dialog's Sources table: the primary image and any other source on its grid.

Row 0 is the primary source `images` (its layers are the ones ticked in the dialog's Images
list; the grid snaps to it). Add source adds a row: a name, one or several raster layers (several
= the dates of one sensor), their dates (read from the file names, or typed) and how they are
resampled onto the primary grid. `rows()` turns the table into `SourceRow`s for the job.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from qgis.core import QgsRasterLayer
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import layers as layer_files
from ..core.layers import InputError
from ..core.source_info import PRIMARY
from ..core.source_jobs import SourceRow, auto_dates, dates_text, parse_dates
from .class_table import add_remove_row
from .i18n import translate
from .raster_layers_combo import RasterLayersCombo

NAME, LAYERS, DATES, RESAMPLE = range(4)
VISIBLE_ROWS = 3


def resampling_texts() -> Dict[str, str]:
    return {"auto": translate("satseg", "auto"), "nearest": translate("satseg", "nearest"),
            "bilinear": translate("satseg", "bilinear"), "cubic": translate("satseg", "cubic"),
            "average": translate("satseg", "average")}


class SourcesTable(QWidget):
    """Sources on the primary image's grid: name, layers, dates, resampling."""

    #: a row was added or removed, or its layers changed
    changed = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.primary_layers: List[QgsRasterLayer] = []
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([translate("satseg", "Name"),
                                              translate("satseg", "Layers"),
                                              translate("satseg", "Dates"),
                                              translate("satseg", "Resampling")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(LAYERS, QHeaderView.Stretch)
        header.setSectionResizeMode(DATES, QHeaderView.Stretch)
        header.setSectionResizeMode(RESAMPLE, QHeaderView.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.series = QCheckBox(translate("satseg", "The ticked images are the dates of one "
                                                    "place (a time series), not tiles"))
        self.series.setVisible(False)
        self.series.toggled.connect(lambda _on: self._primary_changed())
        self.add_button, self.remove_button, buttons = add_remove_row(
            translate("satseg", "Add source"), lambda: self.add_source(), self.remove_selected)
        self.add_button.setToolTip(translate("satseg", "Another sensor or date on the primary "
                                                       "image's grid (e.g. Sentinel-1, a DEM)"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.series)
        layout.addLayout(buttons)
        self._add_primary_row()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + VISIBLE_ROWS * self.table.verticalHeader()
                                  .defaultSectionSize() + 2 * self.table.frameWidth())

    # -- the primary row --------------------------------------------------------------------
    def _add_primary_row(self) -> None:
        self.table.insertRow(0)
        name = QTableWidgetItem(PRIMARY)
        name.setFlags(Qt.ItemIsEnabled)
        font = QFont()
        font.setBold(True)
        name.setFont(font)
        name.setToolTip(translate("satseg", "The primary image: the grid snaps to it. Tick its "
                                            "layers in the Images list."))
        self.table.setItem(0, NAME, name)
        self.table.setCellWidget(0, LAYERS, QLabel())
        self.table.setCellWidget(0, DATES, self._dates_edit())
        self.table.setCellWidget(0, RESAMPLE, self._resampling_combo("auto"))
        self._primary_changed()

    def set_primary_layers(self, layers: Sequence[QgsRasterLayer]) -> None:
        """The layers ticked in the Images list (row 0)."""
        self.primary_layers = list(layers)
        label = self.table.cellWidget(0, LAYERS)
        names = [layer.name() for layer in self.primary_layers]
        label.setText(", ".join(names) or translate("satseg", "(tick an image in the Images "
                                                              "list)"))
        label.setToolTip("\n".join(layer.source() for layer in self.primary_layers))
        self.series.setVisible(len(self.primary_layers) > 1)
        self._fill_dates(0, self.primary_layers)
        self._primary_changed()

    def primary_series(self) -> bool:
        """The primary is a time series (several images ticked as the dates of one place)."""
        return self.series.isChecked() and len(self.primary_layers) > 1

    def _primary_changed(self) -> None:
        series = self.primary_series()
        for column in (DATES, RESAMPLE):
            self.table.cellWidget(0, column).setEnabled(series)
        self.changed.emit()

    # -- other sources ----------------------------------------------------------------------
    def add_source(self, name: str = "", layers: Sequence[QgsRasterLayer] = (),
                   dates: str = "", resampling: str = "auto") -> int:
        """Add a row (a free name like s1 by default); returns its index."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, NAME, QTableWidgetItem(name or self._free_name()))
        combo = RasterLayersCombo()
        self.table.setCellWidget(row, LAYERS, combo)
        self.table.setCellWidget(row, DATES, self._dates_edit())
        self.table.setCellWidget(row, RESAMPLE, self._resampling_combo(resampling))
        combo.layers_changed.connect(lambda c=combo: self._layers_changed(c))
        combo.set_layers(layers)
        if dates:
            self.table.cellWidget(row, DATES).setText(dates)
            self.table.cellWidget(row, DATES).setCursorPosition(0)
        self.changed.emit()
        return row

    def remove_selected(self) -> None:
        """Remove the selected rows (the primary row stays)."""
        for row in sorted({index.row() for index in self.table.selectedIndexes()},
                          reverse=True):
            if row > 0:
                self.table.removeRow(row)
        self.changed.emit()

    def source_count(self) -> int:
        """Rows besides the primary one."""
        return self.table.rowCount() - 1

    def layers_of(self, row: int) -> List[QgsRasterLayer]:
        if row == 0:
            return list(self.primary_layers)
        return self.table.cellWidget(row, LAYERS).layers()

    def _free_name(self) -> str:
        taken = {self.table.item(r, NAME).text() for r in range(self.table.rowCount())
                 if self.table.item(r, NAME) is not None}
        number = 1
        while f"s{number}" in taken:
            number += 1
        return f"s{number}"

    def _layers_changed(self, combo: RasterLayersCombo) -> None:
        for row in range(1, self.table.rowCount()):
            if self.table.cellWidget(row, LAYERS) is combo:
                self._fill_dates(row, combo.layers())
        self.changed.emit()

    # -- cells ------------------------------------------------------------------------------
    def _dates_edit(self) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(translate("satseg", "one date"))
        edit.setToolTip(translate("satseg", "One date per layer (YYYY-MM-DD), in the order of "
                                            "the layers; read from the file names, or typed. "
                                            "Leave empty to use the file names."))
        edit.setProperty("auto", "")
        return edit

    def _resampling_combo(self, value: str) -> QComboBox:
        combo = QComboBox()
        for name, text in resampling_texts().items():
            combo.addItem(text, name)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        combo.setToolTip(translate("satseg", "How the source is put on the primary grid; "
                                             "auto: nearest for class rasters, else bilinear"))
        return combo

    def _fill_dates(self, row: int, layers: Sequence[QgsRasterLayer]) -> None:
        """Dates from the file names, unless the user typed others."""
        edit = self.table.cellWidget(row, DATES)
        paths = [_path(layer) for layer in layers]
        auto = dates_text(auto_dates(paths)) if len(paths) > 1 else ""
        if edit.text() in ("", edit.property("auto")):
            edit.setText(auto)
            edit.setCursorPosition(0)
        edit.setProperty("auto", auto)

    # -- the job ----------------------------------------------------------------------------
    def rows(self) -> List[SourceRow]:
        """The sources of the job: the primary when it is a time series, then the other rows;
        InputError for a layer that is not a file or dates that do not parse."""
        indexes = ([0] if self.primary_series() else []) + list(range(1, self.table.rowCount()))
        return [self.row(index) for index in indexes]

    def row(self, index: int) -> SourceRow:
        name = PRIMARY if index == 0 else self.table.item(index, NAME).text().strip()
        layers = self.layers_of(index)
        paths = [layer_files.file_source(layer) for layer in layers]
        text = self.table.cellWidget(index, DATES).text()
        dates = parse_dates(text, paths, name) if len(paths) > 1 else []
        resampling = str(self.table.cellWidget(index, RESAMPLE).currentData())
        return SourceRow(name=name, paths=paths, dates=dates, resampling=resampling,
                         labels=[layer.name() for layer in layers], primary=index == 0)


def _path(layer: QgsRasterLayer) -> str:
    try:
        return layer_files.file_source(layer)
    except InputError:
        return layer.source()
