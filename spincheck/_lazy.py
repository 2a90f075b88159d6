"""``cached_property`` whose value is built once even when threads ask for it at once.

Python 3.12 dropped the lock of :class:`functools.cached_property`, so threads sharing a
cold detector each built every lookup index themselves: 16 threads made about 30 builds of
the 5 tables' indexes, and the process kept 670-780 MB instead of 210 MB. Here each
property's build holds a lock, as 3.11's did. Once built, the value is read from the
instance's ``__dict__`` without calling the descriptor, so scoring takes no lock.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable


class cached_property(functools.cached_property):  # noqa: N801 (a drop-in for functools')
    """:class:`functools.cached_property` built under a lock (see the module docstring)."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        super().__init__(func)
        self.build_lock = threading.RLock()

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        # reached only while the value is not cached (the instance's __dict__ comes first),
        # and functools' own __get__ looks in the cache again under the lock
        with self.build_lock:
            return super().__get__(instance, owner)
