"""From a class raster to a polygons GeoPackage, block by block, written atomically."""

from __future__ import annotations

import contextlib
import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.transform import Affine

from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from ..geo import rasters
from ..geo.classtable import colour_table
from .blocks import Block, plan, read_block, segments
from .classes import class_table
from .seams import Piece, Seams
from .writer import LAYER, PolygonWriter

#: polygons converted from GDAL's output at a time
CHUNK = 20_000
CLASS_RASTER_HINT = ("give a one-band raster of integer class values, such as the "
                     "*_classes.tif that 'satseg predict' writes")


def check_class_raster(src: Any, events: Any) -> None:
    """One band of integers; warn when areas will not be in metres."""
    if src.count != 1:
        raise SatsegError("not_a_class_raster", f"raster: {Path(src.name).name} has "
                          f"{src.count} bands; a class raster has one", key="raster",
                          hint=CLASS_RASTER_HINT)
    if np.dtype(src.dtypes[0]).kind not in "iub":
        raise SatsegError("not_a_class_raster", f"raster: {Path(src.name).name} holds "
                          f"{src.dtypes[0]} values, not class numbers", key="raster",
                          hint=CLASS_RASTER_HINT)
    if src.crs is None:
        events.warning(f"{Path(src.name).name} has no CRS: polygons are in pixel units")
    elif src.crs.is_geographic:
        events.warning(f"{Path(src.name).name} is in a geographic CRS: 'area' is in square "
                       "degrees (reproject the raster for square metres)")


def open_confidence(path: Path | None, src: Any, stack: contextlib.ExitStack) -> Any:
    if path is None:
        return None
    conf = stack.enter_context(rasters.open_raster(path, "confidence"))
    if not rasters.same_grid(conf, src):
        raise SatsegError("grid_mismatch", f"confidence: {Path(path).name} does not lie on "
                          f"the pixel grid of {Path(src.name).name} (size, CRS or transform "
                          "differ)", key="confidence",
                          hint="give the confidence raster written with this class raster")
    return conf


def polygons(found: list[dict[str, Any]]) -> np.ndarray:
    """Shapely polygons of GeoJSON-like polygons, built in bulk (rings, then polygons)."""
    import shapely

    coords: list[Any] = []
    lengths, owners = [], []
    for index, geometry in enumerate(found):
        for ring in geometry["coordinates"]:
            coords.extend(ring)
            lengths.append(len(ring))
            owners.append(index)
    if not found:
        return np.empty(0, dtype=object)
    rings = shapely.linearrings(np.asarray(coords, dtype=np.float64),
                                indices=np.repeat(np.arange(len(lengths)), lengths))
    return shapely.polygons(rings, indices=np.asarray(owners))


def _block_pieces(src: Any, conf: Any, block: Block, min_size: int, smooth: int,
                  first_id: int) -> tuple[list[Piece], dict[int, Piece], dict[str, np.ndarray]]:
    """(finished pieces, open pieces by global id, global ids along the core's four edges:
    left, top, right, bottom; 0 where nodata) of one block. Ids are first_id + 1…n."""
    from rasterio.features import shapes

    classes, valid = read_block(src, block, min_size, smooth,
                                lambda w, data: rasters.valid_mask(src, [1], w, data[None]))
    confidence = confidence_valid = None
    if conf is not None:
        confidence = conf.read(1, window=block.window).astype(np.float64)
        confidence_valid = (valid & np.isfinite(confidence)
                            & rasters.valid_mask(conf, [1], block.window, confidence[None]))
    seg = segments(classes, valid, confidence, confidence_valid)
    labels = seg.labels
    touching = np.zeros(len(seg.values), dtype=bool)
    below = np.zeros(len(seg.values), dtype=bool)
    if not block.last_row:
        below[labels[-1]] = True
    touching |= below
    if block.row > 0:
        touching[labels[0]] = True
    if block.col > 0:
        touching[labels[:, 0]] = True
    if not block.last_col:
        touching[labels[:, -1]] = True
    finished, pending = [], {}
    offset = Affine.translation(int(block.window.col_off), int(block.window.row_off))
    found = shapes(labels, mask=labels > 0, connectivity=4, transform=offset)
    while chunk := list(itertools.islice(found, CHUNK)):  # bounded: a noisy block has many
        for geometry, label in zip(polygons([g for g, _ in chunk]),
                                   [int(v) for _, v in chunk], strict=True):
            piece = Piece(int(seg.values[label]), geometry, int(seg.pixels[label]),
                          float(seg.confidence_sum[label]), float(seg.confidence_pixels[label]))
            if touching[label]:
                piece.block_row, piece.below = block.row, bool(below[label])
                pending[first_id + label] = piece
            else:
                finished.append(piece)
    edges = {side: np.where(line > 0, line.astype(np.int64) + first_id, 0) for side, line in
             (("left", labels[:, 0]), ("top", labels[0]), ("right", labels[:, -1]),
              ("bottom", labels[-1]))}
    return finished, pending, edges


