"""The extraction stage: `extract(job, events)` checks all inputs (extract_plan), then writes.

Cells are cut into tasks of consecutive cells (row-major, so a worker's GDAL block cache serves
neighbouring patches), run in-process (`workers` 1 or a single task) or by a `spawn` process
pool with per-worker dataset handles. Results (statistics, counts) are merged in the parent.
Everything goes into a temporary sibling of `output_dir` renamed into place at the end, so an
interrupted run leaves no dataset.json. With `sources` (source_plan), every source is checked
first and each cell of each source is cut on the image grid (source_patches).
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from ..geo import grids
from ..geo.grid_run import grid_metadata
from ..geo.labels import IGNORE
from . import extract_plan, source_plan
from .dataset import SPLIT_NAMES, BandStats, SplitCounts, write_dataset_json
from .options import ExtractJob, auto_workers
from .patches import Result, Task, close_handles, run_task, worker_init

MAX_TASK_CELLS = 128


def extract(job: ExtractJob, events: Any) -> dict[str, Any]:
    """The `extract` verb: check images, labels, grids and splits, then write the dataset."""
    start = time.monotonic()
    # patches are read in row order: a block cache of one row of source blocks is enough, and a
    # fixed cap keeps memory independent of the machine's RAM (GDAL's default is 5 % of it)
    os.environ.setdefault("GDAL_CACHEMAX", "256")
    extract_plan.check_output(job)
    plans = source_plan.plan_sources(job)
    sources = extract_plan.find_sources(job, source_plan.reference(plans))
    first = extract_plan.inspect_sources(job, sources, events,
                                         plans[0].bands if plans else None)
    grids_ = extract_plan.make_grids(job, sources, events)
    plans = source_plan.check_coverage(plans, grids_)
    extract_plan.check_splits(job, grids_, events)
    result = build_dataset(job, sources, grids_, first, events, plans)
    result["seconds"] = round(time.monotonic() - start, 2)
    result["patches_per_s"] = round(result["patches"] / max(result["seconds"], 1e-9), 1)
    return result


def make_tasks(job: Any, sources: list[Any], grids_: list[Any], root: Path,
               workers_hint: int, plans: tuple[Any, ...] = ()) -> list[Task]:
    """Tasks of consecutive cells that share rows of source blocks (each block decoded once)."""
    total = sum(len(g.cells) for g in grids_)
    per_task = max(4, min(MAX_TASK_CELLS, total // max(1, workers_hint * 4)))
    tasks = []
    for source, grid in zip(sources, grids_, strict=True):
        order = sorted(range(len(grid.cells)), key=lambda i: grid.cells[i])
        band = max(source.info.get("block_rows", 1), grid.patch_size)
        groups: dict[int, list[Any]] = {}
        for i in order:
            groups.setdefault(grid.cells[i].row_off // band, []).append(
                (grid.cells[i], grid.ids[i], grid.splits[i]))
        chunks = [g[k:k + per_task] for g in groups.values() for k in range(0, len(g), per_task)]
        for chunk in chunks:
            tasks.append(Task(str(source.image), tuple(source.info["bands"]), source.spec,
                              tuple(chunk), str(root), job.compress,
                              seed=job.seed * 100_003 + len(tasks),
                              max_nodata_frac=job.max_nodata_frac,
                              min_labelled_frac=job.min_labelled_frac, sources=plans))
    return tasks


def _results(tasks: list[Task], workers: int) -> Iterator[Result]:
    if workers <= 1:
        try:
            for task in tasks:
                yield run_task(task)
        finally:
            close_handles()
        return
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=worker_init)
    try:
        yield from pool.imap(run_task, tasks)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def build_dataset(job: Any, sources: list[Any], grids_: list[Any], first: dict[str, Any],
                  events: Any, plans: list[Any] | None = None) -> dict[str, Any]:
    plans = plans or []
    n_cells = sum(len(g.cells) for g in grids_)
    workers = auto_workers(job, max(1, n_cells // 64))  # a pool pays from ~100 patches
    classes = [{"value": v, "name": n, "colour": c} for v, n, c in first["classes"]]
    class_values = [c["value"] for c in classes]
    stats = [BandStats(first["dtype"], first["nodata"]) for _ in first["bands"]]
    by_source = SourceTotals(plans)
    if plans:
        stats = by_source.stats[plans[0].name]
    counts = {s: SplitCounts() for s in SPLIT_NAMES}
    measured: dict[tuple[str, int], tuple[float, float]] = {}
    empty = unlabelled = 0
    final = Path(job.output_dir)
    with atomic_path(final) as root:
        for split in SPLIT_NAMES:
            for kind in ("images", "labels", *(p.name for p in plans)):
                (root / "Patch" / split / kind).mkdir(parents=True, exist_ok=True)
        tasks = make_tasks(job, sources, grids_, root, workers, tuple(plans))
        workers = min(workers, len(tasks))
        events.log(f"extracting {n_cells} patches from {len(sources)} image(s) with "
                   f"{workers} worker(s)")
        done = 0
        for result in _results(tasks, workers):
            if result.error:
                code, message, hint, key = result.error
                raise SatsegError(code, message, hint=hint, key=key)
            if plans:
                by_source.merge(result)
            else:
                for mine, theirs in zip(stats, result.stats, strict=False):
                    mine.merge(theirs)
            for split, part in result.counts.items():
                counts[split].merge(part)
            for cell_id, stem, valid, labelled in result.cells:
                measured[(stem, cell_id)] = (valid, labelled)
            empty += result.empty
            unlabelled += result.unlabelled
            done += len(result.cells) + result.empty + result.unlabelled + \
                by_source.others_dropped(result)
            events.progress("extract", done, n_cells, "patches")
        if empty or unlabelled:
            events.log(f"skipped {empty} cells over max_nodata_frac and {unlabelled} under "
                       f"min_labelled_frac")
        others = by_source.dropped_text()
        if others:
            events.log(f"skipped cells for lack of data in other sources: {others}")
        written = sum(c.patches for c in counts.values())
        if written == 0:
            raise SatsegError("no_cells", f"no patch was kept: {empty} cells are more than "
                              f"{job.max_nodata_frac:.0%} nodata, {unlabelled} less than "
                              f"{job.min_labelled_frac:.0%} labelled"
                              + (f"; dropped by sources: {others}" if others else ""),
                              key="max_nodata_frac",
                              hint="check the image's nodata value and the area, or relax "
                                   "max_nodata_frac / min_labelled_frac")
        if counts["train"].patches == 0:
            raise SatsegError("empty_split", "no training patch was kept (every train cell "
                              "was dropped by the nodata/labelled filters)",
                              key="max_nodata_frac",
                              hint="relax max_nodata_frac / min_labelled_frac or change the "
                                   "split seed")
        used = []
        for grid in grids_:
            stem = Path(grid.raster).stem
            keep = [i for i, cid in enumerate(grid.ids) if (stem, cid) in measured]
            grid = grid.select(keep)
            grid.valid = [measured[(stem, cid)][0] for cid in grid.ids]
            grid.labelled = [measured[(stem, cid)][1] for cid in grid.ids]
            used.append(grid)
        meta = grid_metadata(job, str(used[0].raster)) | (
            {"stride": grids_[0].stride} if job.grid is not None else {})
        if job.grid is not None:
            from_file = grids_[0].meta
            meta.update({k: from_file[k] for k in ("split_method", "seed", "ratios")
                         if k in from_file}, source=str(Path(job.grid).resolve()),
                        patch_size=grids_[0].patch_size)
        grids.write(root / "grid.gpkg", [g for g in used if g.cells], meta,
                    with_image=len(sources) > 1)
        data = dataset_json(job, sources, first, classes, stats, counts, class_values, meta,
                            sum(len(g.cells) for g in used))
        if plans:
            data.update(by_source.dataset_fields(counts))
        write_dataset_json(root, data)
    events.artifact("vector", final / "grid.gpkg")
    events.artifact("dataset", final / "dataset.json")
    return {"output_dir": str(final.resolve()), "patches": sum(c.patches for c in
                                                               counts.values()),
            "splits": {s: counts[s].patches for s in SPLIT_NAMES},
            "classes": {c["name"]: int(counts["train"].class_pixels[c["value"]])
                        for c in classes},
            "skipped_nodata_cells": empty, "skipped_unlabelled_cells": unlabelled,
            "workers": workers} | ({"sources": {p.name: p.slots for p in plans},
                                   "skipped_source_cells": {p.name: by_source.dropped[p.name]
                                                            for p in plans[1:]}}
                                  if plans else {})


def dataset_json(job: Any, sources: list[Any], first: dict[str, Any], classes: list[Any],
                 stats: list[BandStats], counts: dict[str, SplitCounts], class_values: list[int],
                 grid_meta: dict[str, Any], n_cells: int) -> dict[str, Any]:
    names = first["band_names"]
    kinds = sorted({s.spec.kind for s in sources})
    return {
        "schema": 1, "kind": "satseg-patch-dataset", "engine_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "patch_size": grid_meta["patch_size"], "ignore_value": IGNORE,
        "sources": {"images": {"band_names": names, "dtype": first["dtype"],
                               "nodata": first["nodata"], "bands": first["bands"]}},
        "band_names": names, "dtype": first["dtype"], "nodata": first["nodata"],
        "crs": first["crs"], "pixel_size": first["pixel_size"],
        "classes": classes,
        "statistics": {"split": "train",
                       "bands": [s.result(n) for s, n in zip(stats, names, strict=True)]},
        "splits": {s: counts[s].result(class_values, IGNORE) for s in SPLIT_NAMES},
        "grid": {"path": "grid.gpkg", "cells": n_cells, "stride": grid_meta["stride"],
                 "split_method": grid_meta["split_method"], "seed": grid_meta["seed"],
                 "ratios": grid_meta["ratios"]},
        "provenance": {"images": [str(s.image.resolve()) for s in sources],
                       "labels": sorted({str(Path(s.labels).resolve()) for s in sources}),
                       "label_kind": " | ".join(kinds) if len(kinds) > 1 else kinds[0],
                       "job": job.to_dict()},
    }


class SourceTotals:
    """Per-source results merged in the parent (extraction with `sources`)."""

    def __init__(self, plans: list[Any]):
        self.plans = plans
        self.stats = {p.name: [BandStats(p.dtype, p.nodata) for _ in p.bands] for p in plans}
        self.present = {p.name: [0] * p.slots for p in plans}
        self.dropped = {p.name: 0 for p in plans}

    def merge(self, result: Result) -> None:
        for name, parts in result.source_stats.items():
            for mine, theirs in zip(self.stats[name], parts, strict=True):
                mine.merge(theirs)
        for name, slots in result.present.items():
            self.present[name] = [a + b for a, b in zip(self.present[name], slots, strict=True)]
        for name, n in result.dropped.items():
            self.dropped[name] += n

    def others_dropped(self, result: Result) -> int:
        """Cells of a task dropped for lack of data in a source other than the image."""
        return sum(n for name, n in result.dropped.items() if name != self.plans[0].name)

    def dropped_text(self) -> str:
        return ", ".join(f"{p.name} {self.dropped[p.name]}" for p in self.plans[1:]
                         if self.dropped[p.name])

    def dataset_fields(self, counts: dict[str, SplitCounts]) -> dict[str, Any]:
        """dataset.json's `sources` and the image's top-level keys (docs/formats.md)."""
        patches = sum(c.patches for c in counts.values())
        sources = {}
        for plan in self.plans:
            stats = [s.result(n) for s, n in zip(self.stats[plan.name], plan.band_names,
                                                 strict=True)]
            sources[plan.name] = plan.entry(stats, {"patches": patches,
                                                    "date_patches": self.present[plan.name],
                                                    "dropped_cells": self.dropped[plan.name]})
        image = sources[self.plans[0].name]
        return {"sources": sources, "band_names": image["band_names"], "dtype": image["dtype"],
                "nodata": image["nodata"], "statistics": image["statistics"]}
