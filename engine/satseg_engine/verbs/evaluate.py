"""`satseg evaluate`: accuracy of a class raster against reference labels (raster or vector)."""

from __future__ import annotations

from typing import Any

from ..evaluation.options import EvaluateJob as Job

#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output_dir",)

HELP = ("compare a class raster with reference labels: confusion matrix, IoU, F1, precision, "
        "recall, kappa (JSON and PNG)")


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..evaluation.run import evaluate

    return evaluate(job, events)
