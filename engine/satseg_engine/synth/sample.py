"""The sample stage: write a realistic synthetic Sentinel-2-like scene with aligned labels.

Outputs in `output_dir`: scene.tif (uint16 bands, nodata 0), labels.tif (uint8 classes 1..6,
0 = no label exactly where the scene is nodata, colour table and class names), labels.gpkg (the
labels as polygons, layer `labels`) and classes.json. Deterministic for a given seed and size,
generated and written block by block so memory stays bounded for any scene size.

With `sources`: a multi-sensor, multi-date scene instead (synth.sources): s2_<YYYY-MM-DD>.tif
per date, s1.tif, labels.tif, classes.json and sources.json.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from ..core.errors import JobError
from .options import OUTPUTS, SampleJob

#: an optical date of a sources scene (names written by synth.sources)
S2_NAME = re.compile(r"s2_\d{4}-\d{2}-\d{2}\.tif")


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


def _output_paths(job: SampleJob) -> dict[str, Any]:
    folder = job.output_dir
    if folder.exists() and not folder.is_dir():
        raise JobError(f"'output_dir': {folder} exists and is not a folder", key="output_dir",
                       hint="choose a folder path")
    if job.sources:
        from .sources import source_paths

        paths = source_paths(job)
        files = [*paths["s2"], *(p for role, p in paths.items() if role != "s2")]
        # an earlier series with other dates would be mistaken for part of this one
        files += sorted(p for p in folder.glob("s2_*.tif") if S2_NAME.fullmatch(p.name))
    else:
        paths = {role: folder / name for role, name in OUTPUTS.items()}
        files = list(paths.values())
    existing = sorted({p.name for p in files if p.exists()})
    if existing and not job.overwrite:
        raise JobError(f"{folder} already holds {', '.join(existing)}", key="overwrite",
                       hint="pass --overwrite (\"overwrite\": true) to replace them, or choose "
                            "another --output-dir")
    return paths


def make_sample(job: SampleJob, events: Any) -> dict[str, Any]:
    started = time.perf_counter()
    crs = _projected_crs(job.crs)
    paths = _output_paths(job)
    if job.sources:
        summary = _make_sources(job, crs, paths, events)
    else:
        from .write import write_sample

        summary = write_sample(job, crs, paths, events)
        for role, kind in (("image", "raster"), ("labels", "raster"), ("vector", "vector"),
                           ("classes", "report")):
            events.artifact(kind, paths[role], role={"vector": "labels"}.get(role, role))
        summary["outputs"] = {role: str(path.resolve()) for role, path in paths.items()}
    summary["seconds"] = round(time.perf_counter() - started, 2)
    what = f"{job.dates} dates and a radar image" if job.sources else f"{job.bands} bands"
    events.log(f"wrote {job.width}x{job.height} px, {what} to {job.output_dir} in "
               f"{summary['seconds']} s; classes: {json.dumps(summary['class_pixels'])}")
    return summary


def _make_sources(job: SampleJob, crs: Any, paths: dict[str, Any], events: Any
                  ) -> dict[str, Any]:
    from .sources import write_sources

    stale = [p for p in job.output_dir.glob("s2_*.tif")
             if S2_NAME.fullmatch(p.name) and p not in paths["s2"]]
    summary = write_sources(job, crs, paths, events)
    for path in stale:  # overwrite: the older series' other dates go
        path.unlink(missing_ok=True)
        Path(str(path) + ".aux.xml").unlink(missing_ok=True)
    for path in paths["s2"]:
        events.artifact("raster", path, role="image")
    events.artifact("raster", paths["s1"], role="s1")
    events.artifact("raster", paths["labels"], role="labels")
    events.artifact("report", paths["classes"], role="classes")
    events.artifact("report", paths["sources"], role="sources")
    summary["outputs"] = {"s2": [str(p.resolve()) for p in paths["s2"]],
                          **{role: str(p.resolve()) for role, p in paths.items() if role != "s2"}}
    return summary
