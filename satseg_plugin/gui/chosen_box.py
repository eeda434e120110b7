"""The training dialog's "Chosen for this dataset" box: what the engine chose for the "auto"
options of a run, and why (its auto_defaults.json, announced as a `defaults` report artifact)."""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from .i18n import translate


class ChosenBox(QGroupBox):
    """One line per chosen option: key = value, and the reason under it."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(translate("satseg", "Chosen for this dataset"), parent)
        self.setObjectName("chosenForDataset")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        QVBoxLayout(self).addWidget(self.label)
        self.chosen: List[Dict[str, Any]] = []
        self.clear()

    def clear(self) -> None:
        self.chosen = []
        self.label.clear()
        self.setVisible(False)

    def show_chosen(self, chosen: List[Dict[str, Any]]) -> None:
        """Fill the box (hidden when nothing was chosen: every option was given)."""
        self.chosen = list(chosen)
        rows = "".join("<li><b>{}</b> = {}<br><i>{}</i></li>".format(
            html.escape(str(c.get("key", ""))), html.escape(_text(c.get("value"))),
            html.escape(str(c.get("reason", "")))) for c in self.chosen)
        self.label.setText(f"<ul>{rows}</ul>")
        self.setVisible(bool(self.chosen))

    def text(self) -> str:
        """The box's lines as plain text (key = value: reason)."""
        return "\n".join(f"{c.get('key')} = {_text(c.get('value'))}: {c.get('reason')}"
                         for c in self.chosen)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return translate("satseg", "yes") if value else translate("satseg", "no")
    return str(value)
