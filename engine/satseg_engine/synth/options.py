"""The sample scene's options (`satseg sample`). Standard library only."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option

OUTPUTS = {"image": "scene.tif", "labels": "labels.tif", "vector": "labels.gpkg",
           "classes": "classes.json"}
#: fixed outputs of `--sources` (besides one s2_<YYYY-MM-DD>.tif per date, see synth.sources)
SOURCES_OUTPUTS = {"s1": "s1.tif", "labels": "labels.tif", "classes": "classes.json",
                   "sources": "sources.json"}
DEFAULT_BANDS = 10
DEFAULT_DATES = 6


@dataclasses.dataclass(frozen=True, kw_only=True)
class SampleJob(jobs.Job):
    """The `sample` verb's job: size, bands, seed, CRS and the output folder."""

    output_dir: Path = option(help="folder for scene.tif, labels.tif, labels.gpkg, classes.json "
                                   "(with sources: s2_<date>.tif, s1.tif, labels.tif, "
                                   "classes.json, sources.json)")
    width: int = option(1024, help="scene width in pixels", min=64, max=100_000)
    height: int = option(1024, help="scene height in pixels", min=64, max=100_000)
    bands: int = option(DEFAULT_BANDS, help="band count: 10 = Sentinel-2 B2..B12; fewer = a "
                                            "subset of them (RGB first, then NIR, SWIR, red "
                                            "edge); more = B1..BN interpolated along "
                                            "wavelength", min=1, max=100)
    seed: int = option(42, help="random seed: the same seed and size give the same scene",
                       min=0)
    pixel_size: float = option(10.0, help="pixel size in CRS units (metres)", min=0.01)
    crs: str = option("EPSG:32632", help="projected CRS of the outputs (EPSG code, WKT or "
                                         "PROJ string)")
    sources: bool = option(False, help="write a multi-sensor, multi-date scene instead: a "
                                       "Sentinel-2-like series s2_<YYYY-MM-DD>.tif (B2 B3 B4 "
                                       "B8), a Sentinel-1-like s1.tif (VV VH dB, pixel twice "
                                       "as large, another CRS), labels.tif, classes.json and "
                                       "sources.json, with classes that need both sensors and "
                                       "all dates")
    dates: int = option(DEFAULT_DATES, help="with sources: number of Sentinel-2 dates over the "
                                            "growing season (5 or more separate single- from "
                                            "double-season crops)", min=2, max=24)
    scene: Literal["plain", "rare", "drift"] = option(
        "plain", help="character of a single scene: plain; rare (plus three small, rare "
        "classes: greenhouse, solar park, quarry); drift (the right half has more cropland, "
        "less forest and gradually shifted spectra)")
    overwrite: bool = option(False, help="replace existing outputs in output_dir")

    def __post_init__(self) -> None:
        if self.sources and self.bands != DEFAULT_BANDS:
            raise JobError("'bands' cannot be chosen with 'sources': the Sentinel-2 series "
                           "always has the bands B2, B3, B4, B8", key="bands",
                           hint="drop --bands, or drop --sources for a single scene")
        if self.sources and self.scene != "plain":
            raise JobError(f"'scene' {self.scene!r} applies to a single scene, not to "
                           "'sources'", key="scene", hint="drop --scene, or drop --sources")
        if not self.sources and self.dates != DEFAULT_DATES:
            raise JobError("'dates' is only used with 'sources' (a single scene has one date)",
                           key="dates", hint="add --sources (\"sources\": true), or drop "
                                             "--dates")
