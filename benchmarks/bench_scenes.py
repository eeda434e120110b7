"""Many-scene prediction: N scenes in one `satseg predict` run (the model loaded once) against N
separate `satseg predict` processes (the model loaded N times).

Same checkpoint (bench_predict.py's: a U-Net/resnet18 with random weights, 10 bands, or the tiny
custom U-Net with --model tiny), same N generated rasters of --size², same windows and threads,
on the CPU (or `--device cuda`). Every row is timed the same way: the wall time of whole
processes (interpreter start and imports included, measure.py):

* separate   N processes, one a scene (`--raster FILE`): the sum of their wall times;
* one-run    one process, every scene (`--raster FOLDER`): scenes.json, the model loaded once;
* rerun      the same one-run again into the same folder: every scene complete, skipped;
* torchrun-2 `torchrun --standalone --nproc-per-node 2` (gloo, one CPU process a rank): the
             scenes sharded over two ranks (useful with two free cores or two GPUs).

    python benchmarks/bench_scenes.py [--scenes 8] [--size 256] [--model unet18|tiny]
                                      [--device cpu|cuda]
                                      [--rows separate,one-run,rerun,torchrun-2]

Prints scenes/min and Mpx/s (scene megapixels / wall seconds) per row, and each row's wall
time as a ratio of `separate`'s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_predict import make_checkpoint, make_raster
from measure import measure

ROWS = ("separate", "one-run", "rerun", "torchrun-2")


def predict_cmd(workdir: Path, name: str, job: dict, prefix: list[str] | None = None
                ) -> list[str]:
    path = workdir / f"job_{name}.json"
    path.write_text(json.dumps({"schema": 1, **job}))
    return [*(prefix or [sys.executable]), "-m", "satseg_engine", "predict", "--config",
            str(path)]


def timed(cmd: list[str], what: str) -> tuple[float, dict]:
    wall, _peak, out = measure(cmd)
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if not events or events[-1]["type"] != "done":
        raise SystemExit(f"{what}: {events[-1] if events else 'no events'}")
    return wall, events[-1]["summary"]


def run_row(row: str, workdir: Path, scenes: list[Path], ckpt: Path, threads: int,
            device: str) -> dict:
    common = {"checkpoint": str(ckpt), "device": device, "threads": threads}
    if row == "separate":
        wall = 0.0
        for scene in scenes:
            seconds, _ = timed(predict_cmd(workdir, f"sep_{scene.stem}", {
                **common, "raster": str(scene), "output_dir": str(workdir / "separate")}),
                f"separate {scene.name}")
            wall += seconds
        return {"row": row, "wall": wall, "predicted": len(scenes), "skipped": 0}
    folder = "one-run" if row in ("one-run", "rerun") else row
    prefix = None
    if row == "torchrun-2":
        prefix = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                  "--nproc-per-node", "2"]
        common = {**common, "threads": max(1, threads // 2) if threads else 1}
    wall, summary = timed(predict_cmd(workdir, row, {
        **common, "raster": str(scenes[0].parent), "output_dir": str(workdir / folder)},
        prefix), row)
    return {"row": row, "wall": wall, "predicted": summary["predicted"],
            "skipped": summary["skipped"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=8)
    parser.add_argument("--size", type=int, default=256, help="scene side in pixels")
    parser.add_argument("--model", default="unet18", choices=("unet18", "tiny"))
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (torchrun-2: one GPU a "
                        "rank, nccl)")
    parser.add_argument("--rows", default=",".join(ROWS))
    args = parser.parse_args()
    rows = [r for r in args.rows.split(",") if r]
    unknown = set(rows) - set(ROWS)
    if unknown:
        raise SystemExit(f"unknown rows {sorted(unknown)}; choose from {ROWS}")
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads or os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="bench_scenes_") as tmp:
        workdir = Path(tmp)
        ckpt = workdir / "model.pt"
        make_checkpoint(ckpt, args.model)
        (workdir / "scenes").mkdir()
        scenes = []
        for i in range(args.scenes):
            scenes.append(workdir / "scenes" / f"scene{i:03d}.tif")
            make_raster(scenes[-1], args.size)
        megapixels = args.scenes * args.size ** 2 / 1e6
        print(f"{args.scenes} scenes of {args.size}² ({megapixels:.2f} Mpx), model "
              f"{args.model} on {args.device}, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f}")
        results = [run_row(row, workdir, scenes, ckpt, args.threads, args.device)
                   for row in rows]
    base = next((r["wall"] for r in results if r["row"] == "separate"), None)
    print(f"{'row':<11} {'wall s':>8} {'scenes/min':>11} {'Mpx/s':>7} {'predicted':>9} "
          f"{'skipped':>7} {'vs separate':>11}")
    for r in results:
        ratio = f"{r['wall'] / base:.2f}x" if base else "-"
        print(f"{r['row']:<11} {r['wall']:>8.2f} {args.scenes / r['wall'] * 60:>11.1f} "
              f"{megapixels / r['wall']:>7.3f} {r['predicted']:>9} {r['skipped']:>7} "
              f"{ratio:>11}")


if __name__ == "__main__":
    main()
