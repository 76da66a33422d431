"""Module-level task functions for the Dask executor tests (workers import them by name)."""

from __future__ import annotations

import os
import time


def square_or_die(value: int) -> int:
    """A task that kills its worker process for -1, hangs for -2, fails for -3."""
    if value == -1:
        os._exit(1)
    if value == -2:
        time.sleep(600)
    if value == -3:
        raise ValueError("a bad file")
    return value * value


def wait_then_square(value: int, seconds: float) -> int:
    """A task of known cost that leaves the cores idle (it sleeps), so that it parallelises on any machine."""
    time.sleep(seconds)
    return value * value


def wait_then_pid(seconds: float) -> int:
    """A task of known cost (it sleeps) that says which process ran it."""
    time.sleep(seconds)
    return os.getpid()


def a_function(value):
    """A result that does not pickle (a local function) and returns ``value``."""
    return lambda: value


def die_unless_in(parent: int) -> int:
    """A task that kills any process but ``parent`` (a forked worker) and returns ``parent`` there."""
    if os.getpid() != parent:
        os._exit(1)
    return parent
