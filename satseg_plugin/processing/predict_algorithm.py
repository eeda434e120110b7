"""satseg:predict — classifies a raster with a trained model; the `satseg predict` verb with the
keys the Predict dialog sends. The engine writes into a staging folder beside the chosen class
raster; its outputs are then renamed to the destinations, so a failed or cancelled run leaves
nothing under their names. The class layer loads with the model's classes, the confidence layer
on its 0–1 ramp."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Dict

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)

from ..core.layers import InputError
from . import postprocess
from .base import SatsegAlgorithm

DEVICES = ("auto", "cpu", "cuda")
#: window modes of `satseg predict` (a size in pixels goes in WINDOW_SIZE)
WINDOWS = ("auto", "patch")
#: destination parameter -> the engine's output role
OUTPUTS = {"OUTPUT": "classes", "CONFIDENCE": "confidence", "PROBABILITIES": "probabilities"}
STAGE_NAME = "predict"


class PredictAlgorithm(SatsegAlgorithm):
    VERB = "predict"
    ICON = "predict"

    def displayName(self) -> str:
        return self.tr("Predict classes")

    def shortHelpString(self) -> str:
        return self.tr(
            "Classifies a raster with a model trained by satseg (a .pt checkpoint): sliding "
            "windows in bounded memory over the whole raster, an extent or the bounding box of "
            "AOI polygons (nodata outside them). Writes a class raster (uint8, the model's "
            "class names and colours), a confidence raster (the highest class probability) "
            "and, when asked, one probability band per class. The raster must have the bands "
            "the model was trained with. Runs `satseg predict`.")

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Raster")))
        self.addParameter(QgsProcessingParameterFile(
            "CHECKPOINT", self.tr("Model (.pt from satseg training, or .onnx from its export)"),
            QgsProcessingParameterFile.File,
            fileFilter=self.tr("satseg models (*.pt *.onnx)")))
        self.addParameter(QgsProcessingParameterExtent(
            "EXTENT", self.tr("Only this extent"), optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            "AOI", self.tr("Only within the polygons of (AOI)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        number = QgsProcessingParameterNumber
        self.addParameter(QgsProcessingParameterEnum(
            "WINDOW", self.tr("Windows (auto: large windows for models that take any size, "
                              "each pixel computed about once; patch: the training patch with "
                              "an overlap)"), list(WINDOWS), False, "auto",
            usesStaticStrings=True))
        self.addParameter(number("WINDOW_SIZE", self.tr("Window side in pixels (overrides "
                                                        "Windows)"),
                                 number.Integer, None, True, 16))
        self.addParameter(number("MARGIN", self.tr("Margin down-weighted where large windows "
                                                   "meet, in pixels (default: a sixteenth of "
                                                   "the training patch, at least 8)"),
                                 number.Integer, None, True, 0, 512))
        self.addParameter(number("OVERLAP", self.tr("Window overlap (training-patch windows)"),
                                 number.Double, 0.5, False, 0.0, 0.9))
        self.addParameter(number("BATCH_SIZE", self.tr("Windows per pass (default: from the "
                                                       "memory budget)"),
                                 number.Integer, None, True, 1))
        self.addParameter(QgsProcessingParameterEnum(
            "DEVICE", self.tr("Device"), list(DEVICES), False, "auto", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterBoolean(
            "TTA", self.tr("Average the four flips of every window (4× slower)"), False))
        self.addParameter(QgsProcessingParameterRasterDestination(
            "OUTPUT", self.tr("Classes")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            "CONFIDENCE", self.tr("Confidence")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            "PROBABILITIES", self.tr("Probabilities (one band per class)"), optional=True,
            createByDefault=False))

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        raster = self.parameterAsRasterLayer(parameters, "INPUT", context)
        job: Dict[str, Any] = {"raster": self.layer_file(parameters, "INPUT", context, True)}
        checkpoint = self.parameterAsFile(parameters, "CHECKPOINT", context)
        if not checkpoint or not os.path.isfile(checkpoint):
            raise InputError(self.tr("The model file {path} does not exist: choose a .pt file "
                                     "written by satseg training.").format(path=checkpoint))
        job["checkpoint"] = os.path.abspath(checkpoint)
        aoi = self.layer_file(parameters, "AOI", context, False)
        extent = self.extent_keys(parameters, "EXTENT", context, raster)
        if aoi and extent:
            raise InputError(self.tr("Give an extent or an AOI layer, not both."))
        job.update(extent)
        if aoi:
            job["aoi"] = aoi
        size = self.optional_number(parameters, "WINDOW_SIZE", context, integer=True)
        job["window"] = size or self.enum_text(parameters, "WINDOW", context) or "auto"
        margin = self.optional_number(parameters, "MARGIN", context, integer=True)
        if margin is not None:
            job["margin"] = margin
        job["overlap"] = round(self.parameterAsDouble(parameters, "OVERLAP", context), 2)
        batch = self.optional_number(parameters, "BATCH_SIZE", context, integer=True)
        if batch:
            job["batch_size"] = batch
        job["device"] = self.enum_text(parameters, "DEVICE", context) or "auto"
        job["tta"] = self.parameterAsBool(parameters, "TTA", context)
        job["probabilities"] = bool(self.destination(parameters, "PROBABILITIES", context))
        job["name"] = STAGE_NAME
        return job

    def destination(self, parameters: Dict[str, Any], name: str,
                    context: QgsProcessingContext) -> str:
        """The absolute .tif path of a destination ('' when an optional one is skipped)."""
        if name != "OUTPUT" and parameters.get(name) in (None, ""):
            return ""
        path = self.parameterAsOutputLayer(parameters, name, context)
        if not path:
            return ""
        if os.path.splitext(path)[1].lower() not in (".tif", ".tiff"):
            raise InputError(self.tr("satseg writes GeoTIFF files: give {output} a .tif file "
                                     "name.").format(output=self.parameterDefinition(name)
                                                     .description()))
        return os.path.abspath(path)

    def execute(self, job: Dict[str, Any], parameters: Dict[str, Any],
                context: QgsProcessingContext, feedback: QgsProcessingFeedback
                ) -> Dict[str, Any]:
        targets = {name: self.destination(parameters, name, context) for name in OUTPUTS}
        targets = {name: path for name, path in targets.items() if path}
        folder = os.path.dirname(targets["OUTPUT"])
        os.makedirs(folder, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".satseg-predict-", dir=folder)
        try:
            summary = self.run_engine({**job, "output_dir": staging}, feedback)
            for name, path in targets.items():
                place(os.path.join(staging, f"{STAGE_NAME}_{OUTPUTS[name]}.tif"), path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for name, path in targets.items():
            style = postprocess.STYLES.get(OUTPUTS[name])
            if style is not None:
                postprocess.style_on_load(context, path, style(path))
        for entry in summary.get("classes") or []:
            share = 100 * float(entry.get("fraction") or 0)
            feedback.pushInfo(f"{entry.get('name')}: {share:.1f} %")
        return dict(targets)


def place(source: str, target: str) -> None:
    """Move a finished output to its final name in one rename (a copy beside the target first
    when they are on different file systems)."""
    if not os.path.isfile(source):
        raise InputError(f"the engine did not write {os.path.basename(source)}")
    try:
        os.replace(source, target)
    except OSError:
        partial = f"{target}.part"
        shutil.copyfile(source, partial)
        os.replace(partial, target)
