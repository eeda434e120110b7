"""Extraction with `sources`: every source checked and described before anything is written.

A plan is the image (`images`: the job's `image`, or the source named `images`, whose first
raster by date is the grid reference) followed by the job's other sources in their order. For
each source: a usable name, its rasters (same band count and dtype on every date), its dates
(given, else from file names, else from metadata; sorted; duplicates refused), its slots
(`max_dates`, padding slots have no date), how it is resampled onto the image grid, the value
its patches hold where it is invalid, and whether it overlaps the cells at all.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..core.errors import SatsegError
from ..geo import align, dates, rasters
from .options import PRIMARY, ExtractJob, SourceOptions
from .sources import SourceInfo, check_source_name


@dataclasses.dataclass(frozen=True)
class SourcePlan:
    """One source as extraction cuts it (plain data: it travels to the worker processes)."""

    name: str
    rasters: tuple[str, ...]          # absolute paths, in date order
    dates: tuple[str | None, ...]     # one per slot (None: padding); () = single date
    bands: tuple[int, ...]            # 1-based
    band_names: tuple[str, ...]       # the C bands of one date
    dtype: str
    nodata: float | None              # what its patches hold where invalid
    resampling: str                   # how non-aligned rasters are read (nearest, bilinear...)
    recorded: str                     # dataset.json's "resampling" ("none": on the grid)
    max_nodata_frac: float

    @property
    def primary(self) -> bool:
        return self.name == PRIMARY

    @property
    def temporal(self) -> bool:
        return self.info().temporal

    @property
    def slots(self) -> int:
        return self.info().slots

    def patch_band_names(self) -> list[str]:
        return self.info().patch_band_names()

    def info(self, statistics: tuple[dict[str, Any], ...] = ()) -> SourceInfo:
        return SourceInfo(name=self.name, band_names=self.band_names, dates=self.dates,
                          dtype=self.dtype, nodata=self.nodata, resampling=self.recorded,
                          max_nodata_frac=self.max_nodata_frac, statistics=statistics)

    def entry(self, statistics: list[dict[str, Any]], counts: dict[str, Any]) -> dict[str, Any]:
        """Its block in dataset.json's `sources` (docs/formats.md)."""
        return {"band_names": list(self.band_names), "patch_band_names": self.patch_band_names(),
                "dtype": self.dtype, "nodata": self.nodata, "bands": list(self.bands),
                "dates": list(self.dates), "slots": self.slots, "resampling": self.recorded,
                "max_nodata_frac": self.max_nodata_frac, "rasters": list(self.rasters),
                "statistics": {"split": "train", "bands": statistics}, "counts": counts}


@dataclasses.dataclass
class _Raster:
    path: Path
    count: int
    dtype: str
    nodata: float | None
    names: list[str | None]           # band descriptions (None: not described)
    date: str | None
    resampling: str


def plan_sources(job: ExtractJob) -> list[SourcePlan]:
    """The job's sources checked and described, `images` first (empty without `sources`)."""
    if job.sources is None:
        return []
    given = dict(job.sources)
    for name in given:
        check_source_name(name, key="sources")
    if PRIMARY in given:
        plans = [_plan(PRIMARY, given.pop(PRIMARY), job)]
    else:
        plans = [_plan(PRIMARY, SourceOptions(rasters=(job.image,)), job)]
    plans += [_plan(name, options, job) for name, options in given.items()]
    return plans


def _open(path: Path, options: SourceOptions, key: str, bands_key: str, want_date: bool
          ) -> _Raster:
    with rasters.open_raster(path, key) as src:
        rasters.check_grid(src, key)
        bands = rasters.resolve_bands(src, options.bands, key=bands_key)
        return _Raster(Path(path), src.count, src.dtypes[bands[0] - 1], src.nodata,
                       [src.descriptions[b - 1] or None for b in bands],
                       dates.raster_date(path, src) if want_date else None,
                       align.resolve_resampling(options.resampling, src))


