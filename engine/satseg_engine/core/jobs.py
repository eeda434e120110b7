"""Jobs: frozen dataclasses that reject unknown keys and bad values before any work starts.

A verb declares its job as a subclass of `Job` whose fields are made with `option(...)`.
`load_job` turns a JSON mapping (from `--config job.json`, overridden by command-line flags) into
that dataclass, or raises one `JobError` naming the key and the fix. `add_job_flags` derives the
command-line flags from the same fields, so every key is also a flag (`patch_size` ->
`--patch-size`, nested `train.lr` -> `--train.lr`).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from .errors import JobError

SCHEMA_VERSION = 1
J = TypeVar("J", bound="Job")


def option(default: Any = dataclasses.MISSING, *, help: str, exists: str | None = None,
           min: float | None = None, max: float | None = None, flag: str | None = None,
           repeat: bool = False, plural: str | None = None) -> Any:
    """A job field. `exists`: "file", "dir" or "path" (must exist, also each path of a list);
    `min`/`max`: numeric bounds; `flag`: one more command-line spelling (e.g. "source" for a
    `sources` mapping, given as repeated `--source NAME=VALUE`); `repeat`: a list flag that
    may be given several times (`--rasters a.tif --rasters b.tif`), each comma-separated;
    `plural`: the list key that takes several values, for a one-value flag given twice (an
    error naming it, where any other flag given twice keeps its last value)."""
    metadata = {"help": help, "exists": exists, "min": min, "max": max, "flag": flag,
                "repeat": repeat, "plural": plural}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or default_factory-free immutable default")
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job:
    """Base of every job: carries the schema version."""

    schema: int = option(SCHEMA_VERSION, help="job schema version (always 1)")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able mapping of the resolved job (paths as strings)."""
        return _plain(self)

    @classmethod
    def inherited(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """Keys this job takes from elsewhere when `data` does not give them (a resumed
        training takes its checkpoint's job); keys in `data` always win. Nothing by default."""
        return {}


def _plain(value: Any) -> Any:
    """Dataclasses, read-only mappings and tuples as JSON data (dataclasses.asdict cannot copy
    the MappingProxyType that dict fields hold)."""
    from .events import to_jsonable

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return to_jsonable(value)


# -- loading ---------------------------------------------------------------------------------

def load_job(cls: type[J], data: Mapping[str, Any], *, from_cli: frozenset[str] = frozenset(),
             prefix: str = "") -> J:
    """Validate `data` against `cls`. Keys listed in `from_cli` hold strings typed on a shell."""
    if not isinstance(data, Mapping):
        raise JobError(f"the job{' section ' + prefix.rstrip('.') if prefix else ''} must be a "
                       f"JSON object, not {type(data).__name__}", key=prefix.rstrip(".") or None)
    if not prefix and issubclass(cls, Job):
        base = cls.inherited(data)
        if base:
            data = _overlay(_known_keys(cls, base), data)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f"did you mean '{prefix}{close[0]}'?" if close else None
            valid = ", ".join(sorted(fields))
            raise JobError(f"unknown key '{prefix}{key}' (valid keys: {valid})",
                           key=f"{prefix}{key}", hint=hint)
    values: dict[str, Any] = {}
    for name, field in fields.items():
        key = f"{prefix}{name}"
        if name not in data:
            if field.default is dataclasses.MISSING:
                raise JobError(f"missing required key '{key}': {field.metadata.get('help', '')}",
                               key=key, hint=f"add \"{name}\" to the job or pass --"
                                             f"{key.replace('_', '-')}")
            values[name] = field.default
            continue
        value = _coerce(data[name], hints[name], key, key in from_cli, from_cli)
        _check_metadata(value, field.metadata, key)
        values[name] = value
    if prefix == "" and values.get("schema") != SCHEMA_VERSION:
        raise JobError(f"unsupported job schema {values.get('schema')!r}: this engine reads "
                       f"schema {SCHEMA_VERSION}", key="schema",
                       hint=f'set "schema": {SCHEMA_VERSION}')
    try:
        return cls(**values)
    except JobError:
        raise
    except (TypeError, ValueError) as exc:
        raise JobError(str(exc)) from exc


def _known_keys(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` without the keys `cls` does not have (an inherited job from an older engine)."""
    hints = typing.get_type_hints(cls)
    out: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            continue
        value = data[field.name]
        if dataclasses.is_dataclass(hints[field.name]) and isinstance(value, Mapping):
            value = _known_keys(hints[field.name], value)
        out[field.name] = value
    return out


def _overlay(base: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `given` on top, section by section (a given section key keeps the others)."""
    out = dict(base)
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _overlay(out[key], value)
        else:
            out[key] = value
    return out


def load_job_file(path: Path) -> dict[str, Any]:
    """Read a job file; a missing or malformed file is a JobError naming the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JobError(f"job file not found: {path}", key="config",
                       hint="check the path given to --config") from None
    except OSError as exc:
        raise JobError(f"cannot read job file {path}: {exc.strerror}", key="config",
                       hint="check the file's permissions") from None
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise JobError(f"job file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                       f"column {exc.colno}", key="config",
                       hint="fix the JSON there: keys and strings in double quotes, commas "
                            "between items and none after the last") from None
    except _DuplicateKeyError as exc:
        raise JobError(f"job file {path}: the key {exc.args[0]!r} appears twice in one object "
                       f"(JSON keeps only the last one)", key="config",
                       hint="give each key (each source name) once") from None
    if not isinstance(data, dict):
        raise JobError(f"job file {path} must hold a JSON object", key="config",
                       hint='write the job as one object: {"schema": 1, "key": value, ...}')
    return data


class _DuplicateKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object_pairs_hook: a key given twice in one object is refused, not overwritten."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise _DuplicateKeyError(name)
        out[name] = value
    return out


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if tp is type(None):
        return "null"
    if tp is Path:
        return "a path"
    if origin is tuple:
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return "an object"
    if dataclasses.is_dataclass(tp):
        return "an object"
    return getattr(tp, "__name__", str(tp))


def _bad(value: Any, tp: Any, key: str) -> JobError:
    return JobError(f"'{key}' must be {_type_name(tp)}, got {value!r}", key=key,
                    hint=f"give '{key}' as {_type_name(tp)}")


def _coerce(value: Any, tp: Any, key: str, text: bool, from_cli: frozenset[str]) -> Any:
    """Convert `value` to the annotated type `tp`; `text`: the value was typed on a shell."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None or (text and value in ("none", "null", "")):
            if type(None) in args:
                return None
        alternatives = [a for a in args if a is not type(None)]
        if len(alternatives) == 1:  # Optional[X]: X's own error is the precise one
            return _coerce(value, alternatives[0], key, text, from_cli)
        for arg in alternatives:
            try:
                return _coerce(value, arg, key, text, from_cli)
            except JobError:
                continue
        raise _bad(value, tp, key)
    if origin is Literal:
        if text and not isinstance(value, str):
            value = str(value)
        for choice in args:
            if value == choice or (text and str(choice) == value):
                return choice
        close = difflib.get_close_matches(str(value), [str(a) for a in args], n=1)
        raise JobError(f"'{key}' must be {_type_name(tp)}, got {value!r}", key=key,
                       hint=f"did you mean {close[0]!r}?" if close else None)
    if dataclasses.is_dataclass(tp):
        if text and isinstance(value, str):
            value = _parse_json(value, key)
        return load_job(tp, value, from_cli=from_cli, prefix=f"{key}.")
    if tp is bool:
        if isinstance(value, bool):
            return value
        if text and isinstance(value, str) and value.lower() in _BOOLS:
            return _BOOLS[value.lower()]
        raise _bad(value, tp, key)
    if tp is int:
        if text and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise _bad(value, tp, key) from None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _bad(value, tp, key)
    if tp is float:
        if text and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise _bad(value, tp, key) from None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _bad(value, tp, key)
    if tp is str:
        if isinstance(value, str):
            return value
        raise _bad(value, tp, key)
    if tp is Path:
        if isinstance(value, str) and value:
            return Path(value).expanduser()
        raise _bad(value, tp, key)
    if origin is tuple:
        if text and isinstance(value, str):
            value = _parse_json(value, key) if value.startswith("[") else \
                [v.strip() for v in value.split(",") if v.strip()]
        elif text and isinstance(value, list):  # a repeated flag: each one comma-separated
            value = [v.strip() for item in value for v in str(item).split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise _bad(value, tp, key)
        item = args[0]
        if (len(args) == 2 and args[1] is Ellipsis) or len(args) == 1:
            return tuple(_coerce(v, item, f"{key}[{i}]", text, from_cli)
                         for i, v in enumerate(value))
        if len(value) != len(args):
            raise JobError(f"'{key}' must have {len(args)} items, got {len(value)}", key=key)
        return tuple(_coerce(v, a, f"{key}[{i}]", text, from_cli)
                     for i, (v, a) in enumerate(zip(value, args, strict=True)))
    if origin is dict:
        if text and isinstance(value, (str, list, tuple)):
            value = _cli_mapping(value, args[1] if args else Any, key)
        if not isinstance(value, Mapping):
            raise _bad(value, tp, key)
        kt, vt = args if args else (str, Any)
        return types.MappingProxyType({
            _coerce(k, kt, key, True, from_cli): (v if vt is Any else
                                                  _coerce(v, vt, f"{key}.{k}", text, from_cli))
            for k, v in value.items()})
    if tp is Any:
        return value
    raise TypeError(f"unsupported job field type {tp!r} for {key}")


def _cli_mapping(value: str | list[Any] | tuple[Any, ...], value_type: Any, key: str
                 ) -> dict[str, Any]:
    """A mapping typed on a shell: JSON objects and/or `NAME=VALUE` items (a flag given several
    times). VALUE is split on commas for a list type, or fills the `SHORTHAND` field of a
    dataclass (e.g. `--source s1=a.tif,b.tif` -> {"s1": {"rasters": ["a.tif", "b.tif"]}})."""
    items = [value] if isinstance(value, str) else list(value)
    merged: dict[str, Any] = {}

    def put(name: str, entry: Any) -> None:
        if name in merged:  # a second --source s1=... would silently replace the first
            raise JobError(f"'{key}': the name {name!r} is given twice", key=f"{key}.{name}",
                           hint="give each name once (list several rasters of one name "
                                "comma-separated: NAME=a.tif,b.tif)")
        merged[name] = entry

    for item in items:
        text = str(item).strip()
        if text.startswith("{"):
            parsed = _parse_json(text, key)
            if not isinstance(parsed, dict):
                raise _bad(text, dict, key)
            for name, entry in parsed.items():
                put(str(name), entry)
            continue
        name, sep, rest = text.partition("=")
        if not sep or not name.strip():
            raise JobError(f"'{key}' items must be NAME=VALUE or a JSON object, got {text!r}",
                           key=key, hint=f"e.g. --{key.replace('_', '-')} s1=a.tif,b.tif")
        parts = [v.strip() for v in rest.split(",") if v.strip()]
        shorthand = getattr(value_type, "SHORTHAND", None)
        if dataclasses.is_dataclass(value_type) and shorthand:
            put(name.strip(), {shorthand: parts})
        elif typing.get_origin(value_type) is tuple:
            put(name.strip(), parts)
        else:
            put(name.strip(), rest.strip())
    return merged


_BOOLS = {"true": True, "yes": True, "1": True, "on": True,
          "false": False, "no": False, "0": False, "off": False}


def _parse_json(text: str, key: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JobError(f"'{key}' is not valid JSON: {exc.msg}", key=key) from None


def _check_metadata(value: Any, meta: Mapping[str, Any], key: str) -> None:
    if value is None:
        return
    low, high = meta.get("min"), meta.get("max")
    numbers = value if isinstance(value, tuple) else (value,)
    for number in numbers:
        if not isinstance(number, (int, float)) or isinstance(number, bool):
            continue
        if low is not None and number < low:
            raise JobError(f"'{key}' must be >= {low}, got {number}", key=key,
                           hint=f"use a value of at least {low}")
        if high is not None and number > high:
            raise JobError(f"'{key}' must be <= {high}, got {number}", key=key,
                           hint=f"use a value of at most {high}")
    exists = meta.get("exists")
    if exists and isinstance(value, tuple):
        for index, item in enumerate(value):
            _check_metadata(item, {"exists": exists}, f"{key}[{index}]")
    if exists and isinstance(value, Path):
        if not value.exists():
            raise JobError(f"'{key}': {value} does not exist", key=key,
                           hint="check the path (relative paths are read from the current "
                                "directory)")
        if exists == "file" and not value.is_file():
            raise JobError(f"'{key}': {value} is not a file", key=key,
                           hint="give the path of a file, not of a folder")
        if exists == "dir" and not value.is_dir():
            raise JobError(f"'{key}': {value} is not a directory", key=key,
                           hint="give the path of a folder")


# -- command-line flags ----------------------------------------------------------------------

def add_job_flags(parser: argparse.ArgumentParser, cls: type[Job], prefix: str = "") -> None:
    """One flag per job key (nested sections as --section.key). Unset flags do not override."""
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        key = f"{prefix}{field.name}"
        if key == "schema":
            continue
        tp = hints[field.name]
        if dataclasses.is_dataclass(tp):
            add_job_flags(parser, tp, prefix=f"{key}.")
            continue
        required = field.default is dataclasses.MISSING
        default = "required" if required else f"default: {_show(field.default)}"
        help_text = f"{field.metadata.get('help', '')} ({_type_name(tp)}; {default})"
        flags = ["--" + key.replace("_", "-")]
        if "_" in key:  # the key exactly as written in a job file works too
            flags.append("--" + key)
        if field.metadata.get("flag"):
            flags.append("--" + prefix.replace("_", "-") + field.metadata["flag"])
        kwargs: dict[str, Any] = {"dest": key, "default": argparse.SUPPRESS,
                                  "help": help_text.replace("%", "%%")}
        if _is_mapping(tp) or field.metadata.get("repeat"):  # --source a=x --source b=y
            parser.add_argument(*flags, action="append", **kwargs,
                                metavar="NAME=VALUE" if _is_mapping(tp) else "VALUE")
        elif tp is bool:
            parser.add_argument(*flags, action=argparse.BooleanOptionalAction, **kwargs)
        elif field.metadata.get("plural"):
            parser.add_argument(*flags, metavar=_metavar(tp), action=_Once,
                                plural=field.metadata["plural"], **kwargs)
        else:
            parser.add_argument(*flags, metavar=_metavar(tp), **kwargs)


class _Once(argparse.Action):
    """A one-value flag that has a list twin (`--raster` and `--rasters`): given twice, the
    user meant several values, so it is an error naming the twin instead of a silent "last one
    wins"."""

    def __init__(self, *args: Any, plural: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.plural = plural

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        if hasattr(namespace, self.dest):
            flag = "--" + self.plural.replace("_", "-")
            parser.error(f"{option_string} was given twice ({getattr(namespace, self.dest)}, "
                         f"then {values}) but takes one value: for several, give each with "
                         f"{flag} ({flag} A {flag} B, or {flag} A,B)")
        setattr(namespace, self.dest, values)


def _is_mapping(tp: Any) -> bool:
    options = [tp, *typing.get_args(tp)] if typing.get_origin(tp) in (
        typing.Union, types.UnionType) else [tp]
    return any(typing.get_origin(t) is dict for t in options)


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return json.dumps(_plain(value)) if value else "none"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "none"
    return "none" if value is None else str(value)


def _metavar(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return "{" + ",".join(str(a) for a in typing.get_args(tp)) + "}"
    if tp is Path or Path in typing.get_args(tp):
        return "PATH"
    if tp in (int, float):
        return "N"
    return "VALUE"


def job_from_args(cls: type[J], config: Path | None, flags: Mapping[str, Any]) -> J:
    """Merge the job file (if any) with command-line flags (flags win) and validate."""
    data: dict[str, Any] = load_job_file(config) if config else {}
    from_cli = set()
    for dotted, value in flags.items():
        parts = dotted.split(".")
        target = data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise JobError(f"'{part}' must be an object", key=part)
        target[parts[-1]] = value
        if not isinstance(value, bool):
            from_cli.add(dotted)
    return load_job(cls, data, from_cli=frozenset(from_cli))
