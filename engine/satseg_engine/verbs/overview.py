"""`satseg overview`: image, labels, prediction and confidence side by side in one PNG."""

from __future__ import annotations

from typing import Any

from ..pictures.options import OverviewJob as Job

HELP = "draw an image, its labels, a prediction and its confidence side by side as a PNG"


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..pictures.overview import draw_overview

    return draw_overview(job, events)
