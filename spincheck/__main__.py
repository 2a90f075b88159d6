"""``python -m spincheck``: the same command line as ``spincheck``."""

from ._console import console_main

if __name__ == "__main__":
    raise SystemExit(console_main())
