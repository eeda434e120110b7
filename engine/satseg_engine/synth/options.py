"""The sample scene's options (`satseg sample`). Standard library only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..core import jobs
from ..core.jobs import option

OUTPUTS = {"image": "scene.tif", "labels": "labels.tif", "vector": "labels.gpkg",
           "classes": "classes.json"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SampleJob(jobs.Job):
    """The `sample` verb's job: size, bands, seed, CRS and the output folder."""

    output_dir: Path = option(help="folder for scene.tif, labels.tif, labels.gpkg, classes.json")
    width: int = option(1024, help="scene width in pixels", min=64, max=100_000)
    height: int = option(1024, help="scene height in pixels", min=64, max=100_000)
    bands: int = option(10, help="band count: 10 = Sentinel-2 B2..B12; fewer = a subset of "
                                 "them (RGB first, then NIR, SWIR, red edge); more = B1..BN "
                                 "interpolated along wavelength", min=1, max=100)
    seed: int = option(42, help="random seed: the same seed and size give the same scene",
                       min=0)
    pixel_size: float = option(10.0, help="pixel size in CRS units (metres)", min=0.01)
    crs: str = option("EPSG:32632", help="projected CRS of the outputs (EPSG code, WKT or "
                                         "PROJ string)")
    overwrite: bool = option(False, help="replace existing outputs in output_dir")
