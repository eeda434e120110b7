"""Options of the picture verbs: `preview` (a dataset's patches) and `overview` (a scene).

Standard library only (the verb table loads it for `satseg --help`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..core import jobs
from ..core.jobs import option


@dataclasses.dataclass(frozen=True, kw_only=True)
class PreviewJob(jobs.Job):
    """The `preview` verb's job: which dataset, how many patches, where."""

    dataset: Path = option(help="dataset folder (or its dataset.json)", exists="path")
    output: Path | None = option(None, help="PNG to write (default DATASET/preview.png)")
    per_split: int = option(4, help="patches shown per split", min=1, max=32)
    rgb_bands: tuple[str, ...] = option((), help="three band names for the composite "
                                                 "(default: chosen from the band names)")
    alpha: float = option(0.45, help="label overlay opacity", min=0, max=1)
    seed: int = option(0, help="which patches are drawn")


@dataclasses.dataclass(frozen=True, kw_only=True)
class OverviewJob(jobs.Job):
    """The `overview` verb's job: the rasters to draw side by side, where."""

    image: Path = option(help="the input raster", exists="file")
    output: Path = option(help="PNG to write")
    labels: Path | None = option(None, help="reference class raster", exists="file")
    prediction: Path | None = option(None, help="predicted class raster (satseg predict)",
                                     exists="file")
    confidence: Path | None = option(None, help="confidence raster (satseg predict)",
                                     exists="file")
    max_size: int = option(900, help="longest side of each panel in pixels", min=64, max=8192)
    rgb_bands: tuple[str, ...] = option((), help="three band names for the composite "
                                                 "(default: chosen from the band names)")
    title: str = option("", help="title over the panels")
