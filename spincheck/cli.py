"""The command line: ``spincheck score | explain | compare | train | evaluate``.

A thin argparse layer over :mod:`spincheck.inputs` (reading), the detector (scoring) and
:mod:`spincheck.report` (rendering). ``main(argv)`` returns the exit status instead of
exiting, so tests call it in-process. Problems are printed on stderr as one line each,
``spincheck: error: <what> (<hint>)``, never as a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import functools
import io
import math
import os
import re
import select
import shlex
import signal
import stat
import sys
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

import numpy as np

from . import __version__, _console
from .detector import CONTEXT_MIN_FLAGGED, CONTEXT_P, CONTEXT_SHARE, DEFAULT_MIN_WORDS, Detector, Document, Result
from .inputs import (
    COMPRESSION_SUFFIXES,
    MAX_LINE_PROBLEMS,
    OUTPUT_NOTE,
    STDIN_NAME,
    Chunk,
    Done,
    Event,
    InputFile,
    Problem,
    Reader,
    _file_id,
    _path_id,
    iter_inputs,
    iter_records,
    kind_of,
    os_problem,
    shown,
    text_field_problem,
    tree_files,
)
from .metrics import COUNT_SLACK, evidence_quality, false_positives_allowed, metrics_at, threshold_for_fpr
from .model import ModelError
from .report import (
    FORMATS,
    Reporter,
    _count,
    _one_line,
    comparison_record,
    json_line,
    make_reporter,
    render_comparison,
    render_evaluation,
    write_comparison_csv,
    write_comparison_html,
    write_comparison_json,
    write_html,
)
from .text import split_paragraphs, without_lone_surrogates

if TYPE_CHECKING:
    from .compare import Alignment

__all__ = ["main", "console_main", "EXIT_OK", "EXIT_FLAGGED", "EXIT_ERROR"]

EXIT_OK = 0
EXIT_FLAGGED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = _console.EXIT_INTERRUPTED  # 130, defined where Ctrl-C is caught before this module loads
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports `yes | head`
# the train extra is several packages; the extra's name works only where spincheck's source is
TRAIN_HINT = "in spincheck's checkout: pip install '.[train]'"

_SIGNAL_STATUS_HELP = """\
  130  interrupted (Ctrl-C)
  141  the reader of the output went away (| head)
  143  stopped by SIGTERM (129: SIGHUP), as Ctrl-C stops it
"""
EXIT_STATUS_HELP = (
    """\
exit status:
  0  every input was read and scored, and no paragraph was flagged
  1  at least one paragraph was flagged as spun
  2  an error: bad usage, or an input could not be read (the other inputs
     are still scored and reported); an error wins over a flag
"""
    + _SIGNAL_STATUS_HELP
)
# explain reads one document: there are no other inputs to go on with
_EXPLAIN_STATUS_HELP = (
    """\
exit status:
  0  the document was read and scored, and no paragraph was flagged
  1  at least one paragraph was flagged as spun
  2  an error: bad usage, or the document could not be read (no page is written)
"""
    + _SIGNAL_STATUS_HELP
)
# a pair that is not what was meant is still compared: stderr says so
_COMPARE_STATUS_HELP = (
    """\
exit status:
  0  compared; stderr says when COPY holds ORIGINAL's text, rewords none of
     what it takes, is not taken from it, or looks like the original of the two
  2  an error
"""
    + _SIGNAL_STATUS_HELP
)

MODEL_HELP = (
    "model directory (default: the shipped model). Use only a model directory from a trusted "
    "source: its files are verified against the SHA-256 sums in its card.json and only data "
    "files are read, but a directory you did not make could still hold a misleading model"
)

# explain and compare read whole documents into memory; larger inputs belong to `score`.
MAX_EXPLAIN_CHARS = 20_000_000
# --jobs: consecutive chunks are sent to a worker together up to this many characters.
TASK_CHARS = 1 << 18
TASK_EVENTS = 256
# One process: consecutive chunks (JSONL records, small files) are scored in one call up to this
# many characters. A call costs 1-2 ms whatever its size: 24,000 short records took 46 s one
# at a time, 6.2 s in batches. A streamed file's chunk of ~128,000 characters is a call of its own.
BATCH_CHARS = 1 << 16
# --jobs: the worker pool's results are let out when stdin has had nothing ready for this long
IDLE_SECONDS = 0.05
# A single input file this large gets a progress bar (in bytes read; several files always do).
BAR_BYTES = 1 << 22
# --jobs: loky's resource tracker, a process of its own that outlives the run by a moment, can
# report a semaphore as "leaked" when workers are stopped early (`| head`), though it was already
# removed. It still cleans up; these -W filters, handed to the processes joblib starts (loky's
# tracker and the standard library's), only keep its warnings for programmers off stderr.
TRACKER_WARNINGS = tuple(
    f"ignore:resource_tracker:UserWarning:{module}"
    for module in ("joblib.externals.loky.backend.resource_tracker", "multiprocessing.resource_tracker")
)


class UsageError(Exception):
    """A command line argparse rejects; reported in one line, exit status 2."""

    def __init__(self, message: str, prog: str) -> None:
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise UsageError(message, self.prog)

    def _print_message(self, message: str, file=None) -> None:
        # argparse drops an OSError here: --help or --version into a full disk said nothing, exit 0
        if message:
            with contextlib.suppress(AttributeError):  # stderr closed (2>&-): nowhere to say it
                (file or sys.stderr).write(message)


class _Formatter(argparse.HelpFormatter):
    """Wraps descriptions as usual; text written with line breaks (the exit status table) stays as it is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class Console:
    """stderr messages: errors always, warnings and notes unless quiet, info with -v."""

    def __init__(self) -> None:
        self.verbosity = 0
        self.quiet = False
        self.errors = 0
        self.bar = None  # an active tqdm progress bar, written around

    def _write(self, line: str) -> None:
        # a path argument whose bytes are not UTF-8 (-o, --model, --out) holds lone surrogates;
        # they show as U+FFFD, as such bytes in input names do, not as "\udcff"
        line = without_lone_surrogates(line)
        if sys.stderr is None:  # started with stderr closed (2>&-): print() would put it among the results
            return
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def problem(self, problem: Problem) -> None:
        if problem.level == "error":
            self.errors += 1
        elif self.quiet:
            return
        # a file name's newline or escape sequence is shown escaped, as on stdout: one line each, and
        # nothing from a name reaches the terminal as a control
        self._write(_one_line(without_lone_surrogates(str(problem))))

    def error(self, what: str, hint: str | None = None) -> None:
        self.problem(Problem("error", what, hint))

    def note(self, what: str) -> None:
        self.problem(Problem("note", what))

    def info(self, what: str) -> None:
        if self.verbosity >= 1 and not self.quiet:
            self._write(f"spincheck: {what}")

    def debug(self, what: str) -> None:
        if self.verbosity >= 2:
            self._write(what.rstrip("\n"))


# ---- argument types ---------------------------------------------------------------------------


def _number(value: str) -> float:
    try:
        return float(value) + 0.0  # -0 as 0: "--at-fpr -0" printed "at most -0 %", JSON -0.0
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None


def _probability(value: str) -> float:
    p = _number(value)
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not a probability between 0 and 1")
    return p


def _share(value: str) -> float:
    p = _number(value)
    if not 0.0 <= p < 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not a share from 0 to under 1 (0.01 is 1 %)")
    return p


def _positive_int(value: str) -> int:
    n = _whole_number(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return n


# train --jobs: BLAS takes a C int (99999999999999999999 ended the run as "a bug in spincheck"),
# and no BLAS pool is built for more threads than this
MAX_TRAIN_THREADS = 1024


def _thread_count(value: str) -> int:
    n = _positive_int(value)
    if n > MAX_TRAIN_THREADS:
        raise argparse.ArgumentTypeError(f"{value} is more threads than training can use (at most {MAX_TRAIN_THREADS})")
    return n


def _seed(value: str) -> int:
    n = _whole_number(value)
    if not 0 <= n < 2**32:  # scikit-learn's random_state takes no more
        raise argparse.ArgumentTypeError(f"{value} is not a seed (a whole number from 0 to 4294967295)")
    return n


def _path(value: str) -> str:
    """A path that names something: an empty one (``--model "$UNSET"``) is the current folder to
    the file system, which was then trained on, loaded as a model or called a directory."""
    if not value:
        raise argparse.ArgumentTypeError("an empty path was given")
    return value


def _corpus_path(value: str) -> str:
    """A corpus path for train, which reads files and directories only: "-" was looked up as a
    file and reported missing, as if the user had mistyped a name."""
    if value == "-":
        raise argparse.ArgumentTypeError(
            "train reads files and directories, not stdin: save the input to a file (./- names a file called -)"
        )
    return _path(value)


def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None


# The option groups subcommands share: common (-v, -q after the subcommand), model (--model,
# --threshold, --min-words) and context (--no-context).
_Parents = tuple[argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser]


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spincheck",
        description="Find paragraphs that were run through an article spinner, and say which phrase "
        "was swapped for what.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"spincheck {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="say more (repeat for debugging output)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors and results")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parents = _shared_options()
    for add in (_add_score, _add_explain, _add_compare, _add_train, _add_evaluate):
        add(sub, parents)
    return parser


def _shared_options() -> _Parents:
    """The option groups several subcommands take (see ``_Parents``)."""
    # The same options after the subcommand; SUPPRESS keeps them from overwriting the ones before it.
    # -v counts under its own name, added to the count before the subcommand: a subcommand's
    # parser counts from 0 and replaced it ("-v score -v" was one -v, not -vv).
    common = _Parser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        dest="verbose_after",
        default=argparse.SUPPRESS,
        help="say more (repeat for debugging output)",
    )
    common.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no notes, warnings or progress bars; only errors and results",
    )
    model = _Parser(add_help=False)
    model.add_argument("--model", metavar="DIR", type=_path, help=MODEL_HELP)
    model.add_argument(
        "--threshold",
        metavar="P",
        type=_probability,
        help="flag paragraphs whose spin probability is at least P (default: the model's threshold)",
    )
    model.add_argument(
        "--min-words",
        metavar="N",
        type=_positive_int,
        default=DEFAULT_MIN_WORDS,
        help=f"paragraphs with fewer words are reported as not scored (default: {DEFAULT_MIN_WORDS})",
    )

    context = _Parser(add_help=False)
    context.add_argument(
        "--no-context",
        dest="document_context",
        action="store_false",
        help=f"judge every paragraph on its own. By default, when at least {CONTEXT_MIN_FLAGGED} paragraphs of a "
        f"document, and {CONTEXT_SHARE * 100:.0f} %% of its scored ones, reach the threshold, its other paragraphs are "
        f"flagged from probability {CONTEXT_P:g} on (marked by_context)",
    )
    return common, model, context


