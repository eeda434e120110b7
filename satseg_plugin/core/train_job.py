"""The `satseg train` job on the plugin side, without widgets: presets, nested ↔ flat keys, job
files, the dataset summary, and the metric history / ETA that turn engine events into series.

Pure Python (no Qt, no QGIS): the training dialog, its tests and scripts share it.
"""

from __future__ import annotations

import copy
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .source_info import SourceSummary, dataset_sources

SCHEMA = 1
#: a preset value meaning "what `satseg models` reports as the default"
ENGINE_DEFAULT = "@engine-default"
#: QgsSettings key the prediction dialog reads the checkpoint to use from
LAST_CHECKPOINT_KEY = "satseg/last_checkpoint"
DATASET_FILE = "dataset.json"
RESUME_FILE = "last.pt"

#: loss term -> its own parameters (loss.<name>); which terms a loss sums comes from the
#: engine (`satseg models` → "losses")
TERM_PARAMETERS: Dict[str, Tuple[str, ...]] = {
    "ce": ("label_smoothing",), "dice": (), "focal": ("focal_gamma", "focal_alpha"),
    "tversky": ("tversky_alpha", "tversky_beta"), "lovasz": (),
}

#: keys the engine chooses per dataset when they are "auto" (its training.auto rules); the
#: dialog's "Choose for this dataset" sets them all to "auto"
AUTO = "auto"
AUTO_KEYS: Tuple[str, ...] = (
    "model.encoder", "augment.scale", "augment.shift", "augment.brightness",
    "augment.contrast", "augment.noise", "data.class_balanced", "loss.class_weights",
    "data.num_workers", "epochs", "selection")
#: written by the engine in the output folder (a `report` artifact, role `defaults`)
DEFAULTS_ROLE = "defaults"
#: preset name -> whether it leaves the AUTO_KEYS to the engine (else it sets them)
PRESET_ADAPTS: Dict[str, bool] = {"quick_test": False, "balanced": True, "imbalanced": False}

#: preset name -> the job keys it sets (nested like the job); other keys keep their values
PRESETS: Dict[str, Dict[str, Any]] = {
    "quick_test": {
        "epochs": 5, "batch_size": 4,
        "model": {"architecture": "custom_unet", "depth": 3, "base_width": 16},
        "loss": {"name": "dice_ce", "class_weights": "none"},
        "optim": {"optimizer": "adamw", "lr": 1e-3, "freeze_encoder_epochs": 0},
        "schedule": {"name": "none", "warmup_epochs": 0},
        "data": {"class_balanced": False, "steps_per_epoch": 20},
        "augment": {"enabled": False},
        "early_stopping": {"patience": 0}, "kfold": {"folds": 0},
    },
    "balanced": {
        "epochs": 50, "batch_size": 8,
        "model": {"architecture": ENGINE_DEFAULT, "encoder": ENGINE_DEFAULT},
        "loss": {"name": "dice_ce", "class_weights": "none"},
        "optim": {"optimizer": "adamw", "lr": 1e-3, "freeze_encoder_epochs": 0},
        "schedule": {"name": "cosine", "warmup_epochs": 2},
        "data": {"class_balanced": False, "steps_per_epoch": 0},
        "augment": {"enabled": True},
        "early_stopping": {"patience": 10, "monitor": "miou"}, "kfold": {"folds": 0},
    },
    "imbalanced": {
        "epochs": 80, "batch_size": 8,
        "model": {"architecture": ENGINE_DEFAULT, "encoder": ENGINE_DEFAULT},
        "loss": {"name": "focal_dice", "class_weights": "median", "focal_gamma": 2.0},
        "optim": {"optimizer": "adamw", "lr": 5e-4, "freeze_encoder_epochs": 0},
        "schedule": {"name": "cosine", "warmup_epochs": 3},
        "data": {"class_balanced": True, "steps_per_epoch": 0},
        "augment": {"enabled": True},
        "early_stopping": {"patience": 15, "monitor": "miou"}, "kfold": {"folds": 0},
    },
}


class JobFileError(ValueError):
    """A job file that cannot be loaded; the message says why."""


