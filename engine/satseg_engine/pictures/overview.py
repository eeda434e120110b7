"""An overview: image, labels, prediction and confidence side by side in one PNG.

Rasters are read decimated to at most `max_size` pixels a side (GDAL streams the blocks), so
memory is bounded by the picture, not by the scene.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.enums import Resampling

from ..core.fileio import atomic_path
from ..geo.classtable import colour_table, read_class_tag
from .composite import choose_bands, class_colours, stretch
from .options import OverviewJob


def _decimated(path: Path, max_size: int, bands: list[int] | None, resampling: str) -> Any:
    """Bands read at reduced resolution as a masked array (nodata masked)."""
    with rasterio.open(path) as src:
        scale = max(1.0, max(src.width, src.height) / max_size)
        shape = (max(1, round(src.height / scale)), max(1, round(src.width / scale)))
        indexes = bands or [1]
        data = src.read(indexes, out_shape=(len(indexes), *shape), masked=True,
                        resampling=getattr(Resampling, resampling))
        names = [src.descriptions[i - 1] or f"band {i}" for i in range(1, src.count + 1)]
        tagged = _classes(src)
    return np.ma.masked_invalid(data), names, tagged


def _classes(src: Any) -> list[dict[str, Any]]:
    """The raster's classes: its class tag, else the coloured entries of its colour table."""
    tagged = read_class_tag(src)
    if tagged:
        return tagged
    return [{"value": v, "name": str(v), "colour": colour}
            for v, colour in colour_table(src).items()
            if v != src.nodata and colour != "#000000" and v < 255]


def draw_overview(job: OverviewJob, events: Any) -> dict[str, Any]:
    """The `overview` verb: decimated panels side by side, a class legend, one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    with rasterio.open(job.image) as src:
        band_names = [src.descriptions[i] or f"B{i + 1}" for i in range(src.count)]
    pick = choose_bands(band_names, job.rgb_bands)
    image, _, _ = _decimated(job.image, job.max_size, [i + 1 for i in pick], "average")
    valid = ~np.ma.getmaskarray(image).any(axis=0)
    values = image.filled(0).astype(float)
    low = np.array([np.percentile(b[valid], 2) if valid.any() else 0 for b in values])
    high = np.array([np.percentile(b[valid], 98) if valid.any() else 1 for b in values])
    rgb = stretch(values, low, high)
    rgb[~valid] = 1.0
    panels: list[tuple[str, Any, dict[str, Any]]] = [
        (f"Image ({'/'.join(band_names[i] for i in pick)})", rgb, {})]
    legend: dict[int, dict[str, Any]] = {}
    for title, path in (("Reference labels", job.labels), ("Prediction", job.prediction)):
        if path is None:
            continue
        data, _, classes = _decimated(path, job.max_size, None, "nearest")
        table = class_colours(classes)
        table[:, :3][table[:, 3] == 0] = 1.0  # unknown / nodata: white
        table[:, 3] = 1.0
        panels.append((title, table[np.clip(data[0].filled(255), 0, 255).astype(int)], {}))
        legend.update({int(c["value"]): c for c in classes})
    if job.confidence is not None:
        data, _, _ = _decimated(job.confidence, job.max_size, None, "average")
        confidence = np.ma.masked_less(data[0], 0)
        panels.append(("Confidence", confidence, {"cmap": "magma", "vmin": 0, "vmax": 1}))
    events.progress("overview", 1, 2, "steps")

    height, width = rgb.shape[:2]
    size = 4.2
    fig, axes = plt.subplots(1, len(panels), squeeze=False,
                             figsize=(size * len(panels) * width / max(width, height) + 0.6,
                                      size * height / max(width, height) + 1.3))
    for ax, (title, data, style) in zip(axes[0], panels, strict=True):
        shown = ax.imshow(data, interpolation="nearest", **style)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        if style.get("cmap"):
            fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.02)
    if legend:
        handles = [Patch(color=class_colours([c])[c["value"]][:3], label=c["name"])
                   for _, c in sorted(legend.items())]
        fig.legend(handles=handles, loc="lower center", ncol=min(8, len(handles)),
                   fontsize=9, frameon=False)
    if job.title:
        fig.suptitle(job.title, fontsize=11)
    fig.tight_layout(rect=(0, 0.07 if legend else 0, 1, 0.95 if job.title else 1))
    with atomic_path(job.output) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    events.progress("overview", 2, 2, "steps")
    events.artifact("plot", job.output, role="overview")
    return {"output": str(Path(job.output).resolve()), "panels": [p[0] for p in panels],
            "panel_size": [int(height), int(width)]}
