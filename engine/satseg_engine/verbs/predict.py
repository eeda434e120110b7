"""`satseg predict`: classify a raster (or a multi-source model's sources and dates), or many
rasters with the model loaded once, with a trained checkpoint, window by window."""

from __future__ import annotations

from typing import Any

from ..prediction.options import PredictJob as Job

#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output_dir",)

HELP = ("classify a raster (or several sources and dates), or many rasters (a list, folder, "
        "glob or list file; under torchrun sharded over ranks), with a trained model: class, "
        "confidence and probability GeoTIFFs and an area summary")


def device(job: Job) -> str:
    from ..prediction import resolve_device

    return resolve_device(job)


def run(job: Job, events: Any) -> dict[str, Any]:
    if job.many:  # several rasters (a list, a folder, a glob, a list file): scenes.json
        from ..prediction.scenes_run import predict_scenes

        return predict_scenes(job, events)
    from ..prediction import predict

    return predict(job, events)
