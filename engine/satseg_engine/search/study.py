"""The Optuna study: storage, sampler, pruner, the base-job check, stale trials and the budget.

Many processes may share one study (one SQLite file on one machine, or any SQLAlchemy URL
across machines). A trial left RUNNING by a killed process is failed and queued again: through
Optuna's heartbeat anywhere, and at once on this machine when its recorded process is dead.
"""

from __future__ import annotations

import contextlib
import os
import socket
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import FrozenTrial, TrialState

from ..core.errors import SatsegError
from .options import TuneJob
from .space import Spec

HEARTBEAT_S = 20  # a running trial writes its heartbeat this often …
GRACE_S = 60  # … and is failed by any process when none came for this long
SQLITE_TIMEOUT_S = 120  # how long a writer waits for another's SQLite lock
MAX_RETRY = 3  # times one set of parameters is retried after interrupts or kills
HOST = socket.gethostname()

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used with")
optuna.logging.set_verbosity(optuna.logging.WARNING)


def storage_url(job: TuneJob) -> str:
    return job.search.storage or f"sqlite:///{Path(job.output_dir).resolve() / 'study.db'}"


def open_storage(url: str) -> RDBStorage:
    """The study's database; any failure to reach it names `search.storage`."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heartbeat arguments are "experimental"
            return RDBStorage(url, engine_kwargs=kwargs, heartbeat_interval=HEARTBEAT_S,
                              grace_period=GRACE_S,
                              heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                                  max_retry=MAX_RETRY))
    except ModuleNotFoundError as exc:
        raise SatsegError("storage_unreachable", f"the study storage {url!r} needs the Python "
                          f"package {exc.name!r}", key="search.storage",
                          hint=f"pip install {exc.name} into the engine's environment (for "
                               "PostgreSQL: psycopg2-binary), or leave search.storage empty "
                               "for a SQLite file in the output folder") from None
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's many connection errors
        raise SatsegError("storage_unreachable", f"cannot open the study storage {url!r}: "
                          f"{str(exc).splitlines()[0]}", key="search.storage",
                          hint="check the URL, that the database server runs and accepts "
                               "you, or leave search.storage empty for a SQLite file in "
                               "the output folder") from None


class _Grid(optuna.samplers.GridSampler):
    """Optuna's grid sampler without its `study.stop()` (made for `optimize`): the search loop
    asks `is_exhausted` before each trial instead."""

    def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
        return None


def make_sampler(job: TuneJob, specs: Mapping[str, Spec], seed: int) -> Any:
    kind = job.search.sampler
    if kind == "grid":
        return _Grid({key: spec.grid_values() for key, spec in specs.items()}, seed=seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    # TPE models the trials so far after n_startup_trials random ones (Optuna's 10 would make
    # a search of 10 to 30 trials mostly random): a third of the budget, 2 to 10
    startup = max(2, min(10, job.search.trials // 3)) if job.search.trials else 10
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)


def make_pruner(job: TuneJob) -> Any:
    """Steps are 1-based epochs: the first `warmup_epochs` epochs are never pruned."""
    kind = job.search.pruner
    if kind == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=job.search.startup_trials,
                                           n_warmup_steps=job.search.warmup_epochs + 1)
    if kind == "hyperband":
        epochs = job.epochs if isinstance(job.epochs, int) else "auto"
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=epochs)
    return optuna.pruners.NopPruner()


def identity(job: TuneJob) -> dict[str, Any]:
    """What every process of one study must agree on: the base train job (but where its files
    go), the space and the metric."""
    base = job.train_dict()
    base.pop("output_dir", None)
    base["dataset"] = str(Path(job.dataset).resolve())
    return {"base_job": base, "space": dict(job.to_dict()["space"]),
            "metric": job.search.metric, "direction": job.search.resolved_direction}


def differences(stored: Any, given: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two JSON objects."""
    if isinstance(stored, dict) and isinstance(given, dict):
        out: list[str] = []
        for key in sorted(set(stored) | set(given)):
            out += differences(stored.get(key), given.get(key), f"{prefix}{key}.")
        return out
    return [] if stored == given else [prefix.rstrip(".")]


def open_study(job: TuneJob, storage: RDBStorage, sampler: Any) -> optuna.Study:
    """Create the study, or load it and check that it searches the same thing."""
    study = optuna.create_study(storage=storage, study_name=job.search.study_name,
                                sampler=sampler, pruner=make_pruner(job),
                                direction=job.search.resolved_direction, load_if_exists=True)
    mine = identity(job)
    stored = study.user_attrs.get("identity")
    if stored is None:
        study.set_user_attr("identity", mine)
        return study
    changed = differences(stored, mine)
    if changed:
        raise SatsegError("tune_mismatch", f"the study {job.search.study_name!r} in "
                          f"{storage.url} was started with other settings: "
                          f"{', '.join(changed)} differ", key=changed[0],
                          hint="rerun with the study's settings, or start a new search in "
                               "another output folder (or with another search.study_name)")
    return study


@contextlib.contextmanager
def ask_lock(output_dir: Path) -> Iterator[None]:
    """Processes on this machine count the budget and start a trial one at a time."""
    import fcntl

    path = Path(output_dir) / ".tune-ask.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def process_start(pid: int) -> str | None:
    """The start time of a process (from /proc), so a reused PID is not taken for the holder."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def mark_owner(trial: optuna.Trial) -> None:
    trial.set_user_attr("host", HOST)
    trial.set_user_attr("pid", os.getpid())
    trial.set_user_attr("pid_start", process_start(os.getpid()))
    trial.set_user_attr("interrupted", False)


def _dead_here(trial: FrozenTrial) -> bool:
    attrs = trial.user_attrs
    pid = attrs.get("pid")
    if attrs.get("host") != HOST or not isinstance(pid, int) or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return attrs.get("pid_start") not in (None, process_start(pid))


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Fail (and queue again) RUNNING trials whose process is gone; their numbers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optuna.storages.fail_stale_trials(study)  # heartbeat: other machines, old kills
    failed = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if _dead_here(trial) and requeue(study, trial, "killed"):
            failed.append(trial.number)
    return failed


def requeue(study: optuna.Study, trial: FrozenTrial, reason: str) -> bool:
    """Mark a RUNNING trial FAIL (`reason` in its user attrs) and queue its parameters again."""
    storage = study._storage
    trial_id = trial._trial_id
    try:
        storage.set_trial_user_attr(trial_id, "interrupted", True)
        storage.set_trial_user_attr(trial_id, "interrupted_by", reason)
        if not storage.set_trial_state_values(trial_id, state=TrialState.FAIL):
            return False
    except optuna.exceptions.UpdateFinishedTrialError:
        return False  # another process did it first
    callback = storage.get_heartbeat_stale_trial_callback()
    if callback is not None:
        callback(study, storage.get_trial(trial_id))
    return True


def counts(study: optuna.Study) -> dict[str, int]:
    trials = study.get_trials(deepcopy=False)
    names = {"complete": TrialState.COMPLETE, "pruned": TrialState.PRUNED,
             "failed": TrialState.FAIL, "running": TrialState.RUNNING}
    return {name: sum(t.state == state for t in trials) for name, state in names.items()}


def best_trial(study: optuna.Study) -> FrozenTrial | None:
    try:
        return study.best_trial
    except ValueError:  # no complete trial yet
        return None
