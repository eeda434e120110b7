"""The numeric check of an export: ONNX Runtime and PyTorch on the same windows.

Both run the same raw-pixels -> probabilities function: the written .onnx file in ONNX Runtime,
`ProbabilityNet` (the module the graph was exported from) in PyTorch, float32 on the CPU.
Windows: `count` of the training patch, then one larger, non-square one (2 patches plus the
model's stride high, one patch plus the stride wide) with a few masked (NaN) pixels. Pixels are
drawn around each band's training mean and spread, so the normalisation sees realistic values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..prediction.backend import usable_cores
from ..prediction.onnx_graph import INPUT_NAME, OUTPUT_NAME, ProbabilityNet
from ..prediction.sizing import size_multiple


def check_shapes(header: Mapping[str, Any], count: int) -> list[tuple[int, int]]:
    """(height, width) of the check windows."""
    patch = int(header["patch_size"])
    multiple = size_multiple(header)[0] or 32
    return [(patch, patch)] * count + [(2 * patch + multiple, patch + multiple)]


def random_pixels(header: Mapping[str, Any], height: int, width: int,
                  rng: np.random.Generator) -> np.ndarray:
    """(1, C, H, W) float32 raw values around each band's mean ± std (else 0–1)."""
    channels = int(header["in_channels"])
    bands = list((header.get("normalization") or {}).get("bands") or [])
    mean = np.array([float(b.get("mean", 0.5)) for b in bands] or [0.5] * channels)
    std = np.array([float(b.get("std", 0.25)) for b in bands] or [0.25] * channels)
    noise = rng.standard_normal((1, channels, height, width))
    return (mean[None, :, None, None] + 1.5 * std[None, :, None, None] * noise
            ).astype(np.float32)


def compare(path: Path, model: nn.Module, header: Mapping[str, Any], count: int, seed: int
            ) -> list[dict[str, Any]]:
    """Per window: its shape and the max absolute difference of probabilities."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = usable_cores()
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    net = ProbabilityNet(model.to("cpu").float(), header).eval()
    rng = np.random.default_rng(seed)
    rows = []
    shapes = check_shapes(header, count)
    for index, (height, width) in enumerate(shapes):
        pixels = random_pixels(header, height, width, rng)
        if index == len(shapes) - 1:  # masked pixels in the last window
            pixels[:, :, rng.integers(0, height, 8), rng.integers(0, width, 8)] = np.nan
        with torch.inference_mode():
            expected = net(torch.from_numpy(pixels)).numpy()
        got = session.run([OUTPUT_NAME], {INPUT_NAME: pixels})[0]
        diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else \
            float("inf")
        rows.append({"height": height, "width": width, "max_abs_diff": diff,
                     "shape": list(got.shape)})
    return rows
