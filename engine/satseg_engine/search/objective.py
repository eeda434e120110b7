"""One trial: the ordinary `training.train(job, events)` in `trials/trial_NNNN/`.

Its events reach the stream tagged `"trial": N`; each epoch's validation metric is reported to
Optuna, and the trial is pruned from inside that `metric` call (`optuna.TrialPruned`), so
training itself knows nothing of the search.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import optuna
import torch

from ..core.errors import Cancelled, SatsegError
from ..core.events import PROGRESS_INTERVAL_S, make_event
from ..core.jobs import load_job
from ..core.lock import output_lock
from ..core.threads import helper_thread
from ..training.options import TrainJob
from .options import TuneJob
from .space import Spec, apply
from .study import HEARTBEAT_S, requeue

#: a trial that ends with one of these failed on its own settings: the search goes on
TRIAL_FAILURES = (SatsegError, MemoryError, torch.OutOfMemoryError)


def emit(events: Any, type_: str, trial: Any, **fields: Any) -> None:
    """One event of the protocol with the extra field `"trial"` (a number or a record)."""
    event = make_event(type_, **fields)
    event["trial"] = trial
    events.emit(event)


class TrialEvents:
    """What `train` is given as `events`: every event forwarded with `"trial": N`."""

    def __init__(self, events: Any, trial: optuna.Trial, metric: str):
        self._events = events
        self._trial = trial
        self._metric = metric
        self._last: dict[str, float] = {}
        self.number = trial.number
        self.values: dict[int, float] = {}  # epoch -> validation metric

    def progress(self, stage: str, done: int, total: int | None, unit: str = "items") -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last.get(stage, -math.inf) < PROGRESS_INTERVAL_S:
            return
        self._last[stage] = now
        emit(self._events, "progress", self.number, stage=stage, done=done, total=total,
             unit=unit)

    def metric(self, stage: str, epoch: int, split: str, values: Mapping[str, float],
               step: int | None = None, per_class: Any = None) -> None:
        emit(self._events, "metric", self.number, stage=stage, epoch=epoch, split=split,
             values=values, step=step, per_class=per_class)
        if split != "validation" or step is not None or self._metric not in values:
            return
        value = float(values[self._metric])
        self.values[epoch] = value
        self._trial.report(value, epoch)
        if self._trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {epoch} ({self._metric} {value:.4g})")

    def log(self, message: str, level: str = "info") -> None:
        emit(self._events, "log", self.number, level=level, message=message)

    def warning(self, message: str) -> None:
        self.log(message, level="warning")

    def artifact(self, kind: str, path: Any, role: str | None = None) -> None:
        emit(self._events, "artifact", self.number, kind=kind, path=str(Path(path).resolve()),
             role=role)

    def __getattr__(self, name: str) -> Any:  # mode, clock …: the run's own
        return getattr(self._events, name)


@contextlib.contextmanager
def heartbeat(storage: Any, trial_id: int) -> Iterator[None]:
    """Record the trial's heartbeat every HEARTBEAT_S while it runs (Optuna fails trials whose
    heartbeat stops: a process killed on another machine)."""
    stop = threading.Event()

    def beat() -> None:
        while True:
            with contextlib.suppress(Exception):
                storage.record_heartbeat(trial_id)
            if stop.wait(HEARTBEAT_S):
                return

    thread = helper_thread(beat, "satseg-heartbeat")
    thread.start()
    try:
        yield
    finally:
        stop.set()


def trial_dir(output_dir: Path, number: int) -> Path:
    return Path(output_dir) / "trials" / f"trial_{number:04d}"


def trial_job(job: TuneJob, specs: Mapping[str, Spec], trial: optuna.Trial) -> TrainJob:
    """The trial's train job: the base job, the suggested values, its own folder."""
    params = {key: spec.suggest(trial) for key, spec in specs.items()}
    data = apply(job.train_dict(), params)
    data["output_dir"] = str(trial_dir(job.output_dir, trial.number).resolve())
    data["dataset"] = str(Path(job.dataset).resolve())  # best_job.json runs from anywhere
    if job.model.encoder_weights_path is not None:
        data["model"]["encoder_weights_path"] = str(job.model.encoder_weights_path.resolve())
    return load_job(TrainJob, data)


def best_of(values: Mapping[int, float], direction: str) -> float | None:
    finite = [v for v in values.values() if math.isfinite(v)]
    if not finite:
        return None
    return max(finite) if direction == "maximize" else min(finite)


def run_trial(study: optuna.Study, trial: optuna.Trial, job: TuneJob,
              specs: Mapping[str, Spec], events: Any) -> str:
    """Train one asked trial and tell Optuna how it ended; its final state's name.

    A cancel (SIGTERM, Ctrl-C) marks the trial FAIL with `interrupted` and queues its
    parameters again (the resumed search retries them first), then ends the run. A trial that
    fails on its own settings (divergence, out of memory) is FAIL and the search goes on.
    """
    from ..training import train

    direction = job.search.resolved_direction
    tagged = TrialEvents(events, trial, job.search.metric_name)
    storage = study._storage
    try:
        train_job = trial_job(job, specs, trial)
        trial.set_user_attr("job", train_job.to_dict())
        checkpoint = "best_loss" if job.search.metric_name == "loss" else "best_iou"
        with output_lock([("output_dir", train_job.output_dir)]), \
                heartbeat(storage, trial._trial_id):
            summary = train(train_job, tagged)
        paths = summary.get("checkpoints", {})
        trial.set_user_attr("checkpoint", paths.get(checkpoint) or paths.get("last"))
        value = best_of(tagged.values, direction)
        if value is None:
            raise SatsegError("no_validation_metric", f"trial {trial.number} reported no finite "
                              f"{job.search.metric}", hint="check that the dataset has "
                              "validation patches and that training did not diverge")
    except optuna.TrialPruned as exc:
        tagged.log(str(exc))
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        return "PRUNED"
    except TRIAL_FAILURES as exc:
        code = getattr(exc, "code", type(exc).__name__)
        tagged.warning(f"trial {trial.number} failed [{code}]: {getattr(exc, 'message', exc)}")
        trial.set_user_attr("error", f"{code}: {getattr(exc, 'message', exc)}")
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return "FAIL"
    except (Cancelled, KeyboardInterrupt):
        requeue(study, storage.get_trial(trial._trial_id), "cancelled")
        raise
    except BaseException:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        raise
    study.tell(trial, value)
    return "COMPLETE"
