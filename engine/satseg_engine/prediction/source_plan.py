"""Which rasters feed a multi-source model, all checked before any work starts.

A checkpoint whose header has `multisource` reads named sources (`header["sources"]`, in the
model's input order). `plan_sources(job, header)` matches them with the job's `raster` (the
`images` source) and `sources`, finds and orders each source's dates (given in `source_dates`,
else from the file names, then the metadata; `geo.dates.order_dates`), and checks every raster:
band count per source, the same bands at every date, no more dates than the model's slots,
overlap with the primary raster. Fewer dates than slots leave padding slots (masked). The primary
raster (the first `images` raster by date) sets the output grid. Every refusal names the source
and the fix. A single-source model (no `multisource`) gives None: today's `--raster` path.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import SatsegError
from ..data.sources import PRIMARY, SourceInfo, header_sources
from ..geo import rasters
from ..geo.align import RESAMPLING, overlaps
from ..geo.dates import check_date, order_dates, raster_date

NO_NORMALIZATION: dict[str, Any] = {"method": "none", "bands": [], "nodata": None}


@dataclasses.dataclass(frozen=True)
class PlannedSource:
    """One source the model reads: its rasters in date order and how to read and scale them.

    `info` is the model's source with the prediction's dates (padding slots None)."""

    info: SourceInfo
    rasters: tuple[Path, ...]
    normalization: Mapping[str, Any]
    resampling: str

    @property
    def name(self) -> str:
        return self.info.name

    def summary(self) -> dict[str, Any]:
        dates = [d for d in self.info.dates if d is not None]
        return {"rasters": [str(p) for p in self.rasters], "dates": dates,
                "slots": self.info.slots if self.info.temporal else 1}


@dataclasses.dataclass(frozen=True)
class SourcePlan:
    primary: Path                          # the raster whose pixel grid the outputs use
    sources: tuple[PlannedSource, ...]     # the model's input order

    def summary(self) -> dict[str, Any]:
        return {s.name: s.summary() for s in self.sources}


def is_multisource(header: Mapping[str, Any]) -> bool:
    return bool(header.get("multisource"))


def given_sources(job: Any) -> dict[str, tuple[Path, ...]]:
    """The job's sources by name, `raster` as the images source."""
    given = {name: tuple(Path(p) for p in paths) for name, paths in (job.sources or {}).items()}
    if job.raster is not None:
        given = {PRIMARY: (Path(job.raster),), **given}
    return given


def plan_sources(job: Any, header: Mapping[str, Any]) -> SourcePlan | None:
    """Check the job's rasters against the model's sources; None for a single-source model."""
    if not is_multisource(header):
        if job.sources:
            raise SatsegError(
                "single_source_model", f"the model reads a single raster, but sources "
                f"{', '.join(job.sources)} were given", key="sources",
                hint="give the raster with --raster FILE (and its bands with --bands)")
        return None
    model = header_sources(header)
    if not model:
        raise SatsegError("bad_checkpoint", "the checkpoint is multi-source but its header "
                          "lists no sources", hint="retrain with this engine version")
    if job.bands:
        raise SatsegError("bands_with_sources", "'bands' selects bands of a single-source "
                          "model's raster; this model reads sources "
                          f"{', '.join(s.name for s in model)}", key="bands",
                          hint="remove --bands and give each source rasters holding exactly "
                               "the model's bands (gdal_translate -b selects bands)")
    given = given_sources(job)
    _check_names(job, [s.name for s in model], model, given)
    entries = {str(e["name"]): e for e in header["sources"]}
    dates = {name: tuple(d) for name, d in (job.source_dates or {}).items()}
    with contextlib.ExitStack() as stack:
        opened = {name: [stack.enter_context(rasters.open_raster(p, f"sources.{name}"))
                         for p in paths] for name, paths in given.items()}
        model_names = {s.name for s in model}
        images = next((s for s in model if s.name == PRIMARY), None)
        order = _ordered(PRIMARY, given[PRIMARY], opened[PRIMARY], dates.get(PRIMARY),
                         need=images is not None and images.temporal)
        primary = order[0][0]
        target = opened[PRIMARY][given[PRIMARY].index(primary)]
        rasters.check_grid(target, "raster" if job.raster is not None else "sources.images")
        planned = []
        for info in model:
            planned.append(_plan(info, entries[info.name], given[info.name],
                                 opened[info.name], dates.get(info.name), target))
        if PRIMARY not in model_names:
            _check_overlap(PRIMARY, given[PRIMARY], opened[PRIMARY], target)
    return SourcePlan(primary, tuple(planned))


