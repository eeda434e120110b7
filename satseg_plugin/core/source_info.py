"""What a dataset or a model says of its sources, and the fusion choices, without widgets.

A source is a named input on the primary image's pixel grid (docs/formats.md): `images` (the
grid snaps to it) and others (`s1`, `dem`, ...); a source with dates is a time series of
`slots` date slots. dataset.json describes them under `sources` (a dataset written before
sources existed is one single-date `images` source), a model's header under `sources` and
`multisource`. Pure Python (no Qt, no QGIS): the dialogs and their tests share it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

PRIMARY = "images"
#: a usable source name (as the engine checks it): also a folder name under Patch/<split>/
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
RESERVED_NAMES = ("labels",)
RESAMPLING = ("auto", "nearest", "bilinear", "cubic", "average")
#: fallbacks when `satseg models` does not list them (docs/formats.md, the engine's registries)
FUSION_LEVELS = ("early", "mid", "late")
FUSION_METHODS = ("concat", "attention", "film", "cross_attention", "film_cross")
TEMPORAL_MODES = ("stack", "utae", "unet3d")
#: `satseg models` summary key -> fallback names
CHOICE_KEYS: Dict[str, Tuple[str, ...]] = {"fusion_levels": FUSION_LEVELS,
                                           "fusion_methods": FUSION_METHODS,
                                           "temporal_modes": TEMPORAL_MODES}
#: the train job's keys of several sources (flat); the dialog shows them in its Fusion group
FUSION_KEYS = ("data.sources", "model.fusion", "model.fusion_method", "model.temporal",
               "model.stream_encoders", "optim.stream_lr", "optim.fusion_lr")
#: fusion levels with one stream per source (per-stream encoders and learning rates apply)
STREAM_LEVELS = ("mid", "late")
#: the engine's defaults of the fusion keys (`satseg models` → "defaults" when it has them)
DEFAULTS: Dict[str, str] = {"fusion": "early", "fusion_method": "concat", "temporal": "stack"}
#: a date in a file name: 2024-05-01, 2024_05_01 or 20240501 (as the engine reads it)
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")


@dataclass
class SourceSummary:
    """One source of a dataset or a model: its bands (of one date) and dates (one per slot,
    None = padding; empty = a single date)."""

    name: str
    band_names: List[str]
    dates: List[Optional[str]] = field(default_factory=list)
    slots: int = 1

    @property
    def temporal(self) -> bool:
        return bool(self.dates)

    @property
    def channels(self) -> int:
        return self.slots * len(self.band_names)

    @classmethod
    def from_entry(cls, name: str, entry: Mapping[str, Any]) -> "SourceSummary":
        """From a dataset.json `sources` entry, a header's or an inspect summary's (where the
        band names are `bands`)."""
        dates = [None if d is None else str(d) for d in entry.get("dates") or []]
        slots = int(entry.get("slots") or max(1, len(dates)))
        names = entry.get("band_names")
        if names is None:  # dataset.json's `bands` are band numbers, an inspect summary's names
            names = [b for b in entry.get("bands") or [] if isinstance(b, str)]
        return cls(name=name, band_names=[str(b) for b in names], dates=dates, slots=slots)


def dataset_sources(data: Mapping[str, Any]) -> List[SourceSummary]:
    """The sources of a dataset.json, `images` first; an older dataset is one `images` source
    with the top-level band names."""
    described = data.get("sources") or {}
    if not isinstance(described, Mapping):
        described = {}
    images = dict(described.get(PRIMARY) or {})
    images.setdefault("band_names", data.get("band_names") or [])
    out = [SourceSummary.from_entry(PRIMARY, images)]
    out += [SourceSummary.from_entry(str(name), entry) for name, entry in described.items()
            if name != PRIMARY and isinstance(entry, Mapping)]
    return out


def header_sources(header: Mapping[str, Any]) -> List[SourceSummary]:
    """The sources a model consumes, in its input order; [] for a single-source model (a
    header without `multisource` takes one raster, as before sources existed)."""
    entries = header.get("sources")
    if not header.get("multisource") or not isinstance(entries, list):
        return []
    return [SourceSummary.from_entry(str(e.get("name")), e) for e in entries
            if isinstance(e, Mapping) and e.get("name")]


def is_multisource(sources: Sequence[SourceSummary]) -> bool:
    """More than one source, or a time series: the fusion choices apply."""
    return len(sources) > 1 or any(s.temporal for s in sources)


def date_in_name(path: str) -> Optional[str]:
    """The first plausible date (YYYY-MM-DD) in a file's name, without its folder; None."""
    stem = re.split(r"[\\/]", path)[-1].rsplit(".", 1)[0]
    for match in _NAME_DATE.finditer(stem):
        day = _date(match)
        if day:
            return day
    return None


