"""Which array module runs the heavy statistics: CuPy on a GPU, else NumPy (one code, `xp`).

`select(preference)` returns a `Backend`: its module `xp` (numpy or cupy), its name and the
reason it was chosen. The preference is `auto` (the default: CuPy when it imports, sees a CUDA
device and runs a kernel, else NumPy), `numpy` or `cupy` (an error naming the fix when CuPy
cannot run); it comes from the argument or the `SATSEG_ARRAYS` environment variable.
`module_for(preference, size)` is what a block asks for: under `auto`, blocks under
`MIN_DEVICE_VALUES` stay on NumPy without loading CuPy (moving them costs more than it saves).
The code written against `xp` gives the same results on either module (data/band_stats.py).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from types import ModuleType
from typing import Any

import numpy as np

from ..core.errors import SatsegError

ENV = "SATSEG_ARRAYS"
CHOICES = ("auto", "numpy", "cupy")
#: under `auto`, smaller blocks (an extraction patch) stay on NumPy
MIN_DEVICE_VALUES = 1 << 20


@dataclasses.dataclass(frozen=True)
class Backend:
    """The array module of the statistics, its name and why it was chosen."""

    name: str
    reason: str
    xp: ModuleType
    min_values: int = 0

    def module(self, size: int) -> ModuleType:
        """The module for a block of `size` values (NumPy for blocks under `min_values`)."""
        return self.xp if size >= self.min_values else np

    def summary(self) -> dict[str, str]:
        return {"backend": self.name, "reason": self.reason}


def to_host(array: Any) -> np.ndarray:
    """A NumPy copy of a CuPy array (`.get()`); NumPy arrays and scalars as they are."""
    getter = getattr(array, "get", None)
    return np.asarray(getter() if callable(getter) else array)


def preference(value: str | None = None) -> str:
    """The chosen preference: `value`, else $SATSEG_ARRAYS, else auto; checked."""
    chosen = (value or os.environ.get(ENV) or "auto").strip().lower()
    if chosen not in CHOICES:
        where = "arrays" if value else ENV
        raise SatsegError("bad_arrays", f"{where} must be one of {', '.join(CHOICES)} (not "
                          f"{chosen!r})", key="arrays" if value else None,
                          hint=f"use auto (CuPy on a GPU, else NumPy), numpy or cupy; unset "
                               f"{ENV} for the default")
    return chosen


def probe_cupy() -> tuple[ModuleType | None, str]:
    """(cupy, why it is usable) or (None, why not): imports, a device, a kernel that runs."""
    try:
        import cupy
    except Exception as exc:  # noqa: BLE001 - any broken install means "not usable"
        return None, f"CuPy is not installed ({type(exc).__name__}: {exc})"
    version = getattr(cupy, "__version__", "?")
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as exc:  # noqa: BLE001
        return None, f"CuPy {version} sees no CUDA device ({type(exc).__name__}: {exc})"
    if count < 1:
        return None, f"CuPy {version} sees no CUDA device"
    try:  # kernels are compiled on first use: a missing NVRTC shows here, not mid-run
        probe = cupy.asarray(np.array([1, 2, 2], dtype=np.uint16))
        if to_host(cupy.bincount(probe)).tolist() != [0, 1, 2]:
            return None, f"CuPy {version} gave a wrong result on the GPU"
    except Exception as exc:  # noqa: BLE001
        return None, f"CuPy {version} cannot run on the GPU ({type(exc).__name__}: {exc})"
    return cupy, f"CuPy {version} on {count} CUDA device(s)"


@functools.cache
def _select(chosen: str, source: str) -> Backend:
    if chosen == "numpy":
        return Backend("numpy", f"NumPy {np.__version__}: forced ({source}=numpy)", np)
    cupy, why = probe_cupy()
    if cupy is not None:
        return Backend("cupy", why, cupy, MIN_DEVICE_VALUES if chosen == "auto" else 0)
    if chosen == "cupy":
        raise SatsegError("cupy_unavailable", f"{source}=cupy, but CuPy cannot be used: {why}",
                          key="arrays" if source == "arrays" else None,
                          hint="install the CuPy wheel of torch's CUDA version (cupy-cuda12x "
                               "or cupy-cuda13x) on a machine with an NVIDIA GPU, or use "
                               f"arrays auto / {ENV}=numpy")
    return Backend("numpy", f"NumPy {np.__version__}: {why}", np)


def select(value: str | None = None) -> Backend:
    """The backend for `value` (auto, numpy, cupy; None: $SATSEG_ARRAYS or auto), cached."""
    source = "arrays" if value else ENV if os.environ.get(ENV) else "default"
    return _select(preference(value), source)


def module_for(value: str | None, size: int) -> ModuleType:
    """The array module for a block of `size` values: NumPy without asking for CuPy when the
    block is small under `auto` (an extraction worker then never loads CuPy)."""
    chosen = preference(value)
    if chosen == "numpy" or (chosen == "auto" and size < MIN_DEVICE_VALUES):
        return np
    return select(value).module(size)


def clear_cache() -> None:
    """Forget the cached choice (tests that change what CuPy or the environment offer)."""
    _select.cache_clear()
