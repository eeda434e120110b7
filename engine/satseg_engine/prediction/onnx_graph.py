"""A checkpoint's network as an ONNX graph that takes raw pixels and returns probabilities.

`ProbabilityNet` wraps a single-source network: raw reflectances (B, C, H, W) float32 in, the
checkpoint's normalisation (prediction/normalize.py's torch twins, so the numbers are the ones
prediction uses), the network, then softmax (sigmoid for a binary task) out: (B, K, H, W) class
probabilities. Inputs that are not finite (NaN marks a masked pixel) or equal the training
nodata become 0 after normalisation, as in prediction. `onnx_bytes` exports it with dynamic
batch, height and width axes: the TorchScript exporter (about 1 s for a U-Net/resnet18,
measured here), else torch's dynamo exporter (about 10 s) where the first is unavailable.
Used by the `export` stage (files with metadata) and by prediction's onnxruntime backend.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from .normalize import TORCH_METHODS

INPUT_NAME = "raw_pixels"
OUTPUT_NAME = "probabilities"
DEFAULT_OPSET = 17
DYNAMIC_AXES = {0: "batch", 2: "height", 3: "width"}


def check_exportable(header: Mapping[str, Any]) -> None:
    """SatsegError("export_unsupported") for a model that has no one-input ONNX form."""
    if header.get("multisource"):
        names = ", ".join(str(s.get("name")) for s in header.get("sources") or [])
        raise SatsegError("export_unsupported", f"this is a multi-source model ({names}): its "
                          "inputs are several sources and dates with presence masks, which "
                          "one-input ONNX consumers (Deepness, onnxruntime here) cannot feed",
                          hint="export a single-source model, or predict this one with the "
                               "torch backend (satseg predict --backend torch)")
    method = (header.get("normalization") or {}).get("method", "none")
    if method not in TORCH_METHODS:
        raise SatsegError("export_unsupported", f"normalisation '{method}' has no graph form",
                          hint=f"train with one of: {', '.join(TORCH_METHODS)}")


class ProbabilityNet(nn.Module):
    """Raw pixels -> normalised -> network -> class probabilities (softmax, or sigmoid)."""

    def __init__(self, model: nn.Module, header: Mapping[str, Any]):
        super().__init__()
        check_exportable(header)
        self.model = model.eval()
        normalization = dict(header.get("normalization") or {})
        self.method = normalization.get("method", "none")
        self.bands = list(normalization.get("bands") or [])
        nodata = normalization.get("nodata")
        self.nodata = None if nodata is None else float(torch.tensor(float(nodata)).item())
        self.binary = header["task"] == "binary"
        channels = int(header["in_channels"])
        if self.method != "none" and len(self.bands) != channels:
            raise SatsegError("bad_checkpoint", f"the normalisation has {len(self.bands)} band "
                              f"statistics for {channels} input bands",
                              hint="use a checkpoint written by 'satseg train'")
        TORCH_METHODS[self.method](torch.zeros(channels, 1, 1), self.bands)  # stats complete

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        invalid = torch.isnan(x) | torch.isinf(x)
        if self.nodata is not None:
            invalid = invalid | (x == self.nodata)
        clean = torch.where(invalid, torch.zeros_like(x), x)
        normalised = TORCH_METHODS[self.method](clean, self.bands)
        logits = self.model(torch.where(invalid, torch.zeros_like(normalised), normalised))
        if isinstance(logits, Mapping):
            logits = logits.get("out", next(iter(logits.values())))
        elif isinstance(logits, (tuple, list)):
            logits = logits[0]
        return torch.sigmoid(logits) if self.binary else torch.softmax(logits, dim=1)


def onnx_bytes(model: nn.Module, header: Mapping[str, Any], opset: int = DEFAULT_OPSET
               ) -> bytes:
    """The serialised ONNX model of `ProbabilityNet(model, header)` (no metadata yet)."""
    net = ProbabilityNet(model.to("cpu").float(), header).eval()
    patch = int(header["patch_size"])
    example = torch.rand(1, int(header["in_channels"]), patch, patch) * 1000
    axes = {INPUT_NAME: DYNAMIC_AXES, OUTPUT_NAME: DYNAMIC_AXES}
    errors = []
    for dynamo in (False, True):
        try:
            with tempfile.TemporaryDirectory(prefix="satseg-onnx-") as folder, \
                    warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                path = Path(folder) / "model.onnx"
                torch.onnx.export(net, (example,), str(path), input_names=[INPUT_NAME],
                                  output_names=[OUTPUT_NAME], dynamic_axes=axes,
                                  opset_version=opset, dynamo=dynamo, **_quiet(dynamo))
                import onnx  # the dynamo exporter may keep weights beside the file: inline

                return onnx.load(str(path)).SerializeToString()
        except SatsegError:
            raise
        except Exception as exc:  # noqa: BLE001 - try the other exporter, then report both
            text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            errors.append(f"{'dynamo' if dynamo else 'torchscript'}: "
                          f"{text or type(exc).__name__}")
    raise SatsegError("export_failed", f"torch could not export {header.get('architecture')}/"
                      f"{header.get('encoder')} to ONNX opset {opset}: {'; '.join(errors)}",
                      hint="try another opset (--opset 18), or predict with the torch backend")


def _quiet(dynamo: bool) -> dict[str, Any]:
    return {"verbose": False} if dynamo else {}
