"""`make transup`: bring i18n/satseg_fr.ts up to date with the plugin's translatable strings.

The plugin looks every string up in one context, "satseg": `translate("satseg", "...")` calls
and the one-argument `tr("...")` of the Processing algorithms (`SatsegAlgorithm.tr`, also called
as `algorithm.tr` or through a local `tr = self.tr`). pylupdate5 would file the latter under each
class's own context and drop their "satseg" translations, so this script does the update itself:
entries whose text is still in the code are kept (translation and order), texts no longer used
are dropped, new texts are appended as unfinished, and every location is refreshed.

    python3 scripts/transup.py [--check]     (--check: list the texts the update would add or
                                              drop, exit 1 if there are any)
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
TS = REPO / "i18n" / "satseg_fr.ts"
CONTEXT = "satseg"
#: one-argument translators of the "satseg" context (`SatsegAlgorithm.tr` and its aliases)
ONE_ARGUMENT = "tr"
#: two-argument translators: `translate("satseg", ...)`, `QCoreApplication.translate(...)` and
#: `QT_TRANSLATE_NOOP("satseg", ...)` (marked here, translated where it is shown)
TWO_ARGUMENTS = ("translate", "QT_TRANSLATE_NOOP")


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
        if name in TWO_ARGUMENTS and len(args) == 2 and all(_literal(a) for a in args):
            out.append((args[0].value, args[1].value, node.lineno))
        elif name == ONE_ARGUMENT and len(args) == 1 and _literal(args[0]):
            out.append((CONTEXT, args[0].value, node.lineno))
    return out


def formatted_before_translation(path: Path) -> list[str]:
    """`tr(f"...")` / `translate("satseg", f"...")` calls: the text looked up is built at run
    time, so no entry of the .ts can ever match it (format after translating instead)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _called_name(node) in (ONE_ARGUMENT, *TWO_ARGUMENTS) \
                and any(isinstance(a, ast.JoinedStr) for a in node.args):
            out.append(f"{path.relative_to(REPO).as_posix()}:{node.lineno}")
    return out


def plugin_modules() -> list[Path]:
    return sorted((REPO / "satseg_plugin").rglob("*.py"))


def code_strings() -> dict[str, tuple[str, int]]:
    """text -> (file relative to i18n/, line) of its first use, in the satseg context."""
    found: dict[str, tuple[str, int]] = {}
    for path in plugin_modules():
        for context, text, line in translated_strings(path):
            if context == CONTEXT:
                found.setdefault(text, (f"../{path.relative_to(REPO).as_posix()}", line))
    return found


def _message(text: str, where: tuple[str, int], translation: str | None) -> str:
    filename, line = where
    translated = (f"<translation>{escape(translation)}</translation>" if translation else
                  '<translation type="unfinished" />')
    return (f'    <message>\n        <location filename="{escape(filename)}" line="{line}" />\n'
            f"        <source>{escape(text)}</source>\n        {translated}\n    </message>\n")


def updated_ts(ts_text: str, used: dict[str, tuple[str, int]]) -> str:
    """The .ts text with the satseg context's messages kept, dropped or appended (see above)."""
    import xml.etree.ElementTree as ET

    kept: dict[str, str | None] = {}
    for context in ET.fromstring(ts_text).iter("context"):
        if context.findtext("name") != CONTEXT:
            continue
        for message in context.iter("message"):
            translation = message.find("translation")
            finished = translation is not None and translation.get("type") != "unfinished"
            kept.setdefault(message.findtext("source") or "",
                            translation.text if finished and translation is not None else None)
    order = [text for text in kept if text in used] + [t for t in used if t not in kept]
    body = "".join(_message(text, used[text], kept.get(text)) for text in order)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1">\n'
            f"<context>\n    <name>{CONTEXT}</name>\n{body}</context>\n</TS>\n")


def _sources(ts_text: str) -> set[str]:
    import xml.etree.ElementTree as ET

    return {message.findtext("source") or "" for message in ET.fromstring(ts_text).iter("message")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="list the texts the update would add or drop; exit 1 if any")
    args = parser.parse_args()
    current = TS.read_text(encoding="utf-8")
    used = code_strings()
    new = updated_ts(current, used)
    if args.check:
        before, after = _sources(current), _sources(new)
        for sign, texts in (("+", after - before), ("-", before - after)):
            for text in sorted(texts):
                print(f"{sign} {text}")
        return int(before != after)
    TS.write_text(new, encoding="utf-8")
    unfinished = new.count('type="unfinished"')
    print(f"{TS.relative_to(REPO)}: {len(used)} strings, {unfinished} without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
