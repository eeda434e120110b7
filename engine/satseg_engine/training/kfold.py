"""K-fold cross-validation over the train+validation pool; the test split stays held out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import SatsegError
from ..data.patch_data import PatchItem, list_items
from ..models.metrics import summarize_folds
from . import reports
from .fit import fit
from .streams import plan_sources


def fold_indices(items: Sequence[PatchItem], folds: int, group_by: str, seed: int,
                 events: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(train indices, validation indices) per fold; GroupKFold by source image if asked and
    possible (enough images), else shuffled KFold."""
    from sklearn.model_selection import GroupKFold, KFold

    if len(items) < folds:
        raise SatsegError("bad_job", f"{folds} folds need at least {folds} patches in train + "
                          f"validation, the dataset has {len(items)}", key="kfold.folds")
    groups = [item.group for item in items]
    if group_by == "image" and len(set(groups)) >= folds:
        yield from GroupKFold(n_splits=folds).split(np.zeros(len(items)), groups=groups)
        return
    if group_by == "image" and events is not None:
        events.warning(f"only {len(set(groups))} source images for {folds} folds: folds split "
                       "patches, not images (neighbouring patches may share a border)")
    yield from KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(items)))


def _fold_summary(results: list[dict[str, Any]], split: str) -> dict[str, Any] | None:
    rows = [r[split] for r in results if r.get(split)]
    if len(rows) != len(results):
        return None
    overall = summarize_folds([{k: v for k, v in row.items() if isinstance(v, float)}
                               for row in rows])
    names = sorted({name for row in rows for name in row["per_class"]})
    per_class = {}
    for name in names:
        per_class[name] = summarize_folds([row["per_class"].get(name, {"iou": 0.0, "f1": 0.0,
                                           "precision": 0.0, "recall": 0.0}) for row in rows])
    return {"overall": overall, "per_class": per_class}


def run_kfold(job: Any, events: Any, info: dict[str, Any]) -> dict[str, Any]:
    if job.resume is not None:
        raise SatsegError("bad_job", "resume is not supported with k-fold cross-validation",
                          hint="resume a single run, or restart the cross-validation",
                          key="resume")
    folder = plan_sources(job, info).folder
    pool = (list_items(job.dataset, "train", folder)
            + list_items(job.dataset, "validation", folder))
    test = list_items(job.dataset, "test", folder)
    k = job.kfold.folds
    results = []
    for fold, (train_idx, val_idx) in enumerate(
            fold_indices(pool, k, job.kfold.group_by, job.seed, events), start=1):
        events.log(f"fold {fold}/{k}: {len(train_idx)} training, {len(val_idx)} validation "
                   f"patches")
        items = {"train": [pool[i] for i in train_idx],
                 "validation": [pool[i] for i in val_idx], "test": test}
        results.append(fit(job, events, info, items, Path(job.output_dir) / f"fold_{fold}",
                           stage=f"fold_{fold}"))
    summary = {"folds": k, "output_dir": str(job.output_dir), "fold_results": results,
               "validation": _fold_summary(results, "validation"),
               "test": _fold_summary(results, "test")}
    events.artifact("report", reports.write_json(Path(job.output_dir) / "kfold_summary.json",
                                                 summary), role="kfold_summary")
    return summary
