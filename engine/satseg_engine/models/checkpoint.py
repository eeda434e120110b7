"""Model checkpoints (docs/formats.md): one `torch.save` of plain data, weights_only-loadable.

```
{"format": "satseg-checkpoint", "schema": 1, "header": {...}, "state_dict": {...},
 "resume": {...}}            # "resume" in last checkpoints only
```
`load_model(path, device)` rebuilds the network from the header alone; prediction uses it. A
header with `multisource` describes a multi-source model (`multisource.build_multisource`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from ..core.events import to_jsonable
from ..core.fileio import atomic_path
from . import registry as models

FORMAT = "satseg-checkpoint"
SCHEMA = 1
REQUIRED_HEADER = ("architecture", "encoder", "model_kwargs", "in_channels", "classes", "task",
                   "normalization")


def output_channels(header: Mapping[str, Any]) -> int:
    """Logits per pixel: 1 for a binary task, one per class otherwise."""
    return 1 if header["task"] == "binary" else len(header["classes"])


def plain_state_dict(model_or_state: nn.Module | Mapping[str, torch.Tensor]
                     ) -> dict[str, torch.Tensor]:
    """Weights on the CPU, without DDP (`module.`) or torch.compile (`_orig_mod.`) prefixes."""
    state = (model_or_state.state_dict() if isinstance(model_or_state, nn.Module)
             else model_or_state)
    out = {}
    for name, tensor in state.items():
        for prefix in ("module.", "_orig_mod."):
            if name.startswith(prefix):
                name = name[len(prefix):]
        out[name] = tensor.detach().to("cpu", copy=True)
    return out


def save_checkpoint(path: str | os.PathLike[str], header: Mapping[str, Any],
                    state_dict: Mapping[str, torch.Tensor],
                    resume: Mapping[str, Any] | None = None) -> Path:
    """Write a checkpoint atomically (a temporary name renamed when complete)."""
    missing = [key for key in REQUIRED_HEADER if key not in header]
    if missing:
        raise ValueError(f"checkpoint header lacks {missing}")
    data: dict[str, Any] = {"format": FORMAT, "schema": SCHEMA, "header": to_jsonable(header),
                            "state_dict": plain_state_dict(state_dict)}
    if resume is not None:
        data["resume"] = dict(resume)
    path = Path(path)
    with atomic_path(path) as tmp:
        torch.save(data, tmp)
    return path


def read_checkpoint(path: str | os.PathLike[str], map_location: str | torch.device = "cpu"
                    ) -> dict[str, Any]:
    """Load and check a checkpoint; SatsegError("bad_checkpoint") for anything else."""
    path = Path(path)
    hint = "choose a .pt file written by 'satseg train' (best_iou.pt, best_loss.pt or last.pt)"
    if not path.is_file():
        raise SatsegError("bad_checkpoint", f"checkpoint not found: {path}", hint=hint)
    try:
        data = torch.load(path, map_location=map_location, weights_only=True)
    except MemoryError:
        raise
    except Exception as exc:
        # (UnpicklingError, BadZipFile, EOFError, IndexError, OSError...): each means the file
        # is not a readable checkpoint, never a bug in satseg.
        raise SatsegError("bad_checkpoint", f"{path} is not a readable satseg checkpoint "
                          f"(corrupt, truncated or not a safe torch file): "
                          f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}",
                          hint=hint) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SatsegError("bad_checkpoint", f"{path} is a torch file but not a satseg "
                          "checkpoint (no 'format': 'satseg-checkpoint')", hint=hint)
    if data.get("schema") != SCHEMA:
        raise SatsegError("bad_checkpoint", f"{path} has checkpoint schema "
                          f"{data.get('schema')!r}; this engine reads schema {SCHEMA}",
                          hint="use the engine version that wrote it, or retrain")
    header = data.get("header")
    if not isinstance(header, dict) or any(k not in header for k in REQUIRED_HEADER):
        raise SatsegError("bad_checkpoint", f"{path}: checkpoint header is incomplete",
                          hint=hint)
    return data


def model_from_header(header: Mapping[str, Any]) -> nn.Module:
    """The untrained network of a header: a multi-source model (inputs dict in) when the header
    has `multisource`, else today's single-source registry model (tensor in)."""
    if header.get("multisource"):
        from .multisource import build_multisource

        return build_multisource(header, output_channels(header))
    return models.build_model(header["architecture"], header["encoder"], header["in_channels"],
                              output_channels(header), header.get("model_kwargs") or {})


def load_model(path: str | os.PathLike[str], device: str | torch.device = "cpu"
               ) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild the trained network in eval mode on `device`; returns (model, header)."""
    data = read_checkpoint(path)
    header = data["header"]
    model = model_from_header(header)
    try:
        model.load_state_dict(data["state_dict"])
    except RuntimeError as exc:
        raise SatsegError("bad_checkpoint", f"{path}: weights do not match the model the "
                          f"header describes ({header['architecture']}): "
                          f"{str(exc).splitlines()[0][:200]}",
                          hint="the file was altered or written by an incompatible version"
                          ) from exc
    return model.to(device).eval(), header
