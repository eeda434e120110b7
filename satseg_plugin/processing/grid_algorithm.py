"""satseg:grid — square cells snapped to a raster's pixel grid, split into train/validation/test;
the `satseg grid` verb with the keys the Grid dialog sends. The grid loads styled by split."""

from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorDestination,
    QgsProcessingParameterVectorLayer,
)

from ..core.layers import InputError, split_texts
from . import postprocess
from .base import SatsegAlgorithm

SPLIT_METHODS = ("random", "blocks", "attribute", "none")
SPLITS = ("train", "validation", "test")


class GridAlgorithm(SatsegAlgorithm):
    VERB = "grid"
    ICON = "grid"

    def displayName(self) -> str:
        return self.tr("Grid of patch cells")

    def shortHelpString(self) -> str:
        return self.tr(
            "Lays square cells of N × N pixels on the raster's pixel grid (whole raster, an "
            "extent or the polygons of an AOI layer) and splits them into train, validation "
            "and test: random cells, spatial blocks (no training cell touches a validation or "
            "test cell) or an AOI attribute. Cells with too much nodata (or, with labels, too "
            "few labelled pixels) are dropped. Writes a GeoPackage styled by split; edit cells "
            "or their split before extracting patches. Runs `satseg grid`.")

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer("INPUT", self.tr("Image raster")))
        add_grid_parameters(self)
        self.addParameter(QgsProcessingParameterExtent(
            "EXTENT", self.tr("Only within this extent"), optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            "AOI", self.tr("Only within the polygons of (AOI)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "SPLIT_ATTRIBUTE", self.tr("Attribute split: AOI field with train/validation/test"),
            parentLayerParameterName="AOI", optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "LABELS", self.tr("Label raster (to measure labelled pixels and split with every "
                              "class)"), optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            "LABEL_POLYGONS", self.tr("Label polygons (instead of a label raster)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "CLASS_FIELD", self.tr("Class field of the label polygons"),
            parentLayerParameterName="LABEL_POLYGONS", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "MIN_LABELLED_FRAC", self.tr("With labels: drop cells with a smaller share of "
                                         "labelled pixels"),
            QgsProcessingParameterNumber.Double, 0.0, False, 0.0, 1.0))
        self.addParameter(QgsProcessingParameterBoolean(
            "OVERWRITE", self.tr("Replace an existing grid file"), True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            "OUTPUT", self.tr("Grid"), QgsProcessing.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputNumber("CELLS", self.tr("Cells")))
        for split in SPLITS:
            self.addOutput(QgsProcessingOutputNumber(
                f"{split.upper()}_CELLS",
                self.tr("{split} cells").format(split=split_texts()[split])))

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        raster = self.parameterAsRasterLayer(parameters, "INPUT", context)
        job: Dict[str, Any] = {"image": self.layer_file(parameters, "INPUT", context, True)}
        job.update(self.extent_keys(parameters, "EXTENT", context, raster))
        aoi = self.layer_file(parameters, "AOI", context, False)
        if aoi:
            job["aoi"] = aoi
        method = self.enum_text(parameters, "SPLIT_METHOD", context)
        job.update(grid_keys(self, parameters, context, method))
        if method == "attribute":
            if not aoi:
                raise InputError(self.tr("The split 'attribute' reads train/validation/test "
                                         "from AOI polygons: give the AOI layer."))
            field = self.parameterAsString(parameters, "SPLIT_ATTRIBUTE", context)
            job["split_attribute"] = field or "split"
        job.update(label_keys(self, parameters, context))
        output = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        if not output.lower().endswith(".gpkg"):
            raise InputError(self.tr("The grid is written as a GeoPackage: give the output a "
                                     ".gpkg file name."))
        job["output"] = os.path.abspath(output)
        job["overwrite"] = self.parameterAsBool(parameters, "OVERWRITE", context)
        return job

    def results(self, summary: Dict[str, Any], job: Dict[str, Any],
                parameters: Dict[str, Any], context: QgsProcessingContext,
                feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        output = str(summary.get("output") or job["output"])
        postprocess.style_on_load(context, job["output"], postprocess.STYLES["grid"](output))
        splits = summary.get("splits") or {}
        feedback.pushInfo(self.tr("{cells} cells: {train} train, {validation} validation, "
                                  "{test} test").format(cells=summary.get("cells", 0),
                                                        **{s: splits.get(s, 0) for s in SPLITS}))
        return {"OUTPUT": job["output"], "CELLS": int(summary.get("cells") or 0),
                **{f"{s.upper()}_CELLS": int(splits.get(s) or 0) for s in SPLITS}}


def add_grid_parameters(algorithm: SatsegAlgorithm, advanced: bool = False) -> None:
    """Cell size, overlap, split and nodata filter (the Grid dialog's options box)."""
    tr = algorithm.tr
    number = QgsProcessingParameterNumber
    parameters = [
        number("PATCH_SIZE", tr("Cell (patch) size in pixels"), number.Integer, 256, False, 8,
               8192),
        number("OVERLAP", tr("Overlap between cells in pixels"), number.Integer, 0, False, 0),
        QgsProcessingParameterEnum("SPLIT_METHOD", tr("Split"), list(SPLIT_METHODS), False,
                                   "random", usesStaticStrings=True),
        *[number(f"{split.upper()}_SHARE",
                 tr("Share of {split} cells").format(split=split_texts()[split]),
                 number.Double, share, False, 0.0, 1.0)
          for split, share in zip(SPLITS, (0.7, 0.15, 0.15), strict=True)],
        number("SEED", tr("Random seed of the split"), number.Integer, 42),
        number("BLOCK_SIZE", tr("Blocks split: block side in cells (0: auto)"), number.Integer,
               0, False, 0),
        number("MAX_NODATA_FRAC", tr("Drop cells with a larger share of nodata"),
               number.Double, 0.5, False, 0.0, 1.0)]
    for parameter in parameters:
        if advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        algorithm.addParameter(parameter)


def grid_keys(algorithm: SatsegAlgorithm, parameters: Dict[str, Any],
              context: QgsProcessingContext, method: str) -> Dict[str, Any]:
    """The grid keys of a job, as the Grid dialog's options box sends them."""
    patch = algorithm.parameterAsInt(parameters, "PATCH_SIZE", context)
    overlap = algorithm.parameterAsInt(parameters, "OVERLAP", context)
    if overlap >= patch:
        raise InputError(algorithm.tr("The overlap ({overlap} px) must be smaller than the "
                                      "patch size ({patch} px).").format(overlap=overlap,
                                                                         patch=patch))
    keys: Dict[str, Any] = {
        "patch_size": patch, "overlap": overlap, "split_method": method,
        "max_nodata_frac": algorithm.parameterAsDouble(parameters, "MAX_NODATA_FRAC", context)}
    if method in ("random", "blocks"):
        ratios = [algorithm.parameterAsDouble(parameters, f"{s.upper()}_SHARE", context)
                  for s in SPLITS]
        if sum(ratios) <= 0:
            raise InputError(algorithm.tr("The split shares add up to 0; give the training "
                                          "split a share."))
        keys["ratios"] = [round(r / sum(ratios), 6) for r in ratios]
        keys["seed"] = algorithm.parameterAsInt(parameters, "SEED", context)
    if method == "blocks":
        keys["block_size"] = algorithm.parameterAsInt(parameters, "BLOCK_SIZE", context)
    return keys


def label_keys(algorithm: SatsegAlgorithm, parameters: Dict[str, Any],
               context: QgsProcessingContext) -> Dict[str, Any]:
    """labels / label_kind / label_field / min_labelled_frac from LABELS or LABEL_POLYGONS."""
    raster = algorithm.layer_file(parameters, "LABELS", context, True)
    polygons = algorithm.layer_file(parameters, "LABEL_POLYGONS", context, False)
    if raster and polygons:
        raise InputError(algorithm.tr("Give either a label raster or label polygons, not "
                                      "both."))
    if not (raster or polygons):
        return {}
    keys: Dict[str, Any] = {
        "labels": raster or polygons,
        "min_labelled_frac": algorithm.parameterAsDouble(parameters, "MIN_LABELLED_FRAC",
                                                         context)}
    if polygons:
        field = algorithm.parameterAsString(parameters, "CLASS_FIELD", context)
        if not field:
            raise InputError(algorithm.tr("Choose the class field of the label polygons."))
        keys.update(label_kind="vector", label_field=field)
    else:
        keys["label_kind"] = "raster"
    return keys
