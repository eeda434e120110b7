"""`satseg predict`: classify a raster with a trained checkpoint, window by window."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path
from typing import Any

from .. import jobs
from ..errors import JobError, SatsegError
from ..jobs import option

GDAL_CACHE_MB = 64
HELP = ("classify a raster with a trained model: class, confidence and probability GeoTIFFs "
        "and an area summary")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    raster: Path = option(help="raster to classify (any format GDAL reads)")
    checkpoint: Path = option(help="model checkpoint written by 'satseg train'", exists="file")
    output_dir: Path | None = option(None, help="folder for the outputs (default: the "
                                                "raster's folder)")
    name: str | None = option(None, help="output name prefix (default: the raster's file "
                                         "name without extension)")
    extent: tuple[float, ...] | None = option(None, help="predict only xmin,ymin,xmax,ymax "
                                              "(snapped outward to the raster's pixels)")
    extent_crs: str | None = option(None, help="CRS of 'extent' (default: the raster's), "
                                               "e.g. EPSG:4326")
    aoi: Path | None = option(None, help="vector area of interest: predict its bounding box, "
                                         "nodata outside its polygons", exists="file")
    bands: tuple[int, ...] = option((), help="1-based raster bands to feed the model, in its "
                                             "order (default: all bands)", min=1)
    overlap: float = option(0.5, help="window overlap as a fraction of the patch (0–0.9); "
                                      "more overlap, smoother and slower", min=0.0, max=0.9)
    batch_size: int = option(8, help="windows per forward pass", min=1)
    tta: bool = option(False, help="average the four flips of every window (4× slower)")
    probabilities: bool = option(False, help="also write one probability band per class")
    threshold: float | None = option(None, help="binary models: probability from which a pixel "
                                                "is the positive class (default: the "
                                                "checkpoint's, else 0.5)", min=0.0, max=1.0)
    device: str = option("auto", help="auto, cpu, cuda or cuda:N")
    amp: bool = option(True, help="mixed precision on CUDA (ignored on the CPU)")
    read_ahead: int = option(2, help="rows of windows read ahead on a background thread",
                             min=1, max=16)
    panel_width: int = option(4096, min=256, help="columns predicted per pass (rounded down to "
                              "a multiple of 256): bounds memory whatever the raster's width")

    def __post_init__(self) -> None:
        if self.extent is not None:
            if len(self.extent) != 4:
                raise JobError(f"'extent' needs 4 numbers xmin,ymin,xmax,ymax, got "
                               f"{len(self.extent)}", key="extent")
            xmin, ymin, xmax, ymax = self.extent
            if not (xmin < xmax and ymin < ymax):
                raise JobError("'extent' must be xmin,ymin,xmax,ymax with xmin < xmax and "
                               "ymin < ymax", key="extent")
        if self.extent is not None and self.aoi is not None:
            raise JobError("give 'extent' or 'aoi', not both", key="aoi")
        if self.extent_crs is not None and self.extent is None:
            raise JobError("'extent_crs' is only used with 'extent'", key="extent_crs")
        if not (self.device in ("auto", "cpu", "cuda") or self.device.startswith("cuda:")):
            raise JobError(f"'device' must be auto, cpu, cuda or cuda:N, got {self.device!r}",
                           key="device")


def device(job: Job) -> str:
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


def load_model(path: Path, device_name: str) -> tuple[Any, dict[str, Any]]:
    """The checkpoint's network in eval mode and its header (training's loader)."""
    from ..checkpoint import load_model as load

    model, header = load(path, device_name)
    return model, dict(header)


def run(job: Job, events: Any) -> dict[str, Any]:
    import rasterio
    import torch

    from ..prediction.run import predict_to_files

    started = time.perf_counter()
    device_name = device(job)
    model, header = load_model(job.checkpoint, device_name)
    events.log(f"model: {header.get('architecture')}/{header.get('encoder')}, "
               f"{header['in_channels']} bands, {len(header['classes'])} classes "
               f"({header['task']}), patch {header['patch_size']}, on {device_name}")
    # GDAL's block cache defaults to 5% of RAM and would fill with blocks read once: bound it
    # (strips are cached by the reader itself), so memory follows the raster's width only.
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB * 2**20):
        summary = predict_to_files(job, model, header, torch.device(device_name), events)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary
