"""Reading ahead: a background thread reads each window (and on the CPU path normalises it)
while the model works on earlier ones. A bounded queue keeps at most `depth` windows waiting, so
memory stays bounded whatever the raster's size; errors in the thread are re-raised in the
consumer, and `close` stops the thread (cancellation, or an error elsewhere)."""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..core.threads import helper_thread
from .windows import WindowPlan

_END = object()


@dataclasses.dataclass(frozen=True)
class WindowItem:
    """Window `row` (index into plan.rows) starting at raster column `col` (may be negative),
    for panel `panel`; `strip` holds its data (a source's strip, window × window)."""

    panel: int
    row: int
    col: int
    strip: Any


def read_window(source: Any, plan: WindowPlan, row: int, col: int) -> Any:
    """One window of `plan` read from `source` (reflected beyond the raster's edges)."""
    start, stop = max(0, col), min(plan.width, col + plan.patch)
    view = source.view(start, stop)
    return view.strip(row, plan.rows[row], plan.patch, start - col, plan.patch)


class WindowReader:
    """Iterate over `order` ((panel, row, col) of each window) read from `source` (a
    source.RasterSource or a multisource.SourceStack); `prepare` runs in the reading thread."""

    def __init__(self, source: Any, plan: WindowPlan, order: Sequence[tuple[int, int, int]],
                 prepare: Callable[[Any], Any] | None = None, depth: int = 2):
        self.source = source
        self.plan = plan
        self.order = order
        self.prepare = prepare
        self.queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self.stop = threading.Event()
        self.thread = helper_thread(self._work, "satseg-reader")

    def _put(self, item: object) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        try:
            for panel, row, col in self.order:
                strip = read_window(self.source, self.plan, row, col)
                if self.prepare is not None:
                    strip = self.prepare(strip)
                if not self._put(WindowItem(panel, row, col, strip)):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self._put(exc)
            return
        self._put(_END)

    def __iter__(self) -> Iterator[WindowItem]:
        self.thread.start()
        while True:
            item = self.queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    def close(self) -> None:
        """Stop the thread (also on cancellation) and wait for it."""
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
