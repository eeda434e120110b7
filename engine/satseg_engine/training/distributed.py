"""Training under `torchrun` (DistributedDataParallel): the process group, samplers, reductions.

`torchrun --nproc-per-node N -m satseg_engine train ...` starts N copies of the engine with
RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT set; `process_group()` joins them
(nccl on CUDA, gloo on the CPU). Batch size is per process: the effective batch is N × batch.
Training samples are sharded without repeats (the remainder of an epoch that does not divide
by N is left out of that epoch); validation and test are sharded too (no padding), and loss
sums and confusion matrices are summed over ranks, so every number equals the single-process
one. Batch norm is synchronised across ranks (its statistics cover the global batch). Only
rank 0 writes files and emits events. Without torchrun everything here is a no-op.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn
from torch.utils.data import Sampler

from ..core.errors import Cancelled, SatsegError

#: words in a collective's error that mean another rank went away
_PEER_GONE = ("connection closed", "connection reset", "broken pipe", "gloo", "nccl",
              "timed out", "socket", "peer")


def launched_world() -> int:
    """WORLD_SIZE set by torchrun (1 when not launched by it)."""
    try:
        return max(1, int(os.environ.get("WORLD_SIZE", "1")))
    except ValueError:
        return 1


def local_rank() -> int:
    try:
        return int(os.environ.get("LOCAL_RANK", "0"))
    except ValueError:
        return 0


def _dist() -> Any:
    import torch.distributed as dist

    return dist


def active() -> bool:
    dist = _dist()
    return bool(dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1)


def rank_and_world() -> tuple[int, int]:
    """(rank, world size); (0, 1) without an initialised process group."""
    dist = _dist()
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


@contextlib.contextmanager
def process_group(device: torch.device) -> Iterator[None]:
    """Join torchrun's process group for the block (nothing outside torchrun); an error of a
    collective because another rank died becomes SatsegError('ddp_rank_failed')."""
    dist = _dist()
    if launched_world() < 2 or (dist.is_available() and dist.is_initialized()):
        yield
        return
    if not dist.is_available():
        raise SatsegError("no_distributed", "this torch build has no torch.distributed",
                          hint="install a standard PyTorch build, or run one process")
    backend = "nccl" if device.type == "cuda" and dist.is_nccl_available() else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(backend, timeout=datetime.timedelta(minutes=30))
    rank = dist.get_rank()
    try:
        yield
    except Cancelled as exc:  # torchrun stops every rank when one fails: say which and why
        failure = _published_failure() if rank == 0 else None
        if failure is None:
            raise
        raise _rank_failed(failure) from exc
    except RuntimeError as exc:
        failure = _published_failure() if rank == 0 else None
        if failure is None and not any(word in str(exc).lower() for word in _PEER_GONE):
            _publish_failure(rank, exc)
            raise
        raise _rank_failed(failure or str(exc)) from exc
    except Exception as exc:
        if rank != 0:
            _publish_failure(rank, exc)
        raise
    finally:
        with contextlib.suppress(Exception):
            dist.destroy_process_group()


_FAILURE_KEY = "satseg/failed_rank"


def _rank_failed(message: str) -> SatsegError:
    return SatsegError("ddp_rank_failed", f"another process of this distributed run failed: "
                       f"{message}", hint="fix what that rank reports (its traceback is on "
                       "stderr) and run again; a resumable last.pt is kept")


def _store() -> Any:
    return _dist().distributed_c10d._get_default_store()


def _publish_failure(rank: int, exc: BaseException) -> None:
    """Leave this rank's error in torchrun's store (hosted by its agent: it outlives us)."""
    code = getattr(exc, "code", None) or type(exc).__name__
    with contextlib.suppress(Exception):
        _store().set(_FAILURE_KEY, f"rank {rank}: {code}: {exc}")


def _published_failure() -> str | None:
    """What another rank published before it ended, or None."""
    try:
        store = _store()
        if store.check([_FAILURE_KEY]):
            return store.get(_FAILURE_KEY).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - no store, or its host is gone: nothing to report
        return None
    return None


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): data}


def check_same_job(job_dict: dict[str, Any]) -> None:
    """Every rank must run the same resolved job: SatsegError('ddp_mismatch') naming the keys
    that differ (the same error on every rank)."""
    if not active():
        return
    dist = _dist()
    mine = json.loads(json.dumps(job_dict, sort_keys=True, default=str))
    gathered: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, mine)
    flats = [_flat(job) for job in gathered]
    keys = sorted({k for f in flats for k in f if len({json.dumps(g.get(k)) for g in flats}) > 1})
    if keys:
        shown = "; ".join(f"{k}: " + ", ".join(f"rank {r}={f.get(k)!r}"
                                                for r, f in enumerate(flats)) for k in keys[:5])
        raise SatsegError("ddp_mismatch", f"the processes of this distributed run disagree on "
                          f"the job ({shown})", hint="give every rank the same job file and "
                          "flags, the same dataset and the same engine version; set 'auto' "
                          "keys explicitly when the machines differ", key=keys[0])


def sum_over_ranks(value: torch.Tensor) -> torch.Tensor:
    """All-reduce (sum) in place; no-op in one process. Returns `value`."""
    if active():
        _dist().all_reduce(value)
    return value


def mean_over_ranks(value: torch.Tensor) -> float:
    """The mean of a scalar over ranks (the value itself in one process)."""
    if not active():
        return float(value)
    total = value.detach().double().reshape(1).clone()
    _dist().all_reduce(total)
    return float(total) / _dist().get_world_size()


def broadcast_state(module: nn.Module) -> None:
    """Rank 0's parameters and buffers on every rank (after rank 0 loaded a checkpoint)."""
    if not active():
        return
    for tensor in module.state_dict().values():
        _dist().broadcast(tensor, src=0)


