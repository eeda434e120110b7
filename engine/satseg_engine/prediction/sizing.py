"""Choosing the prediction windows and the batch from the model and a memory budget.

Models whose output at a pixel depends only on a bounded neighbourhood (convolutions, no global
pooling, attention or squeeze-excitation) give the same result on any window that is a multiple
of their output stride, away from its rim: they are predicted with large windows (`LOCAL_*`
below) whose rims (`margin`) are down-weighted, so each pixel is computed about once instead of
four times. Every other model (global context, fixed input size, several sources whose date
masks are decided per window) keeps the training patch and its overlap. A job may force either.

The window side comes from a memory budget for the model's activations, measured by one probe
forward that records the peak of the live layer outputs (`activation_bytes_per_pixel`).
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from .windows import fit_window, stride_for

MAX_WINDOW = 2048
MAX_BATCH = 16
CPU_BUDGET_MB = 256
#: the probe sees layer outputs only (not the temporaries inside a layer, nor allocator slack);
#: measured peak RSS over the probe's estimate for a U-Net/resnet18 on the CPU, rounded up.
PROBE_SAFETY = 1.2


def _smp_multiple(kwargs: Mapping[str, Any]) -> int:
    return 2 ** int(kwargs.get("encoder_depth", 5))


#: architecture -> its output stride (the multiple a window side must be) from model_kwargs.
LOCAL_ARCHITECTURES: dict[str, Callable[[Mapping[str, Any]], int]] = {
    "custom_unet": lambda kwargs: 2 ** int(kwargs.get("depth", 4)),
    "Unet": _smp_multiple, "UnetPlusPlus": _smp_multiple, "FPN": _smp_multiple,
    "Linknet": _smp_multiple, "MAnet": _smp_multiple,
}
#: smp encoders without global pooling or attention inside (plain CNNs); prefixes.
LOCAL_ENCODERS: tuple[str, ...] = ("resnet", "resnext", "vgg", "densenet", "dpn",
                                   "mobilenet_v2", "timm-regnetx", "tu-resnet", "tu-resnext",
                                   "tu-convnext")


def size_multiple(header: Mapping[str, Any]) -> tuple[int | None, str]:
    """The multiple any window side must be for this model, or None if it needs its training
    patch; and why."""
    architecture = header.get("architecture")
    if header.get("multisource"):
        return None, "a multi-source model decides its date masks per training patch"
    if architecture not in LOCAL_ARCHITECTURES:
        return None, f"architecture {architecture or 'unknown'} is not known to accept any " \
                     f"input size without changing its results"
    encoder = header.get("encoder")
    if architecture != "custom_unet" and not str(encoder or "resnet34").startswith(
            LOCAL_ENCODERS):
        return None, f"encoder {encoder} pools or attends globally"
    return LOCAL_ARCHITECTURES[architecture](header.get("model_kwargs") or {}), \
        f"{architecture} takes any multiple of its stride"


def activation_bytes_per_pixel(model: nn.Module, example: torch.Tensor) -> float:
    """Peak bytes of live layer outputs per input pixel during one forward of `example`."""
    live: dict[int, int] = {}
    state = {"now": 0, "peak": 0}

    def release(key: int) -> None:
        state["now"] -= live.pop(key, 0)

    def track(_module: nn.Module, _inputs: Any, output: Any) -> None:
        for tensor in output if isinstance(output, (tuple, list)) else (output,):
            if not isinstance(tensor, torch.Tensor) or tensor.data_ptr() in live:
                continue
            key = tensor.data_ptr()
            live[key] = tensor.untyped_storage().nbytes()
            state["now"] += live[key]
            state["peak"] = max(state["peak"], state["now"])
            weakref.finalize(tensor, release, key)

    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(track) for m in leaves]
    try:
        with torch.inference_mode():
            model(example)
    finally:
        for handle in handles:
            handle.remove()
    pixels = example.shape[0] * example.shape[-2] * example.shape[-1]
    return (state["peak"] + example.numel() * example.element_size()) / pixels


def default_margin(patch: int) -> int:
    """A sixteenth of the training patch, at least 8 px.

    On a trained model the margin hardly matters: the demo's U-Net/resnet34 (patch 128, 10
    epochs, 2 048² scene) against the training patch at half overlap, float32, margins 8 / 16
    / 32: class maps agree on 99.28 / 99.37 / 99.27 %, mean |Δ confidence| 0.0104 / 0.0094 /
    0.0105, scene mIoU 0.7792 / 0.7786 / 0.7795 (the patch windows: 0.7774), for 4.5 / 4.7 /
    5.3 computed Mpx. Only random weights (which look far and evenly) want more: U-Net/resnet18,
    patch 256, mean |Δ probability| 0.069 at margin 16, 0.045 at 32, 0.038 at 64. Every margin
    pixel costs (window / stride)² more work."""
    return max(8, patch // 16)


def memory_budget(device: torch.device, memory_mb: int | None) -> int:
    """Bytes for the model's activations: given, else a quarter of the free GPU memory on
    CUDA, else CPU_BUDGET_MB."""
    if memory_mb is not None:
        return memory_mb << 20
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return free // 4
    return CPU_BUDGET_MB << 20


@dataclasses.dataclass(frozen=True)
class Windows:
    """What the pipeline predicts: windows of `window` every `stride`, `batch` per pass."""

    window: int
    stride: int
    batch: int
    blending: str    # blending.WEIGHT_PROFILES name
    taper: int       # tukey: tapered pixels at each edge (2 × margin)
    reason: str

    def describe(self, patch: int) -> str:
        margin = (self.window - self.stride) // 2
        kind = "training patch" if self.blending != "tukey" else "large windows"
        return (f"windows: {kind} {self.window}² every {self.stride} px (margin {margin}, "
                f"blending {self.blending}), {self.batch} per pass; training patch {patch}: "
                f"{self.reason}")


def choose_windows(job: Any, header: Mapping[str, Any], model: nn.Module,
                   device: torch.device, height: int, width: int) -> Windows:
    """The windows and batch of a predict job (job.window, margin, overlap, batch_size,
    memory_mb) for this model and a height × width output."""
    patch = int(header["patch_size"])
    multiple, reason = size_multiple(header)
    per_pixel: float | None = None
    margin = job.margin if job.margin is not None else default_margin(patch)
    if job.window == "patch" or (job.window == "auto" and multiple is None):
        window, stride, blending, taper = patch, stride_for(patch, job.overlap), "hann", 0
        if job.window == "patch":
            reason = "asked for (window patch)"
    elif isinstance(job.window, int):
        _check_window(job.window, margin, multiple)
        window, stride, blending = job.window, job.window - 2 * margin, "tukey"
        taper = window - stride
        reason = f"asked for (window {window})"
    else:
        assert multiple is not None
        per_pixel = _probe(model, header, device, 4 * max(multiple, 32))
        budget = memory_budget(device, job.memory_mb)
        largest = int(math.sqrt(budget / per_pixel)) if per_pixel else MAX_WINDOW
        largest = min(MAX_WINDOW, max(largest, patch))
        window, stride = fit_window(height, width, largest, margin, multiple, patch)
        blending, taper = "tukey", window - stride
    if job.batch_size:   # large windows: no more pixels per pass than that many patches
        batch = max(1, min(job.batch_size, job.batch_size * patch * patch // window ** 2))
    else:
        batch = _auto_batch(model, header, device, window, job.memory_mb, per_pixel)
    return Windows(window, stride, batch, blending, taper, reason)


def _check_window(window: int, margin: int, multiple: int | None) -> None:
    if window <= 2 * margin:
        raise SatsegError("bad_window", f"a window of {window} px leaves nothing inside its "
                          f"{margin} px margins", key="window",
                          hint=f"use a window above {2 * margin} px or a smaller margin")
    if multiple is not None and window % multiple:
        raise SatsegError("bad_window", f"this model needs window sides that are multiples of "
                          f"{multiple} px, not {window}", key="window",
                          hint=f"use --window {max(multiple, window // multiple * multiple)} "
                               f"or --window auto")


def _probe(model: nn.Module, header: Mapping[str, Any], device: torch.device,
           side: int) -> float:
    example = torch.zeros(1, int(header["in_channels"]), side, side, device=device)
    return activation_bytes_per_pixel(model.to(device).eval(), example) * PROBE_SAFETY


def _auto_batch(model: nn.Module, header: Mapping[str, Any], device: torch.device,
                window: int, memory_mb: int | None, per_pixel: float | None) -> int:
    if header.get("multisource"):
        return 8
    if per_pixel is None:
        try:
            per_pixel = _probe(model, header, device, window)
        except Exception:  # noqa: BLE001 - a model that refuses the probe: the old default
            return 8
    budget = memory_budget(device, memory_mb)
    return max(1, min(MAX_BATCH, int(budget // (per_pixel * window * window))))
