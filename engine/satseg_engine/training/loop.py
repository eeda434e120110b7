"""One training epoch and one evaluation pass (no file I/O, no knowledge of checkpoints).

A batch is (inputs, mask): inputs a tensor (a single-source model) or the nested dict of
tensors a multi-source model takes (`{"data", "present", "doy"}`), moved to the device as a
whole."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch
from torch import nn

from ..core.errors import SatsegError
from ..models.metrics import ConfusionMatrix, predict_indices
from .distributed import sum_over_ranks


@dataclasses.dataclass
class StepContext:
    """What the batch loop needs besides the model and the data."""

    device: torch.device
    amp_dtype: torch.dtype | None
    channels_last: bool
    task: str
    threshold: float
    n_classes: int
    ignore_index: int


@dataclasses.dataclass
class EpochResult:
    loss: float
    matrix: torch.Tensor
    steps: int


def autocast(ctx: StepContext) -> contextlib.AbstractContextManager:
    if ctx.amp_dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(ctx.device.type, dtype=ctx.amp_dtype)


def move_inputs(inputs: Any, ctx: StepContext) -> Any:
    """A tensor or a nested mapping of tensors on the device; 4-D float tensors (B, C, H, W)
    in channels-last format when asked (5-D time series and masks stay as they are)."""
    if isinstance(inputs, Mapping):
        return {key: move_inputs(value, ctx) for key, value in inputs.items()}
    tensor = inputs.to(ctx.device, non_blocking=True)
    if ctx.channels_last and tensor.dim() == 4 and tensor.is_floating_point():
        tensor = tensor.contiguous(memory_format=torch.channels_last)
    return tensor


def to_device(batch: tuple[Any, torch.Tensor], ctx: StepContext) -> tuple[Any, torch.Tensor]:
    inputs, mask = batch
    return move_inputs(inputs, ctx), mask.to(ctx.device, non_blocking=True)


def _diverged(loss: float) -> SatsegError:
    return SatsegError("diverged", f"the training loss became {loss}",
                       hint="lower the learning rate, enable gradient clipping "
                       "(optim.grad_clip) or turn mixed precision off")


def train_epoch(model: nn.Module, loader: Iterable, loss_fn: nn.Module,
                optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler,
                ctx: StepContext, *, max_steps: int, grad_clip: float,
                after_step: Callable[[int, torch.Tensor], None]) -> EpochResult:
    """Train over at most `max_steps` batches; `after_step(step, loss)` runs after each."""
    matrix = ConfusionMatrix(ctx.n_classes, ctx.ignore_index, ctx.device)
    loss_sum = torch.zeros((), dtype=torch.float64, device=ctx.device)
    count = torch.zeros((), dtype=torch.float64, device=ctx.device)
    steps = 0
    trainable = [p for p in model.parameters() if p.requires_grad]
    for batch in loader:
        if steps >= max_steps:
            break
        inputs, mask = to_device(batch, ctx)
        with autocast(ctx):
            logits = model(inputs)
            loss = loss_fn(logits, mask)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        if grad_clip > 0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(trainable, grad_clip)
        scaler.step(optimizer)
        scaler.update()
        detached = loss.detach()
        loss_sum += detached.double() * mask.shape[0]
        count += mask.shape[0]
        matrix.update(predict_indices(logits.detach(), ctx.task, ctx.threshold), mask)
        steps += 1
        after_step(steps, detached)
    sum_over_ranks(loss_sum)
    sum_over_ranks(count)
    matrix.reduce()
    loss_value = float(loss_sum / count.clamp(min=1))
    if not torch.isfinite(torch.tensor(loss_value)):
        raise _diverged(loss_value)
    return EpochResult(loss_value, matrix.matrix, steps)


@torch.inference_mode()
def evaluate(model: nn.Module, loader: Iterable, loss_fn: nn.Module, ctx: StepContext,
             on_batch: Callable[[int], None] | None = None) -> EpochResult:
    """Loss and confusion matrix over a whole split, model in eval mode; under torchrun each
    rank evaluates its shard (setup.make_loader) and the sums are added over ranks."""
    was_training = model.training
    model.eval()
    matrix = ConfusionMatrix(ctx.n_classes, ctx.ignore_index, ctx.device)
    loss_sum = torch.zeros((), dtype=torch.float64, device=ctx.device)
    count = torch.zeros((), dtype=torch.float64, device=ctx.device)
    steps = 0
    for batch in loader:
        inputs, mask = to_device(batch, ctx)
        with autocast(ctx):
            logits = model(inputs)
        loss_sum += loss_fn(logits.float(), mask).double() * mask.shape[0]
        count += mask.shape[0]
        matrix.update(predict_indices(logits, ctx.task, ctx.threshold), mask)
        steps += 1
        if on_batch is not None:
            on_batch(steps)
    model.train(was_training)
    sum_over_ranks(loss_sum)
    sum_over_ranks(count)
    matrix.reduce()
    return EpochResult(float(loss_sum / count.clamp(min=1)), matrix.matrix, steps)
