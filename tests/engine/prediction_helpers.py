"""Shared pieces of the prediction tests: GeoTIFFs in tmp_path, tiny real models, headers."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import torch
from rasterio.transform import from_origin
from torch import nn

from satseg_engine.core.events import Events
from satseg_engine.core.jobs import load_job
from satseg_engine.prediction.options import PredictJob
from satseg_engine.prediction.run import predict_to_files

CRS = "EPSG:32632"
ORIGIN = (500_000.0, 4_000_000.0)
PIXEL = 10.0
CLASSES = [{"value": 1, "name": "water", "colour": "#1f78b4"},
           {"value": 4, "name": "forest", "colour": "#33a02c"},
           {"value": 9, "name": "urban", "colour": "#e31a1c"}]


def write_raster(path: Path, data: np.ndarray, nodata: float | None = None, crs: str = CRS,
                 pixel: float = PIXEL, origin: tuple[float, float] = ORIGIN,
                 descriptions: Sequence[str] | None = None) -> Path:
    bands, height, width = data.shape
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=bands,
                       dtype=data.dtype, crs=crs, transform=from_origin(*origin, pixel, pixel),
                       nodata=nodata) as dst:
        dst.write(data)
        for i, text in enumerate(descriptions or [], start=1):
            dst.set_band_description(i, text)
    return path


class ConstantLogits(nn.Module):
    """Returns the same logits at every pixel, whatever the input."""

    def __init__(self, logits: Sequence[float]):
        super().__init__()
        self.register_buffer("logits", torch.tensor(list(logits), dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = (x.shape[0], len(self.logits), *x.shape[2:])
        return self.logits[None, :, None, None].expand(shape) + 0.0 * x[:, :1]


class CopyBand(nn.Module):
    """One logit per pixel = input band `band` (binary task: probability = sigmoid(band))."""

    def __init__(self, band: int = 0):
        super().__init__()
        self.band = band

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.band:self.band + 1].clone()


def header(bands: int = 3, classes: Sequence[Mapping[str, Any]] = CLASSES, patch: int = 32,
           task: str = "multiclass", method: str = "none", **extra: Any) -> dict[str, Any]:
    return {"in_channels": bands, "band_names": [f"B{i + 1}" for i in range(bands)],
            "normalization": {"method": method, "bands": [], "nodata": None},
            "classes": [dict(c) for c in classes], "patch_size": patch, "task": task,
            "threshold": 0.5, **extra}


def run_prediction(tmp_path: Path, raster: Path, model: nn.Module, head: Mapping[str, Any],
                   **job: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """predict_to_files with a plain module (no checkpoint needed); returns summary, events."""
    checkpoint = tmp_path / "model.pt"
    checkpoint.touch()
    stream = io.StringIO()
    events = Events(stream)
    resolved = load_job(PredictJob, {"raster": str(raster), "checkpoint": str(checkpoint),
                                      "output_dir": str(tmp_path / "out"), "batch_size": 4,
                                      **job})
    summary = predict_to_files(resolved, model, head, torch.device("cpu"), events)
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


def read(path: str | Path) -> np.ndarray:
    with rasterio.open(path) as src:
        return src.read()
