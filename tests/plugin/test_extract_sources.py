"""The Extract patches dialog's Sources table in a real headless QGIS: other sensors and dates on
the primary image's grid become the extract job's `sources`."""

from __future__ import annotations

import json

import pytest

from conftest import run_dialog
from satseg_plugin.core.engine_runner import RunState
from satseg_plugin.gui.extract_dialog import ExtractDialog
from satseg_plugin.gui.sources_table import DATES, NAME


@pytest.fixture
def rasters(source_rasters):
    return source_rasters


@pytest.fixture
def project(add_layers, sample_dataset, rasters):
    return add_layers(scene=sample_dataset / "scene.tif", labels=sample_dataset / "labels.tif",
                      grid=f"{sample_dataset / 'grid.gpkg'}|layername=grid",
                      july=rasters / "s1_2024-07-20.tif", may=rasters / "s1_20240501.tif",
                      june=rasters / "s1_2024_06_10.tif", dem=rasters / "dem.tif",
                      august=rasters / "scene_2023-08-01.tif",
                      early=rasters / "scene_2023-06-15.tif")


@pytest.fixture
def dialog(qgis_iface, project, use_engine, dialogs, tmp_path):
    dialog = dialogs(ExtractDialog(qgis_iface))
    dialog.set_images([project["scene"]])
    dialog.labels.setLayer(project["labels"])
    dialog.grid.setLayer(project["grid"])
    dialog.output.setFilePath(str(tmp_path / "dataset"))
    return dialog


def test_a_dated_series_and_a_dem_become_the_jobs_sources(dialog, project, rasters):
    table = dialog.sources
    assert table.table.rowCount() == 1 and table.table.item(0, NAME).text() == "images"
    assert "scene" in table.table.cellWidget(0, 1).text(), "row 0 shows the ticked image"
    row = table.add_source(layers=[project["july"], project["may"], project["june"]])
    assert table.table.item(row, NAME).text() == "s1", "a free name is proposed"
    listed = [layer.name() for layer in table.layers_of(row)]
    assert listed == ["july", "may", "june"], "in the order of the Layers panel"
    assert table.table.cellWidget(row, DATES).text() == "2024-07-20, 2024-05-01, 2024-06-10", \
        "the dates come from the file names, in the order of the layers"
    table.add_source("dem", [project["dem"]], resampling="cubic")

    job = dialog.job()
    assert job["image"] == project["scene"].source(), "the primary stays `image`"
    assert list(job["sources"]) == ["s1", "dem"]
    assert job["sources"] == {
        "s1": {"rasters": [str(rasters / n) for n in ("s1_20240501.tif", "s1_2024_06_10.tif",
                                                      "s1_2024-07-20.tif")],
               "dates": ["2024-05-01", "2024-06-10", "2024-07-20"], "resampling": "auto"},
        "dem": {"rasters": [str(rasters / "dem.tif")], "resampling": "cubic"}}

    table.table.cellWidget(row, DATES).setText("2023-03-01, 2023-02-01, 20230101")
    assert job_sources(dialog)["s1"]["dates"] == ["2023-01-01", "2023-02-01", "2023-03-01"], \
        "typed dates win, and order the layers"
    assert job_sources(dialog)["s1"]["rasters"][0].endswith("s1_2024_06_10.tif")
    table.table.cellWidget(row, DATES).setText("")
    assert job_sources(dialog)["s1"]["dates"][0] == "2024-05-01", "empty: the file names"
    table.table.selectRow(row)
    table.remove_selected()
    assert list(job_sources(dialog)) == ["dem"]


