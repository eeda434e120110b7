"""The Train dialog's pretrained weight sets (listed by the real engine's `satseg models`) and
its quality report box, in a real headless QGIS."""

from __future__ import annotations

from pathlib import Path

import pytest

from satseg_plugin.core import train_job
from satseg_plugin.gui.train_dialog import TrainDialog
from satseg_plugin.gui.train_results import ArtifactsPanel


@pytest.fixture
def dialog(train_dialog):
    return train_dialog


def listed(dialog: TrainDialog) -> dict:
    """{set name or "": item text} of the weight-set list."""
    combo = dialog.form.widgets["model.encoder_weights"]
    return {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}


def test_the_list_holds_the_sets_that_fit_the_encoder_and_counts_matched_bands(
        dialog, sample_dataset: Path) -> None:
    dialog.dataset.setFilePath(str(sample_dataset / "dataset"))  # 10 Sentinel-2 bands B2…B12
    dialog.form.set_values({"model.architecture": "Unet", "model.encoder": "resnet18"})
    items = listed(dialog)
    assert set(items) == {"", "imagenet", "ssl4eo_s12_moco", "ssl4eo_l_oli_sr_moco",
                          "ssl4eo_l_tm_toa_moco"}
    assert "10 of 10 bands matched" in items["ssl4eo_s12_moco"]
    assert "3 of 10 bands matched" in items["imagenet"]          # B2, B3, B4
    # Landsat's bare numbers B2…B7 are names too (not the same bands as Sentinel-2's)
    assert "6 of 10 bands matched" in items["ssl4eo_l_oli_sr_moco"]

    dialog.form.set_values({"model.encoder": "resnet34"})
    assert set(listed(dialog)) == {"", "imagenet"}
    dialog.form.set_values({"model.encoder": "resnet50"})
    assert {"ssl4eo_s12_moco", "ssl4eo_s12_dino"} <= set(listed(dialog))


def test_the_chosen_set_goes_into_the_job_and_a_misfit_stays_visible(
        dialog, sample_dataset: Path) -> None:
    dialog.dataset.setFilePath(str(sample_dataset / "dataset"))
    dialog.form.set_values({"model.architecture": "Unet", "model.encoder": "resnet18",
                            "model.encoder_weights": "ssl4eo_s12_moco",
                            "data.normalization": "weights"})
    job = dialog.job()
    assert job["model"]["encoder_weights"] == "ssl4eo_s12_moco"
    assert job["data"]["normalization"] == "weights"
    dialog.form.set_values({"model.encoder": "resnet34"})
    combo = dialog.form.widgets["model.encoder_weights"]
    assert combo.currentData() == "ssl4eo_s12_moco", "a loaded choice is never dropped"
    assert "does not fit resnet34" in combo.currentText()
    dialog.form.set_values({"model.encoder_weights": None})
    assert train_job.flatten(dialog.job()).get("model.encoder_weights") is None
    dialog.form.set_values({"model.architecture": "custom_unet"})
    assert not combo.isEnabled(), "the custom U-Net has no encoder to start from weights"


def test_the_quality_report_lists_each_finding_with_its_lever(qgis_app) -> None:
    panel = ArtifactsPanel()
    panel.show()
    panel.show_quality([{"check": "few_pixels", "message": "class road has few training "
                         "pixels: 310 (0.4% of the labelled pixels)",
                         "lever": "draw patches holding it more often (data.class_balanced)"}])
    text = panel.quality.text()
    assert panel.quality.isVisible()
    assert "class road has few training pixels" in text and "data.class_balanced" in text
    panel.show_quality([])
    assert "no problem found" in panel.quality.text()
    panel.clear()
    assert not panel.quality.isVisible() and panel.quality.text() == ""
    panel.close()
