"""A registry of scenario functions, one per `Case.id`, shared by the `test_rel_*` modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Scenario = Callable[..., None]


def registry() -> tuple[dict[str, Scenario], Callable[[Scenario], Scenario]]:
    """A module's scenarios and the decorator that files a function under its case id
    (`def raster_no_crs` -> "raster-no-crs")."""
    table: dict[str, Scenario] = {}

    def scenario(fn: Scenario) -> Scenario:
        table[fn.__name__.replace("_", "-")] = fn
        return fn

    return table, scenario


def cases_of(table: dict[str, Any]) -> list[Any]:
    from cases import CASES

    return [c for c in CASES if c.id in table]
