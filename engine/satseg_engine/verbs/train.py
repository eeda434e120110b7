"""`satseg train`: train a segmentation model on a patch dataset (see docs/formats.md).

Writes best_loss.pt, best_iou.pt, last.pt, metrics.csv/json, plots and model_summary.txt to
`output_dir`; with `kfold.folds` >= 2, one such folder per fold plus a cross-validation summary.
The work is done by `satseg_engine.training.train(job, events)`, callable as a function.
"""

from __future__ import annotations

from typing import Any

from ..training.options import TrainJob as Job

#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output_dir",)

HELP = "train a segmentation model (custom U-Net or any smp architecture) on a patch dataset"


def device(job: Job) -> str:
    from ..training.setup import resolve_device

    return str(resolve_device(job.device))


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..training import train

    return train(job, events)
