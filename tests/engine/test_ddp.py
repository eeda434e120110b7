"""`torchrun` training (DistributedDataParallel) on the CPU with gloo, against one process.

Two ranks with batch B see, step by step, exactly the samples of one process with batch 2B
(one shuffled order, every rank takes every other index), so with a per-pixel loss (plain
cross-entropy, no ignored pixels, no augmentation or dropout, SGD) every per-epoch number must
equal the single-process one within floating tolerance. Runs: one process and two ranks for
one epoch each, then each resumed for a second epoch on the other process count (both must
arrive at the same numbers), and a job the ranks disagree on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from dataset_factory import make_dataset

TOLERANCE = 2e-4
JOB = {"epochs": 1, "seed": 7, "log_every_steps": 1, "threshold": 0.5,
       "model": {"architecture": "custom_unet", "depth": 2, "base_width": 8, "dropout": 0.0},
       "data": {"num_workers": 0, "normalization": "standardize", "class_balanced": False},
       "augment": {"enabled": False}, "loss": {"name": "ce", "class_weights": "none"},
       "optim": {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9}}
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
            "2"]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = "1"
    return env


def _engine(prefix: list[str], *args: str) -> tuple[int, list[dict], str]:
    proc = subprocess.run([*prefix, "-m", "satseg_engine", "train", *args], capture_output=True,
                          text=True, timeout=150, env=_environment())
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, events, proc.stderr


def _single(*args: str) -> tuple[int, list[dict], str]:
    return _engine([sys.executable], *args)


def _ranks(*args: str) -> tuple[int, list[dict], str]:
    return _engine(TORCHRUN, *args)


def _epoch_metrics(events: list[dict]) -> dict[tuple, dict[str, float]]:
    return {(e["epoch"], e["split"]): e["values"] for e in events
            if e["type"] == "metric" and e.get("step") is None}


def _assert_same(a: dict[tuple, dict], b: dict[tuple, dict], what: str) -> None:
    assert a.keys() == b.keys(), (what, sorted(a), sorted(b))
    worst = 0.0
    for key in sorted(a):
        for name, value in a[key].items():
            diff = abs(value - b[key][name])
            worst = max(worst, diff)
            print(f"{what} {key} {name}: {value:.6f} vs {b[key][name]:.6f} (diff {diff:.2e})")
            assert diff <= TOLERANCE * max(1.0, abs(value)), (what, key, name, value,
                                                              b[key][name])
    print(f"{what}: largest difference {worst:.2e}")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """8 training patches (2 steps of 4, or of 2 × 2), every pixel labelled: per-rank mean
    losses then average to the global one."""
    root = make_dataset(tmp_path_factory.mktemp("ddp") / "patches", patch_size=32,
                        counts={"train": 8, "validation": 4, "test": 4})
    for path in root.glob("Patch/*/labels/*.tif"):
        with rasterio.open(path, "r+") as dst:
            label = dst.read(1)
            label[label == 255] = 1
            dst.write(label, 1)
    return root


@pytest.fixture(scope="module")
def runs(dataset, tmp_path_factory) -> dict[str, tuple[int, list[dict], str, Path]]:
    """single: 1 process × batch 4; ranks: 2 ranks × batch 2; then each resumed for epoch 2
    on the other process count."""
    base = tmp_path_factory.mktemp("runs")
    job = base / "job.json"
    job.write_text(json.dumps({**JOB, "dataset": str(dataset)}), encoding="utf-8")
    out: dict[str, tuple[int, list[dict], str, Path]] = {}
    for name, launch, batch in (("single", _single, "4"), ("ranks", _ranks, "2")):
        folder = base / name / "out"
        out[name] = (*launch("--config", str(job), "--batch-size", batch, "--output-dir",
                             str(folder)), folder)
    for name, launch, batch, source in (("ranks_then_single", _single, "4", "ranks"),
                                        ("single_then_ranks", _ranks, "2", "single")):
        folder = base / name / "out"
        shutil.copytree(out[source][3], folder)
        out[name] = (*launch("--config", str(job), "--batch-size", batch, "--epochs", "2",
                             "--resume", str(folder / "last.pt"), "--output-dir",
                             str(folder)), folder)
    return out


def test_two_ranks_match_one_process_over_the_same_batches(runs) -> None:
    for name, (code, events, stderr, _folder) in runs.items():
        assert code == 0, (name, stderr[-3000:])
        assert events[-1]["type"] == "done", (name, events[-1])
    single, ranks = _epoch_metrics(runs["single"][1]), _epoch_metrics(runs["ranks"][1])
    assert (1, "validation") in single and (1, "test") in single
    _assert_same(single, ranks, "epoch 1")
    steps = [e for e in runs["ranks"][1] if e["type"] == "metric" and e.get("step")]
    assert [e["step"] for e in steps] == [1, 2]  # 8 patches / (2 ranks × 2) = 2 steps


def test_only_rank_zero_speaks_and_writes(runs) -> None:
    code, events, _stderr, folder = runs["ranks"]
    assert code == 0
    assert [e["type"] for e in events].count("started") == 1
    assert [e["type"] for e in events].count("done") == 1
    for kind in ("metric", "progress", "artifact"):  # one rank's stream: no duplicates
        keyed = [json.dumps({k: v for k, v in e.items() if k != "t"}, sort_keys=True)
                 for e in events if e["type"] == kind]
        assert len(keyed) == len(set(keyed)), kind
    single_files = sorted(p.name for p in runs["single"][3].iterdir())
    assert sorted(p.name for p in folder.iterdir()) == single_files
    assert sorted(p.name for p in folder.parent.iterdir()) == ["out"]  # no stray lock/temp
    weights = torch.load(folder / "best_iou.pt", map_location="cpu",
                         weights_only=True)["state_dict"]
    assert not [k for k in weights if k.startswith("module.")]
    single = torch.load(runs["single"][3] / "best_iou.pt", map_location="cpu",
                        weights_only=True)["state_dict"]
    assert weights.keys() == single.keys()
    for key, value in single.items():  # the same weights after the same steps
        np.testing.assert_allclose(weights[key].double().numpy(), value.double().numpy(),
                                   atol=1e-4, rtol=1e-3, err_msg=key)


def test_resume_on_another_number_of_processes(runs) -> None:
    """2 ranks then 1 process, and 1 process then 2 ranks: the same second epoch."""
    a = _epoch_metrics(runs["ranks_then_single"][1])
    b = _epoch_metrics(runs["single_then_ranks"][1])
    assert {epoch for epoch, split in a if split != "test"} == {2}  # test: the best epoch's
    _assert_same(a, b, "epoch 2")
    for name in ("ranks_then_single", "single_then_ranks"):
        lines = (runs[name][3] / "metrics.csv").read_text().splitlines()
        assert len(lines) == 3, (name, lines)  # header, epoch 1 and epoch 2


def test_ranks_that_disagree_on_the_job_stop_with_ddp_mismatch(dataset, tmp_path) -> None:
    """Each rank gets another seed (as a wrong job file on one node would): a clean error."""
    out = tmp_path / "out"
    script = ('exec "$0" -m satseg_engine train --dataset "$1" --output-dir "$2" '
              '--model.architecture custom_unet --model.depth 2 --model.base-width 8 '
              '--data.num-workers 0 --epochs 1 --seed $((RANK + 1))')
    proc = subprocess.run([*TORCHRUN, "--no-python", "bash", "-c", script, sys.executable,
                           str(dataset), str(out)], capture_output=True, text=True,
                          timeout=120, env=_environment())
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert proc.returncode != 0
    errors = [e for e in events if e["type"] == "error"]
    assert len(errors) == 1 and events[-1] is errors[0], events
    assert errors[0]["code"] == "ddp_mismatch" and errors[0]["key"] == "seed", errors[0]
    assert "rank 0=1" in errors[0]["message"] and "rank 1=2" in errors[0]["message"]
    assert not list(out.glob("*.pt"))


def test_a_failing_rank_ends_the_run_with_one_error_from_rank_zero(dataset, tmp_path) -> None:
    """Rank 1 alone reads a broken validation patch (ranks take every other index): rank 0
    reports rank 1's error as the run's one error event, and the run exits non-zero."""
    broken = tmp_path / "patches"
    shutil.copytree(dataset, broken)
    second = sorted((broken / "Patch" / "validation" / "images").glob("*.tif"))[1]
    second.write_bytes(b"not a GeoTIFF")
    job = tmp_path / "job.json"
    job.write_text(json.dumps({**JOB, "dataset": str(broken),
                               "data": {**JOB["data"], "cache_mb": 0}}), encoding="utf-8")
    code, events, stderr = _ranks("--config", str(job), "--batch-size", "2", "--output-dir",
                                  str(tmp_path / "out"))
    assert code != 0
    errors = [e for e in events if e["type"] == "error"]
    assert len(errors) == 1 and events[-1] is errors[0], events[-3:]
    assert errors[0]["code"] == "ddp_rank_failed", errors[0]
    assert "rank 1" in errors[0]["message"] and second.name in errors[0]["message"]
    assert "satseg rank 1:" in stderr


@pytest.mark.parametrize("weighted", [False, True])
def test_rank_shards_of_one_epoch_are_the_single_process_order(weighted) -> None:
    """Uniform: 2 ranks together draw the single-process order without a repeat (the odd last
    index of 11 is left out); class-balanced: every rank takes its share of one weighted draw."""
    from satseg_engine.training.setup import EpochSampler

    weights = np.linspace(1.0, 3.0, 11) if weighted else None
    single = EpochSampler(11, 11, seed=5, weights=weights)
    single.set_epoch(3)
    order = list(single)
    shards = []
    for rank in range(2):
        sampler = EpochSampler(11, 11, seed=5, weights=weights)
        sampler.rank, sampler.world = rank, 2
        sampler.set_epoch(3)
        shards.append(list(sampler))
        assert len(sampler) == 5 and len(shards[-1]) == 5
    interleaved = [index for pair in zip(*shards, strict=True) for index in pair]
    if weighted:
        assert len(interleaved) == 10 and set(interleaved) <= set(range(11))
    else:
        assert interleaved == order[:10] and len(set(interleaved)) == 10
        assert sorted(order) == list(range(11))
