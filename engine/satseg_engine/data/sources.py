"""The sources of a dataset or a model: which inputs, which bands, which dates, how to scale them.

A source is a named input on the primary image's pixel grid: `images` (always present, the grid
snaps to it) and any others (`s1`, `dem`, ...). A single-date source has C bands; a time series
has `slots` date slots of C bands each, stored date-major (slot 0's C bands, then slot 1's...).
Slots beyond the source's dates are padding (date None). A slot is *present* in a window when its
date is not padding and at most `max_nodata_frac` of its pixels are nodata: a missing or fully
clouded date is masked, never silently fed to a model as zeros.

`dataset_sources(info)` reads them from dataset.json (a dataset written before sources existed
is one single-date `images` source); `SourceInfo.header()` / `from_header()` carry them in a
checkpoint header (`header["sources"]`, docs/formats.md). Pure numpy: training and prediction
share these rules.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.errors import SatsegError
from ..geo.dates import day_of_year
from .normalization import normalize

PRIMARY = "images"
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
RESERVED = frozenset({"labels"})
PAD = "nodate"


def check_source_name(name: str, key: str = "sources") -> str:
    """A usable source name (also a folder name under Patch/<split>/)."""
    if not NAME_PATTERN.fullmatch(name) or name in RESERVED:
        raise SatsegError("bad_source_name", f"{key}: {name!r} is not a usable source name",
                          key=key, hint="use a letter then letters, digits, '_' or '-' (at most "
                                        "32), not 'labels', e.g. s1, s2, dem")
    return name


def slot_band_names(dates: Sequence[str | None], bands: Sequence[str]) -> list[str]:
    """Band descriptions of a time-series patch: '<date> <band>', date-major."""
    return [f"{date or PAD} {band}" for date in dates for band in bands]


@dataclasses.dataclass(frozen=True)
class SourceInfo:
    """One source as the dataset and the checkpoint describe it."""

    name: str
    band_names: tuple[str, ...]          # the C bands of one date
    dates: tuple[str | None, ...] = ()   # one per slot (None: padding); () = single date
    dtype: str = "float32"
    nodata: float | None = None
    resampling: str = "none"             # how it was put on the primary grid ("none": it is it)
    max_nodata_frac: float = 1.0
    statistics: tuple[Mapping[str, Any], ...] = ()  # per band, over all dates (train split)

    @property
    def temporal(self) -> bool:
        return len(self.dates) > 0

    @property
    def slots(self) -> int:
        return max(1, len(self.dates))

    @property
    def channels(self) -> int:
        return self.slots * len(self.band_names)

    @property
    def folder(self) -> str:
        """The folder of its patches under Patch/<split>/."""
        return self.name

    def patch_band_names(self) -> list[str]:
        return slot_band_names(self.dates, self.band_names) if self.temporal else \
            list(self.band_names)

    def day_of_year(self) -> np.ndarray:
        """(slots,) float32: day of year of each slot, 0 for padding."""
        return np.array([day_of_year(d) for d in self.dates] or [0], dtype=np.float32)

    def normalization(self, method: str) -> dict[str, Any]:
        """The per-band normalisation record of this source (applied to every date alike)."""
        from .normalization import make_normalization

        return make_normalization(method, {"bands": list(self.statistics)}, self.nodata)

    def header(self, normalization: Mapping[str, Any]) -> dict[str, Any]:
        """Plain data for a checkpoint header's `sources` list."""
        return {"name": self.name, "band_names": list(self.band_names),
                "dates": list(self.dates), "slots": self.slots, "channels": self.channels,
                "dtype": self.dtype, "nodata": self.nodata, "resampling": self.resampling,
                "max_nodata_frac": self.max_nodata_frac, "normalization": dict(normalization)}

    @classmethod
    def from_header(cls, entry: Mapping[str, Any]) -> SourceInfo:
        norm = entry.get("normalization") or {}
        return cls(name=str(entry["name"]), band_names=tuple(entry["band_names"]),
                   dates=tuple(entry.get("dates") or ()), dtype=str(entry.get("dtype",
                                                                            "float32")),
                   nodata=entry.get("nodata"), resampling=str(entry.get("resampling", "none")),
                   max_nodata_frac=float(entry.get("max_nodata_frac", 1.0)),
                   statistics=tuple(norm.get("bands") or ()))


