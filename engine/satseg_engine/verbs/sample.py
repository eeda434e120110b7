"""`satseg sample`: write a realistic synthetic Sentinel-2-like scene with aligned labels."""

from __future__ import annotations

from typing import Any

from ..synth.options import SampleJob as Job

HELP = "write a synthetic Sentinel-2-like scene with labels (raster and polygons) for demos/tests"


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..synth.sample import make_sample

    return make_sample(job, events)
