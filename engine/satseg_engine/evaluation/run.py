"""The evaluation stage: a class raster against reference labels -> JSON report and a plot."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import rasterio

from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from .confusion import class_lookup, confusion_counts, metrics, plot_confusion
from .options import EvaluateJob
from .reference import class_table, label_blocks


def evaluate(job: EvaluateJob, events: Any) -> dict[str, Any]:
    """The `evaluate` verb: count agreements block by block, write the report and the plot."""
    with rasterio.open(job.prediction) as pred:
        classes = class_table(pred, job)
        lookup = class_lookup([c["value"] for c in classes])
        confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
        ignored = unknown = 0
        done = 0
        for win, labels, label_nodata in label_blocks(job, pred, classes):
            predicted = pred.read(1, window=win)
            ref_index, pred_index = lookup[labels], lookup[predicted]
            counted = (labels != job.ignore_value) & (pred_index >= 0)
            if pred.nodata is not None:
                counted &= predicted != pred.nodata
            if label_nodata is not None:
                counted &= ~label_nodata
            unknown += int((counted & (ref_index < 0)).sum())
            usable = counted & (ref_index >= 0)
            ignored += int(usable.size - usable.sum())
            confusion += confusion_counts(ref_index, pred_index, usable, len(classes))
            done += int(win.height)
            events.progress("evaluate", done, pred.height, "rows")
    if confusion.sum() == 0:
        raise SatsegError("no_overlap", "no pixel has both a prediction and a reference label",
                          hint="check that the labels cover the predicted area (same CRS) and "
                               "use the prediction's class values", key="labels")
    if unknown:
        events.warning(f"{unknown} labelled pixels have values that are not prediction classes "
                       f"({', '.join(str(c['value']) for c in classes)}); they were ignored")
    result = metrics(confusion, classes)
    folder = job.output_dir if job.output_dir is not None else job.prediction.parent
    name = job.name or job.prediction.stem.removesuffix("_classes")
    report = {"prediction": str(job.prediction.resolve()), "labels": str(job.labels.resolve()),
              "classes": classes, **result, "confusion_matrix": confusion.tolist(),
              "confusion_axes": "rows: reference, columns: predicted",
              "ignored_pixels": ignored, "unknown_label_pixels": unknown}
    paths = {"report": folder / f"{name}_evaluation.json",
             "plot": folder / f"{name}_confusion.png"}
    with atomic_path(paths["report"]) as tmp:
        tmp.write_text(json.dumps(report, indent=2), encoding="utf-8")
    with atomic_path(paths["plot"]) as tmp:
        plot_confusion(confusion, [str(c["name"]) for c in classes], tmp,
                       title=f"{name}: mIoU {_fmt(result['miou'])}, OA "
                             f"{_fmt(result['overall_accuracy'])}")
    events.metric("evaluate", 0, "evaluation", _numbers(result),
                  per_class={k: _numbers(v) for k, v in result["per_class"].items()})
    events.artifact("report", paths["report"], role="evaluation")
    events.artifact("plot", paths["plot"], role="confusion_matrix")
    return {key: report[key] for key in ("miou", "mean_f1", "overall_accuracy", "kappa",
                                         "pixels", "per_class", "confusion_matrix",
                                         "ignored_pixels", "unknown_label_pixels")} | {
        "outputs": {k: str(v.resolve()) for k, v in paths.items()}}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _numbers(values: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "value"}
