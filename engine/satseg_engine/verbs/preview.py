"""`satseg preview DATASET`: a PNG of sample patches per split with their labels over them."""

from __future__ import annotations

from typing import Any

from ..pictures.options import PreviewJob as Job

POSITIONAL = "dataset"
HELP = "draw sample patches of a dataset per split, labels over them, as a PNG"


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..pictures.preview import draw_preview

    return draw_preview(job, events)
