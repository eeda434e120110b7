"""The Predict dialog's result box: area and share per class, mean confidence."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from qgis.core import QgsUnitTypes
from qgis.PyQt.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .i18n import translate
from .predict_model import fit_rows, read_only_table, swatch


def format_area(area: float, units: Any) -> str:
    """An area in map units² as people read it: m², ha or km² for metres."""
    if units == QgsUnitTypes.DistanceMeters:
        if area >= 1e6:
            return f"{area / 1e6:,.2f} km²".replace(",", "\u202f")
        if area >= 1e4:
            return f"{area / 1e4:,.2f} ha".replace(",", "\u202f")
        return f"{area:,.0f} m²".replace(",", "\u202f")
    return f"{area:.4g} {QgsUnitTypes.toAbbreviatedString(units)}²"


class SummaryPanel(QWidget):
    """A table (class, area, share) and a line with the mean confidence."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.headline = QLabel(translate("satseg", "No prediction yet."))
        self.headline.setWordWrap(True)
        self.table = read_only_table([translate("satseg", "Class"), translate("satseg", "Area"),
                                      translate("satseg", "Share")], stretch=0)
        self.table.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.table)

    def clear(self) -> None:
        self.headline.setText(translate("satseg", "No prediction yet."))
        self.table.setRowCount(0)
        self.table.hide()

    def set_summary(self, summary: Mapping[str, Any], classes: Sequence[Mapping[str, Any]],
                    units: Any) -> None:
        """Show the `done` summary of `satseg predict`; `classes` give the colours."""
        colours = {int(c["value"]): str(c.get("colour") or "") for c in classes}
        rows: List[Dict[str, Any]] = list(summary.get("classes") or [])
        self.table.setRowCount(0)
        for row_data in rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, 0, QTableWidgetItem(
                swatch(colours.get(int(row_data["value"]), "")), str(row_data["name"])))
            self.table.setItem(row, 1, QTableWidgetItem(format_area(float(row_data["area"]),
                                                                    units)))
            self.table.setItem(row, 2, QTableWidgetItem(f"{row_data['fraction']:.1%}"))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        fit_rows(self.table)
        self.table.setVisible(bool(rows))
        mean = summary.get("mean_confidence")
        seconds = float(summary.get("seconds") or summary.get("prediction_seconds") or 0)
        self.headline.setText(translate(
            "satseg", "{width} × {height} pixels predicted in {seconds} s; mean confidence "
                      "{mean}.").format(
            width=summary.get("width", "?"), height=summary.get("height", "?"),
            seconds=f"{seconds:.1f}",
            mean="-" if mean is None else f"{mean:.2f}"))

    def rows(self) -> List[List[str]]:
        """The table as text (what the user reads)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
