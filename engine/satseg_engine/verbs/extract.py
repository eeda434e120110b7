"""`satseg extract`: image(s) + labels -> a patch dataset (docs/formats.md, "Patch dataset")."""

from __future__ import annotations

from typing import Any

from ..data.options import ExtractJob as Job

#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output_dir",)

HELP = "cut image(s) and labels into a patch dataset with splits and band statistics"


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..data.extraction import extract

    return extract(job, events)
