"""Every user-facing string of the plugin has a French translation in i18n/satseg_fr.ts (a
string without one shows in English in a French QGIS)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from transup import (  # noqa: E402  (scripts/ is not a package)
    formatted_before_translation,
    plugin_modules,
    translated_strings,
    updated_ts,
)


def _french() -> dict:
    """Finished translations of the "satseg" context, the only one the plugin looks up (an
    entry `make transup` moved into a class's context, e.g. "GridAlgorithm", is never used)."""
    french = {}
    contexts = ET.parse(REPO / "i18n" / "satseg_fr.ts").getroot().iter("context")
    messages = [message for context in contexts if context.findtext("name") == "satseg"
                for message in context.iter("message")]
    for message in messages:
        translation = message.find("translation")
        if translation.get("type") != "unfinished" and translation.text:
            french[message.find("source").text] = translation.text
    return french


def test_every_translated_string_has_a_french_translation():
    french = _french()
    found = [(path.relative_to(REPO).as_posix(), *entry)
             for path in plugin_modules() for entry in translated_strings(path)]
    texts = {(path, text) for path, _, text, _ in found}
    assert len(texts) > 400, "the plugin's strings were found"
    assert any(path.startswith("satseg_plugin/processing/") for path, _ in texts), \
        "the Processing algorithms' self.tr strings were found"
    other_context = sorted(f"{path}:{line}: {context}" for path, context, _, line in found
                           if context != "satseg")
    assert not other_context, f"i18n/satseg_fr.ts has only the satseg context: {other_context}"
    missing = sorted(f"{path}: {text}" for path, text in texts if text not in french)
    assert not missing, f"{len(missing)} strings without French:\n" + "\n".join(missing)
    placeholders = sorted(text for _, text in texts if text in french and
                          sorted(_fields(text)) != sorted(_fields(french[text])))
    assert not placeholders, f"translations with other {{fields}}: {placeholders}"


def test_no_string_is_formatted_before_it_is_translated():
    built = [where for path in plugin_modules() for where in formatted_before_translation(path)]
    assert not built, f"f-strings passed to tr()/translate(): {built}"


def test_processing_algorithms_speak_french_with_the_compiled_translation(qgis_app, tmp_path):
    """The .ts compiled as `make transcompile` does, loaded into QGIS: a Processing algorithm's
    name, help and parameters (self.tr, a `tr = algorithm.tr` alias, tr(...).format) in French."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    from satseg_plugin.processing.grid_algorithm import GridAlgorithm

    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    qm = tmp_path / "satseg_fr.qm"
    subprocess.run([lrelease, "-silent", str(REPO / "i18n" / "satseg_fr.ts"), "-qm", str(qm)],
                   check=True, timeout=120)
    translator = QTranslator()
    assert translator.load(str(qm)), f"{qm} loads"
    QCoreApplication.installTranslator(translator)
    try:
        algorithm = GridAlgorithm()
        algorithm.initAlgorithm()
        assert algorithm.displayName() == "Grille de cellules d'imagettes"
        assert algorithm.shortHelpString().endswith("Exécute `satseg grid`.")
        described = {name: algorithm.parameterDefinition(name).description()
                     for name in ("INPUT", "PATCH_SIZE", "TRAIN_SHARE", "EXTENT")}
        assert described == {"INPUT": "Raster d'image",
                             "PATCH_SIZE": "Taille des cellules (imagettes) en pixels",
                             "TRAIN_SHARE": "Part des cellules (entraînement)",
                             "EXTENT": "Uniquement dans cette emprise"}
        assert algorithm.outputDefinition("CELLS").description() == "Cellules"
        assert algorithm.outputDefinition("TRAIN_CELLS").description() == \
            "Cellules (entraînement)"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert GridAlgorithm().displayName() == "Grid of patch cells", "English without it"


def test_transup_keeps_translations_drops_unused_texts_and_appends_new_ones():
    """`make transup` (scripts/transup.py) on a small .ts: what a translator would lose or
    miss if it went wrong."""
    ts = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1">\n'
          "<context>\n    <name>satseg</name>\n"
          '    <message>\n        <location filename="../old.py" line="3" />\n'
          "        <source>Kept &amp; moved</source>\n"
          "        <translation>Gardé &amp; déplacé</translation>\n    </message>\n"
          '    <message>\n        <location filename="../old.py" line="9" />\n'
          "        <source>No longer used</source>\n"
          "        <translation>Plus utilisé</translation>\n    </message>\n"
          "</context>\n<context>\n    <name>GridAlgorithm</name>\n"
          '    <message>\n        <location filename="../grid.py" line="1" />\n'
          "        <source>Other context</source>\n"
          "        <translation>Autre contexte</translation>\n    </message>\n"
          "</context>\n</TS>\n")
    used = {"Kept & moved": ("../satseg_plugin/new.py", 42),
            "Brand new {n}": ("../satseg_plugin/new.py", 50)}
    root = ET.fromstring(updated_ts(ts, used))
    assert [c.findtext("name") for c in root.iter("context")] == ["satseg"]
    rows = [(m.findtext("source"), m.find("translation").text, m.find("translation").get("type"),
             m.find("location").get("filename"), m.find("location").get("line"))
            for m in root.iter("message")]
    assert rows == [("Kept & moved", "Gardé & déplacé", None, "../satseg_plugin/new.py", "42"),
                    ("Brand new {n}", None, "unfinished", "../satseg_plugin/new.py", "50")]


def test_the_ts_holds_no_text_the_plugin_no_longer_uses():
    """A stale entry is dead weight for translators (run `make transup` to drop it)."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "transup.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    stale = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert not stale, "\n".join(stale)


def _fields(text: str) -> list:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
