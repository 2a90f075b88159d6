"""``cached_property`` whose value is built once even when threads ask for it at once.

Python 3.12 dropped the lock of :class:`functools.cached_property`, so threads sharing a
cold detector each built every lookup index themselves: 16 threads made about 30 builds of
the 5 tables' indexes, and the process kept 670-780 MB instead of 210 MB. Here each
property's build holds a lock, as 3.11's did. Once built, the value is read from the
instance's ``__dict__`` without calling the descriptor, so scoring takes no lock.

A process forked while another of its threads held such a lock (a process pool started
while a thread scored a detector's first paragraphs) gave its child the lock held, by a
thread the child does not have: the child's first build waited forever, and so did the
pool. :func:`at_fork_in_child` gives the child new locks.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any, Callable

_PROPERTIES: list["cached_property"] = []  # every one made (they live as long as their classes)


class cached_property(functools.cached_property):  # noqa: N801 (a drop-in for functools')
    """:class:`functools.cached_property` built under a lock (see the module docstring)."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        super().__init__(func)
        self.build_lock = threading.RLock()
        _PROPERTIES.append(self)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        # reached only while the value is not cached (the instance's __dict__ comes first),
        # and functools' own __get__ looks in the cache again under the lock
        with self.build_lock:
            return super().__get__(instance, owner)


def at_fork_in_child(reset: Callable[[], None]) -> None:
    """Call ``reset`` in the child of every ``os.fork()`` (multiprocessing's "fork" start method,
    ``ProcessPoolExecutor``'s default on Linux before Python 3.14), to replace module locks that
    another thread of the parent may have held. A no-op where there is no fork (Windows)."""
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=reset)


def _unlock_properties() -> None:
    for prop in _PROPERTIES:
        prop.build_lock = threading.RLock()
        if hasattr(prop, "lock"):  # Python 3.11's functools.cached_property has one of its own
            prop.lock = threading.RLock()


at_fork_in_child(_unlock_properties)
