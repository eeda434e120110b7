"""Class tables embedded in rasters: the `satseg_classes` tag (JSON [{value, name, colour}]).

Written on band 1 and on the dataset by `sample` (labels) and `predict` (classes); read by
`grid`/`extract` (default class table) and `evaluate`. GDAL metadata keys cannot hold ":", hence
the underscore.
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
