"""The search stage: `tune(job, events)`, hyper-parameter search with Optuna.

A tune job is a train job plus a search space (`options`, `space`); each trial is the ordinary
`training.train(job, events)` in its own folder (`objective`), in an Optuna study that many
processes may share and that resumes after a cancel or a kill (`study`); the loop and the
reports are `run` and `outputs`. May import core, geo, data, models and training; never
prediction or verbs.
"""

from __future__ import annotations

from typing import Any


def tune(job: Any, events: Any) -> dict[str, Any]:
    """Run the `tune` verb's job (see `run.tune`)."""
    from .run import tune as run_tune

    return run_tune(job, events)
