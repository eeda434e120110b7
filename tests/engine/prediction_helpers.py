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


def auto_cpu_precision() -> str:
    """How the log names the precision `auto` should take on this CPU, by torch's own answer to
    whether oneDNN runs bfloat16 natively here (AVX-512 core or AMX): bfloat16 autocast if so,
    else float32 (emulated bfloat16 is many times slower)."""
    native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return "bfloat16 autocast" if native else "float32"


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


# -- several sources ---------------------------------------------------------------------------

def source_entry(name: str, bands: Sequence[str], dates: Sequence[str | None] = (),
                 nodata: float | None = None, method: str = "none",
                 stats: Sequence[Mapping[str, Any]] = (), resampling: str = "bilinear",
                 max_nodata_frac: float = 1.0) -> dict[str, Any]:
    """One `header["sources"]` entry, as training writes it (SourceInfo.header)."""
    from satseg_engine.data.sources import SourceInfo

    info = SourceInfo(name=name, band_names=tuple(bands), dates=tuple(dates), nodata=nodata,
                      resampling=resampling, max_nodata_frac=max_nodata_frac,
                      statistics=tuple(dict(s) for s in stats))
    return info.header(info.normalization(method))


def sources_header(entries: Sequence[Mapping[str, Any]], classes: Sequence[Mapping[str, Any]]
                   = CLASSES, patch: int = 32, task: str = "multiclass", fusion: str = "early",
                   **extra: Any) -> dict[str, Any]:
    """A multi-source checkpoint header (docs/formats.md) for `entries` in model input order."""
    from satseg_engine.data.sources import SourceInfo

    return {"in_channels": sum(int(e["channels"]) for e in entries),
            "band_names": [f"{e['name']}:{b}" for e in entries
                           for b in SourceInfo.from_header(e).patch_band_names()],
            "normalization": dict(entries[0]["normalization"]),
            "sources": [dict(e) for e in entries],
            "multisource": {"fusion": fusion, "fusion_method": "concat", "temporal": "stack",
                            "stream_encoders": {}},
            "classes": [dict(c) for c in classes], "patch_size": patch, "task": task,
            "threshold": 0.5, **extra}


class LinearSources(nn.Module):
    """Per-pixel logits = bias + Σ over sources of weights · (normalised, masked) inputs; a
    time series is flattened date-major (slot 0's bands, then slot 1's), as its patches.
    Keeps the `present` masks and `doy` of every batch it saw in `seen`."""

    def __init__(self, weights: Mapping[str, np.ndarray], bias: Sequence[float]):
        super().__init__()
        self.names = list(weights)
        for name, array in weights.items():
            self.register_buffer(f"w_{name}", torch.as_tensor(np.asarray(array, np.float32)))
        self.register_buffer("bias", torch.tensor(list(bias), dtype=torch.float32))
        self.seen: list[dict[str, Any]] = []

    def forward(self, inputs: Mapping[str, Any]) -> torch.Tensor:
        self.seen.append({"present": {k: v.clone() for k, v in inputs["present"].items()},
                          "doy": {k: v.clone() for k, v in inputs["doy"].items()}})
        total = None
        for name in self.names:
            x = inputs["data"][name]
            x = x.flatten(1, 2) if x.dim() == 5 else x
            term = torch.einsum("kc,bchw->bkhw", getattr(self, f"w_{name}"), x)
            total = term if total is None else total + term
        return total + self.bias[None, :, None, None]


def predict_sources(folder: Path, model: nn.Module, head: Mapping[str, Any], **job: Any
                    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """predict_to_files for a job without a required raster (sources), plain module."""
    checkpoint = folder / "model.pt"
    checkpoint.touch()
    stream = io.StringIO()
    resolved = load_job(PredictJob, {"checkpoint": str(checkpoint),
                                      "output_dir": str(folder / "out"), "batch_size": 4,
                                      **job})
    summary = predict_to_files(resolved, model, head, torch.device("cpu"), Events(stream))
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


def train_tiny_checkpoint(root: Path) -> Path:
    """A custom U-Net trained 1 epoch on a tiny 4-band patch dataset under `root`: its
    best_loss.pt (a real checkpoint for tests of prediction, export and many scenes)."""
    from dataset_factory import make_dataset

    from satseg_engine.core.cli import run_job

    dataset = make_dataset(root / "patches", patch_size=32,
                           counts={"train": 4, "validation": 2, "test": 2})
    job = {"dataset": str(dataset), "output_dir": str(root / "run"), "epochs": 1,
           "batch_size": 4, "model": {"architecture": "custom_unet", "depth": 2,
                                      "base_width": 8},
           "data": {"num_workers": 0, "normalization": "standardize"}, "optim": {"lr": 0.01}}
    run_job("train", job, Events(io.StringIO()))
    return root / "run" / "best_loss.pt"