def _add_score(sub, parents: _Parents) -> None:
    """``spincheck score``."""
    score = sub.add_parser(
        "score",
        parents=list(parents),
        formatter_class=_Formatter,
        epilog=EXIT_STATUS_HELP,
        help="score text files, directories, HTML pages, PDFs, Word, OpenDocument, RTF and EPUB files, JSONL records "
        "or stdin",
        description="Score every paragraph of the inputs and report the ones that look spun. "
        "Directories are searched recursively for .txt, .md, .html/.htm, .pdf, .docx, .odt, .rtf, .epub and "
        ".jsonl files, also compressed (.gz, .bz2, .xz; any gzip, bzip2 or xz input is read decompressed); a .json "
        "file named here that opens an array is one JSON array of records, read whole. Plain text "
        "and stdin are streamed (read in bounded memory, output starts before the input ends); "
        "every format is written as it goes, but jsonl is the one to read as a stream (json is one array).",
    )
    score.add_argument("paths", nargs="*", metavar="PATH", help="file or directory; '-' or nothing reads stdin")
    score.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: the one -o's suffix names, .csv, .jsonl or .ndjson, .json; otherwise text, "
        "which lists the strongest evidence of each flagged paragraph; json, jsonl and csv list all of it)",
    )
    score.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=_path,
        default="-",
        help="write the results to FILE, in UTF-8, instead of stdout (default: stdout), in a folder that exists; "
        "an input cannot be its own output, not even a file that a directory scan would read",
    )
    score.add_argument(
        "--text-field",
        metavar="F",
        default="text",
        help="JSONL field holding the text: a string, or a list of paragraphs (default: text)",
    )
    score.add_argument(
        "--explain",
        action="store_true",
        help="find evidence for every scored paragraph, not only the flagged ones (slower), to see why one "
        "scored as it did; the text format then lists every scored paragraph",
    )
    score.add_argument(
        "--flagged-only",
        action="store_true",
        help="list only flagged paragraphs (json, jsonl, csv; and text with --explain); summaries and the "
        "exit status still count every paragraph",
    )
    score.add_argument(
        "--jobs",
        metavar="N",
        type=_positive_int,
        default=1,
        help="score in N worker processes (output keeps the input order; default: 1)",
    )
    score.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format: auto colours only a terminal (default: auto)",
    )
    score.set_defaults(func=_cmd_score)


def _add_explain(sub, parents: _Parents) -> None:
    """``spincheck explain``."""
    explain = sub.add_parser(
        "explain",
        parents=list(parents),
        formatter_class=_Formatter,
        epilog=_EXPLAIN_STATUS_HELP,
        help="write a self-contained HTML page explaining one document",
        description="Score one text, HTML, PDF, Word, OpenDocument, RTF or EPUB document and write an HTML page "
        "showing each paragraph shaded by spin probability, with the suspicious phrases and their likely originals.",
    )
    explain.add_argument(
        "path", metavar="PATH", type=_path, help="a text, HTML, PDF, .docx, .odt, .rtf or .epub file; '-' reads stdin"
    )
    explain.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=_path,
        help="where to write the page (default: stdout, unless it is a terminal; -o - writes it there anyway)",
    )
    explain.set_defaults(func=_cmd_explain)


def _add_compare(sub, parents: _Parents) -> None:
    """``spincheck compare``."""
    compare = sub.add_parser(
        "compare",
        parents=list(parents),
        formatter_class=_Formatter,
        help="compare a suspected copy with its original: its swaps, and which ones the detector found",
        description="Match each paragraph of COPY with the paragraph of ORIGINAL it was taken from, list "
        "the words and short phrases it swapped (house style such as quotes, US/U.S. and numbers aside), "
        "and score COPY: which swaps its evidence covers and whether it suggests the original's wording. "
        "--format jsonl writes one labelled paragraph per line (label 1 reworded, 0 taken unchanged, "
        "null not from the original) with its replacements: input for 'spincheck evaluate' and "
        "'spincheck train --spun'.",
        epilog=_COMPARE_STATUS_HELP,
    )
    compare.add_argument(
        "original",
        metavar="ORIGINAL",
        type=_path,
        help="the source: a text, HTML, PDF, .docx, .odt, .rtf or .epub file; '-' reads stdin",
    )
    compare.add_argument(
        "copy",
        metavar="COPY",
        type=_path,
        help="the suspected copy: a text, HTML, PDF, .docx, .odt, .rtf or .epub file; '-' reads stdin",
    )
    compare.add_argument(
        "--format",
        choices=("text", "json", "jsonl", "csv", "html"),
        help="output format (default: the one -o's suffix names, .csv, .jsonl or .ndjson, .json, .html or .htm; "
        "otherwise text, which lists each reworded paragraph's swaps and whether the evidence found them; csv: "
        "a row per swap, for a spreadsheet; html: a page with the copy's swaps marked, to show an editor)",
    )
    compare.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=_path,
        help="write the report to FILE in UTF-8 instead of stdout; it replaces FILE once written, and a "
        "comparison that fails leaves FILE as it was",
    )
    compare.set_defaults(func=_cmd_compare)


def _add_train(sub, parents: _Parents) -> None:
    """``spincheck train``."""
    train = sub.add_parser(
        "train",
        parents=list(parents[:1]),
        formatter_class=_Formatter,
        help="retrain the detector on your own clean text",
        description="Build a model directory from a clean corpus of your domain: reference statistics, "
        "synthetic spins, classifier and threshold. The threshold, and the false-positive rate the summary gives, "
        "hold for text like the corpus: check other kinds with 'spincheck evaluate --model DIR --at-fpr R'. "
        f"Needs scikit-learn and the other packages of the train extra ({TRAIN_HINT}).",
        epilog="exit status:\n  0  the model was written\n  2  an error; it leaves --out as it was, as a stop does\n"
        + _SIGNAL_STATUS_HELP,
    )
    train.add_argument(
        "--clean",
        metavar="PATH",
        type=_corpus_path,
        nargs="+",
        action="extend",
        required=True,
        help="text, JSONL, HTML, PDF, Word, OpenDocument, RTF or EPUB files (also .gz, .bz2, .xz) or directories "
        "of them, or .json arrays of records (as score reads them), holding clean English text (paragraphs the "
        "detector would not score, such as tables or another language, are not trained on; those the split puts "
        "in the reference part still count in its statistics). A JSONL record labelled 1 (spun) is an error; one "
        'with "label": null, as compare writes for a paragraph found in no original, is left out with a warning',
    )
    train.add_argument(
        "--out",
        metavar="DIR",
        type=_path,
        required=True,
        help="model directory to write (replaced atomically; missing folders above it are made)",
    )
    train.add_argument(
        "--spun",
        metavar="PATH",
        type=_corpus_path,
        nargs="+",
        action="extend",
        default=[],
        help="real examples to add: text files of spun text, or JSONL records with a label (1 spun, the "
        "default; 0 clean; null left out, with a warning), such as 'spincheck compare --format jsonl' writes; "
        "a paragraph given twice is trained on once",
    )
    train.add_argument("--seed", metavar="N", type=_seed, default=0, help="random seed, from 0 (default: 0)")
    train.add_argument(
        "--jobs", metavar="N", type=_thread_count, default=1, help="CPU threads training may use (default: 1)"
    )
    train.add_argument(
        "--reference",
        choices=("merge", "replace"),
        default="merge",
        help="merge your corpus's statistics into the shipped ones, or replace them (default: merge). "
        "A large corpus is split into reference / training / held-out paragraphs 70/18/12 %% with merge, "
        "80/12/8 %% with replace",
    )
    train.add_argument("--text-field", metavar="F", default="text", help="JSONL field holding the text (default: text)")
    train.add_argument(
        "--model",
        metavar="DIR",
        type=_path,
        help="base model providing the lexicon and statistics to merge. " + MODEL_HELP.split(". ", 1)[1],
    )
    train.set_defaults(func=_cmd_train)


