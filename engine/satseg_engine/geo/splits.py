"""Assigning grid cells to train / validation / test.

Methods (a registry, `SPLITTERS`):

* `random`: a seeded permutation of the cells; the first round(n·r_train) are train, the next
  round(n·r_validation) validation, the rest test. Reproducible for a given seed and cell list.
* `blocks`: spatial blocking. Cells are grouped in blocks of `block_size`×`block_size` lattice
  steps (0 = auto: the largest of 4, 2, 1 that gives every split at least half its target, else
  the most balanced); whole blocks are shuffled (seed) and dealt to the split whose cell count
  is furthest below its target. Then a buffer: every train cell that overlaps or touches
  (shares an edge or a corner with) a validation or test cell is unassigned (split ""). So no
  train cell touches a validation or test cell; the price is the ring of train cells along
  block borders, which lowers the train share below its ratio (more with overlap and small
  blocks).
* `attribute`: the value of `split_attribute` in the AOI polygon holding the cell's centre.
* `none`: every cell unassigned.

Class-aware dealing (`random` and `blocks`, when the grid reads labels): a validation split
without a class cannot judge it, and model selection on it picks noise. So when the classes of
each cell are known, up to `CLASS_AWARE_TRIES` dealings are made (the grid's seed first, then
seeds derived from it) and the one whose train split holds the most classes and whose
validation and test splits hold the most of the train classes (at least a quarter of the
class's pixels their ratio would give them, `HOLD_SHARE`) is kept; ties go to the earlier
try, so a grid whose first dealing already covers every class is unchanged. A dealing whose
`balance` (how close the splits come to their ratios) is under three quarters of the first
one's (or of one half, if lower) is not taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..core.errors import SatsegError
from .tiling import Cell, block_index

SPLITS = ("train", "validation", "test")
SPLIT_ALIASES = {"train": "train", "training": "train", "validation": "validation",
                 "val": "validation", "valid": "validation", "test": "test", "": "",
                 "none": ""}


def split_counts(n: int, ratios: Sequence[float]) -> list[int]:
    """Cells per split for ratios (normalised to sum 1): train and validation rounded."""
    total = float(sum(ratios))
    n_train = round(n * ratios[0] / total)
    n_val = min(n - n_train, round(n * ratios[1] / total))
    return [n_train, n_val, n - n_train - n_val]


def assign_random(cells: Sequence[Cell], ratios: Sequence[float], seed: int, **_: Any
                  ) -> list[str]:
    order = np.random.default_rng(seed).permutation(len(cells))
    counts = split_counts(len(cells), ratios)
    labels = np.empty(len(cells), dtype=object)
    start = 0
    for name, count in zip(SPLITS, counts, strict=True):
        labels[order[start:start + count]] = name
        start += count
    return list(labels)


def assign_blocks(cells: Sequence[Cell], ratios: Sequence[float], seed: int, *,
                  origin: tuple[int, int], stride: int, block_size: int, **_: Any) -> list[str]:
    blocks: dict[tuple[int, int], list[int]] = {}
    for i, cell in enumerate(cells):
        blocks.setdefault(block_index(cell, origin, stride, block_size), []).append(i)
    keys = sorted(blocks)
    order = np.random.default_rng(seed).permutation(len(keys))
    total = float(sum(ratios))
    targets = [len(cells) * r / total for r in ratios]
    have = [0, 0, 0]
    labels = [""] * len(cells)
    for k in order:
        members = blocks[keys[k]]
        # the split furthest below its target (relative), ties to the earlier split
        deficits = [(targets[s] - have[s]) / targets[s] if targets[s] > 0 else -np.inf
                    for s in range(3)]
        s = int(np.argmax(deficits))
        have[s] += len(members)
        for i in members:
            labels[i] = SPLITS[s]
    return buffer_train(cells, labels)


#: block sides `block_size: 0` (auto) tries, largest first (larger blocks lose fewer cells).
AUTO_BLOCK_SIZES = (4, 2, 1)


def balance(labels: Sequence[str], ratios: Sequence[float]) -> float:
    """The worst split's share of its target (1 = every split got what its ratio asks)."""
    total = float(sum(ratios))
    n = len(labels)
    shares = [labels.count(name) / (n * r / total) for name, r in zip(SPLITS, ratios,
                                                                       strict=True) if r > 0]
    return min(shares) if shares and n else 0.0


