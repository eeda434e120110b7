"""The bookkeeping of a run that a resume must restore: epoch, history, bests, early stopping."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import torch


@dataclasses.dataclass
class RunState:
    epoch: int = 0                     # completed epochs
    global_step: int = 0
    history: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    best_loss: float = math.inf
    best_loss_epoch: int | None = None
    best_iou: float = -1.0
    best_iou_epoch: int | None = None
    best_monitored: float | None = None
    stale_epochs: int = 0
    stopped_early: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["best_loss"] = None if math.isinf(self.best_loss) else self.best_loss
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState:
        fields = {f.name for f in dataclasses.fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in fields})
        if state.best_loss is None:
            state.best_loss = math.inf
        return state


def keeps_epoch(selection: str, miou: float, best_miou: float) -> bool:
    """Whether best_iou.pt takes this epoch: every epoch with `last` (the kept model is the
    last one), a higher validation mIoU than so far with `miou`."""
    return selection == "last" or miou > best_miou


class EarlyStopping:
    """Counts epochs without an improvement of `monitor` larger than `min_delta`."""

    def __init__(self, monitor: str, patience: int, min_delta: float):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.maximize = monitor != "loss"

    def update(self, state: RunState, value: float) -> bool:
        """Record this epoch's value; True when training should stop."""
        best = state.best_monitored
        improved = best is None or (value > best + self.min_delta if self.maximize
                                    else value < best - self.min_delta)
        if improved:
            state.best_monitored = value
            state.stale_epochs = 0
        else:
            state.stale_epochs += 1
        return self.patience > 0 and state.stale_epochs >= self.patience


def rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
