"""Accuracy of a class raster against reference labels: confusion matrix and its metrics.

Rows of the confusion matrix are the reference classes, columns the predicted ones. A metric
whose denominator is zero (e.g. the IoU of a class absent from both rasters) is None and left
out of the means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def class_lookup(values: Sequence[int]) -> np.ndarray:
    """256-entry table: class value -> index in `values`, -1 for anything else."""
    table = np.full(256, -1, dtype=np.int64)
    for index, value in enumerate(values):
        table[int(value)] = index
    return table


def confusion_counts(reference: np.ndarray, predicted: np.ndarray, usable: np.ndarray,
                     count: int) -> np.ndarray:
    """count × count matrix of class indices (reference rows, predicted columns)."""
    ref, pred = reference[usable].astype(np.int64), predicted[usable].astype(np.int64)
    return np.bincount(ref * count + pred, minlength=count * count).reshape(count, count)


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den > 0 else None


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def metrics(confusion: np.ndarray, classes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-class IoU, F1, precision, recall; mIoU, mean F1, overall accuracy, Cohen's kappa."""
    cm = confusion.astype(np.float64)
    total = cm.sum()
    tp = np.diag(cm)
    predicted = cm.sum(axis=0)
    reference = cm.sum(axis=1)
    per_class: dict[str, dict[str, Any]] = {}
    for i, c in enumerate(classes):
        fp, fn = predicted[i] - tp[i], reference[i] - tp[i]
        per_class[str(c["name"])] = {
            "value": int(c["value"]),
            "iou": _ratio(tp[i], tp[i] + fp + fn),
            "f1": _ratio(2 * tp[i], 2 * tp[i] + fp + fn),
            "precision": _ratio(tp[i], tp[i] + fp),
            "recall": _ratio(tp[i], tp[i] + fn),
            "reference_pixels": int(reference[i]), "predicted_pixels": int(predicted[i]),
        }
    agreement = _ratio(tp.sum(), total)
    expected = _ratio((predicted * reference).sum(), total * total)
    kappa = None
    if agreement is not None and expected is not None and expected < 1.0:
        kappa = (agreement - expected) / (1.0 - expected)
    return {
        "miou": _mean([m["iou"] for m in per_class.values()]),
        "mean_f1": _mean([m["f1"] for m in per_class.values()]),
        "overall_accuracy": agreement,
        "kappa": kappa,
        "pixels": int(total),
        "per_class": per_class,
    }


def plot_confusion(confusion: np.ndarray, names: Sequence[str], path: Path,
                   title: str = "Confusion matrix") -> None:
    """PNG: colours = share of each reference row (recall), text = pixel counts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    count = len(names)
    rows = confusion.sum(axis=1, keepdims=True)
    share = np.divide(confusion, rows, out=np.zeros(confusion.shape), where=rows > 0)
    size = max(4.0, 0.6 * count + 2.5)
    fig, ax = plt.subplots(figsize=(size, size), dpi=100)
    try:
        image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of reference row")
        ax.set_xticks(range(count), names, rotation=45, ha="right")
        ax.set_yticks(range(count), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("reference")
        ax.set_title(title)
        if count <= 20:
            for i in range(count):
                for j in range(count):
                    ax.text(j, i, f"{int(confusion[i, j])}", ha="center", va="center",
                            fontsize=8, color="white" if share[i, j] > 0.5 else "black")
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
