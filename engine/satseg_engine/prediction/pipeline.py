"""The prediction loop: windows read on a thread → batches → model → blending on a thread →
blocks written on a thread.

Windows are square (`window`, the training patch or a larger one, sizing.py) on one regular
grid. The reader thread reads and (on the CPU) normalises them one by one, panel by panel and
row by row; the model's thread fills every batch from that stream, across rows and panels (only
the very last batch can be short); the blending thread (assemble.py) accumulates each window's
weighted probabilities into one band of rows of its panel and hands finished rows to the writer
thread. Every queue is bounded: peak memory is about (batch + read_ahead) windows of inputs,
2 × batch windows of probabilities, the blending band K × window × P float32 (P ≈ panel width
+ window) and two tile rows of each output, whatever the raster's height. A panel uses the
windows of the one global plan that touch it, so the result does not depend on the panel width;
windows on a panel boundary are computed by both panels, so the default panel is the whole width
unless the blending band would exceed its budget.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from .assemble import Assembler
from .blending import weight_profile
from .model import make_predictor
from .normalize import has_torch_method, normalize_numpy, normalize_torch
from .outputs import CLASS_NODATA, FLOAT_NODATA
from .reader import WindowItem, WindowReader
from .source import Strip
from .windows import Panel, WindowPlan, plan_grid, plan_panels, stride_for


@dataclasses.dataclass(frozen=True)
class PredictOptions:
    overlap: float = 0.5               # training-patch windows (stride 0)
    batch_size: int = 8
    tta: bool = False
    threshold: float | None = None     # binary task; None: the checkpoint's (else 0.5)
    blending: str = "hann"
    read_ahead: int = 2                # windows read ahead beyond one batch
    panel_width: int = 1 << 30         # columns per panel: bounds the blending buffer
    window: int = 0                    # window side; 0: the training patch
    stride: int = 0                    # 0: from overlap
    taper: int = 0                     # tukey blending: tapered pixels at each edge
    amp_dtype: torch.dtype | None = None
    channels_last: bool = False
    fold_batch_norm: bool = False      # fold.py


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
        # counted without boolean indexing (a copy of every valid pixel): nodata -> bin K
        k = len(self.values)
        stats.counts += torch.bincount(torch.where(predict, index, k).flatten(),
                                       minlength=k + 1)[:k].cpu().numpy()
        stats.confidence_sum += float(torch.where(predict, confidence, 0.0).sum(
            dtype=torch.float64))
        stats.nodata_pixels += predict.numel() - int(predict.sum())
        confidence = torch.where(predict, confidence, FLOAT_NODATA)
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

    def __init__(self, header: Mapping[str, Any], device: torch.device, window: int = 0,
                 raw: bool = False):
        self.patch = window or int(header["patch_size"])
        self.device = device
        self.normalization = header.get("normalization") or {"method": "none", "bands": []}
        self.raw = raw   # an ONNX graph normalises itself: raw pixels, NaN where masked
        self.on_device = not raw and device.type == "cuda" and has_torch_method(
            self.normalization)

    def prepare(self, strip: Strip, offsets: Sequence[int]) -> Strip:  # the reading thread
        if self.raw:
            data = np.where(strip.valid[None], strip.data, np.float32(np.nan))
            return dataclasses.replace(strip, data=data.astype(np.float32, copy=False))
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
        if list(columns) == [0] and loaded.shape[-1] == self.patch:
            return loaded[None]                      # one window: no copy
        return torch.stack([loaded[:, :, x:x + self.patch] for x in columns])


def _collate(batches: Sequence[Any]) -> Any:
    """Concatenate per-window batches (tensors, or nested dicts of tensors) along axis 0."""
    first = batches[0]
    if isinstance(first, torch.Tensor):
        return torch.cat(list(batches)) if len(batches) > 1 else first
    return {key: _collate([b[key] for b in batches]) for key in first}


def reading_order(plan: WindowPlan, panels: Sequence[Panel]) -> list[tuple[int, int, int]]:
    """(panel, row, col) of every window: panel by panel, then row-major."""
    return [(p, row, col) for p, panel in enumerate(panels) for row in range(len(plan.rows))
            for col in panel.cols]


def predict_raster(model: nn.Module, header: Mapping[str, Any], source: Any,
                   datasets: Mapping[str, Any], classes: list[dict[str, Any]],
                   options: PredictOptions, device: torch.device, events: Any,
                   inputs: Any = None) -> PredictionStats:
    """Predict `source` into the open output `datasets` (role -> writable rasterio dataset).

    `source`: a RasterSource, or any reader of strips with its interface (multisource.
    SourceStack) with its `inputs` (prepare, load, batch; default: RasterInputs). Three threads
    run beside the model: reading (+ normalising on the CPU), blending, writing."""
    window = options.window or int(header["patch_size"])
    plan = plan_grid(source.height, source.width, window, options.stride
                     or stride_for(window, options.overlap))
    panels = plan_panels(plan, max(window, options.panel_width))
    predictor = make_predictor(model, header, device, amp_dtype=options.amp_dtype,
                               channels_last=options.channels_last, tta=options.tta,
                               fold_batch_norm=options.fold_batch_norm)
    if options.fold_batch_norm and getattr(predictor, "folded", None) is not None:
        events.log(f"batch norm: {predictor.folded} folded into their convolutions"
                   + (f" ({predictor.fold_note})" if predictor.fold_note else ""))
    profile = torch.from_numpy(weight_profile(window, options.blending,
                                              taper=options.taper)).to(device)
    post = _Postprocess(classes, predictor.binary, _threshold(header, options), device,
                        "probabilities" in datasets)
    stats = PredictionStats(counts=np.zeros(len(classes), dtype=np.int64))
    inputs = inputs if inputs is not None else RasterInputs(header, device, window,
                                                            raw=predictor.raw_pixels)
    order = reading_order(plan, panels)
    events.progress("predict", 0, len(order), "windows")
    batch = options.batch_size
    reader = WindowReader(source, plan, order, functools.partial(inputs.prepare, offsets=[0]),
                          depth=batch + options.read_ahead)
    assembler = Assembler(plan, panels, predictor.channels, profile, post, datasets, stats,
                          depth=2 * batch)
    finished = False
    try:
        pending: list[WindowItem] = []
        for item in reader:
            pending.append(item)
            if len(pending) == batch or stats.windows + len(pending) == len(order):
                loaded = [inputs.batch(inputs.load(i.strip), 0, [0]) for i in pending]
                probs = predictor.probabilities(_collate(loaded))
                for window_item, window_probs in zip(pending, probs, strict=True):
                    assembler.put(window_item.panel, window_item.row, window_item.col,
                                  window_probs, window_item.strip.predict)
                stats.windows += len(pending)
                events.progress("predict", stats.windows, len(order), "windows")
                pending = []
        assembler.finish()
        finished = True
    finally:
        reader.close()
        if not finished:
            assembler.abort()
    return stats
