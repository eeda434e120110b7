"""The `sources` keys of the extract and predict jobs, checked before a run, without widgets.

Extraction: each row of the dialog's Sources table (a name, raster files, their dates, a
resampling) becomes `sources[name] = {"rasters": [...], "dates": [...], "resampling": ...}`,
rasters in date order. Prediction: the layers chosen for each of the model's sources are checked
against its header (bands per date, number of dates) and become `sources[name] = [paths]`.
Every refusal is an InputError that names the source and says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..gui.i18n import translate
from .layers import InputError
from .source_info import PRIMARY, RESAMPLING, SourceSummary, date_in_name, name_problem, parse_date

#: what stands for an unknown date in a Dates cell
UNKNOWN_DATE = "?"


def source_text(source: SourceSummary) -> str:
    """'s1 (2 bands × 3 dates)' or 'images (10 bands)'."""
    bands = len(source.band_names)
    if source.temporal:
        text = (translate("satseg", "{name} (1 band × {dates} dates)") if bands == 1 else
                translate("satseg", "{name} ({bands} bands × {dates} dates)"))
    else:
        text = (translate("satseg", "{name} (1 band)") if bands == 1 else
                translate("satseg", "{name} ({bands} bands)"))
    return text.format(name=source.name, bands=bands, dates=source.slots)


def check_name(name: str, taken: Sequence[str]) -> str:
    """A usable, new source name; InputError says why not."""
    problem = name_problem(name)
    if not name:
        raise InputError(translate("satseg", "A source has no name: name every row of the "
                                             "Sources table (e.g. s1, s2, dem)."))
    if problem == "reserved":
        raise InputError(translate("satseg", "'{name}' cannot name a source (the labels use "
                                             "it): choose another name, e.g. s1.")
                         .format(name=name))
    if problem:
        raise InputError(translate("satseg", "'{name}' is not a usable source name: use a "
                                             "letter, then letters, digits, '_' or '-' (at "
                                             "most 32), e.g. s1, s2, dem.").format(name=name))
    if name in taken:
        if name == PRIMARY:
            raise InputError(translate("satseg", "'images' is the primary image's row: name "
                                                 "the other sources differently."))
        raise InputError(translate("satseg", "Two sources are named '{name}': give each "
                                             "source its own name.").format(name=name))
    return name


def auto_dates(paths: Sequence[str]) -> List[Optional[str]]:
    """The date in each file's name (None where there is none)."""
    return [date_in_name(path) for path in paths]


def dates_text(dates: Sequence[Optional[str]]) -> str:
    """'2024-05-01, ?, 2024-07-20' for a Dates cell."""
    return ", ".join(d or UNKNOWN_DATE for d in dates)


def parse_dates(text: str, paths: Sequence[str], source: str) -> List[Optional[str]]:
    """One date per raster from a Dates cell (in the order of the rasters); an empty cell
    means the dates in the file names. InputError for a wrong count or a non-date."""
    words = [w for w in re.split(r"[,;\s]+", text.strip()) if w]
    if not words:
        return auto_dates(paths)
    if len(words) != len(paths):
        raise InputError(translate(
            "satseg", "Source '{name}': {layers} layers but {dates} dates. Give one date per "
                      "layer (YYYY-MM-DD, in the order of the layers), or clear the Dates cell "
                      "to read them from the file names.").format(
            name=source, layers=len(paths), dates=len(words)))
    out: List[Optional[str]] = []
    for word in words:
        date = None if word == UNKNOWN_DATE else parse_date(word)
        if date is None and word != UNKNOWN_DATE:
            raise InputError(translate("satseg", "Source '{name}': '{text}' is not a date: "
                                                 "write dates as 2024-05-31.")
                             .format(name=source, text=word))
        out.append(date)
    return out


