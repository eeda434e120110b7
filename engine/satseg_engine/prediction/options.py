"""The prediction stage's options: which rasters and model, where, and how windows are run.

Standard library only (the verb table loads it for `satseg --help`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option


@dataclasses.dataclass(frozen=True, kw_only=True)
class PredictJob(jobs.Job):
    """The `predict` verb's job: a raster (or the sources of a multi-source model), one
    checkpoint, where to write."""

    raster: Path | None = option(None, help="raster to classify (any format GDAL reads); for a "
                                            "multi-source model the 'images' source (required "
                                            "unless sources has images): it sets the output "
                                            "grid", plural="rasters")
    rasters: tuple[str, ...] = option((), help="several rasters, one set of outputs each "
                                       "plus scenes.json/.csv in output_dir: files, folders "
                                       "(every raster in it, sorted) or globs ('tiles/*.tif'); "
                                       "repeatable, each comma-separated (a folder or glob "
                                       "may also be given as 'raster')", repeat=True)
    raster_list: Path | None = option(None, help="text file of raster paths, one a line (# "
                                      "comments; relative paths from the file's folder), "
                                      "added to 'rasters'", exists="file")
    overwrite: bool = option(False, help="several rasters: predict every scene again, even "
                                         "those whose outputs are complete for this model "
                                         "and job")
    stop_on_error: bool = option(False, help="several rasters: end at the first scene that "
                                             "fails (default: record it as failed, go on, and "
                                             "fail only if every scene failed)")
    sources: dict[str, tuple[Path, ...]] | None = option(
        None, flag="source", help="rasters of each source of a multi-source model, repeatable: "
                                  "--source s2=a.tif,b.tif --source s1=c.tif (several rasters "
                                  "of a source: its dates; the first date of 'images' sets the "
                                  "output grid)")
    source_dates: dict[str, tuple[str, ...]] | None = option(
        None, flag="source-date", help="acquisition dates of a source's rasters, in their order "
                                       "(default: from the file names, then metadata): "
                                       "--source-dates s2=2024-05-01,2024-06-10")
    checkpoint: Path = option(help="model written by 'satseg train' (.pt) or 'satseg export' "
                                   "(.onnx, run by onnxruntime)", exists="file")
    output_dir: Path | None = option(None, help="folder for the outputs (default: the "
                                                "raster's folder, or the images source's)")
    name: str | None = option(None, help="output name prefix (default: the raster's file "
                                         "name without extension, or the first images one's)")
    extent: tuple[float, ...] | None = option(None, help="predict only xmin,ymin,xmax,ymax "
                                              "(snapped outward to the raster's pixels)")
    extent_crs: str | None = option(None, help="CRS of 'extent' (default: the raster's), "
                                               "e.g. EPSG:4326")
    aoi: Path | None = option(None, help="vector area of interest: predict its bounding box, "
                                         "nodata outside its polygons", exists="file")
    bands: tuple[int, ...] = option((), help="1-based raster bands to feed the model, in its "
                                             "order (default: all bands)", min=1)
    window: int | Literal["auto", "patch"] = option(
        "auto", help="prediction window side in pixels: auto (large windows for models that "
                     "take any input size, sized from the memory budget; the training patch "
                     "for the others), patch (the training patch, with 'overlap'), or a "
                     "number of pixels (a multiple of the model's stride)")
    margin: int | None = option(None, min=0, max=512, help="large windows: pixels at each "
                                "window edge that are down-weighted where windows meet "
                                "(default: a sixteenth of the training patch, at least "
                                "8)")
    overlap: float = option(0.5, help="training-patch windows: overlap as a fraction of the "
                                      "patch (0–0.9); more overlap, smoother and slower",
                            min=0.0, max=0.9)
    batch_size: int | None = option(None, help="windows per forward pass (default: as many "
                                               "as fit the memory budget, at most 16; large "
                                               "windows take no more pixels per pass than "
                                               "this many training patches)", min=1)
    memory_mb: int | None = option(None, min=16, help="memory for the model's activations "
                                                       "(default: 384 MB on the CPU, a quarter "
                                                       "of the free GPU memory on CUDA)")
    tta: bool = option(False, help="average the four flips of every window (4× slower)")
    probabilities: bool = option(False, help="also write one probability band per class")
    vectorize: bool = option(False, help="also write the classes as polygons, "
                                         "<name>_polygons.gpkg (as 'satseg vectorize' does)")
    vectorize_min_size: int = option(0, min=0, max=1024, help="with vectorize: segments "
                                     "smaller than this many pixels take their largest "
                                     "neighbour's class first (0: keep all)")
    threshold: float | None = option(None, help="binary models: probability from which a pixel "
                                                "is the positive class (default: the "
                                                "checkpoint's, else 0.5)", min=0.0, max=1.0)
    device: str = option("auto", help="auto, cpu, cuda or cuda:N")
    backend: Literal["auto", "torch", "onnxruntime"] = option(
        "auto", help="runtime of the model: torch, onnxruntime (an exported .onnx, or the "
                     "checkpoint converted in memory), or auto (onnxruntime for an .onnx, the "
                     "faster one measured for a .pt)")
    amp: bool = option(True, help="mixed precision on CUDA (ignored on the CPU)")
    precision: Literal["auto", "float32", "bfloat16", "float16"] = option(
        "auto", help="forward precision: auto (CUDA: bfloat16 or float16 when amp is on; CPU: "
                     "float32, or bfloat16 where the CPU computes it natively), or forced")
    channels_last: bool | None = option(None, help="channels-last memory layout for the model "
                                                   "(default: on, measured faster on CPU and "
                                                   "CUDA)")
    fold_batch_norm: bool | None = option(None, help="fold batch norms into the convolutions "
                                                     "before them (default: on; measured "
                                                     "faster, same results)")
    threads: int = option(0, min=0, help="torch threads on the CPU (0: one per core this "
                                         "process may use)")
    read_ahead: int = option(2, help="windows read ahead per batch on a background thread",
                             min=1, max=16)
    panel_width: int | None = option(None, min=256, help="columns predicted per pass (rounded "
                                     "down to a multiple of 256; default: the whole width "
                                     "unless the blending buffer would exceed 256 MB)")

    @property
    def many(self) -> bool:
        """Several scenes: rasters or raster_list given, or raster a folder or a glob."""
        raster = None if self.raster is None else Path(self.raster)
        return bool(self.rasters or self.raster_list is not None or (
            raster is not None and not raster.is_file() and (
                raster.is_dir() or any(c in str(raster) for c in "*?["))))

    @property
    def primary(self) -> Path:
        """The raster whose pixel grid the outputs use: `raster`, else the first images one (by
        date order once resolved; the first given here)."""
        if self.raster is not None:
            return Path(self.raster)
        return Path((self.sources or {})["images"][0])

    def __post_init__(self) -> None:
        self._check_sources()
        if self.extent is not None:
            if len(self.extent) != 4:
                raise JobError(f"'extent' needs 4 numbers xmin,ymin,xmax,ymax, got "
                               f"{len(self.extent)}", key="extent")
            xmin, ymin, xmax, ymax = self.extent
            if not (xmin < xmax and ymin < ymax):
                raise JobError("'extent' must be xmin,ymin,xmax,ymax with xmin < xmax and "
                               "ymin < ymax", key="extent")
        if self.extent is not None and self.aoi is not None:
            raise JobError("give 'extent' or 'aoi', not both", key="aoi")
        if self.extent_crs is not None and self.extent is None:
            raise JobError("'extent_crs' is only used with 'extent'", key="extent_crs")
        if isinstance(self.window, int) and self.window < 16:
            raise JobError(f"'window' must be auto, patch or at least 16 pixels, got "
                           f"{self.window}", key="window")
        if not (self.device in ("auto", "cpu", "cuda") or self.device.startswith("cuda:")):
            raise JobError(f"'device' must be auto, cpu, cuda or cuda:N, got {self.device!r}",
                           key="device")

    def _check_scenes(self) -> None:
        if self.sources:
            raise JobError("several rasters are for single-source models: 'sources' takes "
                           "one scene", key="rasters", hint="predict each scene's sources in "
                                                          "its own run")
        if self.name is not None:
            raise JobError("'name' names one raster's outputs; several rasters are named "
                           "after their files", key="name", hint="remove 'name'")
        if self.output_dir is None:
            raise JobError("several rasters need 'output_dir' (their outputs and "
                           "scenes.json go there)", key="output_dir",
                           hint="add --output-dir FOLDER")

    def _check_sources(self) -> None:
        if self.many:
            self._check_scenes()
            return
        sources = dict(self.sources or {})
        if self.raster is None and "images" not in sources:
            raise JobError("no raster to classify: give 'raster', or the 'images' source of a "
                           "multi-source model", key="raster",
                           hint="add --raster FILE (or --source images=FILE)")
        if self.raster is not None and "images" in sources:
            raise JobError("the images source is given twice ('raster' and sources.images)",
                           key="sources.images", hint="give --raster FILE or --source "
                                                      "images=FILE, not both")
        for name, paths in sources.items():
            if not paths:
                raise JobError(f"source {name} has no raster", key=f"sources.{name}",
                               hint=f"give its rasters: --source {name}=a.tif[,b.tif...]")
            for path in paths:
                if not Path(path).is_file():
                    raise JobError(f"source {name}: {path} is not a file", key=f"sources.{name}",
                                   hint="check the path (relative paths are read from the "
                                        "current directory)")
        given = {**sources, **({"images": (self.raster,)} if self.raster is not None else {})}
        for name, dates in dict(self.source_dates or {}).items():
            if name not in given:
                raise JobError(f"source_dates names source {name}, which is not given",
                               key=f"source_dates.{name}",
                               hint=f"give its rasters with --source {name}=FILE[,FILE...] or "
                                    f"remove its dates")
            if len(dates) != len(given[name]):
                raise JobError(f"source {name}: {len(dates)} date(s) for {len(given[name])} "
                               f"raster(s)", key=f"source_dates.{name}",
                               hint="give one date per raster, in the rasters' order")
