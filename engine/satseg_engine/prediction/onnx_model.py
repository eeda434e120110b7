"""ONNX models in prediction: a `satseg export` file, or a checkpoint converted in memory, run
by ONNX Runtime window by window exactly where the torch network would run.

The graph (onnx_graph.py) takes raw pixels and returns probabilities, so the reader only marks
masked pixels as NaN (`RasterInputs(raw=True)`) and the predictor only averages flips; windows,
blending, outputs and the memory bound are the torch path's. Window sizes come from a probe of
the torch network of the same architecture (`twin`: untrained when only the .onnx is given).
The satseg header is read back from the file's metadata (`satseg_header`, docs/formats.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..core.errors import SatsegError
from ..models.checkpoint import load_model, model_from_header
from .backend import choose_runtime, usable_cores
from .model import TTA_FLIPS, output_channels
from .onnx_graph import INPUT_NAME, OUTPUT_NAME, onnx_bytes

#: metadata key of satseg's full checkpoint header (JSON) in an exported .onnx file.
HEADER_KEY = "satseg_header"
ONNX_SUFFIX = ".onnx"


def is_onnx(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() == ONNX_SUFFIX


def _runtime() -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise SatsegError("missing_dependency", "ONNX Runtime is not installed in the engine's "
                          "Python", hint="pip install onnxruntime (or use --backend torch with "
                                         "a .pt checkpoint)", key="backend") from None
    return onnxruntime


def read_onnx_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The file's metadata_props as a dict; SatsegError("bad_model") if it is not ONNX."""
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
        raise SatsegError("bad_model", f"{path} is not a readable ONNX model: "
                          f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}",
                          hint="choose a .onnx file written by 'satseg export'") from None
    return {prop.key: prop.value for prop in model.metadata_props}


def header_from_metadata(metadata: Mapping[str, str], path: Any) -> dict[str, Any]:
    """satseg's header stored by `satseg export`; SatsegError("bad_model") without one."""
    try:
        header = json.loads(metadata[HEADER_KEY])
    except (KeyError, ValueError):
        header = None
    if not isinstance(header, dict) or not {"classes", "task", "in_channels",
                                            "patch_size"} <= set(header):
        raise SatsegError("bad_model", f"{path} is an ONNX model without satseg's header "
                          f"(metadata '{HEADER_KEY}'): satseg does not know its classes, bands "
                          "and patch size", hint="export the model with 'satseg export "
                                                 "CHECKPOINT --format onnx'")
    return header


class OnnxModel:
    """An ONNX Runtime session over a raw-pixels -> probabilities graph."""

    def __init__(self, model: bytes | Path, header: Mapping[str, Any], device: torch.device,
                 threads: int, twin: nn.Module):
        ort = _runtime()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.threads = threads or usable_cores()      # the torch rule: one per usable core
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # reading, blending and writing threads share the cores: idle workers must sleep, not
        # spin (torch gets OMP_WAIT_POLICY=PASSIVE for the same reason)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # no arena: windows of one size reuse freed buffers anyway; measured at 2 000²
        # (U-Net/resnet18, 736² windows): same speed, 1 678 MB peak instead of 1 920 MB
        options.enable_cpu_mem_arena = False
        wanted = ["CPUExecutionProvider"]
        if device.type == "cuda" and "CUDAExecutionProvider" in ort.get_available_providers():
            wanted.insert(0, "CUDAExecutionProvider")
        source = model if isinstance(model, bytes) else str(model)
        self.session = ort.InferenceSession(source, options, providers=wanted)
        self.header = dict(header)
        self.device = device
        self.twin = twin.eval()

    def describe(self) -> str:
        providers = self.session.get_providers()
        where = "CUDA" if "CUDAExecutionProvider" in providers else "CPU"
        note = " (no CUDA provider in this onnxruntime: CPU)" if (
            self.device.type == "cuda" and where == "CPU") else ""
        return f"onnxruntime {where}, float32, {self.threads} threads{note}"

    def run(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run([OUTPUT_NAME], {INPUT_NAME: batch})[0]

    def predictor(self, header: Mapping[str, Any], device: torch.device, tta: bool
                  ) -> OnnxPredictor:
        return OnnxPredictor(self, header, device, tta)


class OnnxPredictor:
    """`probabilities(batch)` of raw-pixel batches, as model.Predictor's for the torch path."""

    raw_pixels = True

    def __init__(self, model: OnnxModel, header: Mapping[str, Any], device: torch.device,
                 tta: bool):
        self.model = model
        self.device = device
        self.binary = header["task"] == "binary"
        self.channels = output_channels(header)
        self.flips = TTA_FLIPS if tta else TTA_FLIPS[:1]

    def probabilities(self, batch: torch.Tensor) -> torch.Tensor:
        raw = np.ascontiguousarray(batch.detach().cpu().numpy(), dtype=np.float32)
        total: np.ndarray | None = None
        for dims in self.flips:
            probs = self.model.run(np.ascontiguousarray(np.flip(raw, dims)) if dims else raw)
            expected = (raw.shape[0], self.channels, raw.shape[-2], raw.shape[-1])
            if tuple(probs.shape) != expected:
                raise SatsegError("model_output", f"the ONNX model returned shape "
                                  f"{tuple(probs.shape)}; expected {expected}",
                                  hint="the file's satseg header does not match its graph")
            probs = np.flip(probs, dims) if dims else probs
            total = probs if total is None else total + probs
        assert total is not None
        if len(self.flips) > 1:
            total = total / len(self.flips)
        return torch.from_numpy(np.ascontiguousarray(total)).to(self.device)


def load_for_prediction(job: Any, device_name: str, events: Any
                        ) -> tuple[nn.Module | OnnxModel, dict[str, Any]]:
    """The model a predict job runs (a torch network, or an OnnxModel) and its header."""
    device = torch.device(device_name)
    if is_onnx(job.checkpoint):
        if job.backend == "torch":
            raise SatsegError("backend_mismatch", f"{Path(job.checkpoint).name} is an ONNX "
                              "model: the torch backend runs .pt checkpoints only", key="backend",
                              hint="use --backend onnxruntime (or auto), or give the .pt "
                                   "checkpoint it was exported from")
        header = header_from_metadata(read_onnx_metadata(job.checkpoint), job.checkpoint)
        twin = model_from_header(header)  # untrained: only sizes the windows
        return OnnxModel(Path(job.checkpoint), header, device, job.threads, twin), header
    model, header = load_model(job.checkpoint, device_name)
    forced = job.precision != "auto" or job.channels_last is not None \
        or job.fold_batch_norm is not None
    runtime, reason = choose_runtime(job.backend, device, header, forced)
    if runtime == "torch":
        return model, dict(header)
    events.log(f"converting the checkpoint to ONNX for onnxruntime ({reason})")
    try:
        converted = onnx_bytes(model, header)
        onnx_model = OnnxModel(converted, header, device, job.threads, model)
    except SatsegError as exc:
        if job.backend != "auto":
            raise
        events.warning(f"onnxruntime unavailable for this model ({exc.message}): torch")
        return model.to(device), dict(header)
    return onnx_model, dict(header)
