"""Training defaults judged on areas the model never saw: the old defaults against the new ones.

Per generated scene (`satseg sample --scene`: plain = the demo's scene; rare = many small rare
classes; drift = the right part has other proportions and shifted spectra), the grid covers only
the left `--train-share` of the scene (patches split into train and validation blocks), every
recipe trains on those patches with the same epochs and seed, predicts the right part of the
scene (never seen in training or model selection) and `satseg evaluate` scores it against the
labels. Each command runs in its own process. Reported per scene and recipe: held-out mIoU,
overall accuracy, IoU of the held-out area's rarest class, and training wall time.

One dealing of the grid and one training seed swing held-out mIoU by 0.05 and more on these
small areas, so `--repeats N` runs every recipe N times on the same scene, repeat r with the grid
and training seed `--seed + r` (the same for every recipe), and reports the mean, the spread
(min–max) and how many repeats each recipe won against the first recipe.

Recipes: `old` is the previous defaults spelled out (they are no longer the defaults), the
checkpoint kept by best validation mIoU included; `new` is the job with no training option given
(the "auto" defaults, resolved per dataset); the others add one change each to a base (see
MODIFIERS): `old+balanced` is an ablation. Every recipe predicts with its `best_iou.pt`.

The epoch budget is the same for both (`--epochs`, given explicitly, so it wins over "auto"):
the epoch rule itself is not judged here, everything else the new defaults choose is.

    python benchmarks/bench_defaults.py [--size 768] [--patch 64] [--epochs 4] [--seed 7]
        [--repeats 3] [--scenes plain,rare,drift] [--recipes old,new] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from measure import measure

#: the defaults before "auto": every key they set, given explicitly
OLD = ["--model.encoder", "resnet34", "--data.num-workers", "2", "--data.class-balanced",
       "false", "--loss.name", "dice_ce", "--loss.class-weights", "none",
       "--augment.scale", "0.1", "--augment.shift", "0.1", "--augment.brightness", "0.1",
       "--augment.contrast", "0.1", "--augment.noise", "0.02", "--model.architecture", "Unet",
       "--optim.lr", "0.001", "--selection", "miou"]
#: recipe bases: `old` is the previous defaults spelled out; `new` gives no training option
BASES: dict[str, list[str]] = {"old": OLD, "new": []}
#: "+name" modifiers, each changing one thing (later flags win): `old+balanced+median` is the
#: old defaults with class-balanced sampling and median-frequency class weights
MODIFIERS: dict[str, list[str]] = {
    "inverse": ["--loss.class-weights", "inverse"],
    "median": ["--loss.class-weights", "median"],
    "sqrt_median": ["--loss.class-weights", "sqrt_median"],
    "rare": ["--loss.class-weights", "rare"],
    "rare_sqrt": ["--loss.class-weights", "rare_sqrt"],
    "noweights": ["--loss.class-weights", "none"],
    "balanced": ["--data.class-balanced", "true"],
    "uniform": ["--data.class-balanced", "false"],
    "focal_dice": ["--loss.name", "focal_dice"],
    "lovasz": ["--loss.name", "focal_lovasz"],
    "resnet18": ["--model.encoder", "resnet18"],
    "resnet34": ["--model.encoder", "resnet34"],
    "lr3e-3": ["--optim.lr", "0.003"],
    "lr3e-4": ["--optim.lr", "0.0003"],
    "last": ["--selection", "last"],
    "miou": ["--selection", "miou"],
    "custom_unet": ["--model.architecture", "custom_unet"],
    "custom_unet32": ["--model.architecture", "custom_unet", "--model.base-width", "32"],
    "unetpp": ["--model.architecture", "UnetPlusPlus"],
    "fpn": ["--model.architecture", "FPN"],
}


def recipe_flags(name: str) -> list[str]:
    """The train flags of `base+modifier+...`; SystemExit naming the valid parts otherwise."""
    base, *mods = name.split("+")
    unknown = [part for part in mods if part not in MODIFIERS]
    if base not in BASES or unknown:
        raise SystemExit(f"unknown recipe {name!r}: a base of {', '.join(BASES)} followed by "
                         f"'+modifier' parts of {', '.join(MODIFIERS)}")
    return [*BASES[base], *(flag for part in mods for flag in MODIFIERS[part])]


def satseg(*args: str) -> tuple[float, dict]:
    """(wall seconds, the verb's `done` summary); exits with the engine's error otherwise."""
    wall, _peak, out = measure([sys.executable, "-m", "satseg_engine", *args,
                                "--progress", "json"])
    last = json.loads(out.splitlines()[-1])
    if last["type"] != "done":
        raise SystemExit(f"satseg {args[0]} failed: {last}")
    return wall, last["summary"]


def make_scene(root: Path, scene: str, args: argparse.Namespace) -> dict:
    """The scene (seed `--seed`) and the extents of its left (training) and right parts."""
    folder = root / scene
    _, sample = satseg("sample", "--scene", scene, "--output-dir", str(folder / "sample"),
                       "--width", str(args.size), "--height", str(args.size), "--seed",
                       str(args.seed), "--overwrite")
    xmin, ymin, xmax, ymax = sample["bounds"]
    cut = xmin + round(args.size * args.train_share) * sample["pixel_size"]
    return {"image": sample["outputs"]["image"], "labels": sample["outputs"]["labels"],
            "left": (xmin, ymin, cut, ymax), "right": (cut, ymin, xmax, ymax), "folder": folder}


def make_dataset(scene: dict, seed: int, args: argparse.Namespace) -> dict:
    """A grid over the scene's left part dealt with `seed`, and its patches."""
    folder = scene["folder"] / f"seed{seed}"
    image, labels = scene["image"], scene["labels"]
    satseg("grid", "--image", image, "--labels", labels, "--output", str(folder / "grid.gpkg"),
           "--patch-size", str(args.patch), "--extent", ",".join(map(str, scene["left"])),
           "--split-method", "blocks", "--block-size", "4", "--ratios", "0.8,0.2,0",
           "--seed", str(seed), "--overwrite")
    satseg("extract", "--image", image, "--labels", labels, "--grid",
           str(folder / "grid.gpkg"), "--output-dir", str(folder / "dataset"), "--overwrite")
    return {**scene, "dataset": folder / "dataset", "folder": folder, "seed": seed}


def run_recipe(data: dict, name: str, args: argparse.Namespace) -> dict:
    out = data["folder"] / name.replace("+", "_")
    train_wall, summary = satseg(
        "train", "--dataset", str(data["dataset"]), "--output-dir", str(out / "model"),
        "--epochs", str(args.epochs), "--batch-size", "8", "--seed", str(data["seed"]),
        *recipe_flags(name))
    satseg("predict", "--raster", data["image"], "--checkpoint",
           summary["checkpoints"].get("best_iou", summary["checkpoints"]["last"]),
           "--output-dir", str(out / "prediction"), "--name", "heldout",
           "--extent", ",".join(map(str, data["right"])))
    _, scores = satseg("evaluate", "--prediction", str(out / "prediction/heldout_classes.tif"),
                       "--labels", data["labels"], "--output-dir", str(out / "prediction"))
    names = list(scores["per_class"])
    support = [sum(row) for row in scores["confusion_matrix"]]
    present = [i for i, count in enumerate(support) if count > 0]
    rarest = names[min(present, key=lambda i: support[i])]
    return {"recipe": name, "seed": data["seed"], "miou": scores["miou"],
            "accuracy": scores["overall_accuracy"],
            "rarest": rarest, "rarest_iou": scores["per_class"][rarest]["iou"],
            "rarest_share": support[names.index(rarest)] / sum(support),
            "per_class": {k: v["iou"] for k, v in scores["per_class"].items()},
            "train_s": train_wall}


def show(rows: list[dict]) -> None:
    print(f"{'scene':7}{'recipe':16}{'seed':>5}{'mIoU':>7}{'acc':>7}  "
          f"{'rarest class (share)':24}{'IoU':>6}{'train s':>9}")
    for r in rows:
        rare = f"{r['rarest']} ({100 * r['rarest_share']:.2f} %)"
        print(f"{r['scene']:7}{r['recipe']:16}{r['seed']:>5}{r['miou']:>7.3f}"
              f"{r['accuracy']:>7.3f}  {rare:24}{r['rarest_iou']:>6.3f}{r['train_s']:>9.0f}")


def summarise(rows: list[dict], recipes: list[str]) -> list[dict]:
    """Per scene and recipe: the mean and range over repeats, and the repeats (same seed) whose
    mIoU beat the first recipe's (None for the first recipe itself)."""
    out = []
    for scene in dict.fromkeys(r["scene"] for r in rows):
        base = {r["seed"]: r["miou"] for r in rows
                if r["scene"] == scene and r["recipe"] == recipes[0]}
        for name in recipes:
            mine = [r for r in rows if r["scene"] == scene and r["recipe"] == name]
            out.append({
                "scene": scene, "recipe": name, "repeats": len(mine),
                **{f"{key}_{stat}": fn([r[key] for r in mine]) for key in
                   ("miou", "accuracy", "rarest_iou")
                   for stat, fn in (("mean", statistics.fmean), ("min", min), ("max", max))},
                "wins": None if name == recipes[0] else sum(
                    r["miou"] > base[r["seed"]] for r in mine)})
    return out


def show_summary(summary: list[dict], first: str) -> None:
    print(f"\nmean (min–max) over repeats; wins: repeats whose mIoU beat '{first}' on the same "
          "grid and seed")
    print(f"{'scene':7}{'recipe':16}{'mIoU':>22}{'accuracy':>22}{'rarest IoU':>22}{'wins':>7}")
    for s in summary:
        cells = "".join(f"{s[k + '_mean']:>8.3f} ({s[k + '_min']:.3f}–{s[k + '_max']:.3f})"
                        for k in ("miou", "accuracy", "rarest_iou"))
        wins = "–" if s["wins"] is None else f"{s['wins']}/{s['repeats']}"
        print(f"{s['scene']:7}{s['recipe']:16}{cells}{wins:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=768, help="scene side in pixels")
    parser.add_argument("--patch", type=int, default=64, help="patch size in pixels")
    parser.add_argument("--epochs", type=int, default=4, help="epochs of every recipe")
    parser.add_argument("--seed", type=int, default=7, help="scene seed, and the grid and "
                        "training seed of the first repeat (7: both parts of the 768² scenes "
                        "hold every class)")
    parser.add_argument("--repeats", type=int, default=3, help="grid dealings and training "
                        "seeds per recipe (seeds --seed, --seed + 1, ...)")
    parser.add_argument("--train-share", type=float, default=0.6,
                        help="left share of the scene used for training")
    parser.add_argument("--scenes", default="plain,rare,drift")
    parser.add_argument("--recipes", default="old,new",
                        help=f"bases {', '.join(BASES)}, each with optional '+modifier' parts "
                             f"({', '.join(MODIFIERS)})")
    parser.add_argument("--keep", type=Path, help="keep the files here (results.json too)")
    args = parser.parse_args()
    recipes = args.recipes.split(",")
    for name in recipes:
        recipe_flags(name)
    with tempfile.TemporaryDirectory(prefix="satseg-bench-defaults-") as tmp:
        root = args.keep or Path(tmp)
        rows = []
        for scene_name in args.scenes.split(","):
            scene = make_scene(root, scene_name, args)
            for seed in range(args.seed, args.seed + args.repeats):
                data = make_dataset(scene, seed, args)
                for name in recipes:
                    rows.append({"scene": scene_name, **run_recipe(data, name, args)})
                    print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        summary = summarise(rows, recipes)
        if args.keep:
            (args.keep / "results.json").write_text(json.dumps(
                {"rows": rows, "summary": summary}, indent=2))
    print(f"held-out area: the right {100 * (1 - args.train_share):.0f} % of each "
          f"{args.size}² scene; {args.patch} px patches, {args.epochs} epochs, batch 8, "
          f"scene seed {args.seed}, {args.repeats} repeat(s)")
    show(rows)
    if args.repeats > 1:
        show_summary(summary, recipes[0])


if __name__ == "__main__":
    main()
