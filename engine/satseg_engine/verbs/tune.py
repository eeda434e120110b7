"""`satseg tune`: hyper-parameter search with Optuna; each trial is an ordinary training.

Writes study.db (unless search.storage names another database), trials/trial_NNNN/ (one train
output folder each), trials.csv, best_job.json, best_model.pt, three plots and
tune_summary.json into `output_dir` (docs/formats.md). Several processes may share one output
folder and study, so this verb locks each trial's folder, not the whole output folder.
"""

from __future__ import annotations

from typing import Any

from ..search.options import TuneJob as Job

HELP = ("search training settings with Optuna: each trial trains the job with values from "
        "--space KEY=SPEC, e.g. --space optim.lr=log_float:1e-4:1e-2 --space "
        "batch_size=int:4:16:4 --space model.encoder=choice:resnet18,resnet34 (SPEC: "
        "float:LOW:HIGH, log_float:LOW:HIGH, int:LOW:HIGH[:STEP], choice:A,B,…); "
        "rerun the same command to resume")

#: no OUTPUTS lock: processes sharing the study share the folder (trial folders are locked).
OUTPUTS: tuple[str, ...] = ()


def device(job: Job) -> str:
    from ..training.setup import resolve_device

    return str(resolve_device(job.device))


def run(job: Job, events: Any) -> dict[str, Any]:
    from ..search import tune

    return tune(job, events)
