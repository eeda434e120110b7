"""Loss registry: name -> weighted sum of smp / torch terms, all honouring `ignore_index`.

Every loss takes (logits (N, C, H, W), target class indices (N, H, W) int64). In the binary task
C = 1 and target holds 0/1 (or the ignore value).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from ..core.errors import SatsegError


@dataclasses.dataclass(frozen=True)
class LossParams:
    focal_gamma: float = 2.0
    focal_alpha: float | None = None
    tversky_alpha: float = 0.3
    tversky_beta: float = 0.7
    ce_weight: float = 1.0
    dice_weight: float = 1.0
    focal_weight: float = 1.0
    lovasz_weight: float = 1.0
    tversky_weight: float = 1.0
    label_smoothing: float = 0.0


class _BinaryBCE(nn.Module):
    """SoftBCEWithLogits on (N,1,H,W) logits with integer targets (N,H,W)."""

    def __init__(self, ignore_index: int, pos_weight: torch.Tensor | None, smoothing: float):
        super().__init__()
        from segmentation_models_pytorch.losses import SoftBCEWithLogitsLoss

        # per pixel, ignored pixels zeroed; averaged here over the valid pixels only
        self.loss = SoftBCEWithLogitsLoss(ignore_index=ignore_index, pos_weight=pos_weight,
                                          smooth_factor=smoothing or None, reduction="none")
        self.ignore_index = ignore_index

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        target = target.unsqueeze(1)
        valid = target != self.ignore_index
        per_pixel = self.loss(logits, torch.where(valid, target, 0).float())
        return (per_pixel * valid).sum() / valid.sum().clamp(min=1)


class WeightedSum(nn.Module):
    """sum(weight_i * term_i(logits, target))."""

    def __init__(self, terms: Sequence[tuple[str, float, nn.Module]]):
        super().__init__()
        self.names = [name for name, _, _ in terms]
        self.weights = [weight for _, weight, _ in terms]
        self.terms = nn.ModuleList([term for _, _, term in terms])

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        logits = logits.float()  # losses in fp32 even under autocast
        total = logits.new_zeros(())
        for weight, term in zip(self.weights, self.terms, strict=True):
            if weight:
                total = total + weight * term(logits, target)
        return total


TermBuilder = Callable[[str, LossParams, "torch.Tensor | None", int], nn.Module]


def _ce(mode: str, p: LossParams, weights: torch.Tensor | None, ignore: int) -> nn.Module:
    if mode == "binary":
        pos_weight = None if weights is None else (weights[1] / weights[0].clamp(min=1e-6))
        return _BinaryBCE(ignore, pos_weight.reshape(1) if pos_weight is not None else None,
                          p.label_smoothing)
    return nn.CrossEntropyLoss(weight=weights, ignore_index=ignore,
                               label_smoothing=p.label_smoothing)


def _class_weights(mode: str, weights: torch.Tensor | None) -> list[float] | None:
    return None if mode == "binary" or weights is None else weights.tolist()


def _dice(mode: str, p: LossParams, weights: torch.Tensor | None, ignore: int) -> nn.Module:
    from segmentation_models_pytorch.losses import DiceLoss

    return DiceLoss(mode, ignore_index=ignore, class_weights=_class_weights(mode, weights))


def _focal(mode: str, p: LossParams, weights: torch.Tensor | None, ignore: int) -> nn.Module:
    from segmentation_models_pytorch.losses import FocalLoss

    return FocalLoss(mode, alpha=p.focal_alpha, gamma=p.focal_gamma, ignore_index=ignore,
                     class_weights=_class_weights(mode, weights))


def _tversky(mode: str, p: LossParams, weights: torch.Tensor | None, ignore: int) -> nn.Module:
    from segmentation_models_pytorch.losses import TverskyLoss

    return TverskyLoss(mode, alpha=p.tversky_alpha, beta=p.tversky_beta, ignore_index=ignore,
                       class_weights=_class_weights(mode, weights))


def _lovasz(mode: str, p: LossParams, weights: torch.Tensor | None, ignore: int) -> nn.Module:
    from segmentation_models_pytorch.losses import LovaszLoss

    return LovaszLoss(mode, ignore_index=ignore)


TERMS: dict[str, tuple[TermBuilder, str]] = {
    "ce": (_ce, "ce_weight"), "dice": (_dice, "dice_weight"), "focal": (_focal, "focal_weight"),
    "tversky": (_tversky, "tversky_weight"), "lovasz": (_lovasz, "lovasz_weight"),
}

#: loss name -> the terms it sums (each scaled by its `<term>_weight`).
LOSSES: dict[str, tuple[str, ...]] = {
    "ce": ("ce",),
    "dice": ("dice",),
    "dice_ce": ("dice", "ce"),
    "focal": ("focal",),
    "focal_dice": ("focal", "dice"),
    "tversky": ("tversky",),
    "combo": ("ce", "dice", "focal"),
    "lovasz": ("lovasz",),
    "focal_lovasz": ("focal", "lovasz"),
}


def build_loss(name: str, task: str, params: LossParams, ignore_index: int,
               class_weights: torch.Tensor | None = None) -> WeightedSum:
    """A loss module; `task` is "binary" or "multiclass"."""
    if name not in LOSSES:
        raise SatsegError("bad_job", f"unknown loss '{name}'",
                          hint=f"valid losses: {', '.join(LOSSES)}", key="loss.name")
    terms = []
    for term in LOSSES[name]:
        builder, weight_key = TERMS[term]
        weight = 1.0 if len(LOSSES[name]) == 1 else getattr(params, weight_key)
        terms.append((term, weight, builder(task, params, class_weights, ignore_index)))
    return WeightedSum(terms)


# -- class weights from the dataset's pixel counts -------------------------------------------

def _inverse(freq: np.ndarray) -> np.ndarray:
    return np.where(freq > 0, 1.0 / np.maximum(freq, 1e-12), 0.0)


def _median(freq: np.ndarray) -> np.ndarray:
    present = freq[freq > 0]
    median = float(np.median(present)) if present.size else 1.0
    return np.where(freq > 0, median / np.maximum(freq, 1e-12), 0.0)


def _sqrt_median(freq: np.ndarray) -> np.ndarray:
    return np.sqrt(_median(freq))


#: `rare` weighting: classes below this share of the training pixels are the rare ones
RARE_SHARE = 0.01


def _rare(freq: np.ndarray) -> np.ndarray:
    """Median weights for the rare classes only, 1 for the others (weighting the common but
    small ones too, as `median` does, made the model over-predict them)."""
    return np.where((freq > 0) & (freq < RARE_SHARE), np.maximum(_median(freq), 1.0),
                    np.where(freq > 0, 1.0, 0.0))


def _rare_sqrt(freq: np.ndarray) -> np.ndarray:
    """The square root of `rare`: rare classes weigh sqrt(median / frequency), others 1."""
    return np.sqrt(_rare(freq))


CLASS_WEIGHTINGS: dict[str, Callable[[np.ndarray], np.ndarray] | None] = {
    "none": None, "inverse": _inverse, "median": _median, "sqrt_median": _sqrt_median,
    "rare": _rare, "rare_sqrt": _rare_sqrt,
}


def class_weights_from_counts(method: str, counts: Sequence[float]) -> torch.Tensor | None:
    """Weights per class index, or None for "none".

    * inverse: 1 / frequency, scaled to a mean of 1 over the classes present;
    * median: median frequency / frequency (SegNet's median frequency balancing): the class of
      median frequency weighs 1, rarer classes more, commoner ones less;
    * rare: median weights for classes below RARE_SHARE of the pixels, 1 for the others.

    The two differ only by a factor, which a weighted-mean cross-entropy cancels; it matters
    where a weighted term is summed with an unweighted one (dice_ce, combo).
    Classes with no pixel get weight 0 (they cannot be learnt from this split anyway).
    """
    if method not in CLASS_WEIGHTINGS:
        raise SatsegError("bad_job", f"unknown class weighting '{method}'",
                          hint=f"valid: {', '.join(CLASS_WEIGHTINGS)}", key="loss.class_weights")
    function = CLASS_WEIGHTINGS[method]
    if function is None:
        return None
    counts_array = np.asarray(counts, dtype=np.float64)
    total = counts_array.sum()
    if total <= 0:
        return None
    weights = function(counts_array / total)
    if method == "inverse":
        weights = weights / weights[weights > 0].mean()
    return torch.tensor(weights, dtype=torch.float32)


def counts_in_class_order(class_pixels: Mapping[str, int], classes: Sequence[Mapping]
                          ) -> list[float]:
    """dataset.json `class_pixels` ({"value": count}) as a list in class-table order."""
    return [float(class_pixels.get(str(c["value"]), 0)) for c in classes]
