"""The multi-source networks: early, mid and late fusion (built by `multisource.py`).

Every network takes the input dict (the model interface of docs/formats.md):
`{"data": {source: (B,C,H,W) | (B,T,C,H,W)}, "present": {source: (B,T) bool}, "doy": {...}}`
and returns logits (B,K,H,W). Absent dates are zeroed inside the network whatever the caller
put there. `parameter_groups()` splits the parameters into "stream:<name>" (the encoders),
"fusion" (what mixes sources or dates: fusion modules, temporal attention, late-fusion weights)
and "decoder" (everything else); `encoder` views the stream encoders together, so the
single-source helpers (freezing, encoder learning rate, parameter counts) work unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from .streams import flatten_dates

Inputs = Mapping[str, Mapping[str, torch.Tensor]]


@dataclasses.dataclass(frozen=True)
class SourceSpec:
    """What a network needs to know of a source: its name, bands per date and date slots."""

    name: str
    channels: int                       # bands of one date
    dates: tuple[str | None, ...] = ()  # one per slot; () = single date

    @property
    def temporal(self) -> bool:
        return len(self.dates) > 0

    @property
    def slots(self) -> int:
        return max(1, len(self.dates))

    @classmethod
    def of(cls, entry: Any) -> SourceSpec:
        """From a header's `sources` entry (a dict) or anything with the same attributes."""
        get = entry.get if isinstance(entry, Mapping) else (lambda k, d=None:
                                                            getattr(entry, k, d))
        return cls(str(get("name")), len(get("band_names") or ()), tuple(get("dates") or ()))


