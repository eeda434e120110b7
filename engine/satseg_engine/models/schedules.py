"""Learning-rate schedules: optional linear warm-up, then plateau, cosine, one-cycle or step.

`Schedule` hides which torch schedulers run and when they step: call `batch_end()` after every
optimiser step and `epoch_end(monitored_value)` after every epoch. Warm-up is counted in epochs
(linear from `warmup_start_factor` × lr to lr); one-cycle steps per batch and uses the warm-up
as its rising phase. State dicts are plain data (weights_only-loadable).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import torch
from torch.optim import Optimizer, lr_scheduler

from ..core.errors import SatsegError


@dataclasses.dataclass(frozen=True)
class ScheduleParams:
    name: str = "cosine"
    warmup_epochs: int = 0
    warmup_start_factor: float = 0.1
    min_lr_factor: float = 0.01      # cosine / one-cycle end at lr × this
    step_size: int = 10              # step: epochs between decays
    gamma: float = 0.1               # step: decay factor
    plateau_patience: int = 3        # plateau: epochs without improvement before a decay
    plateau_factor: float = 0.5      # plateau: decay factor
    plateau_mode: str = "min"        # plateau: "min" for a loss, "max" for a score


def _base_lrs(optimizer: Optimizer) -> list[float]:
    return [group.get("initial_lr", group["lr"]) for group in optimizer.param_groups]


def _cosine(opt: Optimizer, p: ScheduleParams, epochs: int, steps: int) -> Any:
    return lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, epochs - p.warmup_epochs),
                                          eta_min=p.min_lr_factor * min(_base_lrs(opt)))


def _step(opt: Optimizer, p: ScheduleParams, epochs: int, steps: int) -> Any:
    return lr_scheduler.StepLR(opt, step_size=p.step_size, gamma=p.gamma)


def _constant(opt: Optimizer, p: ScheduleParams, epochs: int, steps: int) -> Any:
    return lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)


def _plateau(opt: Optimizer, p: ScheduleParams, epochs: int, steps: int) -> Any:
    return lr_scheduler.ReduceLROnPlateau(opt, mode=p.plateau_mode, factor=p.plateau_factor,
                                          patience=p.plateau_patience)


def _onecycle(opt: Optimizer, p: ScheduleParams, epochs: int, steps: int) -> Any:
    pct = p.warmup_epochs / epochs if p.warmup_epochs else 0.3
    start = p.warmup_start_factor
    return lr_scheduler.OneCycleLR(opt, max_lr=_base_lrs(opt), total_steps=epochs * steps,
                                   pct_start=min(max(pct, 1e-3), 0.999), div_factor=1 / start,
                                   final_div_factor=start / p.min_lr_factor,
                                   cycle_momentum=False, anneal_strategy="cos")


#: schedule name -> builder(optimizer, params, epochs, steps_per_epoch) of the main scheduler.
SCHEDULES: dict[str, Callable[..., Any]] = {
    "none": _constant, "cosine": _cosine, "step": _step, "plateau": _plateau,
    "onecycle": _onecycle,
}


class Schedule:
    """The learning-rate schedule of one training run."""

    def __init__(self, optimizer: Optimizer, params: ScheduleParams, epochs: int,
                 steps_per_epoch: int):
        if params.name not in SCHEDULES:
            raise SatsegError("bad_job", f"unknown schedule '{params.name}'",
                              hint=f"valid: {', '.join(SCHEDULES)}", key="schedule.name")
        self.params = params
        self.optimizer = optimizer
        self.per_batch = params.name == "onecycle"
        self.epoch = 0
        main = SCHEDULES[params.name](optimizer, params, epochs, max(1, steps_per_epoch))
        self.warmup = None
        if params.warmup_epochs > 0 and not self.per_batch:
            self.warmup = lr_scheduler.LinearLR(optimizer, start_factor=params.warmup_start_factor,
                                                end_factor=1.0, total_iters=params.warmup_epochs)
        if params.name == "plateau" or self.warmup is None:
            self.main = main       # plateau: warm-up stepped by hand, then plateau
            self.combined = None
        else:
            self.main = None
            self.combined = lr_scheduler.SequentialLR(optimizer, [self.warmup, main],
                                                      milestones=[params.warmup_epochs])

    def lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def batch_end(self) -> None:
        # a resumed, interrupted epoch re-runs some batches: one-cycle must not overrun its end
        if self.per_batch and self.main.last_epoch < self.main.total_steps - 1:
            self.main.step()

    def epoch_end(self, monitored: float | None = None) -> None:
        self.epoch += 1
        if self.per_batch:
            return
        if self.combined is not None:
            self.combined.step()
        elif self.params.name == "plateau":
            if self.warmup is not None and self.epoch <= self.params.warmup_epochs:
                self.warmup.step()
            elif monitored is not None:
                self.main.step(monitored)
        else:
            self.main.step()

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"epoch": self.epoch}
        for name in ("warmup", "main", "combined"):
            scheduler = getattr(self, name)
            if scheduler is not None:
                state[name] = scheduler.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.epoch = int(state["epoch"])
        for name in ("warmup", "main", "combined"):
            scheduler = getattr(self, name)
            if scheduler is not None and name in state:
                scheduler.load_state_dict(state[name])


def current_lr(optimizer: torch.optim.Optimizer) -> float:
    """The decoder's learning rate (the last parameter group)."""
    return float(optimizer.param_groups[-1]["lr"])
