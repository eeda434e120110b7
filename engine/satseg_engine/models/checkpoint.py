"""Model checkpoints (docs/formats.md): one `torch.save` of plain data, weights_only-loadable.

```
{"format": "satseg-checkpoint", "schema": 1, "header": {...}, "state_dict": {...},
 "resume": {...}}            # "resume" in last checkpoints only
```
`load_model(path, device)` rebuilds the network from the header alone; prediction uses it. A
header with `multisource` describes a multi-source model (`multisource.build_multisource`).
"""

from __future__ import annotations

import errno
import os
import re
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
        try:
            torch.save(data, tmp)
        except RuntimeError as exc:  # torch's zip writer words a failed write its own way
            raise OSError(errno.ENOSPC, f"cannot write the checkpoint ({exc})", str(path)
                          ) from exc
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
    except Exception as exc:  # noqa: BLE001
        # (UnpicklingError, BadZipFile, EOFError, IndexError, OSError...): each means the file
        # is not a readable checkpoint, never a bug in satseg.
        raise _unreadable(path, exc, hint) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SatsegError("bad_checkpoint", f"{path} is a torch file but not a satseg "
                          "checkpoint (no 'format': 'satseg-checkpoint')", hint=hint)
    if data.get("schema") != SCHEMA:
        newer = isinstance(data.get("schema"), int) and data["schema"] > SCHEMA
        raise SatsegError("bad_checkpoint", f"{path} has checkpoint schema "
                          f"{data.get('schema')!r}; this engine reads schema {SCHEMA}",
                          hint="update the satseg engine (the file was written by a newer "
                          "version)" if newer else "use the engine version that wrote it, or "
                          "retrain")
    header = data.get("header")
    if not isinstance(header, dict) or any(k not in header for k in REQUIRED_HEADER):
        raise SatsegError("bad_checkpoint", f"{path}: checkpoint header is incomplete",
                          hint=hint)
    return data


def _unreadable(path: Path, exc: Exception, hint: str) -> SatsegError:
    """satseg's own words for a file torch's safe loader refused or could not read.

    torch's text for a refused pickle advises loading it with `weights_only=False`, that is
    running code from the file: it is never shown. A pickle that imports and calls something is
    `checkpoint_unsafe`; anything else unreadable is `bad_checkpoint`.
    """
    text = str(exc)
    called = _called_globals(path)
    if called or "GLOBAL " in text:
        found = re.search(r"GLOBAL ([\w.]+)", text)
        name = called[0] if called else found.group(1) if found else ""
        return SatsegError("checkpoint_unsafe", f"{path} was refused unread: loading it would "
                           f"call Python code ({name}); satseg checkpoints hold plain data and "
                           "tensors only", hint="use a checkpoint written by 'satseg train'; "
                           "do not open this file with other tools unless you trust its source")
    first = "" if "weights_only" in text else text.splitlines()[0][:200] if text.strip() else ""
    return SatsegError("bad_checkpoint", f"{path} is not a readable satseg checkpoint (corrupt, "
                       f"truncated or not a torch file){': ' + first if first else ''}",
                       hint=hint)


def _called_globals(path: Path, limit: int = 64 << 20) -> list[str]:
    """Globals a pickle (raw, or a torch zip's data.pkl) imports, read with pickletools: the
    opcodes are listed, nothing is imported or run. Empty when unreadable or too large."""
    import pickletools
    import zipfile

    try:
        if path.stat().st_size > limit:
            return []
        raw = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                name = next((n for n in archive.namelist() if n.endswith("data.pkl")), None)
                raw = archive.read(name) if name else b""
        names, strings = [], []
        for op, arg, _ in pickletools.genops(raw):
            if isinstance(arg, str):
                strings.append(arg)
            if op.name == "GLOBAL":
                names.append(str(arg).replace(" ", "."))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                names.append(f"{strings[-2]}.{strings[-1]}")
    except Exception:  # noqa: BLE001 - an unparsable file is simply not an unsafe pickle
        return []
    safe = ("torch.", "collections.OrderedDict", "builtins.set", "builtins.frozenset")
    return [n for n in names if not n.startswith(safe)]


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