def _plan(name: str, options: SourceOptions, job: ExtractJob) -> SourcePlan:
    key = f"sources.{name}"
    own = name != PRIMARY or job.image is None   # the image given as `image` has its own keys
    if name == PRIMARY and not options.bands and job.bands:
        options = dataclasses.replace(options, bands=job.bands)
    temporal = options.temporal
    found = [_open(p, options, f"{key}.rasters" if own else "image",
                   f"{key}.bands" if own and options.bands else "bands",
                   temporal and not options.dates) for p in options.rasters]
    first = found[0]
    for raster in found[1:]:
        if (raster.count, raster.dtype) != (first.count, first.dtype):
            raise SatsegError("inconsistent_source", f"source {name}: {raster.path.name} has "
                              f"{raster.count} band(s) of {raster.dtype}, {first.path.name} has "
                              f"{first.count} of {first.dtype}", key=f"{key}.rasters",
                              hint="give every date of a source the same bands and data type "
                                   "(one sensor product per source)")
    paths = [r.path for r in found]
    if temporal:
        if options.dates:
            when = [dates.check_date(d, f"{key}.dates[{i}]") for i, d in
                    enumerate(options.dates)]
        else:
            missing = [r.path.name for r in found if r.date is None]
            if missing:
                raise SatsegError("missing_dates", f"source {name}: no date in the name or "
                                  f"metadata of {', '.join(missing[:5])}", key=f"{key}.dates",
                                  hint="give the dates (sources.NAME.dates, one YYYY-MM-DD per "
                                       "raster) or put them in the file names (s2_2024-05-01"
                                       ".tif)")
            when = [r.date for r in found]
        dates.order_dates(paths, when, key)          # refuses two rasters of one date
        order = sorted(range(len(found)), key=lambda i: when[i])
        found, paths, when = ([seq[i] for i in order] for seq in (found, paths, when))
        slots = options.max_dates or len(paths)
        slot_dates: tuple[str | None, ...] = (*when, *([None] * (slots - len(when))))
    else:
        slot_dates = ()
    first = found[0]
    names = [next((r.names[i] for r in found if r.names[i]), f"B{band}")
             for i, band in enumerate(options.bands or range(1, first.count + 1))]
    nodata = next((r.nodata for r in found if r.nodata is not None), None)
    if nodata is None and (temporal or name != PRIMARY):
        nodata = align.fill_value(first.dtype, None)
    frac = job.max_nodata_frac if options.max_nodata_frac is None else options.max_nodata_frac
    return SourcePlan(name=name, rasters=tuple(str(p.resolve()) for p in paths),
                      dates=slot_dates, bands=tuple(options.bands or range(1, first.count + 1)),
                      band_names=tuple(names), dtype=first.dtype,
                      nodata=nodata, resampling=first.resampling,
                      recorded="none" if name == PRIMARY else first.resampling,
                      max_nodata_frac=float(frac))


def reference(plans: list[SourcePlan]) -> Path | None:
    """The raster the grid snaps to: the image's first raster by date."""
    return Path(plans[0].rasters[0]) if plans else None


def check_coverage(plans: list[SourcePlan], grids_: list[Any]) -> list[SourcePlan]:
    """Refuse a raster that meets no cell; record how the image's own dates are resampled."""
    if not plans:
        return plans
    grid = grids_[0]
    bounds = [rasters.cell_bounds(grid.transform, c) for c in grid.cells]
    area = (min(b[0] for b in bounds), min(b[1] for b in bounds),
            max(b[2] for b in bounds), max(b[3] for b in bounds))
    out = []
    with rasters.open_raster(Path(plans[0].rasters[0]), "image") as target:
        for plan in plans:
            aligned = True
            for path in plan.rasters:
                with rasters.open_raster(Path(path), f"sources.{plan.name}") as src:
                    aligned &= rasters.same_grid(src, target)
                    if not align.overlaps_bounds(src, target.crs, area):
                        raise SatsegError(
                            "source_outside", f"source {plan.name}: {Path(path).name} does not "
                            f"overlap the cells of the image {Path(target.name).name}",
                            key=f"sources.{plan.name}.rasters",
                            hint="give rasters of the same area (check their CRS and extent), "
                                 "or remove this one")
            if plan.primary and plan.temporal and not aligned:
                plan = dataclasses.replace(plan, recorded=plan.resampling)
            out.append(plan)
    return out
