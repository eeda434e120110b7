"""The input side of a multi-source prediction: every source read on the primary grid, strip by
strip, and turned into the model's `inputs` dict window by window.

`SourceStack` has `RasterSource`'s interface (grid, views, cached row reads, reflected strips):
each raster of each source (every date of a time series) is read through a `geo.align.
AlignedReader` on the primary raster's pixel grid (a warped VRT, window by window; directly
when already on it), so memory stays bounded by one row of windows of one panel as in the
single-source path. Invalid pixels (nodata, not covered) hold NaN. A pixel is predicted when
every source has a valid value there (a time series: at least one valid date) and it is in the
AOI.

`SourcesInputs` prepares the strips in the reading thread: each source normalised with its own
header normalisation (every date alike; `data.sources.normalize_source` semantics, on the GPU
when there is one), and the presence of every date slot in every window
(`data.sources.date_presence` on the window's slot validity). A batch is the contract's
`{"data": {name: (B,C,H,W) | (B,T,C,H,W)}, "present": {name: (B,T)}, "doy": {name: (B,T)}}`,
absent slots zero.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import torch
from rasterio.windows import Window

from ..data import normalization as numpy_normalization
from ..data.sources import date_presence, invalid_pixels
from ..geo import rasters
from ..geo.align import AlignedReader
from .normalize import has_torch_method, normalize_torch
from .source import RowCache, aoi_inside, cached_rows, reflect
from .source_plan import PlannedSource


@dataclasses.dataclass(frozen=True)
class SourcesStrip:
    """Rows [top, top + patch) of the padded canvas, for every source.

    `data`: name -> (slots*C, patch, canvas_w) float32, raw (NaN where invalid) until prepared,
    then normalised; `valid`: name -> (slots, patch, canvas_w) bool; `predict`: every source
    valid and inside the AOI; `present`: name -> (windows, slots) bool per time series, once
    prepared.
    """

    index: int
    top: int
    data: Mapping[str, np.ndarray]
    valid: Mapping[str, np.ndarray]
    predict: np.ndarray
    present: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)


class SourceStack:
    """Reads strips of all sources on the output window of the primary raster's grid."""

    def __init__(self, primary: str | Path, sources: Sequence[PlannedSource], window: Window,
                 aoi: Sequence[Any] | None = None):
        self.src = rasters.open_raster(Path(primary), "raster")
        self.sources = list(sources)
        self.window = window
        self.height, self.width = int(window.height), int(window.width)
        self.transform = rasterio.windows.transform(window, self.src.transform)
        self.aoi = aoi
        self.readers: dict[str, list[AlignedReader]] = {}
        self._cache: RowCache | None = None
        try:
            for source in self.sources:
                self.readers[source.name] = [
                    AlignedReader(path, self.src, resampling=source.resampling,
                                  key=f"sources.{source.name}") for path in source.rasters]
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for readers in self.readers.values():
            for reader in readers:
                reader.close()
        self.readers = {}
        self.src.close()

    def view(self, col_start: int, col_stop: int) -> SourceStack:
        """Output columns [col_start, col_stop) (shares the readers; close only the parent)."""
        clone = object.__new__(SourceStack)
        clone.__dict__.update(self.__dict__)
        clone.window = Window(self.window.col_off + col_start, self.window.row_off,
                              col_stop - col_start, self.height)
        clone.width = col_stop - col_start
        clone.transform = rasterio.windows.transform(clone.window, self.src.transform)
        clone._cache = None
        return clone

    def _read_source(self, source: PlannedSource, win: Window) -> tuple[np.ndarray, np.ndarray]:
        """(slots*C, h, w) float32 with NaN where invalid, (slots, h, w) slot validity."""
        info = source.info
        channels = len(info.band_names)
        shape = (int(win.height), int(win.width))
        raw = np.full((info.slots, channels, *shape), np.nan, dtype=np.float32)
        for slot, reader in enumerate(self.readers[source.name]):
            data, valid = reader.read(win, out_dtype="float32")
            if reader.nodata is not None and not np.isnan(reader.nodata):
                data[data == np.float32(reader.nodata)] = np.nan  # per band, as training
            data[:, ~valid] = np.nan
            raw[slot] = data
        valid = ~invalid_pixels(raw, info.nodata).all(axis=1)
        return raw.reshape(info.slots * channels, *shape), valid

    def _read(self, start: int, stop: int) -> tuple[np.ndarray, ...]:
        """Rows [start, stop): (raw, slot validity) of each source, then the predict mask."""
        win = Window(self.window.col_off, self.window.row_off + start, self.width, stop - start)
        arrays: list[np.ndarray] = []
        predict = (aoi_inside(self.aoi, win, self.src.transform) if self.aoi is not None
                   else np.ones((stop - start, self.width), dtype=bool))
        for source in self.sources:
            raw, valid = self._read_source(source, win)
            predict &= valid.any(axis=0)
            arrays += [raw, valid]
        return (*arrays, predict)

    def strip(self, index: int, top: int, patch: int, left: int, canvas_width: int
              ) -> SourcesStrip:
        """Canvas rows [top, top + patch), reflected beyond the window (columns likewise)."""
        start, stop = max(top, 0), min(top + patch, self.height)
        self._cache, arrays = cached_rows(self._cache, start, stop, self._read)
        pad_rows = (start - top, top + patch - stop)
        pad_cols = (left, canvas_width - left - self.width)
        arrays = reflect(arrays, pad_rows, pad_cols)
        names = [s.name for s in self.sources]
        data = {n: np.ascontiguousarray(arrays[2 * i]) for i, n in enumerate(names)}
        valid = {n: np.ascontiguousarray(arrays[2 * i + 1]) for i, n in enumerate(names)}
        return SourcesStrip(index, top, data, valid, np.ascontiguousarray(arrays[-1]))