def assign_blocks_auto(cells: Sequence[Cell], ratios: Sequence[float], seed: int, *,
                       block_size: int = 0, **kwargs: Any) -> list[str]:
    """Blocks of `block_size` cells; with 0, the side of `AUTO_BLOCK_SIZES` whose split comes
    closest to the ratios (a side of 4 on a 4×4-cell area is one block: all train)."""
    if block_size > 0:
        return assign_blocks(cells, ratios, seed, block_size=block_size, **kwargs)
    best: tuple[float, list[str]] | None = None
    for side in AUTO_BLOCK_SIZES:
        labels = assign_blocks(cells, ratios, seed, block_size=side, **kwargs)
        score = balance(labels, ratios)
        if best is None or score > best[0]:
            best = (score, labels)
        if score >= 0.5:  # good enough: a larger block keeps more train cells
            break
    assert best is not None
    return best[1]


def split_warnings(labels: Sequence[str], ratios: Sequence[float], method: str) -> list[str]:
    """A warning per split with a positive ratio that is empty or nearly so (fewer than 5 % of
    the cells, or under a third of its target), naming the fix."""
    n = len(labels)
    total = float(sum(ratios))
    out = []
    for name, ratio in zip(SPLITS, ratios, strict=True):
        count = sum(1 for label in labels if label == name)
        if ratio <= 0 or not n or (count >= 0.05 * n and count >= n * ratio / total / 3):
            continue
        fix = ("smaller blocks (--block-size) or smaller patches (--patch-size), a larger area"
               if method == "blocks" else "smaller patches (--patch-size), a larger area, "
               "other ratios")
        out.append(f"the {name} split holds {count} of {n} cells ({count / n:.0%}; ratio "
                   f"{ratio / total:.0%}): use {fix}, or another --split-method")
    return out


def buffer_train(cells: Sequence[Cell], labels: list[str]) -> list[str]:
    """Unassign train cells that touch (edge, corner or overlap) a validation or test cell."""
    held_out = [i for i, s in enumerate(labels) if s in ("validation", "test")]
    train = [i for i, s in enumerate(labels) if s == "train"]
    if not held_out or not train:
        return labels
    import shapely

    # closed boxes in pixel space: touching boxes intersect
    boxes = shapely.box([cells[i].col_off for i in held_out], [cells[i].row_off for i in held_out],
                        [cells[i].col_end for i in held_out], [cells[i].row_end for i in held_out])
    tree = shapely.STRtree(boxes)
    train_boxes = shapely.box([cells[i].col_off for i in train], [cells[i].row_off for i in train],
                              [cells[i].col_end for i in train], [cells[i].row_end for i in train])
    hits = tree.query(train_boxes, predicate="intersects")
    out = list(labels)
    for j in np.unique(hits[0]):
        out[train[j]] = ""
    return out


#: dealings tried at most when each cell's classes are known (see the module doc)
CLASS_AWARE_TRIES = 32
#: the k-th try deals with seed + k · SEED_STEP
SEED_STEP = 1_000_003


#: a split holds a class when it has at least this share of the class's pixels that its ratio
#: gives it (a validation split at ratio 0.2 holds a class with 5 % of its pixels or more)
HOLD_SHARE = 0.25

ClassCounts = Mapping[int, int]


def held_classes(labels: Sequence[str], class_counts: Sequence[ClassCounts],
                 ratios: Sequence[float]) -> dict[str, set[int]]:
    """{split: classes it holds}: train every class with a pixel in it; validation and test
    (those with a ratio) the train classes of which they hold their share (HOLD_SHARE)."""
    pixels: dict[str, Counter[int]] = {name: Counter() for name in (*SPLITS, "")}
    for name, counts in zip(labels, class_counts, strict=True):
        pixels[name].update(counts)
    total = sum(pixels.values(), Counter())
    train = {c for c, n in pixels["train"].items() if n > 0}
    out = {"train": train}
    whole = float(sum(ratios))
    for name, ratio in zip(SPLITS[1:], ratios[1:], strict=True):
        if ratio > 0:
            out[name] = {c for c in train
                         if pixels[name][c] >= HOLD_SHARE * ratio / whole * total[c]}
    return out


