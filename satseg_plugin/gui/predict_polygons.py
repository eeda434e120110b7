"""The Predict dialog's "Polygons" option: also write the class map as polygons (the engine's
`vectorize` and `vectorize_min_size` keys), segments under a size merged into their neighbours."""

from __future__ import annotations

from typing import Any, Dict, Optional

from qgis.PyQt.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from .i18n import translate

#: default smallest segment kept, in pixels (smaller ones take their largest neighbour's class)
DEFAULT_MIN_SIZE = 8
MAX_MIN_SIZE = 1024


class PolygonsOption(QWidget):
    """A "Polygons" checkbox and the smallest segment kept, in pixels."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.enabled = QCheckBox(translate("satseg", "Polygons (GeoPackage)"))
        self.enabled.setToolTip(translate(
            "satseg", "Also write the classes as polygons with class name, colour, area and "
                      "mean confidence, and add them to the map styled by class."))
        self.min_size = QSpinBox()
        self.min_size.setRange(0, MAX_MIN_SIZE)
        self.min_size.setValue(DEFAULT_MIN_SIZE)
        self.min_size.setSuffix(translate("satseg", " px"))
        self.min_size.setToolTip(translate(
            "satseg", "Segments smaller than this many pixels take the class of their largest "
                      "neighbour before polygonising (0: keep every segment)."))
        self.min_label = QLabel(translate("satseg", "smallest segment:"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.min_label)
        layout.addWidget(self.min_size)
        layout.addStretch(1)
        self.enabled.toggled.connect(self._toggled)
        self._toggled(False)

    def _toggled(self, on: bool) -> None:
        self.min_size.setEnabled(on)
        self.min_label.setEnabled(on)

    def keys(self) -> Dict[str, Any]:
        """The predict job's keys for this option (none when it is off: the engine's default)."""
        if not self.enabled.isChecked():
            return {}
        return {"vectorize": True, "vectorize_min_size": self.min_size.value()}
