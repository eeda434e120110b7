"""Training throughput: `satseg train` against a reference loop and the bare compute bound.

Three runs over the same patch dataset, model, loss, optimiser, batch size, workers, epochs and
batches per epoch, each in its own process and timed the same way (wall time of the whole
process, start-up included; peak memory summed over the process and its DataLoader workers):

* bound     — forward + loss + backward + AdamW step over in-memory tensors: no reading at all;
* reference — what research scripts do: a torch Dataset reading each GeoTIFF patch with rasterio,
              random flips and 90° rotations, scaling by a constant, CE + Dice, a validation pass
              and `torch.save(state_dict)` after every epoch;
* satseg    — `python -m satseg_engine train --config job.json` with its default logging rate,
              augmentation limited to flips and 90° rotations like the reference.

On a CUDA machine every run uses the GPU, and the bound is also timed in fp16 and bf16 autocast.

    python benchmarks/bench_train.py [--patch-size 128] [--bands 10] [--epochs 3] [--steps 15]

Prints the command line, satseg's train job and a table (patches/s, peak MiB, ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path

from measure import measure

REPO = Path(__file__).resolve().parents[1]

COMMON = r'''
import sys, json, time
import torch, segmentation_models_pytorch as smp
cfg = json.loads(sys.argv[1])
torch.manual_seed(0)
torch.set_num_threads(cfg["threads"])
device = torch.device(cfg["device"])
amp = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(cfg.get("amp"))
model = smp.create_model(cfg["architecture"], encoder_name=cfg["encoder"], encoder_weights=None,
                         in_channels=cfg["bands"], classes=cfg["classes"]).to(device)
scaler = torch.amp.GradScaler(device.type, enabled=amp == torch.float16)
ce = torch.nn.CrossEntropyLoss(ignore_index=255)
dice = smp.losses.DiceLoss("multiclass", ignore_index=255)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
def step(x, y):
    x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
    with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
        logits = model(x)
        loss = ce(logits, y) + dice(logits, y)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
'''

BOUND = COMMON + r'''
b, p = cfg["batch_size"], cfg["patch_size"]
x = torch.randn(b, cfg["bands"], p, p)
y = torch.randint(0, cfg["classes"], (b, p, p))
model.train()
for _ in range(cfg["epochs"] * cfg["steps"]):
    step(x, y)
if device.type == "cuda":
    torch.cuda.synchronize()
print(json.dumps({"patches": cfg["epochs"] * cfg["steps"] * b}))
'''

REFERENCE = COMMON + r'''
import numpy as np, rasterio
from pathlib import Path
root = Path(cfg["dataset"])
info = json.loads((root / "dataset.json").read_text())
values = [c["value"] for c in info["classes"]]
lut = np.full(256, 255, np.int64)
lut[values] = np.arange(len(values))

class Patches(torch.utils.data.Dataset):
    def __init__(self, split, train):
        self.images = sorted((root / "Patch" / split / "images").glob("*.tif"))
        self.train = train
    def __len__(self):
        return len(self.images)
    def __getitem__(self, i):
        with rasterio.open(self.images[i]) as src:
            x = src.read().astype(np.float32) / 10000.0
        with rasterio.open(str(self.images[i]).replace("/images/", "/labels/")) as src:
            y = lut[src.read(1)]
        if self.train:
            if np.random.rand() < 0.5:
                x, y = x[:, :, ::-1], y[:, ::-1]
            k = np.random.randint(4)
            x, y = np.rot90(x, k, (1, 2)), np.rot90(y, k)
        return torch.from_numpy(x.copy()), torch.from_numpy(y.copy())

loader = torch.utils.data.DataLoader(Patches("train", True), batch_size=cfg["batch_size"],
                                     shuffle=True, num_workers=cfg["workers"], drop_last=True)
val = torch.utils.data.DataLoader(Patches("validation", False), batch_size=cfg["batch_size"],
                                  num_workers=cfg["workers"])
seen = 0
for epoch in range(cfg["epochs"]):
    model.train()
    for i, (x, y) in enumerate(loader):
        if i == cfg["steps"]:
            break
        step(x, y)
        seen += len(x)
    model.eval()
    with torch.no_grad():
        for x, y in val:
            model(x)
    torch.save(model.state_dict(), Path(cfg["output"]) / "last.pt")
print(json.dumps({"patches": seen}))
'''


def satseg_job(args: argparse.Namespace, dataset: Path, out: Path, device: str) -> dict:
    """The train job: the reference's settings; everything else at satseg's defaults."""
    return {"schema": 1, "dataset": str(dataset), "output_dir": str(out), "epochs": args.epochs,
            "batch_size": args.batch_size, "device": device,
            "model": {"architecture": args.architecture, "encoder": args.encoder},
            "data": {"num_workers": args.workers, "steps_per_epoch": args.steps},
            "augment": {"flips": True, "rotate90": True, "scale": 0.0, "shift": 0.0,
                        "brightness": 0.0, "contrast": 0.0, "noise": 0.0},
            "loss": {"name": "dice_ce"}, "optim": {"optimizer": "adamw", "lr": 1e-3}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patch-size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--bands", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15, help="training batches per epoch")
    parser.add_argument("--architecture", default="Unet")
    parser.add_argument("--encoder", default="resnet18")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers (both)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests" / "engine"))
    from dataset_factory import make_dataset

    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]))
    tmp = Path(tempfile.mkdtemp(prefix="bench_train_"))
    dataset = make_dataset(tmp / "ds", bands=args.bands, patch_size=args.patch_size,
                           counts={"train": args.batch_size * args.steps, "validation": 8})
    threads = os.cpu_count() or 1
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    cfg = {"architecture": args.architecture, "encoder": args.encoder, "bands": args.bands,
           "classes": 3, "batch_size": args.batch_size, "patch_size": args.patch_size,
           "epochs": args.epochs, "steps": args.steps, "workers": args.workers,
           "threads": threads, "dataset": str(dataset), "output": str(tmp), "device": device}
    job = satseg_job(args, dataset, tmp / "satseg", device)
    (tmp / "job.json").write_text(json.dumps(job))
    print("satseg job: " + json.dumps(job))
    rows: dict[str, tuple[float, float, int]] = {}
    for name, code in (("bound", BOUND), ("reference", REFERENCE)):
        seconds, mib, out = measure([sys.executable, "-c", code, json.dumps(cfg)])
        rows[name] = (seconds, mib, json.loads(out.strip().splitlines()[-1])["patches"])
    seconds, mib, _ = measure([sys.executable, "-m", "satseg_engine", "train", "--config",
                               str(tmp / "job.json"), "--progress", "json"])
    rows["satseg"] = (seconds, mib, args.epochs * args.steps * args.batch_size)
    if device == "cuda":  # mixed precision: the bound in fp16 and bf16 beside fp32
        for amp in ("fp16", "bf16"):
            seconds, mib, out = measure([sys.executable, "-c", BOUND,
                                         json.dumps(cfg | {"amp": amp})])
            rows[f"bound {amp}"] = (seconds, mib, json.loads(out.strip().splitlines()[-1])[
                "patches"])
    print(f"\n{args.architecture}/{args.encoder}, {args.patch_size} px, {args.bands} bands, "
          f"batch {args.batch_size}, {args.epochs} epochs × {args.steps} batches, "
          f"{args.workers} workers, {threads} threads, {device}")
    print(f"{'run':<11}{'seconds':>9}{'patches/s':>11}{'peak MiB':>10}{'bound / run':>13}"
          f"{'ref / run':>11}")
    for name, (seconds, mib, patches) in rows.items():
        print(f"{name:<11}{seconds:>9.1f}{patches / seconds:>11.2f}{mib:>10.0f}"
              f"{rows['bound'][0] / seconds:>13.2f}{rows['reference'][0] / seconds:>11.2f}")
    print("ratios: time of the bound (or the reference) / time of the run; whole-process wall "
          "time, start-up included")
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
