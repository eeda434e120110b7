"""The `satseg tune` job on the plugin side, without widgets: the searchable keys and presets,
space rows → the contract's `space` JSON (rejecting what the engine would reject, row by row),
the `search` section (the search's results are in tune_results).

A tune job is a train job (every key of `satseg train`) plus `space` and `search`; each trial is
an ordinary training run, so the best trial's parameters applied to the base job are a train job.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple

from ..gui.i18n import translate
from . import train_job
from .layers import InputError

STUDY_FILE = "study.db"
BEST_JOB_FILE = "best_job.json"
BEST_MODEL_FILE = "best_model.pt"
#: where the best settings train by default (inside the search folder; as best_job.json)
FINAL_DIR = "best_run"
#: the train-job keys that a tune job replaces
OWN_KEYS = ("output_dir", "resume")
KINDS = ("float", "log_float", "int", "choice")
METRICS = ("validation.miou", "validation.loss", "validation.mean_f1", "validation.accuracy")
DIRECTIONS = ("auto", "maximize", "minimize")
SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
#: the `search` section's defaults (the contract's)
SEARCH_DEFAULTS: Dict[str, Any] = {
    "trials": 20, "timeout_s": 0.0, "metric": "validation.miou", "direction": "auto",
    "sampler": "tpe", "pruner": "median", "storage": "", "study_name": "satseg"}


@dataclass
class SpaceRow:
    """One searchable key as the table shows it: texts as typed, parsed by `row_spec`."""

    key: str
    kind: str
    low: str = ""
    high: str = ""
    step: str = ""
    choices: str = ""
    enabled: bool = False


#: searchable key -> (kind, low, high, step, choices): what a ticked row starts with
SEARCHABLE: Dict[str, Tuple[str, str, str, str, str]] = {
    "optim.lr": ("log_float", "1e-4", "1e-2", "", ""),
    "optim.weight_decay": ("log_float", "1e-6", "1e-2", "", ""),
    "loss.label_smoothing": ("float", "0", "0.2", "", ""),
    "model.dropout": ("float", "0", "0.5", "", ""),
    "batch_size": ("int", "4", "16", "4", ""),
    "optim.optimizer": ("choice", "", "", "", "adamw, sgd"),
    "model.architecture": ("choice", "", "", "", "Unet, FPN, DeepLabV3Plus"),
    "model.encoder": ("choice", "", "", "", "resnet18, resnet34"),
    "model.base_width": ("int", "16", "64", "16", ""),
    "loss.name": ("choice", "", "", "", "dice_ce, focal_dice, lovasz"),
    "loss.class_weights": ("choice", "", "", "", "none, rare_sqrt, rare, median"),
    "data.class_balanced": ("choice", "", "", "", "true, false"),
    "loss.focal_gamma": ("float", "1", "3", "", ""),
    "schedule.name": ("choice", "", "", "", "cosine, onecycle, none"),
    "augment.enabled": ("choice", "", "", "", "true, false"),
    "augment.flips": ("choice", "", "", "", "true, false"),
    "augment.rotate90": ("choice", "", "", "", "true, false"),
    "augment.probability": ("float", "0.2", "0.8", "", ""),
}

#: preset name -> the keys it ticks (every other row is unticked)
PRESETS: Dict[str, Tuple[str, ...]] = {
    "regularisation": ("optim.lr", "optim.weight_decay", "loss.label_smoothing"),
    "architecture": ("model.architecture", "model.encoder"),
    "loss": ("loss.name", "loss.class_weights", "data.class_balanced"),
    "augmentation": ("augment.enabled", "augment.flips", "augment.rotate90",
                     "augment.probability"),
}


def preset_texts() -> Dict[str, str]:
    return {"regularisation": translate("satseg", "Learning rate and regularisation"),
            "architecture": translate("satseg", "Architecture and encoder"),
            "loss": translate("satseg", "Loss and class balance"),
            "augmentation": translate("satseg", "Augmentation")}


def kind_texts() -> Dict[str, str]:
    return {"float": translate("satseg", "range"), "log_float": translate("satseg", "log range"),
            "int": translate("satseg", "integer range"),
            "choice": translate("satseg", "choices")}


def default_row(key: str, enabled: bool = False) -> SpaceRow:
    kind, low, high, step, choices = SEARCHABLE[key]
    return SpaceRow(key, kind, low, high, step, choices, enabled)


def default_rows() -> List[SpaceRow]:
    return [default_row(key) for key in SEARCHABLE]


def preset_rows(name: str, rows: Sequence[SpaceRow]) -> List[SpaceRow]:
    """`rows` with exactly the preset's keys ticked, those reset to their starting spec."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    keys = PRESETS[name]
    return [default_row(r.key, True) if r.key in keys else
            SpaceRow(**{**r.__dict__, "enabled": False}) for r in rows]


