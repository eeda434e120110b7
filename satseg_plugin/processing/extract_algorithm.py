"""satseg:extract — image and label patches into a dataset folder (Patch/{train,validation,test}
with dataset.json); the `satseg extract` verb with the keys the extraction dialog sends, classes
pre-filled from the label layer as the dialog pre-fills its class table."""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..core import layers
from ..core.layers import InputError
from .base import SatsegAlgorithm
from .grid_algorithm import SPLITS, add_grid_parameters, grid_keys

LABEL_KINDS = ("auto", "raster", "colour")
CLASS_ITEM = re.compile(r"^\s*(\d+)\s*:\s*([^:]+?)\s*(?::\s*(#[0-9a-fA-F]{6}))?\s*$")


class ExtractAlgorithm(SatsegAlgorithm):
    VERB = "extract"
    ICON = "extract"

    def displayName(self) -> str:
        return self.tr("Extract patches")

    def shortHelpString(self) -> str:
        return self.tr(
            "Cuts image and label patches into a dataset folder: Patch/{train,validation,"
            "test}/{images,labels} plus dataset.json (classes, bands, statistics from the "
            "training split). Labels are a class raster, an RGB colour mask or polygons with a "
            "class field. The cells come from a grid layer (satseg:grid) or, without one, from "
            "the grid options. Classes default to the label layer's (colour table, or the "
            "values of the class field); CLASSES overrides them as 'value:name:#colour, …' "
            "(a colour mask needs them). Runs `satseg extract`.")

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Image raster")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "LABELS", self.tr("Label raster (class raster or RGB colour mask)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            "LABEL_KIND", self.tr("Label raster kind"), list(LABEL_KINDS), False, "auto",
            usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            "LABEL_POLYGONS", self.tr("Label polygons (instead of a label raster)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "CLASS_FIELD", self.tr("Class field of the label polygons"),
            parentLayerParameterName="LABEL_POLYGONS", optional=True))
        self.addParameter(QgsProcessingParameterString(
            "CLASSES", self.tr("Classes 'value:name:#colour, …' (default: the label layer's)"),
            optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            "GRID", self.tr("Grid (default: one made with the grid options)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterBand(
            "BANDS", self.tr("Bands (default: all)"), None, "INPUT", optional=True,
            allowMultiple=True))
        add_grid_parameters(self, advanced=True)
        self.addParameter(QgsProcessingParameterNumber(
            "WORKERS", self.tr("Worker processes (0: auto)"),
            QgsProcessingParameterNumber.Integer, 0, False, 0, 256))
        self.addParameter(QgsProcessingParameterBoolean(
            "OVERWRITE", self.tr("Replace a dataset already in the output folder"), False))
        self.addParameter(QgsProcessingParameterFolderDestination(
            "OUTPUT", self.tr("Dataset folder")))
        self.addOutput(QgsProcessingOutputFile("DATASET", self.tr("dataset.json")))
        self.addOutput(QgsProcessingOutputNumber("PATCHES", self.tr("Patches")))
        for split in SPLITS:
            self.addOutput(QgsProcessingOutputNumber(
                f"{split.upper()}_PATCHES",
                self.tr("{split} patches").format(split=layers.split_texts()[split])))

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        job: Dict[str, Any] = {"image": self.layer_file(parameters, "INPUT", context, True)}
        raster = self.layer_file(parameters, "LABELS", context, True)
        polygons = self.layer_file(parameters, "LABEL_POLYGONS", context, False)
        if bool(raster) == bool(polygons):
            raise InputError(self.tr("Give the labels: a label raster or label polygons (one "
                                     "of the two)."))
        job["labels"] = raster or polygons
        if polygons:
            field = self.parameterAsString(parameters, "CLASS_FIELD", context)
            if not field:
                raise InputError(self.tr("Choose the class field of the label polygons."))
            job.update(label_kind="vector", label_field=field)
            layer = self.parameterAsVectorLayer(parameters, "LABEL_POLYGONS", context)
            rows = layers.vector_classes(layer, field)
        else:
            kind = self.enum_text(parameters, "LABEL_KIND", context) or "auto"
            layer = self.parameterAsRasterLayer(parameters, "LABELS", context)
            job["label_kind"] = "colour" if kind == "colour" else "raster"
            rows = [] if kind == "colour" else layers.raster_classes(layer)
        classes = parse_classes(self.parameterAsString(parameters, "CLASSES", context)) or \
            [row.as_job() for row in rows if not row.ignored]
        if not classes and job["label_kind"] == "colour":
            raise InputError(self.tr("A colour mask needs its classes: give CLASSES as "
                                     "'1:water:#1f78b4, 2:forest:#33a02c'."))
        if classes:
            job["classes"] = classes
        bands = self.parameterAsInts(parameters, "BANDS", context)
        if bands:
            job["bands"] = [int(b) for b in bands]
        grid = self.layer_file(parameters, "GRID", context, False)
        if grid:
            job["grid"] = grid
        else:
            job.update(grid_keys(self, parameters, context,
                                 self.enum_text(parameters, "SPLIT_METHOD", context)))
        job["workers"] = self.parameterAsInt(parameters, "WORKERS", context)
        job["output_dir"] = os.path.abspath(
            self.parameterAsFileOutput(parameters, "OUTPUT", context))
        job["overwrite"] = self.parameterAsBool(parameters, "OVERWRITE", context)
        return job

    def results(self, summary: Dict[str, Any], job: Dict[str, Any],
                parameters: Dict[str, Any], context: QgsProcessingContext,
                feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        folder = str(summary.get("output_dir") or job["output_dir"])
        splits = summary.get("splits") or {}
        feedback.pushInfo(self.tr("{patches} patches: {train} train, {validation} validation, "
                                  "{test} test").format(patches=summary.get("patches", 0),
                                                        **{s: splits.get(s, 0) for s in SPLITS}))
        return {"OUTPUT": folder, "DATASET": os.path.join(folder, "dataset.json"),
                "PATCHES": int(summary.get("patches") or 0),
                **{f"{s.upper()}_PATCHES": int(splits.get(s) or 0) for s in SPLITS}}


def parse_classes(text: str) -> List[Dict[str, Any]]:
    """'1:water:#1f78b4, 2:forest' → [{value, name, colour}]; InputError for a bad item."""
    out: List[Dict[str, Any]] = []
    for item in (part for part in (text or "").split(",") if part.strip()):
        match = CLASS_ITEM.match(item)
        if not match or not 0 <= int(match.group(1)) <= 254:
            raise InputError(f"CLASSES: {item.strip()!r} is not value:name[:#rrggbb] with a "
                             f"value 0–254, e.g. 1:water:#1f78b4")
        out.append({"value": int(match.group(1)), "name": match.group(2),
                    "colour": match.group(3) or ""})
    return out