@dataclass
class SourceRow:
    """One row of the extraction dialog's Sources table."""

    name: str
    paths: List[str]
    #: one per path (None: unknown, the engine then reads the files' metadata); [] = one date
    dates: List[Optional[str]] = field(default_factory=list)
    resampling: str = "auto"
    #: layer names, for messages (one per path)
    labels: List[str] = field(default_factory=list)
    #: the primary source (`images`) as a time series
    primary: bool = False

    def entry(self) -> Dict[str, Any]:
        """The job's `sources[name]`: rasters in date order with their dates."""
        if not self.paths:
            raise InputError(translate("satseg", "Source '{name}' has no layer: tick its "
                                                 "raster layers, or remove the row.")
                             .format(name=self.name))
        if self.resampling not in RESAMPLING:
            raise InputError(f"resampling {self.resampling!r} is not one of "
                             f"{', '.join(RESAMPLING)}")
        entry: Dict[str, Any] = {"rasters": list(self.paths)}
        if len(self.paths) > 1:
            entry.update(self._dated())
        entry["resampling"] = self.resampling
        return entry

    def _dated(self) -> Dict[str, Any]:
        dates = list(self.dates) or auto_dates(self.paths)
        labels = self.labels or self.paths
        if all(d is None for d in dates):
            return {}  # none known here: the engine reads the files' metadata (or says so)
        missing = [labels[i] for i, date in enumerate(dates) if date is None]
        if missing:
            raise InputError(translate(
                "satseg", "Source '{name}': no date for {layers} (none in the file name). "
                          "Type the dates in the Dates cell: one per layer, YYYY-MM-DD, in the "
                          "order of the layers.").format(name=self.name,
                                                        layers=", ".join(missing)))
        order = sorted(range(len(self.paths)), key=lambda i: str(dates[i]))
        for position in range(1, len(order)):
            before, after = order[position - 1], order[position]
            if dates[before] == dates[after]:
                raise InputError(translate(
                    "satseg", "Source '{name}': {first} and {second} have the same date "
                              "{date}. Give one layer per date (mosaic same-day scenes first) "
                              "or correct the dates.").format(
                    name=self.name, first=labels[before], second=labels[after],
                    date=dates[before]))
        return {"rasters": [self.paths[i] for i in order], "dates": [dates[i] for i in order]}


def extract_sources(rows: Sequence[SourceRow]) -> Dict[str, Dict[str, Any]]:
    """The extract job's `sources` from the table's rows (the primary first when it is a time
    series); names are checked as the engine checks them."""
    taken: List[str] = [PRIMARY]
    out: Dict[str, Dict[str, Any]] = {}
    for row in rows:
        if not row.primary:
            taken.append(check_name(row.name, taken))
        out[row.name] = row.entry()
    return out


# -- prediction -------------------------------------------------------------------------------
def layers_problem(source: SourceSummary, layers: Sequence[Tuple[str, int]]) -> str:
    """'' when the (layer name, band count) chosen for a model source fit it, else what to fix."""
    if not layers and source.temporal:
        return translate("satseg", "Source '{name}': tick its layers, one per date (at most "
                                   "{slots}).").format(name=source.name, slots=source.slots)
    if not layers:
        return translate("satseg", "Source '{name}': choose its layer (the model was trained "
                                   "with it).").format(name=source.name)
    bands = len(source.band_names)
    for label, count in layers:
        if count == bands:
            continue
        if source.temporal:
            text = translate("satseg", "Source '{name}': layer '{layer}' has {found} bands; the "
                                       "model expects {bands} ({names}) per date. Choose "
                                       "layers with the source's bands.")
        else:
            text = translate("satseg", "Source '{name}': layer '{layer}' has {found} bands; the "
                                       "model expects {bands} ({names}). Choose a layer with "
                                       "the source's bands.")
        return text.format(name=source.name, layer=label, found=count, bands=bands,
                           names=", ".join(source.band_names))
    if len(layers) > source.slots:
        return translate("satseg", "Source '{name}': {count} layers ticked; the model takes "
                                   "at most {slots} dates. Untick some.").format(
            name=source.name, count=len(layers), slots=source.slots)
    return ""


def predict_keys(sources: Sequence[SourceSummary], chosen: Dict[str, List[Tuple[str, str, int]]],
                 raster: Optional[str]) -> Dict[str, Any]:
    """The predict job's `raster` and `sources` for a model of several sources.

    `chosen`: source name -> (file path, layer name, band count) of its layers; `raster`: the
    primary image when the model does not use `images` (the grid of the prediction). Paths of a
    time series are sent in the order of the dates in their names. A single-date `images` source
    is sent as `raster` (not in `sources`); an `images` time series as `sources.images`.
    """
    keys: Dict[str, Any] = {}
    out: Dict[str, List[str]] = {}
    for source in sources:
        given = chosen.get(source.name) or []
        problem = layers_problem(source, [(label, count) for _path, label, count in given])
        if problem:
            raise InputError(problem)
        paths = [path for path, _label, _count in given]
        if source.temporal:
            paths = sorted(paths, key=lambda p: date_in_name(p) or "~")
        out[source.name] = paths
    images = next((s for s in sources if s.name == PRIMARY), None)
    if images is None:
        if not raster:
            raise InputError(translate("satseg", "Choose the raster that sets the prediction "
                                                 "grid (this model does not use the images "
                                                 "source)."))
        keys["raster"] = raster
    elif not images.temporal:
        keys["raster"] = out.pop(PRIMARY)[0]
    if out:
        keys["sources"] = out
    return keys
