"""Shared pieces of the PNGs the engine draws (preview, overview): band choice, stretch, colours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core.errors import SatsegError

#: preferred false-colour composites, first match wins (names compared case-insensitively)
COMPOSITES = (("b8", "b4", "b3"), ("b08", "b04", "b03"), ("nir", "red", "green"),
              ("red", "green", "blue"), ("r", "g", "b"), ("b4", "b3", "b2"))


def choose_bands(names: Sequence[str], wanted: Sequence[str] = ()) -> list[int]:
    """0-based indices of three bands for the composite (a single band is repeated)."""
    lower = [n.lower() for n in names]
    if wanted:
        missing = [w for w in wanted if w.lower() not in lower]
        if missing or len(wanted) != 3:
            raise SatsegError("bad_bands", f"rgb_bands must be three of {list(names)}, got "
                              f"{list(wanted)}", key="rgb_bands")
        return [lower.index(w.lower()) for w in wanted]
    for combo in COMPOSITES:
        if all(c in lower for c in combo):
            return [lower.index(c) for c in combo]
    return [0, 1, 2] if len(names) >= 3 else [0] * 3


def stretch(image: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """(3, H, W) → (H, W, 3) floats in 0–1, band by band between `low` and `high`."""
    span = np.maximum(high - low, 1e-9)
    return np.clip((image - low[:, None, None]) / span[:, None, None], 0, 1).transpose(1, 2, 0)


def hex_rgb(colour: str | None) -> tuple[float, float, float]:
    text = (colour or "#808080").lstrip("#")
    return tuple(int(text[k:k + 2], 16) / 255 for k in (0, 2, 4))  # type: ignore[return-value]


def class_colours(classes: Sequence[dict[str, Any]], alpha: float = 1.0) -> np.ndarray:
    """A (256, 4) RGBA lookup table: class value → colour, everything else transparent."""
    table = np.zeros((256, 4))
    for c in classes:
        table[int(c["value"])] = [*hex_rgb(c.get("colour")), alpha]
    return table
