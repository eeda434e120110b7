"""The event protocol (docs/architecture.md, schema 1): one JSON object per line on stdout.

`Events` is the only thing that writes to the event stream. It validates every event against
`EVENT_FIELDS`, rate-limits progress, guarantees at most one terminal event (`done` or `error`),
and, in `bar` mode (stdout is a terminal), renders the same events as progress bars and text on
stderr instead of JSON.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

SCHEMA = 1

#: type -> (required fields, optional fields), besides "type" and "t".
EVENT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "started": (("verb", "job", "engine_version", "device"), ("schema",)),
    "progress": (("stage", "done", "total", "unit"), ()),
    "metric": (("stage", "epoch", "split", "values"), ("step", "per_class")),
    "log": (("level", "message"), ()),
    "artifact": (("kind", "path"), ("role",)),
    "done": (("summary",), ()),
    "error": (("code", "message"), ("hint", "key")),
}
TERMINAL = frozenset({"done", "error"})
LOG_LEVELS = ("debug", "info", "warning")
ARTIFACT_KINDS = ("checkpoint", "raster", "vector", "dataset", "plot", "report", "csv")
PROGRESS_INTERVAL_S = 0.1  # at most ~10 progress events per second per stage


def to_jsonable(value: Any) -> Any:
    """Plain JSON data: paths become strings, numpy scalars numbers, NaN/inf become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalar
        return to_jsonable(value.item())
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy array
        return to_jsonable(value.tolist())
    return str(value)


def make_event(type_: str, t: float | None = None, **fields: Any) -> dict[str, Any]:
    """Build and validate one event. Raises ValueError for an unknown type or missing fields."""
    if type_ not in EVENT_FIELDS:
        raise ValueError(f"unknown event type {type_!r}; valid: {', '.join(EVENT_FIELDS)}")
    required, optional = EVENT_FIELDS[type_]
    missing = [f for f in required if f not in fields]
    extra = [f for f in fields if f not in required and f not in optional]
    if missing or extra:
        raise ValueError(f"{type_} event: missing {missing}, unexpected {extra}")
    if type_ == "log" and fields["level"] not in LOG_LEVELS:
        raise ValueError(f"log level must be one of {LOG_LEVELS}")
    if type_ == "artifact" and fields["kind"] not in ARTIFACT_KINDS:
        raise ValueError(f"artifact kind must be one of {ARTIFACT_KINDS}")
    event = {"type": type_, "t": round(time.time() if t is None else t, 3)}
    event.update({k: to_jsonable(v) for k, v in fields.items() if v is not None or k in required})
    return event


def encode(event: Mapping[str, Any]) -> str:
    """One line of strict JSON (no NaN), UTF-8 characters kept as they are."""
    return json.dumps(event, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class Events:
    """Writes events for one run. `mode` is "json" (JSON lines) or "bar" (human output)."""

    def __init__(self, stream: TextIO, mode: str = "json", clock: Callable[[], float] = time.time,
                 human: TextIO | None = None):
        if mode not in ("json", "bar"):
            raise ValueError("mode must be 'json' or 'bar'")
        self.stream = stream
        self.mode = mode
        self.clock = clock
        self.human = human if human is not None else sys.stderr
        self.terminal: dict[str, Any] | None = None
        self.has_started = False
        self._last_progress: dict[str, float] = {}
        self._bars: dict[str, Any] = {}

    # -- the event types -------------------------------------------------------------------
    def started(self, verb: str, job: Any, engine_version: str, device: str) -> None:
        self._emit(make_event("started", verb=verb, job=job, engine_version=engine_version,
                              device=device, schema=SCHEMA))
        self.has_started = True

    def progress(self, stage: str, done: int, total: int | None, unit: str = "items") -> None:
        """Report progress; throttled so that at most ~10 events per second reach the stream."""
        now = self.clock()
        last = self._last_progress.get(stage)
        final = total is not None and done >= total
        if last is not None and not final and now - last < PROGRESS_INTERVAL_S:
            return
        self._last_progress[stage] = now
        self._emit(make_event("progress", t=now, stage=stage, done=done, total=total, unit=unit))

    def metric(self, stage: str, epoch: int, split: str, values: Mapping[str, float],
               step: int | None = None,
               per_class: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self._emit(make_event("metric", stage=stage, epoch=epoch, split=split, values=values,
                              step=step, per_class=per_class))

    def log(self, message: str, level: str = "info") -> None:
        self._emit(make_event("log", level=level, message=message))

    def warning(self, message: str) -> None:
        self.log(message, level="warning")

    def artifact(self, kind: str, path: str | os.PathLike[str], role: str | None = None) -> None:
        self._emit(make_event("artifact", kind=kind, path=str(Path(path).resolve()), role=role))

    def done(self, summary: Mapping[str, Any]) -> None:
        self._emit(make_event("done", summary=summary))

    def error(self, code: str, message: str, hint: str | None = None,
              key: str | None = None) -> None:
        self._emit(make_event("error", code=code, message=message, hint=hint, key=key))

    def emit(self, event: dict[str, Any]) -> None:
        """Write an event built with `make_event` and given extra fields (a wrapper's tag, e.g.
        the `"trial"` of `satseg tune`'s forwarded events)."""
        self._emit(event)

    # -- output ----------------------------------------------------------------------------
    def _emit(self, event: dict[str, Any]) -> None:
        event["t"] = round(self.clock(), 3)
        if self.terminal is not None:
            raise RuntimeError(f"{event['type']} event after the terminal {self.terminal['type']}")
        if event["type"] in TERMINAL:
            self.terminal = event
            self._close_bars()
        if self.mode == "json":
            self.stream.write(encode(event) + "\n")
            self.stream.flush()
        else:
            self._render(event)

    def _render(self, event: dict[str, Any]) -> None:
        from . import human  # tqdm and table formatting only when a person is watching

        human.render(event, self._bars, self.human)

    def _close_bars(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()
