"""Weighted accumulation of window probabilities over one band of rows (on the device).

Holds only the `patch` rows that the current row of windows covers: K × patch × canvas_width
float32, independent of the raster's height. The weights are separable (outer product of a 1-D
profile) and the windows form a full grid, so the summed weight at a pixel is the product of a
row sum and a column sum, computed once. After a row of windows, the rows no later window
touches are normalised (sum / weight) and handed out; the buffer then moves down one stride.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def summed_profile(starts: Sequence[int], profile: torch.Tensor) -> torch.Tensor:
    """Sum of the 1-D weight profile of every window along one axis, over the padded canvas."""
    patch = profile.shape[0]
    origin = starts[0]
    total = torch.zeros(starts[-1] + patch - origin, dtype=profile.dtype, device=profile.device)
    for start in starts:
        total[start - origin:start - origin + patch] += profile
    return total


class RowAccumulator:
    def __init__(self, channels: int, patch: int, row_starts: Sequence[int],
                 col_starts: Sequence[int], profile: torch.Tensor):
        """`profile`: 1-D weights (patch,) on the device; the 2-D weight is its outer product."""
        self.patch = patch
        self.weights = torch.outer(profile, profile)
        self.row_weight = summed_profile(row_starts, profile)
        self.col_weight = summed_profile(col_starts, profile)
        self.origin = row_starts[0]
        self.top = row_starts[0]
        self.sum = torch.zeros(channels, patch, len(self.col_weight), device=profile.device)

    def add(self, probs: torch.Tensor, columns: Sequence[int]) -> None:
        """Add (B, K, P, P) probabilities of windows whose left edges are canvas `columns`."""
        weighted = probs * self.weights
        p = self.patch
        for window, x in zip(weighted, columns, strict=True):
            self.sum[:, :, x:x + p] += window

    def rows(self, start: int, stop: int, left: int, width: int) -> torch.Tensor:
        """Blended probabilities (K, stop - start, width) of buffer rows [start, stop)."""
        offset = self.top - self.origin
        weight = torch.outer(self.row_weight[offset + start:offset + stop],
                             self.col_weight[left:left + width])
        return self.sum[:, start:stop, left:left + width] / weight

    def advance(self, stride: int) -> None:
        """Drop the first `stride` rows (finished) and clear the rows that come in below."""
        keep = self.patch - stride
        if keep > 0:
            self.sum[:, :keep] = self.sum[:, stride:].clone()
        self.sum[:, keep:] = 0
        self.top += stride