def dataset_sources(info: Mapping[str, Any]) -> list[SourceInfo]:
    """The sources of a dataset.json, `images` first; older datasets are one `images` source."""
    described = info.get("sources") or {}
    out = []
    for name in [PRIMARY, *[n for n in described if n != PRIMARY]]:
        entry = described.get(name) or {}
        stats = entry.get("statistics", {}).get("bands") if entry.get("statistics") else None
        if name == PRIMARY and stats is None:
            stats = info.get("statistics", {}).get("bands", [])
        out.append(SourceInfo(
            name=name, band_names=tuple(entry.get("band_names") or info.get("band_names", [])),
            dates=tuple(entry.get("dates") or ()), dtype=str(entry.get("dtype") or
                                                             info.get("dtype") or "float32"),
            nodata=entry.get("nodata", info.get("nodata") if name == PRIMARY else None),
            resampling=str(entry.get("resampling", "none")),
            max_nodata_frac=float(entry.get("max_nodata_frac", 1.0)),
            statistics=tuple(stats or ())))
    return out


def header_sources(header: Mapping[str, Any]) -> list[SourceInfo] | None:
    """The sources a checkpoint's model consumes, or None for a single-source model."""
    entries = header.get("sources")
    return [SourceInfo.from_header(e) for e in entries] if entries else None


def select_sources(sources: Sequence[SourceInfo], names: Sequence[str], key: str
                   ) -> list[SourceInfo]:
    """The sources named (in the dataset's order); all of them when `names` is empty."""
    if not names:
        return list(sources)
    known = {s.name: s for s in sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SatsegError("unknown_source", f"{key}: the dataset has no source "
                          f"{', '.join(map(repr, unknown))} (it has {', '.join(known)})",
                          key=key, hint="name sources the dataset was extracted with")
    return [s for s in sources if s.name in names]


def slot_valid(valid: np.ndarray, slots: int) -> np.ndarray:
    """(slots, ...) validity from a per-band (slots*C, ...) validity or data mask."""
    return valid.reshape(slots, -1, *valid.shape[1:]).any(axis=1)


def date_presence(slot_validity: np.ndarray, source: SourceInfo) -> np.ndarray:
    """(slots,) bool: the slot has a date and at most `max_nodata_frac` of it is nodata."""
    if not source.temporal:
        return np.ones(1, dtype=bool)
    flat = slot_validity.reshape(source.slots, -1)
    nodata_share = 1.0 - flat.mean(axis=1)
    has_date = np.array([d is not None for d in source.dates], dtype=bool)
    return has_date & (nodata_share <= source.max_nodata_frac + 1e-9) & flat.any(axis=1)


def invalid_pixels(raw: np.ndarray, nodata: float | None) -> np.ndarray:
    """(bands, H, W) bool: nodata or not finite."""
    invalid = ~np.isfinite(raw) if raw.dtype.kind == "f" else np.zeros(raw.shape, dtype=bool)
    if nodata is not None and not np.isnan(nodata):
        invalid |= raw == np.asarray(nodata).astype(raw.dtype)
    return invalid


def normalize_source(raw: np.ndarray, normalization: Mapping[str, Any], source: SourceInfo
                     ) -> tuple[np.ndarray, np.ndarray]:
    """A raw patch or window of the source (slots*C, H, W) -> (normalised float32 of the same
    shape, present (slots,) bool). Absent slots are all zeros; nodata pixels are 0 (as for
    single-source patches)."""
    channels = len(source.band_names)
    if raw.shape[0] != source.channels:
        raise SatsegError("band_mismatch", f"source {source.name}: {raw.shape[0]} bands, "
                          f"expected {source.channels} ({source.slots} date slot(s) × "
                          f"{channels} bands)", hint="re-extract the dataset")
    slots = raw.reshape(source.slots, channels, *raw.shape[1:])
    valid = ~invalid_pixels(slots, source.nodata).all(axis=1)
    present = date_presence(valid, source)
    out = np.zeros(slots.shape, dtype=np.float32)
    for index in np.flatnonzero(present):
        out[index] = normalize(slots[index], normalization)
    return out.reshape(raw.shape), present
