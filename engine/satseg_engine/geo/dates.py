"""Acquisition dates of rasters: given, read from the file name, or from the file's metadata.

A date is an ISO `YYYY-MM-DD` string. `raster_date` looks, in order, at the file name
(`2024-05-01`, `2024_05_01` or `20240501`, the first plausible one), then at GDAL metadata items
that sensors and tools write (ACQUISITION_DATE, DATE_ACQUIRED, SENSING_TIME, DATETIME,
TIFFTAG_DATETIME, ...). `order_dates` sorts a source's rasters by date and refuses duplicates.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import SatsegError

_NAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
METADATA_KEYS = ("ACQUISITION_DATE", "ACQUISITIONDATE", "DATE_ACQUIRED", "SENSING_TIME",
                 "SENSING_DATE", "PRODUCT_START_TIME", "DATETIME", "DATE", "TIFFTAG_DATETIME")


def parse_date(text: str) -> str | None:
    """The first plausible date in `text` as YYYY-MM-DD, or None."""
    for match in _NAME_DATE.finditer(text):
        try:
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        if 1950 <= day.year <= 2100:
            return day.isoformat()
    return None


def check_date(text: str, key: str) -> str:
    """A date the user typed, normalised to YYYY-MM-DD; a clear error otherwise."""
    try:
        return datetime.date.fromisoformat(str(text).strip()[:10]).isoformat()
    except ValueError:
        raise SatsegError("bad_date", f"{key}: {text!r} is not a date YYYY-MM-DD", key=key,
                          hint="write dates as 2024-05-31") from None


def metadata_date(tags: Mapping[str, str]) -> str | None:
    """A date from GDAL metadata items (upper-cased keys), or None."""
    upper = {str(k).upper(): str(v) for k, v in tags.items()}
    for key in METADATA_KEYS:
        if key in upper:
            found = parse_date(upper[key].replace(":", "-", 2))
            if found:
                return found
    return None


def raster_date(path: Path, src: Any | None = None) -> str | None:
    """The acquisition date of a raster from its name, else from its metadata (None if neither)."""
    found = parse_date(Path(path).stem)
    if found or src is None:
        return found
    return metadata_date(src.tags())


def order_dates(paths: Sequence[Path], dates: Sequence[str], key: str
                ) -> tuple[list[Path], list[str]]:
    """Rasters and their dates sorted by date; two rasters of one date are refused."""
    pairs = sorted(zip(dates, paths, strict=True))
    seen: dict[str, Path] = {}
    for date, path in pairs:
        if date in seen:
            raise SatsegError("duplicate_date", f"{key}: {seen[date].name} and {path.name} have "
                              f"the same date {date}", key=key,
                              hint="give one raster per date (mosaic same-day scenes first), "
                                   "or set the dates explicitly")
        seen[date] = path
    return [p for _, p in pairs], [d for d, _ in pairs]


def day_of_year(date: str | None) -> int:
    """1..366 for a date, 0 for a padded slot (no date)."""
    if not date:
        return 0
    return datetime.date.fromisoformat(date).timetuple().tm_yday
