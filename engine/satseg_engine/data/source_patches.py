"""Cutting a cell of every source (extraction with `sources`), in-process or in a worker.

Each raster of each source is read through a `geo.align.AlignedReader` on the image's pixel grid,
one window per cell (never whole), and assembled into the source's patch: slots × C bands,
date-major, its nodata where invalid. Rules (docs/formats.md):
* the image (single date): the cell is dropped when more than `max_nodata_frac` of it is nodata
  (or all of it); labels are `ignore` where the image is invalid.
* another single-date source: the cell is dropped when more than its `max_nodata_frac` is nodata.
* a time series (the image's included): a date with more than `max_nodata_frac` nodata, or no
  valid pixel, is written as nodata (masked); padding slots are nodata; the cell is dropped only
  when no date is left. For the image, labels are `ignore` where no kept date is valid.
Presence is decided with `sources.date_presence` on the data as written, so training recomputes
the same dates from the patches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..geo.align import AlignedReader
from .dataset import BandStats
from .source_plan import SourcePlan
from .sources import date_presence, invalid_pixels


def open_readers(plans: Sequence[SourcePlan], image: Any) -> dict[str, list[AlignedReader]]:
    """Per source, one aligned reader per raster (the caller closes them)."""
    readers: dict[str, list[AlignedReader]] = {}
    try:
        for plan in plans:
            readers[plan.name] = []
            for path in plan.rasters:
                readers[plan.name].append(AlignedReader(Path(path), image, plan.bands,
                                                        plan.resampling,
                                                        key=f"sources.{plan.name}"))
    except BaseException:
        close_readers(readers)
        raise
    return readers


def close_readers(readers: dict[str, list[AlignedReader]]) -> None:
    for group in readers.values():
        for reader in group:
            reader.close()
    readers.clear()


def _same(a: float, b: float) -> bool:
    return a == b or (np.isnan(a) and np.isnan(b))


def read_source(plan: SourcePlan, readers: Sequence[AlignedReader], window: Any
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(data (slots*C, h, w) in its dtype, valid (slots, h, w), present (slots,)) of a window;
    masked and padding slots hold the source's nodata."""
    h, w = int(window.height), int(window.width)
    channels = len(plan.bands)
    fill = plan.nodata
    out = np.full((plan.slots, channels, h, w), 0 if fill is None else fill, dtype=plan.dtype)
    valid = np.zeros((plan.slots, h, w), dtype=bool)
    for slot, reader in enumerate(readers):
        data, ok = reader.read(window)
        if fill is not None:
            if reader.nodata is not None and not _same(reader.nodata, fill):
                data[invalid_pixels(data, reader.nodata)] = fill  # a date's own nodata value
            data[:, ~ok] = fill
            ok = ~invalid_pixels(data, fill).all(axis=0)
        out[slot] = data
        valid[slot] = ok
    present = date_presence(valid, plan.info())
    if plan.temporal:
        for slot in np.flatnonzero(~present[:len(readers)]):
            out[slot] = fill
            valid[slot] = False
    return out.reshape(plan.slots * channels, h, w), valid, present


def keep_cell(plan: SourcePlan, valid: np.ndarray, present: np.ndarray) -> bool:
    """Whether the cell stays, given this source (see the module doc)."""
    if plan.temporal:
        return bool(present.any())
    share = 1.0 - float(valid[0].mean())
    if plan.primary and share >= 1.0:
        return False
    return share <= plan.max_nodata_frac + 1e-9


def image_validity(plan: SourcePlan, valid: np.ndarray, present: np.ndarray) -> np.ndarray:
    """(h, w): where the image has data (any kept date of a time series)."""
    return valid[present].any(axis=0) if plan.temporal else valid[0]


def add_statistics(stats: list[BandStats], plan: SourcePlan, data: np.ndarray,
                   present: np.ndarray) -> None:
    """Per base band over every kept date (masked and padding slots hold only nodata)."""
    channels = len(plan.bands)
    for slot in np.flatnonzero(present):
        for band, band_stats in enumerate(stats):
            band_stats.add(data[slot * channels + band])


def write_source(path: Path, plan: SourcePlan, data: np.ndarray, profile: dict[str, Any],
                 write: Any) -> None:
    """One source's patch with band descriptions, nodata and the `satseg_dates` tag."""
    tags = {"satseg_dates": json.dumps(list(plan.dates))} if plan.temporal else None
    write(path, data, {**profile, "count": data.shape[0], "dtype": plan.dtype,
                       "nodata": plan.nodata}, descriptions=plan.patch_band_names(), tags=tags)