def barrier() -> None:
    if active():
        _dist().barrier()


def sync_batchnorm(model: nn.Module, device: torch.device) -> None:
    """Batch norm over the global batch of all ranks (in place; before the optimiser is built).
    torch's SyncBatchNorm on CUDA, RankBatchNorm elsewhere; nothing in one process."""
    if not active():
        return
    if device.type == "cuda":
        _replace_batchnorm(model, nn.SyncBatchNorm.convert_sync_batchnorm)
    else:
        _replace_batchnorm(model, RankBatchNorm.from_batchnorm)


def wrap(model: nn.Module, device: torch.device, find_unused: bool) -> nn.Module:
    """DistributedDataParallel around `model` (the model itself in one process). Checkpoints
    are written from `model`, so their keys have no 'module.' prefix."""
    if not active():
        return model
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids,
                                               find_unused_parameters=find_unused)


def _replace_batchnorm(module: nn.Module, make: Any) -> None:
    for name, child in module.named_children():
        if isinstance(child, nn.BatchNorm2d) and not isinstance(child, RankBatchNorm):
            setattr(module, name, make(child))
        else:
            _replace_batchnorm(child, make)


class _SumOverRanks(torch.autograd.Function):
    """All-reduce (sum) with its gradient: the gradients of all ranks summed, too."""

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor) -> torch.Tensor:
        out = tensor.clone()
        _dist().all_reduce(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        out = grad.contiguous().clone()
        _dist().all_reduce(out)
        return out


class RankBatchNorm(nn.BatchNorm2d):
    """BatchNorm2d whose training statistics cover the batches of all ranks, on any backend
    (torch's SyncBatchNorm needs a GPU): sums are all-reduced by a differentiable all_reduce,
    so the backward pass is the global batch's too. Same state_dict keys as BatchNorm2d."""

    @classmethod
    def from_batchnorm(cls, bn: nn.BatchNorm2d) -> RankBatchNorm:
        new = cls(bn.num_features, bn.eps, bn.momentum, bn.affine, bn.track_running_stats)
        if bn.affine:
            new.weight, new.bias = bn.weight, bn.bias  # the same Parameter objects
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            setattr(new, name, getattr(bn, name))
        new.train(bn.training)
        return new

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or not active():
            return super().forward(x)
        dims = (0, 2, 3)
        count = torch.tensor([x.numel() / x.shape[1]], dtype=torch.float64, device=x.device)
        sums = torch.cat([x.double().sum(dims), (x.double() ** 2).sum(dims), count])
        sums = _SumOverRanks.apply(sums)
        c = self.num_features
        n = sums[-1]
        mean = sums[:c] / n
        var = (sums[c:2 * c] / n - mean**2).clamp(min=0)
        if self.track_running_stats and self.running_mean is not None:
            with torch.no_grad():
                m = self.momentum if self.momentum is not None else 0.1
                self.running_mean.mul_(1 - m).add_(mean.to(self.running_mean.dtype), alpha=m)
                unbiased = var * n / (n - 1).clamp(min=1)
                self.running_var.mul_(1 - m).add_(unbiased.to(self.running_var.dtype), alpha=m)
                self.num_batches_tracked.add_(1)
        shape = (1, c, 1, 1)
        y = (x - mean.to(x.dtype).view(shape)) * torch.rsqrt(var.to(x.dtype) + self.eps).view(
            shape)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y


class ShardSampler(Sampler[int]):
    """Evaluation order: every index once over all ranks (rank r takes r, r+N, ...), no
    padding, so sums over ranks equal the single-process sums."""

    def __init__(self, size: int):
        self.size = size
        self.rank, self.world = rank_and_world()

    def __len__(self) -> int:
        return len(range(self.rank, self.size, self.world))

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.rank, self.size, self.world))
