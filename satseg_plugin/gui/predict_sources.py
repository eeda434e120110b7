"""The Predict dialog's Sources box, for a model of several sources or dates: one row per source
of the model (from its header), each with its layer(s) and whether they fit.

A single-date source takes one layer; a time series takes one layer per date (at most its date
slots). Each row says at once when a layer has other bands than the model's; `keys()` checks
everything again and gives the predict job's `raster` and `sources`.
"""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional, Sequence, Union

from qgis.core import QgsMapLayerProxyModel, QgsProject, QgsRasterLayer
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from ..core import layers as layer_files
from ..core.source_info import PRIMARY, SourceSummary, date_in_name
from ..core.source_jobs import layers_problem, predict_keys, source_text
from .i18n import translate
from .raster_layers_combo import RasterLayersCombo

WARNING_STYLE = "color:#c53030;"
OK_STYLE = "color:#276749;"


class SourceLayers:
    """One source of the model: its name and bands, a layer picker, a status line."""

    def __init__(self, source: SourceSummary):
        self.source = source
        self.label = QLabel(html.escape(source_text(source)))
        self.label.setToolTip(", ".join(source.band_names))
        self.picker: Union[RasterLayersCombo, QgsMapLayerComboBox]
        if source.temporal:
            self.picker = RasterLayersCombo()
            self.picker.setToolTip(translate("satseg", "One layer per date, at most {slots}; "
                                                       "their dates are read from the file "
                                                       "names").format(slots=source.slots))
        else:
            self.picker = QgsMapLayerComboBox()
            self.picker.setFilters(QgsMapLayerProxyModel.RasterLayer)
            self.picker.setAllowEmptyLayer(True)
            self.picker.setLayer(None)
        self.ok = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)

    def layers(self) -> List[QgsRasterLayer]:
        if isinstance(self.picker, RasterLayersCombo):
            return self.picker.layers()
        layer = self.picker.currentLayer()
        return [layer] if isinstance(layer, QgsRasterLayer) else []

    def set_layers(self, layers: Sequence[QgsRasterLayer]) -> None:
        if isinstance(self.picker, RasterLayersCombo):
            self.picker.set_layers(layers)
        else:
            self.picker.setLayer(layers[0] if layers else None)

    def problem(self) -> str:
        return layers_problem(self.source, [(layer.name(), layer.bandCount())
                                            for layer in self.layers()])

    def show_status(self) -> None:
        """✓ beside the picker, or what does not fit on the line below it."""
        problem = self.problem()
        self.ok.setText("" if problem else f'<span style="{OK_STYLE}">✓</span>')
        self.status.setText(f'<span style="{WARNING_STYLE}">'
                            f'{html.escape(problem, quote=False)}</span>' if problem else "")
        self.status.setVisible(bool(problem))

    def widgets(self) -> List[QWidget]:
        return [self.label, self.picker, self.ok, self.status]


class PredictSources(QWidget):
    """A layer picker per source of the model; `keys()` gives the job's raster and sources."""

    #: a source's layers changed
    changed = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.sources: List[SourceSummary] = []
        self.rows: Dict[str, SourceLayers] = {}
        #: source name -> ids of the layers last chosen for it (kept when the model is re-read)
        self.remembered: Dict[str, List[str]] = {}
        self.rows_widget = QWidget()
        self.grid = QGridLayout(self.rows_widget)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.rows_widget)
        layout.addWidget(self.note)

    def set_sources(self, sources: Sequence[SourceSummary]) -> None:
        """One row per source of the model ([]: a single-source model, no rows); a source
        of the same name gets the layers it had."""
        for name, row in self.rows.items():
            self.remembered[name] = [layer.id() for layer in row.layers()]
            for widget in row.widgets():
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.sources = list(sources)
        self.rows = {}
        for index, source in enumerate(self.sources):
            row = SourceLayers(source)
            project = QgsProject.instance()
            row.set_layers([layer for layer in (project.mapLayer(i) for i in
                                                self.remembered.get(source.name, []))
                            if isinstance(layer, QgsRasterLayer)])
            if isinstance(row.picker, RasterLayersCombo):
                row.picker.layers_changed.connect(self._changed)
            else:
                row.picker.layerChanged.connect(lambda _layer: self._changed())
            self.grid.addWidget(row.label, index * 2, 0)
            self.grid.addWidget(row.picker, index * 2, 1)
            self.grid.addWidget(row.ok, index * 2, 2)
            self.grid.addWidget(row.status, index * 2 + 1, 1, 1, 2)
            self.rows[source.name] = row
        self.note.setText("" if self.has_primary() or not self.sources else translate(
            "satseg", "This model does not use the images source: the Raster above sets the "
                      "grid of the prediction."))
        self.note.setVisible(bool(self.note.text()))
        self._changed()

    def has_primary(self) -> bool:
        """The model uses the primary source `images` (its layer is the prediction's grid)."""
        return PRIMARY in self.rows

    def primary_layer(self) -> Optional[QgsRasterLayer]:
        """The `images` layer (of a time series, the first date's, whose grid the engine
        uses); None when none is chosen or the model does not use `images`."""
        layers = self.rows[PRIMARY].layers() if self.has_primary() else []
        layers.sort(key=lambda layer: date_in_name(layer.source()) or "~")
        return layers[0] if layers else None

    def set_layers(self, name: str, layers: Sequence[QgsRasterLayer]) -> None:
        self.rows[name].set_layers(layers)

    def problems(self) -> List[str]:
        return [text for text in (row.problem() for row in self.rows.values()) if text]

    def keys(self, raster: Optional[str] = None) -> Dict[str, Any]:
        """The predict job's `sources` (and `raster`); InputError says what to fix. `raster`: the
        grid of a model that does not use `images`."""
        chosen = {name: [(layer_files.file_source(layer), layer.name(), layer.bandCount())
                         for layer in row.layers()] for name, row in self.rows.items()}
        return predict_keys(self.sources, chosen, raster)

    def _changed(self) -> None:
        for row in self.rows.values():
            row.show_status()
        self.changed.emit()
