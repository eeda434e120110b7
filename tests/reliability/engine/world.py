"""The session's good inputs (`World`) and the flags of a tiny, fast training."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

#: flags of a tiny, fast training (one epoch of a 2-level custom U-Net, no loader workers).
TINY_TRAIN = ("--epochs", "1", "--batch-size", "4", "--model.architecture", "custom_unet",
              "--model.depth", "2", "--model.base-width", "8", "--data.num-workers", "0",
              "--no-augment.enabled")
PATCH = 32


@dataclass(frozen=True)
class World:
    root: Path
    scene: Path
    labels: Path
    vector: Path
    grid: Path
    dataset: Path
    model: Path

    @property
    def last(self) -> Path:
        return self.model / "last.pt"

    @property
    def best(self) -> Path:
        return self.model / "best_iou.pt"

    def extract_args(self, output: Path, *more: object) -> list[object]:
        return ["--image", self.scene, "--labels", self.labels, "--grid", self.grid,
                "--output-dir", output, "--patch-size", PATCH, "--workers", 1, *more]

    def train_args(self, output: Path, *more: object, dataset: Path | None = None
                   ) -> list[object]:
        return ["--dataset", dataset or self.dataset, "--output-dir", output, *TINY_TRAIN,
                *more]

    def predict_args(self, output: Path, *more: object, raster: Path | None = None
                     ) -> list[object]:
        return ["--raster", raster or self.scene, "--checkpoint", self.best,
                "--output-dir", output, *more]

    def copy_dataset(self, target: Path) -> Path:
        shutil.copytree(self.dataset, target)
        return target
