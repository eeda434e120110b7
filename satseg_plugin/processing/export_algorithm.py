"""satseg:export — a trained checkpoint as an ONNX model (normalisation and softmax inside,
metadata Deepness reads), checked numerically against PyTorch; the `satseg export` verb."""

from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)

from ..core.layers import InputError
from .base import SatsegAlgorithm


class ExportAlgorithm(SatsegAlgorithm):
    VERB = "export"
    ICON = "train"

    def displayName(self) -> str:
        return self.tr("Export a model to ONNX")

    def shortHelpString(self) -> str:
        return self.tr(
            "Writes a satseg checkpoint as an ONNX model with dynamic batch and window size, "
            "normalisation and softmax inside, and the metadata the Deepness plugin reads "
            "(classes, resolution, tile size and overlap) beside satseg's own header. ONNX "
            "Runtime and PyTorch are compared on check windows; a difference above the "
            "tolerance is an error and nothing is written. Runs `satseg export`.")

    def initAlgorithm(self, config: Any = None) -> None:
        number = QgsProcessingParameterNumber
        self.addParameter(QgsProcessingParameterFile(
            "CHECKPOINT", self.tr("Model checkpoint (.pt written by satseg training)"),
            QgsProcessingParameterFile.File, "pt"))
        self.addParameter(number("OPSET", self.tr("ONNX opset version"), number.Integer, 17,
                                 False, 13, 23))
        self.addParameter(number("TOLERANCE", self.tr("Largest probability difference "
                                                      "allowed (ONNX Runtime vs PyTorch)"),
                                 number.Double, 1e-3, False, 0.0, 1.0))
        self.addParameter(number("RESOLUTION_CM", self.tr("Ground resolution in cm/px for "
                                                          "Deepness (default: the model's)"),
                                 number.Double, None, True, 0.0))
        self.addParameter(number("TILE_OVERLAP", self.tr("Tile overlap in percent for "
                                                         "Deepness"),
                                 number.Integer, 50, False, 0, 90))
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", self.tr("ONNX model"), self.tr("ONNX models (*.onnx)")))
        self.addOutput(QgsProcessingOutputNumber("MAX_ABS_DIFF", self.tr(
            "Largest probability difference measured")))

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        checkpoint = self.parameterAsFile(parameters, "CHECKPOINT", context)
        if not checkpoint or not os.path.isfile(checkpoint):
            raise InputError(self.tr("The model file {path} does not exist: choose a .pt file "
                                     "written by satseg training.").format(path=checkpoint))
        output = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        if not output.lower().endswith(".onnx"):
            raise InputError(self.tr("Give the ONNX model a .onnx file name."))
        job: Dict[str, Any] = {
            "checkpoint": os.path.abspath(checkpoint), "format": "onnx",
            "output": os.path.abspath(output),
            "opset": self.parameterAsInt(parameters, "OPSET", context),
            "tolerance": self.parameterAsDouble(parameters, "TOLERANCE", context),
            "tile_overlap": self.parameterAsInt(parameters, "TILE_OVERLAP", context)}
        resolution = self.optional_number(parameters, "RESOLUTION_CM", context)
        if resolution is not None:
            job["resolution_cm"] = resolution
        return job

    def results(self, summary: Dict[str, Any], job: Dict[str, Any],
                parameters: Dict[str, Any], context: QgsProcessingContext,
                feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        worst = float(summary.get("max_abs_diff") or 0.0)
        feedback.pushInfo(self.tr("ONNX Runtime and PyTorch agree to {diff:.2g} (tolerance "
                                  "{tolerance:g})").format(diff=worst,
                                                           tolerance=job["tolerance"]))
        return {"OUTPUT": str(summary.get("output") or job["output"]), "MAX_ABS_DIFF": worst}
