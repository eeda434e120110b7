"""Every user-facing string of the plugin has a French translation in i18n/satseg_fr.ts (a
string without one shows in English in a French QGIS)."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def translated_strings(path: Path) -> list:
    """The literal texts of `translate("satseg", "...")` calls in a module."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "translate" and \
                len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args):
            out.append(node.args[1].value)
    return out


def test_every_translated_string_has_a_french_translation():
    french = {}
    for message in ET.parse(REPO / "i18n" / "satseg_fr.ts").iter("message"):
        translation = message.find("translation")
        if translation.get("type") != "unfinished" and translation.text:
            french[message.find("source").text] = translation.text
    texts = {(path.relative_to(REPO).as_posix(), text)
             for path in sorted((REPO / "satseg_plugin").rglob("*.py"))
             for text in translated_strings(path)}
    assert len(texts) > 400, "the plugin's strings were found"
    missing = sorted(f"{path}: {text}" for path, text in texts if text not in french)
    assert not missing, "\n".join(missing)
    placeholders = sorted(text for _, text in texts if text in french and
                          sorted(_fields(text)) != sorted(_fields(french[text])))
    assert not placeholders, f"translations with other {{fields}}: {placeholders}"


def _fields(text: str) -> list:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
