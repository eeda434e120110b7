"""How the plugin starts the engine, shared by EngineRunner (QProcess, dialogs) and SyncRunner
(subprocess, Processing algorithms). Pure Python: no Qt.

* `clean_environment`: the child's environment without QGIS's Python/GDAL variables, unbuffered
  UTF-8 I/O, and the engine in its own process group (Cancel reaches its loader workers).
* `engine_arguments` / `write_job_file`: `python -u -m satseg_engine VERB --config JOB
  --progress json` with the job written to a temporary file; with several processes (all GPUs
  of the machine) through torchrun: `python -u -m torch.distributed.run --standalone
  --nproc-per-node N -m satseg_engine VERB ...`. `split_launch` takes the number of processes
  out of a job (`LAUNCH_KEY`, a plugin-side key the engine never sees).
* `interpreter_problem`: what is wrong with the configured engine Python before anything starts.
* `end_failure`: how a finished run ended, as a RunFailure (None for a success).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, List, Mapping, Optional

from .run_failure import (
    RunFailure,
    RunState,
    crash_failure,
    exit_failure,
    silent_failure,
)

#: variables from QGIS's own process that would break the engine's separate Python and GDAL
LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
                   "VIRTUAL_ENV", "GDAL_DATA", "GDAL_DRIVER_PATH", "PROJ_LIB", "PROJ_DATA",
                   "QT_PLUGIN_PATH", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH")
#: SIGTERM first; the engine's whole process group is killed after this grace period
CANCEL_GRACE_MS = 5000
ENGINE_MODULE = "satseg_engine"
#: a job key only the plugin reads: how many processes torchrun starts (one per GPU)
LAUNCH_KEY = "_processes"
#: the training dialog's device choice that runs one process per GPU of this machine
ALL_GPUS = "all_gpus"


def clean_environment(base: Mapping[str, str]) -> Dict[str, str]:
    """`base` without QGIS's Python/GDAL variables, with unbuffered UTF-8 I/O and the engine
    asked to lead its own process group."""
    env = {name: value for name, value in base.items()
           if name not in LEAKY_VARIABLES and not name.startswith("QGIS_")}
    env.update({"PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1",
                "SATSEG_PROCESS_GROUP": "1"})
    return env


def launcher_arguments(processes: int) -> List[str]:
    """torchrun on this machine with `processes` ranks ([] for one process): rank 0 emits the
    events, and a failing rank ends the run."""
    if processes < 2:
        return []
    return ["-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(processes)]


def engine_arguments(verb: str, job_path: str, processes: int = 1) -> List[str]:
    """The interpreter's arguments that run `verb` on the job file with JSON events (through
    torchrun when `processes` > 1)."""
    return ["-u", *launcher_arguments(processes), "-m", ENGINE_MODULE, verb, "--config",
            job_path, "--progress", "json"]


def split_launch(job: Mapping[str, Any]) -> "tuple[Dict[str, Any], int]":
    """(the job without LAUNCH_KEY, the number of processes it asks for: 1 by default)."""
    data = dict(job)
    try:
        processes = max(1, int(data.pop(LAUNCH_KEY, 1) or 1))
    except (TypeError, ValueError):
        processes = 1
    return data, processes


def write_job_file(verb: str, job: Mapping[str, Any], work_dir: Optional[str] = None) -> str:
    """Write `job` (with "schema": 1) to a new temporary JSON file; returns its path."""
    data = dict(job)
    data.setdefault("schema", 1)
    fd, path = tempfile.mkstemp(prefix=f"satseg-{verb}-", suffix=".json", dir=work_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    return path


def remove_quietly(path: str) -> None:
    if path:
        try:
            os.remove(path)
        except OSError:
            pass


def interpreter_problem(path: str) -> str:
    """'' when `path` can be started, else what is wrong and how to fix it."""
    if not path:
        return ("No engine interpreter is set. Open satseg Settings and choose the Python "
                "of an engine environment, or run 'Set up engine environment'.")
    if not os.path.isfile(path):
        return (f"The engine interpreter {path} does not exist. Choose another one in "
                f"satseg Settings, or run 'Set up engine environment'.")
    if not os.access(path, os.X_OK):
        return f"The engine interpreter {path} is not executable."
    return ""


def start_failure(message: str) -> RunFailure:
    """The engine could not be started (no interpreter, not executable, exec failed); the
    message names the fix."""
    return RunFailure(RunState.FAILED_TO_START, message, code="failed_to_start")


def end_failure(python: str, verb: str, terminal: Optional[Mapping[str, Any]], exit_code: int,
                crashed: bool, cancelled: bool, unexpected_lines: int,
                tail: str) -> Optional[RunFailure]:
    """How a finished run ended: None for a success (a `done` event and exit code 0), else the
    RunFailure a user reads (cancelled, the engine's error, a crash, an exit code, silence)."""
    terminal = terminal or {}
    if cancelled:
        return RunFailure(RunState.CANCELLED, "The run was cancelled.", code="cancelled",
                          stderr_tail=tail)
    if terminal.get("type") == "done" and exit_code == 0:
        return None
    if terminal.get("type") == "error":
        return RunFailure(RunState.ENGINE_ERROR, str(terminal.get("message", "")),
                          code=str(terminal.get("code", "")),
                          hint=str(terminal.get("hint") or ""),
                          key=str(terminal.get("key") or ""), stderr_tail=tail)
    if crashed:
        return crash_failure(verb, tail)
    if exit_code != 0:
        return exit_failure(python, verb, exit_code, tail)
    return silent_failure(python, verb, unexpected_lines, tail)
