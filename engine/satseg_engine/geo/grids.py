"""Building grids of N×N-pixel cells on a raster and reading/writing them as GeoPackages.

The area covered is the raster, an AOI (any OGR vector, reprojected to the raster CRS) or an
extent rectangle in any CRS; cells lie on a lattice anchored at the area's top-left pixel (see
`tiling`). Valid (non-nodata) fractions are read strip by strip (one row of cells, at most
`STRIP_WIDTH` pixels wide at a time), so memory is bounded by N × STRIP_WIDTH × bands bytes;
labelled fractions are read per cell. Format: docs/formats.md ("Grid").
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from . import rasters, splits
from .labels import IGNORE, LabelSpec, open_reader, read_vector
from .tiling import Cell, PixelArea, chunk_columns, grow_area, lattice, strips

STRIP_WIDTH = 4096
LAYER = "grid"
#: GeoPackage 1.2: what QGIS 3.22's GDAL reads without a "partially supported" warning
GPKG_OPTIONS = {"VERSION": "1.2"}


@dataclasses.dataclass
class Grid:
    """Cells of one raster with their ids, splits and fractions."""

    raster: str
    crs: Any
    transform: Any
    patch_size: int
    stride: int
    cells: list[Cell]
    ids: list[int]
    splits: list[str]
    valid: list[float]
    labelled: list[float | None]
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: {class value: pixels} of each cell, when the grid read labels
    classes: list[dict[int, int]] | None = None

    def select(self, keep: list[int]) -> Grid:
        pick = [self.cells, self.ids, self.splits, self.valid, self.labelled]
        return dataclasses.replace(self, cells=[pick[0][i] for i in keep],
                                   ids=[pick[1][i] for i in keep],
                                   splits=[pick[2][i] for i in keep],
                                   valid=[pick[3][i] for i in keep],
                                   labelled=[pick[4][i] for i in keep],
                                   classes=None if self.classes is None
                                   else [self.classes[i] for i in keep])


def too_small(src: Any, size: int, what: str) -> SatsegError:
    return SatsegError("raster_too_small", f"{what} is {src.width}×{src.height} pixels, smaller "
                       f"than one {size}×{size} patch", key="patch_size",
                       hint=f"use a patch_size of at most {min(src.width, src.height)} pixels, "
                            f"or a larger image/area")


def target_area(src: Any, opts: Any) -> tuple[PixelArea, Any]:
    """The pixel area to cover and the AOI polygons (in the raster CRS) if any."""
    full = PixelArea(0, 0, src.height, src.width)
    aoi = None
    if opts.aoi is not None:
        aoi = read_vector(Path(opts.aoi), "aoi", src.crs)
        if len(aoi) == 0:
            raise SatsegError("empty_aoi", f"aoi: {opts.aoi} holds no geometries", key="aoi",
                              hint="draw at least one polygon")
        area = rasters.area_of_bounds(src.transform, tuple(aoi.total_bounds))
        what = f"the AOI {Path(opts.aoi).name}"
    elif opts.extent:
        from rasterio.crs import CRS
        from rasterio.warp import transform_bounds

        try:
            crs = CRS.from_user_input(opts.extent_crs) if opts.extent_crs else src.crs
        except Exception as exc:  # noqa: BLE001 - any parse failure is a bad CRS
            raise SatsegError("bad_crs", f"extent_crs: cannot read CRS '{opts.extent_crs}' "
                              f"({exc})", key="extent_crs",
                              hint="use e.g. EPSG:4326 or a WKT string") from None
        bounds = transform_bounds(crs, src.crs, *opts.extent, densify_pts=21)
        area = rasters.area_of_bounds(src.transform, bounds)
        what = "the extent"
    else:
        return full, None
    clipped = area.clip(src.height, src.width)
    if clipped.empty:
        raise SatsegError("grid_outside", f"{what} does not overlap the raster "
                          f"{Path(src.name).name}", key="aoi" if aoi is not None else "extent",
                          hint="check the area and its CRS (the raster's bounds are "
                               f"{tuple(round(b, 3) for b in src.bounds)} in "
                               f"{rasters.crs_text(src.crs)})")
    return grow_area(clipped, opts.patch_size, src.height, src.width), aoi


def cell_boxes(transform: Any, cells: list[Cell]) -> Any:
    import shapely

    bounds = np.array([rasters.cell_bounds(transform, c) for c in cells]).reshape(-1, 4)
    return shapely.box(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3])


def valid_fractions(src: Any, bands: list[int], cells: list[Cell],
                    progress: Callable[[int, int], None]) -> list[float]:
    """Share of valid pixels per cell, read strip by strip."""
    from rasterio.windows import Window

    if not rasters.has_nodata(src, bands):
        return [1.0] * len(cells)
    index = {cell: i for i, cell in enumerate(cells)}
    out = [0.0] * len(cells)
    done = 0
    for strip in strips(cells):
        for run in chunk_columns(strip, STRIP_WIDTH):
            c0, c1 = run[0].col_off, max(c.col_end for c in run)
            window = Window(c0, run[0].row_off, c1 - c0, run[0].size)
            valid = rasters.valid_mask(src, bands, window)
            for cell in run:
                part = valid[:, cell.col_off - c0:cell.col_end - c0]
                out[index[cell]] = float(part.mean())
        done += len(strip)
        progress(done, len(cells))
    return out


def labelled_fractions(spec: LabelSpec, src: Any, bands: list[int], cells: list[Cell],
                       progress: Callable[[int, int], None]
                       ) -> tuple[list[float], list[dict[int, int]]]:
    """Per cell: the share of pixels that are valid in the image and carry a class label, and
    the pixels of each class among them (for class-aware splits)."""
    reader = open_reader(spec, src)
    try:
        fractions, classes = [], []
        for i, cell in enumerate(cells):
            valid = rasters.valid_mask(src, bands, rasters.cell_window(cell))
            values = reader.read(cell)
            labelled = (values != IGNORE) & valid
            fractions.append(float(labelled.mean()))
            found, counts = np.unique(values[labelled], return_counts=True)
            classes.append(dict(zip(found.tolist(), counts.tolist(), strict=True)))
            progress(i + 1, len(cells))
        return fractions, classes
    finally:
        reader.close()


def build(image: Path, opts: Any, labels: LabelSpec | None, events: Any, *, id_start: int = 0,
          need_fractions: bool = True) -> Grid:
    """Lay the grid on `image`, measure fractions, drop cells, assign splits.

    `need_fractions=False` (extract) skips measuring and filtering here: extraction measures
    each patch as it reads it and applies the same filters then, so the scene is read once.
    """
    size, stride = opts.patch_size, opts.patch_size - opts.overlap
    with rasters.open_raster(image, "image") as src:
        rasters.check_grid(src, "image", projected=True)
        bands = rasters.resolve_bands(src, opts.bands)
        if src.width < size or src.height < size:
            raise too_small(src, size, f"image {Path(image).name}")
        area, aoi = target_area(src, opts)
        cells = lattice(area, size, stride, opts.cover_edges)
        ids = [id_start + i for i in range(len(cells))]
        if aoi is not None:
            import shapely

            union = shapely.union_all(aoi.geometry.values)
            boxes = cell_boxes(src.transform, cells)
            inside = shapely.intersects(boxes, union) & ~shapely.touches(boxes, union)
            keep = np.flatnonzero(inside)
            cells, ids = [cells[i] for i in keep], [ids[i] for i in keep]
        if not cells:
            raise SatsegError("grid_outside", f"no {size}×{size} cell of {Path(image).name} "
                              f"falls in the area", key="aoi",
                              hint="enlarge the AOI/extent or lower patch_size")
        n_all = len(cells)
        measure = need_fractions
        stage = f"grid {Path(image).name}"
        valid = valid_fractions(src, bands, cells, lambda d, t: events.progress(
            stage, d, t, "cells")) if measure else [1.0] * n_all
        labelled: list[float | None] = [None] * n_all
        classes = None
        if labels is not None and need_fractions:
            labelled[:], classes = labelled_fractions(
                labels, src, bands, cells,
                lambda d, t: events.progress(f"{stage} labels", d, t, "cells"))
        keep_nodata = [i for i in range(n_all)
                       if valid[i] > 0 and 1 - valid[i] <= opts.max_nodata_frac + 1e-9]
        keep = [i for i in keep_nodata
                if labelled[i] is None or labelled[i] >= opts.min_labelled_frac - 1e-9]
        if not keep:
            reason = (f"all {n_all} cells are more than {opts.max_nodata_frac:.0%} nodata"
                      if not keep_nodata else
                      f"{len(keep_nodata)} cells have enough valid pixels but none is at least "
                      f"{opts.min_labelled_frac:.0%} labelled")
            raise SatsegError("no_cells", f"no cell of {Path(image).name} is kept: {reason}",
                              key="max_nodata_frac" if not keep_nodata else
                              "min_labelled_frac",
                              hint="raise max_nodata_frac / lower min_labelled_frac, or check "
                                   "the image's nodata value and the area")
        grid = Grid(str(Path(image).resolve()), src.crs, src.transform, size, stride, cells,
                    ids, [""] * n_all, valid, labelled, classes=classes).select(keep)
        grid.splits = assign_splits(grid, opts, aoi, area)
        grid.meta = {"dropped_nodata": n_all - len(keep_nodata),
                     "dropped_unlabelled": len(keep_nodata) - len(keep)}
        return grid


def assign_splits(grid: Grid, opts: Any, aoi: Any, area: PixelArea) -> list[str]:
    if opts.split_method == "attribute":
        return attribute_splits(grid, aoi, opts.split_attribute)
    return splits.assign(opts.split_method, grid.cells, opts.ratios, opts.seed,
                         class_counts=grid.classes, origin=(area.row0, area.col0),
                         stride=grid.stride, block_size=opts.block_size)


def attribute_splits(grid: Grid, aoi: Any, attribute: str) -> list[str]:
    """Split of each cell = attribute of the AOI polygon holding the cell centre."""
    import shapely

    if attribute not in aoi.columns:
        raise SatsegError("missing_field", f"the AOI has no attribute '{attribute}' (fields: "
                          f"{', '.join(c for c in aoi.columns if c != 'geometry')})",
                          key="split_attribute", hint="set split_attribute to the AOI field "
                                                      "that holds train/validation/test")
    values = splits.normalise_attribute_values(list(aoi[attribute]), attribute)
    centres = shapely.centroid(cell_boxes(grid.transform, grid.cells))
    tree = shapely.STRtree(aoi.geometry.values)
    hits = tree.query(centres, predicate="within")
    out = [""] * len(grid.cells)
    for cell_index, poly_index in sorted(zip(*hits, strict=True), reverse=True):
        out[cell_index] = values[poly_index]  # reverse: the first polygon wins
    return out


# -- GeoPackage I/O ---------------------------------------------------------------------------

def to_frame(grids: list[Grid], with_image: bool = False) -> Any:
    import geopandas as gpd

    rows = []
    for grid in grids:
        boxes = cell_boxes(grid.transform, grid.cells)
        for i, cell in enumerate(grid.cells):
            row = {"id": grid.ids[i], "split": grid.splits[i], "valid_frac": grid.valid[i],
                   "labelled_frac": np.nan if grid.labelled[i] is None else grid.labelled[i],
                   "row_off": cell.row_off, "col_off": cell.col_off, "size": cell.size,
                   "geometry": boxes[i]}
            if with_image:
                row["image"] = Path(grid.raster).stem
            rows.append(row)
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=grids[0].crs)
    return frame.astype({"valid_frac": float, "labelled_frac": float})


def write(path: Path, grids: list[Grid], meta: dict[str, Any], with_image: bool = False) -> None:
    """Write cells as layer `grid` of a GeoPackage, atomically, metadata in the description."""
    import pyogrio

    frame = to_frame(grids, with_image)
    with atomic_path(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # temporary name lacks .gpkg
        pyogrio.write_dataframe(frame, tmp, layer=LAYER, driver="GPKG",
                                dataset_options=GPKG_OPTIONS,
                                layer_options={"DESCRIPTION": json.dumps(meta)})


def read(path: Path, src: Any, size: int, key: str = "grid") -> tuple[list[Cell], list[int],
                                                                     list[str], dict[str, Any]]:
    """Cells of a grid file that lie inside raster `src`: (cells, ids, splits, metadata).

    Windows are re-derived from each polygon's bounds; a polygon that is not N×N whole pixels
    of `src` is refused (`grid_not_aligned`); cells partly outside `src` are left out. A grid
    with an `image` column (written by a batch extraction) gives `src` only its own rows.
    """
    import pyogrio

    frame = read_vector(Path(path), key, None)
    if "image" in frame.columns and (frame["image"] == Path(src.name).stem).any():
        frame = frame[frame["image"] == Path(src.name).stem]
    info = pyogrio.read_info(path, layer=LAYER if LAYER in _layers(path) else None)
    try:
        meta = json.loads((info.get("layer_metadata") or {}).get("DESCRIPTION") or "{}")
    except json.JSONDecodeError:
        meta = {}
    if not rasters.same_crs(frame.crs, src.crs):
        raise SatsegError("crs_mismatch", f"{key}: {Path(path).name} is in "
                          f"{rasters.crs_text(frame.crs)} but image {Path(src.name).name} is in "
                          f"{rasters.crs_text(src.crs)}; cells must be whole pixels of the image",
                          key=key, hint="make the grid with 'satseg grid' on this image (or one "
                                        "on the same pixel grid)")
    if "size" in frame.columns:
        size = int(frame["size"].iloc[0]) if len(frame) else size
    ids = list(frame["id"]) if "id" in frame.columns else list(range(len(frame)))
    raw_splits = list(frame["split"]) if "split" in frame.columns else [""] * len(frame)
    split_names = splits.normalise_attribute_values(raw_splits, "split")
    cells, out_ids, out_splits, misaligned, outside = [], [], [], [], 0
    for i, geom in enumerate(frame.geometry):
        cell = rasters.cell_from_bounds(src.transform, geom.bounds, size)
        if cell is None:
            misaligned.append(ids[i])
            continue
        if cell.row_off < 0 or cell.col_off < 0 or cell.row_end > src.height \
                or cell.col_end > src.width:
            outside += 1
            continue
        cells.append(cell)
        out_ids.append(int(ids[i]))
        out_splits.append(split_names[i])
    if misaligned:
        raise SatsegError("grid_not_aligned", f"{key}: cells {misaligned[:10]} of "
                          f"{Path(path).name} are not {size}×{size} whole pixels of "
                          f"{Path(src.name).name}", key=key,
                          hint="move or resize them to whole pixels (snap to the raster grid) "
                               "or regenerate the grid with 'satseg grid'")
    meta["outside"] = outside
    meta["size"] = size
    return cells, out_ids, out_splits, meta


def _layers(path: Path) -> list[str]:
    import pyogrio

    return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
