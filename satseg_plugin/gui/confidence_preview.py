"""The confidence preview: pick a threshold and see at once where the model is unsure.

It re-renders a confidence layer (the last prediction's, or any one-band raster chosen in its
combo box) so that pixels below the threshold stand out in magentas, confident ones faint or
transparent; turning it off puts the layer's own renderer back.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from qgis.core import QgsMapLayerProxyModel, QgsMapLayerStyle, QgsProject, QgsRasterLayer
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QWidget,
)

from ..core import styling
from .i18n import translate

DEFAULT_THRESHOLD = 0.5
SLIDER_STEPS = 100


class ConfidencePreview(QWidget):
    """Layer + threshold (slider and spin box, 0–1) + "hide confident pixels" + on/off."""

    #: the preview was applied, changed or removed
    changed = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self._saved: Dict[str, QgsMapLayerStyle] = {}  # layer id -> style before the preview
        self._histograms: Dict[str, List[int]] = {}
        self._applied_to: Optional[QgsRasterLayer] = None
        self._applied_id = ""
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.layer_combo.setAllowEmptyLayer(True)
        self.layer_combo.setLayer(None)
        self.layer_combo.layerChanged.connect(self._layer_changed)
        self.enabled = QCheckBox(translate("satseg", "Highlight unsure pixels"))
        self.enabled.toggled.connect(self._refresh)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(0.0, 1.0)
        self.spin.setSingleStep(0.05)
        self.spin.setDecimals(2)
        self.spin.setMaximumWidth(90)
        self.slider.valueChanged.connect(lambda v: self.spin.setValue(v / SLIDER_STEPS))
        self.spin.valueChanged.connect(self._threshold_changed)
        self.hide_confident = QCheckBox(translate("satseg", "Hide confident pixels"))
        self.hide_confident.setChecked(True)
        self.hide_confident.setToolTip(translate(
            "satseg", "Confident pixels become transparent, so the class layer beneath shows "
                      "through; unticked, they are covered by a light veil."))
        self.hide_confident.toggled.connect(self._refresh)
        self.share = QLabel()
        self.share.setWordWrap(True)

        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.slider, 1)
        threshold_row.addWidget(self.spin)
        form = QFormLayout(self)
        form.addRow(translate("satseg", "Confidence layer:"), self.layer_combo)
        form.addRow(self.enabled)
        form.addRow(translate("satseg", "Unsure below:"), threshold_row)
        form.addRow(self.hide_confident)
        form.addRow(self.share)
        self.set_threshold(DEFAULT_THRESHOLD)
        self._update_controls()

    # -- state ------------------------------------------------------------------------------
    def layer(self) -> Optional[QgsRasterLayer]:
        layer = self.layer_combo.currentLayer()
        return layer if isinstance(layer, QgsRasterLayer) else None

    def set_layer(self, layer: Optional[QgsRasterLayer]) -> None:
        """Act on `layer` from now on (the preview, if on, moves to it)."""
        self.layer_combo.setLayer(layer)

    def threshold(self) -> float:
        return round(self.spin.value(), 2)

    def set_threshold(self, value: float) -> None:
        self.spin.setValue(value)

    def is_active(self) -> bool:
        return self._applied_to is not None

    # -- reactions ---------------------------------------------------------------------------
    def _threshold_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(value * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self._refresh()

    def _layer_changed(self, _layer: object) -> None:
        self.restore()
        self._refresh()

    def _refresh(self) -> None:
        """Apply the preview to the chosen layer (when on), or restore it (when off)."""
        layer = self.layer()
        if self.enabled.isChecked() and layer is not None and layer.bandCount() == 1:
            if self._applied_to is not None and self._applied_to is not layer:
                self.restore()
            layer_id = layer.id()
            if layer_id not in self._saved:
                style = QgsMapLayerStyle()
                style.readFromLayer(layer)  # the whole style: a renderer clone loses min/max
                self._saved[layer_id] = style
                layer.willBeDeleted.connect(lambda: self._forget(layer_id))
            styling.apply_confidence_preview(layer, self.threshold(),
                                             self.hide_confident.isChecked())
            _show_in_tree(layer)
            self._applied_to, self._applied_id = layer, layer_id
        else:
            self.restore()
        self._update_controls()
        self.changed.emit()

    def restore(self) -> None:
        """Put back the style the previewed layer had before the preview."""
        layer, layer_id = self._applied_to, self._applied_id
        self._applied_to, self._applied_id = None, ""
        saved = self._saved.pop(layer_id, None)
        if layer is None or sip.isdeleted(layer):
            return
        if saved is not None:
            saved.writeToLayer(layer)
            layer.triggerRepaint()

    def _forget(self, layer_id: str) -> None:
        self._saved.pop(layer_id, None)
        self._histograms.pop(layer_id, None)
        if self._applied_id == layer_id:
            self._applied_to, self._applied_id = None, ""

    def _update_controls(self) -> None:
        layer = self.layer()
        usable = layer is not None and layer.bandCount() == 1
        self.enabled.setEnabled(usable)
        for widget in (self.slider, self.spin, self.hide_confident):
            widget.setEnabled(usable)
        if not usable:
            self.share.setText(translate("satseg", "Choose a confidence layer (one band, "
                                                   "0–1): a prediction adds one.")
                               if layer is None else
                               translate("satseg", "This layer has several bands; choose a "
                                                   "confidence layer."))
            return
        share = styling.share_below(self._histogram(layer), self.threshold())
        self.share.setText("" if share is None else translate(
            "satseg", "{share} of the pixels have a confidence below {threshold}.").format(
            share=f"{share:.1%}", threshold=f"{self.threshold():.2f}"))

    def _histogram(self, layer: QgsRasterLayer) -> List[int]:
        if layer.id() not in self._histograms:
            self._histograms[layer.id()] = styling.confidence_histogram(layer)
        return self._histograms[layer.id()]

    def dispose(self) -> None:
        """Restore the layer before the widget goes."""
        self.enabled.setChecked(False)
        self.restore()


def _show_in_tree(layer: QgsRasterLayer) -> None:
    node = QgsProject.instance().layerTreeRoot().findLayer(layer.id())
    if node is not None:
        node.setItemVisibilityChecked(True)
        parent = node.parent()
        if parent is not None and hasattr(parent, "setItemVisibilityChecked"):
            parent.setItemVisibilityChecked(True)
