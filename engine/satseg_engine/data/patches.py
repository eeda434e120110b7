"""Writing patches: one task = a run of cells of one image, done in-process or in a worker.

A worker keeps the image and label reader of its last task open (per-process handles, reopened
when a task names another image), and with `sources` one aligned reader per source raster.
Each patch is read by its window (memory bounded by the patch), written as GeoTIFFs (image,
label, one per other source) with the patch's own transform, and counted into mergeable
statistics (train split only) returned with the task's result.
"""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import SatsegError
from ..geo.labels import IGNORE, LabelSpec, hex_to_rgb, open_reader
from ..geo.tiling import Cell
from .dataset import BandStats, SplitCounts
from .source_plan import SourcePlan


@dataclasses.dataclass(frozen=True)
class Task:
    image: str
    bands: tuple[int, ...]
    labels: LabelSpec
    cells: tuple[tuple[Cell, int, str], ...]  # (cell, id, split)
    root: str
    compress: str
    seed: int
    max_nodata_frac: float = 1.0
    min_labelled_frac: float = 0.0
    sources: tuple[SourcePlan, ...] = ()  # with `sources`: the image's plan first


@dataclasses.dataclass
class Result:
    stats: list[BandStats]
    counts: dict[str, SplitCounts]
    cells: list[tuple[int, str, float, float]]  # (id, image stem, valid_frac, labelled_frac)
    empty: int = 0
    unlabelled: int = 0
    error: tuple[str, str, str | None, str | None] | None = None
    # with `sources`, per source: statistics per base band, patches holding each slot, cells
    # dropped because of that source
    source_stats: dict[str, list[BandStats]] = dataclasses.field(default_factory=dict)
    present: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    dropped: dict[str, int] = dataclasses.field(default_factory=dict)


_OPEN: dict[str, Any] = {}


def worker_init() -> None:
    """Workers ignore Ctrl-C (the parent handles it and terminates them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _handles(task: Task) -> tuple[Any, Any]:
    import rasterio

    key = f"{task.image}|{task.labels.path}|{task.sources!r}"
    if _OPEN.get("key") != key:
        close_handles()
        image = rasterio.open(task.image)
        _OPEN.update(key=key, image=image, labels=open_reader(task.labels, image))
        if task.sources:
            from .source_patches import open_readers

            _OPEN["readers"] = open_readers(task.sources, image)
    return _OPEN["image"], _OPEN["labels"]


def close_handles() -> None:
    if "readers" in _OPEN:
        from .source_patches import close_readers

        close_readers(_OPEN["readers"])
    if "image" in _OPEN:
        _OPEN["labels"].close()
        _OPEN["image"].close()
    _OPEN.clear()


def run_task(task: Task) -> Result:
    """Write the task's patches; user errors come back as data (exceptions may not pickle)."""
    from rasterio.errors import RasterioIOError

    try:
        return _run_sources(task) if task.sources else _run(task)
    except SatsegError as exc:
        return Result([], {}, [], error=(exc.code, exc.message, exc.hint, exc.key))
    except RasterioIOError as exc:
        if "Read failed" not in str(exc):
            raise  # a write that failed (full disk): the command line's disk_full
        cause = str(exc.__cause__ or exc).splitlines()[0][:200]
        return Result([], {}, [], error=(
            "raster_unreadable", f"{task.image} (or its labels) cannot be read to the end: "
            f"the file is damaged or cut short ({cause})", "copy the file again from its "
            "source, or check it with gdalinfo -checksum", "image"))


def _run(task: Task) -> Result:
    from rasterio.windows import Window

    from ..geo.rasters import band_names, valid_mask

    image, labels = _handles(task)
    bands = list(task.bands)
    dtype = image.dtypes[bands[0] - 1]
    stats = [BandStats(dtype, image.nodata, seed=task.seed + i) for i in range(len(bands))]
    counts = {s: SplitCounts() for s in ("train", "validation", "test")}
    result = Result(stats, counts, [])
    names = band_names(image, bands)
    stem = Path(task.image).stem
    colormap = {v: (*hex_to_rgb(c), 255) for v, _, c in task.labels.classes if c}
    for cell, cell_id, split in task.cells:
        window = Window(cell.col_off, cell.row_off, cell.size, cell.size)
        data = image.read(bands, window=window)
        valid = valid_mask(image, bands, window, data)
        valid_frac = float(valid.mean())
        if valid_frac == 0 or 1 - valid_frac > task.max_nodata_frac + 1e-9:
            result.empty += 1
            continue
        label, labelled_frac = _cell_label(labels, cell, valid)
        if labelled_frac < task.min_labelled_frac - 1e-9:
            result.unlabelled += 1
            continue
        folder, patch_id, profile = _cell_target(task, image, window, stem, cell_id, split)
        _write(folder / "images" / f"{patch_id}.tif", data,
               {**profile, "count": len(bands), "dtype": dtype, "nodata": image.nodata},
               descriptions=names)
        _write_label(folder, patch_id, label, profile, colormap)
        counts[split].add(label)
        if split == "train":
            for band_stats, band in zip(stats, data, strict=True):
                band_stats.add(band)
        result.cells.append((cell_id, stem, valid_frac, labelled_frac))
    return result


