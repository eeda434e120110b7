"""`satseg sample`: write a realistic synthetic Sentinel-2-like scene with aligned labels, or
with --sources a multi-date optical series, a radar image and labels that need both."""

from __future__ import annotations

from typing import Any

from ..synth.options import SampleJob as Job

#: job keys of this verb's outputs: a run holds their lock (core.lock).
OUTPUTS = ("output_dir",)

HELP = ("write a synthetic Sentinel-2-like scene with labels for demos/tests (--sources: a "
        "dated optical series and a radar image)")


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..synth.sample import make_sample

    return make_sample(job, events)
