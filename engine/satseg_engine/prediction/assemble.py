"""Blending window probabilities into finished rows, on a thread beside the model.

Windows arrive in reading order (panel by panel, row by row). For each panel an accumulator
(accumulator.RowAccumulator) holds one band of rows; when the first window of the next row
arrives, the rows no later window touches are normalised, turned into output arrays
(`post`) and handed to the panel's BlockWriter (its own thread). The queue is bounded, so at most
`depth` windows' probabilities wait; an error here is re-raised in the model's thread at its
next `put` or at `finish`, and `abort` stops everything without writing the rest.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from ..core.threads import helper_thread
from .accumulator import RowAccumulator
from .windows import Panel, WindowPlan
from .writer import BlockWriter

_END = object()
#: finished rows are post-processed and queued to the writer in chunks of at most this many rows,
#: so the temporaries of post-processing stay small however wide the raster: the blending thread
#: runs beside the model, so its temporaries add to the forward pass's peak. A full 10 980² tile
#: (U-Net/resnet18, 2 cores) peaked at 1 517 MB with chunks of 256 rows and 1 442 MB with 64.
CHUNK_ROWS = 64


class Assembler:
    def __init__(self, plan: WindowPlan, panels: Sequence[Panel], channels: int,
                 profile: torch.Tensor, post: Callable[..., dict[str, np.ndarray]],
                 datasets: Mapping[str, Any], stats: Any, depth: int = 4):
        """`post(probs, predict, stats)` -> output arrays of finished rows (pipeline)."""
        self.plan = plan
        self.panels = list(panels)
        self.channels = channels
        self.profile = profile
        self.post = post
        self.datasets = datasets
        self.stats = stats
        self.queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.writer: BlockWriter | None = None
        self.thread = helper_thread(self._work, "satseg-blend")
        self.thread.start()

    # -- the model's thread --------------------------------------------------------------------

    def put(self, panel: int, row: int, col: int, probs: torch.Tensor,
            predict: np.ndarray) -> None:
        """Queue one window's (K, W, W) probabilities and its (W, W) predict mask."""
        while True:
            self._raise()
            try:
                self.queue.put((panel, row, col, probs, predict), timeout=0.1)
                return
            except queue.Full:
                if not self.thread.is_alive():
                    self._raise()
                    raise RuntimeError("the blending thread stopped") from None

    def finish(self) -> None:
        """Write the last rows and wait for this thread and the writer; re-raise any error."""
        while self.thread.is_alive():
            self._raise()
            try:
                self.queue.put(_END, timeout=0.1)
                break
            except queue.Full:
                continue
        self.thread.join()
        self._raise()

    def abort(self) -> None:
        """Stop without writing the rest (cancellation or an error elsewhere)."""
        self.stop.set()
        self.thread.join()
        if self.writer is not None:
            self.writer.abort()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    # -- this thread ---------------------------------------------------------------------------

    def _work(self) -> None:
        state: _PanelState | None = None
        try:
            while not self.stop.is_set():
                try:
                    item = self.queue.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item is _END:
                    if state is not None:
                        self._close_panel(state)
                    return
                panel, row, col, probs, predict = item  # type: ignore[misc]
                if state is None or state.index != panel:
                    if state is not None:
                        self._close_panel(state)
                    state = self._open_panel(panel)
                while state.row < row:
                    self._finish_row(state)
                state.add(col, probs, predict)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the model's thread
            self.error = exc
            if self.writer is not None:
                self.writer.abort()

    def _open_panel(self, index: int) -> _PanelState:
        panel = self.panels[index]
        self.writer = BlockWriter(self.datasets, panel.stop - panel.start, depth=2,
                                  col_off=panel.start)
        return _PanelState(index, panel, self.plan, self.channels, self.profile)

    def _finish_row(self, state: _PanelState) -> None:
        assert self.writer is not None
        top, bottom = self.plan.final_rows(state.row)
        for start in range(top, bottom, CHUNK_ROWS):
            stop = min(bottom, start + CHUNK_ROWS)
            probs, predict = state.rows(start, stop)
            self.writer.put(start, self.post(probs, predict.to(self.profile.device), self.stats))
        state.advance()

    def _close_panel(self, state: _PanelState) -> None:
        while state.row < len(self.plan.rows):
            self._finish_row(state)
        assert self.writer is not None
        self.writer.finish()
        self.writer = None


class _PanelState:
    """One panel's band of rows: blended sums (accumulator) and the predict mask."""

    def __init__(self, index: int, panel: Panel, plan: WindowPlan, channels: int,
                 profile: torch.Tensor):
        self.index, self.panel, self.plan = index, panel, plan
        self.row = 0
        self.origin = panel.cols[0]
        self.accumulator = RowAccumulator(channels, plan.patch, plan.rows, panel.cols, profile)
        self.mask = np.zeros((plan.patch, panel.cols[-1] + plan.patch - self.origin), bool)

    def add(self, col: int, probs: torch.Tensor, predict: np.ndarray) -> None:
        x = col - self.origin
        self.accumulator.add(probs[None], [x])
        self.mask[:, x:x + self.plan.patch] = predict

    def rows(self, top: int, bottom: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Blended probabilities and predict mask of raster rows [top, bottom) of the panel."""
        first = self.plan.rows[self.row]
        left, width = self.panel.start - self.origin, self.panel.stop - self.panel.start
        probs = self.accumulator.rows(top - first, bottom - first, left, width)
        predict = self.mask[top - first:bottom - first, left:left + width]
        return probs, torch.from_numpy(np.ascontiguousarray(predict))

    def advance(self) -> None:
        if self.row + 1 < len(self.plan.rows):
            step = self.plan.rows[self.row + 1] - self.plan.rows[self.row]
            self.accumulator.advance(step)
            keep = self.plan.patch - step
            if keep > 0:
                self.mask[:keep] = self.mask[step:].copy()
            self.mask[keep:] = False
        self.row += 1
