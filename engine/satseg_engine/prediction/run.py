"""From a predict job and a loaded model to finished output files (atomic) and a summary."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from rasterio.windows import Window
from torch import nn

from .. import __version__
from ..core.errors import SatsegError
from ..core.fileio import atomic_path
from ..geo import rasters
from .backend import choose_backend
from .model import output_channels
from .multisource import SourcesInputs, SourceStack
from .outputs import SUFFIXES, class_summary, open_outputs, output_classes
from .pipeline import PredictOptions, predict_raster
from .sizing import choose_windows
from .source import RasterSource, check_bands, snapped_window
from .source_plan import PlannedSource, plan_sources

PIXEL_SIZE_TOLERANCE = 0.01
PANEL_BUDGET_MB = 256  # default panel: the whole width unless the blending band exceeds this


def _aoi_geometries(path: Path, crs: Any, events: Any) -> list[Any]:
    import geopandas as gpd

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file
        raise SatsegError("bad_vector", f"cannot read the AOI {path}: {exc}", key="aoi",
                          hint="give a polygon layer GDAL/OGR reads (GeoPackage, shapefile…)"
                          ) from None
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise SatsegError("empty_aoi", f"the AOI {path} has no geometries", key="aoi")
    if frame.crs is None:
        events.warning(f"the AOI {path.name} has no CRS; assuming the raster's")
    elif crs is not None and frame.crs != crs:
        frame = frame.to_crs(crs)
    return list(frame.geometry)


def resolve_window(job: Any, src: Any, events: Any) -> tuple[Window, list[Any] | None]:
    """The output window (whole raster, extent or AOI bounds) and the AOI geometries."""
    if job.extent is not None:
        bounds = tuple(job.extent)
        if job.extent_crs is not None:
            from rasterio.crs import CRS
            from rasterio.warp import transform_bounds

            try:
                extent_crs = CRS.from_user_input(job.extent_crs)
            except Exception as exc:  # noqa: BLE001
                raise SatsegError("bad_crs", f"unknown extent_crs {job.extent_crs!r}: {exc}",
                                  key="extent_crs", hint="use e.g. EPSG:4326") from None
            if src.crs is None:
                raise SatsegError("no_crs", "the raster has no CRS to transform the extent to",
                                  key="extent_crs", hint="give the extent in pixel-grid units")
            bounds = transform_bounds(extent_crs, src.crs, *bounds, densify_pts=21)
        return snapped_window(src, bounds), None
    if job.aoi is not None:
        geometries = _aoi_geometries(Path(job.aoi), src.crs, events)
        from shapely import GeometryCollection

        bounds = GeometryCollection(geometries).bounds
        return snapped_window(src, bounds), geometries
    return Window(0, 0, src.width, src.height), None


def _check_pixel_size(src: Any, header: Mapping[str, Any], events: Any) -> None:
    trained = header.get("pixel_size")
    if not trained:
        return
    here = rasters.pixel_size(src)
    trained = [float(v) for v in (trained if isinstance(trained, (list, tuple))
                                  else (trained, trained))]
    if any(abs(h - t) > PIXEL_SIZE_TOLERANCE * abs(t) for h, t in zip(here, trained,
                                                                       strict=False)):
        events.warning(f"the raster's pixel size {tuple(round(v, 6) for v in here)} differs "
                       f"from the training data's {tuple(trained)}: the model sees objects at "
                       f"another scale, expect worse results (resample the raster to match)")


def _describe(source: PlannedSource) -> str:
    dates = [d for d in source.info.dates if d]
    if not source.info.temporal:
        return f"{source.name} ({Path(source.rasters[0]).name})"
    return (f"{source.name} ({len(dates)} of {source.info.slots} date slots: "
            f"{', '.join(dates)})")


def output_paths(job: Any, primary: Path | None = None) -> dict[str, Path]:
    """Output files by role; next to (and named after) the raster, or the primary one."""
    raster = Path(primary if primary is not None else job.primary)
    folder = Path(job.output_dir) if job.output_dir is not None else raster.parent
    name = job.name or raster.stem
    roles = ["classes", "confidence"] + (["probabilities"] if job.probabilities else [])
    return {role: folder / f"{name}{SUFFIXES[role]}" for role in [*roles, "summary"]}


def predict_to_files(job: Any, model: nn.Module, header: Mapping[str, Any],
                     device: torch.device, events: Any) -> dict[str, Any]:
    """Run the prediction of `job` with `model`/`header`; write outputs; return the summary."""
    started = time.perf_counter()
    classes = output_classes(header)
    plan = plan_sources(job, header)  # None: a single-source model reads job.raster
    primary = plan.primary if plan is not None else Path(job.raster)
    paths = output_paths(job, primary)
    with rasters.open_raster(primary, "raster") as src:
        bands = check_bands(src, job.bands, header) if plan is None else []
        _check_pixel_size(src, header, events)
        window, aoi = resolve_window(job, src, events)
    inputs: SourcesInputs | None = None
    if plan is None:
        source: Any = RasterSource(primary, bands, window, aoi)
    else:
        source = SourceStack(primary, plan.sources, window, aoi)
        inputs = SourcesInputs(plan.sources, int(header["patch_size"]), device)
        events.log("sources: " + "; ".join(_describe(s) for s in plan.sources))
    crs = rasters.crs_text(source.src.crs)
    options = prediction_options(job, model, header, device, source, events)
    tags = {"satseg_checkpoint": str(Path(job.checkpoint).resolve()),
            "satseg_engine_version": __version__, "satseg_source": str(primary)}
    if plan is not None:
        tags["satseg_sources"] = json.dumps(plan.summary())
    raster_roles = [role for role in paths if role != "summary"]
    try:
        with contextlib.ExitStack() as stack:
            temporaries = {role: stack.enter_context(atomic_path(paths[role]))
                           for role in raster_roles}
            datasets = open_outputs(temporaries, source.src, source.width, source.height,
                                    source.transform, classes, tags)
            try:
                stats = predict_raster(model, header, source, datasets, classes, options,
                                       device, events, inputs=inputs)
            finally:
                for dataset in datasets.values():
                    dataset.close()
    finally:
        source.close()
    seconds = time.perf_counter() - started
    transform = source.transform
    pixel_area = abs(transform.a * transform.e - transform.b * transform.d)
    summary = class_summary(classes, stats.counts, stats.confidence_sum, pixel_area,
                            stats.nodata_pixels)
    summary.update({
        "raster": str(primary), "checkpoint": tags["satseg_checkpoint"],
        "engine_version": __version__, "width": source.width, "height": source.height,
        "window": {"col_off": int(window.col_off), "row_off": int(window.row_off),
                   "width": source.width, "height": source.height},
        "bounds": list(rasterio_bounds(transform, source.width, source.height)),
        "crs": crs, "windows": stats.windows,
        "task": header["task"], "tta": job.tta, "overlap": job.overlap,
        "backend": "onnxruntime" if hasattr(model, "session") else "torch",
        "prediction_window": options.window, "window_stride": options.stride,
        "batch_size": options.batch_size,
        "prediction_seconds": round(seconds, 3),
        "megapixels_per_second": round(source.width * source.height / 1e6 / seconds, 3),
        "outputs": {role: str(path.resolve()) for role, path in paths.items()},
    })
    if plan is not None:
        summary["sources"] = plan.summary()
    if job.vectorize:
        summary["polygons"] = _vectorize(job, paths, events)
        summary["outputs"]["polygons"] = summary["polygons"]["output"]
    with atomic_path(paths["summary"]) as tmp:
        tmp.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    for role in raster_roles:
        events.artifact("raster", paths[role], role=role)
    if job.vectorize:
        events.artifact("vector", summary["outputs"]["polygons"], role="polygons")
    events.artifact("report", paths["summary"], role="summary")
    return summary


def _vectorize(job: Any, paths: Mapping[str, Path], events: Any) -> dict[str, Any]:
    """The class raster as polygons beside it (satseg vectorize); its summary, abridged."""
    from ..vectorization.options import default_output
    from ..vectorization.run import vectorize_raster

    found = vectorize_raster(paths["classes"], default_output(paths["classes"]), events,
                             confidence=paths["confidence"], min_size=job.vectorize_min_size)
    return {key: found[key] for key in ("output", "layer", "features", "min_size", "seconds")}


def prediction_options(job: Any, model: nn.Module, header: Mapping[str, Any],
                       device: torch.device, source: Any, events: Any) -> PredictOptions:
    """Windows, batch, backend and panels for this job and model; the choices are logged."""
    backend = choose_backend(device, job.precision, job.amp, job.channels_last, job.threads,
                             job.fold_batch_norm)
    # an OnnxModel is sized by its torch twin (same architecture, same activations)
    windows = choose_windows(job, header, getattr(model, "twin", model), device,
                             source.height, source.width)
    channels = output_channels(header) + (len(header["classes"]) if job.probabilities else 0)
    panel_width = job.panel_width or max(
        256, PANEL_BUDGET_MB * 2**20 // (4 * channels * windows.window + windows.window))
    events.log(f"backend: {getattr(model, 'describe', backend.describe)()}")
    events.log(windows.describe(int(header["patch_size"])))
    return PredictOptions(overlap=job.overlap, batch_size=windows.batch, tta=job.tta,
                          threshold=job.threshold, read_ahead=job.read_ahead,
                          panel_width=panel_width // 256 * 256, window=windows.window,
                          stride=windows.stride, blending=windows.blending,
                          taper=windows.taper, amp_dtype=backend.dtype,
                          channels_last=backend.channels_last,
                          fold_batch_norm=backend.fold_batch_norm)


def rasterio_bounds(transform: Any, width: int, height: int) -> tuple[float, ...]:
    from rasterio.transform import array_bounds

    return tuple(array_bounds(height, width, transform))  # west, south, east, north