def _add_evaluate(sub, parents: _Parents) -> None:
    """``spincheck evaluate``."""
    evaluate = sub.add_parser(
        "evaluate",
        parents=list(parents[:2]),
        formatter_class=_Formatter,
        help="measure the detector on labelled paragraphs",
        description='Score labelled paragraphs, one JSON object per line: {"text": ..., "label": 0 or 1} '
        "(or a .json file holding one array of such records, as score reads it), and print precision, "
        "recall, F1, ROC-AUC, false-positive rate and the confusion counts. "
        "Paragraphs the detector does not score (too short, not English) are counted separately; lines "
        'with "label": null are left out. Spun paragraphs that list the swaps made in them, '
        '"replacements": [[start, end, original, replacement], ...] with offsets into the text (as '
        "'spincheck compare --format jsonl' writes them), also get the evidence measured: the share of "
        "swaps inside an evidence span of the flagged ones, and how often it suggests the original.",
        epilog="exit status:\n  0  evaluated\n  2  an error (a bad line is reported and skipped)\n"
        + _SIGNAL_STATUS_HELP,
    )
    evaluate.add_argument(
        "file",
        metavar="FILE",
        type=_path,
        help="labelled paragraphs: JSONL, or a .json array of records; '-' reads stdin",
    )
    evaluate.add_argument("--json", action="store_true", help="print the result as JSON")
    evaluate.add_argument(
        "--format",
        choices=("text", "json"),
        help="output format, as in score and compare (default: text; --format json is --json)",
    )
    evaluate.add_argument("--text-field", metavar="F", default="text", help="field holding the text (default: text)")
    evaluate.add_argument(
        "--at-fpr",
        metavar="R",
        type=_share,
        help="also find the lowest threshold that flags at most a share R of this file's clean "
        "paragraphs (0.01 = 1 %%) and report the metrics there: the value to pass to "
        "score --threshold for text like yours",
    )
    evaluate.set_defaults(func=_cmd_evaluate)


# ---- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see ``EXIT_STATUS_HELP``: 0 clean,
    1 flagged, 2 error, 130 interrupted, 141 output closed)."""
    return _main(argv)


def console_main() -> int:
    """The ``spincheck`` command (and ``python -m spincheck``): :func:`main`, with SIGTERM and
    SIGHUP ending a run as Ctrl-C does, and a stdout that can take any character (see
    :func:`_fit_stdout`). A program that calls :func:`main` keeps its own signals and stdout."""
    restore = _stop_on_termination()
    _fit_stdout()
    try:
        return _main(None)
    finally:
        restore()


def _stop_on_termination() -> Callable[[], None]:
    """Make SIGTERM and SIGHUP end a run as Ctrl-C does, cleaning up what it was writing (an -o
    file's temporary), with the status a shell gives them (128 + N); returns what undoes it."""
    previous = {}

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        with contextlib.suppress(ValueError, OSError):  # ValueError: not the main thread
            if number is not None and signal.getsignal(number) == signal.SIG_DFL:
                previous[number] = signal.signal(number, stop)

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


def _main(argv: Sequence[str] | None) -> int:
    console = Console()
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # started with stdout closed (`>&-`): there is nowhere to put results
        console.error("stdout is closed", "redirect it to a file or /dev/null")
        return EXIT_ERROR
    try:
        try:
            args = _build_parser().parse_args(argv)
        except SystemExit:  # --help and --version: flushed here, as results are below
            sys.stdout.flush()
            raise
        console.verbosity, console.quiet = args.verbose + getattr(args, "verbose_after", 0), args.quiet
        args.argv = argv
        status = args.func(args, console)
        # what is still buffered is written now, where a full disk or a reader that went away is
        # reported as for the rest of the output, not at exit as "Exception ignored", status 120
        sys.stdout.flush()
        return status
    except UsageError as exc:
        console.error(str(exc), _usage_hint(exc, argv))
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except ModelError as exc:
        console.error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        console.error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): stop quietly, with the status a
        # program killed by SIGPIPE has, so that no one reads it as an unreadable input.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # inputs report their own; this is a full disk under stdout, or the like
        where = f"{exc.filename}: " if exc.filename else "cannot write the output: "
        console.error(where + (exc.strerror or str(exc)))
        try:  # what stdout still holds would fail again at exit ("Exception ignored", status 120)
            sys.stdout.flush()
        except (OSError, ValueError, AttributeError):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:  # the one place that turns a bug into a one-line message
        console.error(
            f"unexpected {type(exc).__name__}: {exc}",
            "this is a bug in spincheck; rerun with -vv for the traceback and report it",
        )
        console.debug(traceback.format_exc())
        return EXIT_ERROR


def _fit_stdout() -> None:
    """Make a stdout whose encoding cannot hold every character safe to write to: results piped
    or redirected are written in UTF-8, as -o writes them (JSON, CSV and HTML pages that declare
    UTF-8 stay whole); a terminal gets what it cannot show escaped. An ASCII or cp1252 stdout
    (LC_ALL=C with PYTHONUTF8=0, Windows) ended the run as "a bug" at the first such character."""
    encoding = getattr(sys.stdout, "encoding", None)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if not encoding or reconfigure is None:
        return
    with contextlib.suppress(LookupError):
        if codecs.lookup(encoding).name in ("utf-8", "utf-16", "utf-32"):
            return
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        if _isatty(sys.stdout):
            reconfigure(errors="backslashreplace")
        else:
            reconfigure(encoding="utf-8")


COMMANDS = ("score", "explain", "compare", "train", "evaluate")


def _usage_hint(exc: UsageError, argv: Sequence[str]) -> str:
    """Where to look: the subcommand's help (argparse reports unknown options from the top), or
    how to name a file that starts with a dash."""
    message = str(exc)
    # a file whose name starts with a dash is taken for an option: it is then unrecognized, or a
    # file argument is missing ("explain -notes.txt" said only "the following arguments are required: PATH")
    if message.startswith(("unrecognized arguments", "the following arguments are required")) or re.search(
        r"expected (one|at least one) argument$", message
    ):
        end = argv.index("--") if "--" in argv else len(argv)
        dashed = next((a for a in argv[:end] if a.startswith("-") and a != "-" and os.path.exists(a)), None)
        if dashed is not None:  # -- ends the options, so it cannot come before an option's value
            either = "" if message.startswith("argument ") else " or put -- before it"
            return f"to read the file {dashed}, write ./{dashed}{either}"
        if message.startswith("unrecognized arguments") and any(a.startswith("-") for a in argv[end + 1 :]):
            return "after --, every argument is a file name: put options before the --"
    prog = exc.prog
    if prog == "spincheck":
        command = next((a for a in argv if a in COMMANDS), None)
        prog = f"spincheck {command}" if command else prog
    return f"see '{prog} --help'"


def _load_detector(args, console: Console) -> Detector:
    detector = Detector.load(
        args.model,
        threshold=args.threshold,
        min_words=args.min_words,
        document_context=getattr(args, "document_context", True),
    )
    card = detector.model.card
    # the id too: a retrained model has the shipped one's version, and jsonl and csv rows name no model
    console.info(
        f"model {detector.path} (version {card.version}, id {detector.model.fingerprint}, "
        f"threshold {detector.threshold:.4f}, min words {detector.min_words})"
    )
    return detector


# ---- score --------------------------------------------------------------------------------------


# -o's suffix -> the format written when --format is not given
OUTPUT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
COMPARE_OUTPUT_FORMATS = {**OUTPUT_FORMATS, ".html": "html", ".htm": "html"}


def _cmd_score(args, console: Console) -> int:
    if args.paths.count("-") > 1:
        raise UsageError("stdin ('-') can be given only once", "spincheck score")
    if _uncompressed_into_compressed(args.output, console, args.format):
        return EXIT_ERROR
    args.format = args.format or _suffix_format(args.output, OUTPUT_FORMATS)
    cpus = os.cpu_count() or 1
    if args.jobs > cpus:
        console.note(f"--jobs {args.jobs} is more than this machine's {cpus} CPUs; using {cpus}")
        args.jobs = cpus
    if args.output == "-":
        items = iter_inputs(args.paths, _file_id(sys.stdout))
        return _score_into(sys.stdout, items, args, _load_detector(args, console), console)[0]
    clash = _input_among(args.output, args.paths)
    if clash is not None:
        return _refuse_clash(clash, console)
    if _refused_as_a_directory(args.output, console):
        return EXIT_ERROR
    detector = _load_detector(args, console)
    # written in place, a pipe or /dev/stdout has no earlier results to keep: what was written is the output
    in_place = _written_in_place(args.output)
    existed = not in_place and os.path.isfile(args.output)
    try:
        # the results replace the file once the run is over; Ctrl-C leaves it as it was
        with replaced_atomically(args.output) as out:
            items = _refusing_output(iter_inputs(args.paths, _path_id(args.output)))
            status, reporter = _score_into(out, items, args, detector, console)
            # every input unreadable, or a folder with nothing to score: earlier results are kept
            # (a new file is still made for a run that found nothing, so that it is there to read)
            if not reporter.documents and not in_place and (existed or status == EXIT_ERROR):
                raise _NothingWritten(status)
    except _NothingWritten as nothing:
        console.note(f"{args.output} is left as it was: nothing was scored")
        return nothing.status
    except _OutputIsInput as met:
        return _refuse_clash(met.name, console)
    except BrokenPipeError:  # -o /dev/stdout or a pipe whose reader went away: as with stdout
        raise
    except OSError as exc:  # it cannot be made, or the disk filled up while writing
        console.error(*_cannot_write(args.output, exc))
        return EXIT_ERROR
    total = reporter.total
    console.note(
        f"wrote {args.output}: {total.flagged:,} of {total.scored:,} scored paragraphs flagged "
        f"in {reporter.documents:,} document{'' if reporter.documents == 1 else 's'}"
    )
    return status


class _NothingWritten(Exception):
    """A run that scored nothing (every input unreadable, or none found) leaves an old -o file as
    it was; ``status`` is the run's exit status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _OutputIsInput(Exception):
    """The walk met the -o file among the inputs, which the check before it missed (a file
    system whose listings give other inode numbers than stat): the run stops, -o untouched."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _refuse_clash(name: str, console: Console) -> int:
    console.error(
        f"{name} is an input; writing the results to it would replace it",
        "choose another -o, outside the folders scored, or delete it first if it holds earlier results",
    )
    return EXIT_ERROR


