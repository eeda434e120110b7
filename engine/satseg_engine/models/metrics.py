"""Segmentation metrics from a confusion matrix accumulated on the training device.

Rows are true classes, columns predicted ones; ignored pixels are left out. Per class: IoU,
F1 (= Dice), precision, recall; overall: mIoU and mean F1 over classes that occur (true or
predicted), pixel accuracy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch


def predict_indices(logits: torch.Tensor, task: str, threshold: float = 0.5) -> torch.Tensor:
    """Class indices (N, H, W) from logits: sigmoid > threshold (binary) or argmax."""
    if task == "binary":
        return (torch.sigmoid(logits[:, 0].float()) > threshold).long()
    return logits.argmax(dim=1)


class ConfusionMatrix:
    """Accumulates a (classes × classes) int64 matrix on `device`; all-reduced under DDP."""

    def __init__(self, n_classes: int, ignore_index: int, device: torch.device | str = "cpu"):
        self.n = n_classes
        self.ignore_index = ignore_index
        self.matrix = torch.zeros((n_classes, n_classes), dtype=torch.int64, device=device)

    def update(self, predicted: torch.Tensor, target: torch.Tensor) -> None:
        valid = (target != self.ignore_index) & (target >= 0) & (target < self.n)
        codes = target[valid] * self.n + predicted[valid]
        self.matrix += torch.bincount(codes, minlength=self.n * self.n).reshape(self.n, self.n)

    def reduce(self) -> None:
        """Sum the matrices of all processes (no-op without torch.distributed)."""
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(self.matrix)

    def compute(self, class_names: Sequence[str]) -> tuple[dict[str, float],
                                                           dict[str, dict[str, float]]]:
        return metrics_from_matrix(self.matrix.cpu().double(), class_names)


def metrics_from_matrix(matrix: torch.Tensor, class_names: Sequence[str]
                        ) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """(overall {miou, mean_f1, accuracy}, per class {name: {iou, f1, precision, recall}})."""
    matrix = matrix.double()
    tp = matrix.diag()
    true = matrix.sum(dim=1)
    predicted = matrix.sum(dim=0)
    union = true + predicted - tp
    present = union > 0

    def ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
        return torch.where(den > 0, num / den.clamp(min=1e-12), torch.zeros_like(num))

    iou = ratio(tp, union)
    precision = ratio(tp, predicted)
    recall = ratio(tp, true)
    f1 = ratio(2 * tp, true + predicted)
    per_class: dict[str, dict[str, float]] = {}
    for index, name in enumerate(class_names):
        if present[index]:
            per_class[name] = {"iou": float(iou[index]), "f1": float(f1[index]),
                               "precision": float(precision[index]),
                               "recall": float(recall[index])}
    total = matrix.sum()
    overall = {
        "miou": float(iou[present].mean()) if present.any() else 0.0,
        "mean_f1": float(f1[present].mean()) if present.any() else 0.0,
        "accuracy": float(tp.sum() / total) if total > 0 else 0.0,
    }
    return overall, per_class


def matrix_to_list(matrix: torch.Tensor) -> list[list[int]]:
    return [[int(v) for v in row] for row in matrix.cpu().tolist()]


def summarize_folds(values: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """{metric: {mean, std}} over folds for every numeric metric present in all of them."""
    import numpy as np

    keys = set(values[0]) if values else set()
    for row in values[1:]:
        keys &= set(row)
    out = {}
    for key in sorted(keys):
        numbers = [row[key] for row in values if isinstance(row[key], (int, float))]
        if len(numbers) == len(values):
            out[key] = {"mean": float(np.mean(numbers)), "std": float(np.std(numbers))}
    return out
