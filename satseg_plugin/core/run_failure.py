"""Why an engine run failed, in words a user can act on. Pure Python: no Qt.

`RunState` says how a run ended; `RunFailure` carries the message, the stable `code` and a hint
that names the fix. Failures that are not the engine's own `error` event are classified here: a
Python without satseg's engine, an engine environment missing a package, a crash (non-zero exit
or a signal), and an end without a terminal event.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

ENGINE_MODULE = "satseg_engine"
#: the last line of `python -m satseg_engine` run by a Python that does not have the engine
NOT_AN_ENGINE = re.compile(rf"No module named '?{ENGINE_MODULE}'?\s*$", re.MULTILINE)
#: the engine started but one of its dependencies is missing from its environment
MISSING_DEPENDENCY = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
SETUP_FIX = ("Choose the Python of a satseg engine environment in satseg Settings, or run "
             "'Set up engine environment…'.")
CRASH_FIX = ("This is a fault of the engine, not of your inputs: the satseg log (Show log) has "
             "its last error output. Check the engine in satseg Settings ▸ Check, and report "
             "the problem with that output if it happens again.")


class RunState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    DONE = "done"
    FAILED_TO_START = "failed to start"
    CRASHED = "crashed"
    EXITED_NONZERO = "exited non-zero"
    NO_TERMINAL_EVENT = "ended without a terminal event"
    ENGINE_ERROR = "engine error"
    CANCELLED = "cancelled"


@dataclass
class RunFailure:
    """Why a run did not end in `done`; `text()` is what a user reads."""

    state: RunState
    message: str
    code: str = ""
    hint: str = ""
    key: str = ""
    stderr_tail: str = ""

    def text(self) -> str:
        parts = [self.message]
        if self.key:
            parts.append(f"(key: {self.key})")
        if self.hint:
            parts.append(f"— {self.hint}")
        return " ".join(parts)


def exit_failure(python: str, verb: str, exit_code: int, tail: str) -> RunFailure:
    """A non-zero exit without an error event: no engine in that Python, an incomplete engine
    environment, or a crash."""
    if NOT_AN_ENGINE.search(tail):
        return RunFailure(RunState.EXITED_NONZERO, f"{python} is a Python without satseg's "
                          f"engine (No module named {ENGINE_MODULE}).", code="not_an_engine",
                          hint=SETUP_FIX, stderr_tail=tail)
    missing = MISSING_DEPENDENCY.search(tail)
    if missing:
        return RunFailure(RunState.EXITED_NONZERO, f"The engine environment of {python} lacks "
                          f"the package '{missing.group(1)}'.", code="engine_incomplete",
                          hint="Run 'Set up engine environment…' again, or choose a complete "
                               "engine environment in satseg Settings.", stderr_tail=tail)
    return RunFailure(RunState.EXITED_NONZERO, f"The engine exited with code {exit_code} while "
                      f"running '{verb}'.{last_line(tail)}", code="exit_code", hint=CRASH_FIX,
                      stderr_tail=tail)


def crash_failure(verb: str, tail: str) -> RunFailure:
    """The engine was killed by a signal (a crash in native code, the OOM killer)."""
    return RunFailure(RunState.CRASHED, f"The engine crashed while running '{verb}'."
                      f"{last_line(tail)}", code="crashed", hint=CRASH_FIX, stderr_tail=tail)


def silent_failure(python: str, verb: str, unexpected_lines: int, tail: str) -> RunFailure:
    """Exit 0 without a terminal event: not satseg's engine, or its output was cut."""
    garbage = (f" It wrote {unexpected_lines} line(s) that are not satseg events (see the "
               f"satseg log)." if unexpected_lines else "")
    return RunFailure(RunState.NO_TERMINAL_EVENT, f"The engine ended '{verb}' without reporting "
                      f"success or failure.{garbage}{last_line(tail)}", code="no_terminal_event",
                      hint=f"Is {python} satseg's engine? {SETUP_FIX}", stderr_tail=tail)


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return f" Last message: {lines[-1].strip()}" if lines else ""