def _refusing_output(items: Iterable[InputFile | Problem]) -> Iterator[InputFile | Problem]:
    """``items``, raising _OutputIsInput at the -o file, which iter_inputs notes in its place."""
    for item in items:
        if isinstance(item, Problem) and item.cause == "output":
            raise _OutputIsInput(item.what.removesuffix(OUTPUT_NOTE))
        yield item


def _input_among(output: str, paths: Sequence[str]) -> str | None:
    """The name of the input among ``paths`` (named, stdin, or in a directory) that ``output``
    is (the same file, whatever the path), or None, found before anything is read or written.

    A directory is searched with os.scandir, which gives each name's inode without a stat, and
    holds no list of its files: a stat confirms a candidate (a link, or the same inode number)."""
    target = _replaceable(output)
    if target is None:
        return None
    for arg in paths or ["-"]:
        if arg == "-":
            if _file_id(sys.stdin) == target:
                return STDIN_NAME
        elif arg and os.path.isdir(arg):
            for entry in tree_files(arg):
                if (entry.is_symlink() or entry.inode() == target[1]) and _path_id(entry.path) == target:
                    return shown(Path(entry.path))
        elif arg and _path_id(arg) == target:
            return shown(Path(arg))
    return None


def _stdout_document(documents: list[InputFile]) -> str | None:
    """Which of ``documents`` stdout is redirected to ("explain doc.txt >> doc.txt"), as shown in
    a message, or None: written there, the output went into the document read."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None
    for document in documents:
        if _input_at(descriptor, [document]) is not None:
            return document.name if document.path else "the file on stdin"
    return None


def _replaceable(output: str | int) -> tuple[int, int] | None:
    """The (device, inode) of ``output`` (a path, or an open descriptor) when it is a regular
    file, which writing the results would replace; None otherwise (missing, /dev/null, a
    terminal or a pipe, which an input can share with the output without a clash)."""
    try:
        st = os.stat(output)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _input_at(output: str | int, items: list) -> str | None:
    """The name of the input that ``output`` (a path, or an open descriptor) is (the same file,
    whatever the path), or None.

    Only a regular file can be replaced: /dev/null, a terminal or a pipe as both stdin and the
    output is no clash (stdin from /dev/null is the same device as ``-o /dev/null``)."""
    target = _replaceable(output)
    if target is None:
        return None
    for item in items:
        if not isinstance(item, InputFile):
            continue
        try:
            other = os.stat(item.path) if item.path is not None else os.fstat(sys.stdin.fileno())
        except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
            continue
        if (other.st_dev, other.st_ino) == target:
            return item.name
    return None


def _score_into(
    out: TextIO, items: Iterable[InputFile | Problem], args, detector: Detector, console: Console
) -> tuple[int, Reporter]:
    """Score ``items`` (read as they come: a directory is walked as it is scored) into ``out``:
    the exit status, and the reporter with its counts."""
    stdin = not args.paths or "-" in args.paths
    if stdin:
        _note_terminal(console, "text", "pass files to score")
    reporter = make_reporter(
        args.format,
        out,
        color=_use_color(args.color, out),
        explain=args.explain,
        flagged_only=args.flagged_only,
        model={
            "model_version": detector.model.card.version,
            "model_id": detector.model.fingerprint,
            "threshold": round(detector.threshold, 6),
        },
    )
    reader = Reader(text_field=args.text_field)
    events = reader.events(items)
    files, size = _input_sizes(args.paths) if not console.quiet and _isatty(sys.stderr) else (0, None)  # for a bar
    with _progress_bar(files, size, console) as bar:
        if bar is not None and size is not None:
            events = _read_bytes(events, reader, bar)
        # only a terminal on stdout shares the bar's screen: redrawing it around every row written
        # to a file (score big.jsonl > out.jsonl) slowed the run by a quarter and flooded stderr
        on_screen = out is sys.stdout and _isatty(sys.stdout)
        write_guard = _stdout_guard(bar) if on_screen else contextlib.nullcontext

        def waits() -> bool:  # asked only while stdin is being read: files beside it stay batched
            return reader.on_stdin and not reader.holds_input() and _stdin_waits()

        for event, paragraphs in _scored(events, detector, args.jobs, args.explain, waits if stdin else None):
            if isinstance(event, Problem):
                console.problem(event)
            elif isinstance(event, Done):
                if bar is not None and size is None:
                    bar.update(1)
            elif paragraphs is not None:  # a chunk, always scored
                with write_guard():
                    reporter.add(event, paragraphs)
    reporter.close()
    if console.errors:
        return EXIT_ERROR, reporter
    return (EXIT_FLAGGED if reporter.flagged else EXIT_OK), reporter


def _note_terminal(console: Console, what: str, instead: str) -> None:
    """Say that stdin is read from the terminal, and how to end it: explain, compare and evaluate
    waited there in silence, as if they hung."""
    if _isatty(sys.stdin):
        console.note(f"reading {what} from the terminal; end it with Ctrl-D (or {instead})")


def _stdin_waits() -> bool:
    """Whether stdin has nothing to read right now. A pipe or terminal that hands over a record
    at a time (``tail -f log.jsonl | spincheck score -``) then has what it gave scored and
    printed, not held back for a batch; a file, or a pipe that ``zcat`` keeps full, is ready."""
    try:
        ready, _, _ = select.select([sys.stdin], [], [], 0)
    except (OSError, ValueError, TypeError, io.UnsupportedOperation):  # closed, replaced, no select
        return True
    return not ready


def _use_color(choice: str, out: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    # no-color.org: NO_COLOR counts when set to anything but the empty string
    return _isatty(out) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _isatty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _input_sizes(paths: Sequence[str]) -> tuple[int, int | None]:
    """How many files ``paths`` name or hold, and their size in bytes (None when stdin is one of
    them), for a bar. A directory is counted by os.scandir, holding no list of its files:
    1,000,000 files took 5 s (the walk that reads them stats each again, as it goes)."""
    files = 0
    size: int | None = 0
    for arg in paths or ["-"]:
        if arg == "-":
            files, size = files + 1, None
        elif arg and os.path.isdir(arg):
            for entry in tree_files(arg):
                files += 1
                if size is not None:
                    with contextlib.suppress(OSError):  # gone since: the reader reports it
                        size += entry.stat().st_size
        elif arg:
            files += 1
            if size is not None:
                with contextlib.suppress(OSError):  # the reader reports it
                    size += os.stat(arg).st_size
    return files, size


def _read_bytes(events: Iterable, reader: Reader, bar: Any) -> Iterator:
    """Pass ``events`` on, moving a bar in bytes to what has been read of the inputs: in one
    large file, a bar over files stood still for its whole run."""
    done, current = 0, None  # bytes of the files read to their end; size of the one being read
    for event in events:
        if isinstance(event, Done):
            done += current or 0
            current = None
            at = done
        else:  # a file may grow while it is read: never past its size when it was opened
            if current is None:
                current = reader.size()
            at = done + min(reader.position() or 0, current or 0)
        if at > bar.n:
            bar.update(at - bar.n)
        yield event


@contextlib.contextmanager
def _progress_bar(files: int, size: int | None, console: Console) -> Iterator[Any]:
    """A tqdm bar on stderr, on a terminal and not quiet: in bytes read of the input files (``size``
    in all), for several files or one of BAR_BYTES or more; over files when stdin is one of several
    inputs."""
    large = size is not None and size >= BAR_BYTES
    if (files < 2 and not large) or console.quiet or not _isatty(sys.stderr):
        yield None
        return
    from tqdm import tqdm

    if size is not None:
        options = {"total": size, "unit": "B", "unit_scale": True, "unit_divisor": 1024}
    else:
        options = {"total": files, "unit": "file"}
    with tqdm(desc="scoring", file=sys.stderr, leave=False, dynamic_ncols=True, **options) as bar:
        console.bar = bar
        try:
            yield bar
        finally:
            console.bar = None


def _stdout_guard(bar):
    """Context for writing to stdout without tearing a progress bar on the same terminal."""
    if bar is None:
        return contextlib.nullcontext
    return functools.partial(type(bar).external_write_mode, file=sys.stdout)


def _score_chunks(detector: Detector, texts: list[str], explain: bool = False) -> list[list[tuple[int, int, Result]]]:
    """Each text's paragraphs as ``(start, end, result)``, scored in one batch (as one by one)."""
    documents = detector.score_documents(texts, batch_size=max(1, len(texts)), explain=explain)
    return [[(p.start, p.end, p.result) for p in doc.paragraphs] for doc in documents]


def _score_task(detector: Detector, explain: bool, texts: list[str]) -> list[list[tuple[int, int, Result]]]:
    """A worker's task. The detector comes pickled as its model's path and fingerprint: the worker
    loads the model once and scores with the very model the run reports, or raises ModelError.
    Loaded again by path (cached by path and settings), a reused worker scored a second run with
    the model it had loaded for the first, though a retraining had replaced it."""
    return _score_chunks(detector, texts, explain)


