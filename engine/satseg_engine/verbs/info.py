"""`satseg info DATASET`: a patch dataset's summary (patches, classes, bands, statistics)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..core import jobs
from ..core.jobs import option

POSITIONAL = "dataset"
HELP = "summarise a patch dataset: patches per split, class pixels, bands and statistics"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    dataset: Path = option(help="dataset folder (or its dataset.json)", exists="path")


def _share(part: int, total: int) -> str:
    return f"{part} ({part / total:.1%})" if total else str(part)


def summarise(data: dict[str, Any], root: Path) -> dict[str, Any]:
    """A compact, readable summary (renders as a table in bar mode)."""
    splits = data["splits"]
    classes = {}
    for c in data["classes"]:
        row = {}
        for split, counts in splits.items():
            total = sum(counts.get("class_pixels", {}).values())
            row[split] = _share(counts.get("class_pixels", {}).get(str(c["value"]), 0), total)
        classes[f"{c['value']} {c['name']} ({c.get('colour', '')})"] = row
    bands = {}
    for b in data["statistics"]["bands"]:
        def fmt(v: Any) -> str:
            return "-" if v is None else f"{v:.4g}"

        bands[b["name"]] = (f"mean {fmt(b['mean'])}  std {fmt(b['std'])}  "
                            f"p2 {fmt(b['p2'])}  p98 {fmt(b['p98'])}  "
                            f"min {fmt(b['min'])}  max {fmt(b['max'])}")
    grid = data.get("grid", {})
    return {
        "dataset": str(root.resolve()),
        "created": data.get("created"),
        "engine_version": data.get("engine_version"),
        "patch_size": data["patch_size"],
        "crs": data.get("crs"), "pixel_size": data.get("pixel_size"),
        "dtype": data.get("dtype"), "nodata": data.get("nodata"),
        "patches": {s: c["patches"] for s, c in splits.items()},
        "ignored_pixels": {s: c.get("ignored_pixels", 0) for s, c in splits.items()},
        "split_method": f"{grid.get('split_method')} (seed {grid.get('seed')}, ratios "
                        f"{grid.get('ratios')})",
        "classes": classes,
        "band_statistics (train)": bands,
        "images": data.get("provenance", {}).get("images", []),
    }


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..data.dataset import dataset_json_path, read_dataset

    data = read_dataset(job.dataset)
    root = dataset_json_path(job.dataset).parent
    return summarise(data, root)
