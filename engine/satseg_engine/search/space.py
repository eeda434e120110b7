"""The search space: per train key a range or a list of choices, parsed, checked, suggested.

Forms of one key's spec: `float:LOW:HIGH`, `log_float:LOW:HIGH`, `int:LOW:HIGH[:STEP]`,
`choice:A,B,…` on the command line; `{"type": "float", "low": …, "high": …}`,
`{"type": "int", "low": …, "high": …, "step": …}`, `{"type": "choice", "choices": […]}` in a
job file. Every value a spec can give is tried on a real `TrainJob` before the search starts.
Standard library and core only at import (optuna is imported where a trial is suggested).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

from ..core.errors import JobError
from ..core.jobs import load_job

TYPES = ("float", "log_float", "int", "choice")
#: scalar train keys that a search cannot vary (where the data is, where it goes, how to resume)
FIXED = frozenset({"schema", "dataset", "output_dir", "resume", "kfold.folds"})
EXAMPLE = "e.g. --space optim.lr=log_float:1e-4:1e-2 --space model.encoder=choice:resnet18,resnet34"


@dataclasses.dataclass(frozen=True)
class Spec:
    """One searched key: a float/log_float/int range or a tuple of choices."""

    key: str
    type: str
    low: float | None = None
    high: float | None = None
    step: int | None = None
    choices: tuple[Any, ...] = ()
    text: bool = False  # the choices were typed on a shell (strings to coerce)

    def to_dict(self) -> dict[str, Any]:
        if self.type == "choice":
            return {"type": "choice", "choices": list(self.choices)}
        out = {"type": self.type, "low": self.low, "high": self.high}
        if self.type == "int":
            out["step"] = self.step
        return out

    def values_to_try(self) -> list[Any]:
        return list(self.choices) if self.type == "choice" else [self.low, self.high]

    def grid_values(self) -> list[Any]:
        if self.type == "choice":
            return list(self.choices)
        return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))

    def suggest(self, trial: Any) -> Any:
        if self.type == "choice":
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.type == "int":
            return trial.suggest_int(self.key, int(self.low), int(self.high), step=self.step or 1)
        return trial.suggest_float(self.key, self.low, self.high, log=self.type == "log_float")


def _error(key: str, message: str, hint: str | None = None) -> JobError:
    return JobError(f"space '{key}': {message}", key=f"space.{key}", hint=hint or EXAMPLE)


def _number(key: str, text: Any, integer: bool) -> float | int:
    if isinstance(text, bool):
        raise _error(key, f"{text!r} is not a number")
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise _error(key, f"{text!r} is not a number") from None
    if integer:
        if not value.is_integer():
            raise _error(key, f"an int range needs whole numbers, got {text!r}",
                         "use int:LOW:HIGH[:STEP] with whole numbers, or float:LOW:HIGH")
        return int(value)
    return value


def parse_spec(key: str, raw: Any) -> Spec:
    """One key's spec from its command-line text or its JSON object."""
    if isinstance(raw, str):
        kind, _, rest = raw.strip().partition(":")
        if kind == "choice":
            data: dict[str, Any] = {"type": kind, "choices": [v.strip() for v in rest.split(",")
                                                            if v.strip()]}
        else:
            parts = rest.split(":") if rest else []
            if kind in TYPES and not 2 <= len(parts) <= (3 if kind == "int" else 2):
                raise _error(key, f"{raw!r} must be {kind}:LOW:HIGH"
                             f"{'[:STEP]' if kind == 'int' else ''}")
            data = dict(zip(("low", "high", "step"), parts, strict=False), type=kind)
        text = True
    elif isinstance(raw, Mapping):
        data, text = dict(raw), False
    else:
        raise _error(key, f"a spec is a string or an object, got {raw!r}")
    kind = data.get("type")
    if kind not in TYPES:
        close = difflib.get_close_matches(str(kind), TYPES, n=1)
        raise _error(key, f"unknown spec type {kind!r} (valid: {', '.join(TYPES)})",
                     f"did you mean {close[0]!r}? {EXAMPLE}" if close else None)
    allowed = {"type", "choices"} if kind == "choice" else \
        {"type", "low", "high"} | ({"step"} if kind == "int" else set())
    extra = sorted(set(data) - allowed)
    if extra:
        raise _error(key, f"a {kind} spec has no {', '.join(extra)} (it takes "
                     f"{', '.join(sorted(allowed))})")
    if kind == "choice":
        choices = data.get("choices")
        if not isinstance(choices, (list, tuple)) or not choices:
            raise _error(key, "no choices given", "list at least one value: choice:A,B")
        bad = [c for c in choices if not isinstance(c, (str, int, float, bool))]
        if bad:
            raise _error(key, f"choices must be strings, numbers or booleans, got {bad[0]!r}")
        if len(set(map(repr, choices))) != len(choices):
            raise _error(key, "a choice is listed twice", "list each value once")
        return Spec(key, kind, choices=tuple(choices), text=text)
    if "low" not in data or "high" not in data:
        raise _error(key, f"a {kind} range needs low and high")
    integer = kind == "int"
    low, high = _number(key, data["low"], integer), _number(key, data["high"], integer)
    if low > high:
        raise _error(key, f"low {low} is above high {high}", "give the smaller value first")
    if kind == "log_float" and low <= 0:
        raise _error(key, f"a log range needs low > 0, got {low}",
                     "use a positive low (e.g. 1e-5) or a float range")
    step = _number(key, data.get("step", 1), True) if integer else None
    if step is not None and step < 1:
        raise _error(key, f"step must be >= 1, got {step}")
    return Spec(key, kind, low=low, high=high, step=step)


