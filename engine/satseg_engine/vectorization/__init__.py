"""The vectorisation stage: a class raster as polygons in a GeoPackage, block by block.

`vectorize(job, events)` runs the `vectorize` verb's job (options.VectorizeJob); prediction
calls `run.vectorize_raster` for `satseg predict --vectorize`. Modules: options (the job),
classes (names and colours from a checkpoint, the raster's tag or its colour table), blocks
(block windows with margins, majority filter, sieve, labelled segments), seams (pieces cut by
block seams joined into one polygon each), writer (the GeoPackage), run (the loop).

May import core, geo and models (a checkpoint's classes); never prediction, training or verbs.
"""

from __future__ import annotations

from typing import Any

GDAL_CACHE_MB = 64


def vectorize(job: Any, events: Any) -> dict[str, Any]:
    """Sieve, smooth and polygonise the job's class raster; the `done` summary."""
    import rasterio

    from .run import vectorize_raster

    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB * 2**20):
        summary = vectorize_raster(job.raster, job.output_path, events,
                                   confidence=job.confidence, checkpoint=job.checkpoint,
                                   min_size=job.min_size, smooth=job.smooth,
                                   block_size=job.block_size)
    events.artifact("vector", summary["output"], role="polygons")
    return summary
