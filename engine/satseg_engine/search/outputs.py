"""The search's end reports: trials.csv, best_job.json, best_model.pt, Optuna's three plots
(PNG) and tune_summary.json, each written atomically (several processes may write them)."""

from __future__ import annotations

import csv
import json
import shutil
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from ..core.events import to_jsonable
from ..core.fileio import atomic_path

PLOTS = ("optimization_history", "param_importances", "parallel_coordinate")


def duration_s(trial: FrozenTrial) -> float | None:
    if trial.datetime_start is None or trial.datetime_complete is None:
        return None
    return round((trial.datetime_complete - trial.datetime_start).total_seconds(), 3)


def write_trials_csv(path: Path, trials: Sequence[FrozenTrial], keys: Sequence[str]) -> Path:
    """One row per trial: number, state, value, duration_s, then one column per searched key."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["number", "state", "value", "duration_s", *keys])
        for trial in sorted(trials, key=lambda t: t.number):
            writer.writerow([trial.number, trial.state.name,
                             "" if trial.value is None else trial.value,
                             "" if duration_s(trial) is None else duration_s(trial),
                             *[trial.params.get(key, "") for key in keys]])
    return path


def write_json(path: Path, data: Mapping[str, Any]) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(to_jsonable(data), indent=2) + "\n", encoding="utf-8")
    return path


def write_best_job(path: Path, trial: FrozenTrial, output_dir: Path) -> Path:
    """The best trial's train job, trainable as is: it trains into OUTPUT_DIR/best_run."""
    job = dict(trial.user_attrs["job"])
    job["output_dir"] = str((Path(output_dir) / "best_run").resolve())
    return write_json(path, job)


def copy_best_model(path: Path, trial: FrozenTrial) -> Path | None:
    source = trial.user_attrs.get("checkpoint")
    if not source or not Path(source).is_file():
        return None
    with atomic_path(path) as tmp:
        shutil.copyfile(source, tmp)
    return path


def _plotters() -> dict[str, Callable[..., Any]]:
    from optuna.visualization import matplotlib as plots

    return {"optimization_history": plots.plot_optimization_history,
            "param_importances": plots.plot_param_importances,
            "parallel_coordinate": plots.plot_parallel_coordinate}


def draw_plots(study: optuna.Study, output_dir: Path, metric: str) -> tuple[dict[str, Path],
                                                                             dict[str, str]]:
    """Optuna's plots as PNG files; (role -> path, role -> why it could not be drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawn: dict[str, Path] = {}
    missing: dict[str, str] = {}
    for role, plot in _plotters().items():
        path = Path(output_dir) / f"{role}.png"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                axes = plot(study, target_name=metric)
            figure = getattr(axes, "figure", None) or axes.flat[0].figure
            figure.set_size_inches(8, 5)
            figure.tight_layout()
            with atomic_path(path) as tmp:
                figure.savefig(tmp, format="png", dpi=100)
            drawn[role] = path
        except (ValueError, RuntimeError, ZeroDivisionError, IndexError) as exc:
            missing[role] = str(exc) or type(exc).__name__
        finally:
            plt.close("all")
    return drawn, missing
