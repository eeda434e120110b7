"""Writing prediction blocks: rows arrive in order and are written on a background thread in
whole tile rows (`block_rows`, 256), so GDAL compresses each tile once and never rewrites one.
At most `block_rows` + one band of rows wait per output, and at most `depth` bands in the queue."""

from __future__ import annotations

import queue
from collections.abc import Mapping
from typing import Any

import numpy as np
from rasterio.windows import Window

from ..core.threads import helper_thread

_END = object()


class BlockWriter:
    def __init__(self, datasets: Mapping[str, Any], width: int, block_rows: int = 256,
                 depth: int = 4, col_off: int = 0):
        """Writes columns [col_off, col_off + width) of the outputs (a panel of them)."""
        self.datasets = dict(datasets)
        self.width = width
        self.col_off = col_off
        self.block_rows = block_rows
        self.queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self.error: BaseException | None = None
        self.rows_written = 0
        self._pending: dict[str, list[np.ndarray]] = {name: [] for name in self.datasets}
        self._pending_rows = 0
        self.thread = helper_thread(self._work, "satseg-writer")
        self.thread.start()

    def put(self, row: int, arrays: Mapping[str, np.ndarray]) -> None:
        """Queue rows starting at `row` (must follow the previous ones): name -> (bands, n, W)."""
        while True:
            self._raise()
            try:
                self.queue.put((row, arrays), timeout=0.1)
                return
            except queue.Full:
                if not self.thread.is_alive():
                    self._raise()
                    raise RuntimeError("the writer thread stopped") from None

    def finish(self) -> None:
        """Write what is pending and wait for the thread; re-raise its error if any."""
        self.queue.put(_END)
        self.thread.join()
        self._raise()

    def abort(self) -> None:
        """Stop without writing the rest (cancellation or an error elsewhere)."""
        self.error = self.error or RuntimeError("aborted")
        while self.thread.is_alive():
            try:
                self.queue.put_nowait(_END)
            except queue.Full:
                try:
                    self.queue.get_nowait()
                except queue.Empty:
                    pass
            self.thread.join(timeout=0.1)

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        try:
            while True:
                item = self.queue.get()
                if item is _END or self.error is not None:
                    self._flush(final=True)
                    return
                row, arrays = item  # type: ignore[misc]
                if row != self.rows_written + self._pending_rows:
                    raise RuntimeError(f"rows out of order: got {row}, expected "
                                       f"{self.rows_written + self._pending_rows}")
                for name, array in arrays.items():
                    self._pending[name].append(array)
                self._pending_rows += next(iter(arrays.values())).shape[1]
                self._flush(final=False)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            self.error = self.error or exc

    def _flush(self, final: bool) -> None:
        if self.error is not None or self._pending_rows == 0:
            return
        count = self._pending_rows if final else \
            self._pending_rows // self.block_rows * self.block_rows
        if count == 0:
            return
        for name, parts in self._pending.items():
            block = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
            self.datasets[name].write(block[:, :count],
                                      window=Window(self.col_off, self.rows_written,
                                                    self.width, count))
            self._pending[name] = [block[:, count:]] if count < block.shape[1] else []
        self.rows_written += count
        self._pending_rows -= count