# -- rows -> space ----------------------------------------------------------------------------
class RowError(InputError):
    """A space row the engine would refuse; `key` names the row."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.reason = message


def _number(row: SpaceRow, text: str, what: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(text.strip().replace(",", "."))
    except ValueError:
        raise RowError(row.key, translate("satseg", "the {what} '{text}' is not a number.")
                       .format(what=what, text=text)) from None


def _bounds(row: SpaceRow, parse: Callable[[str], Any]) -> Dict[str, Any]:
    low = _number(row, row.low, translate("satseg", "low end"), parse)
    high = _number(row, row.high, translate("satseg", "high end"), parse)
    if low > high:
        raise RowError(row.key, translate("satseg", "the low end ({low}) is above the high end "
                                                    "({high}): swap them.")
                       .format(low=row.low.strip(), high=row.high.strip()))
    return {"low": low, "high": high}


def _float_spec(row: SpaceRow) -> Dict[str, Any]:
    return {"type": "float", **_bounds(row, float)}


def _log_float_spec(row: SpaceRow) -> Dict[str, Any]:
    spec = {"type": "log_float", **_bounds(row, float)}
    if spec["low"] <= 0:
        raise RowError(row.key, translate("satseg", "a log range needs a low end above 0 (it "
                                                    "is {low}): use e.g. 1e-6, or a plain "
                                                    "range.").format(low=row.low.strip()))
    return spec


def _int_spec(row: SpaceRow) -> Dict[str, Any]:
    spec = {"type": "int", **_bounds(row, int)}
    if row.step.strip():
        step = _number(row, row.step, translate("satseg", "step"), int)
        if step < 1:
            raise RowError(row.key, translate("satseg", "the step must be 1 or more (it is "
                                                        "{step}).").format(step=step))
        spec["step"] = step
    return spec


def parse_choice(text: str) -> Any:
    """'true' → True, '4' → 4, '0.5' → 0.5, anything else stays a string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            pass
    return text


def _choice_spec(row: SpaceRow) -> Dict[str, Any]:
    choices = [parse_choice(c.strip()) for c in row.choices.split(",") if c.strip()]
    if not choices:
        raise RowError(row.key, translate("satseg", "no choices: list them separated by "
                                                    "commas (e.g. resnet18, resnet34)."))
    if len(set(map(repr, choices))) < len(choices):
        raise RowError(row.key, translate("satseg", "a choice is listed twice: list each once."))
    return {"type": "choice", "choices": choices}


#: kind -> its spec builder (the contract's JSON forms)
SPEC_BUILDERS: Dict[str, Callable[[SpaceRow], Dict[str, Any]]] = {
    "float": _float_spec, "log_float": _log_float_spec, "int": _int_spec,
    "choice": _choice_spec}


def row_spec(row: SpaceRow) -> Dict[str, Any]:
    """The contract's spec of one row; RowError says what to fix on it."""
    builder = SPEC_BUILDERS.get(row.kind)
    if builder is None:
        raise RowError(row.key, f"unknown kind {row.kind!r}; kinds: {', '.join(KINDS)}")
    return builder(row)


