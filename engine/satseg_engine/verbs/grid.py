"""`satseg grid`: a GeoPackage of N×N-pixel cells snapped to a raster's pixel grid, with splits."""

from __future__ import annotations

from typing import Any

from ..geo.options import GridJob as Job

#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output",)

HELP = "lay a grid of N×N-pixel cells on a raster (AOI/extent, nodata filter, train/val/test)"


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..geo.grid_run import make_grid

    return make_grid(job, events)