def read_chosen(path: str) -> List[Dict[str, Any]]:
    """The engine's choices for "auto" keys ([{key, value, reason}]) from auto_defaults.json;
    [] when the file is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return []
    chosen = data.get("chosen") if isinstance(data, dict) else None
    return [c for c in chosen or [] if isinstance(c, dict) and "key" in c]


def adapts(flat: Mapping[str, Any]) -> bool:
    """A job (flat keys) leaves every AUTO_KEYS to the engine (absent keys are "auto")."""
    return all(flat.get(key, AUTO) == AUTO for key in AUTO_KEYS)


# -- nested <-> flat keys ---------------------------------------------------------------------
def flatten(job: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    """{"model": {"encoder": "x"}} -> {"model.encoder": "x"}."""
    flat: Dict[str, Any] = {}
    for key, value in job.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def unflatten(flat: Dict[str, Any]) -> Dict[str, Any]:
    """{"model.encoder": "x"} -> {"model": {"encoder": "x"}}."""
    job: Dict[str, Any] = {}
    for name, value in flat.items():
        *sections, key = name.split(".")
        target = job
        for section in sections:
            target = target.setdefault(section, {})
        target[key] = value
    return job


def merge(base: Dict[str, Any], changes: Dict[str, Any]) -> Dict[str, Any]:
    """A deep copy of `base` with `changes` applied section by section."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def preset_values(name: str) -> Dict[str, Any]:
    """The flat keys a preset sets; KeyError lists the presets."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return flatten(PRESETS[name])


def loss_parameters(name: str, loss_terms: Mapping[str, Sequence[str]]) -> List[str]:
    """The loss.* keys that matter for a loss (its terms' parameters, weights when summed);
    `loss_terms` is the engine's table: loss name → the terms it sums."""
    terms = loss_terms.get(name, ())
    keys = [f"loss.{p}" for term in terms for p in TERM_PARAMETERS.get(term, ())]
    if len(terms) > 1:
        keys += [f"loss.{term}_weight" for term in terms]
    return keys


# -- job files --------------------------------------------------------------------------------
def save_job(path: str, job: Dict[str, Any]) -> None:
    """Write a job file `satseg train --config` accepts (with "schema": 1)."""
    data = {"schema": SCHEMA, **{k: v for k, v in job.items() if k != "schema"}}
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def load_job(path: str) -> Dict[str, Any]:
    """Read a job file; JobFileError when it is not a schema-1 JSON object."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise JobFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise JobFileError(f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise JobFileError(f"{path} does not hold a job (a JSON object)")
    schema = data.pop("schema", SCHEMA)
    if schema != SCHEMA:
        raise JobFileError(f"{path} is a schema {schema} job; this plugin reads schema {SCHEMA}")
    return data


def resumable_checkpoint(output_dir: str) -> str:
    """OUTPUT/last.pt when it exists (a run to resume), else ""."""
    path = os.path.join(output_dir, RESUME_FILE) if output_dir else ""
    return path if path and os.path.isfile(path) else ""


# -- the dataset ------------------------------------------------------------------------------
@dataclass
class DatasetSummary:
    """What the dialog shows of a patch dataset (read from its dataset.json)."""

    path: str
    patch_size: int
    band_names: List[str]
    classes: List[Dict[str, Any]]
    patches: Dict[str, int]
    #: its sources, `images` first (one single-date `images` source for most datasets)
    sources: List[SourceSummary] = field(default_factory=list)

    @property
    def class_colours(self) -> Dict[str, str]:
        return {str(c.get("name")): str(c.get("colour") or "") for c in self.classes}


def read_dataset(folder: str) -> DatasetSummary:
    """The summary of DIR/dataset.json; FileNotFoundError / ValueError say what is wrong."""
    path = os.path.join(folder, DATASET_FILE)
    if not os.path.isdir(folder):
        raise FileNotFoundError(folder)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != "satseg-patch-dataset":
        raise ValueError(f"{path} is not a satseg patch dataset")
    splits = data.get("splits") or {}
    return DatasetSummary(path=folder, patch_size=int(data.get("patch_size") or 0),
                          band_names=[str(b) for b in data.get("band_names") or []],
                          classes=list(data.get("classes") or []),
                          patches={name: int((splits.get(name) or {}).get("patches") or 0)
                                   for name in ("train", "validation", "test")},
                          sources=dataset_sources(data))


# -- metrics ----------------------------------------------------------------------------------
Point = Tuple[float, float]


@dataclass
class MetricHistory:
    """Metric events of the current stage ("train" or "fold_N") as chartable series."""

    stage: str = ""
    #: split -> epoch -> values
    epochs: Dict[str, Dict[int, Dict[str, float]]] = field(default_factory=dict)
    #: split -> epoch -> class name -> IoU
    class_iou: Dict[str, Dict[int, Dict[str, float]]] = field(default_factory=dict)
    #: (global step, training loss) from step events
    steps: List[Point] = field(default_factory=list)
    steps_per_epoch: int = 0
    test: Optional[Dict[str, Any]] = None
    stages_seen: List[str] = field(default_factory=list)

    def add(self, event: Dict[str, Any]) -> bool:
        """Take one metric event; True when the series changed."""
        stage = str(event.get("stage") or "")
        if stage != self.stage:
            self._start_stage(stage)
        split = str(event.get("split") or "")
        values = {k: float(v) for k, v in (event.get("values") or {}).items()
                  if isinstance(v, (int, float))}
        if event.get("step") is not None:
            if "loss" in values:
                self.steps.append((float(event["step"]), values["loss"]))
            return "loss" in values
        epoch = int(event.get("epoch") or 0)
        per_class = {str(name): float(m.get("iou", 0.0))
                     for name, m in (event.get("per_class") or {}).items()}
        if split == "test":
            self.test = {"epoch": epoch, "values": values, "per_class": per_class}
            return True
        self.epochs.setdefault(split, {})[epoch] = values
        if per_class:
            self.class_iou.setdefault(split, {})[epoch] = per_class
        return True

    def _start_stage(self, stage: str) -> None:
        """A new stage (the next fold): its series start empty."""
        self.stage = stage
        self.stages_seen.append(stage)
        self.epochs, self.class_iou, self.steps, self.test = {}, {}, [], None

    def series(self, split: str, name: str) -> List[Point]:
        """(epoch, value) of one metric of one split, in epoch order."""
        rows = self.epochs.get(split) or {}
        return [(float(e), rows[e][name]) for e in sorted(rows) if name in rows[e]]

    def step_series(self) -> List[Point]:
        """(fractional epoch, loss) of the step events (needs steps_per_epoch)."""
        if self.steps_per_epoch <= 0:
            return []
        return [(step / self.steps_per_epoch, loss) for step, loss in self.steps]

    def completed_epochs(self) -> int:
        return max((self.epochs.get("train") or {}).keys(), default=0)

    def latest_class_iou(self) -> Tuple[str, int, Dict[str, float]]:
        """(split, epoch, class -> IoU): the test result when there is one, else the latest
        validation (else training) epoch."""
        if self.test and self.test["per_class"]:
            return "test", int(self.test["epoch"]), dict(self.test["per_class"])
        for split in ("validation", "train"):
            rows = self.class_iou.get(split) or {}
            if rows:
                epoch = max(rows)
                return split, epoch, dict(rows[epoch])
        return "", 0, {}


class EtaEstimator:
    """Remaining time from progress events (batches) and measured epoch durations."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.start: Optional[Point] = None  # (t, done) of the first progress event
        self.last: Optional[Point] = None
        self.total = 0
        self.epoch_ends: List[Tuple[float, int]] = []  # (t, batches done then)

    def progress(self, done: int, total: int, t: Optional[float] = None) -> None:
        t = time.time() if t is None else t
        if self.start is None or done < self.start[1]:  # a new stage (fold) restarts
            self.start, self.epoch_ends = (t, done), []
        self.last, self.total = (t, done), total

    def epoch_end(self, t: Optional[float] = None) -> None:
        if self.last is not None:
            self.epoch_ends.append((time.time() if t is None else t, int(self.last[1])))

    def seconds_left(self, now: Optional[float] = None) -> Optional[float]:
        """None until there is enough to estimate from."""
        if self.start is None or self.last is None or self.total <= 0:
            return None
        t0, done0 = self.start
        t1, done1 = self.last
        if done1 >= self.total:
            return 0.0
        if self.epoch_ends:  # whole epochs (validation included) measured
            t_end, done_end = self.epoch_ends[-1]
            if done_end > done0:
                per_batch = (t_end - t0) / (done_end - done0)
                left = (self.total - done1) * per_batch
                return max(0.0, left - ((time.time() if now is None else now) - t1))
        if done1 - done0 < 2:
            return None
        per_batch = (t1 - t0) / (done1 - done0)
        return max(0.0, (self.total - done1) * per_batch)


def format_duration(seconds: float) -> str:
    """'1 h 05 min', '3 min 20 s', '12 s'."""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def best_checkpoint(summary: Dict[str, Any]) -> str:
    """The checkpoint to predict with from a `train` done summary ("" when none): the run's
    best checkpoint; with k-fold, that of the fold with the best validation mIoU."""
    folds = summary.get("fold_results")
    if folds:
        def score(result: Dict[str, Any]) -> float:
            return float(((result.get("validation") or {}).get("miou")) or 0.0)
        summary = max(folds, key=score)
    checkpoints = summary.get("checkpoints") or {}
    role = str(summary.get("best_checkpoint") or "best_iou")
    return str(checkpoints.get(role) or checkpoints.get("best_iou") or
               checkpoints.get("last") or "")
