"""Errors that end a run with one `error` event: a code, what went wrong, and how to fix it."""

from __future__ import annotations


class SatsegError(Exception):
    """A problem the user can fix. `code` is stable (machine-readable), `hint` says what to do."""

    exit_code = 1

    def __init__(self, code: str, message: str, hint: str | None = None, key: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.key = key


class JobError(SatsegError):
    """The job is invalid (unknown key, wrong type, missing file ...): nothing was started."""

    exit_code = 2

    def __init__(self, message: str, key: str | None = None, hint: str | None = None,
                 code: str = "invalid_job"):
        super().__init__(code, message, hint=hint, key=key)


class Cancelled(BaseException):
    """Raised in the main thread when the process receives SIGTERM/SIGINT (the plugin's Cancel).

    A BaseException so that `except Exception` blocks in library code do not swallow it.
    """

    exit_code = 130
