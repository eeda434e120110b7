"""Session fixtures of the engine reliability matrix: real inputs made once with the real CLI.

`world` runs `satseg sample` (128² px, 3 bands), `grid` (32-px cells, random split), `extract`
and a one-epoch `train` of a tiny custom U-Net, all as subprocesses, and hands their outputs to
every case; cases copy what they damage into their own `tmp_path`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import check_done, run_cli
from world import PATCH, World


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("world")
    check_done(run_cli("sample", "--output-dir", root / "sample", "--width", 128, "--height",
                       128, "--bands", 3))
    scene, labels = root / "sample" / "scene.tif", root / "sample" / "labels.tif"
    check_done(run_cli("grid", "--image", scene, "--labels", labels, "--output",
                       root / "grid.gpkg", "--patch-size", PATCH, "--split-method", "random"))
    w = World(root, scene, labels, root / "sample" / "labels.gpkg", root / "grid.gpkg",
              root / "dataset", root / "model")
    check_done(run_cli("extract", *w.extract_args(w.dataset)))
    check_done(run_cli("train", *w.train_args(w.model)))
    return w
