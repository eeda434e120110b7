"""Reading a patch dataset (docs/formats.md) for training: dataset.json and torch Datasets.

Class values in label patches map to indices in class-table order; values not in the table and
`ignore_value` map to `ignore_value` (ignored by losses and metrics). Images are normalised with
`normalization.normalize` (the same function prediction uses) and augmented per sample with a
generator seeded by (seed, epoch, index), so results do not depend on the number of workers.

`PatchDataset` gives one tensor per patch (a single-source model); `MultiSourceDataset` gives
the several sources of a patch as the dict a multi-source model takes (docs/formats.md,
`{"data", "present", "doy"}`), each source normalised with its own statistics.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from ..core.errors import SatsegError
from .augment import AugmentParams, augment, augment_sources
from .normalization import normalize
from .sources import SourceInfo, normalize_source

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class PatchItem:
    """One patch: its id, its split and where its image and label are."""

    id: str
    split: str
    image: Path
    label: Path

    @property
    def group(self) -> str:
        """The source image the patch was cut from (`<image-stem>_<cell id>`)."""
        return self.id.rsplit("_", 1)[0] if "_" in self.id else self.id


def read_dataset_info(root: Path) -> dict[str, Any]:
    """dataset.json, checked for what training needs."""
    path = Path(root) / "dataset.json"
    hint = "choose a folder written by 'satseg extract' (it holds dataset.json and Patch/)"
    if not path.is_file():
        raise SatsegError("bad_dataset", f"{root} is not a patch dataset: no dataset.json",
                          hint=hint, key="dataset")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SatsegError("bad_dataset", f"{path} is not valid JSON: {exc}", hint=hint,
                          key="dataset") from exc
    if info.get("kind") != "satseg-patch-dataset" or info.get("schema") != 1:
        raise SatsegError("bad_dataset", f"{path} is not a schema-1 satseg patch dataset",
                          hint=hint, key="dataset")
    for key in ("classes", "band_names", "statistics", "ignore_value", "patch_size"):
        if key not in info:
            raise SatsegError("bad_dataset", f"{path} lacks '{key}'", hint=hint, key="dataset")
    if len(info["classes"]) < 2:
        raise SatsegError("bad_dataset", "the dataset has fewer than 2 classes",
                          hint="a segmentation needs at least two classes (e.g. background "
                          "and target)", key="dataset")
    return info


def list_items(root: Path, split: str, source: str = "images") -> list[PatchItem]:
    """Patches of one split that have both an image and a label, sorted by id."""
    folder = Path(root) / "Patch" / split
    images = folder / source
    labels = folder / "labels"
    if not images.is_dir():
        return []
    items = []
    for image in sorted(images.glob("*.tif")):
        label = labels / image.name
        if label.is_file():
            items.append(PatchItem(image.stem, split, image, label))
    return items


def source_path(item: PatchItem, folder: str) -> Path:
    """Where the patch of another source of the same cell is: Patch/<split>/<folder>/<id>.tif."""
    return item.image.parent.parent / folder / item.image.name


def label_lookup(classes: Sequence[Mapping[str, Any]], ignore_value: int) -> np.ndarray:
    """256-entry table: class value -> index in class-table order; everything else -> ignore."""
    table = np.full(256, ignore_value, dtype=np.uint8)
    for index, cls in enumerate(classes):
        table[int(cls["value"])] = index
    return table


def read_label(path: Path, lookup: np.ndarray) -> np.ndarray:
    import rasterio

    with rasterio.open(path) as src:
        return lookup[src.read(1).astype(np.uint8, copy=False)]


class PatchDataset(Dataset):
    """(normalised image float32 (C,H,W), class-index mask int64 (H,W)) per patch."""

    def __init__(self, items: Sequence[PatchItem], normalization: Mapping[str, Any],
                 lookup: np.ndarray, ignore_value: int, augment_params: AugmentParams | None,
                 seed: int = 0):
        self.items = list(items)
        self.normalization = dict(normalization)
        self.lookup = lookup
        self.ignore_value = ignore_value
        self.augment_params = augment_params
        self.seed = seed
        self.epoch = 0
        self._images: np.ndarray | None = None  # raw patches held in memory (see preload)
        self._masks: np.ndarray | None = None

    def preload(self, max_bytes: int) -> int:
        """Read every raw patch into memory once, if they fit in `max_bytes`; returns the bytes
        held (0: not cached, patches are read from disk each time).

        Normalisation and augmentation still run per sample. Call it before the DataLoader
        starts its workers: they are forked from this process and share the arrays
        copy-on-write, so every epoch after the first reads no file.
        """
        import rasterio

        if not self.items or max_bytes <= 0:
            return 0
        with rasterio.open(self.items[0].image) as src:
            shape, dtype = (src.count, src.height, src.width), np.dtype(src.dtypes[0])
        size = len(self.items) * (int(np.prod(shape)) * dtype.itemsize + shape[1] * shape[2])
        if size > max_bytes:
            return 0
        images = np.empty((len(self.items), *shape), dtype=dtype)
        masks = np.empty((len(self.items), *shape[1:]), dtype=np.uint8)
        for index, item in enumerate(self.items):
            with rasterio.open(item.image) as src:
                if (src.count, src.height, src.width) != shape or src.dtypes[0] != dtype:
                    return 0  # patches of mixed shapes: read them one by one instead
                images[index] = src.read()
            mask = read_label(item.label, self.lookup)
            if mask.shape != shape[1:]:
                return 0
            masks[index] = mask
        self._images, self._masks = images, masks
        return size

    def set_epoch(self, epoch: int) -> None:
        """Seeds this epoch's augmentation (set before each DataLoader iteration)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        import rasterio

        item = self.items[index]
        if self._images is not None and self._masks is not None:
            image = normalize(self._images[index], self.normalization)
            mask = self._masks[index].copy()  # never hand out a view of the cache
        else:
            with rasterio.open(item.image) as src:
                image = normalize(src.read(), self.normalization)
            mask = read_label(item.label, self.lookup)
        if mask.shape != image.shape[1:]:
            raise SatsegError("bad_dataset", f"patch {item.id}: label {mask.shape} and image "
                              f"{image.shape[1:]} differ in size", hint="re-extract the dataset")
        if self.augment_params is not None:
            rng = np.random.default_rng((self.seed, self.epoch, index))
            image, mask = augment(image, mask, self.augment_params, rng, self.ignore_value)
        return torch.from_numpy(image), torch.from_numpy(mask.astype(np.int64))


