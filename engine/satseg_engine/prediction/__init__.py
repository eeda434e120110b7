"""The prediction stage: a whole raster classified by overlapping, blended windows.

`predict(job, events)` runs the `predict` verb's job (options.PredictJob) as a function.
Modules: options (the job), windows (window grids, large-window fitting and panels, pure math),
sizing (which models take large windows; window and batch from a memory budget), backend
(precision, memory layout, CPU threads), blending (window weights), source (grid, bands, windows
read with reflection), source_plan (a multi-source model's rasters and dates, checked),
multisource (every source read on the primary grid, inputs dicts), reader (read-ahead thread),
normalize (torch twins of the dataset's normalisation), model (autocast, TTA, probabilities),
accumulator (row-band blending), assemble (blending thread), writer (tile-row block writer
thread), outputs (files, colour table, summary), pipeline (the loop), run (from a job and a
model to finished files).

May import core, geo, data (normalisation) and models (checkpoints); never training or verbs.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

GDAL_CACHE_MB = 64
#: glibc: at most this many malloc arenas (one per thread by default), and buffers above
#: MMAP_THRESHOLD always mapped and unmapped, so windows freed by one thread are returned to the
#: system instead of lingering in per-thread heaps (measured: 260 MB less peak at 2 000²).
MALLOC_ARENAS = 2
MMAP_THRESHOLD = 1 << 20


def bound_malloc() -> bool:
    """Apply the glibc limits above to this process (no effect elsewhere); True if applied."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not sys.platform.startswith("linux") or not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        m_arena_max, m_mmap_threshold = -8, -3
        return bool(libc.mallopt(m_arena_max, MALLOC_ARENAS)
                    and libc.mallopt(m_mmap_threshold, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False


def resolve_device(job: Any) -> str:
    """The torch device a predict job runs on; CUDA asked for but missing is an error."""
    from ..core.errors import SatsegError

    # Reading and writing run on threads beside torch's: busy-waiting OpenMP workers would
    # starve them (measured 3-4x slower on 2 loaded cores). Only effective before torch loads.
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    if job.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if job.device.startswith("cuda") and not torch.cuda.is_available():
        raise SatsegError("no_cuda", f"device {job.device} asked for but CUDA is not available",
                          hint="use device auto or cpu, or install a CUDA build of torch",
                          key="device")
    return job.device


def predict(job: Any, events: Any) -> dict[str, Any]:
    """Load the model (a checkpoint, or an .onnx for onnxruntime), classify the raster, write
    the outputs; the `done` summary."""
    started = time.perf_counter()
    bound_malloc()
    device_name = resolve_device(job)
    import rasterio
    import torch

    from .onnx_model import load_for_prediction
    from .run import predict_to_files

    model, header = load_for_prediction(job, device_name, events)
    events.log(f"model: {header.get('architecture')}/{header.get('encoder')}, "
               f"{header['in_channels']} bands, {len(header['classes'])} classes "
               f"({header['task']}), patch {header['patch_size']}, on {device_name}")
    # GDAL's block cache defaults to 5% of RAM and would fill with blocks read once: bound it
    # (strips are cached by the reader itself), so memory follows the raster's width only.
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB * 2**20):
        summary = predict_to_files(job, model, header, torch.device(device_name), events)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary
