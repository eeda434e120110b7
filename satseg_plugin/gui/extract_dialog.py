"""The Extract patches dialog: a front end to `satseg extract` (then `satseg preview`).

Image layer(s), other sources on the image's grid (other sensors, dates: the Sources table), a
label layer (class raster, RGB colour mask, or polygons + class field), a grid layer (or a grid
built on the fly), an output folder, optional bands and an editable class table. Run cuts the
dataset; the dialog then shows its summary and a preview of sample patches.
"""

from __future__ import annotations

import html
import os
from typing import Any, Dict, List, Optional

from qgis.core import (
    QgsMapLayer,
    QgsMapLayerProxyModel,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.gui import QgsCheckableComboBox, QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QPixmap
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core import layers
from ..core.engine_runner import RunState
from ..core.layers import InputError
from ..core.source_jobs import extract_sources
from .class_table import ClassTable
from .grid_options import GridOptions
from .i18n import translate
from .run_panel import RunPanel
from .sources_table import SourcesTable

#: label kind of a raster label layer -> its text
RASTER_LABEL_KINDS = ("raster", "colour")


class PreviewLabel(QLabel):
    """Shows a picture scaled to the label's size, keeping its aspect ratio."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.picture = QPixmap()
        self.setAlignment(Qt.AlignCenter)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_picture(self, path: str) -> bool:
        self.picture = QPixmap(path)
        self._rescale()
        return not self.picture.isNull()

    def clear_picture(self) -> None:
        self.picture = QPixmap()
        self.clear()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if not self.picture.isNull():
            self.setPixmap(self.picture.scaled(self.size(), Qt.KeepAspectRatio,
                                               Qt.SmoothTransformation))


class ExtractDialog(QDialog):
    """Images + labels + grid + classes → `satseg extract` → summary and preview."""

    #: the whole run (extract, then preview) ended: the extract run's RunState
    run_finished = pyqtSignal(object)

    def __init__(self, iface: Any, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.iface = iface
        self.summary: Dict[str, Any] = {}
        self.preview_path = ""
        self._job: Dict[str, Any] = {}
        self._stage = ""
        self._extract_state: RunState = RunState.IDLE
        self.setObjectName("satsegExtractDialog")
        self.setWindowTitle(translate("satseg", "satseg — Extract patches"))
        self.resize(1240, 800)

        self.images = QListWidget()
        self.images.setMaximumHeight(80)
        self.images.itemChanged.connect(lambda _item: self._images_changed())
        self.bands = QgsCheckableComboBox()
        self.bands.setDefaultText(translate("satseg", "All bands"))
        self.bands.setToolTip(translate("satseg", "Tick the bands to extract; none ticked = "
                                                  "all bands"))
        self.labels = QgsMapLayerComboBox()
        self.labels.setFilters(QgsMapLayerProxyModel.RasterLayer
                               | QgsMapLayerProxyModel.PolygonLayer)
        self.labels.setAllowEmptyLayer(True)
        self.labels.setLayer(None)
        self.label_kind = QComboBox()
        self.label_kind.addItem(translate("satseg", "Class values (one band)"), "raster")
        self.label_kind.addItem(translate("satseg", "RGB colour mask"), "colour")
        self.label_kind.currentIndexChanged.connect(lambda _i: self.fill_classes())
        self.label_field = QgsFieldComboBox()
        self.label_field.fieldChanged.connect(lambda _f: self.fill_classes())
        self.labels.layerChanged.connect(self._labels_changed)
        self.grid = QgsMapLayerComboBox()
        self.grid.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.grid.setAllowEmptyLayer(True, translate("satseg", "Build a grid automatically"))
        self.grid.setLayer(None)
        self.grid.layerChanged.connect(self._grid_changed)
        self.grid_options = GridOptions(with_attribute=False, with_none=False)
        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.GetDirectory)
        self.overwrite = QCheckBox(translate("satseg", "Replace an existing dataset"))
        self.classes = ClassTable()
        self.sources = SourcesTable()

        inputs = QGroupBox(translate("satseg", "Inputs"))
        form = QFormLayout(inputs)
        form.addRow(translate("satseg", "Images:"), self.images)
        form.addRow(translate("satseg", "Bands:"), self.bands)
        form.addRow(translate("satseg", "Labels:"), self.labels)
        form.addRow(translate("satseg", "Label type:"), self.label_kind)
        form.addRow(translate("satseg", "Class field:"), self.label_field)
        form.addRow(translate("satseg", "Grid:"), self.grid)
        self.inputs_form = form
        self.sources_box = QGroupBox(translate("satseg", "Sources"))
        QVBoxLayout(self.sources_box).addWidget(self.sources)
        self.auto_grid_box = QGroupBox(translate("satseg", "Automatic grid"))
        QVBoxLayout(self.auto_grid_box).addWidget(self.grid_options)
        output_box = QGroupBox(translate("satseg", "Output"))
        output_form = QFormLayout(output_box)
        output_form.addRow(translate("satseg", "Dataset folder:"), self.output)
        output_form.addRow("", self.overwrite)
        classes_box = QGroupBox(translate("satseg", "Classes"))
        QVBoxLayout(classes_box).addWidget(self.classes)

        self.summary_view = QTextBrowser()
        self.summary_view.setMaximumHeight(190)
        self.preview = PreviewLabel()
        result_box = QGroupBox(translate("satseg", "Result"))
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.summary_view)
        result_layout.addWidget(self.preview, 1)

        left = QVBoxLayout()
        left.addWidget(inputs)
        left.addWidget(self.auto_grid_box)
        left.addWidget(classes_box, 1)
        left.addWidget(output_box)
        right = QVBoxLayout()
        right.addWidget(self.sources_box)
        right.addWidget(result_box, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 5)
        columns.addLayout(right, 6)

        self.panel = RunPanel.for_dialog(self, iface, self.run, self._on_done, self._on_finished)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.panel)

        project = QgsProject.instance()
        project.layersAdded.connect(self._project_layers_changed)
        project.layersRemoved.connect(self._project_layers_changed)
        self.refresh_images()
        image = layers.likely_image(_active_layer(iface))
        if image is not None:
            self.set_images([image])
        label_layer = layers.likely_labels()
        self.labels.setLayer(label_layer)
        self._labels_changed(label_layer)
        self._grid_changed(None)

    # -- images and bands -------------------------------------------------------------------
    def refresh_images(self) -> None:
        """List the project's raster layers (ticks are kept)."""
        checked = {layer.id() for layer in self.checked_images()}
        self.images.blockSignals(True)
        self.images.clear()
        for layer in QgsProject.instance().mapLayers().values():
            if isinstance(layer, QgsRasterLayer):
                item = QListWidgetItem(layer.name())
                item.setData(Qt.UserRole, layer.id())
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if layer.id() in checked else Qt.Unchecked)
                item.setToolTip(layer.source())
                self.images.addItem(item)
        self.images.blockSignals(False)
        self._images_changed()

    def _project_layers_changed(self, *_args: Any) -> None:
        try:
            self.refresh_images()
        except RuntimeError:  # the dialog is being deleted
            pass

    def set_images(self, images: List[QgsMapLayer]) -> None:
        """Tick exactly these image layers."""
        ids = {layer.id() for layer in images}
        self.images.blockSignals(True)
        for index in range(self.images.count()):
            item = self.images.item(index)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in ids else Qt.Unchecked)
        self.images.blockSignals(False)
        self._images_changed()

    def checked_images(self) -> List[QgsRasterLayer]:
        project = QgsProject.instance()
        out = []
        for index in range(self.images.count()):
            item = self.images.item(index)
            layer = project.mapLayer(item.data(Qt.UserRole))
            if item.checkState() == Qt.Checked and layer is not None:
                out.append(layer)
        return out

    def _images_changed(self) -> None:
        images = self.checked_images()
        first = images[0] if images else None
        names = [first.bandName(b) for b in range(1, first.bandCount() + 1)] if first else []
        if names != [self.bands.itemText(i) for i in range(self.bands.count())]:
            self.bands.clear()
            self.bands.addItems(names)
        self.grid_options.set_raster(first)
        self.sources.set_primary_layers(images)
        if first is not None and not self.output.filePath():
            try:
                source = layers.file_source(first)
            except InputError:
                return
            self.output.setFilePath(os.path.join(os.path.dirname(source), "dataset"))

    def selected_bands(self) -> List[int]:
        """1-based bands ticked; [] = all bands (none or every one ticked)."""
        checked = [i + 1 for i in range(self.bands.count())
                   if self.bands.itemCheckState(i) == Qt.Checked]
        return [] if len(checked) == self.bands.count() else checked

    # -- labels and classes -----------------------------------------------------------------
    def _labels_changed(self, layer: Any) -> None:
        is_vector = isinstance(layer, QgsVectorLayer)
        is_raster = isinstance(layer, QgsRasterLayer)
        self.label_field.blockSignals(True)
        self.label_field.setLayer(layer if is_vector else None)
        if is_vector:
            names = layer.fields().names()
            self.label_field.setField("class" if "class" in names else
                                      (names[0] if names else ""))
        self.label_field.blockSignals(False)
        if is_raster:
            self.label_kind.blockSignals(True)
            self.label_kind.setCurrentIndex(1 if layer.bandCount() >= 3 else 0)
            self.label_kind.blockSignals(False)
        for widget, visible in ((self.label_field, is_vector), (self.label_kind, is_raster)):
            widget.setVisible(visible)
            self.inputs_form.labelForField(widget).setVisible(visible)
        self.fill_classes()

    def label_kind_value(self) -> str:
        layer = self.labels.currentLayer()
        if isinstance(layer, QgsVectorLayer):
            return "vector"
        return str(self.label_kind.currentData())

    def fill_classes(self) -> None:
        """Pre-fill the class table from the label layer (colour table, values or field
        values); value 0 (black in a colour mask) that would stay unlabelled is an unticked
        row that says so."""
        layer = self.labels.currentLayer()
        kind = self.label_kind_value() if layer is not None else ""
        if kind == "vector":
            rows = layers.vector_classes(layer, self.label_field.currentField())
        elif kind == "raster":
            rows = layers.raster_classes(layer)
        elif kind == "colour":
            rows = layers.colour_mask_rows(layer)
        else:
            rows = []
        self.classes.set_classes(rows)

    # -- grid -------------------------------------------------------------------------------
    def _grid_changed(self, layer: Any) -> None:
        self.auto_grid_box.setVisible(layer is None)

    # -- the job ----------------------------------------------------------------------------
    def job(self) -> Dict[str, Any]:
        """The `satseg extract` job of the dialog's state; InputError says what is missing."""
        images = self.checked_images()
        if not images:
            raise InputError(translate("satseg", "Tick at least one image layer in the Images "
                                                 "list (load one into the project first)."))
        label_layer = self.labels.currentLayer()
        if label_layer is None:
            raise InputError(translate("satseg", "Choose the label layer (a class raster, an "
                                                 "RGB colour mask or polygons)."))
        job: Dict[str, Any] = {}
        paths = [layers.file_source(layer) for layer in images]
        kind = self.label_kind_value()
        rows = self.sources.rows()
        if self.sources.primary_series():
            job["sources"] = extract_sources(rows)
        elif len(paths) == 1:
            job["image"] = paths[0]
            if rows:
                job["sources"] = extract_sources(rows)
        else:
            if rows:
                raise InputError(translate("satseg", "Other sources go with one primary "
                                                     "image: tick one image, or tick 'The "
                                                     "ticked images are the dates of one "
                                                     "place' when they are a time series."))
            if kind != "vector":
                raise InputError(translate("satseg", "Several images need polygon labels (one "
                                                     "vector layer for all images); with a "
                                                     "label raster, extract one image at a "
                                                     "time."))
            job["images_dir"], job["image_glob"] = layers.batch_pattern(paths)
        job["labels"] = layers.file_source(label_layer)
        job["label_kind"] = kind
        if kind == "vector":
            field = self.label_field.currentField()
            if not field:
                raise InputError(translate("satseg", "Choose the class field of the label "
                                                     "layer."))
            job["label_field"] = field
        classes = self.classes.classes()
        if not classes and kind == "colour":
            raise InputError(translate("satseg", "A colour mask needs its classes: add one "
                                                 "row per class with its colour to the class "
                                                 "table."))
        if classes:
            job["classes"] = classes
        bands = self.selected_bands()
        if bands:
            job["bands"] = bands
        grid_layer = self.grid.currentLayer()
        if grid_layer is not None:
            job["grid"] = layers.file_source(grid_layer)
        else:
            job.update(self.grid_options.keys())
        job.update(RunPanel.output_keys(self.output, self.overwrite, "output_dir", translate(
            "satseg", "Choose the dataset folder (Output).")))
        return job

    # -- running ----------------------------------------------------------------------------
    def run(self) -> None:
        """Check the inputs and start `satseg extract` (returns at once)."""
        job = self.panel.job_or_none(self.job)
        if job is None:
            return
        self._job = job
        self.summary = {}
        self.preview_path = ""
        self.summary_view.clear()
        self.preview.clear_picture()
        self._stage = "extract"
        self._extract_state = RunState.IDLE
        self.panel.show_message(translate("satseg", "Extracting patches…"))
        self.panel.start("extract", job, translate("satseg", "Extract patches"))

    def _on_done(self, summary: dict) -> None:
        if self._stage == "extract":
            self.summary = summary
            self.summary_view.setHtml(summary_html(summary, self._job.get("classes") or []))
            self.panel.show_message(translate("satseg", "Dataset written to {path}.").format(
                path=summary.get("output_dir", self._job["output_dir"])), "success")
        elif self._stage == "preview":
            path = str(summary.get("output") or "")
            if path and self.preview.set_picture(path):
                self.preview_path = path

    def _on_finished(self, state: RunState) -> None:
        if self._stage == "extract":
            self._extract_state = state
            if state is RunState.DONE:
                self._stage = "preview"
                output_dir = str(self.summary.get("output_dir") or self._job["output_dir"])
                self.panel.start("preview", {"dataset": output_dir,
                                             "output": os.path.join(output_dir,
                                                                    "preview.png")},
                                 translate("satseg", "Preview"))
                return
        elif self._stage == "preview" and state is not RunState.DONE:
            self.panel.show_message(translate("satseg", "The dataset is complete, but its "
                                                        "preview could not be drawn: {error}")
                                    .format(error=self.panel.message_text()), "error")
        self._stage = ""
        self.run_finished.emit(self._extract_state)

    def done(self, result: int) -> None:
        """Closing the dialog cancels a run."""
        self.panel.cancel()
        super().done(result)

    def dispose(self) -> None:
        """Stop following the project (call before deleting the dialog)."""
        project = QgsProject.instance()
        for signal in (project.layersAdded, project.layersRemoved):
            try:
                signal.disconnect(self._project_layers_changed)
            except TypeError:
                pass


