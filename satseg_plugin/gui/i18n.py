"""Translations: every user-facing string goes through `translate("satseg", text)`.

The context is written out at each call, so any reader (and `make transup`, scripts/transup.py,
which collects these calls and the Processing algorithms' `self.tr`) sees which context of
i18n/satseg_*.ts a text belongs to.
"""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

from ..paths import i18n_path

CONTEXT = "satseg"


def translate(context: str, text: str) -> str:
    """`text` translated into the user's language (context is always "satseg")."""
    return QCoreApplication.translate(context, text)


def tr(text: str) -> str:
    """Translate a string that is not a literal (e.g. built elsewhere) in the plugin context."""
    return QCoreApplication.translate(CONTEXT, text)


def user_language() -> str:
    """Two-letter language of QGIS's user interface ("fr" for "fr_FR")."""
    locale = QgsSettings().value("locale/userLocale", "", type=str) or QLocale.system().name()
    return locale[:2].lower()


def install_translator(language: Optional[str] = None) -> Optional[QTranslator]:
    """Load and install ``i18n/satseg_<lang>.qm`` if it exists; the caller keeps (and later
    removes) the returned translator. None when there is no translation for the language."""
    language = language or user_language()
    qm = i18n_path(f"satseg_{language}.qm")
    if not qm.is_file():
        return None
    translator = QTranslator()
    if not translator.load(str(qm)):
        return None
    QCoreApplication.installTranslator(translator)
    return translator
