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

PRIMARY = "images"


@dataclasses.dataclass(frozen=True, kw_only=True)
class SourceOptions:
    """One named input of `sources`: one raster (a single date) or a time series of rasters."""

    SHORTHAND = "rasters"  # --source NAME=a.tif,b.tif fills `rasters`

    rasters: tuple[Path, ...] = option(help="raster(s) of the source, one per date",
                                       exists="file")
    dates: tuple[str, ...] = option((), help="YYYY-MM-DD per raster, in the order of rasters "
                                             "(default: from file names, then metadata)")
    bands: tuple[int, ...] = option((), help="1-based bands to use (empty: all)", min=1)
    resampling: Literal["auto", "nearest", "bilinear", "cubic", "average"] = option(
        "auto", help="how it is put on the image's pixel grid (auto: nearest for class "
                     "rasters, bilinear otherwise)")
    max_nodata_frac: float | None = option(None, help="single date: drop cells with more "
                                                      "nodata; time series: mask such dates "
                                                      "(default: the job's)", min=0, max=1)
    max_dates: int = option(0, help="date slots of a time series (0: the number of rasters)",
                            min=0, max=366)

    @property
    def temporal(self) -> bool:
        """A time series: several rasters, explicit dates or more than one slot."""
        return len(self.rasters) > 1 or bool(self.dates) or self.max_dates > 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtractJob(GridOptions):
    """The `extract` verb's job: the grid keys plus images, labels and the output folder."""

    output_dir: Path = option(help="dataset folder to create")
    image: Path | None = option(None, help="image raster (single mode)", exists="file")
    sources: dict[str, SourceOptions] | None = option(
        None, flag="source", help="more inputs on the image's grid, by name: NAME=a.tif[,b.tif"
                                  "...] (several rasters: a time series) or JSON {NAME: "
                                  "{rasters, dates, bands, resampling, max_nodata_frac, "
                                  "max_dates}}; a source named images replaces image")
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
        self._check_sources()
        single = self.image is not None or PRIMARY in (self.sources or {})
        if single == (self.images_dir is not None):
            raise JobError("give either image (single mode) or images_dir (batch mode)",
                           key="image", hint="set exactly one of image (or sources.images) / "
                                             "images_dir")
        if single and self.labels is None:
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

    def _check_sources(self) -> None:
        if self.sources is None:
            return
        if not self.sources:
            raise JobError("sources is empty", key="sources",
                           hint="name at least one source (--source s1=a.tif) or omit sources")
        if self.images_dir is not None:
            raise JobError("sources need single mode (image + labels), not images_dir",
                           key="sources", hint="extract one scene with its sources, or drop "
                                               "sources for a batch extraction")
        if PRIMARY in self.sources and self.image is not None:
            raise JobError("both image and sources.images give the image", key="image",
                           hint="omit image (sources.images is the image) or rename the source")
        for name, source in self.sources.items():
            key = f"sources.{name}"
            if not source.rasters:
                raise JobError(f"source {name} has no raster", key=f"{key}.rasters",
                               hint=f"give at least one raster: --source {name}=a.tif")
            if source.dates and len(source.dates) != len(source.rasters):
                raise JobError(f"source {name}: {len(source.dates)} dates for "
                               f"{len(source.rasters)} rasters", key=f"{key}.dates",
                               hint="give one date per raster, in the order of rasters")
            if source.max_dates and len(source.rasters) > source.max_dates:
                raise JobError(f"source {name}: {len(source.rasters)} rasters but max_dates is "
                               f"{source.max_dates}", key=f"{key}.max_dates",
                               hint=f"raise max_dates to at least {len(source.rasters)} or give "
                                    f"fewer rasters")
            if name == PRIMARY and source.bands and self.bands and source.bands != self.bands:
                raise JobError(f"bands {list(self.bands)} and sources.images.bands "
                               f"{list(source.bands)} disagree", key=f"{key}.bands",
                               hint="give the image's bands in one of them")


def auto_workers(job: ExtractJob, n_tasks: int) -> int:
    """Worker processes for `n_tasks` tasks: the job's count, or the cores (at most 8)."""
    wanted = job.workers or min(os.cpu_count() or 1, 8)
    return max(1, min(wanted, n_tasks))

