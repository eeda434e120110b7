"""`tune(job, events)`: the search loop shared by every process of one study, then the reports."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import Any

import optuna

from ..core.errors import Cancelled, SatsegError
from .objective import emit, run_trial
from .options import TuneJob
from .outputs import (
    copy_best_model,
    draw_plots,
    duration_s,
    write_best_job,
    write_json,
    write_trials_csv,
)
from .space import Spec, parse_space
from .study import (
    ask_lock,
    best_trial,
    counts,
    fail_stale_trials,
    make_sampler,
    mark_owner,
    open_storage,
    open_study,
    storage_url,
)

#: a process stops after this many failed trials in a row (a failure every trial will repeat)
MAX_FAILED_IN_A_ROW = 5


def check_validation_split(job: TuneJob) -> None:
    """Trials are judged on the validation split: refuse a dataset without one."""
    from ..data.patch_data import list_items, read_dataset_info
    from ..training.streams import plan_sources

    folder = plan_sources(job, read_dataset_info(job.dataset)).folder
    if not list_items(job.dataset, "validation", folder):
        raise SatsegError("bad_dataset", f"{job.dataset} has no validation patches: a search "
                          "judges each trial on them", key="dataset",
                          hint="extract the dataset with a validation split")


def tune(job: TuneJob, events: Any) -> dict[str, Any]:
    """Run trials until the study holds `search.trials` complete or pruned ones (or this
    process's time budget ends); write the reports; the `done` summary."""
    output_dir = Path(job.output_dir).resolve()
    specs = parse_space(job.space)
    check_validation_split(job)
    url = storage_url(job)
    output_dir.mkdir(parents=True, exist_ok=True)
    with ask_lock(output_dir):  # two processes must not create the tables at once
        study = open_study(job, open_storage(url), optuna.samplers.RandomSampler())
        already = counts(study)
        seed = job.seed + 7919 * sum(already.values()) + (os.getpid() if already["running"]
                                                           else 0)
        study.sampler = make_sampler(job, specs, seed)
    total = job.search.trials or None
    events.log(f"study {job.search.study_name!r} in {url}: {already['complete']} complete, "
               f"{already['pruned']} pruned, {already['failed']} failed, {already['running']} "
               f"running trials so far; budget {total or 'none'} trials"
               + (f", {job.search.timeout_s:g} s" if job.search.timeout_s else ""))
    for earlier in study.get_trials(deepcopy=False, states=ENDED):
        trial_ended(study, earlier.number, job, events)  # a resumed search lists them again
    start = time.monotonic()
    failed_in_a_row = 0
    while True:
        with ask_lock(output_dir):
            for number in fail_stale_trials(study):
                events.warning(f"trial {number} was left running by a process that is gone: "
                               "failed, its parameters queued again")
                trial_ended(study, number, job, events)
            now = counts(study)
            if total is not None and now["complete"] + now["pruned"] + now["running"] >= total:
                break
            if job.search.timeout_s and time.monotonic() - start >= job.search.timeout_s:
                events.log("search.timeout_s reached: no new trial started")
                break
            sampler = study.sampler
            if isinstance(sampler, optuna.samplers.GridSampler) and sampler.is_exhausted(study):
                events.log("every point of the grid has been tried")
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "heartbeat … with Study.optimize": we beat
                trial = study.ask()
            mark_owner(trial)
        try:
            state = run_trial(study, trial, job, specs, events)
        except (Cancelled, KeyboardInterrupt):
            trial_ended(study, trial.number, job, events)
            raise
        trial_ended(study, trial.number, job, events)
        failed_in_a_row = failed_in_a_row + 1 if state == "FAIL" else 0
        if failed_in_a_row >= MAX_FAILED_IN_A_ROW:
            error = study.get_trials(deepcopy=False)[trial.number].user_attrs.get("error")
            raise SatsegError("tune_failing", f"the last {failed_in_a_row} trials of this "
                              f"process failed (the last one: {error})",
                              hint="fix what the trials' warnings say (often a learning rate "
                                   "or batch size range too large); rerun to resume")
    return finish(study, job, specs, output_dir, url, events)


#: the states of trials that have ended
ENDED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED,
         optuna.trial.TrialState.FAIL)


def trial_record(study: optuna.Study, number: int) -> dict[str, Any]:
    trial = study.get_trials(deepcopy=False)[number]
    best = best_trial(study)
    return {"number": number, "state": trial.state.name, "value": trial.value,
            "params": dict(trial.params), "duration_s": duration_s(trial),
            "best_number": best.number if best else None,
            "best_value": best.value if best else None}


def trial_ended(study: optuna.Study, number: int, job: TuneJob, events: Any) -> None:
    """The trial-end `metric` event (stage tune, split trial) and the study's progress."""
    record = trial_record(study, number)
    values = {} if record["state"] == "FAIL" or record["value"] is None else \
        {"value": record["value"]}
    emit(events, "metric", record, stage="tune", epoch=number, split="trial", values=values)
    now = counts(study)
    events.progress("tune", now["complete"] + now["pruned"] + now["failed"],
                    job.search.trials or None, "trials")


def finish(study: optuna.Study, job: TuneJob, specs: dict[str, Spec], output_dir: Path,
           url: str, events: Any) -> dict[str, Any]:
    """Write the reports of the whole study (every process's trials); the summary."""
    trials = study.get_trials(deepcopy=False)
    csv_path = write_trials_csv(output_dir / "trials.csv", trials, list(specs))
    events.artifact("csv", csv_path, role="trials")
    best = best_trial(study)
    best_info: dict[str, Any] | None = None
    if best is None:
        events.warning("no trial completed: no best job or model (see trials.csv)")
    else:
        job_path = write_best_job(output_dir / "best_job.json", best, output_dir)
        events.artifact("report", job_path, role="best_job")
        model = copy_best_model(output_dir / "best_model.pt", best)
        if model is not None:
            events.artifact("checkpoint", model, role="best")
        best_info = {"number": best.number, "value": best.value, "params": dict(best.params),
                     "job": str(job_path), "checkpoint": str(model) if model else None}
        events.log(f"best trial {best.number}: {job.search.metric} {best.value:.4g} with "
                   + ", ".join(f"{k}={v}" for k, v in best.params.items()))
    plots, missing = draw_plots(study, output_dir, job.search.metric)
    for role, path in plots.items():
        events.artifact("plot", path, role=role)
    for role, why in missing.items():
        events.warning(f"no {role} plot: {why}")
    now = counts(study)
    summary = {"study_name": job.search.study_name, "storage": url,
               "output_dir": str(output_dir), "metric": job.search.metric,
               "direction": job.search.resolved_direction, "trials": now, "best": best_info,
               "csv": str(csv_path), "plots": {role: str(p) for role, p in plots.items()}}
    events.artifact("report", write_json(output_dir / "tune_summary.json", summary),
                    role="summary")
    return summary

