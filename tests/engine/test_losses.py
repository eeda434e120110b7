"""Losses: every registered loss is finite, ignores ignore_value pixels and fits a tiny batch."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from satseg_engine.core.errors import SatsegError
from satseg_engine.models.losses import (
    LOSSES,
    LossParams,
    build_loss,
    class_weights_from_counts,
    counts_in_class_order,
)
from satseg_engine.models.metrics import ConfusionMatrix, metrics_from_matrix, predict_indices

IGNORE = 255


def _batch(n_classes: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixels whose class shows (weakly) in their 3 band values; 5% ignored."""
    g = torch.Generator().manual_seed(seed)
    target = torch.randint(0, n_classes, (2, 16, 16), generator=g)
    image = torch.randn(2, 3, 16, 16, generator=g) * 0.3
    image[:, 0] += target.float()
    target[torch.rand(target.shape, generator=g) < 0.05] = IGNORE
    return image, target


CASES = [(name, task) for name in LOSSES for task in ("multiclass", "binary")]


@pytest.mark.parametrize(("name", "task"), CASES)
def test_every_loss_is_finite_and_fits_a_tiny_batch(name: str, task: str) -> None:
    torch.manual_seed(0)
    n_classes = 3 if task == "multiclass" else 2
    image, target = _batch(n_classes)
    weights = class_weights_from_counts("inverse", [50.0, 30.0, 20.0][:n_classes])
    loss_fn = build_loss(name, task, LossParams(), IGNORE, weights)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
                          nn.Conv2d(16, 1 if task == "binary" else n_classes, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    losses = []
    for _ in range(30):
        loss = loss_fn(model(image), target)
        assert torch.isfinite(loss)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.6 * losses[0], losses[::6]
    matrix = ConfusionMatrix(n_classes, IGNORE)
    matrix.update(predict_indices(model(image), task), target)
    overall, _ = metrics_from_matrix(matrix.matrix, [str(i) for i in range(n_classes)])
    if not (task == "binary" and name in ("dice", "tversky")):
        # set-overlap losses alone do not calibrate the 0.5 threshold of one logit
        assert overall["accuracy"] > 0.9, overall["accuracy"]


@pytest.mark.parametrize("name", list(LOSSES))
def test_ignored_pixels_do_not_change_the_loss(name: str) -> None:
    _image, target = _batch(3, seed=1)
    logits = torch.randn(2, 3, 16, 16)
    loss_fn = build_loss(name, "multiclass", LossParams(), IGNORE)
    ignored = (target == IGNORE).unsqueeze(1).float()
    wild = torch.tensor([100.0, -50.0, 30.0]).reshape(1, 3, 1, 1)
    changed = logits + ignored * wild  # wild logits where the label is ignored
    torch.testing.assert_close(loss_fn(changed, target), loss_fn(logits, target))


# counts 500 / 300 / 0 / 200 → frequencies 0.5, 0.3, 0, 0.2 (class 3 has no pixel: weight 0)
#   inverse: 1/f = 2, 10/3, 5 with mean 31/9 → 18/31, 30/31, 45/31
#   median:  median f = 0.3 → 0.3/f = 0.6, 1, 1.5
#   sqrt_median: their square roots: √0.6, 1, √1.5
@pytest.mark.parametrize(("method", "expected"), [
    ("none", None),
    ("inverse", [18 / 31, 30 / 31, 0.0, 45 / 31]),
    ("median", [0.6, 1.0, 0.0, 1.5]),
    ("sqrt_median", [0.6 ** 0.5, 1.0, 0.0, 1.5 ** 0.5]),
])
def test_class_weights_from_counts(method: str, expected: list[float] | None) -> None:
    classes = [{"value": v} for v in (1, 2, 3, 5)]
    counts = counts_in_class_order({"1": 500, "2": 300, "5": 200}, classes)
    assert counts == [500.0, 300.0, 0.0, 200.0]
    weights = class_weights_from_counts(method, counts)
    if expected is None:
        assert weights is None
    else:
        assert weights.tolist() == pytest.approx(expected, rel=1e-6)


def test_unknown_loss_lists_valid_names() -> None:
    with pytest.raises(SatsegError) as info:
        build_loss("hinge", "multiclass", LossParams(), IGNORE)
    assert "focal_lovasz" in info.value.hint and info.value.key == "loss.name"


def test_metrics_from_a_known_confusion_matrix() -> None:
    matrix = torch.tensor([[8, 2], [1, 9]])  # rows: truth
    overall, per_class = metrics_from_matrix(matrix, ["a", "b"])
    assert per_class["a"]["iou"] == pytest.approx(8 / 11)
    assert per_class["a"]["precision"] == pytest.approx(8 / 9)
    assert per_class["a"]["recall"] == pytest.approx(8 / 10)
    assert per_class["b"]["f1"] == pytest.approx(18 / 21)
    assert overall["accuracy"] == pytest.approx(17 / 20)
    assert overall["miou"] == pytest.approx((8 / 11 + 9 / 12) / 2)
