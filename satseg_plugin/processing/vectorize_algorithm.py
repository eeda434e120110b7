"""satseg:vectorize — a class raster as polygons (sieved, optionally smoothed) in a GeoPackage
with class value, name, colour, area and mean confidence; the `satseg vectorize` verb. The layer
loads styled by class, in the class raster's colours."""

from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorDestination,
)

from ..core import polygon_style
from ..core.layers import InputError
from . import postprocess
from .base import SatsegAlgorithm


class VectorizeAlgorithm(SatsegAlgorithm):
    VERB = "vectorize"
    ICON = "predict"

    def displayName(self) -> str:
        return self.tr("Class raster to polygons")

    def shortHelpString(self) -> str:
        return self.tr(
            "Polygonises a class raster (e.g. the classes written by 'Predict classes') into a "
            "GeoPackage, block by block in bounded memory: segments smaller than MIN_SIZE "
            "pixels take the class of their largest neighbour, an optional majority filter "
            "smooths the edges, and each polygon gets its class value, name and colour, its "
            "area and, with a confidence raster, its mean confidence. Runs `satseg "
            "vectorize`.")

    def initAlgorithm(self, config: Any = None) -> None:
        number = QgsProcessingParameterNumber
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Class raster")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "CONFIDENCE", self.tr("Confidence raster (mean per polygon)"), optional=True))
        self.addParameter(QgsProcessingParameterFile(
            "CHECKPOINT", self.tr("Class names and colours from this model (default: the "
                                  "raster's)"), QgsProcessingParameterFile.File, "pt",
            optional=True))
        self.addParameter(number("MIN_SIZE", self.tr("Sieve: smallest segment in pixels (0: "
                                                     "keep all)"),
                                 number.Integer, 0, False, 0, 1024))
        self.addParameter(number("SMOOTH", self.tr("Majority filter window (0: none; odd: 3, "
                                                   "5, …)"),
                                 number.Integer, 0, False, 0, 15))
        self.addParameter(number("BLOCK_SIZE", self.tr("Pixels per block side (memory)"),
                                 number.Integer, 2048, False, 16, 16384))
        self.addParameter(QgsProcessingParameterVectorDestination(
            "OUTPUT", self.tr("Polygons"), QgsProcessing.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputNumber("POLYGONS", self.tr("Polygons written")))

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        job: Dict[str, Any] = {"raster": self.layer_file(parameters, "INPUT", context, True)}
        confidence = self.layer_file(parameters, "CONFIDENCE", context, True)
        if confidence:
            job["confidence"] = confidence
        checkpoint = self.parameterAsFile(parameters, "CHECKPOINT", context)
        if checkpoint:
            job["checkpoint"] = os.path.abspath(checkpoint)
        smooth = self.parameterAsInt(parameters, "SMOOTH", context)
        if smooth and (smooth < 3 or smooth % 2 == 0):
            raise InputError(self.tr("The majority filter window must be 0 (off) or odd: 3, "
                                     "5, 7, …"))
        job.update(min_size=self.parameterAsInt(parameters, "MIN_SIZE", context),
                   smooth=smooth,
                   block_size=self.parameterAsInt(parameters, "BLOCK_SIZE", context))
        output = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        if not output.lower().endswith(".gpkg"):
            raise InputError(self.tr("The polygons are written as a GeoPackage: give the "
                                     "output a .gpkg file name."))
        job["output"] = os.path.abspath(output)
        return job

    def results(self, summary: Dict[str, Any], job: Dict[str, Any],
                parameters: Dict[str, Any], context: QgsProcessingContext,
                feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        postprocess.style_on_load(context, job["output"], polygon_style.style_polygon_layer)
        feedback.pushInfo(self.tr("{features} polygons written to {path}").format(
            features=summary.get("features", 0), path=job["output"]))
        return {"OUTPUT": job["output"], "POLYGONS": int(summary.get("features") or 0)}
