"""Helper threads carry their names to the OS (top -H, py-spy, the prediction benchmark)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from satseg_engine.core.threads import OS_NAME_CHARS, helper_thread

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="thread names in /proc are Linux's")


def _os_name(native_id: int) -> str:
    return Path(f"/proc/self/task/{native_id}/comm").read_text().strip()


def _names_seen_inside(name: str) -> tuple[str, str]:
    """The OS name of a helper thread, and of a plain thread that the helper starts."""
    seen: dict[str, str] = {}

    def child() -> None:
        seen["child"] = _os_name(threading.get_native_id())

    def work() -> None:
        seen["helper"] = _os_name(threading.get_native_id())
        inner = threading.Thread(target=child)
        inner.start()
        inner.join()

    thread = helper_thread(work, name)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    return seen["helper"], seen["child"]


def test_a_helper_thread_is_named_in_the_os_and_its_threads_inherit_the_name():
    helper, child = _names_seen_inside("satseg-reader")
    assert helper == "satseg-reader"
    assert child == "satseg-reader"          # as torch's OpenMP workers started by the thread
    assert _os_name(threading.get_native_id()) != "satseg-reader"   # the caller keeps its own


def test_a_long_name_is_cut_to_the_os_limit_and_python_keeps_it_whole():
    name = "satseg-a-very-long-helper-name"
    thread = helper_thread(lambda: None, name)
    assert thread.name == name and thread.daemon
    helper, _ = _names_seen_inside(name)
    assert helper == name[:OS_NAME_CHARS] == "satseg-a-very-l"
