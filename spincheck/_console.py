"""The ``spincheck`` command's entry point, kept apart from :mod:`spincheck.cli` so that Ctrl-C
is handled from the start: the command line imports numpy and the scoring code (about 0.2 s,
more on a busy machine), and Ctrl-C meanwhile ended the command with a traceback, raised in
the import the console script makes before any of spincheck's code runs. This module imports
nothing heavy (nor does ``spincheck/__init__.py``), and the import happens inside its ``try``.
"""

from __future__ import annotations

import contextlib
import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a program stopped by Ctrl-C (spincheck.cli's too)


def console_main() -> int:
    """:func:`spincheck.cli.console_main`, with Ctrl-C at any moment (while it imports, before
    its own handling starts or after it ends) reported as it reports it, with status 130."""
    try:
        from .cli import console_main as run

        return run()
    except KeyboardInterrupt:
        if sys.stderr is not None:  # started with stderr closed (2>&-)
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write("spincheck: error: interrupted\n")
        return EXIT_INTERRUPTED
