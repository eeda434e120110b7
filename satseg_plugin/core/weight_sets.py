"""Named pretrained weight sets as `satseg models` lists them: which fit an encoder, how many of
a dataset's bands each one knows by name. No widgets, no engine imports.

A dataset band matches a set band when their keys are equal; the engine sends each set band's
keys, and `band_key` makes a dataset band's key the same way as the engine's
`models.weight_bands.band_key` (lower case, no spaces/dashes/underscores, numbers without
leading zeros).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Sequence


def band_key(name: str) -> str:
    key = re.sub(r"[\s_\-./]+", "", str(name).lower())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", key)


def matched_bands(weight_set: Mapping[str, Any], band_names: Sequence[str]) -> List[str]:
    """The dataset bands the set knows by name."""
    keys = {key for band in weight_set.get("bands") or [] for key in band.get("keys") or []}
    return [name for name in band_names if band_key(name) in keys]


def fitting(weight_sets: Sequence[Mapping[str, Any]], encoder: str) -> List[Dict[str, Any]]:
    """The sets whose `encoders` hold `encoder`, in the engine's order."""
    return [dict(s) for s in weight_sets if encoder in (s.get("encoders") or [])]


def item_text(weight_set: Mapping[str, Any], encoder: str, band_names: Sequence[str],
              matched_text: str, cached_text: str) -> str:
    """`name — description · 4 of 5 bands matched · cached` (the last two parts when known)."""
    parts = [f"{weight_set['name']} — {weight_set.get('description', '')}"]
    if band_names:
        parts.append(matched_text.format(n=len(matched_bands(weight_set, band_names)),
                                         total=len(band_names)))
    if encoder in (weight_set.get("cached") or []):
        parts.append(cached_text)
    return " · ".join(parts)