def coverage(labels: Sequence[str], class_counts: Sequence[ClassCounts],
             ratios: Sequence[float]) -> tuple[int, int]:
    """(classes in train, train classes held by validation plus those held by test)."""
    held = held_classes(labels, class_counts, ratios)
    return len(held["train"]), sum(len(v) for k, v in held.items() if k != "train")


def missing_classes(labels: Sequence[str], class_counts: Sequence[ClassCounts],
                    ratios: Sequence[float]) -> dict[str, list[int]]:
    """{split: the train classes it does not hold} for validation and test with a ratio."""
    held = held_classes(labels, class_counts, ratios)
    return {name: sorted(held["train"] - classes) for name, classes in held.items()
            if name != "train" and held["train"] - classes}


def assign_class_aware(splitter: Callable[..., list[str]], cells: Sequence[Cell],
                       ratios: Sequence[float], seed: int,
                       class_counts: Sequence[ClassCounts], **kwargs: Any) -> list[str]:
    """The best of up to CLASS_AWARE_TRIES dealings by `coverage` (see the module doc)."""
    every = {c for counts in class_counts for c, n in counts.items() if n > 0}
    held_out = sum(1 for r in ratios[1:] if r > 0)
    full = (len(every), len(every) * held_out)
    best: tuple[tuple[int, int], list[str]] | None = None
    floor = 0.0
    for k in range(CLASS_AWARE_TRIES):
        labels = splitter(cells, ratios, seed + k * SEED_STEP, **kwargs)
        if k == 0:
            floor = 0.75 * min(0.5, balance(labels, ratios))
        elif balance(labels, ratios) < floor:
            continue
        score = coverage(labels, class_counts, ratios)
        if best is None or score > best[0]:
            best = (score, labels)
        if score >= full:
            break
    assert best is not None
    return best[1]


def assign_none(cells: Sequence[Cell], *_: Any, **__: Any) -> list[str]:
    return [""] * len(cells)


def normalise_attribute_values(values: Sequence[Any], attribute: str) -> list[str]:
    """Map attribute values to split names (aliases: val, valid, training); error otherwise."""
    out, bad = [], set()
    for value in values:
        text = "" if value is None or (isinstance(value, float) and np.isnan(value)) \
            else str(value).strip().lower()
        if text not in SPLIT_ALIASES:
            bad.add(str(value))
        out.append(SPLIT_ALIASES.get(text, ""))
    if bad:
        raise SatsegError("bad_split_values", f"AOI attribute '{attribute}' holds values that are "
                          f"not splits: {', '.join(sorted(bad))}", key="split_attribute",
                          hint="use train, validation (or val) and test; empty = unassigned")
    return out


SPLITTERS: dict[str, Callable[..., list[str]]] = {
    "random": assign_random,
    "blocks": assign_blocks_auto,
    "none": assign_none,
}


def assign(method: str, cells: Sequence[Cell], ratios: Sequence[float], seed: int,
           class_counts: Sequence[ClassCounts] | None = None, **kwargs: Any) -> list[str]:
    """Split labels for `cells` by `method` (see module doc); `attribute` is done by the caller.
    With `class_counts` (the pixels of each class in each cell), `random` and `blocks` deal
    class-aware."""
    if method not in SPLITTERS:
        raise SatsegError("bad_argument", f"unknown split method '{method}' (valid: "
                          f"{', '.join([*SPLITTERS, 'attribute'])})", key="split_method")
    if class_counts is not None and method in ("random", "blocks"):
        return assign_class_aware(SPLITTERS[method], cells, ratios, seed, class_counts,
                                  **kwargs)
    return SPLITTERS[method](cells, ratios, seed, **kwargs)
