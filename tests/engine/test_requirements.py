"""The engine's two dependency lists agree: `make setup` installs engine/requirements.txt, the
plugin's "Set up engine environment" installs the engine package (engine/pyproject.toml). A
package only in the first works in a clone and is missing for plugin users (as optuna and the
ONNX packages once were: `satseg tune` and `satseg export` failed there)."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _requirements() -> dict[str, str]:
    lines = (ENGINE / "requirements.txt").read_text(encoding="utf-8").splitlines()
    kept = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return {_name(line): line.replace(" ", "") for line in kept}


def _project() -> dict[str, str]:
    data = tomllib.loads((ENGINE / "pyproject.toml").read_text(encoding="utf-8"))
    return {_name(dep): dep.replace(" ", "") for dep in data["project"]["dependencies"]}


def test_the_plugin_installs_every_package_make_setup_installs():
    missing = sorted(set(_requirements()) - set(_project()))
    assert not missing, f"in requirements.txt, not in pyproject.toml: {missing}"
    assert {"optuna", "onnxruntime", "torch", "rasterio"} <= set(_project())


def test_lower_bounds_agree():
    """A floor raised in one list (a feature needs the newer version) is raised in both."""
    floors = {}
    for source in (_requirements(), _project()):
        for name, spec in source.items():
            floor = re.search(r">=([\w.]+)", spec)
            floors.setdefault(name, set()).add(floor.group(1) if floor else None)
    differ = {name: sorted(map(str, found)) for name, found in floors.items()
              if len(found) > 1 and None not in found}
    assert not differ, f"different lower bounds: {differ}"
