"""Writing the run's checkpoints (rank 0 only) and restoring a run from last.pt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from ..models.checkpoint import read_checkpoint, save_checkpoint
from ..models.schedules import Schedule
from .state import RunState, restore_rng, rng_state

ROLES = ("best_loss", "best_iou", "last")
#: header keys that must match between a resumed checkpoint and the new job.
MUST_MATCH = ("architecture", "encoder", "model_kwargs", "in_channels", "task", "classes",
              "multisource")


def _source_layout(header: dict[str, Any]) -> list[tuple[Any, ...]] | None:
    """(name, dates, band names) of each source a multi-source header lists."""
    sources = header.get("sources")
    if not sources:
        return None
    return [(s.get("name"), list(s.get("dates") or []), list(s.get("band_names") or []))
            for s in sources]


class CheckpointWriter:
    """Writes best_loss.pt, best_iou.pt and last.pt into `folder` (only in the main process)."""

    def __init__(self, folder: Path, header: dict[str, Any], enabled: bool):
        self.folder = Path(folder)
        self.header = header
        self.enabled = enabled
        self.written: dict[str, Path] = {}

    def path(self, role: str) -> Path:
        return self.folder / f"{role}.pt"

    def save(self, role: str, model: nn.Module, epoch: int, metrics: dict[str, Any],
             resume: dict[str, Any] | None = None) -> Path | None:
        if not self.enabled:
            return None
        header = {**self.header, "epoch": epoch, "metrics": metrics, "role": role}
        path = save_checkpoint(self.path(role), header, model.state_dict(), resume=resume)
        self.written[role] = path
        return path


def resume_payload(optimizer: torch.optim.Optimizer, schedule: Schedule,
                   scaler: torch.amp.GradScaler, state: RunState, *,
                   interrupted: bool) -> dict[str, Any]:
    """The `resume` section of last.pt (formats.md): plain data and tensors only."""
    return {"optimizer": optimizer.state_dict(), "scheduler": schedule.state_dict(),
            "scaler": scaler.state_dict() if scaler.is_enabled() else None,
            "epoch": state.epoch, "rng": rng_state(), "state": state.to_dict(),
            "interrupted": interrupted}


def checkpoint_job(path: Path) -> dict[str, Any]:
    """The job a last.pt was trained with (its header's `config`), without `resume`; empty for
    a checkpoint that does not record it (the job must then be given whole)."""
    data = read_checkpoint(path)
    if not isinstance(data.get("resume"), dict):
        raise SatsegError("bad_resume", f"{path} holds no training state to resume from",
                          hint="resume from last.pt (best_*.pt hold weights only)", key="resume")
    config = data["header"].get("config")
    return {k: v for k, v in config.items() if k != "resume"} if isinstance(config, dict) else {}


def restore(path: Path, header: dict[str, Any], model: nn.Module,
            optimizer: torch.optim.Optimizer, schedule: Schedule,
            scaler: torch.amp.GradScaler) -> RunState:
    """Load weights, optimiser, schedule, scaler and RNG from a last checkpoint."""
    data = read_checkpoint(path)
    resume = data.get("resume")
    if not isinstance(resume, dict):
        raise SatsegError("bad_resume", f"{path} holds no training state to resume from",
                          hint="resume from last.pt (best_*.pt hold weights only)", key="resume")
    old = data["header"]
    for key in MUST_MATCH:
        if old.get(key) != header.get(key):
            raise SatsegError("bad_resume", f"cannot resume: '{key}' differs between {path} "
                              f"({old.get(key)!r}) and this job ({header.get(key)!r})",
                              hint="leave out the keys that change the model, task or "
                              "dataset: --resume alone continues with the checkpoint's own job "
                              "(or start a new run without --resume)",
                              key="resume")
    if _source_layout(old) != _source_layout(header):
        raise SatsegError("bad_resume", f"cannot resume: the sources of {path} "
                          f"({_source_layout(old)}) differ from this job's "
                          f"({_source_layout(header)})", key="resume",
                          hint="resume with the same dataset and data.sources")
    model.load_state_dict(data["state_dict"])
    optimizer.load_state_dict(resume["optimizer"])
    schedule.load_state_dict(resume["scheduler"])
    if resume.get("scaler") and scaler.is_enabled():
        scaler.load_state_dict(resume["scaler"])
    restore_rng(resume["rng"])
    state = RunState.from_dict(resume["state"])
    state.stopped_early = False
    return state
