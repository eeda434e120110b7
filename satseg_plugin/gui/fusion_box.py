"""The training dialog's Fusion group: how a model combines several sources or dates.

It offers what the dataset allows: which sources the model uses (data.sources), the fusion level
(model.fusion), the mid-fusion method, how dates are handled (model.temporal), and per source an
encoder and a learning rate (model.stream_encoders, optim.stream_lr) with the fusion layers' own
learning rate (optim.fusion_lr). The names come from `satseg models` when it lists them. For a
dataset of one single-date source the group is off and says why; `values()` is then empty, so
the job stays what it was before sources existed.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QDoubleValidator
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from ..core.layers import InputError
from ..core.source_info import (
    DEFAULTS,
    SourceSummary,
    choice_list,
    fusion_applies,
    is_multisource,
    stream_network,
)
from ..core.source_jobs import source_text
from .i18n import translate

#: combo -> the `satseg models` key of its names, its job key
CHOICES = (("fusion", "fusion_levels", "model.fusion"),
           ("method", "fusion_methods", "model.fusion_method"),
           ("temporal", "temporal_modes", "model.temporal"))
ENCODER_CHARS = 14


class StreamRow:
    """One source: used or not, its encoder ("" = the model's), its learning rate."""

    def __init__(self, source: SourceSummary, encoders: Sequence[str]):
        self.use = QCheckBox(source_text(source))
        self.use.setChecked(True)
        self.use.setToolTip(", ".join(source.band_names))
        self.encoder = QComboBox()
        self.encoder.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.encoder.setMinimumContentsLength(ENCODER_CHARS)
        self.set_encoders(encoders)
        self.lr = QLineEdit()
        validator = QDoubleValidator(0.0, 10.0, 10, self.lr)
        validator.setNotation(QDoubleValidator.ScientificNotation)
        self.lr.setValidator(validator)
        self.lr.setPlaceholderText(translate("satseg", "default"))
        self.lr.setToolTip(translate("satseg", "Learning rate of this source's stream; empty: "
                                               "the encoder lr, else the lr"))
        self.lr.setMaximumWidth(90)

    def set_encoders(self, encoders: Sequence[str]) -> None:
        current = self.encoder.currentData() or ""
        self.encoder.clear()
        self.encoder.addItem(translate("satseg", "(the model's encoder)"), "")
        for name in encoders:
            self.encoder.addItem(name, name)
        set_choice(self.encoder, current)

    def widgets(self) -> Tuple[QWidget, QWidget, QWidget]:
        return self.use, self.encoder, self.lr


class FusionBox(QGroupBox):
    """The fusion choices a dataset allows; `values()` in flat job keys (a choice that does not
    apply is sent as the engine's default, which the engine requires)."""

    #: a choice changed
    changed = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(translate("satseg", "Fusion of sources and dates"), parent)
        self.sources: List[SourceSummary] = []
        self.encoders: List[str] = []
        self.defaults: Dict[str, str] = dict(DEFAULTS)
        self.rows: Dict[str, StreamRow] = {}
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.fusion, self.method, self.temporal = QComboBox(), QComboBox(), QComboBox()
        for combo in (self.fusion, self.method, self.temporal):
            combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.set_models({})
        self.fusion.setToolTip(translate("satseg", "early: sources stacked as channels of one "
                                                   "model; mid: one encoder per source, fused "
                                                   "at every scale; late: one model per source, "
                                                   "their decisions weighted"))
        self.temporal.setToolTip(translate("satseg", "How a time series is read: stack (dates "
                                                     "as channels), utae (temporal attention), "
                                                     "unet3d (3D convolutions)"))
        self.fusion_lr = QLineEdit()
        validator = QDoubleValidator(0.0, 10.0, 10, self.fusion_lr)
        validator.setNotation(QDoubleValidator.ScientificNotation)
        self.fusion_lr.setValidator(validator)
        self.fusion_lr.setMaximumWidth(90)
        self.streams = QWidget()
        self.grid = QGridLayout(self.streams)
        self.grid.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout(self)
        form.addRow(self.reason)
        form.addRow(self.streams)
        form.addRow(translate("satseg", "Fusion:"), self.fusion)
        form.addRow(translate("satseg", "Fusion method (mid):"), self.method)
        form.addRow(translate("satseg", "Dates:"), self.temporal)
        form.addRow(translate("satseg", "Fusion lr (empty = lr):"), self.fusion_lr)
        self.set_sources([])

    # -- what the engine and the dataset offer -----------------------------------------------
    def set_models(self, summary: Mapping[str, Any]) -> None:
        """Names from the engine's `models` summary (the fixed lists when it has none)."""
        self.defaults = {**DEFAULTS, **{str(k): str(v) for k, v in
                                        (summary.get("defaults") or {}).items()}}
        for attribute, key, job_key in CHOICES:
            combo: QComboBox = getattr(self, attribute)
            current = combo.currentData() or self.defaults[job_key.split(".")[1]]
            combo.blockSignals(True)
            combo.clear()
            for name, description in choice_list(summary, key):
                combo.addItem(name, name)
                if description:
                    combo.setItemData(combo.count() - 1, description, Qt.ToolTipRole)
            set_choice(combo, current)
            combo.blockSignals(False)
        self.encoders = [str(e) for e in summary.get("stream_encoders") or
                         summary.get("encoders") or []]
        for row in self.rows.values():
            row.set_encoders(self.encoders)
        self._changed()

    def set_sources(self, sources: Sequence[SourceSummary]) -> None:
        """The dataset's sources (images first); [] when no dataset is read."""
        if [(s.name, s.channels) for s in sources] == \
                [(s.name, s.channels) for s in self.sources] and self.rows:
            return
        self.sources = list(sources)
        for row in self.rows.values():
            for widget in row.widgets():
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.rows = {}
        if is_multisource(self.sources):
            for column, text in enumerate((translate("satseg", "Sources used"),
                                           translate("satseg", "Encoder"),
                                           translate("satseg", "Learning rate"))):
                if self.grid.itemAtPosition(0, column) is None:
                    self.grid.addWidget(QLabel(f"<i>{text}</i>"), 0, column)
            for index, source in enumerate(self.sources):
                row = StreamRow(source, self.encoders)
                row.use.toggled.connect(lambda _on: self._changed())
                for column, widget in enumerate(row.widgets()):
                    self.grid.addWidget(widget, index + 1, column)
                self.rows[source.name] = row
        self.streams.setVisible(bool(self.rows))
        self._changed()

    def active(self) -> bool:
        """The dataset has several sources or dates: the choices apply."""
        return is_multisource(self.sources)

    def used(self) -> List[str]:
        return [name for name, row in self.rows.items() if row.use.isChecked()]

    # -- values -----------------------------------------------------------------------------
    def values(self) -> Dict[str, Any]:
        """The fusion keys (flat); {} when the dataset has one single-date source. InputError
        when no source is ticked."""
        if not self.active():
            return {}
        used = self.used()
        if not used:
            raise InputError(translate("satseg", "Tick at least one source the model uses "
                                                 "(Fusion of sources and dates)."))
        applies = fusion_applies(self.sources, used, self.fusion.currentData())
        streams = applies["streams"]
        chosen = {job_key: getattr(self, attribute).currentData() if applies[job_key] else
                  self.defaults[job_key.split(".")[1]] for attribute, _key, job_key in CHOICES}
        encoders = {name: self.rows[name].encoder.currentData() for name in used
                    if streams and self.rows[name].encoder.currentData()}
        rates = {name: number(self.rows[name].lr.text()) for name in used
                 if streams and self.rows[name].lr.text().strip()}
        fusion_lr = number(self.fusion_lr.text()) if streams and \
            self.fusion_lr.text().strip() else None
        return {"data.sources": used, **chosen,
                "model.stream_encoders": encoders or None, "optim.stream_lr": rates or None,
                "optim.fusion_lr": fusion_lr}

    def stream_network(self) -> str:
        """"mid_fusion" / "temporal_streams" when the choices need a U-Net architecture."""
        values = self.values() if self.active() else {}
        return stream_network(self.sources, values.get("data.sources") or [],
                              str(values.get("model.fusion") or ""),
                              str(values.get("model.temporal") or ""))

    def set_values(self, flat: Mapping[str, Any]) -> None:
        """Show fusion keys of a loaded job (`model.stream_encoders.s1` or the whole dict)."""
        for attribute, _key, job_key in CHOICES:
            if flat.get(job_key):
                set_choice(getattr(self, attribute), str(flat[job_key]), add=True)
        if "data.sources" in flat:
            chosen = list(flat["data.sources"] or self.rows)
            for name, row in self.rows.items():
                row.use.setChecked(name in chosen)
        for name, encoder in per_source(flat, "model.stream_encoders").items():
            if name in self.rows:
                set_choice(self.rows[name].encoder, str(encoder or ""), add=True)
        for name, rate in per_source(flat, "optim.stream_lr").items():
            if name in self.rows:
                self.rows[name].lr.setText("" if rate is None else f"{float(rate):g}")
        if "optim.fusion_lr" in flat:
            rate = flat["optim.fusion_lr"]
            self.fusion_lr.setText("" if rate is None else f"{float(rate):g}")
        self._changed()

    # -- what applies -----------------------------------------------------------------------
    def _changed(self) -> None:
        if not hasattr(self, "streams"):
            return  # still building
        self.update_enabled()
        self.changed.emit()

    def update_enabled(self) -> None:
        active = self.active()
        applies = fusion_applies(self.sources, self.used(), self.fusion.currentData() or "")
        self.reason.setText(self.reason_text())
        self.reason.setVisible(bool(self.reason.text()))
        self.fusion.setEnabled(active and applies["model.fusion"])
        self.method.setEnabled(active and applies["model.fusion_method"])
        self.temporal.setEnabled(active and applies["model.temporal"])
        self.fusion_lr.setEnabled(active and applies["streams"])
        for row in self.rows.values():
            row.use.setEnabled(applies["data.sources"])
            for widget in (row.encoder, row.lr):
                widget.setEnabled(applies["streams"] and row.use.isChecked())

    def reason_text(self) -> str:
        """Why the choices are off ('' when they apply)."""
        if not self.sources:
            return translate("satseg", "Off until a dataset is chosen: fusion applies to "
                                       "datasets of several sources or dates.")
        if not self.active():
            return translate("satseg", "Off: the dataset has one source ({name}, one date). "
                                       "Extract it with more sources or dates (Extract "
                                       "patches ▸ Sources) to fuse them.").format(
                name=self.sources[0].name)
        return ""


def per_source(flat: Mapping[str, Any], key: str) -> Dict[str, Any]:
    """name -> value of a per-source key given whole ({key: {...}}) or flattened
    ({key.name: value})."""
    out = dict(flat.get(key) or {}) if isinstance(flat.get(key), Mapping) else {}
    out.update({k[len(key) + 1:]: v for k, v in flat.items() if k.startswith(key + ".")})
    return out


def set_choice(combo: QComboBox, value: str, add: bool = False) -> None:
    """Select `value` in `combo` (added when `add` and it is not listed)."""
    index = combo.findData(value)
    if index < 0 and add and value:
        combo.addItem(value, value)
        index = combo.count() - 1
    combo.setCurrentIndex(max(0, index))


def number(text: str) -> float:
    """A learning rate typed in a field; InputError when it is not a number."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise InputError(translate("satseg", "'{text}' is not a learning rate: write a number "
                                             "such as 1e-4, or leave the field empty.")
                         .format(text=text)) from None