def test_the_engine_cuts_every_source_on_the_images_grid(qtbot, dialog, project, tmp_path):
    dialog.sources.add_source("s1", [project["july"], project["may"], project["june"]])
    dialog.sources.add_source("dem", [project["dem"]])
    assert run_dialog(qtbot, dialog) is RunState.DONE, dialog.panel.message_text()
    out = tmp_path / "dataset"
    data = json.loads((out / "dataset.json").read_text())
    assert list(data["sources"]) == ["images", "s1", "dem"]
    assert data["sources"]["s1"]["dates"] == ["2024-05-01", "2024-06-10", "2024-07-20"]
    assert data["sources"]["dem"]["dates"] == [] and data["sources"]["dem"]["slots"] == 1
    patches = {folder: sorted(p.name for p in (out / "Patch" / "train" / folder).glob("*.tif"))
               for folder in ("images", "s1", "dem")}
    assert patches["images"] and patches["s1"] == patches["images"] == patches["dem"]
    assert "Sources: images · s1 (3 dates) · dem" in dialog.summary_view.toPlainText()
    assert dialog.preview_path, "the preview of a dataset of several sources is drawn"


def test_a_time_series_primary_replaces_image(dialog, project, rasters):
    table = dialog.sources
    dialog.set_images([project["august"], project["early"]])
    assert table.series.isVisibleTo(dialog) and not table.primary_series(), \
        "several images: tiles or the dates of one place?"
    with pytest.raises(ValueError, match="Several images need polygon labels"):
        dialog.job()  # several images are tiles unless told otherwise
    table.series.setChecked(True)
    table.add_source("s1", [project["may"]])
    job = dialog.job()
    assert "image" not in job and "images_dir" not in job
    assert list(job["sources"]) == ["images", "s1"], "the primary first"
    assert job["sources"]["images"] == {
        "rasters": [str(rasters / "scene_2023-06-15.tif"), str(rasters / "scene_2023-08-01.tif")],
        "dates": ["2023-06-15", "2023-08-01"], "resampling": "auto"}
    assert job["label_kind"] == "raster", "a label raster is fine for a time series"


def test_a_single_image_job_is_unchanged(dialog, project):
    assert not dialog.sources.series.isVisibleTo(dialog), "one image: no time-series choice"
    job = dialog.job()
    assert "sources" not in job and job["image"] == project["scene"].source()
    assert set(job) == {"image", "labels", "label_kind", "classes", "grid", "output_dir",
                        "overwrite"}


@pytest.mark.parametrize("name, words", [
    ("1st", "'1st' is not a usable source name"),
    ("with space", "'with space' is not a usable source name"),
    ("labels", "'labels' cannot name a source"),
    ("images", "'images' is the primary image's row"),
    ("s1", "Two sources are named 's1'"),
    ("", "A source has no name"),
])
def test_unusable_names_are_refused_with_a_message(dialog, project, tmp_path, name, words):
    dialog.sources.add_source("s1", [project["may"]])
    row = dialog.sources.add_source("x", [project["dem"]])
    dialog.sources.table.item(row, NAME).setText(name)
    dialog.panel.run_button.click()
    assert words in dialog.panel.message_text()
    assert dialog.panel.runner is None and not (tmp_path / "dataset").exists()


@pytest.mark.parametrize("change, words", [
    ("no_layer", "Source 's1' has no layer"),
    ("date_count", "Source 's1': 3 layers but 2 dates"),
    ("not_a_date", "Source 's1': 'May' is not a date"),
    ("same_date", "have the same date 2024-05-01"),
    ("tiles", "Other sources go with one primary image"),
])
def test_source_mistakes_are_explained_before_running(dialog, project, tmp_path, change,
                                                      words):
    series = [project["july"], project["may"], project["june"]]
    row = dialog.sources.add_source("s1", [] if change == "no_layer" else series)
    dates = dialog.sources.table.cellWidget(row, DATES)
    if change == "date_count":
        dates.setText("2024-05-01, 2024-06-01")
    elif change == "not_a_date":
        dates.setText("May, 2024-06-01, 2024-07-01")
    elif change == "same_date":
        dates.setText("2024-05-01, 2024-05-01, 2024-07-01")
    elif change == "tiles":
        dialog.set_images([project["august"], project["early"]])
    dialog.panel.run_button.click()
    assert words in dialog.panel.message_text()
    assert dialog.panel.runner is None and not (tmp_path / "dataset").exists()


def job_sources(dialog: ExtractDialog) -> dict:
    return dialog.job()["sources"]
