"""`satseg VERB [--config job.json] [--flags]`: the engine's command line.

Each verb is a module in `satseg_engine.verbs` with `HELP` (one line), `Job` (a `jobs.Job`
subclass from its stage's `options` module), `run(job, events) -> summary`, optionally
`device(job) -> str`, `POSITIONAL` (a key that may also be given as the first argument) and
`OUTPUTS` (the job keys of its outputs: a run holds their `core.lock` lock). Verb
modules and `options` modules import only the standard library and core at top level, so
`satseg --help` and light verbs start fast.

stdout carries events only: before a verb runs, file descriptor 1 is pointed at stderr so that
library prints (Python or C) cannot corrupt the event stream, and events go to a private copy of
the original stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from .. import __version__
from .errors import Cancelled, JobError, SatsegError
from .events import Events
from .fileio import DISK_FULL_TEXTS, flush_stderr, watch_write_errors
from .jobs import add_job_flags, job_from_args, load_job
from .lock import output_lock

#: verb name -> module, in workflow order (the order of `satseg --help`).
VERBS: dict[str, str] = {
    "sample": "satseg_engine.verbs.sample",
    "grid": "satseg_engine.verbs.grid",
    "extract": "satseg_engine.verbs.extract",
    "info": "satseg_engine.verbs.info",
    "preview": "satseg_engine.verbs.preview",
    "models": "satseg_engine.verbs.models",
    "train": "satseg_engine.verbs.train",
    "tune": "satseg_engine.verbs.tune",
    "inspect": "satseg_engine.verbs.inspect",
    "export": "satseg_engine.verbs.export",
    "predict": "satseg_engine.verbs.predict",
    "evaluate": "satseg_engine.verbs.evaluate",
    "vectorize": "satseg_engine.verbs.vectorize",
    "overview": "satseg_engine.verbs.overview",
    "doctor": "satseg_engine.verbs.doctor",
    "selftest": "satseg_engine.verbs.selftest",
}


def verb_module(name: str) -> ModuleType:
    if name not in VERBS:
        raise JobError(f"unknown verb '{name}' (valid verbs: {', '.join(VERBS)})",
                       code="bad_argument")
    return importlib.import_module(VERBS[name])


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise JobError(f"{self.prog}: {message}", code="bad_argument",
                       hint=f"see '{self.prog} --help'")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that verb's flags (running one verb imports one module).

    A verb module that fails to import is listed as unavailable in `satseg --help` instead of
    breaking every other verb.
    """
    parser = _Parser(prog="satseg", description="Deep-learning semantic segmentation of "
                     "satellite imagery. Events are JSON lines on stdout when it is not a "
                     "terminal (progress bars when it is).")
    parser.add_argument("--version", action="version", version=f"satseg engine {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for name in [only] if only else VERBS:
        try:
            module = verb_module(name)
        except ImportError as exc:
            if only:
                raise
            sub.add_parser(name, help=f"(unavailable: {exc})")
            continue
        verb_parser = sub.add_parser(name, help=module.HELP, description=module.HELP,
                                     argument_default=argparse.SUPPRESS)
        verb_parser.add_argument("--config", type=Path, metavar="JOB.json", default=None,
                                 help="job file (JSON); flags override its keys")
        verb_parser.add_argument("--progress", choices=("auto", "json", "bar"), default="auto",
                                 help="json: JSON-line events on stdout; bar: progress bars "
                                      "and text on stderr; auto: bar on a terminal, else json")
        verb_parser.add_argument("--debug", action="store_true", default=False,
                                 help="also print the Python traceback of an expected failure "
                                      "(bad input, full disk) on stderr")
        positional = getattr(module, "POSITIONAL", None)
        if positional:  # e.g. `satseg info DATASET` as well as `--dataset DATASET`
            verb_parser.add_argument(positional, nargs="?", metavar=positional.upper(),
                                     default=argparse.SUPPRESS,
                                     help=f"same as --{positional.replace('_', '-')}")
        add_job_flags(verb_parser, module.Job)
    return parser


def _stop_children() -> None:
    """Kill this process's multiprocessing children (data-loader workers) before os._exit,
    which skips their shutdown: orphaned, they held the event stream open until their 5 s
    watchdog noticed (a cancelled run's output ended 5 s late)."""
    import multiprocessing

    for child in multiprocessing.active_children():
        child.kill()


def run_job(verb: str, job: Mapping[str, Any] | Any, events: Events) -> dict[str, Any]:
    """Run one verb as a function (no terminal event): validate, emit `started`, return summary.

    `job` is a mapping (validated here) or an already built job dataclass. This is how other
    code (hyper-parameter search, tests) runs a verb without a subprocess.
    """
    module = verb_module(verb)
    if isinstance(job, Mapping):
        job = load_job(module.Job, job)
    device = module.device(job) if hasattr(module, "device") else "cpu"
    events.started(verb, job.to_dict(), __version__, device)
    outputs = [(key, getattr(job, key)) for key in getattr(module, "OUTPUTS", ())
               if getattr(job, key, None) is not None]
    if launcher_rank() != 0:  # torchrun: rank 0 holds the lock for the whole run
        outputs = []
    with output_lock(outputs):  # a second run into the same output is refused
        return dict(module.run(job, events) or {})


def launcher_rank() -> int:
    """This process's rank under torchrun (its RANK variable), 0 otherwise. Only rank 0 emits
    events and locks outputs; the others' events go nowhere, their errors to stderr."""
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def _private_stdout() -> TextIO:
    """Keep the real stdout for events; send everything else written to fd 1 to stderr."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", encoding="utf-8", buffering=1, errors="replace")


def _raise_cancelled(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not interrupt cleanup
    raise Cancelled(f"received {signal.Signals(signum).name}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run `satseg VERB ...`; the exit code. As the process itself (`argv` None), end it as
    soon as the outputs are closed and the events flushed (`_exit_now`)."""
    program = argv is None  # the process itself, not a caller running a verb in-process
    code = _main(list(sys.argv[1:] if argv is None else argv))
    if program:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown: freeing torch, timm and GDAL's
    modules object by object took 1.3-2 s after every run (`predict` at 2 000² on 2 cores:
    14.4 s of which 1.7 s after the `done` event), time a user or the plugin waits for
    nothing. Everything the run wrote is closed by now (outputs are renamed into place before
    `done`); what is left is flushed here, and data-loader children are stopped."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    flush_stderr()
    _stop_children()
    os._exit(code)


def _main(argv: list[str]) -> int:
    interactive = sys.stdout.isatty()
    mode = "bar" if interactive else "json"
    if "--progress" in argv[:-1]:
        wanted = argv[argv.index("--progress") + 1]
        mode = {"json": "json", "bar": "bar"}.get(wanted, mode)
    if not argv or argv[0] in ("-h", "--help", "--version") or "-h" in argv or "--help" in argv:
        try:
            only = argv[0] if argv and argv[0] in VERBS else None
            build_parser(only).parse_args(argv or ["--help"])
        except JobError as exc:
            print(exc.message, file=sys.stderr)
            return 2
        return 0
    stream = _private_stdout()
    events = Events(stream if launcher_rank() == 0 else open(os.devnull, "w"),
                    mode=mode if launcher_rank() == 0 else "json")
    if os.environ.get("SATSEG_PROCESS_GROUP") == "1" and hasattr(os, "setpgrp") and \
            "LOCAL_RANK" not in os.environ:  # torchrun's workers: it stops them itself
        os.setpgrp()  # the plugin cancels the whole group: data-loader workers included
    signal.signal(signal.SIGTERM, _raise_cancelled)
    signal.signal(signal.SIGINT, _raise_cancelled)
    watch_write_errors()
    verb = argv[0]
    try:
        args = vars(build_parser(verb if verb in VERBS else None).parse_args(argv))
        config = args.pop("config", None)
        args.pop("progress", None)
        if args.pop("debug", False):
            os.environ["SATSEG_DEBUG"] = "1"
        verb = args.pop("verb")
        job = job_from_args(verb_module(verb).Job, config, args)
        summary = run_job(verb, job, events)
        events.done(summary)
        return 0
    except Cancelled:
        _terminal_error(events, verb, "cancelled", "the run was cancelled",
                        "outputs already complete are kept; partial ones were removed")
        return Cancelled.exit_code  # as the process: main ends it at once (_exit_now)
    except SatsegError as exc:
        hint = exc.hint or (f"fix '{exc.key}' (satseg {verb} --help lists every key)"
                            if exc.key else None)
        _terminal_error(events, verb, exc.code, exc.message, hint, exc.key)
        return exc.exit_code
    except MemoryError:
        _debug_traceback()
        _terminal_error(events, verb, "out_of_memory", "the engine ran out of memory",
                        "use a smaller batch size or patch size, or close other programs")
        return 1
    except OSError as exc:
        _debug_traceback()
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or _says_disk_full(exc):
            _disk_full(events, verb, exc.filename)
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            _terminal_error(events, verb, "permission_denied", f"permission denied: "
                            f"{exc.filename or exc}", "choose an output folder you can write "
                            "to, or check the file's permissions")
        else:
            _terminal_error(events, verb, "os_error", f"{exc.strerror or exc}: "
                            f"{exc.filename or ''}".rstrip(": "), None)
        return 1
    except Exception as exc:  # noqa: BLE001 - every failure must end in one error event
        if _says_disk_full(exc):  # GDAL's and SQLite's write errors
            _debug_traceback()
            _disk_full(events, verb, None)
            return 1
        traceback.print_exc()
        _terminal_error(events, verb, "internal", f"{type(exc).__name__}: {exc}",
                        "this is a bug in satseg; the engine's stderr has the traceback")
        return 1
    finally:
        stream.flush()
        flush_stderr()


def _says_disk_full(exc: BaseException) -> bool:
    """A library's error (or the one it was raised from) that means the disk is full."""
    chain = [exc, exc.__cause__, exc.__context__]
    return any(text in str(e) for e in chain if e is not None for text in DISK_FULL_TEXTS)


def _debug_traceback() -> None:
    """The traceback of an expected failure, on stderr only with SATSEG_DEBUG=1 (--debug)."""
    if os.environ.get("SATSEG_DEBUG") == "1":
        traceback.print_exc()


def _disk_full(events: Events, verb: str, filename: str | None) -> None:
    _terminal_error(events, verb, "disk_full", f"no space left on the device (or over the file "
                    f"size limit) while writing {filename or 'the outputs'}",
                    "free disk space or choose another output folder; nothing half-written "
                    "was kept")


def _terminal_error(events: Events, verb: str, code: str, message: str, hint: str | None,
                    key: str | None = None) -> None:
    """End the run with its one `error` event (after a `started`, which every run begins with)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if events.terminal is not None:
        return
    if launcher_rank() != 0:  # its events go nowhere: say it where torchrun shows it
        print(f"satseg rank {launcher_rank()}: {code}: {message}", file=sys.stderr)
    if not events.has_started:
        events.started(verb, None, __version__, "cpu")
    events.error(code, message, hint=hint, key=key)
