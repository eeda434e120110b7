"""Files a run leaves besides checkpoints: metrics.csv/json, plots, model_summary.txt."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from ..core.events import to_jsonable
from ..core.fileio import atomic_path
from ..models import registry as models


def write_csv(path: Path, history: Sequence[Mapping[str, Any]]) -> Path:
    """One row per epoch; columns are the union of the rows' keys, in first-seen order."""
    columns: list[str] = []
    for row in history:
        columns += [key for key in row if key not in columns]
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in history:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


def write_json(path: Path, data: Any) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(to_jsonable(data), indent=2, allow_nan=False),
                       encoding="utf-8")
    return path


def _describe_multisource(model: nn.Module, header: Mapping[str, Any]) -> list[str]:
    from .streams import group_counts

    spec = header["multisource"]
    lines = [f"fusion: {spec['fusion']} ({spec['fusion_method']}), temporal: "
             f"{spec['temporal']}"]
    for source in header["sources"]:
        dates = ", ".join(d or "padding" for d in source["dates"]) or "single date"
        lines.append(f"source {source['name']}: {len(source['band_names'])} bands "
                     f"({', '.join(source['band_names'])}), dates: {dates}, normalisation: "
                     f"{source['normalization'].get('method')}")
    total = sum(p.numel() for p in model.parameters())
    lines += ["", f"{type(model).__name__}", f"  total parameters: {total:,}"]
    lines += [f"  {name} parameters: {n:,}" for name, n in group_counts(model).items()]
    return [*lines, "", str(model)]


def write_model_summary(path: Path, model: nn.Module, header: Mapping[str, Any]) -> Path:
    lines = [f"architecture: {header['architecture']}", f"encoder: {header['encoder']}",
             f"input bands: {header['in_channels']} ({', '.join(header['band_names'])})",
             f"classes: {', '.join(str(c.get('name')) for c in header['classes'])}",
             f"task: {header['task']}", ""]
    lines += (_describe_multisource(model, header) if "multisource" in header
              else list(models.describe(model)))
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    _figure().close(fig)
    return path


def plot_curves(path: Path, history: Sequence[Mapping[str, Any]]) -> Path:
    """Loss and mIoU per epoch for train and validation, learning rate on a second panel."""
    plt = _figure()
    fig, (ax_loss, ax_iou, ax_lr) = plt.subplots(1, 3, figsize=(13, 3.8))
    epochs = [row["epoch"] for row in history]
    for split, style in (("train", "-"), ("validation", "--")):
        for ax, metric in ((ax_loss, "loss"), (ax_iou, "miou")):
            values = [row.get(f"{split}_{metric}") for row in history]
            if any(v is not None for v in values):
                ax.plot(epochs, [np.nan if v is None else v for v in values], style,
                        marker="o", ms=3, label=split)
    ax_lr.plot(epochs, [row.get("lr") for row in history], marker="o", ms=3)
    for ax, title in ((ax_loss, "loss"), (ax_iou, "mIoU"), (ax_lr, "learning rate")):
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    ax_loss.legend()
    ax_iou.legend()
    return _save(fig, path)


def plot_per_class_iou(path: Path, class_names: Sequence[str],
                       series: Mapping[str, Mapping[str, Mapping[str, float]]]) -> Path:
    """Grouped bars of IoU per class, one group member per series (e.g. validation, test)."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(class_names) + 2), 3.8))
    width = 0.8 / max(1, len(series))
    x = np.arange(len(class_names))
    for i, (label, per_class) in enumerate(series.items()):
        values = [per_class.get(name, {}).get("iou", 0.0) for name in class_names]
        ax.bar(x + i * width - 0.4 + width / 2, values, width, label=label)
    ax.set_xticks(x, class_names, rotation=30, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("IoU")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def plot_confusion(path: Path, matrix: Sequence[Sequence[int]], class_names: Sequence[str],
                   title: str) -> Path:
    """Row-normalised confusion matrix (rows: truth) with pixel counts in the cells."""
    plt = _figure()
    counts = np.asarray(matrix, dtype=np.float64)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = max(4, 0.7 * len(class_names) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(shares, vmin=0, vmax=1, cmap="Blues")
    for (row, col), share in np.ndenumerate(shares):
        ax.text(col, row, f"{share:.2f}\n{int(counts[row, col])}", ha="center", va="center",
                fontsize=7, color="white" if share > 0.5 else "black")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=30, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return _save(fig, path)
