"""The prediction stage's options: which raster and model, where, and how windows are run.

Standard library only (the verb table loads it for `satseg --help`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option


@dataclasses.dataclass(frozen=True, kw_only=True)
class PredictJob(jobs.Job):
    """The `predict` verb's job: one raster, one checkpoint, where to write."""

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
