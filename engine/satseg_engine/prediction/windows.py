"""Sliding-window placement for prediction: pure arithmetic, no I/O.

Windows are `patch` × `patch`, placed on one regular stride in both directions and never clamped
to the raster: they start `margin` pixels before the first row/column and continue until the
last one ends at least `margin` pixels past the raster's far edge. Pixels outside the raster are
padded by the reader (reflection), so every raster pixel — edges and corners included — sees at
least one window in which it is not on the window's rim, and a raster smaller than one patch is
covered by a single window.

`overlap` is a fraction of the patch (0 ≤ overlap ≤ 0.9): stride = round(patch × (1 − overlap)),
at least 1 pixel. margin = (patch − stride) // 2, i.e. half the overlap.

Large windows (`fit_window`): for models that take any input size, the window is chosen per
raster: the side (a multiple of the model's stride, at most the memory budget's) whose grid of
windows, each overlapping its neighbours by 2 × margin, computes the fewest pixels.
"""

from __future__ import annotations

import dataclasses
import math

MAX_OVERLAP = 0.9
#: fixed cost of one more window (a forward call, a read, a blend), in pixels' worth of work.
WINDOW_COST_PX = 64 * 64


def stride_for(patch: int, overlap: float) -> int:
    """The step between windows for an overlap fraction of the patch."""
    if patch < 1:
        raise ValueError(f"patch must be >= 1, got {patch}")
    if not 0.0 <= overlap <= MAX_OVERLAP:
        raise ValueError(f"overlap must be within 0–{MAX_OVERLAP}, got {overlap}")
    return max(1, round(patch * (1.0 - overlap)))


def axis_starts(size: int, patch: int, stride: int) -> list[int]:
    """Window start offsets along one axis (may be negative / extend past `size`)."""
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    if not 1 <= stride <= patch:
        raise ValueError(f"stride must be within 1..patch ({patch}), got {stride}")
    margin = (patch - stride) // 2
    count = max(1, math.ceil((size + 2 * margin - patch) / stride) + 1)
    return [-margin + i * stride for i in range(count)]


@dataclasses.dataclass(frozen=True)
class WindowPlan:
    """Where the windows of one raster (height × width) go.

    `rows`/`cols`: window start offsets (raster pixel coordinates, possibly negative).
    The padded canvas spans rows [rows[0], rows[-1] + patch) and likewise for columns.
    """

    height: int
    width: int
    patch: int
    stride: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.rows) * len(self.cols)

    @property
    def canvas_width(self) -> int:
        """Width of the padded canvas covered by one row of windows."""
        return self.cols[-1] + self.patch - self.cols[0]

    @property
    def left(self) -> int:
        """Canvas column of raster column 0 (the left padding)."""
        return -self.cols[0]

    def final_rows(self, index: int) -> tuple[int, int]:
        """Raster rows [start, stop) that are complete once window row `index` is done.

        No later window row touches them, so they can be normalised and written. Over all
        indices the ranges tile [0, height) exactly, in order.
        """
        start = 0 if index == 0 else self.rows[index]
        stop = self.height if index == len(self.rows) - 1 else self.rows[index + 1]
        start, stop = max(0, start), min(self.height, stop)
        return start, max(start, stop)


def plan_windows(height: int, width: int, patch: int, overlap: float) -> WindowPlan:
    """Windows covering a height × width raster with `overlap` (fraction of the patch)."""
    return plan_grid(height, width, patch, stride_for(patch, overlap))


def fit_window(height: int, width: int, max_window: int, margin: int, multiple: int,
               min_window: int = 1) -> tuple[int, int]:
    """(window, stride) of large windows for a height × width raster.

    window: a multiple of `multiple` in [min_window, max_window] (at least 2·margin + multiple);
    stride = window − 2·margin. Chosen to minimise the work: windows × (window² + a fixed cost
    per window); ties go to the larger window.
    """
    if multiple < 1 or margin < 0:
        raise ValueError(f"multiple must be >= 1 and margin >= 0, got {multiple}, {margin}")
    smallest = max(min_window, 2 * margin + 1)
    low = -(-smallest // multiple) * multiple
    high = max(low, max_window // multiple * multiple)
    best: tuple[int, int] | None = None
    best_cost = 0
    for window in range(low, high + 1, multiple):
        stride = window - 2 * margin
        cost = math.ceil(height / stride) * math.ceil(width / stride) * (window * window
                                                                          + WINDOW_COST_PX)
        if best is None or cost <= best_cost:
            best, best_cost = (window, stride), cost
    assert best is not None
    return best


def plan_grid(height: int, width: int, window: int, stride: int) -> WindowPlan:
    """Windows of side `window` every `stride` pixels (the margin is half their overlap)."""
    return WindowPlan(height, width, window, stride, tuple(axis_starts(height, window, stride)),
                      tuple(axis_starts(width, window, stride)))


@dataclasses.dataclass(frozen=True)
class Panel:
    """Raster columns [start, stop) written from the windows of the global plan that touch them.

    Every window covering a pixel of the panel is in `cols`, so blending inside the panel gives
    exactly what one pass over the whole raster gives; memory follows the panel's width.
    """

    start: int
    stop: int
    cols: tuple[int, ...]

    def read_range(self, width: int, patch: int) -> tuple[int, int]:
        """Raster columns the panel's windows read (clipped to the raster; the rest is padding)."""
        return max(0, self.cols[0]), min(width, self.cols[-1] + patch)


def plan_panels(plan: WindowPlan, panel_width: int) -> list[Panel]:
    """Split the raster's columns into panels of `panel_width` (the last one narrower)."""
    if panel_width < plan.patch:
        raise ValueError(f"panel_width must be >= the patch ({plan.patch}), got {panel_width}")
    panels = []
    for start in range(0, plan.width, panel_width):
        stop = min(start + panel_width, plan.width)
        cols = tuple(c for c in plan.cols if c < stop and c + plan.patch > start)
        panels.append(Panel(start, stop, cols))
    return panels


def panel_plan(plan: WindowPlan, panel: Panel) -> tuple[WindowPlan, int]:
    """The plan of one panel in the coordinates of its read range, and that range's start."""
    first, last = panel.read_range(plan.width, plan.patch)
    return WindowPlan(plan.height, last - first, plan.patch, plan.stride, plan.rows,
                      tuple(c - first for c in panel.cols)), first
