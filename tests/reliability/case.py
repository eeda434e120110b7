"""One row of the reliability matrix: a situation a user can get into, and satseg's answer.

The engine table (`engine/cases.py`) and the plugin table (`plugin/cases.py`) hold `Case` rows
only, with no import of torch, rasterio or QGIS, so that `scripts/reliability_doc.py` can read
both with any Python and write docs/reliability.md (a test checks that the page is current).
Each test module parametrises over its table by `Case.id`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """A bad input or fault, and what satseg does about it."""

    id: str  #: stable, unique, kebab-case: "job-unknown-key"
    family: str  #: "job files", "rasters", "labels", "grids", "datasets", "checkpoints", ...
    situation: str  #: what the user did or what happened, in a user's words
    answer: str  #: what satseg does: the error code and its hint, or the behaviour
    code: str | None = None  #: the terminal error event's `code`; None when the run succeeds
