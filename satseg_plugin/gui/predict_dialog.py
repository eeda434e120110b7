"""The Predict dialog: a front end to `satseg predict` (and `satseg inspect` for the model).

Choose a raster (map layer or file), a trained model (its header is shown: classes, bands checked
against the raster, patch size, metrics), the area, the outputs and the options; Run predicts in
the background and adds a layer group (classes styled with the model's names and colours,
confidence ramped 0–1) and a summary. "Predict the current map view" is the quick look: the
visible extent, fast settings, a temporary folder, layers replaced on each run. The confidence
preview below the summary highlights where the model is unsure. A model of several sources or
dates gets one layer picker per source (PredictSources); its `images` layer is then the raster.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Callable, Dict, List, Optional

from qgis.core import (
    QgsMapLayerProxyModel,
    QgsProject,
    QgsProviderRegistry,
    QgsRasterLayer,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.gui import QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..core import layers, polygon_style, styling
from ..core.engine_runner import RunState
from ..core.layers import InputError
from ..core.source_info import PRIMARY
from .area_box import AreaBox, canvas_extent
from .confidence_preview import ConfidencePreview
from .i18n import translate
from .predict_model import ModelPanel
from .predict_polygons import PolygonsOption
from .predict_sources import PredictSources
from .predict_summary import SummaryPanel
from .predict_windows import WindowOptions
from .run_panel import RunPanel

#: written by the Train dialog ("use best model for prediction")
LAST_CHECKPOINT_KEY = "satseg/last_checkpoint"
DEVICES = ("auto", "cpu", "cuda")
RESULTS_MIN_WIDTH = 380
#: "Predict the current map view": fast settings
QUICK_SETTINGS: Dict[str, Any] = {"tta": False, "window": "auto", "probabilities": False}
OUTPUT_SUFFIXES = {"classes": "_classes.tif", "confidence": "_confidence.tif",
                   "probabilities": "_probabilities.tif", "summary": "_summary.json",
                   "polygons": "_polygons.gpkg"}


def quick_group_name() -> str:
    return translate("satseg", "satseg — current map view")


class PredictDialog(QDialog):
    """Raster + model + area + outputs + options → `satseg predict` → layer group + summary."""

    #: the run ended (RunState)
    run_finished = pyqtSignal(object)

    def __init__(self, iface: Any, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.iface = iface
        self.class_layer: Optional[QgsRasterLayer] = None
        self.confidence_layer: Optional[QgsRasterLayer] = None
        self.polygon_layer: Optional[QgsVectorLayer] = None
        self._job: Dict[str, Any] = {}
        self._group_name = ""
        self._quick_dir = ""
        self._probe: Optional[QgsRasterLayer] = None
        self._auto_output: Dict[str, str] = {"dir": "", "name": ""}
        self.setObjectName("satsegPredictDialog")
        self.setWindowTitle(translate("satseg", "satseg — Predict"))
        self.setMinimumWidth(1040)

        # -- inputs (left) ----------------------------------------------------------------
        self.source_buttons = QButtonGroup(self)
        self.source_radios = {"layer": QRadioButton(translate("satseg", "Map layer:")),
                              "file": QRadioButton(translate("satseg", "File:"))}
        for radio in self.source_radios.values():
            self.source_buttons.addButton(radio)
        self.source_radios["layer"].setChecked(True)
        self.raster_combo = QgsMapLayerComboBox()
        self.raster_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.raster_combo.layerChanged.connect(self._raster_changed)
        self.raster_file = QgsFileWidget()
        self.raster_file.setFilter(QgsProviderRegistry.instance().fileRasterFilters())
        self.raster_file.fileChanged.connect(self._raster_file_chosen)
        self.raster_box = raster_box = QGroupBox(translate("satseg", "Raster"))
        raster_form = QFormLayout(raster_box)
        raster_form.addRow(self.source_radios["layer"], self.raster_combo)
        raster_form.addRow(self.source_radios["file"], self.raster_file)

        self.model = ModelPanel()
        model_box = QGroupBox(translate("satseg", "Model"))
        QVBoxLayout(model_box).addWidget(self.model)
        self.sources = PredictSources()
        self.sources.changed.connect(self._raster_changed)
        self.sources_box = QGroupBox(translate("satseg", "Sources of the model"))
        QVBoxLayout(self.sources_box).addWidget(self.sources)
        self.sources_box.setVisible(False)
        self.model.header_changed.connect(self._header_changed)

        self.area = AreaBox(iface)
        area_box = QGroupBox(translate("satseg", "Area"))
        QVBoxLayout(area_box).addWidget(self.area)

        self.windows = WindowOptions()
        self.overlap, self.batch_size = self.windows.overlap, self.windows.batch_size
        self.device = QComboBox()
        for device in DEVICES:
            self.device.addItem(device, device)
        self.tta = QCheckBox(translate("satseg", "Test-time augmentation (4 flips, 4× slower)"))
        options_box = QGroupBox(translate("satseg", "Options"))
        options_form = QFormLayout(options_box)
        options_form.addRow(self.windows)
        options_form.addRow(translate("satseg", "Device:"), self.device)
        options_form.addRow(self.tta)

        self.output_dir = QgsFileWidget()
        self.output_dir.setStorageMode(QgsFileWidget.GetDirectory)
        self.name = QLineEdit()
        self.probabilities = QCheckBox(translate("satseg", "Also write one probability band "
                                                           "per class"))
        output_box = QGroupBox(translate("satseg", "Outputs"))
        output_form = QFormLayout(output_box)
        output_form.addRow(translate("satseg", "Folder:"), self.output_dir)
        output_form.addRow(translate("satseg", "Name:"), self.name)
        output_form.addRow(self.probabilities)
        self.polygons = PolygonsOption()
        output_form.addRow(self.polygons)

        # -- results (right) --------------------------------------------------------------
        self.summary = SummaryPanel()
        summary_box = QGroupBox(translate("satseg", "Result"))
        QVBoxLayout(summary_box).addWidget(self.summary)
        self.preview = ConfidencePreview()
        preview_box = QGroupBox(translate("satseg", "Confidence preview"))
        preview_box.setMinimumWidth(RESULTS_MIN_WIDTH)
        QVBoxLayout(preview_box).addWidget(self.preview)

        self.quick_button = QPushButton(translate("satseg", "Predict the current map view"))
        self.quick_button.setToolTip(translate(
            "satseg", "Quick look: the visible extent, large windows, no test-time "
                      "augmentation, outputs in a temporary folder; the layers are replaced on "
                      "each run."))
        self.quick_button.clicked.connect(self.predict_current_view)
        self.panel = RunPanel.for_dialog(self, iface, self.run, self._on_done, self._on_finished,
                                         translate("satseg", "Predict"))

        left = QVBoxLayout()
        left.addWidget(raster_box)
        left.addWidget(model_box)
        left.addWidget(self.sources_box)
        left.addWidget(area_box)
        settings_row = QHBoxLayout()
        settings_row.addWidget(options_box)
        settings_row.addWidget(output_box, 1)
        left.addLayout(settings_row)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(summary_box)
        right.addWidget(preview_box)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.panel)
        _beside_run_button(self.panel, self.quick_button)

        for radio in self.source_radios.values():
            radio.toggled.connect(self._raster_changed)
        image = layers.likely_image(_active_layer(iface))
        if image is not None:
            self.raster_combo.setLayer(image)
        self._raster_changed()
        last = QgsSettings().value(LAST_CHECKPOINT_KEY, "", type=str)
        if last and os.path.isfile(last):
            self.model.set_path(last)

    # -- the raster ---------------------------------------------------------------------------
    def raster_source(self) -> str:
        return "file" if self.source_radios["file"].isChecked() else "layer"

    def primary_from_sources(self) -> bool:
        """The model takes several sources, `images` among them: its layer is the raster."""
        return self.sources.has_primary()

    def raster_layer(self) -> Optional[QgsRasterLayer]:
        """The chosen raster as a layer (a file is opened, not added to the project); for a
        model of several sources, the first layer of its `images` source."""
        if self.primary_from_sources():
            return self.sources.primary_layer()
        if self.raster_source() == "layer":
            layer = self.raster_combo.currentLayer()
            return layer if isinstance(layer, QgsRasterLayer) else None
        path = self.raster_file.filePath().strip()
        if not path:
            return None
        if self._probe is None or self._probe.source() != path:
            self._probe = QgsRasterLayer(path, os.path.basename(path), "gdal")
        return self._probe if self._probe.isValid() else None

    def _raster_file_chosen(self, path: str) -> None:
        if path:
            self.source_radios["file"].setChecked(True)
        self._raster_changed()

    def _raster_changed(self, *_args: Any) -> None:
        layer = self.raster_layer()
        if layer is None:
            self.model.set_raster_bands(None)
            return
        self.model.set_raster_bands(layer.bandCount())
        try:
            path = self._raster_path(layer)
        except InputError:
            return
        folder, stem = os.path.dirname(path), os.path.splitext(os.path.basename(path))[0]
        if self.output_dir.filePath() in ("", self._auto_output["dir"]):
            self.output_dir.setFilePath(folder)
        if self.name.text() in ("", self._auto_output["name"]):
            self.name.setText(stem)
        self._auto_output = {"dir": folder, "name": stem}

    def _raster_path(self, layer: QgsRasterLayer) -> str:
        if self.raster_source() == "file" and not self.primary_from_sources():
            return os.path.abspath(self.raster_file.filePath().strip())
        return layers.file_source(layer)

    def _header_changed(self, header: Dict[str, Any]) -> None:
        """A model of several sources gets a layer picker per source; others the raster."""
        raster = self.raster_layer()
        sources = self.model.sources()
        self.sources.set_sources(sources)
        self.sources_box.setVisible(bool(sources))
        self.raster_box.setVisible(not self.primary_from_sources())
        primary = self.sources.rows.get(PRIMARY)
        if primary is not None and raster is not None and not primary.source.temporal:
            primary.set_layers([raster])  # the raster chosen before stays the images layer
        self._raster_changed()

    # -- the job ------------------------------------------------------------------------------
    def input_keys(self) -> Dict[str, Any]:
        """`raster` (and `sources` for a model of several sources); InputError says what is
        missing or does not fit the model."""
        grid = None
        if not self.primary_from_sources():
            layer = self.raster_layer()
            if layer is None:
                raise InputError(translate("satseg", "Choose the raster to classify (a map "
                                                     "layer or a file GDAL reads)."))
            grid = self._raster_path(layer)
        if not self.sources.sources:
            return {"raster": grid}
        return self.sources.keys(grid)

    def job(self) -> Dict[str, Any]:
        """The `satseg predict` job of the dialog's state; InputError says what is missing."""
        keys = self.input_keys()
        layer = self.raster_layer()
        raster = primary_file(keys)
        checkpoint = self.model.path()
        if not checkpoint:
            raise InputError(translate("satseg", "Choose the model (a .pt file written by "
                                                 "satseg training)."))
        if not os.path.isfile(checkpoint):
            raise InputError(translate("satseg", "The model file {path} does not exist.")
                             .format(path=checkpoint))
        stem = os.path.splitext(os.path.basename(raster))[0]
        job: Dict[str, Any] = {
            **keys, "checkpoint": os.path.abspath(checkpoint),
            "output_dir": os.path.abspath(self.output_dir.filePath().strip()
                                          or os.path.dirname(raster)),
            "name": self.name.text().strip() or stem,
            "device": self.device.currentData(),
            "tta": self.tta.isChecked(),
            "probabilities": self.probabilities.isChecked(),
        }
        job.update(self.windows.keys())
        job.update(self.polygons.keys())
        job.update(self.area.keys(layer))
        return job

    def quick_job(self) -> Dict[str, Any]:
        """The job of "Predict the current map view": the canvas extent, fast settings, a
        temporary folder."""
        layer = self.raster_layer()
        job = self.job()
        job.pop("aoi", None)
        job["extent"] = canvas_extent(self.iface, layer)
        for key in ("overlap", "margin", "window"):  # the fastest windows, whatever is chosen
            job.pop(key, None)
        job.update(QUICK_SETTINGS)
        if not self._quick_dir or not os.path.isdir(self._quick_dir):
            self._quick_dir = tempfile.mkdtemp(prefix="satseg-view-")
        job["output_dir"] = self._quick_dir
        job["name"] = f"{os.path.splitext(os.path.basename(primary_file(job)))[0]}_view"
        return job

    # -- running ------------------------------------------------------------------------------
    def run(self) -> None:
        """Check the inputs and start `satseg predict` (returns at once)."""
        self._start(self.job, None)

    def predict_current_view(self) -> None:
        """Predict what the map shows now, quickly, replacing the previous quick look."""
        self._start(self.quick_job, quick_group_name())

    def _start(self, make_job: Callable[[], Dict[str, Any]], group_name: Optional[str]) -> None:
        job = self.panel.job_or_none(make_job)
        if job is None:
            return
        self._job = job
        self._group_name = group_name or translate("satseg", "Prediction: {name}").format(
            name=job["name"])
        self._release_outputs(job)
        self.polygon_layer = None
        self.quick_button.setEnabled(False)
        self.summary.clear()
        self.panel.show_message(translate("satseg", "Predicting…"))
        self.panel.start("predict", job, translate("satseg", "Predict"))

    def _release_outputs(self, job: Dict[str, Any]) -> None:
        """Remove the layers that read the files this run rewrites (and their group)."""
        project = QgsProject.instance()
        styling.remove_group(project, self._group_name)
        for path in output_paths(job).values():
            stale = [layer.id() for layer in layers.layers_with_file(path)]
            if stale:
                project.removeMapLayers(stale)

    def _on_done(self, summary: dict) -> None:
        outputs = summary.get("outputs") or output_paths(self._job)
        header_colours = {int(c["value"]): c.get("colour")
                          for c in self.model.header.get("classes") or []}
        classes = [{"value": c["value"], "name": c["name"],
                    "colour": header_colours.get(int(c["value"]))}
                   for c in summary.get("classes") or []]
        try:
            self.class_layer, self.confidence_layer = styling.load_prediction_group(
                QgsProject.instance(), outputs, classes or None, self._group_name)
        except ValueError as problem:
            self.panel.show_message(str(problem), "error")
            return
        shown = [{"value": e.value, "colour": e.color.name()}
                 for e in self.class_layer.renderer().classes()]
        if outputs.get("polygons"):
            self._add_polygons(str(outputs["polygons"]))
        units = self.class_layer.crs().mapUnits()
        self.summary.set_summary(summary, shown, units)
        self.preview.set_layer(self.confidence_layer)
        self.panel.show_message(translate(
            "satseg", "Added to the map as the group '{group}' (files in {folder}).").format(
            group=self._group_name, folder=os.path.dirname(str(outputs["classes"]))), "success")

    def _add_polygons(self, path: str) -> None:
        """The polygons at the top of the group, in the class layer's colours and names."""
        classes = [{"value": e.value, "colour": e.color.name(), "name": e.label}
                   for e in self.class_layer.renderer().classes()]
        title = polygon_style.polygons_title(self._job.get("name") or "")
        try:
            self.polygon_layer = polygon_style.add_polygons_layer(
                QgsProject.instance(), path, title, classes, self._group_name)
        except ValueError as problem:
            self.panel.show_message(str(problem), "error")

    def _on_finished(self, state: RunState) -> None:
        self.quick_button.setEnabled(True)
        self.run_finished.emit(state)

    def result_state(self) -> RunState:
        runner = self.panel.runner
        return runner.state if runner is not None else RunState.IDLE

    # -- closing ------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        """Closing the dialog cancels a run and puts the previous map tool back."""
        self.panel.cancel()
        self.model.cancel()
        self.area.release_tool()
        super().done(result)

    def dispose(self) -> None:
        """Remove the rectangle tool and restore a previewed layer."""
        self.area.dispose()
        self.preview.dispose()


def primary_file(job: Dict[str, Any]) -> str:
    """The raster a predict job's grid comes from: `raster`, else the first `images` file."""
    return str(job.get("raster") or job["sources"]["images"][0])


def output_paths(job: Dict[str, Any]) -> Dict[str, str]:
    """role -> file `satseg predict` writes for `job`."""
    roles: List[str] = ["classes", "confidence", "summary"]
    if job.get("probabilities"):
        roles.append("probabilities")
    if job.get("vectorize"):
        roles.append("polygons")
    return {role: os.path.join(job["output_dir"], f"{job['name']}{OUTPUT_SUFFIXES[role]}")
            for role in roles}


def _beside_run_button(panel: RunPanel, button: QPushButton) -> None:
    """Put `button` just before the panel's Run button (in the panel's button row)."""
    for index in range(panel.layout().count()):
        row = panel.layout().itemAt(index).layout()
        if row is not None and row.indexOf(panel.run_button) >= 0:
            row.insertWidget(row.indexOf(panel.run_button), button)
            return
    panel.layout().addWidget(button)


def _active_layer(iface: Any) -> Any:
    try:
        return iface.activeLayer()
    except Exception:  # noqa: BLE001 - an interface without layers is fine
        return None
