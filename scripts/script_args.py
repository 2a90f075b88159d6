"""Argument types and checks the maintainer scripts share, so that a bad argument is one line
of usage error, not a traceback after minutes of work."""

from __future__ import annotations

import argparse
from pathlib import Path

DATA_HELP = "the shared corpora: news/ and nltk_data/ (default: ../shared/data beside the checkout)"
SEEDS_HELP = "the seed articles (default: ../shared/seeds, if present)"


def add_nltk_data(parser: argparse.ArgumentParser, root: Path) -> None:
    """``--nltk-data``, the WordNet the lexicon and casing builders read (default beside the checkout ``root``)."""
    parser.add_argument(
        "--nltk-data",
        type=Path,
        default=root.parent / "shared" / "data" / "nltk_data",
        help="NLTK data directory holding corpora/wordnet.zip (default: ../shared/data/nltk_data)",
    )


def positive_int(value: str) -> int:
    """An argparse type: a whole number from 1."""
    n = int(value) if value.strip().isdigit() else 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return n


def non_negative_int(value: str) -> int:
    """An argparse type: a whole number from 0."""
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 0")
    return int(value)


def seed(value: str) -> int:
    """An argparse type: a random seed, a whole number from 0 to 2**32 - 1 (what numpy and
    scikit-learn take; a negative seed failed with a traceback after the data was read)."""
    n = int(value) if value.strip().isdigit() else -1
    if not 0 <= n < 2**32:
        raise argparse.ArgumentTypeError(f"{value!r} is not a seed from 0 to {2**32 - 1}")
    return n


def share(value: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        p = float(value)
    except ValueError:
        p = -1.0
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number from 0 to 1")
    return p


def check_seeds(parser: argparse.ArgumentParser, seeds: Path, default: Path) -> None:
    """The seed articles are optional where they are missing by default (a checkout without
    ../shared), but a directory named on the command line must exist: its figures would be
    left out in silence, and the gate would pass without checking them."""
    if seeds != default and not seeds.is_dir():
        parser.error(f"--seeds {seeds} is not a directory")


def check_data(parser: argparse.ArgumentParser, data: Path) -> None:
    """The shared corpora that ``corpora.iter_documents`` reads must be there before any work: a
    wrong ``--data`` ended in a traceback from gzip."""
    missing = [name for name in ("news", "nltk_data") if not (data / name).is_dir()]
    if missing:
        parser.error(f"--data {data} lacks {', '.join(missing)} (see ../shared/data/README.md)")


def check_input_file(parser: argparse.ArgumentParser, option: str, path: Path | None) -> None:
    """An input file named on the command line must be a file."""
    if path is not None and not path.is_file():
        parser.error(f"{option} {path}: no such file")


def check_output_dir(parser: argparse.ArgumentParser, option: str, path: Path | None) -> None:
    """An output file's folder must exist before the work, not be found missing after it, and the
    file must not be a directory (writing it failed with a traceback at the end)."""
    if path is not None and not path.resolve().parent.is_dir():
        parser.error(f"{option} {path}: no such directory {path.resolve().parent}")
    if path is not None and path.is_dir():
        parser.error(f"{option} {path} is a directory (name a file)")


def check_not_a_model(parser: argparse.ArgumentParser, out: Path, what: str) -> None:
    """Refuse to write ``what`` into a model directory: its card.json, which lists every file's
    SHA-256, would no longer match, and the model would fail to load. An ``out`` that is a file
    is refused too, before the work rather than after it."""
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out} exists and is not a directory")
    if (out / "card.json").exists():
        parser.error(
            f"{out} is a model directory, whose card.json {what} would not match "
            "(rebuild a model with scripts/train.py, or choose another --out)"
        )


def load_detector(parser: argparse.ArgumentParser, model: Path | str | None):
    """``Detector.load(model)``, or a usage error saying why not."""
    from spincheck import Detector, ModelError

    try:
        return Detector.load(model)
    except ModelError as exc:
        parser.error(f"--model: {exc}")
