"""Which sources a run consumes, and what a multi-source run adds to a single-source one.

A run is *multi-source* when it consumes more than one source or any time series: its batches
are dicts, its model comes from `models.multisource`, its checkpoint header has `sources` and
`multisource` (docs/formats.md). Otherwise the single-source path is used unchanged.

Here: the source plan (`plan_sources`, pure: also used to list patches and k-fold pools), the
checks that need the dataset (`check_plan`), the header of a multi-source model, per-stream
learning rates and the two-stage schedule (every stream frozen for the first epochs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from ..data.sources import PRIMARY, SourceInfo, dataset_sources, select_sources
from ..models.multisource import Config, check_multisource

STREAM = "stream:"


@dataclasses.dataclass(frozen=True)
class SourcePlan:
    """The sources a run consumes (dataset order, `images` first) and where its patches are."""

    sources: tuple[SourceInfo, ...]   # () = a folder the dataset does not describe (data.source)
    folder: str                       # the folder whose patches are listed (with their labels)

    @property
    def multi(self) -> bool:
        return len(self.sources) > 1 or any(s.temporal for s in self.sources)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sources]


def plan_sources(job: Any, info: Mapping[str, Any]) -> SourcePlan:
    """data.sources (default: every source of the dataset), or the older data.source folder."""
    known = dataset_sources(info)
    if job.data.sources:
        chosen = select_sources(known, job.data.sources, "data.sources")
    elif job.data.source != PRIMARY:
        named = [s for s in known if s.name == job.data.source]
        if not named:  # a folder dataset.json does not describe: the images' statistics apply
            return SourcePlan((), job.data.source)
        chosen = named
    else:
        chosen = known
    return SourcePlan(tuple(chosen), chosen[0].folder)


def _requested_multi_keys(job: Any) -> list[str]:
    m, o = job.model, job.optim
    asked = [("model.fusion", m.fusion != "early"),
             ("model.fusion_method", m.fusion_method != "concat"),
             ("model.temporal", m.temporal != "stack"),
             ("model.stream_encoders", bool(m.stream_encoders)),
             ("optim.stream_lr", bool(o.stream_lr)), ("optim.fusion_lr", o.fusion_lr is not None)]
    return [key for key, on in asked if on]


def check_plan(job: Any, plan: SourcePlan, events: Any) -> None:
    """Checks that need the dataset: keys naming sources the run does not consume (error),
    fusion keys on a run with one single-date source (a warning: they do not apply, the
    single-source model is trained), statistics every consumed source needs."""
    for key, mapping in (("model.stream_encoders", job.model.stream_encoders),
                         ("optim.stream_lr", job.optim.stream_lr)):
        unknown = [n for n in mapping or {} if n not in plan.names]
        if unknown:
            raise SatsegError("unknown_source", f"{key} names {', '.join(map(repr, unknown))}, "
                              f"which this run does not consume (it consumes "
                              f"{', '.join(plan.names) or job.data.source})", key=key,
                              hint="name sources of the dataset listed in data.sources")
    if not plan.multi:
        ignored = _requested_multi_keys(job)
        if ignored:
            events.warning(f"{', '.join(ignored)} ignored: the run consumes one single-date "
                           f"source ({', '.join(plan.names) or job.data.source}); training a "
                           "single-source model (several sources or a time series need "
                           "data.sources and a dataset extracted with them)")
        return
    if job.data.normalization != "none":
        for source in plan.sources:
            if len(source.statistics) != len(source.band_names):
                raise SatsegError("bad_dataset", f"source {source.name}: dataset.json has "
                                  f"statistics for {len(source.statistics)} of its "
                                  f"{len(source.band_names)} bands", key="dataset",
                                  hint="re-extract the dataset, or set data.normalization "
                                  "to none")


def source_normalizations(job: Any, plan: SourcePlan) -> dict[str, dict[str, Any]]:
    """Each source's own per-band normalisation (its statistics, its nodata)."""
    return {s.name: s.normalization(job.data.normalization) for s in plan.sources}


