"""The training stage's options: model, data, augmentation, loss, optimiser, schedule, stopping.

`TrainJob` is the `train` verb's job and the argument of `training.train(job, events)` (also
what hyper-parameter search builds per trial). Standard library only.

Keys whose default is "auto" (`AUTO_KEYS`) are chosen per dataset at the start of a run
(training.auto: the dataset's size, bands and class balance, with a reason each); a value given
explicitly always wins.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option

Normalization = Literal["standardize", "percentile_1_99", "percentile_2_98", "sigma_clip",
                        "minmax", "none", "weights"]
Fusion = Literal["early", "mid", "late"]
FusionMethod = Literal["concat", "attention", "film", "cross_attention", "film_cross"]
Temporal = Literal["stack", "utae", "unet3d"]
Auto = Literal["auto"]
LossName = Literal["ce", "dice", "dice_ce", "focal", "focal_dice", "tversky", "combo", "lovasz",
                   "focal_lovasz"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelOptions:
    architecture: str = option("Unet", help="custom_unet or an smp architecture: Unet, "
                               "UnetPlusPlus, DeepLabV3, DeepLabV3Plus, FPN, PSPNet, MAnet, PAN, "
                               "Linknet, Segformer, UPerNet ('satseg models' lists them)")
    encoder: str = option("auto", help="smp encoder (ignored by custom_unet); auto: resnet34 "
                          "(it generalised best to held-out areas at every dataset size)")
    encoder_weights: str | None = option(None, help="named pretrained weight set (imagenet, "
                                         "ssl4eo_s12_moco… 'satseg models' lists those that "
                                         "fit each encoder): downloaded once into a cache, "
                                         "adapted to the dataset's bands")
    encoder_weights_path: Path | None = option(None, exists="file", help="local file with "
                                               "RGB-pretrained encoder weights (a state dict), "
                                               "adapted to the dataset's bands")
    depth: int = option(4, min=1, max=6, help="custom_unet: number of poolings")
    base_width: int = option(64, min=4, max=256, help="custom_unet: channels of the first "
                             "level (64 with depth 4 = the classic 64→1024 U-Net)")
    dropout: float = option(0.1, min=0.0, max=0.9, help="custom_unet: dropout in the deeper "
                            "levels")
    fusion: Fusion = option("early", help="several sources: early (stacked as channels of one "
                            "network), mid (one encoder per source, fused at every stage) or "
                            "late (one network per source, decisions fused)")
    fusion_method: FusionMethod = option("concat", help="mid fusion: how the streams are "
                                         "fused at each stage")
    temporal: Temporal = option("stack", help="time-series sources: stack (dates as channels), "
                                "utae (temporal attention) or unet3d (3D convolutions)")
    stream_encoders: dict[str, str] | None = option(None, help="mid/late fusion: encoder per "
                                                    "source (NAME=ENCODER; default: encoder)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DataOptions:
    normalization: Normalization = option("percentile_2_98", help="per-band normalisation "
                                          "from the dataset's training statistics; weights: "
                                          "the one model.encoder_weights was trained with")
    num_workers: int | Auto = option("auto", min=0, max=64, help="DataLoader worker processes "
                                     "(0 = load in the main process); auto: none on a CPU "
                                     "(they would compete with the model), some on a GPU")
    pin_memory: bool = option(True, help="pin host memory for faster copies to a GPU")
    steps_per_epoch: int = option(0, min=0, help="cap on training batches per epoch (0 = all "
                                  "patches once)")
    class_balanced: bool | Auto = option("auto", help="draw patches holding rare classes more "
                                         "often; auto: when a class is rare")
    source: str = option("images", help="image folder inside Patch/<split>/ (a single-source "
                         "model)")
    sources: tuple[str, ...] = option((), help="sources the model consumes, e.g. s2,s1 "
                                      "(default: every source of the dataset)")
    cache_mb: int = option(2048, min=0, help="hold each split's raw patches in memory when "
                           "they fit in this many MB (0 = read from disk every time)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class AugmentOptions:
    enabled: bool = option(True, help="augment training patches")
    flips: bool = option(True, help="random horizontal/vertical flips")
    rotate90: bool = option(True, help="random 90° rotations")
    scale: float | Auto = option("auto", min=0.0, max=0.5, help="max relative zoom (auto: "
                                 "stronger for smaller datasets, like the four below)")
    shift: float | Auto = option("auto", min=0.0, max=0.5, help="max shift (share of the "
                                 "patch side)")
    brightness: float | Auto = option("auto", min=0.0, max=2.0, help="max per-band additive "
                                      "offset (normalised units)")
    contrast: float | Auto = option("auto", min=0.0, max=0.9, help="max per-band relative "
                                    "gain change")
    noise: float | Auto = option("auto", min=0.0, max=1.0, help="Gaussian noise std "
                                 "(normalised units)")
    probability: float = option(0.5, min=0.0, max=1.0, help="chance of each of zoom/shift, "
                                "brightness/contrast and noise")


ClassWeighting = Literal["none", "inverse", "median", "sqrt_median", "rare", "rare_sqrt"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LossOptions:
    name: LossName = option("dice_ce", help="loss function")
    class_weights: ClassWeighting | Auto = option(
        "auto", help="class weights from the training split's pixel counts (rare: median "
        "weights for classes under 1 % of the pixels, 1 for the others; rare_sqrt: their "
        "square roots; auto: rare_sqrt when a class is under 1 %, else none)")
    focal_gamma: float = option(2.0, min=0.0, help="focal: focusing parameter")
    focal_alpha: float | None = option(None, min=0.0, max=1.0, help="focal: positive-class "
                                       "balance (empty = off)")
    tversky_alpha: float = option(0.3, min=0.0, max=1.0, help="tversky: false-positive weight")
    tversky_beta: float = option(0.7, min=0.0, max=1.0, help="tversky: false-negative weight")
    ce_weight: float = option(1.0, min=0.0, help="weight of the cross-entropy term")
    dice_weight: float = option(1.0, min=0.0, help="weight of the Dice term")
    focal_weight: float = option(1.0, min=0.0, help="weight of the focal term")
    lovasz_weight: float = option(1.0, min=0.0, help="weight of the Lovász term")
    tversky_weight: float = option(1.0, min=0.0, help="weight of the Tversky term")
    label_smoothing: float = option(0.0, min=0.0, max=0.5, help="cross-entropy label smoothing")


@dataclasses.dataclass(frozen=True, kw_only=True)
class OptimOptions:
    optimizer: Literal["adamw", "adam", "sgd"] = option("adamw", help="optimiser")
    lr: float = option(1e-3, min=0.0, help="learning rate (decoder and head)")
    encoder_lr: float | None = option(None, min=0.0, help="encoder learning rate (empty = lr)")
    weight_decay: float = option(1e-4, min=0.0, help="weight decay")
    momentum: float = option(0.9, min=0.0, max=1.0, help="SGD momentum")
    grad_clip: float = option(0.0, min=0.0, help="max gradient norm (0 = no clipping)")
    freeze_encoder_epochs: int = option(0, min=0, help="keep the encoder (every source's "
                                        "stream) frozen for this many first epochs")
    stream_lr: dict[str, float] | None = option(None, help="several sources: learning rate of "
                                                "each source's stream (NAME=LR; default: "
                                                "encoder_lr, else lr)")
    fusion_lr: float | None = option(None, min=0.0, help="several sources: learning rate of "
                                     "the fusion layers (empty = lr)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScheduleOptions:
    name: Literal["none", "cosine", "onecycle", "step", "plateau"] = option(
        "cosine", help="learning-rate schedule after warm-up (onecycle steps per batch)")
    warmup_epochs: int = option(0, min=0, help="linear warm-up epochs")
    warmup_start_factor: float = option(0.1, min=1e-4, max=1.0, help="warm-up starts at lr × "
                                        "this")
    min_lr_factor: float = option(0.01, min=0.0, max=1.0, help="cosine/onecycle end at lr × "
                                  "this")
    step_size: int = option(10, min=1, help="step: epochs between decays")
    gamma: float = option(0.1, min=0.0, max=1.0, help="step: decay factor")
    plateau_patience: int = option(3, min=0, help="plateau: epochs without validation-loss "
                                   "improvement before a decay")
    plateau_factor: float = option(0.5, min=0.0, max=1.0, help="plateau: decay factor")


@dataclasses.dataclass(frozen=True, kw_only=True)
class EarlyStoppingOptions:
    patience: int = option(0, min=0, help="stop after this many epochs without improvement "
                           "(0 = never stop early)")
    monitor: Literal["loss", "miou", "mean_f1", "accuracy"] = option(
        "miou", help="validation metric watched")
    min_delta: float = option(0.0, min=0.0, help="smallest change that counts as improvement")


@dataclasses.dataclass(frozen=True, kw_only=True)
class KFoldOptions:
    folds: int = option(0, min=0, max=20, help="k-fold cross-validation over train+validation "
                        "(test held out); 0 = one run on the dataset's splits")
    group_by: Literal["image", "patch"] = option("image", help="keep patches of one source "
                                                 "image in the same fold (image) or not")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainJob(jobs.Job):
    """The `train` verb's job, and what `train(job, events)` takes."""

    dataset: Path = option(exists="dir", help="patch dataset folder (holds dataset.json)")
    output_dir: Path = option(help="folder for checkpoints, metrics and plots")
    epochs: int | Auto = option("auto", min=1, max=10000, help="training epochs; auto: from "
                                "the number of training batches (more for small datasets)")
    batch_size: int = option(8, min=1, max=4096, help="patches per batch and per process "
                             "(under torchrun with N processes a step sees N × batch_size)")
    task: Literal["auto", "binary", "multiclass"] = option(
        "auto", help="binary: one logit and a threshold (2 classes); auto: binary when the "
        "dataset has 2 classes")
    threshold: float = option(0.5, min=0.0, max=1.0, help="binary: probability threshold")
    device: str = option("auto", help="auto, cpu, cuda or cuda:N")
    amp: Literal["off", "fp16", "bf16"] = option("off", help="mixed precision on CUDA "
                                                 "(falls back to off on CPU for fp16)")
    channels_last: bool = option(False, help="channels-last memory format (faster on recent "
                                 "GPUs)")
    seed: int = option(42, help="random seed (weights, sampling, augmentation)")
    deterministic: bool = option(False, help="deterministic algorithms (slower on GPU)")
    resume: Path | None = option(None, exists="file", help="last.pt of an interrupted run to "
                                 "continue")
    log_every_steps: int = option(10, min=1, help="training-loss metric event every N steps")
    selection: Literal["auto", "miou", "last"] = option(
        "auto", help="which epoch best_iou.pt keeps: miou (best validation mIoU) or last; "
        "auto: last when the validation split lacks a training class (its mIoU cannot judge "
        "that class and swings between epochs), else miou")
    model: ModelOptions = option(ModelOptions(), help="model")
    data: DataOptions = option(DataOptions(), help="data loading")
    augment: AugmentOptions = option(AugmentOptions(), help="augmentation")
    loss: LossOptions = option(LossOptions(), help="loss")
    optim: OptimOptions = option(OptimOptions(), help="optimiser")
    schedule: ScheduleOptions = option(ScheduleOptions(), help="learning-rate schedule")
    early_stopping: EarlyStoppingOptions = option(EarlyStoppingOptions(), help="early stopping")
    kfold: KFoldOptions = option(KFoldOptions(), help="cross-validation")

    @classmethod
    def inherited(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """With `resume`: the interrupted run's job from its checkpoint, writing into the
        checkpoint's folder, so `--resume model/last.pt` alone continues it. Keys given
        explicitly override (the model's are checked against the checkpoint at restore)."""
        resume = data.get("resume")
        if not resume or not isinstance(resume, (str, Path)):
            return {}
        path = Path(resume).expanduser()
        if not path.is_file():
            raise JobError(f"'resume': {path} is not a file", key="resume",
                           hint="give the last.pt of the run to continue")
        from .persist import checkpoint_job

        return {**checkpoint_job(path), "output_dir": str(path.parent)}

    def __post_init__(self) -> None:
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", self.device):
            raise JobError(f"'device' must be auto, cpu, cuda or cuda:N, got {self.device!r}",
                           key="device")
        if self.data.normalization == "weights" and not self.model.encoder_weights:
            raise JobError("data.normalization 'weights' is the normalisation of a named "
                           "weight set, and model.encoder_weights is empty",
                           key="data.normalization", hint="choose a weight set "
                           "(model.encoder_weights) or another normalisation")
        epochs = self.epochs if isinstance(self.epochs, int) else 0
        if self.optim.freeze_encoder_epochs >= epochs > 1:
            raise JobError("freeze_encoder_epochs must be smaller than epochs",
                           key="optim.freeze_encoder_epochs")
        if self.schedule.warmup_epochs >= epochs > 1:
            raise JobError("warmup_epochs must be smaller than epochs",
                           key="schedule.warmup_epochs")
        self._check_sources()

    def _check_sources(self) -> None:
        """Source keys that contradict each other (the dataset's own are checked at setup)."""
        names = self.data.sources
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise JobError(f"data.sources names {', '.join(twice)} more than once",
                           key="data.sources", hint="name each source once")
        if names and self.data.source != "images":
            raise JobError(f"data.source={self.data.source!r} and data.sources are both set",
                           key="data.sources", hint="use data.sources (data.source is the "
                           "older single-folder setting)")
        if self.model.fusion != "mid" and self.model.fusion_method != "concat":
            raise JobError(f"model.fusion_method={self.model.fusion_method!r} needs "
                           f"model.fusion=mid (it is {self.model.fusion!r})",
                           key="model.fusion_method", hint="set model.fusion to mid, or leave "
                           "model.fusion_method at concat")
        for key, given, instead in (
                ("model.stream_encoders", self.model.stream_encoders, "model.encoder"),
                ("optim.stream_lr", self.optim.stream_lr, "optim.encoder_lr")):
            if given and self.model.fusion == "early":
                raise JobError(f"{key} needs one stream per source (model.fusion mid or "
                               "late); early fusion has one network", key=key,
                               hint=f"set model.fusion to mid or late, or use {instead}")
        for key, mapping in (("model.stream_encoders", self.model.stream_encoders),
                             ("optim.stream_lr", self.optim.stream_lr)):
            unknown = [n for n in mapping or {} if names and n not in names]
            if unknown:
                raise JobError(f"{key} names {', '.join(map(repr, unknown))}, not in "
                               f"data.sources ({', '.join(names)})", key=key,
                               hint="name sources listed in data.sources")
        negative = [n for n, lr in (self.optim.stream_lr or {}).items() if lr < 0]
        if negative:
            raise JobError(f"optim.stream_lr of {', '.join(negative)} is negative",
                           key="optim.stream_lr", hint="give learning rates >= 0")