def _tasks(events: Iterable, chars: int = TASK_CHARS, waits: Callable[[], bool] | None = None) -> Iterator[list]:
    """Group consecutive events into batches of about ``chars`` characters of text; a batch
    also ends when ``waits()`` says that the input has nothing more to read right now."""
    batch: list = []
    size = 0
    for event in events:
        batch.append(event)
        if isinstance(event, Chunk):
            size += len(event.text)
        if size >= chars or len(batch) >= TASK_EVENTS or (waits is not None and waits()):
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _scored(
    events: Iterable[Event],
    detector: Detector,
    jobs: int,
    explain: bool = False,
    waits: Callable[[], bool] | None = None,
) -> Iterator[tuple[Event, list[tuple[int, int, Result]] | None]]:
    """``(event, paragraphs)`` in input order; paragraphs are scored for chunks, None otherwise.

    In one process, consecutive chunks are scored together, about BATCH_CHARS at a time; a
    batch ends early when ``waits()`` says that the input (stdin) has nothing more ready, so
    that a slow feed is answered as it comes. With ``jobs > 1`` chunks are scored by joblib
    worker processes (each loads the detector once); joblib returns results in submission
    order and reads ahead only a few tasks, so memory stays bounded. joblib reads several
    tasks ahead before it hands back any result, so tasks go to it in runs that end where
    ``waits()`` says the input has nothing ready; each run's results come out before the
    input is read on (a slow feed with --jobs 2 printed nothing until 256 records had come).
    """
    if jobs == 1:
        for batch in _tasks(events, BATCH_CHARS, waits):
            texts = [e.text for e in batch if isinstance(e, Chunk)]
            yield from _paired(batch, _score_chunks(detector, texts, explain) if texts else [])
        return
    from joblib import Parallel, delayed

    pending: deque[list] = deque()
    idle = ended = False

    def settled() -> bool:  # a run ends only where the input stays idle a moment: a pipe that
        nonlocal idle  # zcat keeps full is empty for an instant now and then
        idle = waits is not None and waits() and _still_waits(waits)  # (settled is passed on with waits only)
        return idle

    batches = _tasks(events, TASK_CHARS, settled if waits is not None else None)

    def tasks():  # one run: up to the end of the input, or until it has nothing ready
        nonlocal ended
        for batch in batches:
            # keep what to report, not the text, until the results come back
            pending.append([replace(e, text="") if isinstance(e, Chunk) else e for e in batch])
            yield delayed(_score_task)(detector, explain, [e.text for e in batch if isinstance(e, Chunk)])
            if idle:
                return
        ended = True

    parallel = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs", batch_size=1)
    with _quiet_resource_tracker():
        while not ended:
            outputs = parallel(tasks())
            try:
                for results in outputs:
                    yield from _paired(pending.popleft(), results)
            finally:
                # stopped early (the reader of the output went away, Ctrl-C): the tasks still
                # running are cancelled, which joblib would announce with a warning for programmers
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    outputs.close()


def _paired(batch: list[Event], results: list) -> Iterator[tuple[Event, list[tuple[int, int, Result]] | None]]:
    """Each event of ``batch`` with its paragraphs: the next of ``results`` for a chunk, else None."""
    scored = iter(results)
    for event in batch:
        yield event, (next(scored) if isinstance(event, Chunk) else None)