def parse_date(text: str) -> Optional[str]:
    """A date typed as 2024-05-01, 2024_05_01 or 20240501 -> '2024-05-01'; None if it is not
    one."""
    match = _NAME_DATE.fullmatch(text.strip())
    return _date(match) if match else None


def _date(match: "re.Match[str]") -> Optional[str]:
    try:
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day.isoformat() if 1950 <= day.year <= 2100 else None


def name_problem(name: str) -> str:
    """'' for a usable source name, else what is wrong: "pattern" or "reserved"."""
    if name in RESERVED_NAMES:
        return "reserved"
    return "" if NAME_PATTERN.fullmatch(name) else "pattern"


# -- the fusion choices -----------------------------------------------------------------------
def choice_list(summary: Mapping[str, Any], key: str) -> List[Tuple[str, str]]:
    """(name, description) of one of the engine's fusion registries from its `models`
    summary (a list of names, of {name, description}, or a name -> description mapping), else
    the fixed list."""
    listed = summary.get(key)
    if isinstance(listed, Mapping):
        pairs = [(str(k), str(v if isinstance(v, str) else (v or {}).get("description", "")))
                 for k, v in listed.items()]
    elif isinstance(listed, (list, tuple)) and listed:
        pairs = [(str(item.get("name")), str(item.get("description") or ""))
                 if isinstance(item, Mapping) else (str(item), "") for item in listed]
    else:
        pairs = []
    return pairs or [(name, "") for name in CHOICE_KEYS[key]]


def is_fusion_key(key: str) -> bool:
    """A flat train-job key the Fusion group owns (`model.stream_encoders.s1` included)."""
    return any(key == k or key.startswith(k + ".") for k in FUSION_KEYS)


def fusion_applies(sources: Sequence[SourceSummary], used: Sequence[str], fusion: str
                   ) -> Dict[str, bool]:
    """Which fusion choices apply: "data.sources" (the dataset has several sources),
    "model.fusion" (several used), "model.fusion_method" (mid fusion), "model.temporal" (a
    used time series), "streams" (per-stream encoders and learning rates, and
    optim.fusion_lr: one stream per source)."""
    chosen = [s for s in sources if s.name in used]
    several = len(chosen) > 1
    return {"data.sources": len(sources) > 1,
            "model.fusion": several,
            "model.fusion_method": several and fusion == "mid",
            "model.temporal": any(s.temporal for s in chosen),
            "streams": several and fusion in STREAM_LEVELS}


def stream_network(sources: Sequence[SourceSummary], used: Sequence[str], fusion: str,
                   temporal: str) -> str:
    """What decodes with a U-Net (the engine builds it from streams): "mid_fusion",
    "temporal_streams" (a temporal network in early fusion) or "" (any architecture)."""
    if fusion == "mid" and len([s for s in sources if s.name in used]) > 1:
        return "mid_fusion"
    series = any(s.temporal for s in sources if s.name in used)
    return "temporal_streams" if fusion == "early" and series and temporal != "stack" else ""


def architectures_for(architectures: Mapping[str, Mapping[str, Any]], need: str) -> List[str]:
    """The architectures whose `inputs` (from `satseg models`) allow `need`; every one when
    the engine does not say."""
    return [name for name, spec in architectures.items()
            if (spec.get("inputs") or {}).get(need, True)]
