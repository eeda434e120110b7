"""satseg:evaluate — scores a class raster against reference labels; the `satseg evaluate` verb.
The report (JSON with the confusion matrix and per-class scores, and its plot) goes to a folder;
mIoU, accuracy, kappa and mean F1 are numeric outputs a model can use."""

from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)

from ..core.layers import InputError
from .base import SatsegAlgorithm

#: output name -> summary key
SCORES = {"MIOU": "miou", "ACCURACY": "overall_accuracy", "KAPPA": "kappa",
          "MEAN_F1": "mean_f1"}


class EvaluateAlgorithm(SatsegAlgorithm):
    VERB = "evaluate"
    ICON = "predict"

    def displayName(self) -> str:
        return self.tr("Evaluate a prediction")

    def shortHelpString(self) -> str:
        return self.tr(
            "Compares a class raster written by 'Predict classes' with reference labels (a "
            "class raster, or polygons with a class field) on the prediction's pixel grid: "
            "confusion matrix, per-class IoU, F1, precision and recall, mIoU, overall accuracy "
            "and kappa. Writes <i>name</i>_evaluation.json and <i>name</i>_confusion.png into the "
            "report folder (<i>name</i>: the prediction's file name). Runs `satseg evaluate`.")

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer(
            "PREDICTION", self.tr("Class raster (prediction)")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "LABELS", self.tr("Reference label raster"), optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            "LABEL_POLYGONS", self.tr("Reference polygons (instead of a label raster)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "CLASS_FIELD", self.tr("Class field of the reference polygons"),
            parentLayerParameterName="LABEL_POLYGONS", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "IGNORE_VALUE", self.tr("Label value that is not counted"),
            QgsProcessingParameterNumber.Integer, 255, False, 0, 255))
        self.addParameter(QgsProcessingParameterFolderDestination(
            "OUTPUT", self.tr("Report folder")))
        self.addOutput(QgsProcessingOutputFile("REPORT", self.tr("Evaluation report (JSON)")))
        for name, label in (("MIOU", self.tr("mIoU")),
                            ("ACCURACY", self.tr("Overall accuracy")),
                            ("KAPPA", self.tr("Kappa")), ("MEAN_F1", self.tr("Mean F1"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        prediction = self.layer_file(parameters, "PREDICTION", context, True)
        raster = self.layer_file(parameters, "LABELS", context, True)
        polygons = self.layer_file(parameters, "LABEL_POLYGONS", context, False)
        if bool(raster) == bool(polygons):
            raise InputError(self.tr("Give the reference: a label raster or label polygons "
                                     "(one of the two)."))
        job: Dict[str, Any] = {"prediction": prediction, "labels": raster or polygons,
                               "ignore_value": self.parameterAsInt(parameters, "IGNORE_VALUE",
                                                                   context)}
        if polygons:
            field = self.parameterAsString(parameters, "CLASS_FIELD", context)
            if not field:
                raise InputError(self.tr("Choose the class field of the reference polygons."))
            job["class_field"] = field
        folder = os.path.abspath(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        os.makedirs(folder, exist_ok=True)
        job["output_dir"] = folder
        return job

    def results(self, summary: Dict[str, Any], job: Dict[str, Any],
                parameters: Dict[str, Any], context: QgsProcessingContext,
                feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        scores = {name: float(summary.get(key) or 0.0) for name, key in SCORES.items()}
        feedback.pushInfo(self.tr("mIoU {miou:.3f}, overall accuracy {accuracy:.3f}, kappa "
                                  "{kappa:.3f}").format(miou=scores["MIOU"],
                                                        accuracy=scores["ACCURACY"],
                                                        kappa=scores["KAPPA"]))
        report = self.artifact("evaluation")
        return {"OUTPUT": job["output_dir"], "REPORT": report, **scores}
