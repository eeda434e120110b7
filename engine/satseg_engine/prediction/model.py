"""The model side of prediction: batches of normalised windows in, class probabilities out.

The forward runs under autocast when the backend (backend.py) names a dtype (CUDA: bfloat16
where supported, else float16; CPU: bfloat16 where native), in the backend's memory layout.
Flip test-time augmentation averages the probabilities of the identity, horizontal, vertical
and both flips. A batch is a (B, C, H, W) tensor, or a multi-source model's inputs dict
({"data": {name: (B,C,H,W) | (B,T,C,H,W)}, "present": ..., "doy": ...}; flips apply to
every data tensor's last two axes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from .fold import fold_batch_norms
from .sizing import size_multiple

#: flip dimensions (the last two axes: W, H) of a batch for test-time augmentation.
TTA_FLIPS: tuple[tuple[int, ...], ...] = ((), (-1,), (-2,), (-2, -1))

Batch = torch.Tensor | Mapping[str, Any]


def flip_batch(batch: Batch, dims: tuple[int, ...]) -> Batch:
    """The batch flipped along `dims` (negative: counted from the spatial end)."""
    if not dims:
        return batch
    if isinstance(batch, torch.Tensor):
        return batch.flip(dims)
    return {**batch, "data": {name: t.flip(dims) for name, t in batch["data"].items()}}


def batch_shape(batch: Batch) -> tuple[int, int, int]:
    """(B, H, W) of a tensor batch or of an inputs dict."""
    tensor = batch if isinstance(batch, torch.Tensor) else next(iter(batch["data"].values()))
    return tensor.shape[0], tensor.shape[-2], tensor.shape[-1]


def _channels_last(batch: Batch) -> Batch:
    if isinstance(batch, torch.Tensor):
        return batch.contiguous(memory_format=torch.channels_last)
    return {**batch, "data": {name: t.contiguous(memory_format=torch.channels_last)
                              if t.dim() == 4 else t for name, t in batch["data"].items()}}


def output_channels(header: Mapping[str, Any]) -> int:
    """Logits per pixel: 1 for a binary task (sigmoid), one per class otherwise (softmax)."""
    return 1 if header["task"] == "binary" else len(header["classes"])


def make_predictor(model: Any, header: Mapping[str, Any], device: torch.device,
                   amp_dtype: torch.dtype | None = None, channels_last: bool = False,
                   tta: bool = False, fold_batch_norm: bool = False) -> Any:
    """A torch network's Predictor, or the one an ONNX model (onnx_model.OnnxModel) makes."""
    if hasattr(model, "predictor"):
        return model.predictor(header, device, tta)
    return Predictor(model, header, device, amp_dtype, channels_last, tta, fold_batch_norm)


class Predictor:
    """Wraps a model in eval mode on `device`; `probabilities(batch)` -> (B, K, H, W) float32."""

    raw_pixels = False  # it takes normalised batches (an ONNX graph takes raw pixels)

    def __init__(self, model: nn.Module, header: Mapping[str, Any], device: torch.device,
                 amp_dtype: torch.dtype | None = None, channels_last: bool = False,
                 tta: bool = False, fold_batch_norm: bool = False):
        self.device = device
        self.binary = header["task"] == "binary"
        self.channels = output_channels(header)
        self.amp_dtype = amp_dtype
        self.channels_last = channels_last
        self.model = model.to(device).eval()
        self.folded, self.fold_note = 0, "not asked for"
        if fold_batch_norm and not header.get("multisource"):
            multiple, _why = size_multiple(header)   # a small probe where any size works
            side = int(header["patch_size"]) if multiple is None else 2 * multiple
            probe = torch.randn(1, int(header["in_channels"]), side, side, device=device,
                                generator=torch.Generator(device).manual_seed(0))
            self.model, self.folded, self.fold_note = fold_batch_norms(self.model, probe)
        if channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.flips = TTA_FLIPS if tta else TTA_FLIPS[:1]

    def _logits(self, batch: Batch) -> torch.Tensor:
        if self.channels_last:
            batch = _channels_last(batch)
        with torch.autocast(self.device.type, dtype=self.amp_dtype,
                            enabled=self.amp_dtype is not None):
            out = self.model(batch)
        if isinstance(out, Mapping):
            out = out.get("out", next(iter(out.values())))
        elif isinstance(out, (tuple, list)):
            out = out[0]
        size, height, width = batch_shape(batch)
        expected = (size, self.channels, height, width)
        if tuple(out.shape) != expected:
            raise SatsegError("model_output", f"the model returned shape {tuple(out.shape)} "
                              f"for a batch of {size} windows of {height}×{width}; expected "
                              f"{expected}",
                              hint="the checkpoint's header (task/classes) does not match its "
                                   "network")
        return out.float()

    @torch.inference_mode()
    def probabilities(self, batch: Batch) -> torch.Tensor:
        total: torch.Tensor | None = None
        for dims in self.flips:
            logits = self._logits(flip_batch(batch, dims))
            probs = torch.sigmoid(logits) if self.binary else torch.softmax(logits, dim=1)
            probs = probs.flip(dims) if dims else probs
            total = probs if total is None else total + probs
        assert total is not None
        return total / len(self.flips) if len(self.flips) > 1 else total
