"""The prediction loop: panels of columns → strips of windows → batches → model → weighted
accumulation → blocks.

The raster is processed in vertical panels of `panel_width` columns, top to bottom. A panel uses
the windows of the one global plan that touch it, so every pixel is blended from exactly the
windows a single pass would use: no seams between panels, and the result does not depend on the
panel width. Windows on a panel boundary are computed by both panels (about patch / panel_width
more work). Peak memory is bounded by one row of windows of one panel, whatever the raster's
size: the accumulator holds K × patch × P float32 (P ≈ panel_width + patch), the read-ahead
queue `read_ahead` strips of C × patch × P float32, the writer at most two tile rows of each
output: about 4·patch·P·(K + 1 + C·(read_ahead + 1)) + 2·256·P·(5 + 4·K) bytes. A multi-source
prediction (multisource.SourceStack) reads every source on the same panels and strips: C is then
the sum of every source's slots × bands (plus one validity byte per slot and pixel).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from .accumulator import RowAccumulator
from .blending import weight_profile
from .model import Predictor
from .normalize import has_torch_method, normalize_numpy, normalize_torch
from .outputs import CLASS_NODATA, FLOAT_NODATA
from .reader import StripReader
from .source import Strip
from .windows import WindowPlan, panel_plan, plan_panels, plan_windows
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
    panel_width: int = 4096  # columns per panel: bounds memory (a multiple of the 256 tiles)


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


class RasterInputs:
    """One raster's strips -> (B, C, P, P) batches, normalised on the GPU when it can be, else
    in the reading thread."""

    def __init__(self, header: Mapping[str, Any], device: torch.device):
        self.patch = int(header["patch_size"])
        self.device = device
        self.normalization = header.get("normalization") or {"method": "none", "bands": []}
        self.on_device = device.type == "cuda" and has_torch_method(self.normalization)

    def prepare(self, strip: Strip, offsets: Sequence[int]) -> Strip:  # the reading thread
        if self.on_device:
            return strip
        return dataclasses.replace(strip, data=normalize_numpy(strip.data, strip.valid,
                                                               self.normalization))

    def load(self, strip: Strip) -> torch.Tensor:
        data = torch.from_numpy(strip.data).to(self.device, non_blocking=True)
        if self.on_device:
            valid = torch.from_numpy(strip.valid).to(self.device, non_blocking=True)
            data = normalize_torch(data, valid, self.normalization)
        return data

    def batch(self, loaded: torch.Tensor, first: int, columns: Sequence[int]) -> torch.Tensor:
        return torch.stack([loaded[:, :, x:x + self.patch] for x in columns])


def predict_raster(model: nn.Module, header: Mapping[str, Any], source: Any,
                   datasets: Mapping[str, Any], classes: list[dict[str, Any]],
                   options: PredictOptions, device: torch.device, events: Any,
                   inputs: Any = None) -> PredictionStats:
    """Predict `source` into the open output `datasets` (role -> writable rasterio dataset).

    `source`: a RasterSource, or any reader of strips with its interface (multisource.
    SourceStack) with its `inputs` (prepare, load, batch; default: RasterInputs)."""
    patch = int(header["patch_size"])
    plan: WindowPlan = plan_windows(source.height, source.width, patch, options.overlap)
    panels = plan_panels(plan, max(patch, options.panel_width))
    predictor = Predictor(model, header, device, amp=options.amp, tta=options.tta)
    profile = torch.from_numpy(weight_profile(patch, options.blending)).to(device)
    post = _Postprocess(classes, predictor.binary, _threshold(header, options), device,
                        "probabilities" in datasets)
    stats = PredictionStats(counts=np.zeros(len(classes), dtype=np.int64))
    inputs = inputs if inputs is not None else RasterInputs(header, device)

    total = sum(len(plan.rows) * len(panel.cols) for panel in panels)
    events.progress("predict", 0, total, "windows")
    for panel in panels:
        local, first = panel_plan(plan, panel)
        view = source.view(first, first + local.width)
        accumulator = RowAccumulator(predictor.channels, patch, local.rows, local.cols, profile)
        offsets = [c - local.cols[0] for c in local.cols]
        reader = StripReader(view, local, functools.partial(inputs.prepare, offsets=offsets),
                             depth=options.read_ahead)
        writer = BlockWriter(datasets, panel.stop - panel.start, col_off=panel.start)
        left = local.left + panel.start - first  # canvas column of the panel's first column
        width = panel.stop - panel.start
        finished = False
        try:
            for strip in reader:
                loaded = inputs.load(strip)
                for start in range(0, len(offsets), options.batch_size):
                    columns = offsets[start:start + options.batch_size]
                    batch = inputs.batch(loaded, start, columns)
                    accumulator.add(predictor.probabilities(batch), columns)
                    stats.windows += len(columns)
                    events.progress("predict", stats.windows, total, "windows")
                top, bottom = local.final_rows(strip.index)
                if bottom > top:
                    rows = slice(top - strip.top, bottom - strip.top)
                    probs = accumulator.rows(rows.start, rows.stop, left, width)
                    predict = torch.from_numpy(strip.predict[rows, left:left + width])
                    writer.put(top, post(probs, predict.to(device), stats))
                accumulator.advance(plan.stride)
            writer.finish()
            finished = True
        finally:
            reader.close()
            if not finished:
                writer.abort()
    return stats
