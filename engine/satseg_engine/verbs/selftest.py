"""`satseg selftest`: exercise the event channel between a front end and the engine.

Emits progress for `seconds`, writes a small report file atomically (so a cancelled run shows
that nothing is left under the final name), then ends the way `outcome` says. Front ends (the
QGIS plugin's tests, a cluster wrapper) use it to check that they handle each way a run can end.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import Any, Literal

from ..core import jobs
from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from ..core.jobs import option

HELP = "check the event channel: progress for a while, then succeed, fail, crash or exit"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    seconds: float = option(1.0, help="how long to emit progress", min=0, max=3600)
    steps: int = option(10, help="progress steps over that time", min=1, max=100000)
    outcome: Literal["done", "error", "crash", "exit", "silent"] = option(
        "done", help="how the run ends: done (success), error (an error event), crash (abort), "
                     "exit (exit code 3 without a terminal event), silent (exit 0 without one)")
    output: Path | None = option(None, help="a report file written atomically during the run")


def run(job: Job, events: Any) -> dict[str, Any]:
    events.log(f"selftest: pid {os.getpid()}, {job.steps} steps over {job.seconds} s")
    started = time.monotonic()
    if job.output is None:
        _emit_steps(job, events)
    else:
        with atomic_path(job.output) as tmp:
            with tmp.open("w", encoding="utf-8") as handle:
                _emit_steps(job, events, handle.write)
        events.artifact("report", job.output)
    return _finish(job, started)


def _emit_steps(job: Job, events: Any, write: Any = None) -> None:
    for step in range(1, job.steps + 1):
        time.sleep(job.seconds / job.steps)
        if write is not None:
            write(f"step {step}\n")
        events.progress("selftest", step, job.steps, "steps")


def _finish(job: Job, started: float) -> dict[str, Any]:
    if job.outcome == "error":
        raise SatsegError("selftest_error", "selftest failed as requested",
                          hint="run selftest with outcome=done")
    if job.outcome == "crash":
        os.abort()
    if job.outcome in ("exit", "silent"):
        os._exit(3 if job.outcome == "exit" else 0)
    return {"steps": job.steps, "seconds": round(time.monotonic() - started, 3),
            "output": str(job.output) if job.output else None}
