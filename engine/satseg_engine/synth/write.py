"""Write a synthetic scene block by block: scene.tif, labels.tif, labels.gpkg, classes.json.

All four files are written to temporary names and renamed together at the end; memory is bounded
by one block (synth.BLOCK square) plus a small GDAL cache, whatever the scene size.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..core.fileio import atomic_path
from .layout import BLOCK, make_layout
from .outputs import (
    PolygonWriter,
    describe_labels,
    image_profile,
    label_profile,
    scene_origin,
    write_category_names,
)
from .spectra import band_set
from .variants import Renderer, renderer, scene_classes

GDAL_CACHE_MB = 256
AHEAD = 2  # blocks rendered ahead of the one being written (memory: a few blocks)


def write_sample(job: Any, crs: Any, paths: dict[str, Path], events: Any) -> dict[str, Any]:
    """Generate and write the scene of `job`; returns the summary (without outputs/seconds)."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window
    from rasterio.windows import transform as window_transform

    width, height = job.width, job.height
    layout = make_layout(job.seed, width, height)
    names, wavelengths, band_matrix = band_set(job.bands)
    classes = scene_classes(job.scene)
    left, top = scene_origin(crs, width, height, job.pixel_size)
    transform = from_origin(left, top, job.pixel_size, job.pixel_size)
    grid = [(r, c) for r in range(math.ceil(height / BLOCK))
            for c in range(math.ceil(width / BLOCK))]
    counts = np.zeros(256, dtype=np.int64)
    job.output_dir.mkdir(parents=True, exist_ok=True)
    events.log(f"generating a {width}x{height} px scene with {len(names)} bands in "
               f"{len(grid)} blocks")
    with contextlib.ExitStack() as stack:
        tmp = {role: stack.enter_context(atomic_path(path)) for role, path in paths.items()}
        polygons = PolygonWriter(tmp["vector"], crs, classes=classes)
        with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), \
                rasterio.open(tmp["image"], "w", **image_profile(width, height, len(names), crs,
                                                                 transform)) as image, \
                rasterio.open(tmp["labels"], "w", **label_profile(width, height, crs,
                                                                  transform)) as labels:
            _describe_image(image, job, names, wavelengths)
            describe_labels(labels, classes)
            blocks = _rendered(renderer(job.scene, layout, band_matrix), grid)
            for done, ((block_row, block_col), (label_block, image_block)) in enumerate(
                    blocks, start=1):
                window = Window(block_col * BLOCK, block_row * BLOCK,
                                label_block.shape[1], label_block.shape[0])
                image.write(image_block, window=window)
                labels.write(label_block, 1, window=window)
                counts += np.bincount(label_block.ravel(), minlength=256)
                polygons.add(label_block, window_transform(window, transform))
                events.progress("sample", done, len(grid), "blocks")
        polygons.flush(final=True)
        write_category_names(tmp["labels"], classes)
        table = [{"value": v, "name": n, "colour": c} for v, n, c in classes]
        tmp["classes"].write_text(json.dumps({"schema": 1, "classes": table}, indent=2)
                                  + "\n", encoding="utf-8")
    return {
        "width": width, "height": height, "bands": names, "band_count": len(names),
        "crs": crs.to_string(), "pixel_size": job.pixel_size,
        "bounds": [left, top - height * job.pixel_size, left + width * job.pixel_size, top],
        "class_pixels": {str(v): int(counts[v]) for v, _, _ in classes},
        "nodata_pixels": int(counts[0]), "polygons": polygons.written, "blocks": len(grid),
    }


def _rendered(render: Renderer, grid: list[tuple[int, int]]
              ) -> Iterator[tuple[tuple[int, int], tuple[np.ndarray, np.ndarray]]]:
    """Blocks in grid order, the next ones rendered in a worker thread while one is written."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="satseg-sample")
    pending: collections.deque = collections.deque()
    cells = iter(grid)
    try:
        for cell in itertools.islice(cells, AHEAD):
            pending.append((cell, pool.submit(render, *cell)))
        while pending:
            cell, future = pending.popleft()
            following = next(cells, None)
            if following is not None:
                pending.append((following, pool.submit(render, *following)))
            yield cell, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _describe_image(dataset: Any, job: Any, names: list[str], wavelengths: np.ndarray) -> None:
    dataset.descriptions = tuple(names)
    for index, (name, wavelength) in enumerate(zip(names, wavelengths, strict=True), start=1):
        dataset.update_tags(index, name=name, wavelength_nm=f"{wavelength:.1f}")
    dataset.update_tags(**{"satseg_synthetic": json.dumps(
        {"generator": f"satseg sample {__version__}", "seed": job.seed, "scene": job.scene,
         "width": job.width,
         "height": job.height, "scale": "reflectance x 10000"})})
