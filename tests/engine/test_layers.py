"""The engine's package map holds: no import circles, and no package reaches a later floor.

Every `import` in the engine (module level and inside functions alike: a lazy import is still a
dependency) is read with `ast`, resolved to an engine module, and checked against the table of
floors that docs/architecture.md draws. A new package must be added to the table (and the doc).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "engine" / "satseg_engine"

#: package -> the engine packages its modules may import (besides itself and the top package).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "geo": {"core"},
    "data": {"core", "geo"},
    "models": {"core"},
    "synth": {"core", "geo"},
    "training": {"core", "geo", "data", "models"},
    "search": {"core", "geo", "data", "models", "training"},
    "prediction": {"core", "geo", "data", "models", "vectorization"},
    "export": {"core", "data", "models", "prediction"},
    "evaluation": {"core", "geo"},
    "vectorization": {"core", "geo", "models"},
    "pictures": {"core", "geo", "data"},
    "verbs": {"core", "geo", "data", "models", "synth", "training", "search", "prediction",
              "export", "evaluation", "pictures", "vectorization"},
}
TOP_LEVEL = {"satseg_engine", "satseg_engine.__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def engine_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Engine modules imported anywhere in the file (`from pkg import mod` counts as mod)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module
                       for a in node.names]
        else:
            continue
        found.update(t for t in targets if t.split(".")[0] == "satseg_engine")
    return found & known


def graph() -> dict[str, set[str]]:
    modules = engine_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) - {name} for name, path in modules.items()}


def floor(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and module not in TOP_LEVEL else None


def test_every_package_is_on_the_map():
    packages = {floor(m) for m in engine_modules()} - {None}
    assert packages == set(ALLOWED), "add the new package to ALLOWED and docs/architecture.md"


def test_no_module_imports_a_later_floor_or_a_verb():
    wrong = []
    for module, targets in graph().items():
        mine = floor(module)
        for target in targets:
            theirs = floor(target)
            if mine == theirs == "verbs":
                wrong.append(f"{module} imports {target} (a verb never imports another verb)")
            if mine is None or theirs is None or theirs == mine:
                continue
            if theirs not in ALLOWED[mine]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports across floors the map forbids:\n" + "\n".join(sorted(wrong))


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path of modules, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(edges):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(edges[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child):], child]
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(edges.get(child, ())))))
                path.append(child)
    return None


def test_no_import_circles():
    cycle = find_cycle(graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(("edges", "circular"), [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
    ({"a": {"b"}, "b": {"a"}}, True),
    ({"a": {"b", "c"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}, True),
    ({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}, False),  # a diamond is no circle
])
def test_the_circle_finder_itself(edges, circular):
    assert (find_cycle(edges) is not None) == circular


def test_the_import_reader_sees_lazy_and_relative_imports(tmp_path):
    fake = tmp_path / "satseg_engine" / "geo"
    fake.mkdir(parents=True)
    (fake / "grids.py").write_text("def f():\n    from ..verbs import grid\n"
                                   "from . import rasters\n", encoding="utf-8")
    known = {"satseg_engine.verbs.grid", "satseg_engine.geo.rasters", "satseg_engine.verbs"}
    found = imports_of("satseg_engine.geo.grids", fake / "grids.py", known)
    assert found == {"satseg_engine.verbs.grid", "satseg_engine.geo.rasters"}