def _check_names(job: Any, names: Sequence[str], model: Sequence[SourceInfo],
                 given: Mapping[str, Sequence[Path]]) -> None:
    unused = [n for n in given if n not in names and n != PRIMARY]
    if unused:
        raise SatsegError("unused_source", f"the model does not use source {unused[0]} (it "
                          f"reads {', '.join(names)})", key=f"sources.{unused[0]}",
                          hint=f"remove --source {unused[0]}=...")
    missing = [s for s in model if s.name not in given]
    if missing:
        first = missing[0]
        files = "FILE,FILE... (one raster per date)" if first.temporal else "FILE"
        only = " but only --raster was given" if not job.sources else ""
        raise SatsegError("missing_source", f"the model needs source {first.name}: it reads "
                          f"{', '.join(names)}{only}", key=f"sources.{first.name}",
                          hint=f"add --source {first.name}={files}")


def _ordered(name: str, paths: Sequence[Path], opened: Sequence[Any],
             given: Sequence[str] | None, need: bool) -> list[tuple[Path, str | None]]:
    """(raster, date) in date order; dates given, else from names/metadata (required if `need`)."""
    key = f"source_dates.{name}"
    if given is not None:
        dates: list[str | None] = [check_date(d, key) for d in given]
    else:
        dates = [raster_date(p, src) for p, src in zip(paths, opened, strict=True)]
    if any(d is None for d in dates):
        if not need:
            return [(p, None) for p in paths]
        unknown = [p.name for p, d in zip(paths, dates, strict=True) if d is None]
        raise SatsegError("no_date", f"source {name}: no acquisition date found for "
                          f"{', '.join(unknown)} (neither in the file name nor in the "
                          f"metadata); the model needs the date of each raster", key=key,
                          hint=f"give the dates in the rasters' order: --source-dates "
                               f"{name}=YYYY-MM-DD[,YYYY-MM-DD...]")
    ordered, sorted_dates = order_dates(list(paths), [str(d) for d in dates],
                                        key=f"sources.{name}")
    return list(zip(ordered, sorted_dates, strict=True))


def _plan(info: SourceInfo, entry: Mapping[str, Any], paths: Sequence[Path],
          opened: Sequence[Any], dates: Sequence[str] | None, target: Any) -> PlannedSource:
    name = info.name
    key = f"sources.{name}"
    if len(paths) > info.slots:
        what = f"{info.slots} date slots" if info.temporal else "a single date"
        raise SatsegError("too_many_dates", f"source {name}: {len(paths)} rasters (dates) "
                          f"given but the model reads {what} of it", key=key,
                          hint=f"give at most {info.slots} raster(s) of source {name}")
    for src in opened:
        rasters.check_grid(src, key)
    counts = [src.count for src in opened]
    if len(set(counts)) > 1:
        listed = ", ".join(f"{p.name}: {c}" for p, c in zip(paths, counts, strict=True))
        raise SatsegError("date_band_mismatch", f"source {name}: its rasters have different "
                          f"band counts ({listed})", key=key,
                          hint=f"every date of source {name} needs the same bands in the same "
                               f"order")
    expected = len(info.band_names)
    if counts[0] != expected:
        raise SatsegError("band_mismatch", f"source {name}: the model expects {expected} bands "
                          f"({', '.join(info.band_names) or 'unnamed'}) but {paths[0].name} has "
                          f"{counts[0]}", key=key,
                          hint=f"give source {name} rasters with the bands it was trained on, "
                               f"in that order (gdal_translate -b selects bands)")
    _check_overlap(name, paths, opened, target)
    if info.temporal:
        order = _ordered(name, paths, opened, dates, need=True)
        chosen = tuple(p for p, _ in order)
        slot_dates = tuple(d for _, d in order) + (None,) * (info.slots - len(order))
        info = dataclasses.replace(info, dates=slot_dates)
    else:
        chosen = tuple(paths)
    resampling = str(entry.get("resampling") or "none")
    return PlannedSource(info, chosen, dict(entry.get("normalization") or NO_NORMALIZATION),
                         resampling if resampling in RESAMPLING else "auto")


def _check_overlap(name: str, paths: Sequence[Path], opened: Sequence[Any], target: Any
                   ) -> None:
    for path, src in zip(paths, opened, strict=True):
        if not (rasters.same_grid(src, target) or overlaps(src, target)):
            raise SatsegError("no_overlap", f"source {name}: {path.name} does not overlap the "
                              f"primary raster {Path(target.name).name}", key=f"sources.{name}",
                              hint=f"give source {name} rasters of the same area (check their "
                                   f"CRS)")
