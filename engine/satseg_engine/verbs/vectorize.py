"""`satseg vectorize CLASS_RASTER`: a class raster as polygons (sieved, optionally smoothed)
with class, name, colour, area, pixel count and mean confidence, block by block."""

from __future__ import annotations

from typing import Any

from ..vectorization.options import VectorizeJob as Job

POSITIONAL = "raster"
#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output",)

HELP = ("polygons from a class raster: small segments sieved, optional majority smoothing, "
        "class name, colour, area and mean confidence per polygon, in a GeoPackage")


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..vectorization import vectorize

    return vectorize(job, events)
