"""Class tables embedded in rasters: the `satseg_classes` tag (JSON [{value, name, colour}]).

Written on band 1 and on the dataset by `sample` (labels) and `predict` (classes); read by
`grid`/`extract` (default class table) and `evaluate`. GDAL metadata keys cannot hold ":", hence
the underscore. A raster without the tag may still carry a GDAL colour table (`colour_table`).
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
