"""Training throughput: the real `satseg train` loop vs a bare forward/backward loop.

Both run the same model, loss, optimiser and batch size in the same process. The real loop reads
GeoTIFF patches, normalises, augments, accumulates metrics and emits events; its rate is taken
from the step events of its second epoch (warm, no start-up or validation). With CUDA, the bare
loop is also timed in fp32 and mixed precision.

    python benchmarks/bench_train.py [--patch-size 64] [--batch-size 8] [--steps 20]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "engine"))

from dataset_factory import make_dataset

from satseg_engine.core.cli import run_job
from satseg_engine.core.events import Events
from satseg_engine.models import registry as models
from satseg_engine.models.losses import LossParams, build_loss


def real_loop_rate(args: argparse.Namespace, root: Path, out: Path, workers: int) -> float:
    """Patches/s of `train` from the step events of epoch 2."""
    stream = io.StringIO()
    job = {"dataset": str(root), "output_dir": str(out), "epochs": 2,
           "batch_size": args.batch_size, "device": args.device, "log_every_steps": 1,
           "model": {"architecture": args.architecture, "encoder": args.encoder,
                     "depth": args.depth, "base_width": args.base_width},
           "data": {"num_workers": workers, "steps_per_epoch": args.steps},
           "loss": {"name": "dice_ce"}}
    run_job("train", job, Events(stream))
    steps = [e for e in map(json.loads, stream.getvalue().splitlines())
             if e["type"] == "metric" and e.get("step") is not None and e["epoch"] == 2]
    elapsed = steps[-1]["t"] - steps[0]["t"]
    return (len(steps) - 1) * args.batch_size / elapsed


def bare_loop_rate(args: argparse.Namespace, device: torch.device,
                   amp: torch.dtype | None = None) -> float:
    """Patches/s of forward + loss + backward + AdamW step over in-memory tensors."""
    model = models.build_model(args.architecture, args.encoder, args.bands, 3,
                               {"depth": args.depth, "base_width": args.base_width}
                               if args.architecture == "custom_unet" else {}).to(device)
    loss_fn = build_loss("dice_ce", "multiclass", LossParams(), 255).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler(device.type, enabled=amp == torch.float16)
    x = torch.randn(args.batch_size, args.bands, args.patch_size, args.patch_size, device=device)
    y = torch.randint(0, 3, (args.batch_size, args.patch_size, args.patch_size), device=device)

    def step() -> None:
        with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
            loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    model.train()
    for _ in range(3):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return args.steps * args.batch_size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patch-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--bands", type=int, default=4)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--architecture", default="custom_unet")
    parser.add_argument("--encoder", default="resnet18")
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--base-width", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available()
                          else ("cpu" if args.device == "auto" else args.device))
    results: dict[str, object] = {"device": str(device), "threads": torch.get_num_threads(),
                                  "config": vars(args)}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_dataset(Path(tmp) / "ds", bands=args.bands, patch_size=args.patch_size,
                            counts={"train": args.batch_size * args.steps, "validation": 2})
        bare = bare_loop_rate(args, device)
        results["bare_patches_per_s"] = round(bare, 2)
        for workers in args.workers:
            real = real_loop_rate(args, root, Path(tmp) / f"out{workers}", workers)
            results[f"real_patches_per_s_workers{workers}"] = round(real, 2)
            results[f"overhead_pct_workers{workers}"] = round(100 * (bare - real) / bare, 1)
        again = bare_loop_rate(args, device)  # re-measured: a loaded machine drifts
        results["bare_patches_per_s_after"] = round(again, 2)
    if device.type == "cuda":
        for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
            rate = bare_loop_rate(args, device, dtype)
            results[f"bare_{name}_patches_per_s"] = round(rate, 2)
            results[f"{name}_speedup"] = round(rate / bare, 2)
    else:
        results["mixed_precision"] = "skipped: no CUDA device (fp16/bf16 AMP is GPU-only here)"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
