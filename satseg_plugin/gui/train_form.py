"""The training options: one widget per `satseg train` job key, built from a table of fields.

`TrainForm.values()` gives every key as a flat dict ("model.encoder": …), `set_values()` takes
one back (keys the form does not show are kept and passed through), and widgets that do not
apply to the current choices (the encoder of a custom U-Net, the Tversky parameters of a Dice
loss…) are disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from qgis.gui import QgsCollapsibleGroupBox, QgsFileWidget
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QDoubleValidator
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core import train_job, weight_sets
from ..core.engine_command import ALL_GPUS
from .i18n import translate


@dataclass
class Field:
    """One job key: its widget kind, label and limits. kind: int, float, number (free text,
    scientific notation allowed), optional (number or empty = null), bool, choice,
    optional_choice (a choice or "(none)" = null), file."""

    key: str
    kind: str
    label: str
    low: float = 0.0
    high: float = 1e9
    decimals: int = 2
    choices: Sequence[str] = ()
    default: Any = None


def sections() -> List[Tuple[str, bool, List[Field]]]:
    """(group title, advanced (collapsed), fields), in the order shown."""
    return [
        (translate("satseg", "Model"), False, [
            Field("model.architecture", "choice", translate("satseg", "Architecture:")),
            Field("model.encoder", "choice", translate("satseg", "Encoder:")),
            Field("model.encoder_weights", "optional_choice",
                  translate("satseg", "Pretrained weights:")),
            Field("model.depth", "int", translate("satseg", "U-Net depth:"), 1, 6, default=4),
            Field("model.base_width", "int", translate("satseg", "U-Net base width:"), 4, 256,
                  default=64),
            Field("model.dropout", "float", translate("satseg", "Dropout:"), 0, 0.9, default=0.1),
        ]),
        (translate("satseg", "Loss"), False, [
            Field("loss.name", "choice", translate("satseg", "Loss:"),
                  choices=("dice_ce",), default="dice_ce"),  # the rest from `satseg models`
            Field("loss.class_weights", "choice", translate("satseg", "Class weights:"),
                  choices=("none", "inverse", "median", "sqrt_median", "rare", "rare_sqrt"),
                  default="none"),
            Field("data.class_balanced", "bool",
                  translate("satseg", "Draw patches with rare classes more often"), default=False),
            Field("loss.focal_gamma", "float",
                  translate("satseg", "Focal gamma:"), 0, 10, default=2.0),
            Field("loss.focal_alpha", "optional", translate("satseg", "Focal alpha (empty = off):"),
                  0, 1),
            Field("loss.tversky_alpha", "float", translate("satseg", "Tversky alpha (FP):"), 0, 1,
                  default=0.3),
            Field("loss.tversky_beta", "float", translate("satseg", "Tversky beta (FN):"), 0, 1,
                  default=0.7),
            Field("loss.ce_weight", "float", translate("satseg", "CE weight:"), 0, 100,
                  default=1.0),
            Field("loss.dice_weight", "float",
                  translate("satseg", "Dice weight:"), 0, 100, default=1.0),
            Field("loss.focal_weight", "float", translate("satseg", "Focal weight:"), 0, 100,
                  default=1.0),
            Field("loss.lovasz_weight", "float", translate("satseg", "Lovász weight:"), 0, 100,
                  default=1.0),
            Field("loss.tversky_weight", "float", translate("satseg", "Tversky weight:"), 0, 100,
                  default=1.0),
            Field("loss.label_smoothing", "float", translate("satseg", "Label smoothing:"), 0, 0.5,
                  default=0.0),
        ]),
        (translate("satseg", "Optimiser and schedule"), False, [
            Field("optim.optimizer", "choice", translate("satseg", "Optimiser:"),
                  choices=("adamw", "adam", "sgd"), default="adamw"),
            Field("optim.lr", "number", translate("satseg", "Learning rate:"), 0, 10, default=1e-3),
            Field("optim.encoder_lr", "optional",
                  translate("satseg", "Encoder lr (empty = lr):"), 0, 10),
            Field("schedule.name", "choice", translate("satseg", "Schedule:"),
                  choices=("none", "cosine", "onecycle", "step", "plateau"), default="cosine"),
            Field("schedule.warmup_epochs", "int", translate("satseg", "Warm-up epochs:"), 0, 1000,
                  default=0),
            Field("optim.freeze_encoder_epochs", "int",
                  translate("satseg", "Frozen encoder epochs:"),
                  0, 1000, default=0),
        ]),
        (translate("satseg", "Training"), False, [
            Field("epochs", "int", translate("satseg", "Epochs:"), 1, 10000, default=50),
            Field("batch_size", "int", translate("satseg", "Batch size:"), 1, 4096, default=8),
            Field("amp", "choice",
                  translate("satseg", "Precision:"), choices=("off", "fp16", "bf16"),
                  default="off"),
            Field("device", "choice",
                  translate("satseg", "Device:"), choices=("auto", "cpu", "cuda"),
                  default="auto"),
            Field("early_stopping.patience", "int",
                  translate("satseg", "Early stopping patience (0 = off):"), 0, 10000, default=0),
            Field("early_stopping.monitor", "choice",
                  translate("satseg", "Early stopping watches:"),
                  choices=("miou", "loss", "mean_f1", "accuracy"), default="miou"),
            Field("kfold.folds", "int",
                  translate("satseg", "Cross-validation folds (0 = off):"), 0, 20,
                  default=0),
        ]),
        (translate("satseg", "Advanced"), True, [
            Field("data.normalization", "choice", translate("satseg", "Normalisation:"),
                  choices=("percentile_2_98", "percentile_1_99", "standardize", "sigma_clip",
                           "minmax", "none", "weights"), default="percentile_2_98"),
            Field("augment.enabled", "bool", translate("satseg", "Augment training patches"),
                  default=True),
            Field("augment.flips", "bool", translate("satseg", "Flips"), default=True),
            Field("augment.rotate90", "bool", translate("satseg", "90° rotations"), default=True),
            Field("augment.scale", "float",
                  translate("satseg", "Zoom (max):"), 0, 0.5, default=0.1),
            Field("augment.shift", "float",
                  translate("satseg", "Shift (max):"), 0, 0.5, default=0.1),
            Field("augment.brightness", "float", translate("satseg", "Brightness (max):"), 0, 2,
                  default=0.1),
            Field("augment.contrast", "float", translate("satseg", "Contrast (max):"), 0, 0.9,
                  default=0.1),
            Field("augment.noise", "float",
                  translate("satseg", "Noise std:"), 0, 1, 3, default=0.02),
            Field("augment.probability", "float",
                  translate("satseg", "Augmentation probability:"), 0,
                  1, default=0.5),
            Field("data.num_workers", "int", translate("satseg", "Data loader workers:"), 0, 64,
                  default=2),
            Field("data.steps_per_epoch", "int",
                  translate("satseg", "Batches per epoch (0 = all):"), 0,
                  1000000, default=0),
            Field("data.cache_mb", "int",
                  translate("satseg", "Patches held in memory up to (MB, 0 = off):"), 0,
                  1048576, default=2048),
            Field("optim.weight_decay", "number", translate("satseg", "Weight decay:"), 0, 10,
                  default=1e-4),
            Field("optim.momentum", "float",
                  translate("satseg", "SGD momentum:"), 0, 1, default=0.9),
            Field("optim.grad_clip", "float",
                  translate("satseg", "Gradient clipping (0 = off):"), 0,
                  1000, default=0.0),
            Field("schedule.min_lr_factor", "number", translate("satseg", "Final lr factor:"), 0, 1,
                  default=0.01),
            Field("schedule.warmup_start_factor", "number",
                  translate("satseg", "Warm-up start factor:"), 1e-4, 1, default=0.1),
            Field("schedule.step_size", "int", translate("satseg", "Step: epochs per decay:"), 1,
                  10000, default=10),
            Field("schedule.gamma", "float", translate("satseg", "Step: decay factor:"), 0, 1,
                  default=0.1),
            Field("schedule.plateau_patience", "int", translate("satseg", "Plateau: patience:"), 0,
                  1000, default=3),
            Field("schedule.plateau_factor", "float",
                  translate("satseg", "Plateau: decay factor:"), 0,
                  1, default=0.5),
            Field("early_stopping.min_delta", "number", translate("satseg", "Early stopping min. "
                                                                    "change:"), 0, 1e6,
                  default=0.0),
            Field("kfold.group_by", "choice", translate("satseg", "Folds group by:"),
                  choices=("image", "patch"), default="image"),
            Field("model.encoder_weights_path", "file",
                  translate("satseg", "Pretrained encoder weights (file):")),
            Field("task", "choice", translate("satseg", "Task:"),
                  choices=("auto", "binary", "multiclass"), default="auto"),
            Field("threshold", "float",
                  translate("satseg", "Binary threshold:"), 0, 1, default=0.5),
            Field("seed", "int", translate("satseg", "Random seed:"), 0, 2**31 - 1, default=42),
            Field("deterministic", "bool", translate("satseg", "Deterministic"), default=False),
            Field("channels_last", "bool", translate("satseg", "Channels-last memory format"),
                  default=False),
            Field("data.pin_memory", "bool", translate("satseg", "Pin memory (GPU)"), default=True),
        ]),
    ]


def _uses(loss_key: str) -> Callable[[Dict[str, Any], "TrainForm"], bool]:
    return lambda v, form: loss_key in train_job.loss_parameters(v["loss.name"],
                                                                form.loss_terms)


#: key -> when its widget applies (flat values, form); keys not listed always apply
APPLIES: Dict[str, Callable[[Dict[str, Any], "TrainForm"], bool]] = {
    "model.encoder": lambda v, f: f.uses_encoder(v["model.architecture"]),
    "optim.encoder_lr": lambda v, f: f.uses_encoder(v["model.architecture"]),
    "optim.freeze_encoder_epochs": lambda v, f: f.uses_encoder(v["model.architecture"]),
    "model.encoder_weights_path": lambda v, f: f.uses_encoder(v["model.architecture"]),
    "model.encoder_weights": lambda v, f: f.uses_encoder(v["model.architecture"]),
    "model.depth": lambda v, _f: v["model.architecture"] == "custom_unet",
    "model.base_width": lambda v, _f: v["model.architecture"] == "custom_unet",
    "model.dropout": lambda v, _f: v["model.architecture"] == "custom_unet",
    "optim.momentum": lambda v, _f: v["optim.optimizer"] == "sgd",
    "schedule.min_lr_factor": lambda v, _f: v["schedule.name"] in ("cosine", "onecycle"),
    "early_stopping.monitor": lambda v, _f: v["early_stopping.patience"] > 0,
    "early_stopping.min_delta": lambda v, _f: v["early_stopping.patience"] > 0,
    "kfold.group_by": lambda v, _f: v["kfold.folds"] >= 2,
    "schedule.warmup_start_factor": lambda v, _f: v["schedule.warmup_epochs"] > 0,
    "schedule.step_size": lambda v, _f: v["schedule.name"] == "step",
    "schedule.gamma": lambda v, _f: v["schedule.name"] == "step",
    "schedule.plateau_patience": lambda v, _f: v["schedule.name"] == "plateau",
    "schedule.plateau_factor": lambda v, _f: v["schedule.name"] == "plateau",
    "threshold": lambda v, _f: v["task"] != "multiclass",
    **{f"augment.{k}": (lambda v, _f: bool(v["augment.enabled"]))
       for k in ("flips", "rotate90", "scale", "shift", "brightness", "contrast", "noise",
                 "probability")},
    **{key: _uses(key) for key in (
        "loss.focal_gamma", "loss.focal_alpha", "loss.tversky_alpha", "loss.tversky_beta",
        "loss.ce_weight", "loss.dice_weight", "loss.focal_weight", "loss.lovasz_weight",
        "loss.tversky_weight", "loss.label_smoothing")},
}


class TrainForm(QWidget):
    """Every training option as a widget; `values()` / `set_values()` in flat keys."""

    #: some value changed (for re-checking the job)
    changed = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.fields: Dict[str, Field] = {}
        self.widgets: Dict[str, QWidget] = {}
        self.architectures: Dict[str, Dict[str, Any]] = {}
        self.loss_terms: Dict[str, List[str]] = {}
        self.default_architecture = ""
        self.default_encoder = ""
        #: the engine's named weight sets, and the dataset's band names (to count matches)
        self.weight_sets: List[Dict[str, Any]] = []
        self.band_names: List[str] = []
        self._weights_encoder: Optional[str] = None
        #: keys loaded from a job file that the form has no widget for (passed through)
        self.extra: Dict[str, Any] = {}
        self.groups: Dict[str, QGroupBox] = {}
        #: CUDA devices `doctor` reported: with 2 or more, "all GPUs" is a device choice
        self.gpu_count = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._sections = sections()
        for title, advanced, fields in self._sections:
            box = QgsCollapsibleGroupBox(title) if advanced else QGroupBox(title)
            if advanced:
                box.setCollapsed(True)
            grid = QGridLayout(box) if not advanced else None
            form = QFormLayout() if grid is None else None
            if form is not None:
                box.setLayout(form)
            for index, spec in enumerate(fields):
                widget = self._make_widget(spec)
                if form is not None:
                    form.addRow(*(("", widget) if spec.kind == "bool" else (spec.label, widget)))
                else:  # two columns of label + widget
                    row, column = divmod(index, 2)
                    if spec.kind == "bool":
                        grid.addWidget(widget, row, column * 2, 1, 2)
                    else:
                        grid.addWidget(QLabel(spec.label), row, column * 2)
                        grid.addWidget(widget, row, column * 2 + 1)
            self.groups[title] = box
            layout.addWidget(box)
        self.advanced_box = box
        self.update_enabled()

    # -- widgets ----------------------------------------------------------------------------
    def _make_widget(self, spec: Field) -> QWidget:
        if spec.kind == "int":
            widget = QSpinBox()
            widget.setRange(int(spec.low), int(min(spec.high, 2**31 - 1)))
            widget.valueChanged.connect(self._changed)
        elif spec.kind == "float":
            widget = QDoubleSpinBox()
            widget.setDecimals(spec.decimals)
            widget.setRange(spec.low, spec.high)
            widget.setSingleStep(10 ** -spec.decimals * (5 if spec.decimals > 1 else 1))
            widget.valueChanged.connect(self._changed)
        elif spec.kind in ("number", "optional"):
            widget = QLineEdit()
            validator = QDoubleValidator(spec.low, spec.high, 10, widget)
            validator.setNotation(QDoubleValidator.ScientificNotation)
            widget.setValidator(validator)
            widget.textChanged.connect(self._changed)
        elif spec.kind == "bool":
            widget = QCheckBox(spec.label)
            widget.toggled.connect(self._changed)
        elif spec.kind in ("choice", "optional_choice"):
            widget = QComboBox()
            if spec.kind == "optional_choice":
                widget.addItem(translate("satseg", "(none)"), "")
            for choice in spec.choices:
                widget.addItem(choice, choice)
            widget.currentIndexChanged.connect(self._changed)
        elif spec.kind == "file":
            widget = QgsFileWidget()
            widget.setStorageMode(QgsFileWidget.GetFile)
            widget.fileChanged.connect(self._changed)
        else:
            raise ValueError(f"unknown field kind {spec.kind!r}")
        widget.setObjectName(spec.key)
        self.fields[spec.key] = spec
        self.widgets[spec.key] = widget
        if spec.default is not None:
            self._set(spec.key, spec.default)
        return widget

    def _changed(self, *_args: Any) -> None:
        if len(self.widgets) < sum(len(fields) for _, _, fields in self._sections):
            return  # still building
        self.update_enabled()
        self.changed.emit()

    def _get(self, key: str) -> Any:
        spec, widget = self.fields[key], self.widgets[key]
        if spec.kind in ("int", "float"):
            return widget.value()
        if spec.kind in ("number", "optional"):
            text = widget.text().strip().replace(",", ".")
            if not text:
                return None if spec.kind == "optional" else spec.default
            try:
                return float(text)
            except ValueError:
                return spec.default
        if spec.kind == "bool":
            return widget.isChecked()
        if spec.kind == "choice":
            return widget.currentData() if widget.currentIndex() >= 0 else ""
        if spec.kind == "optional_choice":
            return widget.currentData() or None
        return widget.filePath().strip() or None  # file

    def _set(self, key: str, value: Any) -> None:
        spec, widget = self.fields[key], self.widgets[key]
        if spec.kind in ("int", "float"):
            widget.setValue(value)
        elif spec.kind in ("number", "optional"):
            widget.setText("" if value is None else f"{float(value):g}")
        elif spec.kind == "bool":
            widget.setChecked(bool(value))
        elif spec.kind in ("choice", "optional_choice"):
            value = "" if value is None and spec.kind == "optional_choice" else value
            index = widget.findData(value)
            if index < 0 and value not in (None, ""):  # keep a value the list does not hold
                widget.addItem(str(value), value)
                index = widget.count() - 1
            widget.setCurrentIndex(index)
        else:
            widget.setFilePath("" if value is None else str(value))

    # -- values -----------------------------------------------------------------------------
    def values(self) -> Dict[str, Any]:
        """Every option as flat keys (plus loaded keys the form does not show)."""
        values = dict(self.extra)
        values.update({key: self._get(key) for key in self.fields})
        return values

    def set_values(self, values: Dict[str, Any]) -> List[str]:
        """Show `values` (flat keys); returns the keys without a widget (kept in `extra`)."""
        unknown = []
        for key, value in values.items():
            if value == train_job.ENGINE_DEFAULT:
                value = {"model.architecture": self.default_architecture,
                         "model.encoder": self.default_encoder}.get(key) or None
                if value is None:
                    continue
            if key in self.fields:
                self._set(key, value)
            else:
                self.extra[key] = value
                unknown.append(key)
        self.update_enabled()
        self.changed.emit()
        return unknown

    def apply_preset(self, name: str) -> None:
        self.set_values(train_job.preset_values(name))

    # -- models from `satseg models` -------------------------------------------------------
    def set_models(self, summary: Dict[str, Any]) -> None:
        """Fill architecture and encoder from the engine's `models` summary (keeps choices)."""
        self.architectures = {str(a["name"]): dict(a) for a in summary.get("architectures", [])}
        self.loss_terms = {str(k): list(v) for k, v in (summary.get("losses") or {}).items()}
        self.default_architecture = str(summary.get("default_architecture") or "")
        self.default_encoder = str(summary.get("default_encoder") or "")
        for key, names, default in (
                ("loss.name", list(self.loss_terms), "dice_ce"),
                ("model.architecture", list(self.architectures), self.default_architecture),
                ("model.encoder", [str(e) for e in summary.get("encoders", [])],
                 self.default_encoder)):
            combo = self.widgets[key]
            current = self._get(key) or default
            combo.blockSignals(True)
            combo.clear()
            for name in names:
                combo.addItem(name, name)
            combo.blockSignals(False)
            self._set(key, current)
        self.weight_sets = [dict(s) for s in summary.get("weight_sets") or []]
        self.refresh_weight_sets()
        self._changed()

    def set_gpu_count(self, count: int) -> None:
        """Offer "all GPUs of this machine" (torchrun, one process per GPU, batch size per
        GPU) when there are 2 GPUs or more; hide it otherwise."""
        self.gpu_count = count
        combo = self.widgets["device"]
        index = combo.findData(ALL_GPUS)
        if count >= 2 and index < 0:
            combo.addItem(translate("satseg", "all GPUs of this machine ({count})")
                          .format(count=count), ALL_GPUS)
            combo.setItemData(combo.count() - 1, translate(
                "satseg", "One training process per GPU (DistributedDataParallel through "
                "torchrun); the batch size is per GPU."), Qt.ToolTipRole)
        elif count < 2 and index >= 0:
            if combo.currentIndex() == index:
                combo.setCurrentIndex(combo.findData("auto"))
            combo.removeItem(index)

    def processes(self) -> int:
        """How many engine processes the chosen device means (1 unless "all GPUs")."""
        return self.gpu_count if self._get("device") == ALL_GPUS else 1

    def set_band_names(self, band_names: Sequence[str]) -> None:
        """The dataset's bands: each weight set says how many of them it knows by name."""
        self.band_names = [str(b) for b in band_names]
        self.refresh_weight_sets()

    def refresh_weight_sets(self) -> None:
        """List the weight sets that fit the chosen encoder (a chosen set that does not fit
        stays, marked, so a loaded job is never changed behind the user's back)."""
        combo = self.widgets["model.encoder_weights"]
        encoder = self._get("model.encoder")
        current = self._get("model.encoder_weights")
        self._weights_encoder = encoder
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(translate("satseg", "(none)"), "")
        for entry in weight_sets.fitting(self.weight_sets, encoder):
            combo.addItem(weight_sets.item_text(
                entry, encoder, self.band_names,
                translate("satseg", "{n} of {total} bands matched"),
                translate("satseg", "cached")), entry["name"])
        index = combo.findData(current or "")
        if index < 0:
            combo.addItem(translate("satseg", "{name} (does not fit {encoder})").format(
                name=current, encoder=encoder), current)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    def uses_encoder(self, architecture: str) -> bool:
        spec = self.architectures.get(architecture)
        return bool(spec.get("uses_encoder", True)) if spec else architecture != "custom_unet"

    def min_patch_size(self, architecture: str) -> int:
        return int((self.architectures.get(architecture) or {}).get("min_patch_size") or 0)

    def update_enabled(self) -> None:
        values = {key: self._get(key) for key in self.fields}
        if values["model.encoder"] != self._weights_encoder:
            self.refresh_weight_sets()
        for key, applies in APPLIES.items():
            self.widgets[key].setEnabled(bool(applies(values, self)))