def source_tensors(inputs: Inputs, spec: SourceSpec
                   ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """(data, present, doy) of one source; a time series comes out (B,T,C,H,W) with absent
    dates zeroed (a (B,T*C,H,W) tensor is accepted and reshaped)."""
    try:
        data = inputs["data"][spec.name]
    except KeyError:
        raise ValueError(f"the model needs the source '{spec.name}' in inputs['data'] (it has "
                         f"{', '.join(inputs.get('data', {}))})") from None
    if not spec.temporal:
        return data, None, None
    if data.dim() == 4:
        data = data.view(data.shape[0], spec.slots, spec.channels, *data.shape[2:])
    present = (inputs.get("present") or {}).get(spec.name)
    doy = (inputs.get("doy") or {}).get(spec.name)
    b = data.shape[0]
    present = (torch.ones(b, spec.slots, dtype=torch.bool, device=data.device)
               if present is None else present.to(device=data.device, dtype=torch.bool))
    doy = (torch.zeros(b, spec.slots, device=data.device) if doy is None
           else doy.to(device=data.device, dtype=torch.float32))
    return data * present[:, :, None, None, None].to(data.dtype), present, doy


class UNetHead(nn.Module):
    """smp's U-Net decoder over a stream's six feature maps, then a 3×3 segmentation head."""

    def __init__(self, encoder_channels: Sequence[int], out_channels: int,
                 decoder_channels: Sequence[int], attention_type: str | None = None):
        super().__init__()
        from segmentation_models_pytorch.base import SegmentationHead
        from segmentation_models_pytorch.base.initialization import (
            initialize_decoder,
            initialize_head,
        )
        from segmentation_models_pytorch.decoders.unet.decoder import UnetDecoder

        self.decoder = UnetDecoder(list(encoder_channels), list(decoder_channels),
                                   n_blocks=len(decoder_channels),
                                   attention_type=attention_type)
        self.head = SegmentationHead(decoder_channels[-1], out_channels, kernel_size=3)
        initialize_decoder(self.decoder)
        initialize_head(self.head)

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        return self.head(self.decoder(features))


class FlatNet(nn.Module):
    """A registry network over one tensor (single date, or dates flattened into channels)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    @property
    def encoder(self) -> nn.Module:
        return self.model.encoder

    def temporal_modules(self) -> list[nn.Module]:
        return []

    def forward(self, data: torch.Tensor, present: torch.Tensor | None = None,
                doy: torch.Tensor | None = None) -> torch.Tensor:
        return self.model(flatten_dates(data, present))


class StreamNet(nn.Module):
    """A stream (2D or temporal) followed by a U-Net decoder and head."""

    def __init__(self, stream: nn.Module, head: UNetHead):
        super().__init__()
        self.stream = stream
        self.head = head

    @property
    def encoder(self) -> nn.Module:
        return self.stream.encoder

    def temporal_modules(self) -> list[nn.Module]:
        return [self.stream.temporal] if hasattr(self.stream, "temporal") else []

    def forward(self, data: torch.Tensor, present: torch.Tensor | None = None,
                doy: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.stream(data, present, doy))


class MultiSourceNet(nn.Module):
    """Base of the fusion networks: parameter groups and the stream encoders' view."""

    specs: tuple[SourceSpec, ...]

    def stream_encoders(self) -> dict[str, nn.Module]:
        raise NotImplementedError

    def fusion_modules(self) -> list[nn.Module | nn.Parameter]:
        raise NotImplementedError

    @property
    def encoder(self) -> nn.ModuleDict:
        """Every stream's encoder (a view; the modules are registered elsewhere)."""
        return nn.ModuleDict(self.stream_encoders())

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """{"stream:<name>": [...], "fusion": [...], "decoder": [...]}: every parameter in
        exactly one group; a group with no parameter (no fusion in early fusion) is left out."""
        seen: set[int] = set()
        groups: dict[str, list[nn.Parameter]] = {}

        def take(name: str, params: Any) -> None:
            fresh = [p for p in params if id(p) not in seen]
            seen.update(id(p) for p in fresh)
            if fresh:
                groups.setdefault(name, []).extend(fresh)

        for name, module in self.stream_encoders().items():
            take(f"stream:{name}", module.parameters())
        for item in self.fusion_modules():
            take("fusion", [item] if isinstance(item, nn.Parameter) else item.parameters())
        take("decoder", self.parameters())
        return groups


class EarlyFusionNet(MultiSourceNet):
    """All sources in one network: stacked into channels (a registry network), or, with a
    temporal stream, single-date sources broadcast to every date and concatenated per date."""

    def __init__(self, specs: Sequence[SourceSpec], net: FlatNet | StreamNet, per_date: bool):
        super().__init__()
        self.specs = tuple(specs)
        self.per_date = per_date
        self.net = net

    def stream_encoders(self) -> dict[str, nn.Module]:
        return {"+".join(s.name for s in self.specs): self.net.encoder}

    def fusion_modules(self) -> list[nn.Module | nn.Parameter]:
        return list(self.net.temporal_modules())

    def forward(self, inputs: Inputs) -> torch.Tensor:
        tensors = [source_tensors(inputs, spec) for spec in self.specs]
        if not self.per_date:
            return self.net(torch.cat([flatten_dates(d, p) for d, p, _ in tensors], dim=1))
        series = [(p, y) for (_, p, y) in tensors if p is not None]
        present = torch.stack([p for p, _ in series]).any(dim=0)
        doy = series[0][1]
        t = present.shape[1]
        per_date = [d if p is not None else d[:, None].expand(-1, t, *d.shape[1:])
                    for d, p, _ in tensors]
        return self.net(torch.cat(per_date, dim=2), present, doy)


class MidFusionNet(MultiSourceNet):
    """One stream per source; at every stage (strides 2..32) each auxiliary stream is folded
    into the main one (the first source); one U-Net decoder on the fused main features."""

    def __init__(self, specs: Sequence[SourceSpec], streams: Mapping[str, nn.Module],
                 fusions: Mapping[str, nn.Module], head: UNetHead):
        super().__init__()
        self.specs = tuple(specs)
        self.streams = nn.ModuleDict(streams)
        self.fusions = nn.ModuleDict(fusions)   # "s<stage>_<aux source>" -> module
        self.head = head

    def stream_encoders(self) -> dict[str, nn.Module]:
        return {name: stream.encoder for name, stream in self.streams.items()}

    def fusion_modules(self) -> list[nn.Module | nn.Parameter]:
        temporal = [s.temporal for s in self.streams.values() if hasattr(s, "temporal")]
        return [self.fusions, *temporal]

    def forward(self, inputs: Inputs) -> torch.Tensor:
        features = {spec.name: self.streams[spec.name](*source_tensors(inputs, spec))
                    for spec in self.specs}
        main = list(features[self.specs[0].name])
        for stage in range(1, len(main)):
            for spec in self.specs[1:]:
                key = f"s{stage}_{spec.name}"
                if key in self.fusions:
                    main[stage] = self.fusions[key](main[stage], features[spec.name][stage])
        return self.head(main)


class LateFusionNet(MultiSourceNet):
    """One complete network per source; logits averaged with learned per-stream, per-class
    softmax weights (equal at the start)."""

    def __init__(self, specs: Sequence[SourceSpec], nets: Mapping[str, nn.Module],
                 out_channels: int):
        super().__init__()
        self.specs = tuple(specs)
        self.nets = nn.ModuleDict(nets)
        self.weights = nn.Parameter(torch.zeros(len(self.specs), out_channels))

    def stream_encoders(self) -> dict[str, nn.Module]:
        return {name: net.encoder for name, net in self.nets.items()}

    def fusion_modules(self) -> list[nn.Module | nn.Parameter]:
        temporal = [m for net in self.nets.values() for m in net.temporal_modules()]
        return [self.weights, *temporal]

    def forward(self, inputs: Inputs) -> torch.Tensor:
        logits = torch.stack([self.nets[spec.name](*source_tensors(inputs, spec))
                              for spec in self.specs])
        weights = torch.softmax(self.weights, dim=0).to(logits.dtype)
        return (weights[:, None, :, None, None] * logits).sum(dim=0)
