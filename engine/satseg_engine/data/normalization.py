"""Per-band normalisation from dataset statistics; stored in checkpoints, reused by prediction.

A normalisation is plain data: `{"method", "nodata", "bands": [{"name", "mean", "std", "min",
"max", "p1", "p2", "p98", "p99"}, ...]}` (the dataset.json statistics of the training split).
`normalize(image, normalization)` maps a (bands, H, W) array to float32; pixels equal to nodata
(per band) or not finite become 0 after normalisation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..core.errors import SatsegError

SIGMA_CLIP_K = 3.0
_EPS = 1e-6

BandStats = Mapping[str, Any]


def _scale_between(image: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Clip each band to [low, high] and scale it to 0–1 (in place)."""
    np.clip(image, low, high, out=image)
    np.subtract(image, low, out=image)
    return np.divide(image, np.maximum(high - low, _EPS), out=image)


def _vector(bands: Sequence[BandStats], key: str) -> np.ndarray:
    try:
        return np.array([float(b[key]) for b in bands], dtype=np.float32)[:, None, None]
    except (KeyError, TypeError) as exc:
        raise SatsegError("bad_dataset", f"band statistics lack '{key}'",
                          hint="re-extract the dataset (dataset.json statistics)") from exc


def _standardize(image: np.ndarray, bands: Sequence[BandStats]) -> np.ndarray:
    np.subtract(image, _vector(bands, "mean"), out=image)
    return np.divide(image, np.maximum(_vector(bands, "std"), _EPS), out=image)


def _percentile(low_key: str, high_key: str) -> Callable[[np.ndarray, Sequence[BandStats]],
                                                         np.ndarray]:
    def apply(image: np.ndarray, bands: Sequence[BandStats]) -> np.ndarray:
        return _scale_between(image, _vector(bands, low_key), _vector(bands, high_key))
    return apply


def _sigma_clip(image: np.ndarray, bands: Sequence[BandStats]) -> np.ndarray:
    mean, std = _vector(bands, "mean"), _vector(bands, "std")
    return _scale_between(image, mean - SIGMA_CLIP_K * std, mean + SIGMA_CLIP_K * std)


def _minmax(image: np.ndarray, bands: Sequence[BandStats]) -> np.ndarray:
    return _scale_between(image, _vector(bands, "min"), _vector(bands, "max"))


def _none(image: np.ndarray, bands: Sequence[BandStats]) -> np.ndarray:
    return image


#: method -> function(image float32 (C,H,W), band statistics) -> normalised image; the function
#: may overwrite `image` (normalize passes its own copy) and returns the result.
METHODS: dict[str, Callable[[np.ndarray, Sequence[BandStats]], np.ndarray]] = {
    "standardize": _standardize,           # (x - mean) / std
    "percentile_1_99": _percentile("p1", "p99"),   # clip to [p1, p99], scale to 0–1
    "percentile_2_98": _percentile("p2", "p98"),   # clip to [p2, p98], scale to 0–1
    "sigma_clip": _sigma_clip,             # clip to mean ± 3 std, scale to 0–1
    "minmax": _minmax,                     # scale [min, max] to 0–1
    "none": _none,                         # raw values as float32
}


def make_normalization(method: str, statistics: Mapping[str, Any],
                       nodata: float | None) -> dict[str, Any]:
    """The normalisation record for a checkpoint header, from dataset.json `statistics`."""
    if method not in METHODS:
        raise SatsegError("bad_job", f"unknown normalization '{method}'",
                          hint=f"valid: {', '.join(METHODS)}", key="data.normalization")
    bands = [dict(b) for b in statistics.get("bands", [])]
    return {"method": method, "nodata": nodata, "bands": bands}


def normalize(image: np.ndarray, normalization: Mapping[str, Any]) -> np.ndarray:
    """Normalise a (bands, H, W) array; nodata and non-finite values become 0."""
    bands = normalization["bands"]
    if normalization["method"] != "none" and image.shape[0] != len(bands):
        raise SatsegError("band_mismatch", f"the image has {image.shape[0]} bands, the "
                          f"normalisation statistics {len(bands)}",
                          hint="use a raster with the bands the model was trained on")
    out = np.array(image, dtype=np.float32)          # our copy: the methods work in place
    invalid = None if image.dtype.kind in "iub" else ~np.isfinite(out)
    nodata = normalization.get("nodata")
    if nodata is not None:
        at_nodata = out == np.float32(nodata)
        invalid = at_nodata if invalid is None else np.logical_or(invalid, at_nodata,
                                                                  out=invalid)
    if invalid is not None and not invalid.any():
        invalid = None
    if invalid is not None:
        np.copyto(out, 0.0, where=invalid)
    out = METHODS[normalization["method"]](out, bands)
    if invalid is not None:
        np.copyto(out, 0.0, where=invalid)
    return out
