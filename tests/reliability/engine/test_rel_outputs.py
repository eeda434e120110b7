"""Reliability matrix, outputs: unwritable and existing outputs, a full disk, Unicode paths."""

from __future__ import annotations

import pytest
from harness import (
    Snapshot,
    assert_complete,
    check_done,
    check_refused,
    file_size_limit,
    no_temporaries,
    obey_permissions,
    run_cli,
)
from scenarios import cases_of, registry
from world import PATCH, TINY_TRAIN

SCENARIOS, scenario = registry()


def grid_args(world, output, *more):
    return ["--image", world.scene, "--output", output, "--patch-size", PATCH, *more]


@scenario
def output_unwritable(case, world, tmp_path):
    locked = tmp_path / "read-only"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        snap = Snapshot.take([tmp_path])
        result = run_cli("grid", *grid_args(world, locked / "grid.gpkg"),
                         preexec=obey_permissions)
        error = check_refused(result, case.code, snap)
        assert "read-only" in error["message"]
        assert not any(locked.iterdir())
    finally:
        locked.chmod(0o755)


@scenario
def output_exists_grid(case, world, tmp_path):
    output = tmp_path / "grid.gpkg"
    output.write_bytes(b"the user's own file")
    snap = Snapshot.take([tmp_path])
    error = check_refused(run_cli("grid", *grid_args(world, output)), case.code, snap)
    assert "overwrite" in error["hint"]


@scenario
def output_exists_extract(case, world, tmp_path):
    dataset = world.copy_dataset(tmp_path / "ds")
    snap = Snapshot.take([tmp_path])
    error = check_refused(run_cli("extract", *world.extract_args(dataset)), case.code, snap)
    assert "overwrite" in error["hint"]


@scenario
def output_overwrite(case, world, tmp_path):
    dataset = world.copy_dataset(tmp_path / "ds")
    mine = dataset / "notes.txt"
    mine.write_text("replaced with the rest")
    result = run_cli("extract", *world.extract_args(dataset, "--overwrite", "--seed", 7))
    summary = check_done(result)
    assert not mine.exists(), "the old dataset was replaced whole"
    assert summary["patches"] == 16
    for path in dataset.rglob("*"):
        if path.is_file():
            assert_complete(path)


def full_disk(case, tmp_path, verb, args, limit, final):
    snap = Snapshot.take([tmp_path])
    result = run_cli(verb, *args, preexec=file_size_limit(limit))
    check_refused(result, case.code, snap)
    no_temporaries(tmp_path)
    for path in final:
        assert not path.exists(), f"{path} is under its final name"
    return result


@scenario
def disk_full_extract(case, world, tmp_path):
    out = tmp_path / "ds"
    full_disk(case, tmp_path, "extract", world.extract_args(out), 4096, [out])
    debug = run_cli("extract", *world.extract_args(out), "--debug",
                    preexec=file_size_limit(4096))
    check_refused(debug, case.code, debug=True)
    assert "Traceback" in debug.stderr, "--debug shows where it failed"


@scenario
def disk_full_train(case, world, tmp_path):
    out = tmp_path / "model"
    full_disk(case, tmp_path, "train", world.train_args(out), 20_000, [])
    assert not (out / "last.pt").exists()


@scenario
def disk_full_predict(case, world, tmp_path):
    out = tmp_path / "out"
    full_disk(case, tmp_path, "predict", world.predict_args(out), 8192,
              [out / "scene_classes.tif", out / "scene_confidence.tif"])


@scenario
def unicode_paths(case, world, tmp_path):
    root = tmp_path / "données été" / "zone n°1 – essai"
    data = root / "échantillon"
    check_done(run_cli("sample", "--output-dir", data, "--width", 96, "--height", 96,
                       "--bands", 3))
    grid = root / "grille d'été.gpkg"
    check_done(run_cli("grid", "--image", data / "scene.tif", "--labels", data / "labels.tif",
                       "--output", grid, "--patch-size", PATCH))
    dataset = root / "jeu de données"
    check_done(run_cli("extract", "--image", data / "scene.tif", "--labels",
                       data / "labels.tif", "--grid", grid, "--output-dir", dataset,
                       "--workers", 1))  # the patch size comes from the grid
    model = root / "modèle 1"
    check_done(run_cli("train", "--dataset", dataset, "--output-dir", model, *TINY_TRAIN))
    out = root / "prédiction ü"
    summary = check_done(run_cli("predict", "--raster", data / "scene.tif", "--checkpoint",
                                 model / "best_iou.pt", "--output-dir", out))
    assert (out / "scene_classes.tif").is_file(), summary
    for path in root.rglob("*"):
        if path.is_file():
            assert_complete(path)


@pytest.mark.parametrize("case", cases_of(SCENARIOS), ids=lambda c: c.id)
def test_case(case, world, tmp_path):
    SCENARIOS[case.id](case, world, tmp_path)
