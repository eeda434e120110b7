"""`satseg evaluate`: accuracy of a class raster against reference labels (raster or vector)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import jobs
from ..errors import JobError, SatsegError
from ..jobs import option

HELP = ("compare a class raster with reference labels: confusion matrix, IoU, F1, precision, "
        "recall, kappa (JSON and PNG)")
BLOCK_ROWS = 512


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job(jobs.Job):
    prediction: Path = option(help="class raster written by 'satseg predict' (*_classes.tif)",
                              exists="file")
    labels: Path = option(help="reference labels: a class raster, or a vector layer with "
                               "'class_field'", exists="file")
    class_field: str | None = option(None, help="vector labels: the field holding class values "
                                                "(or class names)")
    ignore_value: int = option(255, help="label value that is not counted", min=0, max=255)
    class_values: tuple[int, ...] = option((), help="class values when the prediction carries "
                                                    "no satseg_classes tag", min=0, max=254)
    output_dir: Path | None = option(None, help="folder for the report (default: the "
                                                "prediction's folder)")
    name: str | None = option(None, help="report name prefix (default: the prediction's name)")

    def __post_init__(self) -> None:
        if self.labels.suffix.lower() in VECTOR_SUFFIXES and not self.class_field:
            raise JobError("vector labels need 'class_field' (the field with the class of "
                           "each polygon)", key="class_field")


VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".kml", ".gml", ".sqlite")


def _classes(src: Any, job: Job) -> list[dict[str, Any]]:
    from ..classtable import CLASSES_TAG, read_class_tag

    tagged = read_class_tag(src)
    if tagged:
        return tagged
    if job.class_values:
        return [{"value": v, "name": str(v)} for v in job.class_values]
    raise SatsegError("no_classes", f"{job.prediction} has no '{CLASSES_TAG}' tag naming its "
                      "classes", key="class_values",
                      hint="give the class values with --class-values 1,2,3")


def _vector_labels(job: Job, dst_crs: Any, classes: list[dict[str, Any]]) -> Any:
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


def _label_blocks(job: Job, pred: Any, classes: list[dict[str, Any]]
                  ) -> Iterator[tuple[Any, Any, Any]]:
    """(window, labels on the prediction grid, label-nodata mask or None) per block of rows."""
    import numpy as np
    import rasterio
    from rasterio.features import rasterize
    from rasterio.vrt import WarpedVRT
    from rasterio.windows import Window
    from rasterio.windows import transform as window_transform
    from shapely import box

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


def run(job: Job, events: Any) -> dict[str, Any]:
    import numpy as np
    import rasterio

    from ..evaluation import class_lookup, confusion_counts, metrics, plot_confusion
    from ..fileio import atomic_path

    with rasterio.open(job.prediction) as pred:
        classes = _classes(pred, job)
        lookup = class_lookup([c["value"] for c in classes])
        confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
        ignored = unknown = 0
        done = 0
        for win, labels, label_nodata in _label_blocks(job, pred, classes):
            predicted = pred.read(1, window=win)
            ref_index, pred_index = lookup[labels], lookup[predicted]
            counted = (labels != job.ignore_value) & (pred_index >= 0)
            if pred.nodata is not None:
                counted &= predicted != pred.nodata
            if label_nodata is not None:
                counted &= ~label_nodata
            unknown += int((counted & (ref_index < 0)).sum())
            usable = counted & (ref_index >= 0)
            ignored += int(usable.size - usable.sum())
            confusion += confusion_counts(ref_index, pred_index, usable, len(classes))
            done += int(win.height)
            events.progress("evaluate", done, pred.height, "rows")
    if confusion.sum() == 0:
        raise SatsegError("no_overlap", "no pixel has both a prediction and a reference label",
                          hint="check that the labels cover the predicted area (same CRS) and "
                               "use the prediction's class values", key="labels")
    if unknown:
        events.warning(f"{unknown} labelled pixels have values that are not prediction classes "
                       f"({', '.join(str(c['value']) for c in classes)}); they were ignored")
    result = metrics(confusion, classes)
    folder = job.output_dir if job.output_dir is not None else job.prediction.parent
    name = job.name or job.prediction.stem.removesuffix("_classes")
    report = {"prediction": str(job.prediction.resolve()), "labels": str(job.labels.resolve()),
              "classes": classes, **result, "confusion_matrix": confusion.tolist(),
              "confusion_axes": "rows: reference, columns: predicted",
              "ignored_pixels": ignored, "unknown_label_pixels": unknown}
    paths = {"report": folder / f"{name}_evaluation.json",
             "plot": folder / f"{name}_confusion.png"}
    with atomic_path(paths["report"]) as tmp:
        tmp.write_text(json.dumps(report, indent=2), encoding="utf-8")
    with atomic_path(paths["plot"]) as tmp:
        plot_confusion(confusion, [str(c["name"]) for c in classes], tmp,
                       title=f"{name}: mIoU {_fmt(result['miou'])}, OA "
                             f"{_fmt(result['overall_accuracy'])}")
    events.metric("evaluate", 0, "evaluation", _numbers(result),
                  per_class={k: _numbers(v) for k, v in result["per_class"].items()})
    events.artifact("report", paths["report"], role="evaluation")
    events.artifact("plot", paths["plot"], role="confusion_matrix")
    return {key: report[key] for key in ("miou", "mean_f1", "overall_accuracy", "kappa",
                                         "pixels", "per_class", "confusion_matrix",
                                         "ignored_pixels", "unknown_label_pixels")} | {
        "outputs": {k: str(v.resolve()) for k, v in paths.items()}}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _numbers(values: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "value"}
