"""The extraction stage's options: what to cut (images, labels, grid) and where to write it.

Standard library only (the verb table loads it for `satseg --help`).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Literal

from ..core.errors import JobError
from ..core.jobs import option
from ..geo.options import GridOptions


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtractJob(GridOptions):
    """The `extract` verb's job: the grid keys plus images, labels and the output folder."""

    output_dir: Path = option(help="dataset folder to create")
    image: Path | None = option(None, help="image raster (single mode)", exists="file")
    labels: Path | None = option(None, help="labels: class raster, vector polygons or RGB "
                                            "colour mask (single mode; batch: one vector for "
                                            "all images)", exists="path")
    images_dir: Path | None = option(None, help="batch: folder of images", exists="dir")
    image_glob: str = option("*.tif", help="batch: image file pattern with one *")
    labels_dir: Path | None = option(None, help="batch: folder of labels (default images_dir)",
                                     exists="dir")
    label_glob: str = option("", help="batch: label file pattern with one * (e.g. Label_*.tif)")
    grid: Path | None = option(None, help="grid GeoPackage to use (default: build one per "
                                          "image with the grid keys)", exists="file")
    workers: int = option(0, help="worker processes (0: auto, 1: none)", min=0, max=256)
    compress: Literal["deflate", "zstd", "lzw", "none"] = option(
        "deflate", help="patch compression (zstd: ~2× faster writes, needs GDAL >= 2.3)")
    overwrite: bool = option(False, help="replace an existing dataset in output_dir")

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.image is None) == (self.images_dir is None):
            raise JobError("give either image (single mode) or images_dir (batch mode)",
                           key="image", hint="set exactly one of image / images_dir")
        if self.image is not None and self.labels is None:
            raise JobError("missing labels for the image", key="labels",
                           hint="give a class raster, vector polygons or a colour mask")
        if self.images_dir is not None and not self.label_glob and self.labels is None:
            raise JobError("batch mode needs label_glob (e.g. Label_*.tif) or one labels "
                           "vector", key="label_glob")
        for key in ("image_glob", "label_glob"):
            pattern = getattr(self, key)
            if self.images_dir is not None and pattern and pattern.count("*") != 1:
                raise JobError(f"{key} must contain exactly one '*', got {pattern!r}", key=key,
                               hint="e.g. Image_*.tif and Label_*.tif")
        if self.grid is None and self.split_method == "none":
            raise JobError("split_method 'none' leaves every cell unassigned: nothing to "
                           "extract", key="split_method",
                           hint="choose random, blocks or attribute, or give a grid with splits")


def auto_workers(job: ExtractJob, n_tasks: int) -> int:
    """Worker processes for `n_tasks` tasks: the job's count, or the cores (at most 8)."""
    wanted = job.workers or min(os.cpu_count() or 1, 8)
    return max(1, min(wanted, n_tasks))

