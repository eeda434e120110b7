"""Human rendering of events on a terminal: tqdm bars, log lines and summary tables."""

from __future__ import annotations

from typing import Any, TextIO


def format_table(rows: dict[str, Any], indent: str = "  ") -> str:
    """Two aligned columns; nested mappings are indented below their key."""
    lines: list[str] = []
    width = max((len(str(k)) for k in rows), default=0)
    for key, value in rows.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.append(format_table(value, indent + "  "))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{indent}{key}:")
            for i, item in enumerate(value):
                lines.append(f"{indent}  [{i}]")
                lines.append(format_table(item, indent + "    "))
        else:
            lines.append(f"{indent}{str(key).ljust(width)}  {_show(value)}")
    return "\n".join(line for line in lines if line)


def _show(value: Any) -> str:
    """Floats to 4 significant digits (metrics are not read to the 16th)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        return "[" + ", ".join(f"{v:.4g}" for v in value) + "]"
    return str(value)


def render(event: dict[str, Any], bars: dict[str, Any], out: TextIO) -> None:
    kind = event["type"]
    if kind == "progress":
        from tqdm import tqdm

        bar = bars.get(event["stage"])
        if bar is None:
            bar = bars[event["stage"]] = tqdm(total=event["total"], desc=event["stage"],
                                              unit=event["unit"], file=out, leave=True,
                                              dynamic_ncols=True)
        bar.total = event["total"]
        bar.n = event["done"]
        bar.refresh()
    elif kind == "log":
        prefix = {"warning": "warning: ", "debug": "debug: "}.get(event["level"], "")
        print(f"{prefix}{event['message']}", file=out)
    elif kind == "metric":
        values = "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in event["values"].items())
        print(f"[{event['stage']}] epoch {event['epoch']} {event['split']}: {values}", file=out)
    elif kind == "artifact":
        role = f" ({event['role']})" if event.get("role") else ""
        print(f"wrote {event['kind']}{role}: {event['path']}", file=out)
    elif kind == "started":
        print(f"satseg {event['verb']} (engine {event['engine_version']}, "
              f"device {event['device']})", file=out)
    elif kind == "done":
        print(format_table(event["summary"]) or "done", file=out)
    elif kind == "error":
        print(f"error [{event['code']}]: {event['message']}", file=out)
        if event.get("key"):
            print(f"  key: {event['key']}", file=out)
        if event.get("hint"):
            print(f"  fix: {event['hint']}", file=out)
    out.flush()