def _cell_label(labels: Any, cell: Cell, valid: np.ndarray) -> tuple[np.ndarray, float]:
    """The cell's label patch (ignore value where the image is invalid), its labelled share."""
    label = labels.read(cell)
    label[~valid] = IGNORE
    return label, float((label != IGNORE).mean())


def _cell_target(task: Task, image: Any, window: Any, stem: str, cell_id: int, split: str
                 ) -> tuple[Path, str, dict[str, Any]]:
    """Where a cell's patches go: the split folder, the patch id, the GeoTIFF profile."""
    from rasterio.windows import transform as window_transform

    transform = window_transform(window, image.transform)
    profile = _profile(image, int(window.width), transform, task.compress)
    return Path(task.root) / "Patch" / split, f"{stem}_{cell_id:06d}", profile


def _write_label(folder: Path, patch_id: str, label: np.ndarray, profile: dict[str, Any],
                 colormap: dict[int, Any]) -> None:
    _write(folder / "labels" / f"{patch_id}.tif", label[None],
           {**profile, "count": 1, "dtype": "uint8", "nodata": IGNORE}, colormap=colormap)


def _run_sources(task: Task) -> Result:
    """`_run` with sources: every source read on the image grid, cut, checked and written."""
    from rasterio.windows import Window

    from . import source_patches as cut

    image, labels = _handles(task)
    readers = _OPEN["readers"]
    plans = task.sources
    primary = plans[0]
    result = Result([], {s: SplitCounts() for s in ("train", "validation", "test")}, [])
    for i, plan in enumerate(plans):
        result.source_stats[plan.name] = [BandStats(plan.dtype, plan.nodata,
                                                    seed=task.seed + 1000 * i + b)
                                          for b in range(len(plan.bands))]
        result.present[plan.name] = [0] * plan.slots
        result.dropped[plan.name] = 0
    result.stats = result.source_stats[primary.name]
    stem = Path(task.image).stem
    colormap = {v: (*hex_to_rgb(c), 255) for v, _, c in task.labels.classes if c}
    for cell, cell_id, split in task.cells:
        window = Window(cell.col_off, cell.row_off, cell.size, cell.size)
        cut_ = {}
        for plan in plans:
            data, valid, present = cut.read_source(plan, readers[plan.name], window)
            if not cut.keep_cell(plan, valid, present):
                if plan.primary:
                    result.empty += 1
                result.dropped[plan.name] += 1
                break
            cut_[plan.name] = (data, valid, present)
        else:
            image_valid = cut.image_validity(primary, *cut_[primary.name][1:])
            label, labelled_frac = _cell_label(labels, cell, image_valid)
            if labelled_frac < task.min_labelled_frac - 1e-9:
                result.unlabelled += 1
                continue
            folder, patch_id, profile = _cell_target(task, image, window, stem, cell_id, split)
            for plan in plans:
                data, _, present = cut_[plan.name]
                cut.write_source(folder / plan.name / f"{patch_id}.tif", plan, data, profile,
                                 _write)
                if split == "train":
                    cut.add_statistics(result.source_stats[plan.name], plan, data, present)
                result.present[plan.name] = [n + int(p) for n, p in
                                             zip(result.present[plan.name], present,
                                                 strict=True)]
            _write_label(folder, patch_id, label, profile, colormap)
            result.counts[split].add(label)
            result.cells.append((cell_id, stem, float(image_valid.mean()), labelled_frac))
    return result


def _profile(image: Any, size: int, transform: Any, compress: str) -> dict[str, Any]:
    profile: dict[str, Any] = {"driver": "GTiff", "width": size, "height": size,
                               "crs": image.crs, "transform": transform}
    # striped, not tiled: a patch is always read whole, and striped writes are ~25 % faster
    if compress != "none":
        profile.update(compress=compress, predictor=2)
    return profile


def _write(path: Path, data: np.ndarray, profile: dict[str, Any],
           descriptions: list[str] | None = None, colormap: dict[int, Any] | None = None,
           tags: dict[str, str] | None = None) -> None:
    import rasterio

    if data.dtype.kind == "f" and profile.get("predictor") == 2:
        profile = {**profile, "predictor": 3}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        for i, name in enumerate(descriptions or []):
            dst.set_band_description(i + 1, name)
        if colormap:
            dst.write_colormap(1, colormap)
        if tags:
            dst.update_tags(**tags)