def space(rows: Sequence[SpaceRow]) -> Tuple[Dict[str, Dict[str, Any]], Dict[str, str]]:
    """(space of the ticked rows, {key: message} of the ticked rows that are wrong)."""
    specs: Dict[str, Dict[str, Any]] = {}
    errors: Dict[str, str] = {}
    for row in rows:
        if not row.enabled:
            continue
        try:
            specs[row.key] = row_spec(row)
        except RowError as problem:
            errors[row.key] = problem.reason
    return specs, errors


def rows_from_space(specs: Mapping[str, Mapping[str, Any]]) -> List[SpaceRow]:
    """The searchable rows with a job's `space` shown on them (ticked, its values as text);
    keys that are not in SEARCHABLE come after them."""
    rows = {key: default_row(key) for key in SEARCHABLE}
    for key, spec in specs.items():
        kind = str(spec.get("type", "float"))
        choices = ", ".join(str(c).lower() if isinstance(c, bool) else str(c)
                            for c in spec.get("choices") or ())
        rows[key] = SpaceRow(key, kind, _text(spec.get("low")), _text(spec.get("high")),
                             _text(spec.get("step")), choices, True)
    return list(rows.values())


def _text(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


# -- the job ----------------------------------------------------------------------------------
def build_job(base: Mapping[str, Any], rows: Sequence[SpaceRow], search: Mapping[str, Any],
              output_dir: str) -> Dict[str, Any]:
    """The tune job: the base train job's keys, the output folder, `space` and `search`;
    InputError (RowError for a row) says what to fix."""
    if not str(base.get("dataset") or "").strip():
        raise InputError(translate("satseg", "Choose the dataset folder (a folder written by "
                                             "Extract patches, holding dataset.json)."))
    if not output_dir.strip():
        raise InputError(translate("satseg", "Choose the output folder of the search (its "
                                             "study, trials and best model go there)."))
    if int((base.get("kfold") or {}).get("folds") or 0) >= 2:
        raise InputError(translate("satseg", "A search judges each trial on the validation "
                                             "split, not by cross-validation: set the "
                                             "cross-validation folds to 0 (cross-validate the "
                                             "best settings afterwards)."))
    specs, errors = space(rows)
    if errors:
        key, message = next(iter(errors.items()))
        raise RowError(key, message)
    if not specs:
        raise InputError(translate("satseg", "Nothing to search: tick at least one key in the "
                                             "table, or choose a preset."))
    settings = {**SEARCH_DEFAULTS, **dict(search)}
    if int(settings["trials"]) == 0 and float(settings["timeout_s"]) <= 0:
        raise InputError(translate("satseg", "Give a budget: a number of trials, minutes, or "
                                             "both (0 trials runs until the minutes are "
                                             "spent)."))
    if settings["sampler"] == "grid":
        ranged = [key for key, spec in specs.items() if spec["type"] in ("float", "log_float")]
        if ranged:
            raise InputError(translate("satseg", "A grid search needs a finite grid: make "
                                                 "{keys} choices or integer ranges, or choose "
                                                 "another sampler.").format(
                keys=", ".join(ranged)))
    job = {k: copy.deepcopy(v) for k, v in base.items() if k not in OWN_KEYS and k != "schema"}
    job["output_dir"] = os.path.abspath(output_dir.strip())
    job["space"] = specs
    job["search"] = settings
    return job


def base_of(job: Mapping[str, Any]) -> Dict[str, Any]:
    """The train job inside a tune job (without space, search and output folder)."""
    return {k: copy.deepcopy(v) for k, v in job.items()
            if k not in ("space", "search", "schema", *OWN_KEYS)}


def apply_params(base: Mapping[str, Any], params: Mapping[str, Any]) -> Dict[str, Any]:
    """The train job of a trial: the base job with its dotted parameters set."""
    return train_job.merge(dict(base), train_job.unflatten(dict(params)))


def study_exists(output_dir: str) -> bool:
    """The folder holds a study (the default SQLite storage): a search there resumes it."""
    return bool(output_dir) and os.path.isfile(os.path.join(output_dir, STUDY_FILE))
