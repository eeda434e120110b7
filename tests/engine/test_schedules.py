"""Learning-rate trajectories of every schedule, with and without warm-up, and their resume."""

from __future__ import annotations

import io
import itertools
import math

import pytest
import torch

from satseg_engine.models.schedules import SCHEDULES, Schedule, ScheduleParams

EPOCHS, STEPS = 6, 2


def _cos(e: int, t_max: int, low: float = 0.01) -> float:
    return low + (1 - low) * (1 + math.cos(math.pi * e / t_max)) / 2


def _optimizer(encoder_lr: float = 0.1, lr: float = 1.0) -> torch.optim.Optimizer:
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([{"params": [a], "lr": encoder_lr}, {"params": [b], "lr": lr}])


def _trajectory(schedule: Schedule, optimizer: torch.optim.Optimizer, epochs: int,
                per_batch: bool = False) -> list[float]:
    """Decoder lr seen by each epoch (or each batch), monitored loss constant."""
    seen = []
    for _ in range(epochs):
        for _ in range(STEPS):
            if per_batch:
                seen.append(optimizer.param_groups[1]["lr"])
            optimizer.step()
            schedule.batch_end()
        if not per_batch:
            seen.append(optimizer.param_groups[1]["lr"])
        schedule.epoch_end(1.0)
    return seen


WARM = [0.1, 0.55]  # linear warm-up over 2 epochs from 0.1 × lr
CASES = [
    ("none", 0, [1.0] * 6),
    ("none", 2, [*WARM, 1.0, 1.0, 1.0, 1.0]),
    ("cosine", 0, [_cos(e, 6, 0.01 * 0.1) for e in range(6)]),
    ("cosine", 2, [*WARM, *[_cos(e, 4, 0.01 * 0.1) for e in range(4)]]),
    ("step", 0, [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]),
    ("step", 2, [*WARM, 1.0, 1.0, 0.1, 0.1]),
    ("plateau", 0, [1.0, 1.0, 0.5, 0.25, 0.125, 0.0625]),  # loss never improves, patience 0
    ("plateau", 2, [*WARM, 1.0, 1.0, 0.5, 0.25]),
]


@pytest.mark.parametrize(("name", "warmup", "expected"), CASES)
def test_epoch_schedules_follow_their_trajectory(name: str, warmup: int,
                                                 expected: list[float]) -> None:
    optimizer = _optimizer()
    schedule = Schedule(optimizer, ScheduleParams(name=name, warmup_epochs=warmup, step_size=2,
                                                  gamma=0.1, plateau_patience=0,
                                                  plateau_factor=0.5), EPOCHS, STEPS)
    assert _trajectory(schedule, optimizer, EPOCHS) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("warmup", [0, 2])
def test_onecycle_steps_per_batch_from_start_factor_to_peak_to_floor(warmup: int) -> None:
    optimizer = _optimizer()
    schedule = Schedule(optimizer, ScheduleParams(name="onecycle", warmup_epochs=warmup,
                                                  warmup_start_factor=0.1, min_lr_factor=0.01),
                        EPOCHS, STEPS)
    lrs = _trajectory(schedule, optimizer, EPOCHS, per_batch=True)
    peak_step = round((warmup / EPOCHS if warmup else 0.3) * EPOCHS * STEPS) - 1
    assert lrs[0] == pytest.approx(0.1)
    assert max(lrs) == pytest.approx(1.0, rel=0.05)
    assert abs(lrs.index(max(lrs)) - peak_step) <= 1
    assert lrs[-1] < 0.05
    rising = lrs[:peak_step + 1]
    assert all(a <= b for a, b in itertools.pairwise(rising))


def test_encoder_and_decoder_learning_rates_keep_their_ratio() -> None:
    optimizer = _optimizer(encoder_lr=0.1, lr=1.0)
    schedule = Schedule(optimizer, ScheduleParams(name="step", warmup_epochs=2, step_size=2),
                        EPOCHS, STEPS)
    for _ in range(EPOCHS):
        encoder, decoder = (g["lr"] for g in optimizer.param_groups)
        assert encoder == pytest.approx(0.1 * decoder)
        schedule.epoch_end(1.0)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_a_resumed_schedule_continues_the_same_trajectory(name: str) -> None:
    params = ScheduleParams(name=name, warmup_epochs=1, step_size=2, plateau_patience=0)
    reference_opt = _optimizer()
    reference = _trajectory(Schedule(reference_opt, params, EPOCHS, STEPS), reference_opt,
                            EPOCHS)
    first_opt = _optimizer()
    first = Schedule(first_opt, params, EPOCHS, STEPS)
    head = _trajectory(first, first_opt, 3)
    buffer = io.BytesIO()
    torch.save({"scheduler": first.state_dict(), "optimizer": first_opt.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    second_opt = _optimizer()
    second = Schedule(second_opt, params, EPOCHS, STEPS)
    second_opt.load_state_dict(saved["optimizer"])
    second.load_state_dict(saved["scheduler"])
    tail = _trajectory(second, second_opt, EPOCHS - 3)
    assert head + tail == pytest.approx(reference, rel=1e-6)
