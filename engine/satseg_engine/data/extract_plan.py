"""Extraction, first half: find and check every input before anything is written.

Single mode: `image` + `labels`. Batch mode: `images_dir` + `image_glob` ("Image_*.tif") and
`label_glob` ("Label_*.tif", in `labels_dir`, default `images_dir`), matched by the text the
`*` stands for; or one `labels` vector shared by all images. The grid is `grid` (one file shared
by all images; each image takes the cells that are whole pixels inside it) or, when omitted,
one grid per image built with the grid keys.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from ..core.errors import SatsegError
from ..geo import grids, rasters
from ..geo.grid_run import prepare_labels
from .options import ExtractJob


@dataclasses.dataclass
class Source:
    image: Path
    labels: Path
    spec: Any = None
    info: dict[str, Any] = dataclasses.field(default_factory=dict)


def _pattern(glob: str) -> re.Pattern[str]:
    head, tail = glob.split("*")
    return re.compile(re.escape(head) + "(.+)" + re.escape(tail) + "$")


def find_sources(job: ExtractJob, image: Path | None = None) -> list[Source]:
    """(image, labels) pairs: the single pair, or batch files matched by their `*` part.
    `image`: the grid reference of a job with `sources` (the image's first date)."""
    if image is not None or job.image is not None:
        return [Source(image or job.image, job.labels)]
    image_re = _pattern(job.image_glob)
    images = {m.group(1): p for p in sorted(job.images_dir.iterdir())
              if (m := image_re.match(p.name)) and p.is_file()}
    if not images:
        raise SatsegError("no_images", f"no file in {job.images_dir} matches {job.image_glob}",
                          key="image_glob", hint="check images_dir and image_glob")
    if not job.label_glob:
        return [Source(p, job.labels) for p in images.values()]
    label_re = _pattern(job.label_glob)
    labels_dir = job.labels_dir or job.images_dir
    labels = {m.group(1): p for p in sorted(labels_dir.iterdir())
              if (m := label_re.match(p.name)) and p.is_file()}
    missing = sorted(k for k in images if k not in labels)
    if missing:
        raise SatsegError("unmatched_images", f"no label matches {job.label_glob} for images "
                          f"{[images[k].name for k in missing][:10]}", key="label_glob",
                          hint=f"give every image a label file in {labels_dir}, or narrow "
                               f"image_glob")
    return [Source(images[k], labels[k]) for k in images]


def check_output(job: ExtractJob) -> None:
    out = job.output_dir
    if (out / "dataset.json").exists():
        if not job.overwrite:
            raise SatsegError("dataset_exists", f"output_dir: {out} already holds a dataset",
                              key="output_dir", hint="choose another folder or set overwrite")
    elif out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SatsegError("output_not_empty", f"output_dir: {out} exists and is not an empty "
                          f"folder or a satseg dataset", key="output_dir",
                          hint="choose a new or empty folder (it would be replaced)")


def inspect_sources(job: ExtractJob, sources: list[Source], events: Any,
                    image_bands: tuple[int, ...] | None = None) -> dict[str, Any]:
    """Open every image and label: grids, bands, class tables; all before writing anything.
    `image_bands`: the image's bands when `sources` gives them (default: the job's)."""
    first: dict[str, Any] = {}
    for source in sources:
        with rasters.open_raster(source.image, "image") as src:
            rasters.check_grid(src, "image", projected=True)
            bands = rasters.resolve_bands(src, job.bands if image_bands is None
                                          else image_bands)
            info = {"bands": bands, "band_names": rasters.band_names(src, bands),
                    "dtype": src.dtypes[bands[0] - 1], "nodata": src.nodata,
                    "crs": rasters.crs_text(src.crs), "pixel_size": list(rasters.pixel_size(src)),
                    "block_rows": src.block_shapes[0][0]}
            if job.grid is None and (src.width < job.patch_size
                                     or src.height < job.patch_size):  # else: the grid's cells
                raise grids.too_small(src, job.patch_size, f"image {source.image.name}")
            source.spec = prepare_labels(job, source.labels, src, events)
            source.info = info
        if not first:
            first = info | {"classes": source.spec.classes}
            continue
        for key in ("bands", "dtype", "band_names", "crs"):
            if info[key] != first[key]:
                raise SatsegError("inconsistent_images", f"image {source.image.name} has "
                                  f"{key} {info[key]}, the first image has {first[key]}",
                                  key="images_dir", hint="extract images of one sensor "
                                                         "product together")
        if source.spec.classes != first["classes"]:
            if job.classes:
                continue
            raise SatsegError("inconsistent_classes", f"labels {source.labels.name} imply the "
                              f"classes {[c[0] for c in source.spec.classes]}, the first image's "
                              f"labels {[c[0] for c in first['classes']]}", key="classes",
                              hint="give the class table explicitly in 'classes'")
    if first and not first["classes"]:
        raise SatsegError("no_classes", f"labels {sources[0].labels.name} hold no class: an "
                          "empty layer, or only unlabelled values", key="labels",
                          hint="check the label file (and label_field for vectors), or give "
                               "the class table in 'classes'")
    return first


def make_grids(job: ExtractJob, sources: list[Source], events: Any) -> list[Any]:
    """One grid per source: read from `grid`, or built with the grid keys."""
    out = []
    next_id = 0
    for source in sources:
        if job.grid is None:
            grid = grids.build(source.image, job, source.spec, events, id_start=next_id,
                               need_fractions=False)
            next_id = max(grid.ids) + 1 if grid.ids else next_id
        else:
            with rasters.open_raster(source.image, "image") as src:
                cells, ids, names, meta = grids.read(job.grid, src, job.patch_size)
                grid = grids.Grid(str(source.image.resolve()), src.crs, src.transform,
                                  meta["size"], meta.get("stride", meta["size"]), cells, ids,
                                  names, [1.0] * len(cells), [None] * len(cells), meta)
            if meta["outside"] and len(sources) == 1:
                events.warning(f"{meta['outside']} grid cells are not inside "
                               f"{source.image.name} and were skipped")
        keep = [i for i, s in enumerate(grid.splits) if s]
        if len(keep) < len(grid.cells):
            events.log(f"{source.image.name}: {len(grid.cells) - len(keep)} unassigned cells "
                       f"are not extracted")
        out.append(grid.select(keep))
    if sum(len(g.cells) for g in out) == 0:
        raise SatsegError("grid_outside", f"no cell of {job.grid or 'the grid'} with a split "
                          f"lies inside the image(s)", key="grid",
                          hint="check that the grid was made on these images and has splits")
    return out


def check_splits(job: ExtractJob, grids_: list[Any], events: Any) -> dict[str, int]:
    counts = {s: sum(g.splits.count(s) for g in grids_) for s in ("train", "validation", "test")}
    for i, name in enumerate(("train", "validation", "test")):
        if counts[name]:
            continue
        intended = job.grid is None and job.split_method != "attribute" and job.ratios[i] == 0
        if name != "train" and (intended or job.grid is not None
                                or job.split_method == "attribute"):
            events.warning(f"the {name} split is empty")
            continue
        raise SatsegError("empty_split", f"the {name} split would be empty ({counts})",
                          key="ratios" if job.grid is None else "grid",
                          hint="use more cells (smaller patch_size or block_size, larger area),"
                               " change ratios or seed, or assign cells to it in the grid")
    return counts