def multisource_header(job: Any, plan: SourcePlan, header: Mapping[str, Any],
                       normalizations: Mapping[str, Mapping[str, Any]], patch_size: int
                       ) -> dict[str, Any]:
    """A single-source header turned into a multi-source model's (docs/formats.md), its
    combination checked by `models.multisource.check_multisource` (SatsegError naming the
    key). `multisource.stream_encoders` lists the encoder of every stream (mid/late fusion)."""
    m = job.model
    spec = {"fusion": m.fusion, "fusion_method": m.fusion_method, "temporal": m.temporal,
            "stream_encoders": dict(m.stream_encoders or {})}
    out = {**header, "in_channels": sum(s.channels for s in plan.sources),
           "band_names": [f"{s.name}:{band}" for s in plan.sources
                          for band in s.patch_band_names()],
           "normalization": dict(normalizations[plan.sources[0].name]),
           "sources": [s.header(normalizations[s.name]) for s in plan.sources],
           "multisource": spec}
    spec = check_multisource(out, list(plan.sources), patch_size)
    if spec["fusion"] != "early":
        config = Config.of({**out, "multisource": spec})
        spec["stream_encoders"] = {name: config.encoder_of(name) for name in plan.names}
    out["multisource"] = spec
    return out


def _groups(model: nn.Module) -> dict[str, list[nn.Parameter]]:
    groups = {name: list(params) for name, params in model.parameter_groups().items()}
    seen = [id(p) for params in groups.values() for p in params]
    every = {id(p) for p in model.parameters()}
    if len(seen) != len(set(seen)) or set(seen) != every:
        raise RuntimeError(f"{type(model).__name__}.parameter_groups() must hold every "
                           "parameter exactly once")
    return groups


def stream_param_groups(job: Any, model: nn.Module) -> list[dict[str, Any]]:
    """Optimiser groups of a multi-source model: each stream at optim.stream_lr[source] (else
    encoder_lr, else lr), fusion layers at fusion_lr (else lr), the decoder (last) at lr."""
    o = job.optim
    stream_default = o.encoder_lr if o.encoder_lr is not None else o.lr
    out = []
    for name, params in _groups(model).items():
        if name.startswith(STREAM):
            lr = (o.stream_lr or {}).get(name[len(STREAM):], stream_default)
        elif name == "fusion":
            lr = o.fusion_lr if o.fusion_lr is not None else o.lr
        else:
            lr = o.lr
        if params:
            out.append({"params": params, "lr": lr, "name": name})
    return sorted(out, key=lambda group: group["name"] == "decoder")  # decoder last (current_lr)


def set_streams_frozen(model: nn.Module, frozen: bool) -> None:
    """The two-stage schedule's first stage: every stream's parameters frozen (no gradients)
    and its modules in eval mode (batch-norm statistics and dropout fixed), as
    `registry.set_encoder_frozen` does for a single encoder."""
    ids = {id(p) for name, params in _groups(model).items() if name.startswith(STREAM)
           for p in params}
    for param in model.parameters():
        if id(param) in ids:
            param.requires_grad_(not frozen)
    if frozen:
        for module in model.modules():
            params = list(module.parameters())
            if params and all(id(p) in ids for p in params):
                module.eval()


def to_channels_last(model: nn.Module) -> None:
    """Channels-last weights for the 2D layers only (`Module.to(memory_format=...)` refuses
    the 5-D weights of 3D convolutions)."""
    for param in model.parameters():
        if param.dim() == 4:
            param.data = param.data.contiguous(memory_format=torch.channels_last)


def group_counts(model: nn.Module) -> dict[str, int]:
    """Parameters per group of a multi-source model (the model summary)."""
    return {name: sum(p.numel() for p in params) for name, params in _groups(model).items()}