def _still_waits(waits: Callable[[], bool], seconds: float = IDLE_SECONDS) -> bool:
    """Whether ``waits()`` stays True for ``seconds``, asked every few milliseconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(seconds / 10)
        if not waits():
            return False
    return True


@contextlib.contextmanager
def _quiet_resource_tracker() -> Iterator[None]:
    """Pass TRACKER_WARNINGS to the processes joblib starts meanwhile (they get this process's -W
    options; the tracker starts with the first worker pool). sys.warnoptions is restored after:
    a program that calls main() keeps its own (pytest shows DeprecationWarnings only while it is
    empty)."""
    added = [option for option in TRACKER_WARNINGS if option not in sys.warnoptions]
    sys.warnoptions.extend(added)
    try:
        yield
    finally:
        for option in added:
            with contextlib.suppress(ValueError):
                sys.warnoptions.remove(option)


# ---- explain ------------------------------------------------------------------------------------


def _cmd_explain(args, console: Console) -> int:
    # `spincheck explain doc.txt` filled the terminal with CSS and markup (52 KB for a 4,900-character
    # article), where the user wanted a page to open; -o - still asks for it there. A document that
    # is not there is reported first (below, when it is read): it said "stdout is a terminal" first
    missing = args.path != "-" and not os.path.lexists(args.path)
    if args.output is None and _isatty(sys.stdout) and not missing:
        console.error(
            "explain writes an HTML page, and stdout is a terminal", "pass -o report.html, or -o - to print it"
        )
        return EXIT_ERROR
    args.output = args.output or "-"
    if _uncompressed_into_compressed(args.output, console, "html"):
        return EXIT_ERROR
    source = InputFile(None if args.path == "-" else Path(args.path), "text")
    if args.output != "-" and _input_at(args.output, [source]) is not None:  # stdin included
        console.error(
            f"{args.output} is the document being explained; the report would replace it", "choose another -o"
        )
        return EXIT_ERROR
    # stdout redirected to the document (explain doc.txt >> doc.txt): the page would be written into it
    if args.output == "-" and (into := _stdout_document([source])) is not None:
        console.error(
            f"stdout goes to {into}, the document being explained; the page would be written into it",
            "choose -o FILE",
        )
        return EXIT_ERROR
    if args.output != "-" and _refused_as_a_directory(args.output, console):
        return EXIT_ERROR
    detector = _load_detector(args, console)

    def explained() -> tuple[str, Document] | None:  # None once the reason is reported
        read = _read_document(args.path, console, "explain", "an HTML report", "use 'spincheck score' for large inputs")
        if read is None:
            return None
        name, text = read
        del read  # the paragraphs hold their own copy of the text
        return name, detector.score_text(text, explain=True)

    def page(out: TextIO, name: str, document: Document) -> None:  # written as it is made (see write_html)
        write_html(
            out,
            document,
            source=name,
            model_version=detector.model.card.version,
            model_id=detector.model.fingerprint,
            threshold=detector.threshold,
            spincheck_version=__version__,
        )

    if args.output == "-":
        result = explained()
        if result is None:
            return EXIT_ERROR
        page(sys.stdout, *result)
        sys.stdout.flush()
        return EXIT_FLAGGED if result[1].spun else EXIT_OK
    try:
        # opened first: an -o that cannot be made (in a folder that does not exist) failed only
        # once the document was scored, 14 s for 6 MB; a document that cannot be read keeps the old page
        with replaced_atomically(args.output) as out:
            result = explained()
            if result is None:
                raise _NothingWritten(EXIT_ERROR)
            page(out, *result)
    except _NothingWritten as nothing:
        return nothing.status
    except BrokenPipeError:  # as for score: the reader of the output went away
        raise
    except OSError as exc:
        console.error(*_cannot_write(args.output, exc))
        return EXIT_ERROR
    document = result[1]
    console.note(f"wrote {args.output}: {len(document.flagged)} of {len(document.scored)} scored paragraphs flagged")
    return EXIT_FLAGGED if document.spun else EXIT_OK


def _read_document(
    path_arg: str, console: Console, command: str, product: str, too_long: str
) -> tuple[str, str] | None:
    """The name and whole text of one document (not JSONL, not a directory); None after reporting why not.
    ``too_long``: the hint for a document over MAX_EXPLAIN_CHARS."""
    path = None if path_arg == "-" else Path(path_arg)
    if path is None:
        _note_terminal(console, "the document", "pass a file")
    kind = "text" if path is None else kind_of(path)
    if path is not None and (path.is_dir() or kind == "jsonl"):
        what = "a directory" if path.is_dir() else "a JSONL file (many documents)"
        console.error(
            f"{command} takes one text, HTML, PDF, Word, OpenDocument, RTF or EPUB document, and {path_arg} is {what}",
            "use 'spincheck score' for it",
        )
        return None
    item = InputFile(path, kind)
    parts: list[str] = []
    size = 0
    errors = console.errors
    for event in Reader().read(item):
        if isinstance(event, Problem):
            if event.cause in ("damaged", "damaged whole"):  # score may keep the part before the damage
                event = replace(event, hint=f"{command} needs the whole document; get an undamaged copy")
            console.problem(event)
            continue
        if event.source != item.name:  # a record of JSONL, or of a JSON array, recognised by its content
            console.error(
                f"{command} takes one document, and {item.name} holds records (many documents)",
                "use 'spincheck score' for it",
            )
            return None
        parts.append(event.text)
        size += len(event.text)
        if size > MAX_EXPLAIN_CHARS:
            console.error(f"{item.name} is too long for {product} (over {MAX_EXPLAIN_CHARS:,} characters)", too_long)
            return None
    if console.errors > errors:
        return None
    return item.name, "".join(parts)


# ---- compare ------------------------------------------------------------------------------------


def _cmd_compare(args, console: Console) -> int:
    if args.original == "-" and args.copy == "-":
        raise UsageError("stdin ('-') can be given only once", "spincheck compare")
    # stdout redirected to one of the documents (compare a.txt b.txt >> b.txt): the report would be
    # written into it, as explain's page was
    documents = [InputFile(None if arg == "-" else Path(arg), "text") for arg in (args.original, args.copy)]
    output = args.output or "-"
    into = _stdout_document(documents) if output == "-" else None
    if into is not None:
        console.error(
            f"stdout goes to {into}, a document being compared; the report would be written into it",
            "redirect it to another file",
        )
        return EXIT_ERROR
    if output != "-":
        if _uncompressed_into_compressed(output, console, args.format, COMPARE_OUTPUT_FORMATS):
            return EXIT_ERROR
        if (clash := _input_at(output, documents)) is not None:  # a link to one, or stdin, included
            which = "ORIGINAL" if clash == documents[0].name else "COPY"
            console.error(f"{output} is {which}; the report would replace it", "choose another -o")
            return EXIT_ERROR
        if _refused_as_a_directory(output, console):
            return EXIT_ERROR
    args.format = args.format or _suffix_format(output, COMPARE_OUTPUT_FORMATS)
    detector = _load_detector(args, console)
    if output == "-":
        return _compare_into(sys.stdout, args, detector, console)[0]
    try:
        # opened first, as explain's page: an -o that cannot be made fails before the documents are
        # read and aligned; a document that cannot be read keeps the old file
        with replaced_atomically(output) as out:
            status, summary = _compare_into(out, args, detector, console)
            if summary is None:
                raise _NothingWritten(status)
    except _NothingWritten as nothing:
        return nothing.status
    except BrokenPipeError:  # as for score: the reader of the output went away
        raise
    except OSError as exc:
        console.error(*_cannot_write(output, exc))
        return EXIT_ERROR
    copied = summary["copy"]
    console.note(
        f"wrote {output}: {copied['reworded']:,} of {copied['paragraphs']:,} paragraphs of the copy reworded, "
        f"{summary['swaps']:,} swaps"
    )
    return status


def _compare_into(out: TextIO, args, detector: Detector, console: Console) -> tuple[int, dict | None]:
    """Read, align and score the two documents of ``spincheck compare``, and write the report to
    ``out``: the exit status, and the report's summary (None, nothing written, when a document
    cannot be read)."""
    from .compare import align

    # score cannot stand in for a comparison: split both, and compare them part by part
    too_long = "split both documents and compare them part by part"
    original = _read_document(args.original, console, "compare", "a comparison", too_long)
    copy = _read_document(args.copy, console, "compare", "a comparison", too_long)  # both read: both problems said
    if not original or not copy:
        return EXIT_ERROR, None
    alignment = align(original[1], copy[1])
    document = detector.score_text(copy[1], explain=True)
    pairs = list(zip(alignment.paragraphs, document.paragraphs, strict=True))
    # made as they are written: all of them at once held a 4 MB copy's text over again, and more
    records = (comparison_record(copy[0], match, paragraph.result) for match, paragraph in pairs)
    kinds = {1: "reworded", 0: "unchanged", None: "not_from_original"}
    scored = dict.fromkeys(kinds.values(), 0)
    flagged = dict.fromkeys(kinds.values(), 0)
    for match, paragraph in pairs:
        if paragraph.result.spun is not None:
            scored[kinds[match.label]] += 1
            flagged[kinds[match.label]] += int(paragraph.result.spun)

    def quality(flagged_only: bool) -> dict:
        chosen = [
            (m, p.result)
            for m, p in pairs
            if m.label == 1 and p.result.spun is not None and (p.result.spun or not flagged_only)
        ]
        return evidence_quality([m.swaps for m, _ in chosen], [result.evidence for _, result in chosen])

    labels = [m.label for m, _ in pairs]
    _say_how_related(console, original, copy, labels, scored, flagged, alignment, detector)
    report = {
        "original": original[0],
        "copy": copy[0],
        "model": str(detector.path),
        "model_version": detector.model.card.version,
        "model_id": detector.model.fingerprint,
        "threshold": detector.threshold,
        "summary": {
            "copy": {
                "paragraphs": len(pairs),
                "reworded": labels.count(1),
                "unchanged": labels.count(0),
                "not_from_original": labels.count(None),
            },
            "original": {
                "paragraphs": alignment.original_paragraphs,
                "left_out": len(alignment.left_out),
                "left_out_paragraphs": list(alignment.left_out),  # which: the count alone did not say
            },
            "swaps": sum(len(m.swaps) for m in alignment.paragraphs),
            "scored": scored,
            "flagged": flagged,
            "evidence": {"reworded": quality(False), "flagged_reworded": quality(True)},
        },
    }
    if args.format == "jsonl":
        stamp = {"model_id": detector.model.fingerprint}  # as score's rows: kept apart, they still name it
        for r in records:
            out.write(json_line(r | stamp) + "\n")
    elif args.format == "json":
        write_comparison_json(out, report, records)
    elif args.format == "csv":
        write_comparison_csv(out, records, detector.model.fingerprint)
    elif args.format == "html":
        probabilities = (p.result.probability for _, p in pairs)  # as score shows them, not the records'
        write_comparison_html(out, report, records, spincheck_version=__version__, probabilities=probabilities)
    else:
        # a line at a time, as score writes: an unbuffered stdout (PYTHONUNBUFFERED=1, python -u)
        # drops what one large write cannot pass once the reader goes away, and raises nothing,
        # so 'compare ... | head' ended with status 0 instead of 141
        probabilities = (p.result.probability for _, p in pairs)  # as score shows them, not the records'
        for line in render_comparison({**report, "paragraphs": records}, probabilities).splitlines(keepends=True):
            out.write(line)
    return (EXIT_ERROR if console.errors else EXIT_OK), report["summary"]


def _say_how_related(
    console: Console,
    original: tuple[str, str],
    copy: tuple[str, str],
    labels: list[int | None],
    scored: dict[str, int],
    flagged: dict[str, int],
    alignment: Alignment,
    detector: Detector,
) -> None:
    """Say on stderr when the pair is not what an investigator meant to compare, or not spun: the
    same text twice, a copy taken word for word, a copy not taken from the original at all, or the
    two given the other way round. Only the summary's counts said it ("0 reworded, 0 taken
    unchanged, 29 not from the original"), exit 0, and an original given second read as "0 of 15
    reworded paragraphs flagged"."""
    from .compare import words

    (original_name, original_text), (copy_name, copy_text) = original, copy
    if not labels:
        return  # an empty copy: the reader already said so
    if copy_text == original_text:
        console.note(f"{copy_name} and {original_name} hold the same text: nothing was reworded")
        return
    # a paragraph without words ("* * *", a bare link) is taken from any original holding one: two
    # unrelated articles of a site, each with its separator, were "copied as they are"
    worded = 1 in labels or any(words(m.text) for m in alignment.paragraphs if m.label == 0)
    if worded and 1 not in labels:  # copied, not spun: the summary's "0 reworded" said it in passing
        taken = labels.count(0)
        console.note(
            f"the one paragraph {copy_name} takes from {original_name} was not reworded: it is copied as it is "
            "(house style aside)"
            if taken == 1
            else f"none of the {taken:,} paragraphs {copy_name} takes from {original_name} was reworded: "
            "they are copied as they are (house style aside)"
        )
        return
    if not worded:
        found = "" if labels.count(None) == len(labels) else " with words in it"
        console.problem(
            Problem(
                "warning",
                f"no paragraph of {copy_name}{found} was found in {original_name}: it is not the copy's source",
                "the copy was scored on its own; compare it with another original",
            )
        )
        return
    if 2 * flagged["reworded"] >= scored["reworded"]:
        return
    # most reworded paragraphs not flagged: were the original and the copy swapped? The sources of
    # the reworded paragraphs are scored (only here, each on its own) and said to look spun when most
    # of them are flagged. Seed 000 given as the copy of 004 had 0 of its 15 reworded paragraphs
    # flagged, and 14 of their sources were; 205 BBC paragraphs, 1 of 156 and 146. Each source is
    # scored once and counted for each paragraph reworded from it, as the copy's are counted.
    # (a reworded paragraph has an original: label 1 says so)
    reworded_from = [m.original_index for m in alignment.paragraphs if m.label == 1 and m.original_index is not None]
    sources = sorted(set(reworded_from))
    spans = split_paragraphs(original_text)
    texts = [original_text[spans[j].start : spans[j].end] for j in sources]
    by_source = dict(zip(sources, detector.score_paragraphs(texts)))
    judged = [by_source[j] for j in reworded_from if by_source[j].spun is not None]
    spun = sum(bool(r.spun) for r in judged)
    if 2 * spun > len(judged):
        console.problem(
            Problem(
                "warning",
                f"{original_name} looks spun and {copy_name} does not: of the paragraphs the copy rewords, "
                f"{spun:,} of {len(judged):,} are flagged in the original, {flagged['reworded']:,} of "
                f"{scored['reworded']:,} in the copy",
                "were they given the other way round? the original comes first: spincheck compare ORIGINAL COPY",
            )
        )


def _suffix_format(output: str, formats: dict[str, str]) -> str:
    """The format -o's suffix names (``.csv``, in any case), or text: without --format, -o scores.csv
    wrote the text format into a file every spreadsheet then read wrongly."""
    return formats.get(os.path.splitext(output)[1].lower(), "text")


def _refused_as_a_directory(output: str, console: Console) -> bool:
    """Whether -o names a directory (:func:`_names_a_directory`), which is then reported."""
    if not _names_a_directory(output):
        return False
    console.error(f"cannot write {output}: it names a directory", "choose a file name for -o")
    return True


def _names_a_directory(name: str) -> bool:
    """Whether an -o name is a directory, or can only be one (see :func:`_ends_as_a_directory`)."""
    return os.path.isdir(name) or _ends_as_a_directory(name)


def _ends_as_a_directory(path: str | os.PathLike) -> bool:
    """Whether a name ends in a separator, "." or ".." ("out/", "essay.txt/."), which pathlib
    would read as the file before it (out, essay.txt): only a directory can be named so."""
    return os.path.basename(os.fspath(path)) in ("", ".", "..")


def write_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, so that readers
    never see half a file (also used by scripts/eval_gate.py); see :func:`replaced_atomically`."""
    with replaced_atomically(path) as f:
        f.write(text)


# /dev/stdout, /dev/fd/3, /proc/self/fd/1: a descriptor already open, maybe on a file being appended to
_OPEN_DESCRIPTOR = re.compile(r"/dev/(?:std(in|out|err)|fd/(\d+))|/proc/self/fd/(\d+)")


_COMPRESSORS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}


def _uncompressed_into_compressed(
    output: str, console: Console, fmt: str | None = None, formats: dict[str, str] = OUTPUT_FORMATS
) -> bool:
    """Whether -o names a compressed file (scores.jsonl.gz), which is then reported: the results
    went into it uncompressed, and zcat, pandas and spincheck's own readers of .gz found no gzip
    data. A pipe or device of that name (a FIFO) is written as it is asked. ``fmt``: the --format
    given, or None when the name's suffix would have chosen it from ``formats``."""
    stem, suffix = os.path.splitext(output)
    suffix = suffix.lower()
    if suffix not in COMPRESSION_SUFFIXES or _written_in_place(output):
        return False
    # the pipe is -o /dev/fd/N, whose name chooses no format: scores.csv.gz's csv is asked for
    named = None if fmt is not None else formats.get(os.path.splitext(stem)[1].lower())
    console.error(
        f"{output} names a compressed file, and spincheck writes its output uncompressed",
        f"compress through a pipe: {f'--format {named} ' if named else ''}"
        f"-o >({_COMPRESSORS[suffix]} > {shlex.quote(output)})",
    )
    return True


