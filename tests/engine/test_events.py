"""The event writer: golden output, validation, throttling, one terminal event."""

from __future__ import annotations

import io
import json
import math

import pytest

from conftest import GOLDEN
from satseg_engine.core.events import Events, encode, make_event


class FakeClock:
    def __init__(self, t: float = 1700000000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_writer_reproduces_the_golden_file_byte_for_byte():
    clock = FakeClock()
    out = io.StringIO()
    ev = Events(out, clock=clock)
    ev.started("train", {"schema": 1, "dataset": "/data/ds", "epochs": 2, "lr": 0.001},
               "0.1.0", "cuda:0")
    ev.log("reading dataset: 120 patches, 6 classes — ünïcödé ok")
    ev.progress("train", 0, 40, "batches")
    ev.progress("train", 10, 40, "batches")  # throttled: same instant as the previous one
    clock.t += 0.5
    ev.progress("train", 40, 40, "batches")
    ev.progress("scan", 3, None, "files")
    ev.metric("train", 1, "train", {"loss": 0.6931, "lr": 0.001}, step=40)
    ev.metric("train", 1, "validation", {"loss": 0.52, "miou": 0.61, "accuracy": math.nan},
              per_class={"water": {"iou": 0.9, "f1": 0.947},
                         "forest": {"iou": 0.32, "f1": 0.485}})
    ev.warning("class road has no pixels in validation")
    ev.artifact("checkpoint", "/out/best_iou.pt", role="best_iou")
    ev.artifact("plot", "/out/curves.png")
    ev.done({"best_miou": 0.61, "epochs": 1, "checkpoint": "/out/best_iou.pt"})
    failing = io.StringIO()
    Events(failing, clock=clock).error("invalid_job", "unknown key 'lr_rate'",
                                       hint="did you mean 'lr'?", key="lr_rate")
    golden = GOLDEN.read_text(encoding="utf-8")
    assert out.getvalue() + failing.getvalue() == golden


def test_progress_is_throttled_but_the_last_step_always_arrives():
    clock = FakeClock()
    out = io.StringIO()
    ev = Events(out, clock=clock)
    for done in range(1, 1001):
        clock.t += 0.001  # 1000 steps in one second
        ev.progress("extract", done, 1000, "patches")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert 8 <= len(lines) <= 12, "about 10 per second"
    assert lines[-1]["done"] == 1000


def test_only_one_terminal_event():
    ev = Events(io.StringIO())
    ev.done({})
    with pytest.raises(RuntimeError, match="after the terminal"):
        ev.error("x", "y")
    with pytest.raises(RuntimeError):
        ev.log("late")


@pytest.mark.parametrize("kind, fields, message", [
    ("nonsense", {}, "unknown event type"),
    ("log", {"level": "loud", "message": "x"}, "log level"),
    ("artifact", {"kind": "movie", "path": "/x"}, "artifact kind"),
    ("progress", {"stage": "x", "done": 1}, "missing"),
    ("done", {"summary": {}, "extra": 1}, "unexpected"),
])
def test_invalid_events_are_refused(kind, fields, message):
    with pytest.raises(ValueError, match=message):
        make_event(kind, **fields)


def test_non_finite_numbers_become_null_and_json_stays_strict():
    line = encode(make_event("metric", stage="s", epoch=1, split="train",
                             values={"a": math.inf, "b": -math.inf, "c": 1.5}))
    assert json.loads(line)["values"] == {"a": None, "b": None, "c": 1.5}
    assert "Infinity" not in line


def test_human_mode_writes_nothing_to_the_event_stream():
    out, human = io.StringIO(), io.StringIO()
    ev = Events(out, mode="bar", human=human)
    ev.started("doctor", {}, "0.1.0", "cpu")
    ev.progress("doctor", 1, 2, "checks")
    ev.error("bad", "something broke", hint="fix it", key="k")
    assert out.getvalue() == ""
    text = human.getvalue()
    assert "error [bad]: something broke" in text and "fix: fix it" in text
