"""The vectorisation stage's options: which class raster, which polygons, how they are cleaned.

Standard library only (the verb table loads it for `satseg --help`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option

#: largest `min_size`: the sieve reads this many pixels around every block (see blocks.py)
MAX_MIN_SIZE = 1024
#: largest majority-filter window
MAX_SMOOTH = 15


@dataclasses.dataclass(frozen=True, kw_only=True)
class VectorizeJob(jobs.Job):
    """The `vectorize` verb's job: a class raster in, a GeoPackage of polygons out."""

    raster: Path = option(help="class raster, e.g. the *_classes.tif written by 'satseg "
                               "predict' (one band of integer class values)", exists="file")
    confidence: Path | None = option(None, help="confidence raster on the same pixel grid "
                                                "(predict's *_confidence.tif): each polygon "
                                                "gets its mean", exists="file")
    output: Path | None = option(None, help="GeoPackage to write (default: "
                                            "<raster name without _classes>_polygons.gpkg "
                                            "beside the raster)")
    checkpoint: Path | None = option(None, help="take class names and colours from this "
                                                "checkpoint instead of the raster's metadata",
                                     exists="file")
    min_size: int = option(0, min=0, max=MAX_MIN_SIZE,
                           help="sieve: segments (4-connected) smaller than this many pixels "
                                "take the class of their largest neighbour (0 or 1: keep all)")
    smooth: int = option(0, min=0, max=MAX_SMOOTH,
                         help="majority filter window before polygonising (odd: 3, 5, …; 0: "
                              "none): each pixel takes its window's most frequent class; "
                              "neighbouring polygons keep sharing their edges")
    block_size: int = option(2048, min=16, max=16384,
                             help="pixels per block side: memory follows this, not the "
                                  "raster's size")

    def __post_init__(self) -> None:
        if self.smooth and (self.smooth < 3 or self.smooth % 2 == 0):
            raise JobError(f"'smooth' must be 0 (off) or an odd window size of at least 3, "
                           f"got {self.smooth}", key="smooth",
                           hint="use 0, 3, 5, 7, …")
        if self.output is not None and self.output.suffix.lower() != ".gpkg":
            raise JobError(f"'output' must be a GeoPackage (.gpkg), got {self.output.name}",
                           key="output", hint="give a file name ending in .gpkg")

    @property
    def output_path(self) -> Path:
        return Path(self.output) if self.output is not None else default_output(self.raster)


def default_output(raster: Path) -> Path:
    """<folder>/<stem>_polygons.gpkg, the `_classes` of a prediction's name dropped."""
    raster = Path(raster)
    stem = raster.stem.removesuffix("_classes")
    return raster.with_name(f"{stem}_polygons.gpkg")