def parse_space(space: Mapping[str, Any]) -> dict[str, Spec]:
    if not space:
        raise JobError("the search space is empty", key="space",
                       hint=f"give at least one key to search: {EXAMPLE}")
    return {str(key): parse_spec(str(key), raw) for key, raw in space.items()}


def scalar_keys(cls: type, prefix: str = "") -> dict[str, Any]:
    """Dotted train key -> type, for every key a search may vary."""
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        key, tp = f"{prefix}{field.name}", hints[field.name]
        if dataclasses.is_dataclass(tp):
            out.update(scalar_keys(tp, f"{key}."))
        elif key not in FIXED and _scalar_types(tp):
            out[key] = tp
    return out


def _scalar_types(tp: Any) -> set[type]:
    """The scalar Python types a field takes; empty when it takes a list, mapping or path."""
    options = typing.get_args(tp) if typing.get_origin(tp) in (
        typing.Union, types.UnionType) else (tp,)
    found: set[type] = set()
    for option in options:
        if option is type(None):
            continue
        if typing.get_origin(option) is Literal:
            found.update(type(a) for a in typing.get_args(option))
        elif option in (bool, int, float, str):
            found.add(option)
        else:  # Path, tuple, dict: not searchable
            return set()
    return found


def apply(base: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The train job `base` with each dotted key of `params` set."""
    out = copy.deepcopy(dict(base))
    for dotted, value in params.items():
        *sections, name = dotted.split(".")
        target = out
        for section in sections:
            target = target.setdefault(section, {})
        target[name] = value
    return out


def _get(job: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        job = getattr(job, part)
    return job


def resolve_space(specs: Mapping[str, Spec], base: Mapping[str, Any], sampler: str,
                  train_job: type) -> dict[str, Spec]:
    """Check every spec against the train job; choices in the train job's own types."""
    valid = scalar_keys(train_job)
    out: dict[str, Spec] = {}
    for key, spec in specs.items():
        if key not in valid:
            close = difflib.get_close_matches(key, list(valid), n=3, cutoff=0.5)
            what = "cannot be searched (not a single value)" if _is_known(train_job, key) \
                else "is not a train key"
            raise _error(key, f"'{key}' {what}", (f"did you mean {', '.join(close)}? " if close
                         else "") + "'satseg train --help' lists the keys")
        kinds = _scalar_types(valid[key])
        if spec.type in ("float", "log_float") and float not in kinds:
            raise _error(key, f"'{key}' takes {', '.join(sorted(k.__name__ for k in kinds))}, "
                         f"not a float range", "use an int range or a list of choices")
        if spec.type == "int" and not kinds & {int, float}:
            raise _error(key, f"'{key}' is not a number", "use choice:A,B,…")
        if sampler == "grid" and spec.type in ("float", "log_float"):
            raise _error(key, "the grid sampler needs a finite set of values, not a float range",
                         "use choice:A,B,… or an int range, or search.sampler tpe/random")
        tried = []
        for value in spec.values_to_try():
            data = apply(base, {key: value})
            try:
                job = load_job(train_job, data, from_cli=frozenset({key}) if spec.text
                               else frozenset())
            except JobError as exc:
                raise _error(key, f"the train job refuses {value!r}: {exc.message}",
                             exc.hint) from None
            tried.append(_get(job, key))
        out[key] = dataclasses.replace(spec, choices=tuple(tried), text=False) \
            if spec.type == "choice" else spec
    return out


def _is_known(cls: type, dotted: str) -> bool:
    for part in dotted.split("."):
        fields = {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) \
            else {}
        if part not in fields:
            return False
        cls = typing.get_type_hints(cls)[part]
    return True
