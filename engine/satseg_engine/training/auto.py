"""The "auto" training defaults: dataset facts → a value and a reason for every "auto" key.

`choose(facts)` is pure (a table of rules, one per job key, tested as a table); `resolve(job,
facts)` replaces the job's "auto" values with the chosen ones and returns what it chose, so an
explicit value always wins. They are judged on held-out areas (benchmarks/bench_defaults.py:
train on the left of a scene, score its right part); what lost there was dropped.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..models.losses import RARE_SHARE

AUTO = "auto"
#: written in the output folder: what was chosen and why
DEFAULTS_FILE = "auto_defaults.json"
#: training pixels above which augmentation is light (standard below)
LIGHT_AUGMENT_PIXELS = 50e6
#: RARE_SHARE (models.losses, the share under which the `rare` weightings weigh a class): a
#: class below it also makes the sampler class-balanced. 0.5 % left the sampler off on
#: bench_defaults.py's demo scene (road: 0.56 %), where switching it on alone raised held-out
#: mIoU from 0.722 to 0.756 (15 epochs)
#: the epoch budget aims at this many optimiser steps, within EPOCH_RANGE epochs
TARGET_STEPS, EPOCH_RANGE = 3000, (10, 100)
#: augmentation strength → the values of augment.scale/shift/brightness/contrast/noise.
#: A first recipe with stronger radiometric jitter for small datasets (0.2, with the sampler
#: from 2 % and resnet18) lost held-out mIoU on bench_defaults.py's plain scene (0.40 against
#: 0.57 at 6 epochs), so small datasets keep the standard values
AUGMENT_LEVELS: dict[str, dict[str, float]] = {
    "standard": {"scale": 0.1, "shift": 0.1, "brightness": 0.1, "contrast": 0.1,
                 "noise": 0.02},
    "light": {"scale": 0.05, "shift": 0.05, "brightness": 0.05, "contrast": 0.05,
              "noise": 0.01},
}


@dataclasses.dataclass(frozen=True)
class DatasetFacts:
    """What the rules look at: the training split, the batch, and the machine."""

    train_patches: int
    patch_size: int
    bands: int
    class_names: tuple[str, ...]
    class_pixels: tuple[int, ...]   # training split, class-table order
    batch_size: int = 8
    steps_per_epoch: int = 0        # data.steps_per_epoch (0 = every patch once)
    min_epochs: int = 1             # warm-up / frozen-encoder epochs need more than these
    device: str = "cpu"             # "cpu" or "cuda"
    cpu_count: int = 2
    #: validation split, class-table order; None: not known up front (k-fold folds)
    validation_pixels: tuple[int, ...] | None = None

    @property
    def train_pixels(self) -> int:
        return self.train_patches * self.patch_size**2

    def rarest(self) -> tuple[str, float]:
        """(name, share of the labelled pixels) of the rarest class present in training."""
        total = sum(self.class_pixels)
        present = [(n, p / total) for n, p in zip(self.class_names, self.class_pixels,
                                                  strict=True) if p > 0]
        return min(present, key=lambda item: item[1]) if present else ("", 1.0)

    def missing_in_validation(self) -> list[str]:
        """Training classes without a pixel in the validation split ([] when unknown)."""
        if self.validation_pixels is None:
            return []
        return [n for n, t, v in zip(self.class_names, self.class_pixels,
                                     self.validation_pixels, strict=True) if t > 0 and v == 0]

    def batches_per_epoch(self) -> int:
        batches = max(1, math.ceil(self.train_patches / max(1, self.batch_size)))
        return min(batches, self.steps_per_epoch) if self.steps_per_epoch else batches


@dataclasses.dataclass(frozen=True)
class Choice:
    """One resolved key: its dotted name, the value chosen and why."""

    key: str
    value: Any
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "reason": self.reason}


Rule = Callable[[DatasetFacts], tuple[Any, str]]


def _mpx(facts: DatasetFacts) -> str:
    return f"{facts.train_pixels / 1e6:.1f} M training pixels"


def _encoder(facts: DatasetFacts) -> tuple[Any, str]:
    # resnet18 for small datasets looked sensible and lost: on bench_defaults.py's held-out areas
    # (15 epochs) it scored 0.677 against resnet34's 0.722 on the demo scene, everything else
    # equal, and the auto recipe with it lost 0.078 on the drifting scene.
    return "resnet34", (f"{_mpx(facts)}: resnet34 generalised better than resnet18 to "
                        "held-out areas, small datasets included")


def augment_level(facts: DatasetFacts) -> str:
    return "light" if facts.train_pixels > LIGHT_AUGMENT_PIXELS else "standard"


def _augment(name: str) -> Rule:
    def rule(facts: DatasetFacts) -> tuple[Any, str]:
        level = augment_level(facts)
        return AUGMENT_LEVELS[level][name], f"{level} augmentation for {_mpx(facts)}"
    return rule


def _class_balanced(facts: DatasetFacts) -> tuple[Any, str]:
    name, share = facts.rarest()
    if share < RARE_SHARE:
        return True, (f"'{name}' covers {100 * share:.2f} % of the training pixels (< "
                      f"{100 * RARE_SHARE:.1f} %): patches holding rare classes are drawn "
                      "more often")
    return False, (f"the rarest class, '{name}', covers {100 * share:.1f} % of the training "
                   "pixels: patches are drawn uniformly")


def _class_weights(facts: DatasetFacts) -> tuple[Any, str]:
    # bench_defaults.py, 15 epochs, three grids per scene: without weights road is never
    # predicted (even at 40 epochs: 0.006); with rare_sqrt the `auto` recipe learns the rarest
    # class in 8 of 9 runs and wins mean held-out mIoU on all three scenes (0.653 → 0.696,
    # 0.401 → 0.478, 0.510 → 0.661), though the road weight costs built-up on some grids. The
    # full `rare` weights (road ≈ 25) collapse built-up (0.00–0.05); weighting only the
    # cross-entropy was steadier but learnt road in 1 run of 3. On `make demo` rare_sqrt raised
    # mIoU 0.773 → 0.790 and road 0 → 0.083.
    name, share = facts.rarest()
    if share < RARE_SHARE:
        return "rare_sqrt", (f"'{name}' covers {100 * share:.2f} % of the training pixels: "
                             f"classes under {100 * RARE_SHARE:g} % weigh the square root of "
                             "their median-frequency weight in the loss, the others 1")
    return "none", (f"the rarest class, '{name}', covers {100 * share:.1f} % of the training "
                    "pixels: the loss is unweighted")


def _num_workers(facts: DatasetFacts) -> tuple[Any, str]:
    if facts.device != "cuda":
        return 0, (f"training on the CPU ({facts.cpu_count} cores): loader workers would "
                   "compete with the model for them")
    workers = max(1, min(8, facts.cpu_count - 1, 1 + facts.bands // 4))
    return workers, (f"a GPU trains while {workers} worker(s) prepare the next "
                     f"{facts.bands}-band patches ({facts.cpu_count} CPU cores)")


def _epochs(facts: DatasetFacts) -> tuple[Any, str]:
    low, high = EPOCH_RANGE
    batches = facts.batches_per_epoch()
    epochs = min(high, max(low, round(TARGET_STEPS / batches), facts.min_epochs + 1))
    return epochs, (f"{batches} batches per epoch: {epochs} epochs ≈ {epochs * batches} steps "
                    f"(aiming at {TARGET_STEPS}, within {low}–{high} epochs)")


def _selection(facts: DatasetFacts) -> tuple[Any, str]:
    # bench_defaults.py's validation blocks hold 3 of 6 classes; there the mIoU-best epoch
    # (epoch 6 of 15, picked by noise) scored 0.419 held-out on the drifting scene, the last
    # epoch 0.698; over 8 re-scored runs the last epoch was as good or better in 6 (up to +0.29)
    # and at most 0.01 worse in the other 2
    if facts.validation_pixels is None:
        return "miou", "k-fold: each fold keeps the epoch with its best validation mIoU"
    missing = facts.missing_in_validation()
    if not any(facts.validation_pixels):
        return "last", ("no validation pixels: best_iou.pt keeps the last epoch (the end of "
                        "the learning-rate schedule)")
    if missing:
        return "last", (f"the validation split holds no {', '.join(map(repr, missing))} "
                        "pixels: its mIoU cannot judge them and swings between epochs, so "
                        "best_iou.pt keeps the last epoch (extract a larger or more varied "
                        "validation split to select on it)")
    return "miou", ("the validation split holds every training class: best_iou.pt keeps the "
                    "epoch with the best validation mIoU")


#: job key → its rule; the keys that may be "auto"
RULES: dict[str, Rule] = {
    "model.encoder": _encoder,
    **{f"augment.{name}": _augment(name) for name in AUGMENT_LEVELS["standard"]},
    "data.class_balanced": _class_balanced,
    "loss.class_weights": _class_weights,
    "data.num_workers": _num_workers,
    "epochs": _epochs,
    "selection": _selection,
}


def choose(facts: DatasetFacts, keys: Sequence[str] | None = None) -> list[Choice]:
    """The choices for `keys` (default: every key a rule exists for), in table order."""
    wanted = RULES if keys is None else [k for k in RULES if k in keys]
    return [Choice(key, *RULES[key](facts)) for key in wanted]


def _get(job: Any, key: str) -> Any:
    for part in key.split("."):
        job = getattr(job, part)
    return job


def _replace(job: Any, key: str, value: Any) -> Any:
    head, _, rest = key.partition(".")
    if not rest:
        return dataclasses.replace(job, **{head: value})
    return dataclasses.replace(job, **{head: _replace(getattr(job, head), rest, value)})


def auto_keys(job: Any) -> list[str]:
    """The keys of `job` that are still "auto"."""
    return [key for key in RULES if _get(job, key) == AUTO]


def resolve(job: Any, facts: DatasetFacts) -> tuple[Any, list[Choice]]:
    """`job` with every "auto" value replaced by its choice, and the choices made."""
    choices = choose(facts, auto_keys(job))
    for choice in choices:
        job = _replace(job, choice.key, choice.value)
    return job, choices


def facts_from(info: Mapping[str, Any], train_patches: int, job: Any, device: str,
               cpu_count: int) -> DatasetFacts:
    """The facts of a dataset.json (`info`) and its training patches, for this job and machine."""
    classes = info["classes"]
    splits = info.get("splits", {})
    pixels = splits.get("train", {}).get("class_pixels") or {}
    # k-fold validation folds are drawn from train + validation: not known up front
    validation = None if job.kfold.folds >= 2 else splits.get("validation", {}).get(
        "class_pixels")
    if not pixels:  # no per-split counts: every split together
        pixels = {}
        for split in splits.values():
            for value, count in split.get("class_pixels", {}).items():
                pixels[value] = pixels.get(value, 0) + count
    bands = sum(len(s.get("band_names", ())) * max(1, len(s.get("dates", ())) or 1)
                for s in (info.get("sources") or {}).values()) or len(info["band_names"])
    return DatasetFacts(
        train_patches=train_patches, patch_size=int(info["patch_size"]), bands=bands,
        class_names=tuple(str(c.get("name", c["value"])) for c in classes),
        class_pixels=tuple(int(pixels.get(str(c["value"]), 0)) for c in classes),
        batch_size=job.batch_size, steps_per_epoch=job.data.steps_per_epoch,
        min_epochs=max(job.schedule.warmup_epochs, job.optim.freeze_encoder_epochs),
        device=device, cpu_count=cpu_count,
        validation_pixels=None if validation is None else tuple(
            int(validation.get(str(c["value"]), 0)) for c in classes))


def announce(choices: Sequence[Choice], events: Any, output_dir: Any, enabled: bool = True
             ) -> None:
    """One log line per choice, and `auto_defaults.json` (a `report` artifact, role
    `defaults`) that the training dialog shows; nothing when no key was "auto"."""
    if not choices or not enabled:
        return
    import json
    from pathlib import Path

    from ..core.fileio import atomic_path

    for choice in choices:
        events.log(f"chosen for this dataset: {choice.key} = {choice.value} ({choice.reason})")
    path = Path(output_dir) / DEFAULTS_FILE
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps({"schema": 1, "chosen": [c.to_dict() for c in choices]},
                                  indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    events.artifact("report", path, role="defaults")