Sample = tuple[dict[str, dict[str, torch.Tensor]], torch.Tensor]


class MultiSourceDataset(Dataset):
    """({"data": {name: (C,H,W) or (T,C,H,W)}, "present": {name: (T,) bool},
    "doy": {name: (T,) float32}}, mask int64 (H,W)) per patch; present/doy for time series.

    Every source is normalised with its own per-band statistics (the same for every date) by
    `sources.normalize_source`; absent date slots (padding, or too much nodata) are zeros.
    """

    def __init__(self, items: Sequence[PatchItem], sources: Sequence[SourceInfo],
                 normalizations: Mapping[str, Mapping[str, Any]], lookup: np.ndarray,
                 ignore_value: int, augment_params: AugmentParams | None, seed: int = 0):
        self.items = list(items)
        self.sources = list(sources)
        self.normalizations = {k: dict(v) for k, v in normalizations.items()}
        self.lookup = lookup
        self.ignore_value = ignore_value
        self.augment_params = augment_params
        self.seed = seed
        self.epoch = 0
        self._raw: dict[str, np.ndarray] | None = None  # name -> (N, slots*C, H, W) raw
        self._masks: np.ndarray | None = None
        missing = [(item.id, s.name) for item in self.items for s in self.sources
                   if not source_path(item, s.folder).is_file()]
        if missing:
            patch, name = missing[0]
            raise SatsegError("bad_dataset", f"patch {patch} has no '{name}' patch "
                              f"({len(missing)} source patch(es) missing)", key="dataset",
                              hint="re-extract the dataset: every source needs a patch per cell")

    def _read(self, item: PatchItem, source: SourceInfo) -> np.ndarray:
        import rasterio

        with rasterio.open(source_path(item, source.folder)) as src:
            raw = src.read()
        if raw.shape[0] != source.channels:
            raise SatsegError("bad_dataset", f"patch {item.id} of source {source.name}: "
                              f"{raw.shape[0]} bands, dataset.json says {source.channels} "
                              f"({source.slots} date slot(s) × {len(source.band_names)})",
                              key="dataset", hint="re-extract the dataset")
        return raw

    def preload(self, max_bytes: int) -> int:
        """Read every raw patch of every source into memory once if all fit in `max_bytes`
        (see PatchDataset.preload); returns the bytes held, 0 when not cached."""
        if not self.items or max_bytes <= 0:
            return 0
        first = [self._read(self.items[0], s) for s in self.sources]
        height, width = first[0].shape[1:]
        size = len(self.items) * (height * width + sum(a.nbytes for a in first))
        if size > max_bytes:
            return 0
        raw = {s.name: np.empty((len(self.items), *a.shape), dtype=a.dtype)
               for s, a in zip(self.sources, first, strict=True)}
        masks = np.empty((len(self.items), height, width), dtype=np.uint8)
        for index, item in enumerate(self.items):
            for source in self.sources:
                array = self._read(item, source)
                if array.shape != raw[source.name].shape[1:] or \
                        array.dtype != raw[source.name].dtype:
                    return 0  # patches of mixed shapes: read them one by one instead
                raw[source.name][index] = array
            mask = read_label(item.label, self.lookup)
            if mask.shape != masks.shape[1:]:
                return 0
            masks[index] = mask
        self._raw, self._masks = raw, masks
        return size

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Sample:
        item = self.items[index]
        cached = self._raw is not None and self._masks is not None
        data: dict[str, np.ndarray] = {}
        present: dict[str, np.ndarray] = {}
        doy: dict[str, torch.Tensor] = {}
        for source in self.sources:
            raw = self._raw[source.name][index] if cached else self._read(item, source)
            image, slots = normalize_source(raw, self.normalizations[source.name], source)
            if source.temporal:
                image = image.reshape(source.slots, len(source.band_names), *image.shape[1:])
                present[source.name] = slots
                doy[source.name] = torch.from_numpy(source.day_of_year())
            data[source.name] = image
        mask = self._masks[index].copy() if cached else read_label(item.label, self.lookup)
        for name, image in data.items():
            if image.shape[-2:] != mask.shape:
                raise SatsegError("bad_dataset", f"patch {item.id}: label {mask.shape} and "
                                  f"source {name} {image.shape[-2:]} differ in size",
                                  key="dataset", hint="re-extract the dataset")
        if self.augment_params is not None:
            rng = np.random.default_rng((self.seed, self.epoch, index))
            data, mask = augment_sources(data, present, mask, self.augment_params, rng,
                                         self.ignore_value)
        inputs = {"data": {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in data.items()},
                  "present": {k: torch.from_numpy(v) for k, v in present.items()},
                  "doy": doy}
        return inputs, torch.from_numpy(mask.astype(np.int64))


def class_presence(items: Sequence[PatchItem], lookup: np.ndarray, n_classes: int
                   ) -> np.ndarray:
    """(patches, classes) bool: which classes occur in each patch (reads the label patches)."""
    presence = np.zeros((len(items), n_classes), dtype=bool)
    for row, item in enumerate(items):
        mask = read_label(item.label, lookup)
        counts = np.bincount(mask.ravel(), minlength=256)[:n_classes]
        presence[row] = counts > 0
    return presence


def balanced_weights(presence: np.ndarray) -> np.ndarray:
    """Sampling weight per patch: mean over its classes of 1 / (patches holding the class).

    Patches holding rare classes are drawn more often; a patch with no labelled pixel gets the
    smallest weight seen (still drawable).
    """
    holders = presence.sum(axis=0).astype(np.float64)
    inverse = np.where(holders > 0, 1.0 / np.maximum(holders, 1), 0.0)
    present = presence.sum(axis=1)
    weights = (presence * inverse).sum(axis=1) / np.maximum(present, 1)
    floor = weights[weights > 0].min() if (weights > 0).any() else 1.0
    return np.where(weights > 0, weights, floor)
