"""Mid-fusion modules: fold an auxiliary stream's feature map into the main stream's, per stage.

Every module is `fuse(main (B,Cm,H,W), aux (B,Ca,h,w)) -> (B,Cm,H,W)`: the main stream (the first
source) keeps its channels, so the U-Net decoder sees the main encoder's shapes; with more than
two sources each auxiliary stream is folded into the main one in turn. An auxiliary map of
another size is resized (bilinear) to the main one.

Memory rule of cross-attention: queries are the main map average-pooled to at most 32×32 = 1024
tokens and keys/values the auxiliary map pooled to at most 16×16 = 256 tokens; the update is
upsampled back to the main map and added through a gate. The attention matrix is therefore at
most heads × 1024 × 256 numbers per image (4 MiB in float32 with 4 heads) whatever the patch
size, and at strides 16 and 32 of patches up to 256 px nothing is pooled at all.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional

MAX_QUERY_SIDE = 32
MAX_KEY_SIDE = 16
#: stages (strides 2..32 are stages 1..5) that film_cross fuses with cross-attention.
DEEP_STAGES = (4, 5)


def resize_like(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Bilinear resize of x to the spatial size of `like` (a no-op when they match)."""
    if x.shape[-2:] == like.shape[-2:]:
        return x
    return functional.interpolate(x, size=like.shape[-2:], mode="bilinear",
                                  align_corners=False)


class ConcatFusion(nn.Module):
    """Concatenate, then a 1×1 convolution (+ batch norm, ReLU) back to the main channels."""

    def __init__(self, main: int, aux: int):
        super().__init__()
        self.mix = nn.Sequential(nn.Conv2d(main + aux, main, 1, bias=False),
                                 nn.BatchNorm2d(main), nn.ReLU(inplace=True))

    def forward(self, main: torch.Tensor, aux: torch.Tensor) -> torch.Tensor:
        return self.mix(torch.cat([main, resize_like(aux, main)], dim=1))


class AttentionFusion(nn.Module):
    """The auxiliary map projected to the main channels, then a softmax over the two streams
    per pixel and channel (weights from a 1×1 convolution of both)."""

    def __init__(self, main: int, aux: int):
        super().__init__()
        self.project = nn.Sequential(nn.Conv2d(aux, main, 1, bias=False), nn.BatchNorm2d(main),
                                     nn.ReLU(inplace=True))
        self.score = nn.Conv2d(2 * main, 2 * main, 1)

    def forward(self, main: torch.Tensor, aux: torch.Tensor) -> torch.Tensor:
        aux = self.project(resize_like(aux, main))
        b, c, h, w = main.shape
        weights = torch.softmax(self.score(torch.cat([main, aux], 1)).view(b, 2, c, h, w), 1)
        return weights[:, 0] * main + weights[:, 1] * aux


class FiLMFusion(nn.Module):
    """out = main + g·(γ·main + β − main), γ = 1 + conv(aux), β = conv(aux), g = sigmoid of a
    learned per-channel gate that starts near 0, so training starts from the main stream."""

    def __init__(self, main: int, aux: int, gate_init: float = -4.0):
        super().__init__()
        self.gamma = nn.Conv2d(aux, main, 1)
        self.beta = nn.Conv2d(aux, main, 1)
        self.gate = nn.Parameter(torch.full((1, main, 1, 1), gate_init))

    def forward(self, main: torch.Tensor, aux: torch.Tensor) -> torch.Tensor:
        aux = resize_like(aux, main)
        modulated = (1 + self.gamma(aux)) * main + self.beta(aux)
        return main + torch.sigmoid(self.gate) * (modulated - main)


def _grid_encoding(h: int, w: int, device: torch.device, bands: int = 4) -> torch.Tensor:
    """(h*w, 4*bands) Fourier features of the cell centres in [0, 1] (pooled grids align)."""
    ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) / h
    xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) / w
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    angles = torch.stack([yy, xx], -1).reshape(h * w, 2, 1) * (
        math.pi * 2.0 ** torch.arange(bands, device=device, dtype=torch.float32))
    return torch.cat([angles.sin(), angles.cos()], -1).reshape(h * w, 4 * bands)


