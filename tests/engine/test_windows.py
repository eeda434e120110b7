"""Sliding-window placement: full coverage, one regular stride, no clamped windows."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from satseg_engine.prediction.windows import axis_starts, plan_windows, stride_for

CASES = [  # height, width, patch, overlap
    (1, 1, 32, 0.5),        # one pixel
    (10, 300, 32, 0.0),     # thin strip, no overlap
    (31, 32, 32, 0.5),      # just under / exactly one patch
    (32, 32, 32, 0.5),
    (33, 100, 32, 0.25),    # one pixel more than a patch
    (1000, 37, 64, 0.9),    # tall and narrow, heavy overlap
    (257, 513, 256, 0.5),   # not a multiple of the stride
    (100, 100, 16, 0.0),
]


@pytest.mark.parametrize(("height", "width", "patch", "overlap"), CASES)
def test_windows_cover_every_pixel_on_one_stride(height, width, patch, overlap):
    plan = plan_windows(height, width, patch, overlap)
    margin = (patch - plan.stride) // 2
    for size, starts in ((height, plan.rows), (width, plan.cols)):
        # regular stride everywhere, edges included: nothing is shifted to fit the raster
        assert np.all(np.diff(starts) == plan.stride)
        assert starts[0] == -margin
        covered = np.zeros(size, dtype=int)
        best_depth = np.full(size, -1)
        for s in starts:
            lo, hi = max(s, 0), min(s + patch, size)
            covered[lo:hi] += 1
            pixels = np.arange(lo, hi)
            depth = np.minimum(pixels - s, s + patch - 1 - pixels)  # distance to the window rim
            best_depth[lo:hi] = np.maximum(best_depth[lo:hi], depth)
        assert covered.min() >= 1
        # every pixel, corners included, is at least `margin` inside some window
        assert best_depth.min() >= min(margin, (patch - 1) // 2)
        assert starts[-1] + patch >= size  # the far edge is covered by a full window


@pytest.mark.parametrize(("height", "width", "patch", "overlap"), CASES)
def test_final_rows_tile_the_raster_in_order(height, width, patch, overlap):
    plan = plan_windows(height, width, patch, overlap)
    ranges = [plan.final_rows(i) for i in range(len(plan.rows))]
    rows = [r for start, stop in ranges for r in range(start, stop)]
    assert rows == list(range(height))
    for i, (start, stop) in enumerate(ranges):  # finished rows lie inside that row of windows
        if stop > start:
            assert plan.rows[i] <= start and stop <= plan.rows[i] + patch
            assert i == len(plan.rows) - 1 or stop <= plan.rows[i + 1]


@pytest.mark.parametrize(("patch", "overlap", "stride"), [
    (256, 0.5, 128), (256, 0.0, 256), (256, 0.25, 192), (256, 0.9, 26), (1, 0.9, 1), (3, 0.5, 2)])
def test_stride_from_overlap(patch, overlap, stride):
    assert stride_for(patch, overlap) == stride


@pytest.mark.parametrize("overlap", [-0.1, 0.95, 1.0])
def test_overlap_out_of_range_is_refused(overlap):
    with pytest.raises(ValueError, match="overlap"):
        stride_for(256, overlap)


def test_a_raster_smaller_than_a_patch_gets_one_window():
    assert axis_starts(5, 256, 128) == [-64]
    assert plan_windows(5, 7, 256, 0.5).count == 1


@pytest.mark.parametrize("width, patch, overlap, panel_width", [
    (700, 32, 0.5, 256), (700, 32, 0.0, 256), (256, 32, 0.5, 256), (1000, 256, 0.25, 256),
    (5000, 256, 0.25, 4096), (100, 64, 0.5, 4096), (1300, 128, 0.75, 300)])
def test_panels_tile_the_columns_with_exactly_the_windows_that_touch_them(width, patch, overlap,
                                                                          panel_width):
    from satseg_engine.prediction.windows import panel_plan, plan_panels

    plan = plan_windows(90, width, patch, overlap)
    panels = plan_panels(plan, panel_width)
    assert panels[0].start == 0 and panels[-1].stop == width
    assert all(a.stop == b.start for a, b in itertools.pairwise(panels))
    for panel in panels:
        touching = [c for c in plan.cols if c < panel.stop and c + patch > panel.start]
        assert list(panel.cols) == touching
        local, first = panel_plan(plan, panel)
        assert local.width <= panel.stop - panel.start + 2 * patch, "memory follows the panel"
        assert [c + first for c in local.cols] == list(panel.cols)


def test_a_panel_narrower_than_a_patch_is_refused():
    from satseg_engine.prediction.windows import plan_panels

    with pytest.raises(ValueError, match="panel_width"):
        plan_panels(plan_windows(10, 1000, 256, 0.5), 128)


# -- large windows (models that take any input size) ------------------------------------------

def test_fit_window_hand_computed_example():
    """2000 px, windows of at most 768 with a 32 px margin on a stride of 32: three windows per
    axis are enough once the stride is >= 2000 / 3 = 667, i.e. stride 672, window 736 (the
    768 window would compute 9 × 768² instead of 9 × 736² pixels)."""
    from satseg_engine.prediction.windows import fit_window

    assert fit_window(2000, 2000, 768, 32, 32) == (736, 672)


@pytest.mark.parametrize(("height", "width", "largest", "margin", "multiple"), [
    (2000, 2000, 768, 16, 32), (5000, 5000, 768, 16, 32), (10_000, 10_000, 1024, 32, 32),
    (10_980, 10_980, 768, 16, 32), (700, 3000, 512, 16, 8), (60, 80, 2048, 32, 4)])
def test_large_windows_cover_the_raster_with_little_redundant_work(height, width, largest,
                                                                   margin, multiple):
    from satseg_engine.prediction.windows import fit_window, plan_grid

    window, stride = fit_window(height, width, largest, margin, multiple, min_window=32)
    assert window % multiple == 0 and 32 <= window <= max(largest, 32)
    assert window - stride == 2 * margin
    plan = plan_grid(height, width, window, stride)
    # every pixel lies at least `margin` px inside some window (its rim is down-weighted)
    for size, starts in ((height, plan.rows), (width, plan.cols)):
        inner = np.zeros(size, bool)
        for start in starts:
            inner[max(0, start + margin):max(0, start + window - margin)] = True
        assert inner.all()
    computed = plan.count * window * window / (height * width)
    if min(height, width) >= 2000:
        assert computed < 1.25    # the training patch at half overlap computes about 4×
