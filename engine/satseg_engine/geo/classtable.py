"""Class tables embedded in rasters: the `satseg_classes` tag (JSON [{value, name, colour}]).

Written on band 1 and on the dataset by `sample` (labels) and `predict` (classes); read by
`grid`/`extract` (default class table) and `evaluate`. GDAL metadata keys cannot hold ":", hence
the underscore. A raster without the tag may still carry a GDAL colour table (`colour_table`).
Value 0 (black in a colour mask) without a class is unlabelled; `dropped_zero_message` says so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

CLASSES_TAG = "satseg_classes"


def read_class_tag(src: Any) -> list[dict[str, Any]] | None:
    """The class table of an open rasterio dataset, or None if it has none (or it is broken)."""
    text = src.tags(1).get(CLASSES_TAG) or src.tags().get(CLASSES_TAG)
    if not text:
        return None
    try:
        items = json.loads(text)
        return [{"value": int(c["value"]), "name": str(c["name"]),
                 **({"colour": str(c["colour"])} if c.get("colour") else {})} for c in items]
    except (ValueError, KeyError, TypeError):
        return None


def write_class_tag(dst: Any, classes: Sequence[dict[str, Any]]) -> None:
    """Embed the class table on band 1 and on the dataset of a rasterio dataset open for writing."""
    text = json.dumps([dict(c) for c in classes])
    dst.update_tags(1, **{CLASSES_TAG: text})
    dst.update_tags(**{CLASSES_TAG: text})


def rgb_to_hex(rgb: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def colour_table(src: Any) -> dict[int, str]:
    """Band 1's GDAL colour table as {value: "#rrggbb"} ({} when the raster has none)."""
    try:
        cmap = src.colormap(1)
    except ValueError:
        return {}
    return {int(v): rgb_to_hex(rgba) for v, rgba in cmap.items()}


# -- value 0 / black left out of the class table ---------------------------------------------
#: how to declare 0 (or black) a class, for the warning and the dialog
ZERO_FIX = ('if 0 is a class, add it to the class table (classes: {"value": 0, "name": ...}; in '
            "the Extract patches dialog, tick 'Class' on the value 0 row); if 0 means "
            "'no label', give the raster nodata 0 and this warning goes away")
BLACK_FIX = ('if black is a class, give that class the colour #000000 in the class table '
             "(in the Extract patches dialog, tick 'Class' on the black row)")


def raster_value_counts(src: Any) -> dict[float, int]:
    """{value: pixel count} of band 1, read block row by block row (bounded memory)."""
    import numpy as np
    from rasterio.windows import Window

    counts: dict[float, int] = {}
    rows = max(1, min(src.height, (2**24) // max(1, src.width)))
    for row in range(0, src.height, rows):
        data = src.read(1, window=Window(0, row, src.width, min(rows, src.height - row)))
        if data.dtype.kind in "ub" and data.dtype.itemsize <= 2:
            found = np.bincount(data.ravel().astype(np.int64))
            values = np.flatnonzero(found)
            pairs = zip(values.tolist(), found[values].tolist(), strict=True)
        else:
            values, found = np.unique(data, return_counts=True)
            pairs = zip(values.tolist(), found.tolist(), strict=True)
        for value, count in pairs:
            counts[value] = counts.get(value, 0) + count
    return counts


def zero_share(counts: dict[float, int], nodata: float | None, ignore: int = 255) -> float:
    """The share of value 0 among the pixels that are neither nodata, `ignore` nor NaN."""
    def counted(value: float) -> bool:
        return value == value and value != ignore and (nodata is None or value != nodata)

    total = sum(n for v, n in counts.items() if counted(v))
    return counts.get(0, 0) / total if total and counted(0) else 0.0


def black_share(reader: Any) -> float:
    """The share of black pixels among the valid (unmasked, alpha > 0) pixels of an RGB(A) mask."""
    from rasterio.windows import Window

    black = valid = 0
    rows = max(1, min(reader.height, (2**22) // max(1, reader.width)))
    for row in range(0, reader.height, rows):
        window = Window(0, row, reader.width, min(rows, reader.height - row))
        rgb = reader.read([1, 2, 3], window=window)
        ok = reader.read_masks(1, window=window) > 0
        if reader.count >= 4:
            ok &= reader.read(4, window=window) > 0
        valid += int(ok.sum())
        black += int((ok & ~rgb.any(axis=0)).sum())
    return black / valid if valid else 0.0


def dropped_zero_message(name: str, share: float, colour: bool) -> str:
    """The warning for value 0 (black in a colour mask) read as unlabelled without a class."""
    what = "black (#000000)" if colour else "value 0"
    why = ("no class in the class table has the colour #000000" if colour else
           "the class table has no class 0 and the raster's nodata is not 0")
    return (f"labels {name}: {what} covers {100 * share:.1f} % of the pixels and is treated as "
            f"unlabelled, because {why}; {BLACK_FIX if colour else ZERO_FIX}")
