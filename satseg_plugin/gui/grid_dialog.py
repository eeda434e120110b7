"""The Grid dialog: a front end to `satseg grid`.

Choose a raster, the area (whole raster, a rectangle drawn on the map, or AOI polygons), the
cells and the split; Run writes a GeoPackage, added to the map styled by split so cells can be
edited by hand before extraction.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

from qgis.core import QgsMapLayerProxyModel, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core import layers
from ..core.engine_runner import RunState
from ..core.layers import InputError
from .area_box import AreaBox
from .grid_options import GridOptions
from .i18n import translate
from .run_panel import RunPanel

AREAS = ("raster", "rectangle", "aoi")


class GridDialog(QDialog):
    """Raster + area + cells + split + labels + output → `satseg grid` → styled grid layer."""

    #: the run ended (RunState)
    run_finished = pyqtSignal(object)

    def __init__(self, iface: Any, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.iface = iface
        self.grid_layer: Optional[QgsVectorLayer] = None
        self._job: Dict[str, Any] = {}
        self.setObjectName("satsegGridDialog")
        self.setWindowTitle(translate("satseg", "satseg — Grid"))
        self.setMinimumWidth(620)

        self.raster = QgsMapLayerComboBox()
        self.raster.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.raster.layerChanged.connect(self._raster_changed)
        self.area = AreaBox(iface, AREAS,
                            {"aoi": translate("satseg", "Polygons of a layer (AOI)")},
                            aoi_beside=True, aoi_optional=False)
        area_box = QGroupBox(translate("satseg", "Raster and area"))
        area_form = QFormLayout(area_box)
        area_form.addRow(translate("satseg", "Raster:"), self.raster)
        area_form.addRow(self.area)

        self.options = GridOptions()
        self.area.aoi.layerChanged.connect(self.options.set_aoi_layer)
        cells_box = QGroupBox(translate("satseg", "Cells and split"))
        QVBoxLayout(cells_box).addWidget(self.options)

        self.labels = QgsMapLayerComboBox()
        self.labels.setFilters(QgsMapLayerProxyModel.RasterLayer
                               | QgsMapLayerProxyModel.PolygonLayer)
        self.labels.setAllowEmptyLayer(True)
        self.labels.setLayer(None)
        self.labels.layerChanged.connect(self._labels_changed)
        self.label_field = QgsFieldComboBox()
        self.min_labelled = QSpinBox()
        self.min_labelled.setRange(0, 100)
        self.min_labelled.setValue(1)
        self.min_labelled.setSuffix(" %")
        self.min_labelled.setMaximumWidth(140)
        labels_box = QGroupBox(translate(
            "satseg", "Labels (optional: drop unlabelled cells, split with every class)"))
        labels_form = QFormLayout(labels_box)
        labels_form.addRow(translate("satseg", "Label layer:"), self.labels)
        labels_form.addRow(translate("satseg", "Class field:"), self.label_field)
        labels_form.addRow(translate("satseg", "Min. labelled pixels per cell:"),
                           self.min_labelled)
        self.labels_form = labels_form

        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.SaveFile)
        self.output.setFilter(translate("satseg", "GeoPackage (*.gpkg)"))
        self.output.setConfirmOverwrite(False)
        self.overwrite = QCheckBox(translate("satseg", "Replace an existing file"))
        output_box = QGroupBox(translate("satseg", "Output"))
        output_form = QFormLayout(output_box)
        output_form.addRow(translate("satseg", "Grid GeoPackage:"), self.output)
        output_form.addRow("", self.overwrite)

        self.panel = RunPanel.for_dialog(self, iface, self.run, self._on_done, self.run_finished)

        layout = QVBoxLayout(self)
        layout.addWidget(area_box)
        layout.addWidget(cells_box)
        layout.addWidget(labels_box)
        layout.addWidget(output_box)
        layout.addStretch(1)
        layout.addWidget(self.panel)
        image = layers.likely_image(_active_layer(iface))
        if image is not None:
            self.raster.setLayer(image)
        self._raster_changed(self.raster.currentLayer())
        self.options.set_aoi_layer(self.area.aoi.currentLayer())
        self._labels_changed(None)

    # -- widgets ----------------------------------------------------------------------------
    def _raster_changed(self, layer: Any) -> None:
        self.options.set_raster(layer)
        if isinstance(layer, QgsRasterLayer) and not self.output.filePath():
            try:
                source = layers.file_source(layer)
            except InputError:
                return
            stem = os.path.splitext(source)[0]
            self.output.setFilePath(f"{stem}_grid.gpkg")

    def _labels_changed(self, layer: Any) -> None:
        is_vector = isinstance(layer, QgsVectorLayer)
        self.label_field.setLayer(layer if is_vector else None)
        if is_vector and "class" in layer.fields().names():
            self.label_field.setField("class")
        for widget in (self.label_field,):
            widget.setVisible(is_vector)
            self.labels_form.labelForField(widget).setVisible(is_vector)
        self.min_labelled.setEnabled(layer is not None)

    # -- the job ----------------------------------------------------------------------------
    def job(self) -> Dict[str, Any]:
        """The `satseg grid` job of the dialog's state; InputError says what is missing."""
        raster = self.raster.currentLayer()
        if raster is None:
            raise InputError(translate("satseg", "Choose the raster the grid is laid on "
                                                 "(load one into the project first)."))
        job: Dict[str, Any] = {"image": layers.file_source(raster)}
        job.update(self.area.keys(raster))
        if self.options.method() == "attribute" and self.area.area() != "aoi":
            raise InputError(translate("satseg", "The split 'From an AOI attribute' needs "
                                                 "the area 'Polygons of a layer (AOI)'."))
        job.update(self.options.keys())
        label_layer = self.labels.currentLayer()
        if label_layer is not None:
            job["labels"] = layers.file_source(label_layer)
            job["min_labelled_frac"] = self.min_labelled.value() / 100
            if isinstance(label_layer, QgsVectorLayer):
                field = self.label_field.currentField()
                if not field:
                    raise InputError(translate("satseg", "Choose the class field of the "
                                                         "label layer."))
                job["label_kind"] = "vector"
                job["label_field"] = field
            else:
                job["label_kind"] = "raster"
        job.update(RunPanel.output_keys(self.output, self.overwrite, "output", translate(
            "satseg", "Choose where to save the grid (Grid GeoPackage)."), suffix=".gpkg"))
        return job

    # -- running ----------------------------------------------------------------------------
    def run(self) -> None:
        """Check the inputs and start `satseg grid` (returns at once)."""
        job = self.panel.job_or_none(self.job)
        if job is None:
            return
        self.panel.show_message(translate("satseg", "Laying the grid…"))
        self._job = job
        self.panel.start("grid", job, translate("satseg", "Grid"))

    def _on_done(self, summary: dict) -> None:
        path = str(summary.get("output") or self._job["output"])
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            self.grid_layer = layers.load_grid(path, name)
        except InputError as problem:
            self.panel.show_message(str(problem), "error")
            return
        splits = summary.get("splits") or {}
        self.panel.show_message(translate(
            "satseg", "{cells} cells: {train} train, {validation} validation, {test} test, "
                      "{unassigned} unassigned. Added to the map as '{name}': edit cells or "
                      "their split there before extracting.").format(
            cells=summary.get("cells", 0), train=splits.get("train", 0),
            validation=splits.get("validation", 0), test=splits.get("test", 0),
            unassigned=splits.get("unassigned", 0), name=name), "success")

    def result_state(self) -> RunState:
        runner = self.panel.runner
        return runner.state if runner is not None else RunState.IDLE

    def done(self, result: int) -> None:
        """Closing the dialog cancels a run and puts the previous map tool back."""
        self.panel.cancel()
        self.area.release_tool()
        super().done(result)

    def dispose(self) -> None:
        """Remove the rectangle tool's rubber band from the canvas."""
        self.area.dispose()


def _active_layer(iface: Any) -> Any:
    try:
        return iface.activeLayer()
    except Exception:  # noqa: BLE001 - an interface without layers is fine
        return None

