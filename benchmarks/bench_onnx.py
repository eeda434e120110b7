"""Prediction throughput on the CPU: PyTorch against ONNX Runtime, one run, same everything.

Same model (an smp U-Net/resnet18 with random weights saved as a satseg checkpoint, 10 bands,
training patch 256: bench_predict.py's), same generated raster, same windows (the default
`window auto`, and the training patch with --patch), same threads (`threads` 0: one per core
this process may use, for torch and for ONNX Runtime alike). Every row is its own process,
timed the same way: the wall time of the whole process (interpreter start and imports
included) and its peak resident memory (measure.py):

* export        `satseg export` of the checkpoint (conversion + numeric check), once;
* torch         `satseg predict` of the .pt, `--backend torch`;
* ort-onnx      `satseg predict` of the exported .onnx (ONNX Runtime);
* ort-pt        `satseg predict` of the .pt with `--backend onnxruntime` (converted in memory:
                what `--backend auto` would cost if it chose ONNX Runtime for a checkpoint).

    python benchmarks/bench_onnx.py [--sizes 2000] [--patch] [--rows export,torch,ort-onnx,ort-pt]

Prints a table (Mpx/s = raster megapixels / wall seconds), the wall ratios against `torch`
and how well each ONNX Runtime row's class map agrees with torch's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_predict import BANDS, PATCH, make_checkpoint, make_raster, satseg_row
from measure import measure

ROWS = ("export", "torch", "ort-onnx", "ort-pt")


def export_command(workdir: Path, ckpt: Path) -> list[str]:
    path = workdir / "job_export.json"
    path.write_text(json.dumps({"schema": 1, "checkpoint": str(ckpt)}))
    return [sys.executable, "-m", "satseg_engine", "export", "--config", str(path)]


def run_row(row: str, size: int, workdir: Path, raster: Path, ckpt: Path,
            windows: dict) -> dict:
    if row == "export":
        cmd = export_command(workdir, ckpt)
    else:
        model = ckpt.with_suffix(".onnx") if row == "ort-onnx" else ckpt
        backend = "torch" if row == "torch" else "onnxruntime"
        cmd = satseg_row(workdir, raster, model, f"{row}_{size}",
                         {"backend": backend, "threads": 0, **windows})
    wall, peak, out = measure(cmd)
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    if events[-1]["type"] != "done":
        raise SystemExit(f"{row}: {events[-1]}")
    summary = events[-1]["summary"]
    notes = [e["message"] for e in events if e["type"] == "log"
             and e["message"].startswith(("backend", "windows", "check"))]
    return {"row": row, "wall": wall, "peak_mb": peak, "windows": summary.get("windows", ""),
            "note": "; ".join(notes)[:160], "summary": summary}


def agreement(workdir: Path, size: int, row: str) -> float:
    import rasterio

    def read(name: str):
        with rasterio.open(workdir / "out" / f"{name}_{size}_classes.tif") as src:
            return src.read(1)

    a, b = read("torch"), read(row)
    valid = a != 255
    return float((a[valid] == b[valid]).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000")
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--patch", action="store_true", help="training-patch windows at half "
                                                             "overlap instead of window auto")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="satseg-bench-onnx-"))
    (workdir / "out").mkdir(parents=True, exist_ok=True)
    ckpt = workdir / "model_unet18.pt"
    make_checkpoint(ckpt, "unet18")
    windows = {"window": "patch", "overlap": 0.5} if args.patch else {}
    rows = args.rows.split(",")
    print(f"smp Unet/resnet18, patch {PATCH}, {BANDS} bands uint16, {os.cpu_count()} CPUs, "
          f"windows {windows or 'auto'}; wall = whole process, startup included", flush=True)
    print(f"{'size':>6} {'row':<9} {'windows':>7} {'wall s':>8} {'Mpx/s':>7} {'peak MB':>8}"
          f"  choices", flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        raster = workdir / f"scene_{size}.tif"
        if not raster.exists():
            make_raster(raster, size)
        results = {}
        for row in rows:
            result = results[row] = run_row(row, size, workdir, raster, ckpt, windows)
            mpx = "" if row == "export" else f"{size * size / 1e6 / result['wall']:.3f}"
            print(f"{size:>6} {row:<9} {result['windows']!s:>7} {result['wall']:>8.1f} "
                  f"{mpx:>7} {result['peak_mb']:>8.0f}  {result['note']}", flush=True)
        if "torch" in results:
            for row in ("ort-onnx", "ort-pt"):
                if row in results:
                    wall = results[row]["wall"] / results["torch"]["wall"]
                    peak = results[row]["peak_mb"] / results["torch"]["peak_mb"]
                    print(f"{size:>6} {row}/torch wall {wall:.2f}, peak {peak:.2f}; classes "
                          f"agree {agreement(workdir, size, row):.5f}", flush=True)


if __name__ == "__main__":
    main()
