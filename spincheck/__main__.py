"""``python -m spincheck``: the same command line as ``spincheck``."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
