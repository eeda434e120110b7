"""How the model runs: precision (autocast dtype), memory layout and CPU threads.

Measured on a 2-core AMD EPYC (Zen 3, no AVX-512) with a U-Net/resnet18 (benchmarks/
bench_predict.py --backends): channels-last is faster than contiguous on the CPU (and is the
layout CUDA's tensor cores want); bfloat16 autocast on a CPU without native bfloat16 (no
AVX512-BF16/AMX) is emulated and many times slower, so `auto` uses it on the CPU only where
oneDNN reports native support; float16 is for CUDA only (on the CPU it falls back to float32).
On a 2-core Xeon with AMX and AVX512-BF16 (the same benchmark, `b-float32` row), bfloat16
autocast ran the forward 1.6-4x faster than float32 and the whole 5 000² run 1.75x faster, with
class maps agreeing on 99.93 % of the pixels and a mean |Δconfidence| of 0.005: so `auto` takes
it there, and a job that needs float32 (a bit-exact reference) says `precision: float32`.
The choice is logged at the start of every run.

The runtime (`choose_runtime`): torch, or ONNX Runtime over the exported graph (onnx_model.py).
An .onnx model always runs on onnxruntime; for a .pt, `auto` takes the runtime AUTO_RUNTIME
names for the device type, unless the job forces a torch setting (precision, channels_last) or
the model is multi-source (no ONNX form); a checkpoint that fails to convert falls back to
torch. Measured with benchmarks/bench_onnx.py on the 2-core EPYC, smp U-Net/resnet18, 10 bands,
2 000², 2 threads each, whole-process wall: with window auto (736² windows) on an idle machine,
torch 21.8 s / 1 364 MB peak, onnxruntime on the .onnx 22.7 s / 1 495 MB (1.04x), on the .pt
converted in memory 24.9 s / 1 564 MB (1.15x); with training-patch windows at half overlap
(256 windows), torch 62.8 s / 1 318 MB, onnxruntime on the converted .pt 56.4 s / 1 524 MB
(0.90x; 0.68x in a run under load). Class maps identical. satseg's
default windows are the large ones, so `auto` keeps torch for a .pt on the CPU (and on CUDA,
not measured); --backend onnxruntime is there for the patch-window case and for exported models.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

import torch

#: precision name -> autocast dtype (None: plain float32).
PRECISIONS: dict[str, torch.dtype | None] = {"float32": None, "bfloat16": torch.bfloat16,
                                              "float16": torch.float16}


@dataclasses.dataclass(frozen=True)
class Backend:
    device: torch.device
    dtype: torch.dtype | None      # autocast dtype; None: float32
    channels_last: bool
    threads: int | None            # torch CPU threads; None: not a CPU run
    notes: tuple[str, ...] = ()
    fold_batch_norm: bool = True   # fold.py: batch norms folded into their convolutions

    def describe(self) -> str:
        precision = "float32" if self.dtype is None else str(self.dtype).replace("torch.", "")
        parts = [self.device.type, precision + (" autocast" if self.dtype else ""),
                 "channels-last" if self.channels_last else "contiguous"]
        if self.threads is not None:
            parts.append(f"{self.threads} threads")
        return ", ".join(parts) + "".join(f" ({note})" for note in self.notes)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), else the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def cpu_bf16_native() -> bool:
    """Whether oneDNN reports bfloat16 support on this CPU (x86: AVX-512 core or newer, which
    includes AVX512-BF16 and AMX; not on AVX2-only CPUs such as Zen 3, where it is emulated)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def choose_backend(device: torch.device, precision: str = "auto", amp: bool = True,
                   channels_last: bool | None = None, threads: int = 0,
                   fold_batch_norm: bool | None = None) -> Backend:
    """The fastest settings that keep results within tolerance, unless the job forces some."""
    notes: list[str] = []
    cuda = device.type == "cuda"
    if precision == "auto":
        if cuda:
            dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) \
                if amp else None
        else:
            dtype = torch.bfloat16 if cpu_bf16_native() else None
    else:
        dtype = PRECISIONS[precision]
        if dtype is torch.float16 and not cuda:
            notes.append("float16 needs CUDA: float32 on the CPU")
            dtype = None
    cpu_threads = None
    if not cuda:
        cpu_threads = threads or usable_cores()
        if torch.get_num_threads() != cpu_threads:
            torch.set_num_threads(cpu_threads)
    layout = True if channels_last is None else channels_last
    fold = True if fold_batch_norm is None else fold_batch_norm
    return Backend(device, dtype, layout, cpu_threads, tuple(notes), fold)


#: device type -> runtime `backend auto` uses for a .pt checkpoint (an .onnx: onnxruntime).
#: Measured with benchmarks/bench_onnx.py: the numbers are in the module docstring.
AUTO_RUNTIME: dict[str, str] = {"cpu": "torch", "cuda": "torch"}


def choose_runtime(backend: str, device: torch.device, header: Mapping[str, Any],
                   torch_settings: bool = False) -> tuple[str, str]:
    """(runtime, why) for a .pt checkpoint: "torch" or "onnxruntime". `torch_settings`: the
    job forces a precision, memory layout or folding, which only torch has."""
    if backend != "auto":
        return backend, f"backend {backend} asked for"
    if header.get("multisource"):
        return "torch", "a multi-source model has no ONNX form"
    if torch_settings:
        return "torch", "the job sets precision, channels_last or fold_batch_norm, torch settings"
    runtime = AUTO_RUNTIME.get(device.type, "torch")
    return runtime, f"backend auto on {device.type}: {runtime} measured faster"
