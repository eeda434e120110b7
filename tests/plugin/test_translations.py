"""Every user-facing string of the plugin has a French translation in i18n/satseg_fr.ts (a
string without one shows in English in a French QGIS)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: one-argument translators of the "satseg" context: `SatsegAlgorithm.tr` (called as
#: `self.tr`, `algorithm.tr` or a local `tr = self.tr`) and `gui.i18n.tr`
ONE_ARGUMENT = "tr"
#: two-argument translators: `translate("satseg", ...)` and `QCoreApplication.translate(...)`
TWO_ARGUMENTS = "translate"


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def translated_strings(path: Path) -> list[tuple[str, str, int]]:
    """(context, text, line) of the literal texts a module translates: `translate("satseg",
    "...")`, `QCoreApplication.translate("satseg", "...")` and `self.tr("...")`-style calls."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name, args = _called_name(node), node.args
        if name == TWO_ARGUMENTS and len(args) == 2 and all(_literal(a) for a in args):
            out.append((args[0].value, args[1].value, node.lineno))
        elif name == ONE_ARGUMENT and len(args) == 1 and _literal(args[0]):
            out.append(("satseg", args[0].value, node.lineno))
    return out


def formatted_before_translation(path: Path) -> list[str]:
    """`tr(f"...")` / `translate("satseg", f"...")` calls: the text looked up is built at run
    time, so no entry of the .ts can ever match it (format after translating instead)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _called_name(node) in (ONE_ARGUMENT, TWO_ARGUMENTS) \
                and any(isinstance(a, ast.JoinedStr) for a in node.args):
            out.append(f"{path.relative_to(REPO).as_posix()}:{node.lineno}")
    return out


def _plugin_modules() -> list[Path]:
    return sorted((REPO / "satseg_plugin").rglob("*.py"))


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
             for path in _plugin_modules() for entry in translated_strings(path)]
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
    built = [where for path in _plugin_modules() for where in formatted_before_translation(path)]
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
                             "TRAIN_SHARE": "Part des cellules train",
                             "EXTENT": "Uniquement dans cette emprise"}
        assert algorithm.outputDefinition("CELLS").description() == "Cellules"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert GridAlgorithm().displayName() == "Grid of patch cells", "English without it"


def _fields(text: str) -> list:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
