"""Multi-source and time-series models: the registries, `build_multisource`, `check_multisource`.

A checkpoint header with a `multisource` entry (docs/formats.md) describes one of these:

* `early`: every source in the channels of one registry network (any architecture; a time series
  with temporal="stack" flattened to T*C channels, absent dates zero). With temporal "utae" or
  "unet3d", single-date sources are broadcast to every date and concatenated per date into ONE
  temporal stream (all time series must then share their date slots).
* `mid`: one encoder stream per source (an smp encoder, the small `custom` encoder, or a
  temporal stream), fused at every stage by `fusion_method`, one U-Net decoder.
* `late`: one complete network per source (a registry architecture; a time series with
  temporal utae/unet3d gets a temporal stream and a U-Net decoder), logits fused with learned
  per-stream, per-class softmax weights.

Networks built around a stream (mid fusion, temporal utae/unet3d) read these `model_kwargs`:
`base_width` (custom and 3D encoders, default 16), `dropout` (custom encoder),
`decoder_channels` (default (256, 128, 64, 32, 16) after an smp encoder, (8w, 4w, 2w, w, w)
otherwise), `decoder_attention_type`, `temporal_heads` (4), `temporal_key_dim` (16). Patch
sides must then be a multiple of 32.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from torch import nn

from ..core.errors import SatsegError
from . import registry
from .fusion import FUSION_METHODS
from .networks import (
    EarlyFusionNet,
    FlatNet,
    LateFusionNet,
    MidFusionNet,
    SourceSpec,
    StreamNet,
    UNetHead,
)
from .streams import CUSTOM_ENCODER, STRIDE, build_2d_stream, check_stream_encoder
from .temporal import UNet3DStream, build_unet3d_stream, build_utae_stream

DEFAULTS = {"fusion": "early", "fusion_method": "concat", "temporal": "stack"}
#: architectures whose decoder a stream-based network (mid fusion, temporal streams) matches.
UNET_ARCHITECTURES = ("Unet", registry.CUSTOM_UNET)
#: model_kwargs that only the stream-based networks read (never passed to a registry network).
STREAM_KWARGS = ("decoder_channels", "decoder_attention_type", "temporal_heads",
                 "temporal_key_dim")
SMP_DECODER = (256, 128, 64, 32, 16)


@dataclasses.dataclass(frozen=True)
class Config:
    """Everything a builder needs, read from a header (or a job's model options)."""

    fusion: str
    fusion_method: str
    temporal: str
    architecture: str
    encoder: str | None
    model_kwargs: Mapping[str, Any]
    stream_encoders: Mapping[str, str]

    def encoder_of(self, source: str) -> str:
        """The stream encoder of a source: stream_encoders, else the model's encoder."""
        if self.stream_encoders.get(source):
            return self.stream_encoders[source]
        if self.encoder is None or self.architecture == registry.CUSTOM_UNET:
            return CUSTOM_ENCODER
        return self.encoder

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> Config:
        """From a header (`multisource` inside) or a flat mapping of the same keys."""
        flat = {**DEFAULTS, **{k: v for k, v in spec.items() if v is not None},
                **{k: v for k, v in (spec.get("multisource") or {}).items() if v is not None}}
        return cls(str(flat["fusion"]), str(flat["fusion_method"]), str(flat["temporal"]),
                   str(flat.get("architecture", "Unet")), flat.get("encoder"),
                   dict(flat.get("model_kwargs") or {}), dict(flat.get("stream_encoders") or {}))


@dataclasses.dataclass(frozen=True)
class Choice:
    """A registry entry: what it does, and its builder."""

    description: str
    build: Callable[..., Any] | None = None


# -- streams and per-source networks ----------------------------------------------------------

def _temporal_stream(mode: str) -> Callable[[str, SourceSpec, Mapping[str, Any]], nn.Module]:
    def build(encoder: str, spec: SourceSpec, kwargs: Mapping[str, Any]) -> nn.Module:
        if not spec.temporal or mode == "stack":
            return build_2d_stream(encoder, spec.channels, spec.slots, kwargs)
        return (build_utae_stream if mode == "utae" else build_unet3d_stream)(
            encoder, spec.channels, kwargs)
    return build


TEMPORAL_MODES: dict[str, Choice] = {
    "stack": Choice("dates as channels (T*C), absent dates zero", _temporal_stream("stack")),
    "utae": Choice("a 2D encoder shared by the dates + masked temporal attention with "
                   "day-of-year encoding at every scale (U-TAE)", _temporal_stream("utae")),
    "unet3d": Choice("3D convolutions over (T,H,W), masked temporal attention on each skip",
                     _temporal_stream("unet3d")),
}


def _head(stream: nn.Module, encoder: str, out_channels: int, kwargs: Mapping[str, Any]
          ) -> UNetHead:
    smp_stream = encoder != CUSTOM_ENCODER and not isinstance(stream, UNet3DStream)
    width = int(kwargs.get("base_width", 16))
    default = SMP_DECODER if smp_stream else (8 * width, 4 * width, 2 * width, width, width)
    return UNetHead(stream.out_channels, out_channels,
                    [int(c) for c in kwargs.get("decoder_channels") or default],
                    kwargs.get("decoder_attention_type"))


def _source_net(spec: SourceSpec, config: Config, out_channels: int) -> nn.Module:
    """One source's complete network (late fusion): a registry network, or a temporal stream
    with a U-Net decoder."""
    encoder = config.encoder_of(spec.name)
    if spec.temporal and config.temporal != "stack":
        stream = TEMPORAL_MODES[config.temporal].build(encoder, spec, config.model_kwargs)
        return StreamNet(stream, _head(stream, encoder, out_channels, config.model_kwargs))
    kwargs = {k: v for k, v in config.model_kwargs.items() if k not in STREAM_KWARGS}
    smp_encoder = config.stream_encoders.get(spec.name) or config.encoder
    return FlatNet(registry.build_model(config.architecture, smp_encoder,
                                        spec.channels * spec.slots, out_channels, kwargs))


# -- fusion levels ----------------------------------------------------------------------------

def _build_early(specs: Sequence[SourceSpec], config: Config, out_channels: int) -> nn.Module:
    series = [s for s in specs if s.temporal]
    if series and config.temporal != "stack":
        merged = SourceSpec("+".join(s.name for s in specs), sum(s.channels for s in specs),
                            series[0].dates)
        return EarlyFusionNet(specs, _source_net(merged, config, out_channels), per_date=True)
    merged = SourceSpec("+".join(s.name for s in specs),
                        sum(s.channels * s.slots for s in specs))
    return EarlyFusionNet(specs, _source_net(merged, config, out_channels), per_date=False)


def _build_mid(specs: Sequence[SourceSpec], config: Config, out_channels: int) -> nn.Module:
    kwargs = config.model_kwargs
    streams = {s.name: TEMPORAL_MODES[config.temporal].build(config.encoder_of(s.name), s,
                                                             kwargs) for s in specs}
    main = streams[specs[0].name]
    method = FUSION_METHODS[config.fusion_method]
    fusions = {}
    for stage in range(1, len(main.out_channels)):
        for spec in specs[1:]:
            main_ch, aux_ch = main.out_channels[stage], streams[spec.name].out_channels[stage]
            if main_ch and aux_ch:   # some encoders have an empty (0-channel) stage
                fusions[f"s{stage}_{spec.name}"] = method.build(stage, main_ch, aux_ch)
    head = _head(main, config.encoder_of(specs[0].name), out_channels, kwargs)
    return MidFusionNet(specs, streams, fusions, head)


def _build_late(specs: Sequence[SourceSpec], config: Config, out_channels: int) -> nn.Module:
    return LateFusionNet(specs, {s.name: _source_net(s, config, out_channels) for s in specs},
                         out_channels)


FUSION_LEVELS: dict[str, Choice] = {
    "early": Choice("every source stacked into the channels of one network (any architecture)",
                    _build_early),
    "mid": Choice("one encoder stream per source, fused at every stage, one U-Net decoder "
                  "(fusion_method chooses how)", _build_mid),
    "late": Choice("one complete network per source, logits fused with learned per-class "
                   "weights", _build_late),
}


# -- public API -------------------------------------------------------------------------------

def _choose(table: Mapping[str, Choice], name: str, key: str) -> None:
    if name not in table:
        raise SatsegError("bad_job", f"{key}: unknown value '{name}'", key=key,
                          hint=f"valid values: {', '.join(table)}")


def _check_stream_encoders(config: Config, specs: Sequence[SourceSpec]) -> None:
    names = [s.name for s in specs]
    unknown = [n for n in config.stream_encoders if n not in names]
    if unknown:
        raise SatsegError("bad_job", f"model.stream_encoders names {', '.join(unknown)}, which "
                          f"the model does not consume", key="model.stream_encoders",
                          hint=f"name sources among {', '.join(names)}")
    if config.stream_encoders and config.fusion == "early":
        raise SatsegError("bad_job", "model.stream_encoders needs one stream per source; early "
                          "fusion has a single network", key="model.stream_encoders",
                          hint="set model.encoder, or use model.fusion=mid or late")
    for spec in specs:
        encoder = config.stream_encoders.get(spec.name)
        if encoder is None:
            continue
        check_stream_encoder(encoder)
        registry_net = config.fusion == "late" and not (spec.temporal and
                                                         config.temporal != "stack")
        if registry_net and config.architecture == registry.CUSTOM_UNET \
                and encoder != CUSTOM_ENCODER:
            raise SatsegError("bad_job", f"model.stream_encoders: {spec.name}'s late-fusion "
                              "network is a custom_unet, which has no encoder to choose",
                              key="model.stream_encoders", hint=f"remove {spec.name} from "
                              "model.stream_encoders, or choose an smp architecture")
        elif registry_net and encoder == CUSTOM_ENCODER \
                and config.architecture != registry.CUSTOM_UNET:
            raise SatsegError("bad_job", f"model.stream_encoders: {spec.name}'s late-fusion "
                              f"network is an smp {config.architecture}, which cannot use the "
                              f"'{CUSTOM_ENCODER}' encoder", key="model.stream_encoders",
                              hint="choose an smp encoder (e.g. resnet34) for it")


def check_multisource(spec: Mapping[str, Any], sources: Sequence[Any], patch_size: int
                      ) -> dict[str, Any]:
    """Refuse impossible combinations before anything is built (SatsegError "bad_job" naming
    the job key); returns the normalised header["multisource"] entry.

    `spec`: a header (with `multisource`) or a flat mapping of fusion, fusion_method, temporal,
    stream_encoders, architecture, encoder, model_kwargs. `sources`: header `sources` entries
    or objects with name, band_names and dates (data.sources.SourceInfo)."""
    config = Config.of(spec)
    specs = [SourceSpec.of(s) for s in sources]
    names = [s.name for s in specs]
    if not specs:
        raise SatsegError("bad_job", "the model consumes no source", key="data.sources",
                          hint="name at least one source of the dataset in data.sources")
    _choose(FUSION_LEVELS, config.fusion, "model.fusion")
    _choose(FUSION_METHODS, config.fusion_method, "model.fusion_method")
    _choose(TEMPORAL_MODES, config.temporal, "model.temporal")
    registry.check_architecture(config.architecture)
    _check_stream_encoders(config, specs)
    series = [s for s in specs if s.temporal]
    temporal_net = bool(series) and config.temporal != "stack"
    if config.temporal != "stack" and not series:
        raise SatsegError("bad_job", f"model.temporal={config.temporal} needs a time-series "
                          f"source, and none of {', '.join(names)} has dates",
                          key="model.temporal", hint="use model.temporal=stack, or extract a "
                          "source from several dated rasters")
    if config.fusion == "early" and temporal_net and len({s.dates for s in series}) > 1:
        detail = "; ".join(f"{s.name}: {s.slots} slots" for s in series)
        raise SatsegError("bad_job", f"early fusion with temporal={config.temporal} merges the "
                          f"sources date by date, but the time series have different date "
                          f"slots ({detail})", key="model.fusion",
                          hint="use model.fusion=mid or late (one stream per source), or "
                          "extract the time series with the same dates")
    stream_based = config.fusion == "mid" or (config.fusion == "early" and temporal_net)
    if stream_based and config.architecture not in UNET_ARCHITECTURES:
        what = "mid fusion" if config.fusion == "mid" else "a temporal stream"
        raise SatsegError("bad_job", f"{what} decodes with a U-Net, not "
                          f"{config.architecture}", key="model.architecture",
                          hint="choose Unet (smp encoders) or custom_unet (small conv "
                          "encoders), or model.fusion=late")
    if (stream_based or temporal_net) and (patch_size % STRIDE or patch_size < STRIDE):
        raise SatsegError("bad_job", f"{config.fusion} fusion with temporal={config.temporal} "
                          f"needs patches of a multiple of {STRIDE} px; the dataset's are "
                          f"{patch_size} px", key="model.fusion", hint="re-extract with another "
                          "patch size (e.g. 64, 128, 256)")
    return {"fusion": config.fusion, "fusion_method": config.fusion_method,
            "temporal": config.temporal, "stream_encoders": dict(config.stream_encoders)}


def build_multisource(header: Mapping[str, Any], out_channels: int | None = None) -> nn.Module:
    """The untrained network a multi-source header describes (nothing is downloaded)."""
    config = Config.of(header)
    for table, name, key in ((FUSION_LEVELS, config.fusion, "model.fusion"),
                             (FUSION_METHODS, config.fusion_method, "model.fusion_method"),
                             (TEMPORAL_MODES, config.temporal, "model.temporal")):
        _choose(table, name, key)
    specs = [SourceSpec.of(entry) for entry in header.get("sources") or ()]
    if not specs:
        raise SatsegError("bad_checkpoint", "a multi-source header without sources",
                          hint="the file was altered or written by an incompatible version")
    if out_channels is None:
        out_channels = 1 if header["task"] == "binary" else len(header["classes"])
    return FUSION_LEVELS[config.fusion].build(specs, config, out_channels)
