"""DistributedDataParallel: `torchrun` with N processes against one process on the same batches.

Both runs train the same model on the same patch dataset for the same epochs, each in its own
process tree and timed the same way (wall time of the whole launch, start-up included):

* one    — `python -m satseg_engine train --batch-size N×B` (one process, all its threads);
* ranks  — `python -m torch.distributed.run --standalone --nproc-per-node N -m satseg_engine
           train --batch-size B` (gloo on the CPU, one thread per rank as torchrun sets it;
           nccl with one GPU per rank on a CUDA machine).

Every step of the ranks covers exactly the samples of one step of the single process (per-pixel
cross-entropy, every pixel labelled, no augmentation or dropout, SGD), so the per-epoch metrics
must agree: the table prints the largest difference. On the CPU both runs share the same cores,
so the ratio says what DDP costs or gains on this machine, not what it does on N GPUs; with
`--device cuda` the comparison is N GPUs (all of them by default) against one.

    python benchmarks/bench_ddp.py [--patches 64] [--patch-size 64] [--batch 4] [--epochs 2]
                                   [--processes 2] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from measure import measure

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "engine"))


def make_data(root: Path, patches: int, patch_size: int) -> Path:
    import rasterio
    from dataset_factory import make_dataset

    dataset = make_dataset(root / "patches", patch_size=patch_size, bands=4,
                           counts={"train": patches, "validation": max(2, patches // 4)})
    for path in dataset.glob("Patch/*/labels/*.tif"):  # every pixel labelled
        with rasterio.open(path, "r+") as dst:
            label = dst.read(1)
            label[label == 255] = 1
            dst.write(label, 1)
    return dataset


def epoch_metrics(stdout: str) -> dict[tuple, dict[str, float]]:
    events = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    if not events or events[-1]["type"] != "done":
        raise SystemExit(f"the run did not end with done: {events[-1:]}")
    return {(e["epoch"], e["split"]): e["values"] for e in events
            if e["type"] == "metric" and e.get("step") is None and e["split"] != "test"}


def largest_difference(a: dict, b: dict) -> float:
    if a.keys() != b.keys():
        raise SystemExit(f"different metric rows: {sorted(a)} vs {sorted(b)}")
    return max(abs(a[k][name] - b[k][name]) for k in a for name in a[k])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patches", type=int, default=64)
    parser.add_argument("--patch-size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=4, help="per process")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--processes", type=int, default=0, help="0: 2 on the CPU, every GPU "
                        "with --device cuda")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    args = parser.parse_args()
    processes = args.processes
    if not processes:
        import torch

        processes = torch.cuda.device_count() if args.device == "cuda" else 2
    if processes < 2:
        raise SystemExit(f"DDP needs 2 processes or more (found {processes} for "
                         f"{args.device})")
    with tempfile.TemporaryDirectory(prefix="bench-ddp-") as tmp:
        root = Path(tmp)
        dataset = make_data(root, args.patches, args.patch_size)
        job = {"dataset": str(dataset), "epochs": args.epochs, "seed": 1, "device": args.device,
               "model": {"architecture": "custom_unet", "depth": 3, "base_width": 16,
                         "dropout": 0.0},
               "data": {"num_workers": 0, "normalization": "standardize",
                        "class_balanced": False},
               "augment": {"enabled": False}, "loss": {"name": "ce", "class_weights": "none"},
               "optim": {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9}}
        (root / "job.json").write_text(json.dumps(job), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE")}
        engine = ["-m", "satseg_engine", "train", "--config", str(root / "job.json"),
                  "--progress", "json"]
        one = [sys.executable, *engine, "--batch-size", str(args.batch * processes),
               "--output-dir", str(root / "one")]
        if args.device == "cuda":
            one += ["--device", "cuda:0"]
        ranks = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                 "--nproc-per-node", str(processes), *engine, "--batch-size", str(args.batch),
                 "--output-dir", str(root / "ranks")]
        print("one:  ", " ".join(one[1:]))
        print("ranks:", " ".join(ranks[1:]))
        samples = args.epochs * (args.patches // (args.batch * processes)) * args.batch * processes
        rows = []
        for name, cmd in (("one", one), ("ranks", ranks)):
            wall, peak, out = measure(cmd, env=env)
            rows.append((name, wall, peak, epoch_metrics(out)))
    (_, wall_one, _, m_one), (_, wall_ranks, _, m_ranks) = rows
    print(f"\n{args.device}, {processes} processes × batch {args.batch} vs 1 process × batch "
          f"{args.batch * processes}; {args.patches} training patches of {args.patch_size} px, "
          f"{args.epochs} epochs, cpu count {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    print(f"{'run':6} {'wall s':>8} {'samples/s':>10} {'peak MiB':>9}")
    for name, wall, peak, _m in rows:
        print(f"{name:6} {wall:8.1f} {samples / wall:10.2f} {peak:9.0f}")
    print(f"ranks/one throughput ratio: {wall_one / wall_ranks:.2f}")
    print(f"largest per-epoch metric difference: {largest_difference(m_one, m_ranks):.2e}")


if __name__ == "__main__":
    main()
