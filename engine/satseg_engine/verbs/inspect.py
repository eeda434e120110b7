"""`satseg inspect MODEL`: a model's header as plain data (classes, bands, patch, metrics).

The QGIS plugin cannot import torch; it runs this verb to show what a checkpoint expects before
predicting with it. Bulky parts of the header (normalisation statistics, the training job,
per-class metrics beyond IoU) are left out. A multi-source model adds `sources` (name, dates,
bands, normalisation method of each) and `multisource` (fusion, method, temporal mode, encoders).
An .onnx file written by `satseg export` gives the same summary from its stored header, plus
`format: onnx` and `deepness` (the metadata Deepness reads); a checkpoint says `format:
checkpoint`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core import jobs
from ..core.jobs import option

POSITIONAL = "checkpoint"
HELP = ("show a model's header (checkpoint or exported .onnx): classes, bands, patch size, "
        "task, training metrics")

#: header keys copied as they are (when present)
PLAIN_KEYS = ("architecture", "encoder", "in_channels", "band_names", "classes", "patch_size",
              "task", "threshold", "epoch", "role", "engine_version", "pixel_size")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    checkpoint: Path = option(help="model checkpoint written by 'satseg train' (.pt), or an "
                                   "ONNX model written by 'satseg export' (.onnx)",
                              exists="file")


def metrics_summary(metrics: Mapping[str, Any] | None) -> dict[str, Any]:
    """split -> its scalar metrics, plus `per_class_iou` {class: iou} where the split has it."""
    out: dict[str, Any] = {}
    for split, values in (metrics or {}).items():
        if not isinstance(values, Mapping):
            continue
        row: dict[str, Any] = {name: value for name, value in values.items()
                               if isinstance(value, (int, float)) and not isinstance(value, bool)}
        per_class = values.get("per_class")
        if isinstance(per_class, Mapping):
            row["per_class_iou"] = {str(name): scores.get("iou")
                                    for name, scores in per_class.items()
                                    if isinstance(scores, Mapping) and "iou" in scores}
        out[str(split)] = row
    return out


def sources_summary(header: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Per source of a multi-source model: name, dates (None: a padding slot; [] a single
    date), bands of one date and normalisation method; None for a single-source model."""
    entries = header.get("sources")
    if not isinstance(entries, list) or not entries:
        return None
    out = []
    for entry in entries:
        norm = entry.get("normalization")
        out.append({"name": entry.get("name"), "dates": list(entry.get("dates") or []),
                    "bands": list(entry.get("band_names") or []),
                    "normalization": norm.get("method") if isinstance(norm, Mapping) else None})
    return out


def header_summary(header: Mapping[str, Any]) -> dict[str, Any]:
    """The header's plain data a user (or the plugin) needs, without the bulky parts."""
    summary = {key: header[key] for key in PLAIN_KEYS if key in header}
    normalization = header.get("normalization") or {}
    summary["normalization"] = (normalization.get("method")
                                if isinstance(normalization, Mapping) else None)
    sources = sources_summary(header)
    if sources is not None:
        summary["sources"] = sources
        summary["multisource"] = dict(header.get("multisource") or {})
    summary["metrics"] = metrics_summary(header.get("metrics"))
    return summary


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..core.events import to_jsonable

    if Path(job.checkpoint).suffix.lower() == ".onnx":
        return to_jsonable(onnx_summary(Path(job.checkpoint)))
    from ..models.checkpoint import read_checkpoint

    data = read_checkpoint(job.checkpoint)
    summary = header_summary(data["header"])
    summary["checkpoint"] = str(Path(job.checkpoint).resolve())
    summary["resumable"] = "resume" in data
    summary["format"] = "checkpoint"
    return to_jsonable(summary)


def onnx_summary(path: Path) -> dict[str, Any]:
    """The summary of an exported .onnx: its stored header's, plus the Deepness keys."""
    from ..export.metadata import decoded
    from ..prediction.onnx_model import header_from_metadata, read_onnx_metadata

    metadata = read_onnx_metadata(path)
    summary = header_summary(header_from_metadata(metadata, path))
    values = decoded(metadata)
    summary.update({"checkpoint": str(path.resolve()), "resumable": False, "format": "onnx",
                    "deepness": {k: v for k, v in values.items() if not k.startswith("satseg")},
                    "inputs": (values.get("satseg_io") or {}).get("input"),
                    "normalization_folded": True})
    return summary
