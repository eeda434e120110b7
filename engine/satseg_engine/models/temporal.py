"""Temporal streams: a time series (B,T,C,H,W) in, six single-date feature maps out.

* `TemporalAttention` collapses T dates into one map, per pixel, as L-TAE (Garnot & Landrieu
  2020) does: keys from the (group-normalised) features plus a sinusoidal encoding of the day of
  year, one learned master query per head, a softmax over the dates where absent or padding
  dates get -inf, and each head averaging its own group of channels. A batch row with no present
  date gets all-zero weights (no NaN, forward or backward).
* `UTAEStream` (U-TAE, Garnot & Landrieu 2021): one 2D encoder shared by every date, run on the
  present dates only (absent ones never reach it, nor its batch-norm statistics), then a temporal
  attention at every stride.
* `UNet3DStream`: 3D convolutions over (T,H,W) that halve H and W only; absent dates are zeroed
  before and after every block, and each stride is collapsed by a temporal attention.

`features[0]` of both is the masked mean of the input over the present dates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from .streams import STAGES, build_encoder, masked_date_mean

#: period (days) of the slowest positional frequency, as L-TAE.
DOY_PERIOD = 1000.0


def doy_encoding(doy: torch.Tensor, channels: int) -> torch.Tensor:
    """(B,T) day of year → (B,T,channels) sinusoids (sin on even, cos on odd channels)."""
    half = (channels + 1) // 2
    frequencies = DOY_PERIOD ** (-torch.arange(half, device=doy.device,
                                               dtype=torch.float32) / half)
    angles = doy.float()[..., None] * frequencies
    encoding = torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(-2)
    return encoding[..., :channels]


def _heads(channels: int, wanted: int) -> int:
    return next(h for h in (wanted, 4, 2, 1) if h <= channels and channels % h == 0)


class TemporalAttention(nn.Module):
    """(B,T,C,H,W), present (B,T) bool, doy (B,T) → (B,C,H,W): masked attention over dates."""

    def __init__(self, channels: int, heads: int = 4, key_dim: int = 16):
        super().__init__()
        self.heads = _heads(channels, heads)
        self.key_dim = key_dim
        self.norm = nn.GroupNorm(self.heads, channels)
        self.key = nn.Conv2d(channels, self.heads * key_dim, 1)
        self.query = nn.Parameter(torch.randn(self.heads, key_dim) * math.sqrt(2.0 / key_dim))

    def weights(self, feats: torch.Tensor, present: torch.Tensor, doy: torch.Tensor
                ) -> torch.Tensor:
        """(B,T,heads,H,W) attention weights; zero on absent dates and on rows with none."""
        b, t, c, h, w = feats.shape
        x = self.norm(feats.flatten(0, 1)) + doy_encoding(doy, c).flatten(0, 1)[..., None, None]
        keys = self.key(x.to(feats.dtype)).view(b, t, self.heads, self.key_dim, h, w)
        scores = torch.einsum("bthkyx,hk->bthyx", keys, self.query.to(keys.dtype))
        scores = scores / math.sqrt(self.key_dim)
        mask = present[:, :, None, None, None]
        # rows without any present date attend to everything (finite), then get zero weights
        usable = mask | ~present.any(dim=1)[:, None, None, None, None]
        scores = scores.masked_fill(~usable, float("-inf"))
        return torch.softmax(scores, dim=1) * mask.to(scores.dtype)

    def forward(self, feats: torch.Tensor, present: torch.Tensor, doy: torch.Tensor
                ) -> torch.Tensor:
        b, t, c, h, w = feats.shape
        attention = self.weights(feats, present, doy)
        values = feats.view(b, t, self.heads, c // self.heads, h, w)
        return (attention[:, :, :, None] * values).sum(dim=1).view(b, c, h, w)


class MaskedMean(nn.Module):
    """The mean over present dates (for an empty, 0-channel stage of some encoders)."""

    def forward(self, feats: torch.Tensor, present: torch.Tensor, doy: torch.Tensor
                ) -> torch.Tensor:
        return masked_date_mean(feats, present)


def _collapse(channels: int, heads: int, key_dim: int) -> nn.Module:
    return TemporalAttention(channels, heads, key_dim) if channels else MaskedMean()


def _temporal_inputs(data: torch.Tensor, present: torch.Tensor | None,
                     doy: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    if data.dim() != 5:
        raise ValueError(f"a temporal stream takes (B,T,C,H,W), got {tuple(data.shape)}")
    b, t = data.shape[:2]
    if present is None:
        present = torch.ones(b, t, dtype=torch.bool, device=data.device)
    if doy is None:
        doy = torch.zeros(b, t, dtype=torch.float32, device=data.device)
    present = present.to(device=data.device, dtype=torch.bool)
    return data * present[:, :, None, None, None].to(data.dtype), present, doy.to(data.device)


class UTAEStream(nn.Module):
    """A shared 2D encoder applied to each present date, temporal attention at each stride."""

    def __init__(self, encoder: nn.Module, heads: int = 4, key_dim: int = 16):
        super().__init__()
        self.encoder = encoder
        self.out_channels = list(encoder.out_channels)
        self.temporal = nn.ModuleList(_collapse(c, heads, key_dim)
                                      for c in self.out_channels[1:])

    def forward(self, data: torch.Tensor, present: torch.Tensor | None = None,
                doy: torch.Tensor | None = None) -> list[torch.Tensor]:
        data, present, doy = _temporal_inputs(data, present, doy)
        b, t, _, h, w = data.shape
        index = present.flatten().nonzero().squeeze(1)
        if index.numel():
            encoded = list(self.encoder(data.flatten(0, 1).index_select(0, index)))[1:]
        else:  # no present date in the whole batch: zero features of the right shapes
            encoded = [data.new_zeros(0, c, h >> s, w >> s)
                       for s, c in enumerate(self.out_channels[1:], start=1)]
        features = [masked_date_mean(data, present)]
        for feat, attention in zip(encoded, self.temporal, strict=True):
            full = feat.new_zeros(b * t, *feat.shape[1:]).index_copy(0, index, feat)
            features.append(attention(full.view(b, t, *feat.shape[1:]), present, doy))
        return features


def _block3d(in_ch: int, out_ch: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv3d(in_ch, out_ch, 3, stride=(1, 2, 2), padding=1, bias=False),
        nn.BatchNorm3d(out_ch), nn.ReLU(inplace=True),
        nn.Conv3d(out_ch, out_ch, 3, padding=1, bias=False), nn.BatchNorm3d(out_ch),
        nn.ReLU(inplace=True))


class UNet3DStream(nn.Module):
    """3D convolutions over (T,H,W), widths w, 2w, 4w, 8w, 8w; each stride collapsed over T."""

    def __init__(self, in_channels: int, base_width: int = 16, heads: int = 4,
                 key_dim: int = 16):
        super().__init__()
        widths = [base_width * 2**min(level, 3) for level in range(STAGES - 1)]
        self.out_channels = [in_channels, *widths]
        self.encoder = nn.ModuleList(_block3d(a, b) for a, b in
                                     zip(self.out_channels[:-1], widths, strict=True))
        self.temporal = nn.ModuleList(TemporalAttention(c, heads, key_dim) for c in widths)

    def forward(self, data: torch.Tensor, present: torch.Tensor | None = None,
                doy: torch.Tensor | None = None) -> list[torch.Tensor]:
        data, present, doy = _temporal_inputs(data, present, doy)
        mask = present[:, None, :, None, None].to(data.dtype)   # (B,1,T,1,1)
        features = [masked_date_mean(data, present)]
        x = data.transpose(1, 2)                                 # (B,C,T,H,W)
        for block, attention in zip(self.encoder, self.temporal, strict=True):
            x = block(x) * mask
            features.append(attention(x.transpose(1, 2), present, doy))
        return features


def build_utae_stream(encoder: str, channels: int, kwargs: Mapping[str, Any]) -> UTAEStream:
    """U-TAE stream over a time series of `channels` bands per date."""
    return UTAEStream(build_encoder(encoder, channels, kwargs),
                      int(kwargs.get("temporal_heads", 4)), int(kwargs.get("temporal_key_dim",
                                                                           16)))


def build_unet3d_stream(encoder: str, channels: int, kwargs: Mapping[str, Any]
                        ) -> UNet3DStream:
    """3D U-Net stream (`encoder` is not used: its convolutions are 3D)."""
    return UNet3DStream(channels, int(kwargs.get("base_width", 16)),
                        int(kwargs.get("temporal_heads", 4)),
                        int(kwargs.get("temporal_key_dim", 16)))

