"""Patch datasets: `dataset.json` reading/writing, split counts and the band statistics.

The nodata-aware per-band statistics (`BandStats`: mean, std, min, max, p1/p2/p98/p99) live in
data/band_stats.py, which runs them on NumPy or, on a GPU, CuPy (data/array_backend.py); they
are imported here so that `dataset.BandStats` stays where extraction finds it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from .band_stats import PERCENTILES, SAMPLE_SIZE, BandStats  # noqa: F401 - re-exported

KIND = "satseg-patch-dataset"
SCHEMA = 1
SPLIT_NAMES = ("train", "validation", "test")


class SplitCounts:
    """Patches, pixels per class and ignored pixels of one split."""

    def __init__(self) -> None:
        self.patches = 0
        self.class_pixels = np.zeros(256, dtype=np.int64)

    def add(self, label: np.ndarray) -> None:
        self.patches += 1
        self.class_pixels += np.bincount(label.ravel(), minlength=256)

    def merge(self, other: SplitCounts) -> None:
        self.patches += other.patches
        self.class_pixels += other.class_pixels

    def result(self, class_values: list[int], ignore_value: int) -> dict[str, Any]:
        return {"patches": self.patches,
                "class_pixels": {str(v): int(self.class_pixels[v]) for v in class_values},
                "ignored_pixels": int(self.class_pixels[ignore_value])}


# -- dataset.json ---------------------------------------------------------------------------

def write_dataset_json(root: Path, data: dict[str, Any]) -> Path:
    """Write ROOT/dataset.json atomically (the last file of a dataset)."""
    from ..core.events import to_jsonable

    final = Path(root) / "dataset.json"
    with atomic_path(final) as tmp:
        tmp.write_text(json.dumps(to_jsonable(data), indent=2), encoding="utf-8")
    return final


def dataset_json_path(path: Path) -> Path:
    path = Path(path)
    return path if path.suffix == ".json" else path / "dataset.json"


def read_dataset(path: Path, key: str = "dataset") -> dict[str, Any]:
    """Read and check a dataset.json (path to it or to its folder)."""
    file = dataset_json_path(path)
    if not file.exists():
        raise SatsegError("not_a_dataset", f"{key}: {path} is not a satseg patch dataset (no "
                          f"dataset.json)", key=key,
                          hint="give the output folder of 'satseg extract' (an interrupted "
                               "extraction leaves no dataset.json: run it again)")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SatsegError("not_a_dataset", f"{key}: {file} is not valid JSON ({exc.msg})",
                          key=key, hint="re-run 'satseg extract' to rebuild it") from None
    if data.get("kind") != KIND or data.get("schema") != SCHEMA:
        raise SatsegError("not_a_dataset", f"{key}: {file} is not a schema-{SCHEMA} satseg "
                          f"patch dataset (kind {data.get('kind')!r}, schema "
                          f"{data.get('schema')!r})", key=key,
                          hint="re-run 'satseg extract' with this engine version")
    return data


def patch_paths(root: Path, split: str) -> list[tuple[Path, Path]]:
    """(image, label) pairs of a split, sorted by id."""
    images = sorted((Path(root) / "Patch" / split / "images").glob("*.tif"))
    return [(p, p.parent.parent / "labels" / p.name) for p in images]


def dataset_warnings(info: dict[str, Any], found: dict[str, int]) -> list[str]:
    """What a training should say about a dataset before it starts: patches listed in
    dataset.json but missing on disk (`found`: patches per split), and classes with validation
    or test pixels but none in training (the model cannot learn them)."""
    out = []
    splits = info.get("splits") or {}
    for split, have in found.items():
        listed = int((splits.get(split) or {}).get("patches", have))
        if have < listed:
            out.append(f"{listed - have} of the {listed} {split} patches listed in dataset.json "
                       f"are missing (deleted or moved?): training uses the {have} left; "
                       "re-extract the dataset to restore them")
    pixels = {s: (splits.get(s) or {}).get("class_pixels") or {} for s in SPLIT_NAMES}
    for cls in info.get("classes") or []:
        key = str(cls.get("value"))
        held = {s: int(pixels[s].get(key, 0)) for s in ("validation", "test")}
        if pixels["train"] and not int(pixels["train"].get(key, 0)) and any(held.values()):
            where = ", ".join(f"{n} {s}" for s, n in held.items() if n)
            out.append(f"class '{cls.get('name', key)}' has no training pixels but {where} "
                       "pixels: the model cannot learn it; use another split (seed, "
                       "split_method) or more labels of it")
    return out
