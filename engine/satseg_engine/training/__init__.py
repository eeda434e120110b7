"""The training stage: `train(job, events) -> summary`, callable as a function (search, tests).

Modules: options (TrainJob and its sections), auto (the "auto" defaults chosen per dataset,
with a reason each), setup (device, precision, model, loaders), loop
(one epoch / one evaluation), fit (one run with checkpoints and reports), kfold
(cross-validation), distributed (torchrun: process group, samplers, reductions), persist
(checkpoints and resume), reports (csv/json/plots), state (run bookkeeping, early
stopping), streams (the sources a run consumes; multi-source header, per-stream learning
rates and freezing). May import core, geo, data and models; never
prediction or verbs.
"""

from __future__ import annotations

from typing import Any


def train(job: Any, events: Any) -> dict[str, Any]:
    """Run the `train` verb's job: one run on the dataset's splits, or k-fold CV; under
    torchrun, one rank of a DistributedDataParallel run (training/distributed.py)."""
    from .distributed import process_group
    from .setup import resolve_device

    with process_group(resolve_device(job.device)):
        return _train(job, events)


def _train(job: Any, events: Any) -> dict[str, Any]:
    from ..data.patch_data import SPLITS, list_items, read_dataset_info
    from .fit import fit
    from .kfold import run_kfold
    from .streams import plan_sources

    info = read_dataset_info(job.dataset)
    if job.kfold.folds >= 2:
        return run_kfold(job, events, info)
    folder = plan_sources(job, info).folder
    items = {split: list_items(job.dataset, split, folder) for split in SPLITS}
    events.log(", ".join(f"{len(v)} {k} patches" for k, v in items.items()))
    if folder == "images":
        from ..data.dataset import dataset_warnings

        for message in dataset_warnings(info, {k: len(v) for k, v in items.items()}):
            events.warning(message)
    return fit(job, events, info, items, job.output_dir, resume=job.resume)
