"""Reference labels read block by block on the prediction's pixel grid (raster or polygons)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import rasterio
from rasterio.features import rasterize
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window
from rasterio.windows import transform as window_transform
from shapely import box

from ..core.errors import SatsegError
from ..geo.classtable import CLASSES_TAG, read_class_tag
from .options import EvaluateJob

BLOCK_ROWS = 512


def class_table(src: Any, job: EvaluateJob) -> list[dict[str, Any]]:
    tagged = read_class_tag(src)
    if tagged:
        return tagged
    if job.class_values:
        return [{"value": v, "name": str(v)} for v in job.class_values]
    raise SatsegError("no_classes", f"{job.prediction} has no '{CLASSES_TAG}' tag naming its "
                      "classes", key="class_values",
                      hint="give the class values with --class-values 1,2,3")


def _vector_labels(job: EvaluateJob, dst_crs: Any, classes: list[dict[str, Any]]) -> Any:
    import geopandas as gpd

    frame = gpd.read_file(job.labels)
    if job.class_field not in frame.columns:
        raise SatsegError("bad_field", f"{job.labels.name} has no field '{job.class_field}' "
                          f"(fields: {', '.join(c for c in frame.columns if c != 'geometry')})",
                          key="class_field")
    if frame.crs is not None and dst_crs is not None and frame.crs != dst_crs:
        frame = frame.to_crs(dst_crs)
    values = frame[job.class_field]
    if values.dtype.kind not in "iuf":
        by_name = {str(c["name"]): int(c["value"]) for c in classes}
        unknown = sorted({str(v) for v in values.dropna()} - set(by_name))
        if unknown:
            raise SatsegError("unknown_classes", f"class names {unknown[:5]} in "
                              f"'{job.class_field}' are not among the prediction's classes "
                              f"({', '.join(by_name)})", key="class_field")
        values = values.map(lambda v: by_name.get(str(v)))
    frame = frame.assign(_value=values)
    return frame[frame["_value"].notna() & frame.geometry.notna()]


def label_blocks(job: EvaluateJob, pred: Any, classes: list[dict[str, Any]]
                  ) -> Iterator[tuple[Any, Any, Any]]:
    """(window, labels on the prediction grid, label-nodata mask or None) per block of rows."""
    windows = [Window(0, row, pred.width, min(BLOCK_ROWS, pred.height - row))
               for row in range(0, pred.height, BLOCK_ROWS)]
    if job.class_field:
        frame = _vector_labels(job, pred.crs, classes)
        index = frame.sindex
        for win in windows:
            bounds = rasterio.windows.bounds(win, pred.transform)
            hits = frame.iloc[index.query(box(*bounds))]
            shape = (int(win.height), int(win.width))
            labels = np.full(shape, job.ignore_value, dtype=np.uint8)
            if len(hits):
                labels = rasterize(zip(hits.geometry, hits["_value"].astype(int), strict=True),
                                   out_shape=shape, transform=window_transform(win, pred.transform),
                                   fill=job.ignore_value, dtype="uint8")
            yield win, labels, None
        return
    try:
        src = rasterio.open(job.labels)
    except rasterio.errors.RasterioIOError as exc:
        raise SatsegError("not_a_raster", f"labels: {job.labels} is neither a raster nor a "
                          f"vector GDAL reads ({exc})", key="labels") from None
    with src:
        same = (src.crs == pred.crs and src.transform.almost_equals(pred.transform)
                and (src.width, src.height) == (pred.width, pred.height))
        outside = src.nodata if src.nodata is not None else job.ignore_value
        reader = src if same else WarpedVRT(src, crs=pred.crs, transform=pred.transform,
                                            width=pred.width, height=pred.height,
                                            nodata=outside,  # beyond the labels: not counted
                                            resampling=rasterio.enums.Resampling.nearest)
        try:
            for win in windows:
                labels = reader.read(1, window=win)
                nodata = reader.nodata
                yield win, labels, (labels == nodata) if nodata is not None else None
        finally:
            if reader is not src:
                reader.close()
