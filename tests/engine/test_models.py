"""Model registry, pretrained encoder weights from a file, checkpoints, the `models` verb."""

from __future__ import annotations

import io

import pytest
import torch

from satseg_engine.core.cli import run_job
from satseg_engine.core.errors import SatsegError
from satseg_engine.core.events import Events
from satseg_engine.models import checkpoint
from satseg_engine.models import registry as models


@pytest.mark.parametrize("architecture", models.SMP_ARCHITECTURES)
def test_every_smp_architecture_builds_and_runs_on_10_bands(architecture: str) -> None:
    size = max(64, models.MIN_INPUT_SIZE.get(architecture, 0))
    model = models.build_model(architecture, "resnet18", 10, 3).eval()
    with torch.no_grad():
        out = model(torch.randn(1, 10, size, size))
    assert out.shape == (1, 3, size, size)
    encoder, decoder = models.split_parameters(model)
    assert encoder and decoder


def test_custom_unet_classic_setting_is_64_to_1024_and_keeps_the_size() -> None:
    classic = models.build_model("custom_unet", None, 4, 2, {"depth": 4, "base_width": 64})
    widths = [block[0].out_channels for block in classic.encoder]
    assert widths == [64, 128, 256, 512, 1024]
    small = models.build_model("custom_unet", None, 10, 3, {"depth": 2, "base_width": 8,
                                                            "dropout": 0.3}).eval()
    assert small(torch.randn(2, 10, 32, 32)).shape == (2, 3, 32, 32)
    assert any(isinstance(m, torch.nn.Dropout2d) for m in small.modules())


@pytest.mark.parametrize(("architecture", "encoder", "hint_has"), [
    ("UNet3000", "resnet18", "custom_unet"),
    ("Unet", "resnet9000", "resnet18"),
])
def test_unknown_names_are_errors_that_list_the_valid_ones(architecture: str, encoder: str,
                                                          hint_has: str) -> None:
    with pytest.raises(SatsegError) as info:
        models.build_model(architecture, encoder, 3, 2)
    assert info.value.code == "bad_model"
    assert hint_has in info.value.hint


def test_rgb_encoder_weights_from_a_file_are_adapted_to_10_bands(tmp_path) -> None:
    rgb = models.build_model("Unet", "resnet18", 3, 2)
    path = tmp_path / "resnet18_rgb.pth"
    torch.save({f"encoder.{k}": v for k, v in rgb.encoder.state_dict().items()}, path)
    model = models.load_encoder_weights("Unet", "resnet18", 10, 2, {}, path)
    original = rgb.encoder.conv1.weight.detach()
    patched = model.encoder.conv1.weight.detach()
    assert patched.shape[1] == 10
    for band in range(10):  # smp's patching: RGB filters repeated, scaled by 3/10
        torch.testing.assert_close(patched[:, band], original[:, band % 3] * 3 / 10)
    torch.testing.assert_close(model.encoder.layer4[0].conv1.weight,
                               rgb.encoder.layer4[0].conv1.weight)
    assert model(torch.randn(1, 10, 64, 64)).shape == (1, 2, 64, 64)


def test_foreign_encoder_weights_file_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "other.pth"
    torch.save({"conv.weight": torch.zeros(3, 3)}, path)
    with pytest.raises(SatsegError) as info:
        models.load_encoder_weights("Unet", "resnet18", 10, 2, {}, path)
    assert info.value.code == "bad_encoder_weights"
    assert "resnet18" in info.value.hint


def _header(task: str = "multiclass") -> dict:
    return {"architecture": "Unet", "encoder": "resnet18", "model_kwargs": {},
            "in_channels": 5, "band_names": [f"B{i}" for i in range(5)],
            "normalization": {"method": "none", "nodata": 0, "bands": []},
            "classes": [{"value": 1, "name": "a", "colour": "#000000"},
                        {"value": 2, "name": "b", "colour": "#ffffff"}],
            "ignore_value": 255, "patch_size": 64, "task": task, "threshold": 0.5,
            "epoch": 3, "metrics": {"validation": {"miou": 0.5}}, "role": "best_iou"}


@pytest.mark.parametrize("task", ["multiclass", "binary"])
def test_checkpoint_round_trips_with_weights_only_and_gives_identical_outputs(tmp_path,
                                                                              task) -> None:
    header = _header(task)
    model = checkpoint.model_from_header(header).eval()
    path = checkpoint.save_checkpoint(tmp_path / "best_iou.pt", header, model.state_dict())
    assert not list(tmp_path.glob(".*part*"))
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == "satseg-checkpoint" and raw["schema"] == 1
    loaded, loaded_header = checkpoint.load_model(path, "cpu")
    assert loaded_header["task"] == task and loaded_header["band_names"][0] == "B0"
    x = torch.randn(2, 5, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=0)
    assert loaded(x).shape[1] == (1 if task == "binary" else 2)


@pytest.mark.parametrize(("content", "message"), [
    (b"not a torch file at all", "not a readable satseg checkpoint"),
    (None, "not a satseg checkpoint"),
])
def test_corrupt_or_foreign_checkpoint_is_a_satseg_error(tmp_path, content, message) -> None:
    path = tmp_path / "model.pt"
    if content is None:
        torch.save({"state_dict": {}}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(SatsegError) as info:
        checkpoint.load_model(path)
    assert info.value.code == "bad_checkpoint"
    assert message in info.value.message


@pytest.mark.parametrize("keep", [0.02, 0.1, 0.3, 0.5, 0.8, 0.97, 0.999])
def test_truncated_checkpoint_is_a_satseg_error(tmp_path, keep) -> None:
    """Cut anywhere (a copy interrupted, a full disk): never an internal error."""
    header = _header()
    path = checkpoint.save_checkpoint(tmp_path / "m.pt", header,
                                      checkpoint.model_from_header(header).state_dict())
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])
    with pytest.raises(SatsegError) as info:
        checkpoint.load_model(path)
    assert info.value.code == "bad_checkpoint"


def test_models_verb_lists_architectures_and_encoders() -> None:
    summary = run_job("models", {}, Events(io.StringIO()))
    names = [a["name"] for a in summary["architectures"]]
    assert names[0] == "custom_unet" and set(models.SMP_ARCHITECTURES) <= set(names)
    assert "DPT" not in names
    assert "resnet34" in summary["encoders"] and "efficientnet-b0" in summary["encoders"]
    pan = next(a for a in summary["architectures"] if a["name"] == "PAN")
    assert pan["min_patch_size"] == 128
