"""Normalisation of prediction strips, on the prediction device (GPU when there is one).

The methods mirror `satseg_engine.normalization.METHODS` (numpy, what training uses) operation
for operation in torch, so a strip is normalised where the model runs instead of on the CPU.
tests/engine/test_predict.py checks both give the same numbers for every method. A method that
has no torch twin here falls back to the numpy function on the CPU (in the reader thread), so a
new training method never breaks prediction. Inputs that are nodata — per band (the training
nodata, like training) or per pixel (the raster's mask) — become 0 after normalisation.
CuPy is not needed: torch already runs these few element-wise operations on the GPU.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from ..core.errors import SatsegError
from ..data import normalization as numpy_normalization

_EPS = 1e-6


def _vector(bands: Sequence[Mapping[str, Any]], key: str, like: torch.Tensor) -> torch.Tensor:
    values = numpy_normalization._vector(bands, key)  # same errors as training for missing stats
    return torch.as_tensor(values, device=like.device)


def _scale_between(x: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    x = torch.minimum(torch.maximum(x, low), high)
    return (x - low) / torch.clamp(high - low, min=_EPS)


def _standardize(x: torch.Tensor, bands: Sequence[Mapping[str, Any]]) -> torch.Tensor:
    return (x - _vector(bands, "mean", x)) / torch.clamp(_vector(bands, "std", x), min=_EPS)


def _percentile(low: str, high: str) -> Callable[[torch.Tensor, Sequence[Mapping[str, Any]]],
                                                 torch.Tensor]:
    def apply(x: torch.Tensor, bands: Sequence[Mapping[str, Any]]) -> torch.Tensor:
        return _scale_between(x, _vector(bands, low, x), _vector(bands, high, x))
    return apply


def _sigma_clip(x: torch.Tensor, bands: Sequence[Mapping[str, Any]]) -> torch.Tensor:
    mean, std = _vector(bands, "mean", x), _vector(bands, "std", x)
    k = numpy_normalization.SIGMA_CLIP_K
    return _scale_between(x, mean - k * std, mean + k * std)


def _minmax(x: torch.Tensor, bands: Sequence[Mapping[str, Any]]) -> torch.Tensor:
    return _scale_between(x, _vector(bands, "min", x), _vector(bands, "max", x))


#: method -> torch function (C, H, W) float32 -> normalised; same names as training's METHODS.
TORCH_METHODS: dict[str, Callable[[torch.Tensor, Sequence[Mapping[str, Any]]], torch.Tensor]] = {
    "standardize": _standardize,
    "percentile_1_99": _percentile("p1", "p99"),
    "percentile_2_98": _percentile("p2", "p98"),
    "sigma_clip": _sigma_clip,
    "minmax": _minmax,
    "none": lambda x, bands: x,
}


def has_torch_method(normalization: Mapping[str, Any]) -> bool:
    return normalization.get("method", "none") in TORCH_METHODS


def normalize_numpy(data: np.ndarray, valid: np.ndarray,
                    normalization: Mapping[str, Any]) -> np.ndarray:
    """Training's own numpy normalisation, then 0 where the pixel is nodata."""
    out = numpy_normalization.normalize(data, normalization)
    if not valid.all():
        np.copyto(out, 0.0, where=~valid[None])
    return out


def normalize_torch(data: torch.Tensor, valid: torch.Tensor,
                    normalization: Mapping[str, Any]) -> torch.Tensor:
    """(C, H, W) float32 on any device -> normalised; nodata and non-finite inputs become 0."""
    bands = normalization.get("bands") or []
    method = normalization.get("method", "none")
    if method != "none" and data.shape[0] != len(bands):
        raise SatsegError(
            "band_mismatch", f"the image has {data.shape[0]} bands, the normalisation "
            f"statistics {len(bands)}", hint="use a raster with the bands the model was "
            "trained on")
    invalid = ~torch.isfinite(data)
    nodata = normalization.get("nodata")
    if nodata is not None:
        invalid |= data == float(np.float32(nodata))
    out = TORCH_METHODS[method](torch.where(invalid, 0.0, data), bands)
    return torch.where(invalid | ~valid.unsqueeze(0), 0.0, out)
