"""The prediction stage's options: which rasters and model, where, and how windows are run.

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
    """The `predict` verb's job: a raster (or the sources of a multi-source model), one
    checkpoint, where to write."""

    raster: Path | None = option(None, help="raster to classify (any format GDAL reads); for a "
                                            "multi-source model the 'images' source (required "
                                            "unless sources has images): it sets the output "
                                            "grid")
    sources: dict[str, tuple[Path, ...]] | None = option(
        None, flag="source", help="rasters of each source of a multi-source model, repeatable: "
                                  "--source s2=a.tif,b.tif --source s1=c.tif (several rasters "
                                  "of a source: its dates; the first date of 'images' sets the "
                                  "output grid)")
    source_dates: dict[str, tuple[str, ...]] | None = option(
        None, flag="source-date", help="acquisition dates of a source's rasters, in their order "
                                       "(default: from the file names, then metadata): "
                                       "--source-dates s2=2024-05-01,2024-06-10")
    checkpoint: Path = option(help="model checkpoint written by 'satseg train'", exists="file")
    output_dir: Path | None = option(None, help="folder for the outputs (default: the "
                                                "raster's folder, or the images source's)")
    name: str | None = option(None, help="output name prefix (default: the raster's file "
                                         "name without extension, or the first images one's)")
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

    @property
    def primary(self) -> Path:
        """The raster whose pixel grid the outputs use: `raster`, else the first images one (by
        date order once resolved; the first given here)."""
        if self.raster is not None:
            return Path(self.raster)
        return Path((self.sources or {})["images"][0])

    def __post_init__(self) -> None:
        self._check_sources()
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

    def _check_sources(self) -> None:
        sources = dict(self.sources or {})
        if self.raster is None and "images" not in sources:
            raise JobError("no raster to classify: give 'raster', or the 'images' source of a "
                           "multi-source model", key="raster",
                           hint="add --raster FILE (or --source images=FILE)")
        if self.raster is not None and "images" in sources:
            raise JobError("the images source is given twice ('raster' and sources.images)",
                           key="sources.images", hint="give --raster FILE or --source "
                                                      "images=FILE, not both")
        for name, paths in sources.items():
            if not paths:
                raise JobError(f"source {name} has no raster", key=f"sources.{name}",
                               hint=f"give its rasters: --source {name}=a.tif[,b.tif...]")
            for path in paths:
                if not Path(path).is_file():
                    raise JobError(f"source {name}: {path} is not a file", key=f"sources.{name}",
                                   hint="check the path (relative paths are read from the "
                                        "current directory)")
        given = {**sources, **({"images": (self.raster,)} if self.raster is not None else {})}
        for name, dates in dict(self.source_dates or {}).items():
            if name not in given:
                raise JobError(f"source_dates names source {name}, which is not given",
                               key=f"source_dates.{name}",
                               hint=f"give its rasters with --source {name}=FILE[,FILE...] or "
                                    f"remove its dates")
            if len(dates) != len(given[name]):
                raise JobError(f"source {name}: {len(dates)} date(s) for {len(given[name])} "
                               f"raster(s)", key=f"source_dates.{name}",
                               hint="give one date per raster, in the rasters' order")
