"""The prediction loop: strips of windows → batches → model → weighted accumulation → blocks.

Peak memory is bounded by one row of windows, not by the raster: the accumulator holds
K × patch × canvas_width float32, the read-ahead queue `read_ahead` strips of
C × patch × canvas_width float32, the writer at most two tile rows of each output. For a raster
W pixels wide that is about 4·patch·W·(K + 1 + C·(read_ahead + 1)) bytes plus
2·256·W·(5 + 4·K) for the outputs — e.g. 0.3 GB for W = 20 000, patch 256, K = 5, C = 10,
whatever the height. Very wide rasters (W ≫ 100 000) grow it linearly: predict them in
extents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from ..blending import weight_profile
from ..windows import WindowPlan, plan_windows
from .accumulator import RowAccumulator
from .model import Predictor
from .normalize import has_torch_method, normalize_numpy, normalize_torch
from .outputs import CLASS_NODATA, FLOAT_NODATA
from .reader import StripReader
from .source import RasterSource, Strip
from .writer import BlockWriter


@dataclasses.dataclass(frozen=True)
class PredictOptions:
    overlap: float = 0.5
    batch_size: int = 8
    tta: bool = False
    amp: bool = True
    threshold: float | None = None     # binary task; None: the checkpoint's (else 0.5)
    blending: str = "hann"
    read_ahead: int = 2


@dataclasses.dataclass
class PredictionStats:
    counts: np.ndarray
    confidence_sum: float = 0.0
    nodata_pixels: int = 0
    windows: int = 0


class _Postprocess:
    """Blended probabilities of finished rows → output arrays (on the device), plus stats."""

    def __init__(self, classes: list[dict[str, Any]], binary: bool, threshold: float,
                 device: torch.device, keep_probabilities: bool):
        self.values = torch.tensor([int(c["value"]) for c in classes], dtype=torch.uint8,
                                   device=device)
        self.binary = binary
        self.threshold = threshold
        self.keep_probabilities = keep_probabilities

    def __call__(self, probs: torch.Tensor, predict: torch.Tensor, stats: PredictionStats
                 ) -> dict[str, np.ndarray]:
        if self.binary:
            positive = probs[0]
            index = (positive >= self.threshold).long()
            confidence = torch.maximum(positive, 1 - positive)
            probs = torch.stack([1 - positive, positive])
        else:
            confidence, index = probs.max(dim=0)
        classes = torch.where(predict, self.values[index], CLASS_NODATA)
        confidence = torch.where(predict, confidence, FLOAT_NODATA)
        stats.counts += torch.bincount(index[predict], minlength=len(self.values)).cpu().numpy()
        stats.confidence_sum += float(confidence[predict].double().sum())
        stats.nodata_pixels += int((~predict).sum())
        out = {"classes": classes[None], "confidence": confidence[None]}
        if self.keep_probabilities:
            out["probabilities"] = torch.where(predict[None], probs, FLOAT_NODATA)
        return {name: array.cpu().numpy() for name, array in out.items()}


def _threshold(header: Mapping[str, Any], options: PredictOptions) -> float:
    if options.threshold is not None:
        return options.threshold
    value = header.get("threshold")
    return 0.5 if value is None else float(value)


def predict_raster(model: nn.Module, header: Mapping[str, Any], source: RasterSource,
                   datasets: Mapping[str, Any], classes: list[dict[str, Any]],
                   options: PredictOptions, device: torch.device, events: Any
                   ) -> PredictionStats:
    """Predict `source` into the open output `datasets` (role -> writable rasterio dataset)."""
    patch = int(header["patch_size"])
    plan: WindowPlan = plan_windows(source.height, source.width, patch, options.overlap)
    predictor = Predictor(model, header, device, amp=options.amp, tta=options.tta)
    profile = torch.from_numpy(weight_profile(patch, options.blending)).to(device)
    accumulator = RowAccumulator(predictor.channels, patch, plan.rows, plan.cols, profile)
    post = _Postprocess(classes, predictor.binary, _threshold(header, options), device,
                        "probabilities" in datasets)
    stats = PredictionStats(counts=np.zeros(len(classes), dtype=np.int64))
    normalization = header.get("normalization") or {"method": "none", "bands": []}
    on_device = device.type == "cuda" and has_torch_method(normalization)

    def prepare(strip: Strip) -> Strip:  # runs in the reader thread
        if on_device:
            return strip
        data = normalize_numpy(strip.data, strip.valid, normalization)
        return dataclasses.replace(strip, data=data)

    reader = StripReader(source, plan, prepare, depth=options.read_ahead)
    writer = BlockWriter(datasets, source.width)
    offsets = [c - plan.cols[0] for c in plan.cols]
    finished = False
    try:
        events.progress("predict", 0, plan.count, "windows")
        for strip in reader:
            data = torch.from_numpy(strip.data).to(device, non_blocking=True)
            if on_device:
                valid = torch.from_numpy(strip.valid).to(device, non_blocking=True)
                data = normalize_torch(data, valid, normalization)
            for first in range(0, len(offsets), options.batch_size):
                columns = offsets[first:first + options.batch_size]
                batch = torch.stack([data[:, :, x:x + patch] for x in columns])
                accumulator.add(predictor.probabilities(batch), columns)
                stats.windows += len(columns)
                events.progress("predict", stats.windows, plan.count, "windows")
            start, stop = plan.final_rows(strip.index)
            if stop > start:
                rows = slice(start - strip.top, stop - strip.top)
                cols = slice(plan.left, plan.left + source.width)
                probs = accumulator.rows(rows.start, rows.stop, plan.left, source.width)
                predict = torch.from_numpy(strip.predict[rows, cols]).to(device)
                writer.put(start, post(probs, predict, stats))
            accumulator.advance(plan.stride)
        writer.finish()
        finished = True
    finally:
        reader.close()
        if not finished:
            writer.abort()
    return stats
