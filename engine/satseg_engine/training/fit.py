"""One training run on given train/validation/test patches: the epoch loop and its outputs."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import torch

from ..core.errors import Cancelled, SatsegError
from ..data.patch_data import PatchItem
from ..models.metrics import matrix_to_list, metrics_from_matrix
from ..models.schedules import Schedule, ScheduleParams, current_lr
from . import auto, reports
from . import distributed as ddp
from .loop import StepContext, evaluate, train_epoch
from .persist import CheckpointWriter, restore, resume_payload
from .setup import (
    build_loss_for,
    build_model,
    build_optimizer,
    make_loader,
    make_setup,
    resolve_device,
    seed_everything,
    set_frozen,
)
from .state import EarlyStopping, RunState, keeps_epoch
from .streams import to_channels_last


class _Silent:
    """Events for processes other than rank 0: everything is dropped."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _split_values(prefix: str, loss: float, overall: dict[str, float],
                  per_class: dict[str, dict[str, float]]) -> dict[str, Any]:
    row = {f"{prefix}_loss": loss, **{f"{prefix}_{k}": v for k, v in overall.items()}}
    for name, values in per_class.items():
        row[f"{prefix}_iou_{name}"] = values["iou"]
    return row


def fit(job: Any, events: Any, info: dict[str, Any], items: dict[str, list[PatchItem]],
        output_dir: Path, stage: str = "train", resume: Path | None = None) -> dict[str, Any]:
    """Train, checkpoint every epoch, evaluate the test split with the best model; summary."""
    rank = ddp.rank_and_world()[0]
    ev = events if rank == 0 else _Silent()
    if not items.get("train"):
        raise SatsegError("bad_dataset", f"no training patches in {job.dataset}",
                          hint="extract a dataset with a train split", key="dataset")
    facts = auto.facts_from(info, len(items["train"]), job, resolve_device(job.device).type,
                            os.cpu_count() or 1)
    job, chosen = auto.resolve(job, facts)  # the resolved job is what checkpoints store
    ddp.check_same_job(job.to_dict())  # every rank resolved the same job, or ddp_mismatch
    setup = make_setup(job, info, ev)
    seed_everything(job.seed, job.deterministic)
    model = build_model(job, setup, ev)
    auto.announce(chosen, ev, output_dir, enabled=rank == 0)  # once the job is known to be good
    output_dir = Path(output_dir)
    if rank == 0:
        ev.artifact("report", reports.write_model_summary(output_dir / "model_summary.txt",
                                                          model, setup.header), role="summary")
    if setup.multi:  # time series may hold 3D convolutions: channels-last for 2D weights only
        model.to(setup.device)
        if job.channels_last:
            to_channels_last(model)
    else:
        memory_format = torch.channels_last if job.channels_last else torch.contiguous_format
        model.to(setup.device, memory_format=memory_format)
    ddp.sync_batchnorm(model, setup.device)  # before the optimiser: new norm parameters
    loss_fn = build_loss_for(job, setup, info)
    optimizer = build_optimizer(job, model, setup.multi)
    train_loader = make_loader(items["train"], job, setup, train=True, events=ev)
    val_items = items.get("validation") or []
    val_loader = make_loader(val_items, job, setup, train=False, events=ev) if val_items else None
    if val_loader is None:
        ev.warning("no validation patches: best checkpoints and early stopping use the "
                   "training metrics")
    steps_per_epoch = max(1, len(train_loader))
    schedule = Schedule(optimizer, _schedule_params(job), job.epochs, steps_per_epoch)
    scaler = torch.amp.GradScaler(setup.device.type, enabled=setup.amp_dtype == torch.float16
                                  and setup.device.type == "cuda")
    state = RunState()
    if resume is not None:
        state = restore(resume, setup.header, model, optimizer, schedule, scaler)
        ev.log(f"resumed from {resume} after epoch {state.epoch}")
        if state.epoch >= job.epochs:
            ev.warning(f"the checkpoint already has {state.epoch} epochs: raise 'epochs' to "
                       "train further")
    net = ddp.wrap(model, setup.device, find_unused=job.optim.freeze_encoder_epochs > 0)
    ctx = StepContext(setup.device, setup.amp_dtype, job.channels_last, setup.task,
                      job.threshold, len(setup.classes), setup.ignore_value)
    writer = CheckpointWriter(output_dir, setup.header, enabled=rank == 0)
    stopper = EarlyStopping(job.early_stopping.monitor, job.early_stopping.patience,
                            job.early_stopping.min_delta)
    total_steps = job.epochs * steps_per_epoch
    names = setup.class_names

    def after_step(step: int, loss: torch.Tensor) -> None:
        state.global_step += 1
        schedule.batch_end()
        ev.progress(stage, state.global_step, total_steps, "batches")
        if state.global_step % job.log_every_steps == 0:
            value = ddp.mean_over_ranks(loss)  # every rank logs the same step
            if not math.isfinite(value):
                raise SatsegError("diverged", f"the training loss became {value}",
                                  hint="lower the learning rate or enable optim.grad_clip")
            ev.metric(stage, epoch_no, "train", {"loss": value, "lr": current_lr(optimizer)},
                      step=state.global_step)

    try:
        while state.epoch < job.epochs and not state.stopped_early:
            epoch_no = state.epoch + 1
            lr = current_lr(optimizer)
            net.train()
            set_frozen(model, epoch_no <= job.optim.freeze_encoder_epochs, setup.multi)
            train_loader.sampler.set_epoch(epoch_no)
            train_loader.dataset.set_epoch(epoch_no)
            result = train_epoch(net, train_loader, loss_fn, optimizer, scaler, ctx,
                                 max_steps=steps_per_epoch, grad_clip=job.optim.grad_clip,
                                 after_step=after_step)
            overall, per_class = metrics_from_matrix(result.matrix, names)
            ev.metric(stage, epoch_no, "train", {"loss": result.loss, **overall, "lr": lr},
                      per_class=per_class)
            row = {"epoch": epoch_no, "lr": lr,
                   **_split_values("train", result.loss, overall, per_class)}
            watched = {"loss": result.loss, **overall}
            metrics = {"train": {"loss": result.loss, **overall}}
            if val_loader is not None:
                val = evaluate(model, val_loader, loss_fn, ctx)  # sharded, sums reduced
                v_overall, v_per_class = metrics_from_matrix(val.matrix, names)
                ev.metric(stage, epoch_no, "validation", {"loss": val.loss, **v_overall},
                          per_class=v_per_class)
                row.update(_split_values("validation", val.loss, v_overall, v_per_class))
                watched = {"loss": val.loss, **v_overall}
                metrics["validation"] = {"loss": val.loss, **v_overall,
                                         "per_class": v_per_class}
            schedule.epoch_end(watched["loss"])
            state.history.append(row)
            state.epoch = epoch_no
            if watched["loss"] < state.best_loss:
                state.best_loss, state.best_loss_epoch = watched["loss"], epoch_no
                writer.save("best_loss", model, epoch_no, metrics)
            if keeps_epoch(job.selection, watched["miou"], state.best_iou):
                state.best_iou, state.best_iou_epoch = watched["miou"], epoch_no
                writer.save("best_iou", model, epoch_no, metrics)
            state.stopped_early = stopper.update(state, watched[stopper.monitor])
            if state.stopped_early:
                ev.log(f"early stopping after epoch {epoch_no}: validation "
                       f"{stopper.monitor} did not improve for {stopper.patience} epochs")
            writer.save("last", model, epoch_no, metrics,
                        resume=resume_payload(optimizer, schedule, scaler, state,
                                              interrupted=False))
            if rank == 0:
                reports.write_csv(output_dir / "metrics.csv", state.history)
    except Cancelled:
        if rank == 0:
            path = writer.save("last", model, state.epoch, {"interrupted": True},
                               resume=resume_payload(optimizer, schedule, scaler, state,
                                                     interrupted=True))
            ev.artifact("checkpoint", path, role="last")
        raise
    summary = _finish(job, ev, setup, model, loss_fn, ctx, items, state, writer, output_dir,
                      stage, info)
    return {**summary, "chosen": [c.to_dict() for c in chosen]}


