"""The grid stage's options: cell size, overlap, area, filters, splits and the label keys.

`GridOptions` is shared by `grid` and `extract` (which builds the same grid when no grid file is
given); `GridJob` is the `grid` verb's whole job. Standard library only, so `satseg --help` and
the verb table load without numpy or rasterio.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from ..core import jobs
from ..core.errors import JobError
from ..core.jobs import option


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClassSpec:
    """One class of the class table."""

    value: int = option(help="class value in the label raster / vector field (0–254)",
                        min=0, max=254)
    name: str = option(help="class name")
    colour: str = option("", help="#rrggbb colour (required for colour masks)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class GridOptions(jobs.Job):
    """Grid, split and label keys shared by `grid` and `extract`."""

    patch_size: int = option(256, help="cell (patch) size in pixels", min=8, max=8192)
    overlap: int = option(0, help="overlap between neighbouring cells in pixels (stride = "
                                  "patch_size - overlap)", min=0)
    cover_edges: bool = option(True, help="add a last row/column of cells flush with the far "
                                          "edge so the whole area is covered")
    aoi: Path | None = option(None, help="polygons limiting the grid (any OGR vector; "
                                            "reprojected to the raster CRS)", exists="path")
    extent: tuple[float, ...] = option((), help="rectangle xmin,ymin,xmax,ymax limiting the grid")
    extent_crs: str = option("", help="CRS of extent (default: the raster's CRS)")
    bands: tuple[int, ...] = option((), help="1-based bands to use (empty: all)", min=1)
    max_nodata_frac: float = option(0.5, help="drop cells with a larger share of nodata pixels",
                                    min=0, max=1)
    min_labelled_frac: float = option(0.0, help="drop cells with a smaller share of labelled "
                                                "pixels (needs labels)", min=0, max=1)
    split_method: Literal["random", "blocks", "attribute", "none"] = option(
        "random", help="random cells, spatial blocks (train never touches validation/test), "
                       "from an AOI attribute, or none")
    ratios: tuple[float, ...] = option((0.7, 0.15, 0.15), help="train,validation,test shares",
                                       min=0)
    seed: int = option(42, help="random seed of the split")
    block_size: int = option(0, help="blocks split: block side in cells (0: auto, the largest "
                                     "of 4, 2, 1 that leaves every split cells)", min=0)
    split_attribute: str = option("split", help="attribute split: AOI field holding "
                                                "train/validation/test")
    label_kind: Literal["auto", "raster", "vector", "colour"] = option(
        "auto", help="labels type: class raster, vector polygons, RGB colour mask (auto: by "
                     "file type)")
    label_field: str = option("class", help="vector labels: the class field")
    classes: tuple[ClassSpec, ...] = option((), help="class table [{value,name,colour}] (default:"
                                                     " from the label raster or vector field)")
    unknown_labels: Literal["error", "ignore"] = option(
        "error", help="label values not in the class table: error, or treat as unlabelled")
    label_resampling: Literal["warp", "refuse"] = option(
        "warp", help="labels on another grid/CRS/pixel size: warp with nearest neighbour "
                     "(warning), or refuse")

    def __post_init__(self) -> None:
        if self.overlap >= self.patch_size:
            raise JobError(f"overlap ({self.overlap}) must be smaller than patch_size "
                           f"({self.patch_size})", key="overlap",
                           hint="overlap is in pixels; stride = patch_size - overlap")
        if len(self.ratios) != 3 or sum(self.ratios) <= 0:
            raise JobError(f"ratios must be 3 non-negative numbers train,validation,test with a "
                           f"positive sum, got {list(self.ratios)}", key="ratios",
                           hint="e.g. 0.7,0.15,0.15")
        if self.extent and (len(self.extent) != 4 or self.extent[0] >= self.extent[2]
                            or self.extent[1] >= self.extent[3]):
            raise JobError(f"extent must be xmin,ymin,xmax,ymax with xmin<xmax and ymin<ymax, "
                           f"got {list(self.extent)}", key="extent")
        if self.extent and self.aoi is not None:
            raise JobError("give either aoi or extent, not both", key="extent")
        if self.split_method == "attribute" and self.aoi is None:
            raise JobError("split_method 'attribute' reads the split from AOI polygons: give "
                           "an aoi", key="aoi", hint="or choose split_method random or blocks")

    def class_table(self) -> list[tuple[int, str, str]]:
        return [(c.value, c.name, c.colour) for c in self.classes]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GridJob(GridOptions):
    """The `grid` verb's job: one raster, optional labels, one GeoPackage."""

    image: Path = option(help="raster the grid is snapped to", exists="file")
    output: Path = option(help="GeoPackage to write (layer 'grid')")
    labels: Path | None = option(None, help="labels (class raster, vector or colour mask) to "
                                               "measure labelled_frac", exists="path")
    overwrite: bool = option(False, help="replace an existing output")