def normalize_slots(raw: np.ndarray, source: PlannedSource) -> np.ndarray:
    """(slots*C, H, W) raw (NaN where invalid) -> normalised float32, invalid pixels and padding
    slots 0 (training's `normalize_source` on every slot; presence is applied per window)."""
    channels = len(source.info.band_names)
    out = np.empty(raw.shape, dtype=np.float32)
    for slot in range(len(source.rasters)):
        band = slice(slot * channels, (slot + 1) * channels)
        out[band] = numpy_normalization.normalize(raw[band], source.normalization)
    out[len(source.rasters) * channels:] = 0.0  # padding slots
    return out


def normalize_slots_torch(raw: torch.Tensor, valid: torch.Tensor, source: PlannedSource
                          ) -> torch.Tensor:
    """The torch twin of `normalize_slots`, on the tensors' device."""
    channels = len(source.info.band_names)
    out = torch.zeros_like(raw)
    for slot in range(len(source.rasters)):
        band = slice(slot * channels, (slot + 1) * channels)
        out[band] = normalize_torch(raw[band], valid[slot], source.normalization)
    return out


@dataclasses.dataclass
class LoadedStrip:
    data: dict[str, torch.Tensor]       # (C, P, W) or (T, C, P, W) normalised, on the device
    present: dict[str, torch.Tensor]    # (windows, T) bool per time series


class SourcesInputs:
    """Strips of a `SourceStack` -> the model's inputs dict, batch by batch."""

    def __init__(self, sources: Sequence[PlannedSource], patch: int, device: torch.device):
        self.sources = list(sources)
        self.patch = patch
        self.device = device
        self.on_device = device.type == "cuda" and all(
            has_torch_method(s.normalization) for s in self.sources)
        self.doy = {s.name: torch.from_numpy(s.info.day_of_year()).to(device)
                    for s in self.sources if s.info.temporal}

    def prepare(self, strip: SourcesStrip, offsets: Sequence[int]) -> SourcesStrip:
        """In the reading thread: presence of each date slot per window, and (CPU) scaling."""
        present = {}
        for source in self.sources:
            if source.info.temporal:
                valid = strip.valid[source.name]
                present[source.name] = np.stack(
                    [date_presence(valid[:, :, x:x + self.patch], source.info)
                     for x in offsets])
        data = strip.data if self.on_device else {
            s.name: normalize_slots(strip.data[s.name], s) for s in self.sources}
        return dataclasses.replace(strip, data=data, present=present)

    def load(self, strip: SourcesStrip) -> LoadedStrip:
        data = {}
        for source in self.sources:
            tensor = torch.from_numpy(strip.data[source.name]).to(self.device,
                                                                   non_blocking=True)
            if self.on_device:
                valid = torch.from_numpy(strip.valid[source.name]).to(self.device,
                                                                      non_blocking=True)
                tensor = normalize_slots_torch(tensor, valid, source)
            if source.info.temporal:
                tensor = tensor.reshape(source.info.slots, len(source.info.band_names),
                                        *tensor.shape[1:])
            data[source.name] = tensor
        present = {name: torch.from_numpy(array).to(self.device)
                   for name, array in strip.present.items()}
        return LoadedStrip(data, present)

    def batch(self, loaded: LoadedStrip, first: int, columns: Sequence[int]) -> dict[str, Any]:
        """Windows `first`, `first + 1`, ... of the strip (left edges `columns`) as inputs."""
        patch = self.patch
        data: dict[str, torch.Tensor] = {}
        present: dict[str, torch.Tensor] = {}
        for name, tensor in loaded.data.items():
            batch = torch.stack([tensor[..., x:x + patch] for x in columns])
            if name in loaded.present:
                mask = loaded.present[name][first:first + len(columns)]
                batch = torch.where(mask[:, :, None, None, None], batch, 0.0)
                present[name] = mask
            data[name] = batch
        doy = {name: values.expand(len(columns), -1) for name, values in self.doy.items()}
        return {"data": data, "present": present, "doy": doy}
