"""Parsing the engine's JSON-line events (docs/architecture.md, schema 1). Pure Python: no Qt.

The engine's writer (satseg_engine/core/events.py) and this parser are both checked against the
golden file tests/golden/events.jsonl, so the two sides of the boundary cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Tuple

#: type -> required fields (besides "type" and "t"); mirrors the engine's EVENT_FIELDS.
REQUIRED_FIELDS: Dict[str, Tuple[str, ...]] = {
    "started": ("verb", "job", "engine_version", "device"),
    "progress": ("stage", "done", "total", "unit"),
    "metric": ("stage", "epoch", "split", "values"),
    "log": ("level", "message"),
    "artifact": ("kind", "path"),
    "done": ("summary",),
    "error": ("code", "message"),
}
TERMINAL = ("done", "error")


class EventFormatError(ValueError):
    """A line on the engine's stdout that is not a valid event."""


def parse_event(line: str) -> Optional[Dict[str, Any]]:
    """One stdout line → event dict; None for a blank line; EventFormatError for anything else."""
    line = line.strip()
    if not line:
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EventFormatError(f"not JSON: {line[:200]!r} ({exc.msg})") from None
    if not isinstance(event, dict):
        raise EventFormatError(f"not a JSON object: {line[:200]!r}")
    kind = event.get("type")
    if kind not in REQUIRED_FIELDS:
        raise EventFormatError(f"unknown event type {kind!r}")
    missing = [name for name in REQUIRED_FIELDS[kind] if name not in event]
    if missing:
        raise EventFormatError(f"{kind} event without {', '.join(missing)}")
    return event
