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


# -- the quality report at the end of a run --------------------------------------------------

#: a class below this share of the labelled training pixels is "rare": with an unweighted loss
#: it weighs under 2 % of every step, which is where the demo's road class (a few per cent)
#: ended near an IoU of 0 (issue 13).
FEW_PIXELS_SHARE = 0.02
#: …or below this many training pixels whatever its share (one 32 × 32 patch's worth).
FEW_PIXELS_COUNT = 1024
#: a validation IoU below this means the class is as good as never found: under one pixel in
#: ten of its truth ∪ prediction agrees.
NEAR_ZERO_IOU = 0.1
#: the curves diverge when, after its best epoch, the validation loss ends this much (relative)
#: above its minimum while the training loss kept falling — more than epoch-to-epoch noise of
#: a small validation split (a few per cent on the tests' tiny datasets).
DIVERGENCE_RISE = 0.15
#: …and only with this many epochs of validation loss (fewer say nothing about a trend).
DIVERGENCE_MIN_EPOCHS = 4

LEVERS = {
    "few_pixels": "draw patches holding it more often (data.class_balanced), use a loss that "
                  "counts classes alike (loss.name focal_dice or dice_ce), or label more of it",
    "iou_near_zero": "more examples of it (label more, data.class_balanced), more weight in "
                     "the loss (loss.class_weights rare_sqrt, or rare for a stronger push), a "
                     "pretrained encoder (model.encoder_weights), or check that its labels "
                     "match the image",
    # the same once data.class_balanced is on: never advise a switch the run already used
    "few_pixels_balanced": "its patches were already drawn more often (data.class_balanced): "
                           "label more of it, or use a loss that counts classes alike "
                           "(loss.name focal_dice or dice_ce)",
    "iou_near_zero_balanced": "more examples of it (label more; its patches were already drawn "
                              "more often), more weight in the loss (loss.class_weights "
                              "rare_sqrt, or rare for a stronger push), a pretrained encoder "
                              "(model.encoder_weights), or check that its labels match the "
                              "image",
    "iou_near_zero_common": "train longer or with a pretrained encoder "
                            "(model.encoder_weights); check that its labels match the image",
    "no_validation_pixels": "re-extract with a split that puts some of it in validation, or "
                            "its score stays unknown",
    "diverging": "the model memorises the training patches: stop earlier "
                 "(early_stopping.patience), augment more (augment.*), use a pretrained encoder "
                 "(model.encoder_weights) or a smaller model, or add training areas",
}


def _finding(check: str, message: str, lever: str, **values: Any) -> dict[str, Any]:
    return {"check": check, "message": message, "lever": LEVERS[lever], **values}


def _class_findings(class_names: Sequence[str], train_pixels: Sequence[int],
                    validation_matrix: Sequence[Sequence[int]] | None,
                    balanced: bool = False) -> list[dict[str, Any]]:
    suffix = "_balanced" if balanced else ""
    total = max(1, sum(train_pixels))
    rare = set()
    found = []
    for name, count in zip(class_names, train_pixels, strict=True):
        share = count / total
        if share < FEW_PIXELS_SHARE or count < FEW_PIXELS_COUNT:
            rare.add(name)
            found.append(_finding("few_pixels", f"class {name} has few training pixels: "
                                  f"{count:,} ({share:.1%} of the labelled pixels)",
                                  "few_pixels" + suffix, **{"class": name, "pixels": count,
                                                   "share": share}))
    if validation_matrix is None:
        return found
    matrix = np.asarray(validation_matrix, dtype=np.float64)
    truth, predicted, hits = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    for index, name in enumerate(class_names):
        if truth[index] == 0:
            found.append(_finding("no_validation_pixels", f"class {name} has no validation "
                                  "pixels: its score is unknown", "no_validation_pixels",
                                  **{"class": name}))
            continue
        iou = hits[index] / max(truth[index] + predicted[index] - hits[index], 1)
        if iou < NEAR_ZERO_IOU:
            found.append(_finding("iou_near_zero", f"class {name} is hardly ever found: "
                                  f"validation IoU {iou:.2f}",
                                  "iou_near_zero" + suffix if name in rare
                                  else "iou_near_zero_common",
                                  **{"class": name, "iou": float(iou)}))
    return found


def _curve_findings(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = [r for r in history if r.get("validation_loss") is not None
            and r.get("train_loss") is not None]
    if len(rows) < DIVERGENCE_MIN_EPOCHS:
        return []
    best = min(range(len(rows)), key=lambda i: rows[i]["validation_loss"])
    low, last = rows[best], rows[-1]
    rise = (last["validation_loss"] - low["validation_loss"]) / max(low["validation_loss"],
                                                                   1e-12)
    if best == len(rows) - 1 or rise < DIVERGENCE_RISE or last["train_loss"] >= low[
            "train_loss"]:
        return []
    return [_finding("diverging", f"training and validation curves diverge: the validation "
                     f"loss was lowest at epoch {low['epoch']} ({low['validation_loss']:.3f}) "
                     f"and ended {rise:.0%} higher ({last['validation_loss']:.3f}) while the "
                     f"training loss fell from {low['train_loss']:.3f} to "
                     f"{last['train_loss']:.3f}", "diverging", best_epoch=low["epoch"],
                     rise=float(rise))]


def quality_report(class_names: Sequence[str], train_pixels: Sequence[int],
                   validation_matrix: Sequence[Sequence[int]] | None,
                   history: Sequence[Mapping[str, Any]], balanced: bool = False
                   ) -> list[dict[str, Any]]:
    """Findings {check, message, lever, …}: rare classes (training pixels), classes near an
    IoU of 0 on validation (best checkpoint), diverging training and validation curves.
    `balanced`: the run already drew rare-class patches more often (data.class_balanced)."""
    return [*_class_findings(class_names, train_pixels, validation_matrix, balanced),
            *_curve_findings(history)]


def write_quality(path: Path, findings: Sequence[Mapping[str, Any]]) -> Path:
    lines = ["satseg quality report", ""]
    lines += ([f"* {f['message']}\n  what usually helps: {f['lever']}" for f in findings]
              or ["no problem found: every class has enough training pixels and a validation "
                  "IoU above 0.1, and the curves do not diverge"])
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
