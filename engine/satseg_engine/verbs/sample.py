"""`satseg sample`: write a realistic synthetic Sentinel-2-like scene with aligned labels.

Outputs in `output_dir`: scene.tif (uint16 bands, nodata 0), labels.tif (uint8 classes 1..6,
0 = no label exactly where the scene is nodata, colour table and class names), labels.gpkg (the
labels as polygons, layer `labels`) and classes.json. Deterministic for a given seed and size,
generated and written block by block so memory stays bounded for any scene size.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

from .. import jobs
from ..errors import JobError
from ..jobs import option

HELP = "write a synthetic Sentinel-2-like scene with labels (raster and polygons) for demos/tests"

OUTPUTS = {"image": "scene.tif", "labels": "labels.tif", "vector": "labels.gpkg",
           "classes": "classes.json"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
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


def _projected_crs(text: str) -> Any:
    from rasterio.crs import CRS
    from rasterio.errors import CRSError

    try:
        crs = CRS.from_user_input(text)
    except CRSError as exc:
        raise JobError(f"'crs': cannot read {text!r} as a CRS ({exc})", key="crs",
                       hint='give an EPSG code such as "EPSG:32632", or WKT') from None
    if not crs.is_projected:
        raise JobError(f"'crs': {text} is not a projected CRS, but pixel_size is in metres",
                       key="crs", hint="use a projected CRS, e.g. a UTM zone such as "
                                       "EPSG:32632")
    return crs


def _output_paths(job: Job) -> dict[str, Path]:
    folder = job.output_dir
    if folder.exists() and not folder.is_dir():
        raise JobError(f"'output_dir': {folder} exists and is not a folder", key="output_dir",
                       hint="choose a folder path")
    paths = {role: folder / name for role, name in OUTPUTS.items()}
    existing = [p.name for p in paths.values() if p.exists()]
    if existing and not job.overwrite:
        raise JobError(f"{folder} already holds {', '.join(existing)}", key="overwrite",
                       hint="pass --overwrite (\"overwrite\": true) to replace them, or choose "
                            "another --output-dir")
    return paths


def run(job: Job, events: Any) -> dict[str, Any]:
    started = time.perf_counter()
    crs = _projected_crs(job.crs)
    paths = _output_paths(job)
    from ..synth_write import write_sample

    summary = write_sample(job, crs, paths, events)
    for role, kind in (("image", "raster"), ("labels", "raster"), ("vector", "vector"),
                       ("classes", "report")):
        events.artifact(kind, paths[role], role={"vector": "labels"}.get(role, role))
    summary["outputs"] = {role: str(path.resolve()) for role, path in paths.items()}
    summary["seconds"] = round(time.perf_counter() - started, 2)
    events.log(f"wrote {job.width}x{job.height} px, {job.bands} bands to {job.output_dir} in "
               f"{summary['seconds']} s; classes: {json.dumps(summary['class_pixels'])}")
    return summary
