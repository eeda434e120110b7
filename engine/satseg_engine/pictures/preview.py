"""A dataset preview: a PNG of sample patches per split with their labels over them.

Each patch is a false-colour composite (bands chosen from their names: B8/B4/B3 for
Sentinel-2-like names, R/G/B or red/green/blue names, else the first three bands), stretched
between the training statistics' p2 and p98, with the label drawn in class colours (ignored
pixels left clear) and a legend of the classes. A dataset with several sources shows its image
source (`images`); a time series of images shows each patch's first date present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import rasterio

from ..core.fileio import atomic_path
from ..data.dataset import SPLIT_NAMES, dataset_json_path, patch_paths, read_dataset
from ..data.sources import dataset_sources, date_presence, invalid_pixels
from .composite import choose_bands, class_colours, stretch
from .options import PreviewJob


def draw_preview(job: PreviewJob, events: Any) -> dict[str, Any]:
    """The `preview` verb: a grid of patches (rows: splits) with labels over them, one PNG."""
    data = read_dataset(job.dataset)
    root = dataset_json_path(job.dataset).parent
    output = job.output or root / "preview.png"
    names = data["band_names"]
    primary = dataset_sources(data)[0]
    pick = choose_bands(names, job.rgb_bands)
    stats = data["statistics"]["bands"]
    low = np.array([stats[i]["p2"] or 0 for i in pick], dtype=float)
    high = np.array([stats[i]["p98"] or 1 for i in pick], dtype=float)
    rng = np.random.default_rng(job.seed)
    rows = []
    for split in SPLIT_NAMES:
        pairs = patch_paths(root, split)
        chosen = sorted(rng.choice(len(pairs), min(job.per_split, len(pairs)), replace=False)) \
            if pairs else []
        rows.append((split, [pairs[i] for i in chosen]))
    classes = data["classes"]
    colours = class_colours(classes, job.alpha)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    ncols = max(1, max(len(r[1]) for r in rows))
    fig, axes = plt.subplots(len(rows), ncols, figsize=(2.6 * ncols, 2.6 * len(rows) + 0.8),
                             squeeze=False)
    shown = 0
    for r, (split, pairs) in enumerate(rows):
        for c in range(ncols):
            ax = axes[r][c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(f"{split} ({len(patch_paths(root, split))})")
            if c >= len(pairs):
                ax.set_frame_on(False)
                continue
            image_path, label_path = pairs[c]
            img = _composite(image_path, pick, primary)
            with rasterio.open(label_path) as src:
                label = src.read(1)
            rgb = stretch(img, low, high)
            ax.imshow(rgb, interpolation="nearest")
            ax.imshow(colours[label], interpolation="nearest")
            ax.set_title(image_path.stem, fontsize=7)
            shown += 1
        events.progress("preview", r + 1, len(rows), "splits")
    handles = [Patch(color=colours[c["value"]][:3], label=f"{c['value']} {c['name']}")
               for c in classes]
    fig.legend(handles=handles, loc="lower center", ncol=min(6, max(1, len(handles))),
               fontsize=8, frameon=False)
    fig.suptitle(f"{root.name}: {'/'.join(names[i] for i in pick)} (p2–p98), labels over",
                 fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    with atomic_path(output) as tmp:
        fig.savefig(tmp, format="png", dpi=90)
    plt.close(fig)
    events.artifact("plot", output)
    return {"output": str(Path(output).resolve()), "patches_shown": shown,
            "bands": [names[i] for i in pick]}


def _composite(path: Path, pick: list[int], source: Any) -> np.ndarray:
    """(3, H, W) float: the chosen bands of a patch (of its first present date if temporal)."""
    with rasterio.open(path) as src:
        if not source.temporal:
            return src.read([i + 1 for i in pick]).astype(float)
        raw = src.read()
    channels = len(source.band_names)
    slots = raw.reshape(source.slots, channels, *raw.shape[1:])
    present = date_presence(~invalid_pixels(slots, source.nodata).all(axis=1), source)
    slot = int(np.flatnonzero(present)[0]) if present.any() else 0
    return slots[slot, pick].astype(float)
