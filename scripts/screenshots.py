"""Regenerate the dialog screenshots in docs/ from scratch: sample data made by the real engine,
the real dialogs filled in and run, grabbed with QWidget.grab().

    make screenshots
    # or: SATSEG_ENGINE_PYTHON=$ENGINE_PY xvfb-run -a -s "-screen 0 1600x1000x24" \
    #       $QGIS_PY scripts/screenshots.py [--output-dir docs] [--work-dir DIR] [--keep]

Writes settings-dialog, grid-dialog, extract-dialog, extract-sources, preview, train-dialog,
tune-dialog, predict-dialog and confidence-preview (.png); `--only tune`: tune-dialog alone;
`--skip tune`: all but tune-dialog (its real search takes minutes).
QGIS settings go to a throwaway profile inside the work folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qgis.core import (  # noqa: E402 - after the path is set
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas, QgsMessageBar  # noqa: E402
from qgis.PyQt.QtCore import QEvent, QEventLoop, QPointF, QSize, Qt, QTimer  # noqa: E402
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter, QPen  # noqa: E402
from qgis.PyQt.QtWidgets import QApplication, QWidget  # noqa: E402

SCENE_PX = 512
GRID_PATCH_PX = 128  # the grid/extract dialogs: 16 cells, a readable preview
TRAIN_PATCH_PX = 64  # the training dataset: 64 patches
TRAIN_EPOCHS = 20
GRAB_AT_EPOCH = 12  # the training dialog is grabbed mid-run, after this epoch
TUNE_TRIALS = 8  # the search dialog is grabbed after a search of this many trials
ENGINE_TIMEOUT_MS = 600_000
STARTED = time.monotonic()


class Iface:
    """The few QgisInterface methods the dialogs call, over a real canvas and message bar."""

    def __init__(self) -> None:
        self.canvas = QgsMapCanvas()
        self.bar = QgsMessageBar()

    def mapCanvas(self) -> QgsMapCanvas:
        return self.canvas

    def messageBar(self) -> QgsMessageBar:
        return self.bar

    def mainWindow(self) -> None:
        return None

    def activeLayer(self) -> None:
        return None


def engine(python: str, verb: str, *flags: str) -> None:
    """Run `satseg VERB FLAGS` in the engine's Python; raise with its last output on failure."""
    result = subprocess.run([python, "-m", "satseg_engine", verb, *flags, "--progress", "json"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"satseg {verb} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def wait_for(signal, timeout_ms: int = ENGINE_TIMEOUT_MS) -> None:
    """Process events until `signal` fires (an error after `timeout_ms`)."""
    loop, fired = QEventLoop(), []
    signal.connect(lambda *_: (fired.append(True), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec_()
    if not fired:
        raise TimeoutError(f"no signal within {timeout_ms / 1000:.0f} s")


def wait_until(condition: Callable[[], bool], timeout_ms: int = ENGINE_TIMEOUT_MS) -> None:
    """Process events until `condition()` holds."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout_ms / 1000:.0f} s")
        QApplication.processEvents(QEventLoop.AllEvents, 100)
        time.sleep(0.05)


def report(path: Path) -> None:
    print(f"{time.monotonic() - STARTED:5.0f} s  wrote {path}", flush=True)


def save(widget: QWidget, path: Path, size: QSize | None = None) -> None:
    """Show `widget` (at `size`), let it lay out and paint, and grab it into `path`."""
    if size is not None:
        widget.resize(size)
    widget.show()
    for _ in range(20):
        QApplication.processEvents()
    widget.grab().save(str(path))
    report(path)


def discard(*widgets: QWidget) -> None:
    """Close and delete `widgets` now, so that nothing is left for QGIS's exit to trip on."""
    for widget in widgets:
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    QApplication.processEvents()


def make_data(python: str, work: Path) -> tuple[Path, Path]:
    """The sample scene (folder) and a patch dataset for training, both made by the engine."""
    sample = work / "sentinel2_demo"
    engine(python, "sample", "--output-dir", str(sample), "--width", str(SCENE_PX),
           "--height", str(SCENE_PX))
    dataset = work / "dataset"
    grid = work / "grid_64px.gpkg"
    engine(python, "grid", "--image", str(sample / "scene.tif"), "--output", str(grid),
           "--patch-size", str(TRAIN_PATCH_PX), "--split-method", "random")
    engine(python, "extract", "--image", str(sample / "scene.tif"), "--labels",
           str(sample / "labels.tif"), "--grid", str(grid), "--output-dir", str(dataset))
    return sample, dataset


def shot_settings(python: str, out: Path) -> None:
    from satseg_plugin.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog()
    dialog.python_edit.setText(python)
    dialog.resize(760, 620)
    dialog.show()
    dialog.run_check()
    wait_for(dialog.check_finished)
    save(dialog, out / "settings-dialog.png")
    discard(dialog)


def shot_grid_and_extract(iface: Iface, layers: dict, sample: Path, out: Path) -> None:
    from satseg_plugin.gui.extract_dialog import ExtractDialog
    from satseg_plugin.gui.grid_dialog import GridDialog

    grid = GridDialog(iface)
    grid.raster.setLayer(layers["scene"])
    grid.options.patch_size.setValue(GRID_PATCH_PX)
    grid.options.split_method.setCurrentIndex(grid.options.split_method.findData("random"))
    grid.labels.setLayer(layers["labels"])
    grid.output.setFilePath(str(sample / "scene_grid.gpkg"))
    grid.overwrite.setChecked(True)
    grid.show()
    grid.run()
    wait_for(grid.run_finished)
    save(grid, out / "grid-dialog.png")
    if grid.grid_layer is None:
        raise RuntimeError(f"grid failed: {grid.panel.message_text()}")

    extract = ExtractDialog(iface)
    extract.set_images([layers["scene"]])
    extract.labels.setLayer(layers["labels"])
    extract.grid.setLayer(grid.grid_layer)
    extract.output.setFilePath(str(sample / "dataset"))
    extract.overwrite.setChecked(True)
    extract.resize(1240, 800)
    extract.show()
    extract.run()
    wait_for(extract.run_finished)
    wait_until(lambda: bool(extract.preview_path))
    save(extract, out / "extract-dialog.png", QSize(1240, 800))
    shutil.copy(extract.preview_path, out / "preview.png")
    report(out / "preview.png")
    extract.dispose()
    grid.dispose()
    discard(extract, grid)


def shot_extract_sources(iface: Iface, scene: QgsRasterLayer, work: Path, out: Path) -> None:
    """The extraction dialog's Sources table: the scene, a three-date two-band series named by
    date, and a one-band DEM (all cut from the scene with GDAL)."""
    from osgeo import gdal

    from satseg_plugin.gui.extract_dialog import ExtractDialog

    folder = work / "sources"
    folder.mkdir(exist_ok=True)
    series = []
    for date in ("2024-05-01", "2024-06-10", "2024-07-20"):
        path = folder / f"s1_{date}.tif"
        gdal.Translate(str(path), scene.source(), bandList=[1, 2])
        series.append(QgsRasterLayer(str(path), f"s1_{date}"))
    gdal.Translate(str(folder / "dem.tif"), scene.source(), bandList=[3])
    dem = QgsRasterLayer(str(folder / "dem.tif"), "dem")
    QgsProject.instance().addMapLayers([*series, dem])
    dialog = ExtractDialog(iface)
    dialog.set_images([scene])
    dialog.sources.add_source("s1", series)
    dialog.sources.add_source("dem", [dem], resampling="cubic")
    dialog.resize(1240, 800)
    dialog.show()
    save(dialog.sources_box, out / "extract-sources.png")
    dialog.dispose()
    discard(dialog)
    QgsProject.instance().removeMapLayers([layer.id() for layer in (*series, dem)])


def shot_train(iface: Iface, dataset: Path, work: Path, out: Path) -> Path:
    """Grab the training dialog mid-run, let the run finish; returns the best checkpoint."""
    from satseg_plugin.gui.train_dialog import TrainDialog

    dialog = TrainDialog(iface)
    if not dialog.models:
        wait_for(dialog.models_loaded)
    dialog.dataset.setFilePath(str(dataset))
    dialog.output.setFilePath(str(work / "training"))
    dialog.apply_preset("balanced")
    dialog.form.set_values({"model.architecture": "custom_unet", "model.depth": 3,
                            "model.base_width": 16, "epochs": TRAIN_EPOCHS, "batch_size": 8,
                            "data.num_workers": 0, "device": "cpu",
                            "schedule.warmup_epochs": 1, "optim.lr": 0.003})
    dialog.resize(1440, 900)
    dialog.show()
    finished = []
    dialog.run_finished.connect(finished.append)
    dialog.start()
    history = lambda: dialog.monitor.history  # noqa: E731 - begin() replaces the history
    wait_until(lambda: finished or (
        history().completed_epochs() >= GRAB_AT_EPOCH
        and len(history().series("validation", "loss")) >= GRAB_AT_EPOCH))
    if finished:
        raise RuntimeError(f"training ended early: {dialog.panel.message_text()}")
    dialog.monitor.refresh()
    save(dialog, out / "train-dialog.png")
    wait_until(lambda: bool(finished))
    best = work / "training" / "best_iou.pt"
    if not best.is_file():
        raise RuntimeError(f"training failed: {dialog.panel.message_text()}")
    discard(dialog)
    return best


def shot_tune(iface: Iface, dataset: Path, work: Path, out: Path) -> None:
    """The search dialog after a real small search (learning rate, U-Net width and loss over
    TUNE_TRIALS trials) filled its table."""
    from satseg_plugin.core.tune_job import SpaceRow
    from satseg_plugin.gui.tune_dialog import TuneDialog

    base = {"dataset": str(dataset), "epochs": 2, "batch_size": 8, "device": "cpu",
            "model": {"architecture": "custom_unet", "depth": 3, "base_width": 16},
            "data": {"num_workers": 0}, "output_dir": str(work / "training")}
    dialog = TuneDialog(iface)
    dialog.set_base_job(base, "the training dialog")
    dialog.space.set_rows([
        SpaceRow("optim.lr", "log_float", "1e-4", "1e-2", enabled=True),
        SpaceRow("model.base_width", "int", "8", "32", "8", enabled=True),
        SpaceRow("loss.name", "choice", choices="dice_ce, focal_dice, lovasz", enabled=True),
        *[row for row in dialog.space.rows()
          if row.key not in ("optim.lr", "model.base_width", "loss.name")]])
    dialog.trials.setValue(TUNE_TRIALS)
    dialog.resize(1440, 860)
    dialog.show()
    dialog.start()
    wait_for(dialog.run_finished)
    if dialog.results.table.rowCount() < TUNE_TRIALS:
        raise RuntimeError(f"search failed: {dialog.panel.message_text()}")
    save(dialog, out / "tune-dialog.png")
    discard(dialog)


def render(layers: list, extent, crs, side: int) -> QImage:
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setOutputSize(QSize(side, side))
    settings.setExtent(extent)
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def confidence_figure(classes, confidence, scene, threshold: float) -> QImage:
    """Classes | unsure pixels over the classes, with both legends below."""
    side, legend_h = 480, 150
    left = render([classes], scene.extent(), scene.crs(), side)
    right = render([confidence, classes], scene.extent(), scene.crs(), side)
    image = QImage(side * 2 + 30, side + 40 + legend_h, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    font = QFont()
    font.setPixelSize(16)
    font.setBold(True)
    p.setFont(font)
    p.drawText(QPointF(10, 24), "Predicted classes")
    p.drawText(QPointF(side + 20, 24),
               f"Unsure pixels (confidence < {threshold:.2f}) over the classes")
    for x, picture in ((10, left), (side + 20, right)):
        p.drawImage(x, 34, picture)
        p.setPen(QPen(QColor("#444444"), 1))
        p.drawRect(x, 34, side, side)
    font.setBold(False)
    font.setPixelSize(14)
    p.setFont(font)
    y0 = side + 56
    for i, item in enumerate(classes.renderer().classes()):
        x, y = 10 + (i % 2) * 200, y0 + (i // 2) * 24
        p.fillRect(x, y, 18, 18, item.color)
        p.setPen(QColor("black"))
        p.drawText(QPointF(x + 26, y + 14), item.label)
    ramp = confidence.renderer().shader().rasterShaderFunction().colorRampItemList()
    for i, item in enumerate(ramp):
        x, y = side + 20, y0 + i * 24
        colour = QColor(item.color)
        if colour.alpha() == 0:
            p.setPen(QPen(QColor("#888888"), 1, Qt.DashLine))
            p.drawRect(x, y, 18, 18)
        else:
            p.fillRect(x, y, 18, 18, colour)
        p.setPen(QColor("black"))
        p.drawText(QPointF(x + 26, y + 14), item.label)
    p.end()
    return image


def shot_predict(iface: Iface, scene: QgsRasterLayer, checkpoint: Path, work: Path,
                 out: Path) -> None:
    from satseg_plugin.gui.predict_dialog import PredictDialog

    dialog = PredictDialog(iface)
    dialog.raster_combo.setLayer(scene)
    dialog.output_dir.setFilePath(str(work / "out"))  # short: it fits the field
    dialog.show()
    dialog.model.set_path(str(checkpoint))
    wait_for(dialog.model.inspect_finished)
    dialog.panel.run_button.click()
    wait_for(dialog.run_finished)
    if dialog.class_layer is None:
        raise RuntimeError(f"prediction failed: {dialog.panel.message_text()}")
    dialog.preview.set_threshold(0.7)
    dialog.preview.enabled.setChecked(True)
    dialog.preview.hide_confident.setChecked(True)
    save(dialog, out / "predict-dialog.png", dialog.sizeHint().expandedTo(QSize(1100, 760)))
    figure = confidence_figure(dialog.class_layer, dialog.confidence_layer, scene,
                               dialog.preview.threshold())
    figure.save(str(out / "confidence-preview.png"))
    report(out / "confidence-preview.png")
    dialog.dispose()
    discard(dialog)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=REPO / "docs")
    parser.add_argument("--work-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "satseg-docs",
                        help="sample data, runs and the QGIS profile (emptied first)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--only", choices=("tune",), help="only this screenshot (its data too)")
    parser.add_argument("--skip", choices=("tune",), help="every screenshot but this one (the "
                        "search dialog's real search takes minutes)")
    args = parser.parse_args()
    python = os.environ.get("SATSEG_ENGINE_PYTHON", "")
    if not os.path.isfile(python):
        parser.error("set SATSEG_ENGINE_PYTHON to the engine's Python (build/env.sh: ENGINE_PY)")
    out, work = args.output_dir.resolve(), args.work_dir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "profile").mkdir(parents=True)
    out.mkdir(parents=True, exist_ok=True)

    app = QgsApplication([], True, str(work / "profile"))
    app.initQgis()
    QApplication.setStyle("Fusion")
    from satseg_plugin.core import settings

    settings.set_engine_python(python)
    try:
        sample, dataset = make_data(python, work)
        project = QgsProject.instance()
        layers = {"scene": QgsRasterLayer(str(sample / "scene.tif"), "scene"),
                  "labels": QgsRasterLayer(str(sample / "labels.tif"), "labels"),
                  "label polygons": QgsVectorLayer(str(sample / "labels.gpkg"),
                                                   "label polygons", "ogr")}
        project.addMapLayers(list(layers.values()))
        iface = Iface()
        if args.only != "tune":
            shot_settings(python, out)
            shot_grid_and_extract(iface, layers, sample, out)
            shot_extract_sources(iface, layers["scene"], work, out)
            checkpoint = shot_train(iface, dataset, work, out)
        if args.skip != "tune":
            shot_tune(iface, dataset, work, out)
        if args.only != "tune":
            shot_predict(iface, layers["scene"], checkpoint, work, out)
        project.removeAllMapLayers()
        discard(iface.canvas, iface.bar)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"screenshots in {out} ({time.monotonic() - STARTED:.0f} s)", flush=True)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
