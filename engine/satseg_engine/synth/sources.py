"""`satseg sample --sources`: a synthetic multi-sensor, multi-date scene, written block by block.

Outputs in `output_dir` (names fixed):

* `s2_<YYYY-MM-DD>.tif`, one per date (`dates`, default 6, every 10 to 28 days, +-3, over the
  2023 growing season): Sentinel-2-like optical series, 4 bands B2 B3 B4 B8 (band descriptions),
  uint16 reflectance x 10000, nodata 0, on the primary grid (`crs`, `pixel_size`). The second
  date (the first if fewer than 3) is partly under cloud blobs (20-30 % of the scene, nodata)
  and the last-but-one date (the last if fewer than 4) misses a strip along one side (swath edge,
  8-20 % of the width, nodata), so that the number of valid dates varies over the scene. The
  date is also in the ACQUISITION_DATE metadata item.
* `s1.tif`: Sentinel-1-like radar image, 2 bands VV VH, backscatter in dB, float32, nodata NaN,
  pixels twice the optical pixel size (20 m by default), in the neighbouring UTM zone (another
  CRS), covering the optical scene with a margin; speckled (gamma, 8 looks).
* `labels.tif`: uint8 classes on the primary grid (colour table, category names, the
  satseg_classes tag), 0 = no label where no optical date sees the ground; `classes.json`.
* `sources.json`: {"images": {"rasters": [s2 paths in date order], "dates": [...]},
  "s1": {"rasters": [s1 path]}} (absolute paths): the `sources` of an extract job.

Classes (values, names, which sensor separates them) are in synth.sources_layout.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import itertools
import json
import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .. import __version__
from ..core.fileio import atomic_path
from .cover import render_cover
from .layout import BLOCK
from .options import SOURCES_OUTPUTS
from .outputs import (
    TIFF_OPTIONS,
    describe_labels,
    image_profile,
    label_profile,
    scene_origin,
    write_category_names,
)
from .phenology import S2_BANDS, S2_WAVELENGTHS, optical_images
from .radar import RADAR_DAYS_AFTER, S1_BANDS, RadarGrid, radar_block, radar_grid
from .sources_layout import (
    SEPARATED_BY,
    SOURCE_CLASSES,
    class_table,
    make_sources_layout,
    series_dates,
)
from .write import GDAL_CACHE_MB

RADAR_BLOCK = 256
WORKERS, AHEAD = 2, 3  # render threads; blocks in flight (memory: a few blocks of every date)
T = TypeVar("T")
R = TypeVar("R")


def source_paths(job: Any) -> dict[str, Any]:
    """{"s2": [one path per date], "s1", "labels", "classes", "sources": path}."""
    folder = job.output_dir
    paths: dict[str, Any] = {role: folder / name for role, name in SOURCES_OUTPUTS.items()}
    paths["s2"] = [folder / f"s2_{date}.tif" for date in series_dates(job.seed, job.dates)]
    return paths


def write_sources(job: Any, crs: Any, paths: dict[str, Any], events: Any) -> dict[str, Any]:
    """Generate and write the sources scene of `job`; returns the summary (without outputs)."""
    import rasterio
    from rasterio.transform import from_origin

    width, height, size = job.width, job.height, job.pixel_size
    left, top = scene_origin(crs, width, height, size)
    transform = from_origin(left, top, size, size)
    bounds = (left, top - height * size, left + width * size, top)
    grid = radar_grid(crs, bounds, size)
    layout = make_sources_layout(job.seed, width, height, job.dates,
                                 _primary_extent(grid, crs, transform))
    job.output_dir.mkdir(parents=True, exist_ok=True)
    events.log(f"generating {job.dates} optical dates of {width}x{height} px and a radar image "
               f"of {grid.width}x{grid.height} px ({grid.crs.to_string()})")
    with contextlib.ExitStack() as outputs:
        tmp = {role: outputs.enter_context(atomic_path(path)) for role, path in paths.items()
               if role != "s2"}
        tmp_s2 = [outputs.enter_context(atomic_path(path)) for path in paths["s2"]]
        with contextlib.ExitStack() as files, rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
            images = [files.enter_context(rasterio.open(
                path, "w", **image_profile(width, height, len(S2_BANDS), crs, transform)))
                for path in tmp_s2]
            labels = files.enter_context(rasterio.open(
                tmp["labels"], "w", **label_profile(width, height, crs, transform)))
            s1 = files.enter_context(rasterio.open(tmp["s1"], "w", **_radar_profile(grid)))
            for image, date in zip(images, layout.dates, strict=True):
                _describe_optical(image, job, date)
            describe_labels(labels, SOURCE_CLASSES)
            _describe_radar(s1, job, _radar_date(layout))
            scene = _Scene(layout, crs, transform, grid)
            counts, valid = _write_blocks(scene, images, labels, s1, events)
        write_category_names(tmp["labels"], SOURCE_CLASSES)
        tmp["classes"].write_text(json.dumps({"schema": 1, "classes": class_table()}, indent=2)
                                  + "\n", encoding="utf-8")
        tmp["sources"].write_text(json.dumps(_sources_json(paths, layout), indent=2) + "\n",
                                  encoding="utf-8")
    return {
        "width": width, "height": height, "bands": list(S2_BANDS), "band_count": len(S2_BANDS),
        "crs": crs.to_string(), "pixel_size": size, "bounds": list(bounds),
        "dates": list(layout.dates),
        "date_valid_fraction": {d: round(float(v) / (width * height), 4)
                                for d, v in zip(layout.dates, valid, strict=True)},
        "s1": {"crs": grid.crs.to_string(), "pixel_size": 2 * size, "width": grid.width,
               "height": grid.height, "bands": list(S1_BANDS), "date": _radar_date(layout)},
        "class_pixels": {str(v): int(counts[v]) for v, _, _ in SOURCE_CLASSES},
        "class_names": {str(v): n for v, n, _ in SOURCE_CLASSES},
        "separated_by": {str(v): s for v, s in SEPARATED_BY.items()},
        "nodata_pixels": int(counts[0]),
    }


@dataclasses.dataclass(frozen=True)
class _Scene:
    """What rendering any block needs: the layout, the primary grid and the radar grid."""

    layout: Any
    crs: Any
    transform: Any
    grid: RadarGrid

    def tasks(self) -> list[tuple[str, tuple[int, int]]]:
        """Every block to write: the optical blocks, then the radar blocks."""
        width, height = self.layout.base.width, self.layout.base.height
        return ([("optical", cell) for cell in _cells(width, height, BLOCK)]
                + [("radar", cell) for cell in _cells(self.grid.width, self.grid.height,
                                                      RADAR_BLOCK)])

    def render(self, task: tuple[str, tuple[int, int]]) -> tuple[Any, Any]:
        """(window, data) of one block: (labels, images per date) or the radar's (2, h, w)."""
        kind, cell = task
        if kind == "optical":
            return _optical_block(self.layout, cell)
        window = _window(cell, RADAR_BLOCK, self.grid.width, self.grid.height)
        return window, radar_block(self.layout, self.crs, self.transform, self.grid, window, cell)