def _active_layer(iface: Any) -> Any:
    try:
        return iface.activeLayer()
    except Exception:  # noqa: BLE001 - an interface without layers is fine
        return None


def summary_html(summary: Dict[str, Any], classes: List[Dict[str, Any]]) -> str:
    """Patches per split and class pixels of an extract summary, as HTML."""
    splits = summary.get("splits") or {}
    colours = {str(c.get("name")): str(c.get("colour") or "") for c in classes}
    patches = translate("satseg", "{n} patches").format(n=summary.get("patches", 0))
    per_split = " · ".join(f"{html.escape(text)} {splits.get(name, 0)}"
                           for name, text in layers.split_texts().items() if name)
    parts = [f"<p><b>{html.escape(patches)}</b>: {per_split}</p>"]
    sources = summary.get("sources") or {}
    if len(sources) > 1 or any(int(n or 0) > 1 for n in sources.values()):
        names = [name if int(dates or 0) <= 1 else translate("satseg", "{name} ({n} dates)")
                 .format(name=name, n=dates) for name, dates in sources.items()]
        text = translate("satseg", "Sources: {sources}").format(sources=" · ".join(names))
        parts.append(f"<p>{html.escape(text)}</p>")
    pixels = summary.get("classes") or {}
    total = sum(pixels.values()) or 1
    rows = []
    for name, count in pixels.items():
        swatch = colours.get(str(name), "")
        box = (f'<span style="background-color:{swatch}">&nbsp;&nbsp;&nbsp;&nbsp;</span> '
               if swatch else "")
        rows.append(f"<tr><td>{box}{html.escape(str(name))}</td>"
                    f"<td align='right'>&nbsp;{count:,}</td>"
                    f"<td align='right'>&nbsp;{100 * count / total:.1f} %</td></tr>")
    if rows:
        heading = translate("satseg", "Labelled pixels per class (training split):")
        parts.append(f"<p>{html.escape(heading)}</p><table>{''.join(rows)}</table>")
    return "".join(parts)
