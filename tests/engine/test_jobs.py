"""Job validation: every bad job is refused before work starts, naming the key and the fix."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Literal

import pytest

from satseg_engine.core import jobs
from satseg_engine.core.errors import JobError
from satseg_engine.core.jobs import job_from_args, load_job, option


@dataclasses.dataclass(frozen=True, kw_only=True)
class Section:
    gamma: float = option(2.0, help="focusing", min=0)
    names: tuple[str, ...] = option((), help="names")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Example(jobs.Job):
    image: Path = option(help="input raster", exists="file")
    patch_size: int = option(256, help="patch size", min=8)
    ratio: float = option(0.5, help="ratio", min=0, max=1)
    mode: Literal["fast", "exact"] = option("fast", help="mode")
    overwrite: bool = option(False, help="overwrite")
    bands: tuple[int, ...] | None = option(None, help="bands")
    extra: dict[str, float] | None = option(None, help="free-form numbers")
    loss: Section = option(Section(), help="loss section")


@pytest.fixture
def image(tmp_path: Path) -> str:
    path = tmp_path / "scene.tif"
    path.write_bytes(b"x")
    return str(path)


def test_a_valid_job_is_typed_and_frozen(image):
    job = load_job(Example, {"schema": 1, "image": image, "patch_size": 128.0,
                             "bands": [1, 2, 3], "loss": {"gamma": 1},
                             "extra": {"alpha": 1}})
    assert job.patch_size == 128 and isinstance(job.patch_size, int)
    assert job.bands == (1, 2, 3) and job.loss.gamma == 1.0
    assert job.image == Path(image)
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.patch_size = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        job.extra["alpha"] = 2.0  # type: ignore[index]
    plain = json.loads(json.dumps(job.to_dict()))
    assert plain["loss"] == {"gamma": 1.0, "names": []} and plain["extra"] == {"alpha": 1.0}


@pytest.mark.parametrize("patch, key, words", [
    ({"patch_sise": 64}, "patch_sise", "did you mean 'patch_size'"),
    ({"patch_size": "big"}, "patch_size", "must be int"),
    ({"patch_size": True}, "patch_size", "must be int"),
    ({"patch_size": 4}, "patch_size", ">= 8"),
    ({"ratio": 1.5}, "ratio", "<= 1"),
    ({"mode": "fsat"}, "mode", "did you mean 'fast'"),
    ({"overwrite": "yes"}, "overwrite", "must be bool"),
    ({"bands": [1, "two"]}, "bands[1]", "must be int"),
    ({"image": "/nonexistent/scene.tif"}, "image", "does not exist"),
    ({"loss": {"gama": 1}}, "loss.gama", "did you mean 'loss.gamma'"),
    ({"loss": {"gamma": -1}}, "loss.gamma", ">= 0"),
    ({"schema": 2}, "schema", "unsupported job schema"),
])
def test_bad_values_name_their_key(image, patch, key, words):
    data = {"schema": 1, "image": image, **patch}
    with pytest.raises(JobError) as info:
        load_job(Example, data)
    assert info.value.key == key
    assert words in (info.value.message + " " + (info.value.hint or ""))


def test_missing_required_key_says_how_to_give_it():
    with pytest.raises(JobError) as info:
        load_job(Example, {"schema": 1})
    assert info.value.key == "image" and "--image" in info.value.hint


def test_flags_override_the_job_file_and_are_parsed_from_text(tmp_path, image):
    config = tmp_path / "job.json"
    config.write_text(json.dumps({"schema": 1, "image": image, "patch_size": 64,
                                  "mode": "exact"}))
    job = job_from_args(Example, config, {"patch_size": "32", "bands": "4,3,2",
                                          "loss.gamma": "0.5", "overwrite": True})
    assert (job.patch_size, job.mode, job.bands, job.loss.gamma, job.overwrite) == \
        (32, "exact", (4, 3, 2), 0.5, True)


@pytest.mark.parametrize("content, words", [
    (None, "job file not found"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must hold a JSON object"),
])
def test_broken_job_files(tmp_path, content, words):
    config = tmp_path / "job.json"
    if content is not None:
        config.write_text(content)
    with pytest.raises(JobError, match=words):
        job_from_args(Example, config, {})


def test_unknown_key_in_a_real_run_is_one_error_event_and_exit_2(engine, tmp_path):
    config = tmp_path / "job.json"
    config.write_text(json.dumps({"schema": 1, "secnds": 1}))
    run = engine("selftest", "--config", str(config))
    assert run.returncode == 2
    assert [e["type"] for e in run.events] == ["started", "error"]
    error = run.terminal
    assert error["code"] == "invalid_job" and error["key"] == "secnds"
    assert "did you mean 'seconds'" in error["hint"]


@pytest.mark.parametrize("args, key", [
    (["--seconds", "soon"], "seconds"),
    (["--steps", "0"], "steps"),
    (["--outcome", "explode"], "outcome"),
])
def test_bad_flags_in_a_real_run(engine, args, key):
    run = engine("selftest", *args)
    assert run.returncode == 2 and run.terminal["type"] == "error"
    assert run.terminal["key"] == key


def test_missing_file_in_a_real_run(engine, tmp_path):
    run = engine("doctor", "--config", str(tmp_path / "absent.json"))
    assert run.returncode == 2
    assert run.terminal["code"] == "invalid_job" and "not found" in run.terminal["message"]



@pytest.mark.parametrize("argv", [["--patch-size", "32", "--loss.gamma", "0.5"],
                                  ["--patch_size", "32", "--loss.gamma", "0.5"]])
def test_flags_accept_the_key_as_written_in_a_job_file(image, argv):
    import argparse

    from satseg_engine.core.jobs import add_job_flags

    parser = argparse.ArgumentParser()
    add_job_flags(parser, Example)
    flags = vars(parser.parse_args([*argv, "--image", image]))
    job = job_from_args(Example, None, flags)
    assert (job.patch_size, job.loss.gamma) == (32, 0.5)


# -- mappings typed on a shell: --source NAME=VALUE, repeated ---------------------------------

@dataclasses.dataclass(frozen=True, kw_only=True)
class Input:
    SHORTHAND = "rasters"
    rasters: tuple[Path, ...] = option(help="rasters", exists="file")
    resampling: str = option("auto", help="resampling")


@dataclasses.dataclass(frozen=True, kw_only=True)
class WithSources(jobs.Job):
    sources: dict[str, Input] | None = option(None, help="inputs by name", flag="source")
    dates: dict[str, tuple[str, ...]] | None = option(None, help="dates by name")


def parse(argv: list[str]) -> WithSources:
    import argparse

    parser = argparse.ArgumentParser()
    jobs.add_job_flags(parser, WithSources)
    return job_from_args(WithSources, None, vars(parser.parse_args(argv)))


def test_repeated_name_value_flags_build_a_mapping(tmp_path):
    a, b, c = (tmp_path / n for n in ("a.tif", "b.tif", "c.tif"))
    for path in (a, b, c):
        path.write_bytes(b"x")
    job = parse(["--source", f"s2={a},{b}", "--sources",
                 json.dumps({"s1": {"rasters": [str(c)], "resampling": "nearest"}}),
                 "--dates", "s2=2024-05-01,2024-06-01"])
    assert job.sources["s2"].rasters == (a, b) and job.sources["s2"].resampling == "auto"
    assert job.sources["s1"].rasters == (c,) and job.sources["s1"].resampling == "nearest"
    assert job.dates == {"s2": ("2024-05-01", "2024-06-01")}
    again = load_job(WithSources, json.loads(json.dumps(job.to_dict())))
    assert again.to_dict() == job.to_dict(), "the resolved job is a valid job file"


@pytest.mark.parametrize(("argv", "words"), [
    (["--source", "s1"], "NAME=VALUE"),
    (["--source", "=a.tif"], "NAME=VALUE"),
    (["--source", "s1=missing.tif"], "does not exist"),
])
def test_bad_mapping_items_name_the_key(argv, words):
    with pytest.raises(JobError) as caught:
        parse(argv)
    assert words in caught.value.message and caught.value.key.startswith("sources")
