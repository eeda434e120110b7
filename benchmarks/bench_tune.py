"""Hyper-parameter search throughput: `satseg tune` with the median pruner against no pruning.

Both searches run on the same sample dataset (`satseg sample` → `grid` → `extract`), with the
same space, trial budget, epochs and seed, each in its own process and timed the same way (wall
time of the whole process, start-up and end reports included). Pruning stops trials whose
per-epoch validation mIoU lags behind the median of the finished trials, so more trials fit in
an hour; the best value found says what that costs.

    python benchmarks/bench_tune.py [--size 512] [--patch 64] [--epochs 4] [--trials 8]
        [--seed 7] [--plots DIR] [--keep DIR]

Prints the commands and, per search: wall seconds, trials/hour, complete and pruned trials,
the best validation mIoU and its parameters, and the ratio of trials/hour (pruned / none).
`--plots DIR` copies the pruned search's three Optuna plots there as
tune-optimization-history.png, tune-param-importances.png and tune-parallel-coordinate.png.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from measure import measure

SPACE = ["optim.lr=log_float:1e-5:3e-1", "model.base_width=choice:8,16",
         "loss.name=choice:dice_ce,focal_dice"]
PLOTS = ("optimization_history", "param_importances", "parallel_coordinate")


def satseg(*args: str) -> tuple[float, dict]:
    """(wall seconds, the verb's `done` summary); exits with the engine's error otherwise."""
    command = [sys.executable, "-m", "satseg_engine", *args, "--progress", "json"]
    wall, _peak, out = measure(command)
    last = json.loads(out.splitlines()[-1])
    if last["type"] != "done":
        raise SystemExit(f"satseg {args[0]} failed: {last}")
    return wall, last["summary"]


def make_dataset(root: Path, args: argparse.Namespace) -> Path:
    _, sample = satseg("sample", "--output-dir", str(root / "sample"), "--width",
                       str(args.size), "--height", str(args.size), "--seed", str(args.seed),
                       "--overwrite")
    image, labels = sample["outputs"]["image"], sample["outputs"]["labels"]
    satseg("grid", "--image", image, "--labels", labels, "--output", str(root / "grid.gpkg"),
           "--patch-size", str(args.patch), "--split-method", "blocks", "--block-size", "2",
           "--ratios", "0.7,0.3,0", "--seed", str(args.seed), "--overwrite")
    satseg("extract", "--image", image, "--labels", labels, "--grid", str(root / "grid.gpkg"),
           "--output-dir", str(root / "dataset"), "--overwrite")
    return root / "dataset"


def search(dataset: Path, out: Path, pruner: str, args: argparse.Namespace) -> dict:
    flags = ["tune", "--dataset", str(dataset), "--output-dir", str(out), "--epochs",
             str(args.epochs), "--batch-size", "8", "--seed", str(args.seed),
             "--model.architecture", "custom_unet", "--model.depth", "3",
             "--data.num-workers", "0", *[f for s in SPACE for f in ("--space", s)],
             "--search.trials", str(args.trials), "--search.pruner", pruner,
             "--search.startup-trials", "2", "--search.warmup-epochs", "1"]
    print("satseg " + shlex.join(flags[:1] + flags[1:]), file=sys.stderr, flush=True)
    wall, summary = satseg(*flags)
    trials = summary["trials"]
    finished = trials["complete"] + trials["pruned"]
    best = summary["best"] or {}
    return {"pruner": pruner, "wall_s": wall, "trials_per_hour": 3600 * finished / wall,
            "complete": trials["complete"], "pruned": trials["pruned"],
            "failed": trials["failed"], "best": best.get("value"),
            "params": best.get("params"), "plots": summary["plots"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="sample scene side in pixels")
    parser.add_argument("--patch", type=int, default=64, help="patch size in pixels")
    parser.add_argument("--epochs", type=int, default=4, help="epochs of every trial")
    parser.add_argument("--trials", type=int, default=8, help="trial budget of each search")
    parser.add_argument("--seed", type=int, default=7, help="scene, sampler and training seed")
    parser.add_argument("--plots", type=Path, help="copy the pruned search's plots here")
    parser.add_argument("--keep", type=Path, help="keep the files here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="satseg-bench-tune-") as tmp:
        root = args.keep or Path(tmp)
        dataset = make_dataset(root, args)
        rows = [search(dataset, root / f"search_{p}", p, args) for p in ("none", "median")]
        if args.plots:
            args.plots.mkdir(parents=True, exist_ok=True)
            for role in PLOTS:
                shutil.copyfile(rows[1]["plots"][role],
                                args.plots / f"tune-{role.replace('_', '-')}.png")
    print(f"{args.size}² sample scene, {args.patch} px patches, custom_unet depth 3, "
          f"{args.epochs} epochs per trial, {args.trials} trials, seed {args.seed}, space: "
          f"{' '.join(SPACE)}")
    print(f"{'pruner':8}{'wall s':>8}{'trials/h':>10}{'complete':>10}{'pruned':>8}"
          f"{'best mIoU':>11}  best parameters")
    for r in rows:
        best = "-" if r["best"] is None else f"{r['best']:.3f}"
        params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in (r["params"] or {}).items())
        print(f"{r['pruner']:8}{r['wall_s']:>8.0f}{r['trials_per_hour']:>10.1f}"
              f"{r['complete']:>10}{r['pruned']:>8}{best:>11}  {params}")
    print(f"trials/hour, median pruner / none: "
          f"{rows[1]['trials_per_hour'] / rows[0]['trials_per_hour']:.2f}")


if __name__ == "__main__":
    main()
