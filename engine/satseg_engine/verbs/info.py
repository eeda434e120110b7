"""`satseg info DATASET`: a patch dataset's summary (patches, classes, sources, bands,
statistics); `satseg info RASTER --stats`: a raster's per-band statistics, read by windows."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

from ..core import jobs
from ..core.errors import SatsegError
from ..core.jobs import option

POSITIONAL = "dataset"
HELP = ("summarise a patch dataset: patches per split, class pixels, bands and statistics; "
        "or a raster's band statistics (--stats)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    dataset: Path = option(help="dataset folder (or its dataset.json), or a raster with --stats",
                           exists="path")
    stats: bool = option(False, help="the raster's per-band statistics over all its pixels "
                                     "(mean, std, min, max, p1/p2/p98/p99, nodata-aware), read "
                                     "by windows")
    bands: tuple[int, ...] = option((), help="with --stats: 1-based bands (empty: all)", min=1)
    arrays: Literal["auto", "numpy", "cupy"] | None = option(
        None, help="with --stats: array module (auto: CuPy on a GPU, else NumPy; default "
                   "$SATSEG_ARRAYS or auto)")


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
    bands = _band_rows(data["statistics"]["bands"])
    grid = data.get("grid", {})
    described = data.get("sources") or {}
    others = {name: _band_rows(entry.get("statistics", {}).get("bands", []))
              for name, entry in described.items() if name != "images"}
    extra = {"sources": _sources(data)}
    if others:
        extra["source_statistics (train)"] = others
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
    } | extra


def _fmt(v: Any) -> str:
    return "-" if v is None else f"{v:.4g}"


def _band_rows(stats: list[dict[str, Any]]) -> dict[str, str]:
    return {b["name"]: (f"mean {_fmt(b['mean'])}  std {_fmt(b['std'])}  "
                        f"p2 {_fmt(b['p2'])}  p98 {_fmt(b['p98'])}  "
                        f"min {_fmt(b['min'])}  max {_fmt(b['max'])}") for b in stats}


def _sources(data: dict[str, Any]) -> dict[str, str]:
    """One line per source: bands, dates (and how many patches hold each), resampling."""
    from ..data.sources import dataset_sources

    out = {}
    for source in dataset_sources(data):
        entry = (data.get("sources") or {}).get(source.name, {})
        text = f"{len(source.band_names)} bands ({', '.join(source.band_names)})"
        if source.temporal:
            held = (entry.get("counts") or {}).get("date_patches") or []
            patches = (entry.get("counts") or {}).get("patches")
            dates = [f"{d or 'padding'}" + (f" [{held[i]}/{patches}]" if i < len(held) and
                                            patches else "")
                     for i, d in enumerate(source.dates)]
            text += f"; {source.slots} dates: {', '.join(dates)}"
        else:
            text += "; single date"
        text += f"; resampling {source.resampling}"
        if source.name != "images" or source.temporal:
            text += f"; max_nodata_frac {source.max_nodata_frac:g}"
        out[source.name] = text
    return out


def raster_stats(job: Job, events: Any) -> dict[str, Any]:
    """The whole raster's statistics (data/raster_stats.py) with readable band rows."""
    from ..data.raster_stats import raster_statistics

    result = raster_statistics(job.dataset, job.bands, job.arrays, events, key="dataset")
    arrays = result["arrays"]
    return {"raster": result["raster"], "size": f"{result['width']} x {result['height']}",
            "dtype": result["dtype"], "nodata": result["nodata"],
            "arrays": f"{arrays['backend']} ({arrays['reason']})",
            "band_statistics": _band_rows(result["bands"]), "statistics": result["bands"]}


def device(job: Job) -> str:
    """The `started` event's device: `cuda` when --stats computes on CuPy, else `cpu`."""
    if not job.stats:
        return "cpu"
    from ..data.array_backend import select

    try:
        return "cuda" if select(job.arrays).name == "cupy" else "cpu"
    except SatsegError:
        return "cpu"  # the run itself raises it, with the fix


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..data.dataset import dataset_json_path, read_dataset

    if job.stats:
        if Path(job.dataset).is_dir() or Path(job.dataset).suffix == ".json":
            raise SatsegError("not_a_raster", f"dataset: --stats reads a raster, and "
                              f"{job.dataset} is a dataset", key="dataset",
                              hint="give a raster (GeoTIFF) with --stats; a dataset's training "
                                   "statistics are in 'satseg info DATASET'")
        return raster_stats(job, events)
    if Path(job.dataset).is_file() and Path(job.dataset).suffix != ".json":
        raise SatsegError("not_a_dataset", f"dataset: {job.dataset} is a file, not a patch "
                          "dataset", key="dataset",
                          hint="add --stats for a raster's per-band statistics, or give the "
                               "output folder of 'satseg extract'")
    data = read_dataset(job.dataset)
    root = dataset_json_path(job.dataset).parent
    return summarise(data, root)
