"""The search stage's options: `TuneJob` = a train job + a search space + `search` settings.

Standard library, core and training.options only (`satseg --help` stays fast). The space is
parsed and checked here, at load time, so a bad range or choice ends the run before any work.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from ..core.errors import JobError
from ..core.jobs import option
from ..training.options import TrainJob
from .space import parse_space, resolve_space

Metric = Literal["validation.miou", "validation.loss", "validation.mean_f1",
                 "validation.accuracy"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SearchOptions:
    trials: int = option(20, min=0, help="trials to finish (complete or pruned) over the whole "
                         "study, every process and resume included; 0 = until timeout_s")
    timeout_s: float = option(0.0, min=0.0, help="this process starts no new trial after this "
                              "many seconds (0 = no time budget)")
    metric: Metric = option("validation.miou", help="what a trial is judged by (its best "
                            "epoch); also reported per epoch to the pruner")
    direction: Literal["auto", "maximize", "minimize"] = option(
        "auto", help="auto: minimize a loss, maximize anything else")
    sampler: Literal["tpe", "random", "grid"] = option(
        "tpe", help="how the next trial's values are chosen (grid: choices and int ranges only)")
    pruner: Literal["median", "hyperband", "none"] = option(
        "median", help="stops trials whose per-epoch validation metric lags behind")
    startup_trials: int = option(3, min=0, help="median pruner: trials finished before any "
                                 "is pruned")
    warmup_epochs: int = option(1, min=0, help="median pruner: first epochs of a trial that "
                                "are never pruned")
    storage: str = option("", help="SQLAlchemy URL of the study (empty = "
                          "sqlite:///OUTPUT_DIR/study.db); e.g. postgresql://user:pw@host/db "
                          "for many processes on many machines")
    study_name: str = option("satseg", help="study name inside the storage")

    @property
    def metric_name(self) -> str:
        return self.metric.split(".", 1)[1]

    @property
    def resolved_direction(self) -> str:
        if self.direction != "auto":
            return self.direction
        return "minimize" if self.metric_name == "loss" else "maximize"


@dataclasses.dataclass(frozen=True, kw_only=True)
class TuneJob(TrainJob):
    """The `tune` verb's job: every train key (the base of each trial) plus the search."""

    output_dir: Path = option(help="folder of the search: study.db, trials/trial_NNNN/ (one "
                              "training each), trials.csv, best_job.json, best_model.pt, plots")
    space: dict[str, Any] = option(help="train key -> range or choices: KEY=float:LOW:HIGH, "
                                   "log_float:LOW:HIGH, int:LOW:HIGH[:STEP], choice:A,B,… "
                                   "(or the JSON form {\"type\": …})")
    search: SearchOptions = option(SearchOptions(), help="search settings")

    @classmethod
    def inherited(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        return {}  # no `resume`: a search resumes from its study (refused below)

    def __post_init__(self) -> None:
        if self.resume is not None:
            raise JobError("'resume' is a train key: a search resumes from its study", key="resume",
                           hint="remove 'resume'; rerun the same tune command (same output "
                                "folder) to continue the search")
        if self.kfold.folds >= 2:
            raise JobError("a search trains each trial on the dataset's splits, not k-fold",
                           key="kfold.folds", hint="set kfold.folds to 0; cross-validate the "
                           "best job afterwards with satseg train --config best_job.json")
        if self.search.trials == 0 and self.search.timeout_s == 0:
            raise JobError("search.trials is 0 (until the time budget ends) and there is no "
                           "time budget", key="search.trials",
                           hint="give search.trials > 0 or search.timeout_s > 0")
        super().__post_init__()
        specs = resolve_space(parse_space(self.space), self.train_dict(), self.search.sampler,
                              TrainJob)
        object.__setattr__(self, "space", types.MappingProxyType(
            {key: spec.to_dict() for key, spec in specs.items()}))

    def train_dict(self) -> dict[str, Any]:
        """The base train job (every key but the search's) as JSON data."""
        data = self.to_dict()
        data.pop("space", None)
        data.pop("search", None)
        return data
