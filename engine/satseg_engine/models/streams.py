"""Encoder streams of multi-source networks: one source in, six feature maps out.

A *stream* turns one source into features at strides 1, 2, 4, 8, 16 and 32 (as smp encoders do:
`features[0]` is the input itself, or its masked mean over the dates) and knows their channels
(`out_channels`). Its `encoder` attribute is the part that may be pretrained, frozen and given
its own learning rate (parameter group "stream:<source>"); anything else it holds (temporal
attention) belongs to the "fusion" group.

Single-date streams are an smp encoder (`get_encoder(name, depth=5, weights=None)`, nothing is
downloaded) or the small custom convolutional encoder `custom` (the custom U-Net's blocks). A time
series with `temporal="stack"` is one 2D stream over its dates flattened into channels (absent
dates zero); the temporal streams are in `temporal.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from . import registry

#: name of the small custom convolutional encoder (any other name is an smp encoder).
CUSTOM_ENCODER = "custom"
#: feature maps of every stream: strides 1, 2, 4, 8, 16, 32.
STAGES = 6
#: patch sides must be a multiple of this for any stream.
STRIDE = 32


class ConvEncoder(nn.Module):
    """Small encoder: five strided double-convolution blocks of widths w, 2w, 4w, 8w, 16w
    (dropout in the deeper three, as the custom U-Net). Returns [input, stride 2, ..., 32]."""

    def __init__(self, in_channels: int, base_width: int = 16, dropout: float = 0.0):
        super().__init__()
        widths = [base_width * 2**level for level in range(STAGES - 1)]
        self.out_channels = [in_channels, *widths]
        previous = in_channels
        self.blocks = nn.ModuleList()
        for level, width in enumerate(widths):
            self.blocks.append(registry.double_conv(previous, width, dropout if level >= 2 else 0.0,
                                                    stride=2))
            previous = width

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        features = [x]
        for block in self.blocks:
            x = block(x)
            features.append(x)
        return features


def check_stream_encoder(name: str, key: str = "model.stream_encoders") -> None:
    """`custom` or a valid smp encoder name (SatsegError "bad_model" with `key` otherwise)."""
    if name == CUSTOM_ENCODER:
        return
    try:
        registry.check_encoder(name)
    except SatsegError as exc:
        raise SatsegError(exc.code, exc.message, hint=f"'{CUSTOM_ENCODER}' (small conv encoder) "
                          f"or an smp encoder; {exc.hint}", key=key) from exc


def build_encoder(name: str, in_channels: int, kwargs: Mapping[str, Any]) -> nn.Module:
    """A 2D encoder with `out_channels` (6 entries) and forward(x) -> 6 feature maps."""
    check_stream_encoder(name)
    if name == CUSTOM_ENCODER:
        return ConvEncoder(in_channels, int(kwargs.get("base_width", 16)),
                           float(kwargs.get("dropout", 0.0)))
    from segmentation_models_pytorch.encoders import get_encoder

    try:
        encoder = get_encoder(name, in_channels=in_channels, depth=5, weights=None)
    except (ValueError, TypeError, KeyError, AssertionError, RuntimeError) as exc:
        raise SatsegError("bad_model", f"cannot build the encoder '{name}' for {in_channels} "
                          f"bands: {exc}", hint="choose another encoder (satseg models lists "
                          "them)", key="model.stream_encoders") from exc
    if len(encoder.out_channels) != STAGES:
        raise SatsegError("bad_model", f"encoder '{name}' gives {len(encoder.out_channels)} "
                          f"feature maps, a stream needs {STAGES} (strides 1 to 32)",
                          hint="choose a convolutional smp encoder such as resnet34",
                          key="model.stream_encoders")
    return encoder


def flatten_dates(data: torch.Tensor, present: torch.Tensor | None) -> torch.Tensor:
    """(B,T,C,H,W) → (B,T*C,H,W), date-major, absent dates zeroed; 4D input is returned as is."""
    if data.dim() == 4:
        return data
    if present is not None:
        data = data * present[:, :, None, None, None].to(data.dtype)
    return data.flatten(1, 2)


def masked_date_mean(data: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
    """(B,T,C,H,W) → (B,C,H,W): the mean over present dates (zeros where none is present)."""
    weights = present.to(data.dtype)[:, :, None, None, None]
    return (data * weights).sum(1) / weights.sum(1).clamp(min=1.0)


class Stream2D(nn.Module):
    """One 2D encoder over a single-date source, or over a time series' flattened dates."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.out_channels = list(encoder.out_channels)

    def forward(self, data: torch.Tensor, present: torch.Tensor | None = None,
                doy: torch.Tensor | None = None) -> list[torch.Tensor]:
        return list(self.encoder(flatten_dates(data, present)))


def build_2d_stream(encoder: str, channels: int, slots: int, kwargs: Mapping[str, Any]
                    ) -> Stream2D:
    """The stream of a single-date source (slots=1) or of a stacked time series."""
    return Stream2D(build_encoder(encoder, channels * slots, kwargs))