def _schedule_params(job: Any) -> ScheduleParams:
    s = job.schedule
    return ScheduleParams(name=s.name, warmup_epochs=s.warmup_epochs,
                          warmup_start_factor=s.warmup_start_factor,
                          min_lr_factor=s.min_lr_factor, step_size=s.step_size, gamma=s.gamma,
                          plateau_patience=s.plateau_patience, plateau_factor=s.plateau_factor,
                          plateau_mode="min")


def _finish(job: Any, ev: Any, setup: Any, model: torch.nn.Module, loss_fn: Any,
            ctx: StepContext, items: dict[str, list[PatchItem]], state: RunState,
            writer: CheckpointWriter, output_dir: Path, stage: str,
            info: dict[str, Any]) -> dict[str, Any]:
    """Evaluate the best checkpoint on validation and test; write reports; the summary."""
    names = setup.class_names
    best_role = "best_iou" if writer.path("best_iou").exists() else "last"
    best_epoch = state.best_iou_epoch if best_role == "best_iou" else state.epoch
    if writer.enabled and writer.path(best_role).exists():
        data = torch.load(writer.path(best_role), map_location="cpu", weights_only=True)
        model.load_state_dict(data["state_dict"])
    ddp.broadcast_state(model)  # other ranks need not see rank 0's files (several nodes)
    evaluated: dict[str, Any] = {}
    for split in ("validation", "test"):
        if not items.get(split):
            continue
        result = evaluate(model, make_loader(items[split], job, setup, train=False, events=ev),
                          loss_fn, ctx)
        overall, per_class = metrics_from_matrix(result.matrix, names)
        evaluated[split] = {"loss": result.loss, **overall, "per_class": per_class,
                            "confusion_matrix": matrix_to_list(result.matrix)}
        if split == "test":
            ev.metric(stage, best_epoch or 0, "test", {"loss": result.loss, **overall},
                      per_class=per_class)
    summary: dict[str, Any] = {
        "output_dir": str(output_dir), "epochs_run": state.epoch,
        "stopped_early": state.stopped_early, "best_epoch": best_epoch,
        "best_loss_epoch": state.best_loss_epoch, "best_iou_epoch": state.best_iou_epoch,
        "best_checkpoint": best_role, "task": setup.task, "classes": names,
        "validation": evaluated.get("validation"), "test": evaluated.get("test"),
        "checkpoints": {role: str(path) for role, path in writer.written.items()},
    }
    summary["quality"] = _quality(ev, setup, info, evaluated, state, writer.enabled,
                                  balanced=job.data.class_balanced is True)
    if not writer.enabled:
        return summary
    out = Path(output_dir)
    ev.artifact("report", reports.write_quality(out / "quality_report.txt", summary["quality"]),
                role="quality")
    for role, path in writer.written.items():
        ev.artifact("checkpoint", path, role=role)
    if state.history:
        ev.artifact("csv", reports.write_csv(out / "metrics.csv", state.history),
                    role="metrics")
        ev.artifact("plot", reports.plot_curves(out / "training_curves.png", state.history),
                    role="training_curves")
    series = {split: evaluated[split]["per_class"] for split in evaluated}
    if series:
        ev.artifact("plot", reports.plot_per_class_iou(out / "per_class_iou.png", names,
                                                       series), role="per_class_iou")
        split = "test" if "test" in evaluated else "validation"
        ev.artifact("plot", reports.plot_confusion(
            out / "confusion_matrix.png", evaluated[split]["confusion_matrix"], names,
            f"{split} (best checkpoint, epoch {best_epoch})"), role="confusion_matrix")
    ev.artifact("report", reports.write_json(out / "metrics.json",
                                             {"summary": summary, "history": state.history}),
                role="metrics")
    return summary


def _quality(ev: Any, setup: Any, info: dict[str, Any], evaluated: dict[str, Any],
             state: RunState, enabled: bool, balanced: bool = False) -> list[dict[str, Any]]:
    """The end-of-run quality report (reports.quality_report), one warning per finding."""
    from ..models.losses import counts_in_class_order

    counts = counts_in_class_order(
        info.get("splits", {}).get("train", {}).get("class_pixels", {}), setup.classes)
    validation = evaluated.get("validation") or {}
    findings = reports.quality_report(setup.class_names, [int(c) for c in counts],
                                      validation.get("confusion_matrix"), state.history,
                                      balanced)
    if enabled:
        for finding in findings:
            ev.warning(f"quality: {finding['message']} — what usually helps: "
                       f"{finding['lever']}")
        if not findings:
            ev.log("quality: no problem found (training pixels, validation IoU per class, "
                   "training and validation curves)")
    return findings
