"""Grid and split keys shared by the grid dialog and the extraction dialog's automatic grid:
patch size (also shown in map units), overlap, nodata threshold, split method, ratios, seed."""

from __future__ import annotations

from typing import Any, Dict, Optional

from qgis.core import QgsRasterLayer
from qgis.gui import QgsFieldComboBox
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from ..core.layers import InputError, patch_size_text, split_texts
from .i18n import translate

SPLIT_METHODS = ("random", "blocks", "attribute", "none")


def split_method_texts() -> Dict[str, str]:
    return {"random": translate("satseg", "Random cells"),
            "blocks": translate("satseg", "Spatial blocks (no touching train and test)"),
            "attribute": translate("satseg", "From an AOI attribute"),
            "none": translate("satseg", "None (assign splits by hand later)")}


class GridOptions(QWidget):
    """Form rows for the grid keys; `keys()` returns them as job keys."""

    def __init__(self, with_attribute: bool = True, with_none: bool = True,
                 parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.raster: Optional[QgsRasterLayer] = None
        self.patch_size = QSpinBox()
        self.patch_size.setRange(8, 8192)
        self.patch_size.setSingleStep(32)
        self.patch_size.setValue(256)
        self.patch_size.setSuffix(" px")
        self.ground_size = QLabel()
        self.patch_size.valueChanged.connect(self._update_ground_size)
        self.overlap = QSpinBox()
        self.overlap.setRange(0, 8191)
        self.overlap.setSuffix(" px")
        self.max_nodata = QSpinBox()
        self.max_nodata.setRange(0, 100)
        self.max_nodata.setValue(50)
        self.max_nodata.setSuffix(" %")
        self.max_nodata.setToolTip(translate("satseg", "Cells with a larger share of nodata "
                                                       "pixels are dropped"))

        self.split_method = QComboBox()
        texts = split_method_texts()
        for method in SPLIT_METHODS:
            if (method == "attribute" and not with_attribute) or (method == "none"
                                                                  and not with_none):
                continue
            self.split_method.addItem(texts[method], method)
        self.split_method.currentIndexChanged.connect(self._update_visibility)
        self.ratios = [self._ratio_spin(v) for v in (70, 15, 15)]
        ratio_row = QHBoxLayout()
        for spin, text in zip(self.ratios, list(split_texts().values())[:3], strict=True):
            ratio_row.addWidget(QLabel(text))
            ratio_row.addWidget(spin)
        ratio_row.addStretch(1)
        self.ratio_widget = QWidget()
        self.ratio_widget.setLayout(ratio_row)
        ratio_row.setContentsMargins(0, 0, 0, 0)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(42)
        self.block_size = QSpinBox()
        self.block_size.setRange(0, 1000)
        self.block_size.setValue(0)
        self.block_size.setSuffix(translate("satseg", " cells"))
        # 0 = the engine's choice: 4, 2 or 1 cells, whichever splits the cells most evenly
        self.block_size.setSpecialValueText(translate("satseg", "Auto"))
        self.block_size.setToolTip(translate("satseg", "Side of a spatial block, in cells; "
                                                       "all cells of a block share a split. "
                                                       "Auto: 4, 2 or 1 cells, whichever "
                                                       "splits the cells most evenly"))
        self.attribute = QgsFieldComboBox()
        self.attribute.setToolTip(translate("satseg", "AOI field holding train / validation / "
                                                      "test"))

        for spin in (self.patch_size, self.overlap, self.max_nodata, self.seed,
                     self.block_size):
            spin.setMinimumWidth(110)
            spin.setMaximumWidth(140)
        size_row = QHBoxLayout()
        size_row.setContentsMargins(0, 0, 0, 0)
        size_row.addWidget(self.patch_size)
        size_row.addWidget(self.ground_size, 1)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(translate("satseg", "Patch size:"), size_row)
        self.form.addRow(translate("satseg", "Overlap:"), self.overlap)
        self.form.addRow(translate("satseg", "Max. nodata per cell:"), self.max_nodata)
        self.form.addRow(translate("satseg", "Split:"), self.split_method)
        self.form.addRow(translate("satseg", "Ratios (%):"), self.ratio_widget)
        self.form.addRow(translate("satseg", "Seed:"), self.seed)
        self.form.addRow(translate("satseg", "Block size:"), self.block_size)
        self.form.addRow(translate("satseg", "Split field:"), self.attribute)
        self._update_ground_size()
        self._update_visibility()

    @staticmethod
    def _ratio_spin(value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, 100)
        spin.setValue(value)
        return spin

    def set_raster(self, layer: Optional[QgsRasterLayer]) -> None:
        """The raster the grid is snapped to (for the patch size in map units)."""
        self.raster = layer if isinstance(layer, QgsRasterLayer) else None
        self._update_ground_size()

    def set_aoi_layer(self, layer: Any) -> None:
        self.attribute.setLayer(layer)

    def method(self) -> str:
        return str(self.split_method.currentData())

    def _update_ground_size(self) -> None:
        _, _, ground = patch_size_text(self.raster, self.patch_size.value()).partition(" = ")
        self.ground_size.setText(f"= {ground}" if ground else "")

    def _update_visibility(self) -> None:
        method = self.method()
        for widget, visible in ((self.ratio_widget, method in ("random", "blocks")),
                                (self.seed, method in ("random", "blocks")),
                                (self.block_size, method == "blocks"),
                                (self.attribute, method == "attribute")):
            widget.setVisible(visible)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)

    def keys(self) -> Dict[str, Any]:
        """The grid keys of a job; InputError for impossible values."""
        patch = self.patch_size.value()
        overlap = self.overlap.value()
        if overlap >= patch:
            raise InputError(translate("satseg", "The overlap ({overlap} px) must be smaller "
                                                 "than the patch size ({patch} px).").format(
                overlap=overlap, patch=patch))
        method = self.method()
        keys: Dict[str, Any] = {"patch_size": patch, "overlap": overlap,
                                "max_nodata_frac": self.max_nodata.value() / 100,
                                "split_method": method}
        if method in ("random", "blocks"):
            ratios = [spin.value() for spin in self.ratios]
            if sum(ratios) <= 0:
                raise InputError(translate("satseg", "The split ratios add up to 0; give the "
                                                     "training split a share."))
            keys["ratios"] = [round(r / sum(ratios), 6) for r in ratios]
            keys["seed"] = self.seed.value()
        if method == "blocks":
            keys["block_size"] = self.block_size.value()
        if method == "attribute":
            field = self.attribute.currentField()
            if not field:
                raise InputError(translate("satseg", "Choose the AOI field that holds train / "
                                                     "validation / test."))
            keys["split_attribute"] = field
        return keys
