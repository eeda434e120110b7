"""Everything a training run needs before its first step: device, precision, seed, model, data.

Nothing here assumes one process: samplers shard under torch.distributed, and `is_main()` tells
who logs and writes files.
"""

from __future__ import annotations

import dataclasses
import random
import signal
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Sampler

from .. import __version__
from ..core.errors import SatsegError
from ..data.augment import AugmentParams
from ..data.normalization import make_normalization
from ..data.patch_data import (
    MultiSourceDataset,
    PatchDataset,
    PatchItem,
    balanced_weights,
    class_presence,
    label_lookup,
)
from ..data.sources import PRIMARY
from ..models import registry as models
from ..models.losses import LossParams, build_loss, class_weights_from_counts, counts_in_class_order
from .distributed import ShardSampler, launched_world, local_rank, rank_and_world
from .streams import (
    SourcePlan,
    check_plan,
    multisource_header,
    plan_sources,
    set_streams_frozen,
    source_normalizations,
    stream_param_groups,
)


def resolve_device(name: str) -> torch.device:
    """auto → cuda if available else cpu; cuda/cuda:N must exist. Under torchrun, auto and
    cuda mean the GPU of this process's LOCAL_RANK."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda" and device.index is None and launched_world() > 1:
        # torchrun: one GPU per local rank (or the one GPU a rank was given by its launcher)
        index = local_rank() if torch.cuda.device_count() > 1 else 0
        device = torch.device("cuda", index)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise SatsegError("no_cuda", f"device '{name}' requested but CUDA is not available",
                              hint="set device to auto or cpu, or install a CUDA build of torch",
                              key="device")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise SatsegError("no_cuda", f"device '{name}' does not exist (found "
                              f"{torch.cuda.device_count()} CUDA devices)", key="device")
    return device


def resolve_amp(requested: str, device: torch.device, events: Any) -> torch.dtype | None:
    """The autocast dtype to use, or None; unusable requests fall back with a warning."""
    if requested == "off":
        return None
    if device.type == "cuda":
        if requested == "bf16" and not torch.cuda.is_bf16_supported():
            events.warning("this GPU has no bf16 support: using fp16 mixed precision instead")
            return torch.float16
        return torch.bfloat16 if requested == "bf16" else torch.float16
    if requested == "bf16":
        try:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                probe = nn.Conv2d(2, 2, 3)(torch.zeros(1, 2, 8, 8))
            if torch.isfinite(probe.float()).all():
                return torch.bfloat16
        except (RuntimeError, TypeError) as exc:
            events.warning(f"bf16 autocast failed on the CPU ({exc}): training in fp32")
            return None
    events.warning(f"mixed precision {requested} needs a CUDA GPU: training on the CPU in fp32")
    return None


def seed_everything(seed: int, deterministic: bool) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
    elif torch.cuda.is_available():
        torch.backends.cudnn.benchmark = True


def distributed() -> tuple[int, int]:
    """(rank, world size); (0, 1) without torch.distributed."""
    return rank_and_world()


def is_main() -> bool:
    return distributed()[0] == 0


def resolve_task(requested: str, classes: Sequence[Any]) -> str:
    if requested == "binary" and len(classes) != 2:
        raise SatsegError("bad_job", f"task 'binary' needs exactly 2 classes, the dataset has "
                          f"{len(classes)}", hint="set task to multiclass or auto", key="task")
    if requested == "auto":
        return "binary" if len(classes) == 2 else "multiclass"
    return requested


@dataclasses.dataclass
class RunSetup:
    """What a run derives from its job and dataset (shared by training and reports)."""

    device: torch.device
    amp_dtype: torch.dtype | None
    task: str
    classes: list[dict[str, Any]]
    class_names: list[str]
    ignore_value: int
    normalization: dict[str, Any]
    lookup: np.ndarray
    header: dict[str, Any]       # checkpoint header without epoch/metrics/role
    plan: SourcePlan | None = None
    normalizations: dict[str, dict[str, Any]] | None = None  # per source (multi-source runs)

    @property
    def multi(self) -> bool:
        """A multi-source run: dict batches, a models.multisource network."""
        return "multisource" in self.header


def make_setup(job: Any, info: dict[str, Any], events: Any) -> RunSetup:
    device = resolve_device(job.device)
    classes = [dict(c) for c in info["classes"]]
    task = resolve_task(job.task, classes)
    ignore_value = int(info["ignore_value"])
    plan = plan_sources(job, info)
    check_plan(job, plan, events)
    band_names = list(info["band_names"])
    method = "none" if job.data.normalization == "weights" else job.data.normalization
    single = plan.sources[0] if plan.sources and plan.sources[0].name != PRIMARY else None
    statistics = {"bands": list(single.statistics)} if single else info["statistics"]
    nodata = single.nodata if single else info.get("nodata")
    if single is not None:  # one source, not the images
        band_names = list(single.band_names)
    normalization = make_normalization(method, statistics, nodata)
    architecture = job.model.architecture
    models.check_architecture(architecture)
    if architecture != models.CUSTOM_UNET:
        models.check_encoder(job.model.encoder)
    if not plan.multi or job.model.fusion != "mid":  # a registry network is built
        _check_patch_size(architecture, int(info["patch_size"]), job.model.depth)
    for key in ("encoder_weights_path", "encoder_weights"):
        if plan.multi and getattr(job.model, key) is not None:
            raise SatsegError("bad_job", f"model.{key} applies to single-source models; this "
                              f"run consumes {', '.join(plan.names)}", key=f"model.{key}",
                              hint="leave it empty, or train on one single-date source "
                              "(data.sources)")
    weights_record = None
    if job.model.encoder_weights:
        from ..models.weight_bands import match_lines, plan_weight_set

        weights_record, own = plan_weight_set(
            job.model.encoder_weights, job.model.encoder, band_names, statistics, nodata,
            use_its_normalization=job.data.normalization == "weights",
            uses_encoder=architecture != models.CUSTOM_UNET)
        normalization = own or normalization
        for line in match_lines(weights_record):
            events.log(line)
    model_kwargs = ({"depth": job.model.depth, "base_width": job.model.base_width,
                     "dropout": job.model.dropout} if architecture == models.CUSTOM_UNET else {})
    header = {
        "engine_version": __version__, "architecture": architecture,
        "encoder": None if architecture == models.CUSTOM_UNET else job.model.encoder,
        "model_kwargs": model_kwargs, "in_channels": len(band_names),
        "band_names": band_names, "normalization": normalization,
        "classes": classes, "ignore_value": ignore_value, "patch_size": int(info["patch_size"]),
        "task": task, "threshold": job.threshold, "config": job.to_dict(),
    }
    if weights_record is not None:
        header["encoder_weights"] = weights_record
    normalizations = None
    if plan.multi:
        normalizations = source_normalizations(job, plan)
        header = multisource_header(job, plan, header, normalizations, int(info["patch_size"]))
    return RunSetup(device, resolve_amp(job.amp, device, events), task, classes,
                    [str(c.get("name", c["value"])) for c in classes], ignore_value,
                    normalization, label_lookup(classes, ignore_value), header, plan,
                    normalizations)


def _check_patch_size(architecture: str, patch_size: int, depth: int) -> None:
    multiple = 2**depth if architecture == models.CUSTOM_UNET else 32
    minimum = models.MIN_INPUT_SIZE.get(architecture, multiple)
    if patch_size % multiple or patch_size < minimum:
        raise SatsegError("bad_job", f"{architecture} needs patches of at least {minimum} px "
                          f"and a multiple of {multiple}; the dataset's are {patch_size} px",
                          hint="choose another architecture or re-extract with another patch "
                          "size", key="model.architecture")


def build_model(job: Any, setup: RunSetup, events: Any = None) -> nn.Module:
    h = setup.header
    if setup.multi:
        from ..models.multisource import build_multisource

        return build_multisource(h)
    out_channels = 1 if setup.task == "binary" else len(setup.classes)
    if job.model.encoder_weights and job.resume is None:  # a resume restores trained weights
        model, loaded = models.load_weight_set(
            h["architecture"], h["encoder"], h["band_names"], out_channels, h["model_kwargs"],
            job.model.encoder_weights, job.model.encoder_weights_path, events)
        h["encoder_weights"].update(loaded)
        return model
    if job.model.encoder_weights_path is not None and not job.model.encoder_weights:
        return models.load_encoder_weights(h["architecture"], h["encoder"], h["in_channels"],
                                           out_channels, h["model_kwargs"],
                                           job.model.encoder_weights_path)
    return models.build_model(h["architecture"], h["encoder"], h["in_channels"], out_channels,
                              h["model_kwargs"])


def build_loss_for(job: Any, setup: RunSetup, info: dict[str, Any]) -> nn.Module:
    lo = job.loss
    params = LossParams(focal_gamma=lo.focal_gamma, focal_alpha=lo.focal_alpha,
                        tversky_alpha=lo.tversky_alpha, tversky_beta=lo.tversky_beta,
                        ce_weight=lo.ce_weight, dice_weight=lo.dice_weight,
                        focal_weight=lo.focal_weight, lovasz_weight=lo.lovasz_weight,
                        tversky_weight=lo.tversky_weight, label_smoothing=lo.label_smoothing)
    counts = counts_in_class_order(
        info.get("splits", {}).get("train", {}).get("class_pixels", {}), setup.classes)
    weights = class_weights_from_counts(lo.class_weights, counts)
    return build_loss(lo.name, setup.task, params, setup.ignore_value, weights).to(setup.device)


def build_optimizer(job: Any, model: nn.Module, multi: bool = False) -> torch.optim.Optimizer:
    """Encoder and decoder groups; a multi-source model's groups per stream, fusion, decoder."""
    o = job.optim
    if multi:
        groups = stream_param_groups(job, model)
    else:
        encoder, decoder = models.split_parameters(model)
        groups = [{"params": encoder, "lr": o.encoder_lr if o.encoder_lr is not None else o.lr},
                  {"params": decoder, "lr": o.lr}]
    builders = {
        "adamw": lambda: torch.optim.AdamW(groups, weight_decay=o.weight_decay),
        "adam": lambda: torch.optim.Adam(groups, weight_decay=o.weight_decay),
        "sgd": lambda: torch.optim.SGD(groups, momentum=o.momentum,
                                       weight_decay=o.weight_decay),
    }
    return builders[o.optimizer]()


