"""Class names and colours for polygons: from a checkpoint, the raster's `satseg_classes` tag,
or its GDAL colour table, in that order; a value none of them names is `class <value>`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..geo.classtable import colour_table, read_class_tag

#: colours of values nothing names (Tableau 10), by value
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")


def checkpoint_classes(path: Path) -> list[dict[str, Any]]:
    """The classes a checkpoint's predictions use (a binary model's negative class added,
    as prediction/outputs.py's `output_classes` does)."""
    from ..models.checkpoint import read_checkpoint

    header = read_checkpoint(path)["header"]
    classes = [dict(c) for c in header["classes"]]
    if header.get("task") == "binary" and len(classes) == 1:
        taken = int(classes[0]["value"]) == 0
        classes.insert(0, {"value": 1 if taken else 0, "name": "background",
                           "colour": "#000000"})
    return classes


def class_table(src: Any, checkpoint: Path | None) -> tuple[dict[int, dict[str, str]], str]:
    """{value: {"name", "colour"}} and where it came from (checkpoint, raster tag, colour
    table or none)."""
    colours = colour_table(src)
    if checkpoint is not None:
        listed: Sequence[Mapping[str, Any]] | None = checkpoint_classes(checkpoint)
        origin = "checkpoint"
    else:
        listed = read_class_tag(src)
        origin = "raster metadata" if listed else ("colour table" if colours else "none")
    table: dict[int, dict[str, str]] = {}
    for item in listed or []:
        value = int(item["value"])
        table[value] = {"name": str(item.get("name") or f"class {value}"),
                        "colour": str(item.get("colour") or colours.get(value)
                                      or PALETTE[value % len(PALETTE)])}
    return table, origin


def describe(table: Mapping[int, Mapping[str, str]], value: int,
             colours: Mapping[int, str]) -> dict[str, str]:
    """Name and colour of `value`; values the table lacks get a generic name."""
    if value in table:
        return dict(table[value])
    return {"name": f"class {value}", "colour": colours.get(value) or PALETTE[value % 10]}
