"""What a plugin reliability case runs on: inputs, fake engines, a heartbeat, process checks.

* `write_inputs` writes real GeoTIFFs with GDAL: a small 2-band image with labels 1–4 (nodata 0),
  the same labels as a research mask with classes 0–4 and no nodata, labels far away from the
  image, and a larger image with labels for runs long enough to be interrupted.
* `fake_engine` writes an executable Python script run by a real interpreter (this QGIS's
  Python): the plugin starts it exactly as it starts the engine, through QProcess.
* `Heartbeat` is a 25 ms QTimer that records the longest gap between its ticks: QGIS is
  responsive while that gap stays short.
* `family(pid)` lists the live processes of an engine: its process group and descendants.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qgis.PyQt.QtCore import QCoreApplication, QTimer

SMALL = 80  # px; labels in 16-row stripes, so each of 5 values is exactly 20.0 %
BIG = 640  # px; with 16-px patches: 1 600 patches, seconds of extraction to interrupt
MAX_GAP_S = 1.0  # the longest the event loop may stall during a run


@dataclass(frozen=True)
class Inputs:
    image: Path
    labels: Path
    zero_labels: Path
    away_labels: Path
    big_image: Path
    big_labels: Path


def write_tif(path: Path, bands: list[bytes], size: int, nodata: int | None = None,
              origin: tuple = (500000.0, 5000000.0)) -> Path:
    """A byte GeoTIFF, size × size, 10 m pixels in EPSG:32632."""
    from osgeo import gdal, osr

    data = gdal.GetDriverByName("GTiff").Create(str(path), size, size, len(bands),
                                                gdal.GDT_Byte)
    data.SetGeoTransform((origin[0], 10, 0, origin[1], 0, -10))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32632)
    data.SetProjection(srs.ExportToWkt())
    for index, band in enumerate(bands, start=1):
        data.GetRasterBand(index).WriteRaster(0, 0, size, size, band)
        if nodata is not None:
            data.GetRasterBand(index).SetNoDataValue(nodata)
    data.FlushCache()
    data = None
    return path


def stripes(size: int, first: int) -> bytes:
    """Values first..first+4 in five equal bands of rows."""
    return b"".join(bytes([first + min(4, 5 * r // size)]) * size for r in range(size))


def texture(size: int, seed: int) -> bytes:
    return bytes((r * 7 + c * 3 + seed) % 200 + 1 for r in range(size) for c in range(size))


def write_inputs(folder: Path) -> Inputs:
    small = [texture(SMALL, 0), texture(SMALL, 50)]
    big = [texture(BIG, 0), texture(BIG, 50)]
    labels_1_4 = bytes(min(v, 4) for v in stripes(SMALL, 1))  # 1,2,3,4,4
    return Inputs(
        image=write_tif(folder / "image.tif", small, SMALL, nodata=0),
        labels=write_tif(folder / "labels.tif", [labels_1_4], SMALL, nodata=0),
        zero_labels=write_tif(folder / "mask04.tif", [stripes(SMALL, 0)], SMALL),
        away_labels=write_tif(folder / "away.tif", [labels_1_4], SMALL, nodata=0,
                              origin=(600000.0, 5100000.0)),
        big_image=write_tif(folder / "big.tif", big, BIG, nodata=0),
        big_labels=write_tif(folder / "big_labels.tif",
                             [bytes(min(v, 4) for v in stripes(BIG, 1))], BIG, nodata=0))


def fake_engine(folder: Path, body: str, name: str = "fake-engine") -> str:
    """An executable script standing in for the engine's Python; `body` runs with `emit(event)`
    (one JSON line on stdout) and `sys.argv` = [script, "-u", "-m", "satseg_engine", VERB, ...]."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent('''\
        import json, os, sys, time
        VERB = sys.argv[4] if len(sys.argv) > 4 else ""
        def emit(event):
            event.setdefault("t", time.time())
            sys.stdout.write(json.dumps(event) + "\\n")
            sys.stdout.flush()
        ''') + textwrap.dedent(body), encoding="utf-8")
    path.chmod(0o755)
    return str(path)


#: a fake engine that does its job: started, then done (extract, then preview)
GOOD_ENGINE = '''
emit({"type": "started", "verb": VERB, "job": {}, "engine_version": "fake", "device": "cpu"})
time.sleep(0.3)
emit({"type": "done", "summary": {"patches": 4, "splits": {"train": 4}, "output": ""}})
'''


class Heartbeat:
    """A 25 ms timer; `max_gap` is the longest time between two ticks since `start()`."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(25)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.max_gap = 0.0
        self.ticks = 0

    def start(self) -> None:
        self.last, self.max_gap, self.ticks = time.monotonic(), 0.0, 0
        self.timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self.max_gap = max(self.max_gap, now - self.last)
        self.last, self.ticks = now, self.ticks + 1

    def stop(self) -> None:
        self.timer.stop()


def _stat(pid: int) -> tuple | None:
    """(state, ppid, pgrp) of a live process, None when it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else (fields[0], int(fields[1]), int(fields[2]))


def family(pid: int) -> set[int]:
    """Live processes in `pid`'s process group or descended from it (POSIX /proc)."""
    table: dict[int, tuple] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                table[int(entry)] = stat
    members = {p for p, (_, _, group) in table.items() if group == pid}
    if pid in table:
        members.add(pid)
    grew = True
    while grew:
        extra = {p for p, (_, parent, _) in table.items() if parent in members} - members
        members |= extra
        grew = bool(extra)
    return members


def wait_gone(pids: set[int], seconds: float = 5.0) -> set[int]:
    """Wait (running Qt events) until none of `pids` is alive; the ones still alive."""
    deadline = time.monotonic() + seconds
    alive = {p for p in pids if _stat(p) is not None}
    while alive and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.05)
        alive = {p for p in alive if _stat(p) is not None}
    return alive


@dataclass
class Bench:
    """An Extract patches dialog on the small inputs, with the satseg log dock."""

    track: Callable[[Any], Any]
    iface: Any
    layers: dict[str, Any]
    dock: Any
    tmp: Path
    engine_python: str
    heartbeat: Heartbeat = field(default_factory=Heartbeat)
    dialog: Any = None

    def __post_init__(self) -> None:
        from satseg_plugin.gui.extract_dialog import ExtractDialog

        self.dialog = self.track(ExtractDialog(self.iface))
        self.dialog.set_images([self.layers["image"]])
        self.dialog.labels.setLayer(self.layers["labels"])
        self.dialog.grid.setLayer(None)
        self.dialog.grid_options.patch_size.setValue(40)
        for spin, value in zip(self.dialog.grid_options.ratios, (100, 0, 0), strict=True):
            spin.setValue(value)
        self.output = self.tmp / "dataset"
        self.dialog.output.setFilePath(str(self.output))

    def use(self, python: str) -> None:
        """Set the engine Python in satseg Settings."""
        from satseg_plugin.core import settings

        settings.set_engine_python(python)

    def fake(self, body: str, name: str = "fake-engine") -> str:
        return fake_engine(self.tmp, body, name)

    def run(self, qtbot: Any, timeout_ms: int = 120000) -> Any:
        """Click Run, wait for the whole run (extract, then preview) to end; its RunState."""
        self.heartbeat.start()
        with qtbot.waitSignal(self.dialog.run_finished, timeout=timeout_ms) as blocker:
            self.dialog.panel.run_button.click()
        self.heartbeat.stop()
        return blocker.args[0]

    def message(self) -> str:
        return self.dialog.panel.message_text()

    def log(self) -> str:
        return self.dock.text()

    def failure(self) -> Any:
        """The last RunFailure the extract run reported (via the panel's runner)."""
        return self.dialog.panel.runner.failure

    def usable(self) -> bool:
        panel = self.dialog.panel
        return (panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
                and not panel.progress.isVisible())
