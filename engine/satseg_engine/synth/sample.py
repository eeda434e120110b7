"""The sample stage: write a realistic synthetic Sentinel-2-like scene with aligned labels.

Outputs in `output_dir`: scene.tif (uint16 bands, nodata 0), labels.tif (uint8 classes 1..6,
0 = no label exactly where the scene is nodata, colour table and class names), labels.gpkg (the
labels as polygons, layer `labels`) and classes.json. Deterministic for a given seed and size,
generated and written block by block so memory stays bounded for any scene size.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..core.errors import JobError
from .options import OUTPUTS, SampleJob
from .write import write_sample


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


def _output_paths(job: SampleJob) -> dict[str, Path]:
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


def make_sample(job: SampleJob, events: Any) -> dict[str, Any]:
    started = time.perf_counter()
    crs = _projected_crs(job.crs)
    paths = _output_paths(job)
    summary = write_sample(job, crs, paths, events)
    for role, kind in (("image", "raster"), ("labels", "raster"), ("vector", "vector"),
                       ("classes", "report")):
        events.artifact(kind, paths[role], role={"vector": "labels"}.get(role, role))
    summary["outputs"] = {role: str(path.resolve()) for role, path in paths.items()}
    summary["seconds"] = round(time.perf_counter() - started, 2)
    events.log(f"wrote {job.width}x{job.height} px, {job.bands} bands to {job.output_dir} in "
               f"{summary['seconds']} s; classes: {json.dumps(summary['class_pixels'])}")
    return summary
