"""`satseg predict`: classify a raster (or a multi-source model's sources and dates) with a
trained checkpoint, window by window."""

from __future__ import annotations

from typing import Any

from ..prediction.options import PredictJob as Job

#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output_dir",)

HELP = ("classify a raster (or several sources and dates) with a trained model: class, "
        "confidence and probability GeoTIFFs and an area summary")


def device(job: Job) -> str:
    from ..prediction import resolve_device

    return resolve_device(job)


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..prediction import predict

    return predict(job, events)
