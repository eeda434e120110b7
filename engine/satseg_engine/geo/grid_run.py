"""The grid stage: lay N×N-pixel cells on a raster, measure them, split them, write a GeoPackage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import SatsegError
from . import grids, rasters
from .labels import prepare
from .options import GridJob, GridOptions
from .splits import CLASS_AWARE_TRIES, missing_classes, split_warnings


def prepare_labels(opts: GridOptions, labels: Path, src: Any, events: Any) -> Any:
    """The labels as the grid and extraction read them: kind, class table, warping."""
    return prepare(labels, src, kind=opts.label_kind, classes=opts.class_table(),
                   field=opts.label_field, unknown=opts.unknown_labels,
                   resampling=opts.label_resampling, warn=events.warning)


def grid_metadata(opts: GridOptions, raster: str) -> dict[str, Any]:
    """The grid layer's metadata (also the `grid` block of dataset.json)."""
    return {"schema": 1, "raster": raster, "patch_size": opts.patch_size,
            "stride": opts.patch_size - opts.overlap, "split_method": opts.split_method,
            "seed": opts.seed, "ratios": list(opts.ratios)}


def split_summary(names: list[str]) -> dict[str, int]:
    return {s: sum(1 for n in names if n == s) for s in ("train", "validation", "test")} | {
        "unassigned": sum(1 for n in names if not n)}


def make_grid(job: GridJob, events: Any) -> dict[str, Any]:
    """The `grid` verb: build, measure and split the cells, write the GeoPackage."""
    if job.output.exists() and not job.overwrite:
        raise SatsegError("output_exists", f"output: {job.output} already exists", key="output",
                          hint="choose another file name or set overwrite")
    spec = None
    if job.labels is not None:
        with rasters.open_raster(job.image, "image") as src:
            rasters.check_grid(src, "image", projected=True)
            spec = prepare_labels(job, job.labels, src, events)
    grid = grids.build(job.image, job, spec, events)
    meta = grid_metadata(job, grid.raster)
    grids.write(job.output, [grid], meta)
    events.artifact("vector", job.output)
    counts = split_summary(grid.splits)
    missing: dict[str, list[str]] = {}
    if job.split_method in ("random", "blocks"):
        for message in split_warnings(grid.splits, job.ratios, job.split_method):
            events.warning(message)
        if grid.classes is not None and spec is not None:
            missing = missing_class_names(grid.splits, grid.classes, job, spec, events)
    return {"output": str(job.output.resolve()), "cells": len(grid.cells),
            "splits": counts, "patch_size": job.patch_size, "stride": meta["stride"],
            "dropped_nodata": grid.meta["dropped_nodata"],
            "dropped_unlabelled": grid.meta["dropped_unlabelled"],
            "mean_valid_frac": round(sum(grid.valid) / len(grid.valid), 4),
            "missing_classes": missing}


def missing_class_names(names: list[str], classes: list[dict[int, int]], job: GridJob,
                        spec: Any, events: Any) -> dict[str, list[str]]:
    """{split: names of the train classes it lacks}, each split warned about with the fix."""
    name_of = {value: name for value, name, _ in spec.classes}
    out = {split: [name_of.get(v, str(v)) for v in values]
           for split, values in missing_classes(names, classes, job.ratios).items()}
    for split, lacking in out.items():
        events.warning(f"the {split} split holds few or no pixels of {', '.join(lacking)} "
                       f"(the best of up to {CLASS_AWARE_TRIES} dealings of the cells): it "
                       f"cannot judge {'that class' if len(lacking) == 1 else 'those classes'}"
                       "; use smaller blocks (--block-size), a larger area, or draw the "
                       "splits (--split-method attribute)")
    return out
