"""satseg:train — trains a model on a patch dataset; the `satseg train` verb with the job the
Train dialog builds: a preset (train_job.PRESETS), then a saved job file, then the parameters
given here. Architectures, encoders and losses come from `satseg models` (engine_models)."""

from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)

from ..core import settings, train_job
from ..core.layers import InputError
from ..core.sync_runner import EngineRunError
from . import engine_models
from .base import SatsegAlgorithm

PRESETS = ("none", *train_job.PRESETS)
DEVICES = ("auto", "cpu", "cuda")


class TrainAlgorithm(SatsegAlgorithm):
    VERB = "train"
    ICON = "train"

    def displayName(self) -> str:
        return self.tr("Train a model")

    def shortHelpString(self) -> str:
        return self.tr(
            "Trains a segmentation model on a dataset written by 'Extract patches' and writes "
            "best_iou.pt, best_loss.pt, last.pt, metrics and plots into the output folder. The "
            "job is the preset's keys, then those of JOB_FILE (a job saved by the Train "
            "dialog), then the parameters set here. Architectures, encoders and losses are "
            "those `satseg models` reports. Cancel leaves a resumable last.pt. Runs `satseg "
            "train`.")

    def initAlgorithm(self, config: Any = None) -> None:
        models = engine_models.known(settings.engine_python())
        self.addParameter(QgsProcessingParameterFile(
            "DATASET", self.tr("Dataset folder (holds dataset.json)"),
            QgsProcessingParameterFile.Folder))
        self.addParameter(QgsProcessingParameterEnum(
            "PRESET", self.tr("Preset"), list(PRESETS), False, "balanced",
            usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterFile(
            "JOB_FILE", self.tr("Job file (JSON saved by the Train dialog)"),
            QgsProcessingParameterFile.File, "json", optional=True))
        for name, label, key in (
                ("ARCHITECTURE", self.tr("Architecture (default: the preset's)"),
                 "architectures"),
                ("ENCODER", self.tr("Encoder (default: the preset's; auto: chosen for the "
                                    "dataset)"), "encoders"),
                ("LOSS", self.tr("Loss (default: the preset's)"), "losses")):
            options = engine_models.names(models, key)
            if name == "ENCODER":
                options = [train_job.AUTO, *options]
            self.addParameter(QgsProcessingParameterEnum(
                name, label, options, False, None, optional=True, usesStaticStrings=True))
        number = QgsProcessingParameterNumber
        for name, label, kind, low, high in (  # the bounds of the engine's TrainJob
                ("EPOCHS", self.tr("Epochs (default: the preset's)"), number.Integer, 1,
                 10000),
                ("BATCH_SIZE", self.tr("Patches per batch"), number.Integer, 1, 4096),
                ("LEARNING_RATE", self.tr("Learning rate"), number.Double, 0.0, None),
                ("STEPS_PER_EPOCH", self.tr("Cap on batches per epoch (0: all)"),
                 number.Integer, 0, None)):
            parameter = number(name, label, kind, None, True, low)
            if high is not None:
                parameter.setMaximum(high)
            self.addParameter(parameter)
        self.addParameter(QgsProcessingParameterEnum(
            "DEVICE", self.tr("Device"), list(DEVICES), False, "auto", usesStaticStrings=True))
        self.addParameter(number("SEED", self.tr("Random seed"), number.Integer, 42))
        self.addParameter(QgsProcessingParameterFolderDestination(
            "OUTPUT", self.tr("Output folder (checkpoints, metrics, plots)")))
        self.addOutput(QgsProcessingOutputFile("CHECKPOINT", self.tr("Best checkpoint")))
        self.addOutput(QgsProcessingOutputFile("METRICS", self.tr("metrics.json")))
        self.addOutput(QgsProcessingOutputNumber("MIOU", self.tr("Validation mIoU")))
        self.addOutput(QgsProcessingOutputNumber("EPOCHS_RUN", self.tr("Epochs run")))

    def job(self, parameters: Dict[str, Any], context: QgsProcessingContext,
            feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        dataset = self.parameterAsFile(parameters, "DATASET", context)
        try:
            info = train_job.read_dataset(dataset)
        except (FileNotFoundError, ValueError) as exc:
            raise InputError(self.tr("{path} is not a satseg dataset ({error}): choose a folder "
                                     "written by 'Extract patches'.").format(path=dataset,
                                                                             error=exc)) from None
        try:
            models = engine_models.fetch(settings.engine_python(), feedback.isCanceled)
        except EngineRunError as exc:
            raise InputError(str(exc)) from None
        values = self.preset(parameters, context, models)
        job_file = self.parameterAsFile(parameters, "JOB_FILE", context)
        if job_file:
            try:
                loaded = train_job.load_job(job_file)
            except train_job.JobFileError as exc:
                raise InputError(str(exc)) from None
            values.update(train_job.flatten({k: v for k, v in loaded.items()
                                             if k not in ("dataset", "output_dir", "resume")}))
        values.update(self.explicit(parameters, context, models))
        need = next((a.get("min_patch_size") for a in models.get("architectures") or []
                     if a.get("name") == values.get("model.architecture")), None)
        if need and info.patch_size and info.patch_size < int(need):
            raise InputError(self.tr("{model} needs patches of at least {need} px; this "
                                     "dataset's are {have} px. Choose another architecture or "
                                     "extract larger patches.").format(
                model=values["model.architecture"], need=need, have=info.patch_size))
        output = os.path.abspath(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        return {"dataset": os.path.abspath(dataset), "output_dir": output,
                **train_job.unflatten(values)}

    def preset(self, parameters: Dict[str, Any], context: QgsProcessingContext,
               models: Dict[str, Any]) -> Dict[str, Any]:
        """The preset's flat keys, engine defaults resolved, "auto" keys when it adapts."""
        name = self.enum_text(parameters, "PRESET", context)
        if name not in train_job.PRESETS:
            return {}
        defaults = {"model.architecture": models.get("default_architecture"),
                    "model.encoder": models.get("default_encoder")}
        values = {key: defaults.get(key) if value == train_job.ENGINE_DEFAULT else value
                  for key, value in train_job.preset_values(name).items()}
        if train_job.PRESET_ADAPTS.get(name):
            values.update({key: train_job.AUTO for key in train_job.AUTO_KEYS})
        return {key: value for key, value in values.items() if value is not None}

    def explicit(self, parameters: Dict[str, Any], context: QgsProcessingContext,
                 models: Dict[str, Any]) -> Dict[str, Any]:
        """The keys given as parameters, checked against the engine's lists."""
        values: Dict[str, Any] = {"device": self.enum_text(parameters, "DEVICE", context),
                                  "seed": self.parameterAsInt(parameters, "SEED", context)}
        for name, key, listed in (("ARCHITECTURE", "model.architecture", "architectures"),
                                  ("ENCODER", "model.encoder", "encoders"),
                                  ("LOSS", "loss.name", "losses")):
            value = self.enum_text(parameters, name, context)
            known = engine_models.names(models, listed) + ([train_job.AUTO]
                                                           if name == "ENCODER" else [])
            if value and value not in known:
                raise InputError(self.tr("This engine has no {what} '{value}': choose one of "
                                         "{known}.").format(what=name.lower(), value=value,
                                                            known=", ".join(known[:20])))
            if value:
                values[key] = value
        for name, key, integer in (("EPOCHS", "epochs", True), ("BATCH_SIZE", "batch_size", True),
                                   ("LEARNING_RATE", "optim.lr", False),
                                   ("STEPS_PER_EPOCH", "data.steps_per_epoch", True)):
            value = self.optional_number(parameters, name, context, integer)
            if value is not None:
                values[key] = value
        return values

    def results(self, summary: Dict[str, Any], job: Dict[str, Any],
                parameters: Dict[str, Any], context: QgsProcessingContext,
                feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        output = job["output_dir"]
        checkpoint = train_job.best_checkpoint(summary)
        if checkpoint and not os.path.isabs(checkpoint):
            checkpoint = os.path.join(output, os.path.basename(checkpoint))
        miou = float(((summary.get("validation") or {}).get("miou")) or 0.0)
        feedback.pushInfo(self.tr("Best checkpoint: {path} (validation mIoU {miou:.3f})")
                          .format(path=checkpoint, miou=miou))
        return {"OUTPUT": output, "CHECKPOINT": checkpoint,
                "METRICS": os.path.join(output, "metrics.json"), "MIOU": miou,
                "EPOCHS_RUN": int(summary.get("epochs_run") or 0)}
