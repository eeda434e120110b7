"""The results of a `satseg tune` search on the plugin side, without widgets: trial-end events
turned into a table with the best trial and the trial running now, and the train job of the best
settings (the search's best_job.json, or the base job with the best trial's parameters).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from . import train_job
from .tune_job import BEST_JOB_FILE, FINAL_DIR, apply_params, base_of


@dataclass
class Trial:
    """One ended trial, from its `metric` event (stage "tune", split "trial")."""

    number: int
    state: str
    value: Optional[float]
    params: Dict[str, Any]
    duration_s: float


@dataclass
class TrialLog:
    """The trials of a search from its events: the table, the best, the current trial."""

    trials: Dict[int, Trial] = field(default_factory=dict)
    best_number: Optional[int] = None
    best_value: Optional[float] = None
    #: the trial training now, its last epoch and its batches (done, total)
    current: Optional[int] = None
    epoch: int = 0
    batches: Tuple[int, int] = (0, 0)

    def add(self, event: Mapping[str, Any]) -> Optional[Trial]:
        """Take one event; the Trial when it ended one (None otherwise)."""
        tagged = event.get("trial")
        if event.get("type") == "metric" and event.get("stage") == "tune" and \
                isinstance(tagged, dict):
            return self._ended(tagged)
        if isinstance(tagged, int) and not isinstance(tagged, bool):
            if tagged != self.current:
                self.current, self.epoch, self.batches = tagged, 0, (0, 0)
            if event.get("type") == "progress" and event.get("total"):
                self.batches = (int(event["done"]), int(event["total"]))
            elif event.get("type") == "metric" and event.get("step") is None:
                self.epoch = max(self.epoch, int(event.get("epoch") or 0))
        return None

    def _ended(self, info: Mapping[str, Any]) -> Trial:
        value = info.get("value")
        trial = Trial(number=int(info["number"]), state=str(info.get("state") or "FAIL"),
                      value=float(value) if isinstance(value, (int, float)) else None,
                      params=dict(info.get("params") or {}),
                      duration_s=float(info.get("duration_s") or 0.0))
        self.trials[trial.number] = trial
        if info.get("best_number") is not None:
            self.best_number = int(info["best_number"])
            best = info.get("best_value")
            self.best_value = float(best) if isinstance(best, (int, float)) else None
        if self.current == trial.number:
            self.current = None
        return trial

    def best(self) -> Optional[Trial]:
        return self.trials.get(self.best_number) if self.best_number is not None else None

    def rows(self) -> List[Trial]:
        return [self.trials[n] for n in sorted(self.trials)]


def format_value(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.4f}"


def format_params(params: Mapping[str, Any]) -> str:
    """'optim.lr=0.00123, model.encoder=resnet18' (floats to 3 significant digits)."""
    return ", ".join(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}"
                     for key, value in params.items())


def best_job(output_dir: str, base: Mapping[str, Any], best: Optional[Trial],
             summary: Mapping[str, Any]) -> Dict[str, Any]:
    """The train job of the best trial: the search's best_job.json once the search has ended
    (its done summary names it); during a search, the base job with the best trial's
    parameters (output: OUTPUT/best_run); before any trial, a best_job.json left in the folder by
    an earlier search; {} when there is none."""
    written = str((summary.get("best") or {}).get("job") or "")
    if written and os.path.isfile(written):
        return train_job.load_job(written)
    if best is not None:
        job = apply_params(base_of(base), best.params)
        job["output_dir"] = os.path.join(os.path.abspath(output_dir), FINAL_DIR)
        return job
    earlier = os.path.join(output_dir, BEST_JOB_FILE)
    return train_job.load_job(earlier) if output_dir and os.path.isfile(earlier) else {}