def _write_blocks(scene: _Scene, images: list[Any], labels: Any, s1: Any, events: Any
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Render (in worker threads) and write every block; returns the pixel count per label
    value and the valid pixel count per date."""
    counts = np.zeros(256, dtype=np.int64)
    valid = np.zeros(len(images), dtype=np.int64)
    tasks = scene.tasks()
    for done, ((kind, _), (window, data)) in enumerate(_rendered(scene.render, tasks), 1):
        if kind == "radar":
            s1.write(data, window=window)
        else:
            label_block, series = data
            for image, pixels in zip(images, series, strict=True):
                image.write(pixels, window=window)
            labels.write(label_block, 1, window=window)
            counts += np.bincount(label_block.ravel(), minlength=256)
            valid += [int(np.count_nonzero(pixels[0])) for pixels in series]
        events.progress("sample", done, len(tasks), "blocks")
    return counts, valid


def _optical_block(layout: Any, cell: tuple[int, int]
                   ) -> tuple[Any, tuple[np.ndarray, list[np.ndarray]]]:
    """(window, (labels, one image per date)) of one block; labels are 0 where no date sees
    the ground."""
    window = _window(cell, BLOCK, layout.base.width, layout.base.height)
    cover = render_cover(layout, window.row_off, window.col_off, window.height, window.width)
    series = list(optical_images(layout, cover, cell))
    seen = np.logical_or.reduce([pixels[0] > 0 for pixels in series])
    return window, (np.where(seen, cover.labels, 0).astype(np.uint8), series)


def _rendered(render: Callable[[T], R], tasks: list[T]) -> Iterator[tuple[T, R]]:
    """(task, render(task)) in task order, rendered by WORKERS threads at most AHEAD tasks
    ahead of the one being written (bounded memory)."""
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="satseg-sources")
    pending: collections.deque = collections.deque()
    queue = iter(tasks)
    try:
        for task in itertools.islice(queue, AHEAD):
            pending.append((task, pool.submit(render, task)))
        while pending:
            task, future = pending.popleft()
            following = next(queue, None)
            if following is not None:
                pending.append((following, pool.submit(render, following)))
            yield task, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _cells(width: int, height: int, block: int) -> list[tuple[int, int]]:
    rows, cols = math.ceil(height / block), math.ceil(width / block)
    return [(r, c) for r in range(rows) for c in range(cols)]


def _window(cell: tuple[int, int], block: int, width: int, height: int) -> Any:
    from rasterio.windows import Window

    row0, col0 = cell[0] * block, cell[1] * block
    return Window(col0, row0, min(block, width - col0), min(block, height - row0))


def _primary_extent(grid: RadarGrid, crs: Any, transform: Any) -> tuple[float, float, float, float]:
    """(row0, row1, col0, col1) of primary pixels under the whole radar image."""
    from rasterio.windows import Window

    from .radar import footprint

    row0, col0, height, width = footprint(grid, crs, transform,
                                          Window(0, 0, grid.width, grid.height), pad=8)
    return row0, row0 + height, col0, col0 + width


def _radar_date(layout: Any) -> str:
    import datetime

    day = datetime.date.fromisoformat(layout.dates[layout.radar_date])
    return (day + datetime.timedelta(days=RADAR_DAYS_AFTER)).isoformat()


def _radar_profile(grid: RadarGrid) -> dict[str, Any]:
    return {**TIFF_OPTIONS, "width": grid.width, "height": grid.height, "count": len(S1_BANDS),
            "dtype": "float32", "nodata": float("nan"), "crs": grid.crs,
            "transform": grid.transform, "predictor": 3, "interleave": "pixel"}


def _synthetic_tag(job: Any, **more: Any) -> dict[str, str]:
    return {"satseg_synthetic": json.dumps(
        {"generator": f"satseg sample --sources {__version__}", "seed": job.seed,
         "width": job.width, "height": job.height, **more})}


def _describe_optical(dataset: Any, job: Any, date: str) -> None:
    dataset.descriptions = S2_BANDS
    for index, (name, wavelength) in enumerate(zip(S2_BANDS, S2_WAVELENGTHS, strict=True),
                                               start=1):
        dataset.update_tags(index, name=name, wavelength_nm=f"{wavelength:.1f}")
    dataset.update_tags(ACQUISITION_DATE=date, **_synthetic_tag(
        job, sensor="Sentinel-2-like", scale="reflectance x 10000"))


def _describe_radar(dataset: Any, job: Any, date: str) -> None:
    dataset.descriptions = S1_BANDS
    for index, name in enumerate(S1_BANDS, start=1):
        dataset.update_tags(index, polarisation=name, unit="dB")
    dataset.update_tags(**_synthetic_tag(job, sensor="Sentinel-1-like", date=date,
                                         scale="backscatter coefficient sigma0, dB"))


def _sources_json(paths: dict[str, Any], layout: Any) -> dict[str, Any]:
    return {"images": {"rasters": [str(Path(p).resolve()) for p in paths["s2"]],
                       "dates": list(layout.dates)},
            "s1": {"rasters": [str(Path(paths["s1"]).resolve())]}}