def _written_in_place(path: str | os.PathLike) -> bool:
    """An open descriptor (``/dev/stdout``), pipe, device or socket: written where it stands,
    since renaming over it would replace it with a regular file."""
    if _OPEN_DESCRIPTOR.fullmatch(str(path)):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _new_file_beside(target: Path) -> tuple[int, str]:
    """A new hidden file beside ``target``, open for writing, and its name. It gets the
    permissions of any new file, 0666 less the umask, applied by the system: mkstemp's are 0600,
    and reading the umask means setting it for a moment, which another thread would feel."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = str(target.parent / f".{target.name}.{os.urandom(4).hex()}")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", str(target.parent))


def _cannot_write(path: str, exc: OSError) -> tuple[str, str]:
    """The error and hint for an -o that cannot be written. An output file's folder is not made
    (as a shell's redirection does not make it: a typo in it would scatter folders), so a missing
    one is named; "No such file or directory" read as if the file itself had to exist."""
    folder = os.path.dirname(path)
    if folder and exc.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.isdir(folder):
        if exc.errno == errno.ENOTDIR:  # "clean.txt/page.html"
            return f"cannot write {path}: {folder} is not a folder", "choose another -o"
        return f"cannot write {path}: the folder {folder} does not exist", "create it first, or choose another -o"
    return f"cannot write {path}: {exc.strerror or exc}", "choose another -o"


@contextlib.contextmanager
def replaced_atomically(path: str | os.PathLike) -> Iterator[TextIO]:
    """A UTF-8 text stream to a temporary file beside ``path``, which replaces ``path`` when the
    block ends, and is removed when it raises (Ctrl-C included): no one sees half a file, and a
    failed run leaves the old one. The old file's permissions are kept.

    A symlink is followed (its target is replaced, the link kept). ``/dev/stdout`` and other
    open descriptors are written through, where they stand (``>> log.txt`` keeps what the log
    held). A pipe, device or socket (``-o >(gzip > x.gz)``, ``-o /dev/null``) is written in
    place: renaming over it would replace it with a regular file.
    """
    descriptor = _OPEN_DESCRIPTOR.fullmatch(str(path))
    if descriptor:
        name, number = descriptor[1], descriptor[2] or descriptor[3]
        fd = {"in": 0, "out": 1, "err": 2}[name] if name else int(number)
        stream = sys.stdout if fd == 1 else sys.stderr if fd == 2 else None
        with contextlib.suppress(AttributeError, ValueError, OSError):
            if stream is not None:
                stream.flush()
        with os.fdopen(os.dup(fd), "w", encoding="utf-8") as f:
            yield f
        return
    if _written_in_place(path):
        with open(path, "w", encoding="utf-8") as f:
            yield f
        return
    if _ends_as_a_directory(path):  # "out/": realpath reads it as the file out
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    try:
        old = os.stat(path)
    except OSError:
        old = None
    try:  # strict: a symlink loop is an error (ELOOP), as it is to the shell, not a link to replace
        target = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # a new file, or a link to one
        target = Path(os.path.realpath(path))
    fd, tmp = _new_file_beside(target)
    try:
        if old is not None:  # a file made private stays private
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
            with contextlib.suppress(OSError):
                os.chown(tmp, old.st_uid, old.st_gid)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---- train ------------------------------------------------------------------------------------


def _cmd_train(args, console: Console) -> int:
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        console.error("training needs scikit-learn, which is not installed", TRAIN_HINT)
        return EXIT_ERROR
    from .training import TrainingError, train

    # bars on a terminal; elsewhere (a log, CI) one line per stage, so a long run is not silent
    progress = (_isatty(sys.stderr) or (lambda stage: console.note(f"{stage} ..."))) if not console.quiet else False
    caught: list[warnings.WarningMessage] = []

    def corpus_read() -> None:
        """The corpus's warnings (files left out, not UTF-8) once it is read: at the end of a long
        run they came too late to stop it and fix the corpus."""
        _report_warnings(caught, console)
        caught.clear()

    try:
        with _limited_threads(args.jobs), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            card = train(
                [Path(p) for p in args.clean],
                Path(args.out),
                spun=[Path(p) for p in args.spun],
                seed=args.seed,
                reference_mode=args.reference,
                text_field=args.text_field,
                base_model=Path(args.model) if args.model else None,
                progress=progress,
                command=shlex.join(["spincheck", *args.argv]),
                jobs=args.jobs,
                corpus_read=corpus_read,
                # -v: the base model, as score -v names its model, and what each path given held
                info=console.info if console.verbosity >= 1 and not console.quiet else None,
            )
    except TrainingError as exc:
        _report_warnings(caught, console)  # what was wrong with the corpus may say why it failed
        console.error(str(exc))
        return EXIT_ERROR
    except ImportError as exc:
        _report_warnings(caught, console)
        console.error(
            f"training needs {exc.name or 'a missing package'}, which is not installed",
            TRAIN_HINT,
        )
        return EXIT_ERROR
    except OSError as exc:
        _report_warnings(caught, console)
        console.error(f"cannot write {args.out}: {exc.strerror or exc}", "choose another --out")
        return EXIT_ERROR
    _report_warnings(caught, console)
    m = card.get("heldout_metrics", {})

    def num(key: str) -> str:
        value = m.get(key)
        return "-" if value is None else f"{value:.3f}"

    print(f"wrote model to {args.out}")
    if (used := _corpus_use(card)) is not None:
        print(f"  {used}")
    print(
        f"  threshold {card['threshold']:.4f}; held-out precision {num('precision')}, recall {num('recall')}, "
        f"F1 {num('f1')}, ROC-AUC {num('roc_auc')}, FPR {num('fpr')}"
    )
    print(f"  use it with: spincheck score --model {shlex.quote(args.out)} PATH")
    from .training import TARGET_FPR

    if m.get("fpr") is not None and m["fpr"] > TARGET_FPR:  # the threshold reached its cap of 0.999
        console.problem(
            Problem(
                "warning",
                f"the held-out false-positive rate is {m['fpr']:.1%}, over the {TARGET_FPR:.1%} aimed for: even "
                "the highest threshold flags that much clean text",
                "the corpus may be too small or too unlike the reference; try "
                + ("more text" if args.reference == "merge" else "--reference merge or more text"),
            )
        )
    from .training import MIN_OWN_REFERENCE_TOKENS

    tokens = card.get("reference", {}).get("tokens")
    if args.reference == "replace" and isinstance(tokens, int) and tokens < MIN_OWN_REFERENCE_TOKENS:
        console.problem(
            Problem(
                "warning",
                f"the reference was counted from the corpus alone, {tokens:,} tokens (words and punctuation marks): "
                "--reference replace needs millions, and text unlike the corpus will be flagged far more often "
                "than the card's FPR says",
                "use --reference merge, or more text",
            )
        )
    return EXIT_OK


def _corpus_use(card: dict) -> str | None:
    """What the corpus gave each part, from the card: the summary said nothing of it, so a corpus
    read in part (files left out, paragraphs not English) showed only in the card."""
    parts, counts = card.get("corpus_paragraphs"), card.get("training_counts")
    if not isinstance(parts, dict) or not isinstance(counts, dict):
        return None
    try:
        line = (
            f"paragraphs: {parts['ref']:,} counted for the reference, {counts['train_paragraphs']:,} trained on, "
            f"{counts['dev_paragraphs']:,} held out"
        )
        left_out = counts["train_not_scored"] + counts["dev_not_scored"]
        extra = counts.get("extra_spun", 0)
    except (KeyError, TypeError):
        return None
    if left_out:
        line += f"; {left_out:,} others not used (under {DEFAULT_MIN_WORDS} words, or not English prose)"
    if extra:
        line += f"; {extra:,} --spun example{'' if extra == 1 else 's'} added"
    return line


def _report_warnings(caught: list[warnings.WarningMessage], console: Console) -> None:
    """Python warnings raised while training (e.g. scikit-learn's ConvergenceWarning), one line each;
    files of the corpus with the same issue on one line when there are many."""
    from .training import LISTED_FILES, CorpusFileWarning

    by_issue: dict[str, list[CorpusFileWarning]] = {}
    for w in caught:
        if isinstance(w.message, CorpusFileWarning):
            by_issue.setdefault(w.message.many, []).append(w.message)
    seen = set()
    for w in caught:
        message = w.message
        if isinstance(message, CorpusFileWarning):
            # train() gives them together already; these may come from reading a corpus elsewhere
            same = by_issue[message.many]
            if sum(len(f.paths) for f in same) <= LISTED_FILES:
                line = str(message)
            else:
                line = str(CorpusFileWarning.together(same))
        else:
            line = str(message).splitlines()[0] if str(message) else ""
            # another package's (scikit-learn's ConvergenceWarning) is named; spincheck's own say
            # what is wrong in words, and read as "warning: UserWarning: 2 paragraphs ..." with it
            if not (w.category is UserWarning and _from_spincheck(w.filename)):
                line = f"{w.category.__name__}: {line}"
        if line not in seen:
            seen.add(line)
            console.problem(Problem("warning", line))


def _from_spincheck(filename: str) -> bool:
    """Whether a warning was raised in spincheck's own code (its file is in this package)."""
    return Path(filename).resolve().is_relative_to(Path(__file__).resolve().parent)


@contextlib.contextmanager
def _limited_threads(jobs: int):
    """Let training use ``jobs`` CPU threads: BLAS pools and joblib-parallel estimators."""
    from joblib import parallel_config

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn; without it only joblib is limited
        threadpool_limits = None
    with (
        parallel_config(n_jobs=jobs),
        threadpool_limits(limits=jobs) if threadpool_limits else contextlib.nullcontext(),
    ):
        yield


# ---- evaluate ---------------------------------------------------------------------------------


def _valid_replacements(swaps: object, length: int) -> bool:
    """``[[start, end, original, replacement], ...]`` with ``0 <= start < end <= length``."""
    return isinstance(swaps, list) and all(
        isinstance(r, list)
        and len(r) == 4
        and all(isinstance(x, int) and not isinstance(x, bool) for x in r[:2])
        and 0 <= r[0] < r[1] <= length
        and all(isinstance(x, str) for x in r[2:])
        for r in swaps
    )


class _LabelledLines:
    """The labelled paragraphs of an ``evaluate`` input, and what was left out of them.

    Bad lines (or items of a JSON array) are reported as ``score`` reports them (ten, then a
    count) and skipped.
    """

    def __init__(self, name: str, text_field: str, console: Console) -> None:
        self.name, self.text_field, self.console = name, text_field, console
        self.labels: list[int] = []
        self.replacements: list[list | None] = []
        self.unlabelled = self.skipped = self.several = 0
        self.unit = "lines"  # what the input's records are: "items" of a JSON array

    def _skip(self, what: str, hint: str = "skipped", cause: str | None = None) -> None:
        if cause == "not jsonl":  # most likely compare's report, given as --format json
            hint = "expected one JSON object per line, as 'spincheck compare --format jsonl' writes them; skipped"
        self.skipped += 1
        if self.skipped <= MAX_LINE_PROBLEMS:
            self.console.error(what, hint)

    def texts(self, f, path: Path | None) -> Iterator[str]:
        """The texts of the good records of ``f`` (read from ``path``, None for stdin), their labels
        and replacements kept in order."""
        name, field = self.name, self.text_field
        self.unit, records = iter_records(f, name, path)
        for number, record in records:
            if isinstance(record, Problem):
                if record.level == "error":
                    self._skip(record.what, record.hint or "skipped", record.cause)
                else:
                    self.console.problem(record)
                continue
            text, label = record.get(field), record.get("label")
            swaps = record.get("replacements")
            if not isinstance(text, str):
                what, hint = text_field_problem(record, field, lists=False)
                self._skip(f"{name}:{number}: {what}", hint)
            elif "label" not in record:
                self._skip(f"{name}:{number}: no label", 'add "label": 0 (clean) or 1 (spun); skipped')
            elif label is None:
                self.unlabelled += 1  # "label": null, as compare writes for paragraphs not from the original
            elif label not in (0, 1):
                self._skip(f"{name}:{number}: label must be 0 or 1, not {label!r}")
            elif swaps is not None and not _valid_replacements(swaps, len(text)):
                self._skip(
                    f"{name}:{number}: replacements must be [start, end, original, replacement] lists "
                    "with offsets into the text"
                )
            else:
                self.several += len(split_paragraphs(text)) > 1
                self.labels.append(int(label))
                self.replacements.append(swaps)
                yield text

    def report_left_out(self) -> None:
        name = self.name
        if self.skipped > MAX_LINE_PROBLEMS:
            more = f"{self.skipped - MAX_LINE_PROBLEMS:,} more bad {self.unit}"
            self.console.error(f"{name}: {more}", "not shown; skipped")
        if self.unlabelled:
            self.console.note(f'{name}: {_count(self.unlabelled, "paragraph")} with "label": null left out')
        if self.several:
            self.console.note(
                f"{name}: {_count(self.several, 'text')} of several paragraphs, each scored as one paragraph; "
                "evaluate judges paragraphs (split documents first, or score them with 'spincheck score')"
            )


def _cmd_evaluate(args, console: Console) -> int:
    import json

    if args.json and args.format == "text":  # JSON came out, and a script reading text broke on it
        console.error("--json and --format text ask for two formats", "pass one of them")
        return EXIT_ERROR
    detector = _load_detector(args, console)
    name = STDIN_NAME if args.file == "-" else shown(args.file)  # printable, as score and compare name it
    if args.file != "-" and os.path.isdir(args.file):
        console.error(
            f"evaluate takes one JSONL or .json file, and {name} is a directory",
            "pass one of its .jsonl files, or cat them into one",
        )
        return EXIT_ERROR
    lines = _LabelledLines(name, args.text_field, console)
    results: list[Result] = []
    try:
        if args.file == "-":
            stdin = getattr(sys.stdin, "buffer", None)
            if stdin is None:
                console.error("cannot read stdin: it is closed", "pass a file instead")
                return EXIT_ERROR
            _note_terminal(console, "labelled lines", "pass a file")
            results.extend(detector.score_many(lines.texts(stdin, None)))
        else:
            with open(args.file, "rb") as f:
                # extend, not list(): the lines scored before a damaged part stay, as score keeps them
                results.extend(detector.score_many(lines.texts(f, Path(args.file))))
    except OSError as exc:
        console.problem(os_problem(name, exc))  # "the rest of it is skipped" for damaged data
        if not results:
            return EXIT_ERROR
    lines.report_left_out()
    if not results:
        console.error(
            f"{name} holds no labelled paragraphs", f'expected {lines.unit} like {{"text": "...", "label": 1}}'
        )
        return EXIT_ERROR
    scores = _Scores.of(lines.labels, results)
    report = _evaluation_report(detector, lines, results, scores)
    if args.at_fpr is not None:
        _add_at_fpr(report, args.at_fpr, scores, lines.name, console)
    if args.json or args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        sys.stdout.write(render_evaluation(report))
    return EXIT_ERROR if console.errors else EXIT_OK


class _Scores(NamedTuple):
    """Labels, which paragraphs were scored, and their probabilities: one entry per result."""

    y: np.ndarray
    scored: np.ndarray
    prob: np.ndarray

    @classmethod
    def of(cls, labels: list[int], results: list[Result]) -> "_Scores":
        return cls(
            np.array(labels),
            np.array([r.spun is not None for r in results]),
            np.array([r.probability for r in results]),
        )


def _evaluation_report(detector: Detector, lines: _LabelledLines, results: list[Result], scores: _Scores) -> dict:
    """Counts and metrics at the detector's threshold, and the evidence of flagged spun paragraphs."""
    y, scored, prob = scores
    reasons: dict[str | None, int] = {}  # (the detector gives every paragraph it does not score a reason)
    for r in results:
        if r.spun is None:
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
    report = {
        "source": lines.name,
        "model": str(detector.path),
        "model_version": detector.model.card.version,
        "model_id": detector.model.fingerprint,
        "threshold": detector.threshold,
        "paragraphs": len(results),
        "skipped_lines": lines.skipped,
        "unlabelled": lines.unlabelled,
        "scored": int(scored.sum()),
        "scored_spun": int((y[scored] == 1).sum()),
        "scored_clean": int((y[scored] == 0).sum()),
        "not_scored": int((~scored).sum()),
        "not_scored_by_reason": reasons,
        "metrics": metrics_at(y[scored], prob[scored], detector.threshold),
    }
    with_swaps = [
        (swaps, r)
        for swaps, r, label in zip(lines.replacements, results, lines.labels, strict=True)
        if label == 1 and swaps and r.spun
    ]
    if with_swaps:
        # evidence is found for flagged paragraphs, as `score` shows it
        report["evidence"] = evidence_quality([s for s, _ in with_swaps], [r.evidence for _, r in with_swaps])
    return report


def _add_at_fpr(report: dict, rate: float, scores: _Scores, name: str, console: Console) -> None:
    """``--at-fpr``: the lowest threshold that flags at most ``rate`` of the clean paragraphs, and the
    metrics there."""
    y, scored, prob = scores
    clean = prob[scored & (y == 0)]
    # counted as the threshold counts them: --at-fpr 0.02040816326530612 (1/49) on 49 clean paragraphs,
    # 49 × R being 0.9999999999999999, warned that not one may be flagged (and needs 50) and flagged one
    if clean.size and rate > 0 and not false_positives_allowed(clean.size, rate):  # 0 asks for just that
        # 1 / 5e-324 is infinite, which math.ceil cannot take ("a bug in spincheck")
        needed = f"{math.ceil((1 - COUNT_SLACK) / rate):,}" if rate >= 1e-15 else f"over {10**15:,}"
        console.problem(
            Problem(
                "warning",
                f"--at-fpr {rate:g} on {_count(int(clean.size), 'clean paragraph')}: not one of them may "
                "be flagged, so the threshold only clears the highest clean score",
                f"a rate of {rate:g} needs {needed} clean paragraphs to mean anything, ten times that to be measured",
            )
        )
    if not clean.size:
        console.error(f"--at-fpr needs scored clean paragraphs (label 0), and {name} has none that was scored")
        return
    threshold = round(threshold_for_fpr(clean, rate), 6)  # still above the last one not flagged
    if threshold > 1.0:  # just above a clean score near 1, which --threshold would refuse
        threshold = 1.0  # still above any score under 1
        top = int(np.count_nonzero(clean >= 1.0))
        if top:
            console.problem(
                Problem(
                    "warning",
                    f"{_count(top, 'clean paragraph')} of {name} {'scores' if top == 1 else 'score'} 1.0, "
                    "which every threshold flags",
                    "the threshold shown is 1, the highest --threshold takes",
                )
            )
    report["at_fpr"] = {
        "target_fpr": rate,
        "threshold": threshold,
        "metrics": metrics_at(y[scored], prob[scored], threshold),
    }
