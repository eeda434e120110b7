"""Build the plugin zip that QGIS's "Install from ZIP" accepts, and optionally deploy it.

Layout of the zip (one top-level folder, the plugin's module name):
    satseg_plugin/metadata.txt, __init__.py, core/, gui/ ...   the plugin
    satseg_plugin/resources/                                  icons
    satseg_plugin/i18n/*.qm                                   compiled translations
    satseg_plugin/engine/                                     the engine source it installs
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLUGIN = "satseg_plugin"
SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
ENGINE_FILES = ("pyproject.toml", "README.md", "requirements.txt", "constraints.txt")


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()
                  and not SKIP_PARTS.intersection(p.relative_to(root).parts)
                  and p.suffix not in SKIP_SUFFIXES and not p.name.endswith(".egg-info"))


def plugin_members() -> dict[str, Path]:
    """Archive name → source file."""
    members: dict[str, Path] = {f"{PLUGIN}/metadata.txt": REPO / "metadata.txt"}
    for path in _files(REPO / PLUGIN):
        members[f"{PLUGIN}/{path.relative_to(REPO / PLUGIN).as_posix()}"] = path
    for path in _files(REPO / "resources"):
        members[f"{PLUGIN}/resources/{path.relative_to(REPO / 'resources').as_posix()}"] = path
    qm_files = sorted((REPO / "i18n").glob("*.qm"))
    if not qm_files:
        sys.exit("no compiled translations in i18n/: run `make transcompile` first")
    for path in qm_files:
        members[f"{PLUGIN}/i18n/{path.name}"] = path
    for name in ENGINE_FILES:
        members[f"{PLUGIN}/engine/{name}"] = REPO / "engine" / name
    for path in _files(REPO / "engine" / "satseg_engine"):
        rel = path.relative_to(REPO / "engine").as_posix()
        if ".egg-info" not in rel:
            members[f"{PLUGIN}/engine/{rel}"] = path
    return members


def build(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in plugin_members().items():
            archive.write(path, name)
    partial.replace(output)
    return output


def deploy(archive: Path, plugins_dir: Path) -> Path:
    """Replace the installed plugin folder with the zip's content."""
    target = plugins_dir / PLUGIN
    plugins_dir.mkdir(parents=True, exist_ok=True)
    staging = plugins_dir / f".{PLUGIN}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(staging)
    shutil.rmtree(target, ignore_errors=True)
    (staging / PLUGIN).replace(target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=REPO / "build" / "satseg_plugin.zip")
    parser.add_argument("--deploy", type=Path, help="a QGIS profile's python/plugins folder")
    args = parser.parse_args()
    archive = build(args.output)
    print(f"plugin zip: {archive} ({archive.stat().st_size / 1024:.0f} KiB)")
    if args.deploy:
        print(f"deployed to {deploy(archive, args.deploy)}")


if __name__ == "__main__":
    main()
