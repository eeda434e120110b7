"""The training charts (QPainter, real offscreen Qt) and the pure job/metric helpers behind them."""

from __future__ import annotations

import json

import pytest
from qgis.PyQt.QtGui import QColor

from satseg_plugin.core import train_job
from satseg_plugin.core.train_job import EtaEstimator, MetricHistory
from satseg_plugin.gui.charts import BarChart, LineChart, Series, nice_ticks


def metric(epoch, split, loss, miou=None, stage="train", step=None, per_class=None):
    values = {"loss": loss, **({} if miou is None else {"miou": miou})}
    event = {"type": "metric", "t": 0.0, "stage": stage, "epoch": epoch, "split": split,
             "values": values}
    if step is not None:
        event["step"] = step
    if per_class:
        event["per_class"] = {name: {"iou": iou, "f1": 0.0} for name, iou in per_class.items()}
    return event


def not_white(widget) -> int:
    image = widget.grab().toImage()
    rect = widget.plot_rect()
    white = QColor("#ffffff").rgb()
    return sum(1 for x in range(rect.left() + 3, rect.right() - 3)
               for y in range(rect.top() + 3, rect.bottom() - 3) if image.pixel(x, y) != white)


@pytest.mark.parametrize("low, high, expected", [
    (0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]),
    (0.0, 10.0, [0.0, 2.5, 5.0, 7.5, 10.0]),
    (2.31, 2.74, [2.4, 2.5, 2.6, 2.7]),
    (1.0, 1.0, [1.0]),
])
def test_nice_ticks_are_round_numbers_inside_the_range(low, high, expected):
    assert nice_ticks(low, high, 4) == expected


def test_metric_history_turns_events_into_series_and_restarts_per_fold():
    history = MetricHistory(steps_per_epoch=4)
    events = [metric(1, "train", 0.9, step=2), metric(1, "train", 0.8, step=4),
              metric(1, "train", 0.85, 0.2, per_class={"water": 0.3}),
              metric(1, "validation", 0.7, 0.25, per_class={"water": 0.4, "forest": 0.1}),
              metric(2, "train", 0.6, 0.4), metric(2, "validation", 0.5, 0.45,
                                                   per_class={"water": 0.6, "forest": 0.3})]
    assert all(history.add(e) for e in events)
    assert history.series("validation", "loss") == [(1.0, 0.7), (2.0, 0.5)]
    assert history.series("validation", "miou") == [(1.0, 0.25), (2.0, 0.45)]
    assert history.step_series() == [(0.5, 0.9), (1.0, 0.8)]
    assert history.completed_epochs() == 2
    assert history.latest_class_iou() == ("validation", 2, {"water": 0.6, "forest": 0.3})
    history.add(metric(1, "test", 0.4, 0.5, per_class={"water": 0.7}))
    assert history.latest_class_iou() == ("test", 1, {"water": 0.7})
    history.add(metric(1, "train", 1.0, 0.1, stage="fold_2"))
    assert history.stage == "fold_2" and history.series("validation", "loss") == []
    assert history.stages_seen == ["train", "fold_2"]


@pytest.mark.parametrize("events, now, expected", [
    ([("p", 0, 100, 0.0)], 0.0, None),  # nothing measured yet
    ([("p", 0, 100, 0.0), ("p", 10, 100, 5.0)], 5.0, 45.0),  # batch rate: 0.5 s/batch
    # epochs measured (validation included): 10 batches took 10 s -> 1 s/batch
    ([("p", 0, 40, 0.0), ("p", 10, 40, 8.0), ("e", 10.0), ("p", 12, 40, 11.0)], 11.0, 28.0),
    ([("p", 0, 40, 0.0), ("p", 40, 40, 30.0)], 30.0, 0.0),
])
def test_eta_from_batches_and_epoch_durations(events, now, expected):
    eta = EtaEstimator()
    for event in events:
        if event[0] == "p":
            eta.progress(event[1], event[2], event[3])
        else:
            eta.epoch_end(event[1])
    assert eta.seconds_left(now) == expected


@pytest.mark.parametrize("seconds, text", [(12, "12 s"), (200, "3 min 20 s"),
                                           (3900, "1 h 05 min")])
def test_durations_read_naturally(seconds, text):
    assert train_job.format_duration(seconds) == text


def test_job_files_round_trip_and_bad_files_are_explained(tmp_path):
    job = {"dataset": "/d", "output_dir": "/o", "epochs": 3, "model": {"architecture": "FPN"},
           "loss": {"name": "combo", "focal_alpha": None}}
    assert train_job.unflatten(train_job.flatten(job)) == job
    path = tmp_path / "job.json"
    train_job.save_job(str(path), job)
    assert json.loads(path.read_text())["schema"] == 1
    assert train_job.load_job(str(path)) == job
    for content, words in (("{", "is not JSON"), ("[1]", "does not hold a job"),
                           ('{"schema": 2}', "schema 2 job")):
        path.write_text(content)
        with pytest.raises(train_job.JobFileError, match=words):
            train_job.load_job(str(path))


@pytest.mark.parametrize("loss, keys", [
    ("dice", []),
    ("tversky", ["loss.tversky_alpha", "loss.tversky_beta"]),
    ("combo", ["loss.label_smoothing", "loss.focal_gamma", "loss.focal_alpha",
               "loss.ce_weight", "loss.dice_weight", "loss.focal_weight"]),
])
def test_loss_parameters_follow_the_terms_of_the_loss(loss, keys):
    engine_table = {"dice": ["dice"], "tversky": ["tversky"], "combo": ["ce", "dice", "focal"]}
    assert train_job.loss_parameters(loss, engine_table) == keys


def test_best_checkpoint_of_a_run_and_of_a_cross_validation():
    run = {"best_checkpoint": "best_iou", "checkpoints": {"best_iou": "/r/best_iou.pt",
                                                          "last": "/r/last.pt"}}
    assert train_job.best_checkpoint(run) == "/r/best_iou.pt"
    folds = {"fold_results": [
        {"validation": {"miou": 0.4}, "checkpoints": {"best_iou": "/f1/best_iou.pt"}},
        {"validation": {"miou": 0.6}, "checkpoints": {"best_iou": "/f2/best_iou.pt"}}]}
    assert train_job.best_checkpoint(folds) == "/f2/best_iou.pt"
    assert train_job.best_checkpoint({}) == ""


def test_line_chart_paints_its_curves_and_says_when_it_is_empty(qgis_app):
    chart = LineChart("Loss", "waiting")
    chart.resize(400, 240)
    empty = not_white(chart)
    assert not chart.has_points() and empty < 1000, "only the waiting text"
    chart.set_series([Series("training", "#3182ce", [(1, 0.9), (2, 0.6), (3, 0.5)]),
                      Series("validation", "#dd6b20", [(1, 0.8), (2, 0.7)])], x_max=10)
    assert chart.point_count("training") == 3 and chart.point_count("validation") == 2
    assert not_white(chart) > empty + 1500, "grid, axes and two curves"
    image = chart.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(image.width())
               for y in range(image.height())}
    assert {"#3182ce", "#dd6b20"} <= colours, "both curves drawn in their colours"


def test_bar_chart_draws_one_bar_per_class_in_its_colour(qgis_app):
    chart = BarChart("IoU per class", "waiting")
    chart.resize(400, 200)
    chart.set_values({"water": 0.8, "forest": 0.4}, {"water": "#1f78b4", "forest": "#1b7837"})
    assert not_white(chart) > 1000
    image = chart.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2)
               for y in range(0, image.height(), 2)}
    assert {"#1f78b4", "#1b7837"} <= colours
