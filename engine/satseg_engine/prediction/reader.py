"""Reading ahead: a background thread reads (and on the CPU path normalises) the next strips
while the model works on the current one. A bounded queue keeps at most `depth` strips waiting,
so memory stays bounded; errors in the thread are re-raised in the consumer."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .windows import WindowPlan

_END = object()


class StripReader:
    """Iterate over the strips of `plan` read from `source` (a source.RasterSource or a
    multisource.SourceStack); `prepare` runs on each strip in the reading thread."""

    def __init__(self, source: Any, plan: WindowPlan,
                 prepare: Callable[[Any], Any] | None = None, depth: int = 2):
        self.source = source
        self.plan = plan
        self.prepare = prepare
        self.queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._work, name="satseg-reader", daemon=True)

    def _put(self, item: object) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        plan = self.plan
        try:
            for index, top in enumerate(plan.rows):
                strip = self.source.strip(index, top, plan.patch, plan.left, plan.canvas_width)
                if self.prepare is not None:
                    strip = self.prepare(strip)
                if not self._put(strip):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self._put(exc)
            return
        self._put(_END)

    def __iter__(self) -> Iterator[Any]:
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