def set_frozen(model: nn.Module, frozen: bool, multi: bool) -> None:
    """Freeze or unfreeze the encoder (a multi-source model: every source's stream)."""
    if multi:
        set_streams_frozen(model, frozen)
    else:
        models.set_encoder_frozen(model, frozen)


class EpochSampler(Sampler[int]):
    """Shuffled (or class-balanced, with replacement) indices, reproducible per (seed, epoch),
    capped at `num_samples` and sharded across processes under torch.distributed: every rank
    draws the same order and takes every N-th index, so the ranks' batches of one step are the
    single-process batch of N × batch_size. Without replacement nothing repeats: an epoch whose
    size does not divide by N leaves its last few indices out."""

    def __init__(self, size: int, num_samples: int, seed: int,
                 weights: np.ndarray | None = None):
        self.size = size
        self.rank, self.world = distributed()
        self.num_samples = num_samples
        self.seed = seed
        self.weights = None if weights is None else torch.as_tensor(weights, dtype=torch.double)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        if self.world == 1:
            return self.num_samples
        return max(1, self.num_samples // self.world)

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed * 100003 + self.epoch)
        total = len(self) * self.world
        if self.weights is not None:
            order = torch.multinomial(self.weights, total, replacement=True, generator=generator)
        else:
            repeats = -(-total // self.size)  # > 1 only for a 1-patch set on several ranks
            order = torch.cat([torch.randperm(self.size, generator=generator)
                               for _ in range(repeats)])[:total]
        return iter(order[self.rank::self.world].tolist())


def ignore_interrupt(_worker_id: int) -> None:
    """Data-loader workers ignore Ctrl-C: the main process cancels the run and stops them (a
    terminal's Ctrl-C reaches every process of the job, and a worker dying of it would end the
    run as a worker crash instead of a cancellation). A worker's thread that hands batches'
    shared memory to the main process may then find it gone mid-handshake: that is the
    cancellation, not an error, so it prints no traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the main process's SIGTERM handler (raise Cancelled) came with the fork: a worker that the
    # main process terminates at exit must die at once, not wait out DataLoader's 5 s watchdog
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sys.excepthook = _quiet_when_the_consumer_left  # resource_sharer's thread reports there


def _quiet_when_the_consumer_left(kind: type[BaseException], error: BaseException,
                                  trace: Any) -> None:
    if issubclass(kind, (ConnectionError, EOFError)):
        return  # multiprocessing.resource_sharer: the main process stopped mid-handshake
    sys.__excepthook__(kind, error, trace)


def make_loader(items: Sequence[PatchItem], job: Any, setup: RunSetup, *, train: bool,
                events: Any) -> DataLoader:
    aug = job.augment
    params = AugmentParams(flips=aug.flips, rotate90=aug.rotate90, scale=aug.scale,
                           shift=aug.shift, brightness=aug.brightness, contrast=aug.contrast,
                           noise=aug.noise, probability=aug.probability)
    chosen = params if (train and aug.enabled) else None
    dataset: PatchDataset | MultiSourceDataset
    if setup.multi and setup.plan is not None and setup.normalizations is not None:
        dataset = MultiSourceDataset(items, setup.plan.sources, setup.normalizations,
                                     setup.lookup, setup.ignore_value, chosen, seed=job.seed)
    else:
        dataset = PatchDataset(items, setup.normalization, setup.lookup, setup.ignore_value,
                               chosen, seed=job.seed)
    held = dataset.preload(job.data.cache_mb * 2**20)
    if held:
        events.log(f"holding {len(items)} {'training' if train else 'evaluation'} patches in "
                   f"memory ({held / 2**20:.0f} MB)", level="debug")
    _rank, world = distributed()
    drop_last = False
    if train:
        cap = job.data.steps_per_epoch * job.batch_size * world
        num_samples = min(len(items), cap) if cap else len(items)
        weights = None
        if job.data.class_balanced:
            weights = balanced_weights(class_presence(items, setup.lookup, len(setup.classes)))
        epoch_sampler = EpochSampler(len(items), num_samples, job.seed, weights)
        sampler: Sampler[int] | None = epoch_sampler
        drop_last = len(epoch_sampler) > job.batch_size  # no lone 1-patch batch (batch norm)
    elif world > 1:
        sampler = ShardSampler(len(dataset))
    else:
        sampler = None
    return DataLoader(dataset, batch_size=job.batch_size, sampler=sampler,
                      num_workers=job.data.num_workers, worker_init_fn=ignore_interrupt,
                      pin_memory=job.data.pin_memory and setup.device.type == "cuda",
                      drop_last=drop_last)