def vectorize_raster(raster: Path, output: Path, events: Any, *, confidence: Path | None = None,
                     checkpoint: Path | None = None, min_size: int = 0, smooth: int = 0,
                     block_size: int = 2048, stage: str = "vectorize") -> dict[str, Any]:
    """Polygonise `raster` into layer `polygons` of `output`; the summary of what was written."""
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        src = stack.enter_context(rasters.open_raster(raster, "raster"))
        check_class_raster(src, events)
        conf = open_confidence(confidence, src, stack)
        table, origin = class_table(src, checkpoint)
        colours = colour_table(src)
        blocks = plan(src.height, src.width, block_size)
        total = sum(len(row) for row in blocks)
        meta = {"schema": 1, "raster": str(Path(raster).resolve()),
                "confidence": str(Path(confidence).resolve()) if confidence else None,
                "classes": [{"value": v, **t} for v, t in sorted(table.items())],
                "classes_from": origin, "min_size": min_size, "smooth": smooth,
                "connectivity": 4, "block_size": block_size}
        crs_wkt = src.crs.to_wkt() if src.crs is not None else None
        with atomic_path(output) as tmp:
            writer = PolygonWriter(tmp, crs_wkt, src.transform, table, colours,
                                   conf is not None, meta)
            try:
                _polygonise(src, conf, blocks, writer, min_size, smooth, events, stage, total)
            except rasterio.errors.RasterioIOError as exc:
                raise SatsegError("raster_read_error", f"cannot read {Path(raster).name} or "
                                  f"its confidence raster: {exc}", key="raster",
                                  hint="the file is damaged or incomplete: write it again "
                                       "(e.g. rerun 'satseg predict')") from None
            writer.close()
    per_class = writer.class_summary()
    return {"raster": str(Path(raster).resolve()), "output": str(Path(output).resolve()),
            "layer": LAYER, "features": sum(c["features"] for c in per_class),
            "classes": per_class, "classes_from": origin,
            "area": sum(c["area"] for c in per_class), "pixel_area": writer.pixel_area,
            "crs": rasters.crs_text(src.crs), "min_size": min_size, "smooth": smooth,
            "connectivity": 4, "block_size": block_size, "blocks": total,
            "seconds": round(time.perf_counter() - started, 3)}


def _polygonise(src: Any, conf: Any, blocks: list[list[Block]], writer: PolygonWriter,
                min_size: int, smooth: int, events: Any, stage: str, total: int) -> None:
    """Every block in raster order; seams joined as blocks meet, segments completed per row."""
    seams = Seams()
    next_id = 0
    done = 0
    above: dict[int, np.ndarray] = {}
    events.progress(stage, 0, total, "blocks")
    for row in blocks:
        below: dict[int, np.ndarray] = {}
        left: np.ndarray | None = None
        for block in row:
            finished, pending, edges = _block_pieces(src, conf, block, min_size, smooth,
                                                     next_id)
            writer.add(finished)
            for key, piece in pending.items():
                seams.add(key, piece)
            if left is not None:
                seams.join_edges(left, edges["left"])
            if block.col in above:
                seams.join_edges(above[block.col], edges["top"])
            left, below[block.col] = edges["right"], edges["bottom"]
            next_id += int(block.window.width * block.window.height) + 1
            done += 1
            events.progress(stage, done, total, "blocks")
        writer.add(seams.finish_row(row[0].row, row[0].last_row))
        above = below