def _pool(x: torch.Tensor, side: int) -> torch.Tensor:
    h, w = x.shape[-2:]
    if h <= side and w <= side:
        return x
    return functional.adaptive_avg_pool2d(x, (min(h, side), min(w, side)))


class CrossAttentionFusion(nn.Module):
    """Main-stream queries attend to auxiliary keys/values (multi-head, with 2D positions);
    the update is added through a tanh gate that starts at 0 (see the module's memory rule)."""

    def __init__(self, main: int, aux: int, heads: int = 4, max_dim: int = 256):
        super().__init__()
        self.heads = next(h for h in (heads, 2, 1) if main % h == 0)
        dim = min(main, max_dim)
        self.dim = dim - dim % self.heads
        self.norm_main = nn.GroupNorm(1, main)
        self.norm_aux = nn.GroupNorm(1, aux)
        self.query = nn.Conv2d(main, self.dim, 1)
        self.key = nn.Conv2d(aux, self.dim, 1)
        self.value = nn.Conv2d(aux, self.dim, 1)
        self.position = nn.Linear(16, self.dim)
        self.out = nn.Conv2d(self.dim, main, 1)
        self.gate = nn.Parameter(torch.zeros(1, main, 1, 1))

    def _tokens(self, x: torch.Tensor) -> torch.Tensor:
        """(B,dim,h,w) → (B,heads,h*w,dim/heads), with the grid's position added."""
        b, _, h, w = x.shape
        x = x.flatten(2).transpose(1, 2) + self.position(_grid_encoding(h, w, x.device)
                                                         ).to(x.dtype)
        return x.view(b, h * w, self.heads, -1).transpose(1, 2)

    def forward(self, main: torch.Tensor, aux: torch.Tensor) -> torch.Tensor:
        queries = _pool(self.norm_main(main), MAX_QUERY_SIDE)
        aux = _pool(self.norm_aux(aux), MAX_KEY_SIDE)
        b, _, h, w = queries.shape
        q = self._tokens(self.query(queries))
        k = self._tokens(self.key(aux))
        v = self.value(aux).flatten(2).transpose(1, 2).reshape(b, -1, self.heads,
                                                               self.dim // self.heads)
        attended = functional.scaled_dot_product_attention(q, k, v.transpose(1, 2))
        update = self.out(attended.transpose(1, 2).reshape(b, h * w, self.dim)
                          .transpose(1, 2).reshape(b, self.dim, h, w))
        return main + torch.tanh(self.gate) * resize_like(update, main)


FusionBuilder = Callable[[int, int], nn.Module]


@dataclasses.dataclass(frozen=True)
class FusionMethod:
    """A mid-fusion method: its description and the module it uses at each stage (1..5)."""

    description: str
    stage_builder: Callable[[int], FusionBuilder]

    def build(self, stage: int, main: int, aux: int) -> nn.Module:
        return self.stage_builder(stage)(main, aux)


FUSION_METHODS: dict[str, FusionMethod] = {
    "concat": FusionMethod("concatenate the streams' features, 1×1 convolution back to the "
                           "main stream's channels", lambda stage: ConcatFusion),
    "attention": FusionMethod("softmax weights over the streams, per pixel and channel",
                              lambda stage: AttentionFusion),
    "film": FusionMethod("FiLM: the auxiliary stream scales and shifts the main one, through a "
                         "learned gate that starts closed", lambda stage: FiLMFusion),
    "cross_attention": FusionMethod("main-stream queries attend to the auxiliary stream "
                                    "(pooled to at most 1024 queries × 256 keys)",
                                    lambda stage: CrossAttentionFusion),
    "film_cross": FusionMethod("FiLM at the shallow stages, cross-attention at the deepest two "
                               "(as DFormer)", lambda stage: CrossAttentionFusion
                               if stage in DEEP_STAGES else FiLMFusion),
}
