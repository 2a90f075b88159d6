"""Reading what the command line scores: files, directories, stdin, JSONL records and documents.

Every input becomes part of one ordered stream of events:

- :class:`Chunk`: text to score, with its character offset in its document;
- :class:`Problem`: something to tell the user (an unreadable or binary file, an empty one);
- :class:`Done`: one input (file or stdin) has been read completely.

An input's kind comes from its name (:func:`kind_of`); stdin and files whose name says nothing
(no suffix, ``index.php``) are known by their first bytes (:func:`content_kind`), and a PDF is
known by its header whatever its name. Plain text is *streamed*: read in blocks through an
incremental decoder and cut at paragraph boundaries into chunks of about ``CHUNK_CHARS``
characters, so a file of any size is read in bounded memory and output can start before the
input ends. JSONL records are read one line at a time; each record is one document. A named
``.json`` file (an array of records, as Scrapy's ``-o items.json`` writes, or one record), or stdin
that opens such an array, is read whole, up to ``MAX_DOCUMENT_BYTES``, and its records are scored
as JSONL ones (an array cut short keeps the items before the cut); directory scans leave ``.json``
files alone. HTML pages, PDFs, and Word (.docx),
OpenDocument (.odt), RTF and EPUB documents are read whole, up to ``MAX_DOCUMENT_BYTES``, and
turned into text by :mod:`spincheck.formats`. Input compressed with gzip, bzip2 or xz (recognised
by its first bytes) is decompressed as it is read.

Offsets are character offsets into the decoded text, as :func:`spincheck.text.decode_bytes`
produces it (byte-order mark removed, CRLF and CR turned into LF); for HTML, PDF and the office
formats they point into the extracted text, and for JSONL and JSON into the record's text field.
"""

from __future__ import annotations

import bz2
import codecs
import dataclasses
import errno
import gzip
import io
import json
import logging
import lzma
import math
import os
import re
import select
import stat
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from .formats import (
    _OFFICE_READERS,
    _RTF_MAGIC,
    MAX_DOCUMENT_BYTES,
    MAX_TRAFILATURA_TAGS,
    OfficeError,
    _pypdf,
    _size,
    _too_many_tags,
    _trafilatura,
    decode_html,
    html_to_text,
    pdf_to_text,
)
from .text import (
    _BLANK_LINE,
    _INVISIBLE_CLASS,
    LINE_BREAKS,
    bom_encoding,
    decode_bytes,
    looks_binary,
    without_lone_surrogates,
)

__all__ = [
    "Chunk",
    "Done",
    "Problem",
    "InputFile",
    "collect",
    "iter_inputs",
    "walk_directory",
    "tree_files",
    "Reader",
    "iter_jsonl",
    "iter_json_items",
    "iter_records",
    "opens_with_record",
    "json_error",
    "record_text",
    "text_field_problem",
    "record_source",
    "id_text",
    "kind_of",
    "content_kind",
    "plain_suffix",
    "searched_name",
    "sniff",
    "decompress",
    "os_problem",
    "shown",
    "TABLE_SUFFIXES",
    "TABLE_NOTE",
    "TABLE_HINT",
    "pretty_printed_json",
    "CHUNK_CHARS",
]

# Text handed to the detector at a time: once the buffer holds more than this many characters, a
# chunk of at most this many is cut at its last paragraph boundary. The buffer stays below CHUNK_CHARS +
# one decoded block (about 1.5 MB even for 4-byte characters), and the detector's memory per
# chunk is bounded too.
CHUNK_CHARS = 1 << 17
READ_BYTES = 1 << 18
# looks_binary() judges the first 8 KiB.
SNIFF_BYTES = 8192

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
# One JSON document: an array of records (Scrapy's "-o items.json"), or one record. Read when
# named, not in a directory scan, which would pick up every package.json and config file.
JSON_SUFFIXES = (".json",)
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
ODT_SUFFIXES = (".odt",)
RTF_SUFFIXES = (".rtf",)
EPUB_SUFFIXES = (".epub",)
# Tables, read as plain text when named: their columns are not told apart (see TABLE_NOTE)
TABLE_SUFFIXES = (".csv", ".tsv")
TABLE_NOTE = "is read as plain text: spincheck does not read the columns of a table"
TABLE_HINT = (
    "its other fields run into its paragraphs; for a document a row, convert it to JSON Lines with the text in a field"
)
# Files picked up when a directory is given; a file named explicitly is read whatever its suffix.
DIRECTORY_SUFFIXES = (
    TEXT_SUFFIXES
    + HTML_SUFFIXES
    + JSONL_SUFFIXES
    + PDF_SUFFIXES
    + DOCX_SUFFIXES
    + ODT_SUFFIXES
    + RTF_SUFFIXES
    + EPUB_SUFFIXES
)
# A file compressed with gzip, bzip2 or xz (recognised by its first bytes, whatever its name) is
# read decompressed, as a stream; its kind comes from the name without this suffix
# ("pages.jsonl.gz" is JSONL). Directories are searched for such files too.
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz")
# A PDF starts with its header. Files named .pdf are read as PDFs even when junk comes first
# (the specification allows it); other files only when they start with it, so that text that
# merely mentions "%PDF-" stays text.
PDF_MAGIC = b"%PDF-"

# Bad lines of one JSONL input reported one by one; the rest are counted in one line, so that a
# wrong --text-field on a crawl of a million records does not print a million errors.
MAX_LINE_PROBLEMS = 10
# A JSON value becomes a Python object of 30-70 bytes however short it is written: a 60 MB JSONL
# record of 20,000,000 "{}" took 1.6 GB, one of 12,500,000 two-letter strings 1.2 GB (and 6
# minutes for its paragraphs). A record of over LARGE_RECORD characters that holds more values
# than this, counted outside its strings, is skipped unread: one of text holds a few (or a list
# of its paragraphs, thousands).
MAX_RECORD_VALUES = 1_000_000
LARGE_RECORD = 1 << 20
STDIN_NAME = "<stdin>"
# The hint of a JSONL input that is one JSON document instead (``compare --format json``, a
# pretty-printed file): said once for the file, not once per line.
NOT_JSONL_HINT = "expected one JSON object per line; skipped"
# The hint of compressed input damaged part way: what came before the damage is kept
# (commands that need a whole document say so instead).
DAMAGED_HINT = "the rest of it is skipped"
# ... and of one damaged in its first 8 KiB, or read whole (HTML, PDF, office files, a .json array):
# nothing of it is kept
DAMAGED_WHOLE_HINT = "none of it was read; get an undamaged copy"
TRAFILATURA_NOTE = (
    "trafilatura is not installed; using a plain-text fallback for HTML (pip install trafilatura lxml_html_clean)"
)
PYPDF_HINT = "reading PDFs needs pypdf: pip install pypdf, or extract the text first; skipped"


@dataclass(frozen=True)
class Problem:
    """A message for stderr: ``spincheck: <level>: <what> (<hint>)``.

    ``level`` is "error" (the input was not scored; the run exits with 2), "warning" or "note".
    ``cause`` names the problems that callers word their own way or act on: "damaged"
    (compressed data damaged part way: what came before is kept), "damaged whole" (none of it
    is kept), "not jsonl" (one JSON document where JSON Lines were expected), "cut short"
    (a JSON document that ends inside a value), "too many values" (a record of over
    ``MAX_RECORD_VALUES`` values, left unread) and "output" (the input is the output). Not part
    of equality.
    """

    level: str
    what: str
    hint: str | None = None
    cause: str | None = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        return f"spincheck: {self.level}: {self.what}" + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True)
class Chunk:
    """Part of a document: ``text`` starts at character ``offset`` of the document.

    ``last`` marks the final chunk of a document (possibly with empty text); every document
    that is read at all ends with exactly one. A JSONL record's chunks carry its ``id`` (None
    without one) and its ``record`` number: its line, or its place in a JSON array, from 1.
    """

    source: str
    offset: int
    text: str
    last: bool
    record_id: object = None
    record: int | None = None


@dataclass(frozen=True)
class Done:
    """An input (file or stdin) was read to its end, or given up on."""

    name: str


@dataclass(frozen=True)
class InputFile:
    """A file to read (``path=None`` means stdin) and how to read it."""

    path: Path | None
    kind: str  # "text", "html", "jsonl", "pdf", "docx", "odt", "rtf" or "epub"

    @property
    def name(self) -> str:
        return STDIN_NAME if self.path is None else shown(self.path)


def shown(path: str | os.PathLike) -> str:
    """A path as text that can always be printed: bytes of a name that are not UTF-8
    (kept by Python as lone surrogates) become U+FFFD instead of failing the output."""
    return os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


Event = Chunk | Problem | Done


def plain_suffix(path: Path) -> str:
    """The lowercased suffix that says what a file holds: ".jsonl" for both "a.jsonl" and "a.jsonl.gz"."""
    suffix = path.suffix.lower()
    if suffix in COMPRESSION_SUFFIXES:
        return Path(path.stem).suffix.lower()
    return suffix


def kind_of(path: Path) -> str:
    suffix = plain_suffix(path)
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in PDF_SUFFIXES:
        return "pdf"
    if suffix in DOCX_SUFFIXES:
        return "docx"
    if suffix in ODT_SUFFIXES:
        return "odt"
    if suffix in RTF_SUFFIXES:
        return "rtf"
    if suffix in EPUB_SUFFIXES:
        return "epub"
    return "text"


# ---- finding the inputs ---------------------------------------------------------------------


def collect(paths: Sequence[str], output: BinaryIO | io.TextIOBase | None = None) -> list[InputFile | Problem]:
    """Expand command-line paths into the files to read, in order.

    ``-`` (or no path at all) is stdin. Directories are walked recursively (sorted, hidden
    entries skipped, symlinks followed but each directory read once) for files ending in
    :data:`DIRECTORY_SUFFIXES`. Problems met while walking are returned in place, so they are
    reported in input order; a named file that cannot be read is reported when it is read.
    An input that is ``output``, named or in a directory (``score dir > dir/scores.jsonl``,
    ``score g/* >> g/results.csv``), is left out with a note: read, it would be scored as it
    grows, and appended to without end.
    """
    return list(iter_inputs(paths, _file_id(output)))


def iter_inputs(paths: Sequence[str], written: tuple[int, int] | None = None) -> Iterator[InputFile | Problem]:
    """:func:`collect`'s items one at a time, ``written`` being the (device, inode) of the output:
    a directory is walked as its files are read, so the first is scored at once and the paths
    are never all held (listing 1,000,000 files first took 15 s and 436 MB)."""
    for arg in paths or ["-"]:
        if arg == "-":
            same = written is not None and _file_id(sys.stdin) == written
            yield _output_note(STDIN_NAME) if same else InputFile(None, "text")
        elif not arg:
            yield Problem("error", "an empty path was given", "skipped")
        elif os.path.isdir(arg):
            yield from walk_directory(arg, written)
        elif written is not None and _path_id(arg) == written:
            yield _output_note(arg)
        else:
            yield InputFile(Path(arg), kind_of(Path(arg)))


OUTPUT_NOTE = " is where the output goes"


def _output_note(name: str | os.PathLike) -> Problem:
    return Problem("note", f"{shown(name)}{OUTPUT_NOTE}", "not read", cause="output")


def _path_id(path: str | os.PathLike) -> tuple[int, int] | None:
    """(device, inode) of the regular file at ``path``, else None."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _file_id(stream) -> tuple[int, int] | None:
    """(device, inode) of the regular file behind an open stream, else None."""
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def walk_directory(root: str, written: tuple[int, int] | None = None) -> Iterator[InputFile | Problem]:
    """The files to read under a directory, and the problems met, as :func:`collect` describes."""
    found = 0
    errors: list[OSError] = []
    seen: set[tuple[int, int]] = set()
    try:
        st = os.stat(root)
        seen.add((st.st_dev, st.st_ino))
    except OSError as exc:
        yield os_problem(root, exc)
        return
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=True):
        yield from (os_problem(e.filename or dirpath, e) for e in errors)
        errors.clear()
        keep = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError as exc:
                yield os_problem(full, exc)
                continue
            if (st.st_dev, st.st_ino) in seen:
                yield Problem(
                    "warning", f"{shown(full)} leads to a directory that is already being read", "read once; skipped"
                )
                continue
            seen.add((st.st_dev, st.st_ino))
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not searched_name(name):
                continue
            path = Path(dirpath, name)
            try:
                st = os.stat(path)
            except OSError as exc:
                yield os_problem(path, exc)
                continue
            regular = stat.S_ISREG(st.st_mode)
            if regular and (st.st_dev, st.st_ino) == written:
                yield _output_note(path)
            elif regular:
                found += 1
                yield InputFile(path, kind_of(path))
            else:  # a FIFO would block the walk, a device never end
                yield Problem("warning", f"{shown(path)} is not a regular file", "skipped")
    yield from (os_problem(e.filename or root, e) for e in errors)
    if not found:
        yield Problem("note", f"{shown(root)} holds no {', '.join(DIRECTORY_SUFFIXES)} files", "nothing to score")


def searched_name(name: str) -> bool:
    """Whether a folder search reads a file of this name: not hidden, and of a kind it reads
    (``DIRECTORY_SUFFIXES``, compressed too). The one test of :func:`walk_directory`,
    :func:`tree_files` and training's list of the files left out."""
    if name.startswith("."):
        return False
    # plain_suffix without building a Path (a million took seconds)
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    if suffix in COMPRESSION_SUFFIXES:
        suffix = os.path.splitext(stem)[1].lower()
    return suffix in DIRECTORY_SUFFIXES


def tree_files(root: str) -> Iterator[os.DirEntry]:
    """The files under ``root`` that :func:`walk_directory` reads, in its order, held one
    directory at a time and found with ``os.scandir`` alone: no file is stat'ed but through a
    link (the kind of an entry comes with its name). Problems are passed over, for the walk to
    report. For a progress bar's total and for checking ``-o`` before the tree is read: 1,000,000
    files took 1.3 s, where the walk, which stats each file, took 10 s."""
    seen: set[tuple[int, int]] = set()
    try:
        st = os.stat(root)
    except OSError:
        return
    seen.add((st.st_dev, st.st_ino))
    stack = [root]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        below = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if not is_dir:
                try:  # a FIFO, a device or a broken link is not read (the walk says why)
                    wanted = searched_name(entry.name) and entry.is_file()
                except OSError:
                    wanted = False
                if wanted:
                    yield entry
                continue
            try:
                st = os.stat(entry.path)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                below.append(entry.path)
        stack.extend(reversed(below))  # the first directory is read next, as os.walk does


# A web address given where a file was expected. pathlib folds its "//" into "/", so a name
# that went through Path ("https:/example.com/a.html") is recognised too.
_WEB_ADDRESS = re.compile(r"(?i)(https?|ftp)://?(?=[^/])")
WEB_ADDRESS_HINT = "spincheck reads files only: save the page first, e.g. curl -o page.html URL"


def web_address(name: str) -> str | None:
    """The web address a path that does not exist spells, as it was typed; else None."""
    found = _WEB_ADDRESS.match(name)
    return None if found is None else f"{found.group(1)}://{name[found.end() :]}"


def os_problem(name: str | os.PathLike, exc: OSError) -> Problem:
    """The one-line report of a file that cannot be read."""
    name = shown(name)
    if isinstance(exc, FileNotFoundError):
        url = web_address(name)
        if url is not None:  # offline by design: "no such file" would send the user hunting for one
            return Problem("error", f"cannot read {url}: it is a web address, not a file", WEB_ADDRESS_HINT)
        target = _dangling_link(exc.filename)
        if target is not None:  # met in a directory scan, "check the path" named a path no one typed
            what = f"cannot read {name}: it is a symbolic link to {shown(target)}, which does not exist"
            return Problem("error", what, "skipped")
        return Problem("error", f"cannot read {name}: no such file or directory", "check the path")
    if isinstance(exc, PermissionError):
        return Problem("error", f"cannot read {name}: permission denied", "skipped")
    if exc.errno == errno.ELOOP:
        return Problem("error", f"cannot read {name}: too many levels of symbolic links", "symlink loop; skipped")
    if isinstance(exc, _DamagedData):
        if exc.whole:
            return Problem("error", f"cannot read {name}: {exc}", DAMAGED_WHOLE_HINT, cause="damaged whole")
        return Problem("error", f"cannot read {name}: {exc}", DAMAGED_HINT, cause="damaged")
    return Problem("error", f"cannot read {name}: {exc.strerror or exc}", "skipped")


def _dangling_link(path: object) -> str | None:
    """Where the symbolic link at ``path`` points, for a link whose target does not exist (the
    caller saw that); None when ``path`` is no link."""
    try:
        return os.readlink(os.fspath(path)) if isinstance(path, (str, os.PathLike)) and os.path.islink(path) else None
    except (OSError, ValueError):
        return None


# ---- decoding ---------------------------------------------------------------------------------

# An error handler that replaces undecodable bytes with U+FFFD exactly like errors="replace"
# and counts them, so a streamed file can be reported as "not valid UTF-8".
_decode_errors = threading.local()


def _replace_and_count(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _decode_errors.count = getattr(_decode_errors, "count", 0) + 1
    return "\ufffd", exc.end


_ERRORS = "spincheck.replace"
codecs.register_error(_ERRORS, _replace_and_count)


def _encoding_for(head: bytes) -> str:
    """Codec for a stream starting with ``head``, as decode_bytes() picks it."""
    return bom_encoding(head) or "utf-8"


def _decoded(head: bytes, f: BinaryIO) -> Iterator[tuple[str, bool]]:
    """Decode ``head`` and the rest of ``f`` block by block: ``(text, had_errors)``.

    Line endings become ``\\n``; a ``\\r`` at the end of a block waits for the next one, so a
    CRLF split across two reads is still one newline.
    """
    decoder = codecs.getincrementaldecoder(_encoding_for(head))(errors=_ERRORS)
    block, carry = head, ""
    while True:
        final = not block
        _decode_errors.count = 0
        text = carry + decoder.decode(block, final)
        bad = _decode_errors.count > 0
        carry = ""
        if not final and text.endswith("\r"):
            text, carry = text[:-1], "\r"
        yield text.replace("\r\n", "\n").replace("\r", "\n"), bad
        if final:
            return
        block = _read_some(f, READ_BYTES)


def _read_some(f: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes, without waiting for more than is available on a pipe."""
    read1 = getattr(f, "read1", None)
    return read1(size) if read1 is not None else f.read(size)


def _read_head(f: BinaryIO) -> tuple[bytes, bool]:
    """The first SNIFF_BYTES bytes: fewer at end of input, or on a pipe that has nothing more
    ready once a whole first line of JSONL has come (``tail -f log.jsonl | spincheck score -``
    is then answered record by record, not once 8 KiB have gathered); and whether the input
    ended there.

    A short head that would be judged binary is read on to the full size: one line with a few
    control bytes is a bad record, not a binary stream, and judged alone it threw away every
    record after it, only when the feed was slow."""
    parts: list[bytes] = []
    size = 0
    while size < SNIFF_BYTES:
        data = _read_some(f, SNIFF_BYTES - size)
        if not data:
            return b"".join(parts), True
        parts.append(data)
        size += len(data)
        # known in UTF-8, or in the UTF-16 or UTF-32 a byte-order mark names (PowerShell's `>`)
        if size < SNIFF_BYTES and _FIRST_JSONL_LINE.match(head := _as_utf8(b"".join(parts))):
            if (opens_with_record(head) or not looks_binary(head)) and _pipe_waits(f):
                break
    return b"".join(parts), False


# a first line that makes a stream JSONL whatever follows it (see _markup_kind)
_FIRST_JSONL_LINE = re.compile(rb'(?:\xef\xbb\xbf)?\s*\{\s*"[^\n]*\n')


def _pipe_waits(f: BinaryIO) -> bool:
    """Whether ``f`` is a pipe, socket or terminal with nothing to read right now; False for a
    file, or when that cannot be told."""
    try:
        fd = f.fileno()
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)):
            return False
        return not select.select([fd], [], [], 0)[0]
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


# ---- compressed input ---------------------------------------------------------------------------


def _compression(head: bytes) -> str | None:
    """The compression of a stream starting with ``head``: "gzip", "bz2", "xz", or None."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    # "BZh", the block size, then the magic of a block or of the end of an empty stream: text
    # that merely starts with "BZh" stays text
    if head[:3] == b"BZh" and head[3:4] in b"123456789" and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bz2"
    return None


class _DamagedData(OSError):
    """Compressed input that ends early or is damaged; what came before it was read, unless
    ``whole``: the input was read whole, and none of it is kept. ``partial``: the bytes of a
    document read whole that came before the damage."""

    whole = False
    partial = b""


def _damaged(codec: str, exc: Exception) -> OSError:
    reason = "truncated" if isinstance(exc, EOFError) else "damaged"
    return _DamagedData(f"its {codec} data is {reason} ({str(exc).rstrip('.') or type(exc).__name__})")


_CompressedFile = gzip.GzipFile | bz2.BZ2File | lzma.LZMAFile


class _Decompressed(io.RawIOBase):
    """The decompressed bytes of a gzip, bzip2 or xz stream; damaged data raises OSError."""

    def __init__(self, head: bytes, f: BinaryIO, codec: str) -> None:
        raw = io.BufferedReader(_Prepend(head, f))
        self._codec = codec
        openers: dict[str, Callable[[BinaryIO, Literal["rb"]], _CompressedFile]]
        openers = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}  # each takes a file object
        self._inner = openers[codec](raw, "rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._inner.read1(len(buffer))
        except (EOFError, OSError, lzma.LZMAError, zlib.error) as exc:
            raise _damaged(self._codec, exc) from None
        buffer[: len(data)] = data
        return len(data)


def sniff(f: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first bytes of ``f`` and the stream to read the rest from: decompressed when ``f``
    holds gzip, bzip2 or xz data. Decompression is streamed, so memory stays bounded (HTML,
    PDF and JSONL records keep their size limits on the decompressed bytes)."""
    head, ended = _read_head(f)
    # nothing more to read once the input has ended: a terminal gives its end (Ctrl-D) to one
    # read, and text typed there waited for a second Ctrl-D when the rest was read after the head
    rest = io.BytesIO() if ended else f
    codec = _compression(head)
    if codec is None:
        return head, rest
    stream = io.BufferedReader(_Decompressed(head, rest, codec), READ_BYTES)
    try:
        return _read_head(stream)[0], stream
    except _DamagedData as exc:  # damaged in its head: nothing is read before the damage
        exc.whole = True
        raise


def decompress(data: bytes) -> bytes:
    """``data`` itself, or decompressed when it is a gzip, bzip2 or xz file (whole, in memory).

    Raises OSError when the compressed data is damaged or truncated.
    """
    if _compression(data[:16]) is None:
        return data
    head, stream = sniff(io.BytesIO(data))
    return head + stream.read()


# ---- cutting text into chunks -----------------------------------------------------------------

# The last whitespace of a window: where a chunk with neither a blank line (_BLANK_LINE,
# split_paragraphs' own definition, imported) nor a line break is cut, so that no word is split.
_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")
# A line break (any that split_paragraphs ends a line at: a JSONL record's text is not
# newline-normalised, and web text has U+2028 and NEL; cut at the last space instead, a chunk split
# the line into two paragraphs) and the indent of the line after it: where a paragraph of a book
# or e-text starts. The indent is what split_paragraphs reads as one: any space but a line break,
# and invisible characters before it ("&emsp;&emsp;", or a zero-width space first); with spaces,
# tabs and ideographic spaces alone, a book so indented was cut mid-paragraph, and the next chunk's
# paragraphs, no longer marked by indents, ran together.
_INDENTED_LINE = re.compile(rf"[{LINE_BREAKS}][{_INVISIBLE_CLASS}]*[^\S\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+(?=\S)")


def _cut_point(buf: str, limit: int) -> int:
    """Where to end a chunk of at most ``limit`` characters of ``buf``: after the last blank
    line that no block like front matter may follow, else before the last indented line, else
    after the last line break, else the last whitespace; a text without any is cut at ``limit``.

    ``buf`` holds more than ``limit`` characters, and the window takes one more, which tells
    whether the chunk's last character ends a line or a word: a paragraph of exactly ``limit``
    characters was cut at its last space, though a break came right after it."""
    window = buf[: limit + 1]
    # A blank line that goes on past the chunk is cut before, not inside: a quoted reply's blank
    # line is "\n>\n", and a chunk that opened with its ">\n" had ">" as a paragraph of its own.
    # One that a "---" block like front matter follows is passed over (see _FRONT_MATTER_OPENING).
    latest = None
    for last in reversed(list(_BLANK_LINE.finditer(window))):
        # (it matched there in window, which buf begins with, and it looks at no text ahead)
        end = _BLANK_LINE.match(buf, last.start()).end()  # type: ignore[union-attr]
        cut = end if end <= limit or not last.start() else last.start()
        if not _FRONT_MATTER_OPENING.match(buf, cut):
            return cut
        latest = latest or cut
    if latest is not None:  # every one is (see _Splitter.feed)
        return latest
    # Paragraphs without blank lines between them, first lines indented (a book, an e-text): cut
    # where the last one starts, indent and all. Cut mid-paragraph, the next chunk opened with an
    # unindented line, and its indents no longer marked paragraphs (text.split_paragraphs).
    indented = max((m.start() + 1 for m in _INDENTED_LINE.finditer(window)), default=0)
    if indented:
        return _before_blank_line(buf, indented)
    newline = max(window.rfind(c) for c in LINE_BREAKS)  # each a search from the end, in C
    if newline >= 0:
        return min(_before_blank_line(buf, newline + 1), limit)
    space = _LAST_SPACE.search(window)
    if space is not None:
        return min(space.end(), limit)
    return limit


# How front matter opens (text._FRONT_MATTER, after any blanks): a "---" line (group 1 without its
# line break), then a "key:" line; or as much of that as comes before the end of what has been read.
# split_paragraphs reads front matter only at the top of a text: a chunk that opened with a "---"
# block of settings in mid-document ("---\nUpdate: ...\n---", or the next post's front matter in
# 'cat *.md') read it as one paragraph of front matter, where the whole text has its lines.
_FRONT_MATTER_OPENING = re.compile(
    r"\s*(?:-{0,2}\Z|(---[ \t]*)(?:\Z|(?:\r\n?|\n)(?:\Z|[A-Za-z_][\w.-]*[ \t]*(?::|\Z))))"
)


def _before_blank_line(buf: str, cut: int) -> int:
    """``cut`` (just after a line break), or the break itself when a blank line starts there: it
    goes on past the chunk, and its first line (">") alone in the next chunk was a paragraph."""
    return cut - 1 if cut > 1 and _BLANK_LINE.match(buf, cut - 1) else cut


# A character that shows: a text of only spaces and invisible characters has no paragraph (a line of
# them is a blank line to split_paragraphs), and its file "is empty" as a file of spaces is.
_SHOWS = re.compile(rf"[^\s{_INVISIBLE_CLASS}]")


class _Splitter:
    """Collects text and hands it back in chunks cut at paragraph boundaries."""

    def __init__(self, source: str, record_id: object = None, record: int | None = None) -> None:
        self.source = source
        self.record_id = record_id
        self.record = record
        self.buf = ""
        self.offset = 0
        self.has_text = False

    def feed(self, text: str) -> Iterator[Chunk]:
        if not self.has_text and _SHOWS.search(text):
            self.has_text = True
        self.buf += text
        yield from self._cut(final=False)

    def _cut(self, final: bool) -> Iterator[Chunk]:
        while len(self.buf) > CHUNK_CHARS:  # one character more than a chunk: see _cut_point
            cut = _cut_point(self.buf, CHUNK_CHARS)
            opening = _FRONT_MATTER_OPENING.match(self.buf, cut)
            if opening is not None and opening.group().endswith(":"):  # and no blank line to cut at instead
                cut = opening.end(1)  # after the "---", which then opens no chunk
            elif opening is not None and opening.end() == len(self.buf) and not final:
                # what has been read ends where a "---" block may be opening ("---\n" and no key line
                # yet): cut before it, the next chunk read it as front matter. The next piece tells,
                # unless the text goes on as blanks for another chunk.
                if len(self.buf) <= 2 * CHUNK_CHARS:
                    return
            yield Chunk(self.source, self.offset, self.buf[:cut], False, self.record_id, self.record)
            self.offset += cut
            self.buf = self.buf[cut:]

    def close(self) -> Iterator[Chunk]:
        """The rest, the last chunk marked final (and before it any a wait for the next line held)."""
        yield from self._cut(final=True)
        chunk = Chunk(self.source, self.offset, self.buf, True, self.record_id, self.record)
        self.buf = ""
        yield chunk


def _chunks_of(text: str, source: str, record_id: object = None, record: int | None = None) -> Iterator[Chunk]:
    splitter = _Splitter(source, record_id, record)
    for i in range(0, len(text), CHUNK_CHARS):
        yield from splitter.feed(text[i : i + CHUNK_CHARS])
    yield from splitter.close()


# ---- JSONL ------------------------------------------------------------------------------------


def _lines(f: BinaryIO, limit: int, taken: list[int] | None = None) -> Iterator[bytes | None]:
    """Lines of ``f``; a line longer than ``limit`` bytes is skipped and given as None.
    ``taken[0]``, when given, counts the bytes read from ``f``."""
    taken = [0] if taken is None else taken
    while True:
        line = f.readline(limit + 1)
        taken[0] += len(line)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line
                rest = f.readline(READ_BYTES)
                taken[0] += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


class _Counted(io.RawIOBase):
    """A raw stream that counts the bytes read from ``f``."""

    def __init__(self, f: io.RawIOBase) -> None:
        self._f = f
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._f.readinto(buffer) or 0
        self.count += n
        return n


def iter_jsonl(
    f: BinaryIO,
    name: str,
    head: bytes | None = None,
    on_buffer: Callable[[Callable[[], bool]], None] | None = None,
) -> Iterator[tuple[int, dict | Problem]]:
    """``(line number, record)`` for every non-blank line; an "error" Problem for a bad one.

    Undecodable bytes give one "warning" Problem for the file, before the record it was
    met in (for UTF-16 and UTF-32, read ahead in blocks, its line number is approximate):
    a note to pass on, not a line to skip.

    A stream that looks binary gives one Problem (line 0) instead of one per line, and so does
    one that is a single JSON document, not JSON Lines: its first line is "[" or "{" alone
    (pretty-printed), or one array is all it holds. UTF-16 and UTF-32 with a byte-order mark
    are read like UTF-8, and gzip, bzip2 or xz data decompressed. ``head``: the first bytes,
    when the caller already read them from ``f`` (and decompressed them, see :func:`sniff`).
    ``on_buffer``, when given, is handed a function that says whether a whole line read from
    ``f`` waits in a buffer, so that another record comes without reading ``f`` again.
    """
    if head is None:
        head, f = sniff(f)
    if looks_binary(head) and not opens_with_record(head):
        yield 0, Problem("error", f"{name} looks binary", _binary_hint(head))
        return
    raw: io.RawIOBase = _Prepend(head, f)
    encoding = _encoding_for(head)
    recoded = _Utf8Recoder(raw, encoding) if encoding in ("utf-16", "utf-32") else None
    counted = _Counted(recoded or raw)
    stream = io.BufferedReader(counted, READ_BYTES)
    taken = [0]
    if on_buffer is not None:  # a whole line in the buffer (peek reads nothing more while it holds any)
        on_buffer(lambda: counted.count > taken[0] and b"\n" in stream.peek())
    warned = False
    number = 0
    first = True  # no line but blank ones read yet
    held: tuple[int, Problem] | None = None  # a first line holding an array: the whole input, or one bad line?
    for number, line in enumerate(_lines(stream, MAX_DOCUMENT_BYTES, taken), 1):
        text, bad = decode_bytes(line) if line is not None else ("", False)
        if held is not None and (line is None or text.strip()):
            yield held
            held = None
        if line is None:
            yield (
                number,
                Problem("error", f"{name}:{number}: record longer than {_size(MAX_DOCUMENT_BYTES)}", "skipped"),
            )
            continue
        if not warned and (bad or (recoded is not None and recoded.bad)):
            warned = True
            yield number, _undecodable(name, head)
        if not text.strip():
            continue
        opening, first = first, False
        if opening and (document := pretty_printed_json(text)):  # every line would be an error
            what = f"{name} is one JSON {document} over several lines, not JSON Lines"
            yield 0, Problem("error", what, NOT_JSONL_HINT, cause="not jsonl")
            return
        if _too_many_values(text):
            what = f"{name}:{number}: record of over {MAX_RECORD_VALUES:,} JSON values"
            yield number, Problem("error", what, f"{TOO_MANY_VALUES_HINT}; skipped", cause="too many values")
            continue
        try:
            record = _loads(text)
        except json.JSONDecodeError as exc:
            yield number, Problem("error", f"{name}:{number}: invalid JSON ({json_error(exc, text)})", "skipped")
            continue
        except RecursionError:  # "[[[[...]]]]": the whole run ended as "a bug in spincheck"
            yield number, Problem("error", f"{name}:{number}: JSON nested too deeply to read", "skipped")
            continue
        if not isinstance(record, dict):
            problem = number, Problem("error", f"{name}:{number}: not a JSON object", "skipped")
            if opening and isinstance(record, list):
                held = problem
            else:
                yield problem
            continue
        yield number, record
    if held is not None:  # one array was all the input held
        yield 0, Problem("error", f"{name} is one JSON array, not JSON Lines", NOT_JSONL_HINT, cause="not jsonl")
    if not warned and recoded is not None and recoded.bad:  # an odd byte at the very end
        yield number, _undecodable(name, head)


# why a record of over MAX_RECORD_VALUES values is refused (see _too_many_values)
TOO_MANY_VALUES_HINT = "too many to hold; a record of text has far fewer"
# a JSON string, escapes and all
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _too_many_values(line: str) -> bool:
    """Whether a record over LARGE_RECORD characters holds more than MAX_RECORD_VALUES values:
    its commas, "[" and "{" outside strings, each of which begins one (a key and its value once).
    Those in its strings are counted only when all of them are too many: prose has a comma in
    about 60 characters."""
    if len(line) <= LARGE_RECORD:
        return False
    marks = _marks(line)
    if marks <= MAX_RECORD_VALUES:
        return False
    for string in _JSON_STRING.finditer(line):  # not sub(): its list of what is between them took 270 MB
        marks -= _marks(string[0])
    return marks > MAX_RECORD_VALUES


def _marks(text: str) -> int:
    """The commas, "[" and "{" of ``text``: each begins a JSON value, outside strings."""
    return text.count(",") + text.count("[") + text.count("{")


# a JSON string (or one cut short at the end of the text), or what begins or ends a value
_JSON_MARK = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[][{},]')


def _item_too_large(text: str, pos: int) -> bool:
    """Whether the array item at ``pos`` holds more than MAX_RECORD_VALUES values (see
    :func:`_too_many_values`), counted up to its end or until there are too many: its end is
    not known before it is read, and what is read is held whole (a 60 MB item of 20,000,000
    "{}" took 1.6 GB)."""
    depth = marks = 0
    for mark in _JSON_MARK.finditer(text, pos):
        c = mark[0][0]  # a string by its opening quote
        if c in "]}":
            depth -= 1
        elif c != '"':  # a string (whose first character this is) begins no value of its own
            marks += 1
            if marks > MAX_RECORD_VALUES:
                return True
            depth += c != ","
        if depth <= 0:
            return False
    return False


def pretty_printed_json(first_line: str) -> str | None:
    """Whether the first line of a would-be JSONL input opens a JSON document written over
    several lines (``compare --format json``, ``json.dumps(..., indent=2)``): "object" or
    "array" if so, else None."""
    opening = first_line.strip()
    return "object" if opening == "{" else "array" if opening in ("[", "[{") else None


def opens_with_record(head: bytes) -> bool:
    """Whether the first line of ``head`` is a JSON object: the input is JSON Lines, and a NUL or
    control byte further on is one bad line, not a binary file. Judged by its first 8 KiB, a
    stream with such a line among its first records was skipped whole (fed slowly through a
    pipe, whose head stops after the first record, the same bytes were read line by line)."""
    line = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").partition(b"\n")[0]
    if b"\x00" in line[:2] and not line.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 or UTF-32 without a byte-order mark, which json.loads guesses but the lines after
        # are not read as: each was "invalid JSON", and the hint on converting it was never given
        return False
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False


def iter_json_items(data: bytes, name: str) -> Iterator[tuple[int, dict | Problem]]:
    """``(place, record)`` for each item of one JSON document: an array of records, numbered
    from 1, or a single record; an "error" Problem for an item, or a document, that is none.

    An array is read item by item, so one cut short (a crawl killed before its closing ``]``)
    or broken further on still gives the items before the damage, then the error.
    """
    text, bad = decode_bytes(data)
    if bad:
        yield 0, _undecodable(name, data[:SNIFF_BYTES])
    if not text.strip():
        return
    start = _past_space(text)
    if text.startswith("[", start):
        yield from _array_items(text, start + 1, name)
        return
    if _too_many_values(text):
        what = f"{name}: record of over {MAX_RECORD_VALUES:,} JSON values"
        yield 0, Problem("error", what, f"{TOO_MANY_VALUES_HINT}; skipped", cause="too many values")
        return
    try:
        value = _loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        yield 0, _not_json(name, text, exc, 0)
        return
    if isinstance(value, dict):
        yield 1, value
    else:
        yield 0, Problem("error", f"{name} holds {_json_kind(value)}, not records", "skipped")


# What JSON counts as whitespace between values (str.isspace() takes more).
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _past_space(text: str, pos: int = 0) -> int:
    """Where the JSON whitespace at ``pos`` ends (``pos`` when there is none)."""
    return _JSON_SPACE.match(text, pos).end()  # type: ignore[union-attr]  # "*": it matches anywhere


def _array_items(text: str, pos: int, name: str) -> Iterator[tuple[int, dict | Problem]]:
    """The items of the array whose ``[`` ends just before ``pos``, as ``json.loads`` would
    read them, each as soon as it is read; the error where the array stops being JSON."""
    decoder = json.JSONDecoder(parse_constant=str, parse_float=_finite_or_written, parse_int=_int_or_written)
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    # its items are counted before they are read only when all of them are too many, as a record's are
    crowded = len(text) > LARGE_RECORD and _marks(text) > MAX_RECORD_VALUES
    place = 0
    pos = _past_space(text, pos)
    more = not text.startswith("]", pos)
    while more:
        if crowded and text.startswith(("{", "["), pos) and _item_too_large(text, pos):
            what = f"{name}:{place + 1}: item of over {MAX_RECORD_VALUES:,} JSON values"
            hint = f"{TOO_MANY_VALUES_HINT}; it and the rest are skipped"
            yield place + 1, Problem("error", what, hint, cause="too many values")
            return
        try:
            item, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield 0, _not_json(name, text, exc, place)
            return
        place += 1
        if not isinstance(item, dict):
            yield place, Problem("error", f"{name}:{place}: not a JSON object", "skipped")
        else:
            yield place, _without_lone_surrogates(item) if surrogates else item
        pos = _past_space(text, pos)
        more = text.startswith(",", pos)
        if more:
            pos = _past_space(text, pos + 1)
        elif not text.startswith("]", pos):
            yield 0, _not_json(name, text, json.JSONDecodeError("Expecting ',' delimiter", text, pos), place)
            return
    end = _past_space(text, pos + 1)
    if end < len(text):
        yield 0, _not_json(name, text, json.JSONDecodeError("Extra data", text, end), place)


def _not_json(name: str, text: str, exc: json.JSONDecodeError | RecursionError, read: int) -> Problem:
    """The error for a document that stops being JSON where ``exc`` says, after ``read`` items
    of its array were read; "cut short" when it ends inside a value."""
    cause = None
    if isinstance(exc, RecursionError):
        what = "is JSON nested too deeply to read"
    elif exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip(" \t\n\r")):
        what = "is not valid JSON: it ends inside the document: cut short"
        cause = "cut short"
    else:
        what = f"is not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}"
    return Problem(
        "error", f"{name} {what}", f"read up to item {read}; the rest is skipped" if read else "skipped", cause
    )


def _json_items(head: bytes, f: BinaryIO, name: str) -> Iterator[tuple[int, dict | Problem]]:
    """:func:`iter_json_items` of ``head`` and the rest of ``f``, read whole: an array cannot be
    streamed line by line as JSONL is; an error for one over MAX_DOCUMENT_BYTES. Compressed
    data damaged part way gives the whole items before the damage, then raises the damage."""
    try:
        data = _read_whole(head, f, keep_partial=True)
    except _DamagedData as exc:
        read = 0
        for place, item in iter_json_items(_whole_characters(exc.partial), name):
            if isinstance(item, Problem) and item.cause == "cut short":  # by the damage, which says so
                break
            read += place > 0
            yield place, item
        exc.whole = read == 0
        raise
    if data is None:
        yield 0, _too_large(name, "a .json file is read whole: make it JSON Lines, e.g. jq -c '.[]'; skipped")
        return
    yield from iter_json_items(data, name)


def _whole_characters(data: bytes) -> bytes:
    """``data`` without a character cut short at its end, which would decode as U+FFFD: the
    bytes an incremental decoder of its encoding (as :func:`_decoded` picks it) still holds."""
    decoder = codecs.getincrementaldecoder(_encoding_for(data))(errors="replace")
    decoder.decode(data, final=False)
    return data[: len(data) - len(decoder.getstate()[0])]


def iter_records(f: BinaryIO, name: str, path: Path | None) -> tuple[str, Iterator[tuple[int, dict | Problem]]]:
    """The records of an input that holds them, and what its bad ones are counted in: "items" of
    one JSON array where ``score`` reads one (see :func:`content_kind`: a ``.json`` file that
    opens an array; stdin, or a file whose name says nothing, that starts with ``[{"``), numbered
    as :func:`iter_json_items` numbers them; else "lines" of JSON Lines, as :func:`iter_jsonl`
    reads them. ``path`` is None for stdin. The first bytes of ``f`` are read at once."""
    head, f = sniff(f)
    if content_kind("text" if path is None else kind_of(path), path, head) == "json":
        return "items", _json_items(head, f, name)
    return "lines", iter_jsonl(f, name, head)


def _loads(text: str) -> Any:
    """JSON as the readers of records take it: numbers too large for a float or an int, NaN and
    Infinity kept as written, lone surrogates read as U+FFFD. Raises what ``json.loads`` raises."""
    value = json.loads(text, parse_constant=str, parse_float=_finite_or_written, parse_int=_int_or_written)
    return _without_lone_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value


def _finite_or_written(number: str) -> float | str:
    """A JSON number as a float, or as written when it is too large for one ("1e999").

    NaN and Infinity, which Python's json module reads although JSON has no such values, stay
    strings too (``parse_constant=str``): copied into the results as an id, they made the output
    invalid JSON that strict parsers reject.
    """
    value = float(number)
    return value if math.isfinite(value) else number


def _int_or_written(number: str) -> int | str:
    """A JSON integer as an int, or as written when it has more digits than Python converts
    (4,300 by default): ``int()`` raised ValueError, not JSONDecodeError, and one such id in a
    JSONL line ended the whole run as "a bug in spincheck"."""
    try:
        return int(number)
    except ValueError:
        return number


# JSON may escape half a surrogate pair alone ("\ud800"); json.loads keeps it as a lone
# surrogate, which no output can encode (a whole run failed writing its results). It is read
# as U+FFFD, as an undecodable byte is: one character for one, so offsets do not move.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _without_lone_surrogates(value):
    if isinstance(value, str):
        return without_lone_surrogates(value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def record_source(name: str, record_id: object, line: int) -> str:
    """How a JSONL record is named in reports: ``file:id``, or ``file:LINE`` without an id."""
    return f"{name}:{line if record_id is None else id_text(record_id)}"


def id_text(record_id: object) -> str:
    """A JSONL record's id as text (in its source name, or a CSV cell): a string or number as it
    is; true, false, an object or a list as JSON ("true", not Python's "True")."""
    if isinstance(record_id, (dict, list, bool)):
        return json.dumps(record_id, ensure_ascii=False, sort_keys=True)
    return str(record_id)


def record_text(record: dict, field: str) -> str | None:
    """A JSONL record's text: the string in ``field``, or its list of strings, one paragraph
    each (as Scrapy feeds export extracted text), stripped and joined with blank lines: the text
    that reported offsets point into; None when it holds neither."""
    value = record.get(field)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "\n\n".join(part.strip() for part in value)
    return None


def _json_kind(value: object) -> str:
    """What a JSON value is, in words: "a list", "a number", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    # not a JSON value: a record of score_partition() built in Python ("holds a string, not a string" before)
    return "bytes" if isinstance(value, (bytes, bytearray, memoryview)) else f"a {type(value).__name__}"


# the string fields a record without the text field is told to have, at most
NAMED_FIELDS = 5


def _is_text(value: object, lists: bool) -> bool:
    """A field that could be the text field: a string, or (``lists``) a list of strings."""
    if isinstance(value, str):
        return True
    return lists and isinstance(value, list) and bool(value) and all(isinstance(part, str) for part in value)


def text_field_problem(record: dict, field: str, lists: bool = True) -> tuple[str, str]:
    """Why a record has no text, and the hint: ``field`` is missing (set --text-field), or it
    holds something else, named, or the record is none but holds a list of them. ``lists``: a
    list of strings counts as text, as :func:`record_text` reads it."""
    if field not in record:
        for key, value in record.items():  # records wrapped in one object, as compare --format json writes them
            if isinstance(value, list) and value and all(isinstance(v, dict) and field in v for v in value):
                # compare's report on one line, or a record whose comments have texts: either way
                hint = "set --text-field, or give one record a line; skipped"
                return f"no string field {field!r}; its {key!r} holds records", hint
        # a JSONL export names its text "body" or "content" as often as "text": the record's own
        # fields say what to pass, where "set --text-field" left the user to open the file
        texts = [key for key, value in record.items() if key != "id" and _is_text(value, lists)]
        if texts:
            named = ", ".join(repr(key) for key in texts[:NAMED_FIELDS])
            named = f"one of {named}, ..." if len(texts) > NAMED_FIELDS else f"one of {named}" if texts[1:] else named
            return f"no string field {field!r}", f"set --text-field to {named}; skipped"
        return f"no string field {field!r}", "set --text-field; skipped"
    value = record[field]
    if lists and isinstance(value, list):
        odd = next(part for part in value if not isinstance(part, str))
        return f"field {field!r} holds a list with {_json_kind(odd)} in it, not only strings", "skipped"
    wanted = "a string or a list of strings" if lists else "a string"
    return f"field {field!r} holds {_json_kind(value)}, not {wanted}", "skipped"


def json_error(exc: json.JSONDecodeError, line: str) -> str:
    """What is wrong with a JSONL line, in words: json's own messages end in "at" and leave
    the position to a suffix, and a record cut short reads as an odd control character."""
    if exc.msg.startswith("Unterminated string") or exc.pos >= len(line.rstrip()):
        return "the line ends inside the record: cut short, or a line break inside a string"
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


# ---- reading ----------------------------------------------------------------------------------


class Reader:
    """Turns :class:`InputFile` items into the event stream described in the module docstring."""

    def __init__(self, *, text_field: str = "text", stdin: BinaryIO | None = None) -> None:
        self.text_field = text_field
        self._stdin = stdin
        self._file: BinaryIO | None = None  # the file being read, for position()
        self._on_stdin = False
        self._held: Callable[[], bool] | None = None  # lines of the input read and not yet records
        self._noted_fallback = False

    def events(self, items: Iterable[InputFile | Problem]) -> Iterator[Event]:
        for item in items:
            if isinstance(item, Problem):
                yield item
                continue
            yield from self.read(item)
            yield Done(item.name)

    def read(self, item: InputFile) -> Iterator[Chunk | Problem]:
        name = item.name
        try:
            if item.path is None:
                f = self._stdin if self._stdin is not None else getattr(sys.stdin, "buffer", None)
                if f is None:
                    yield Problem("error", "cannot read stdin: it is closed", "pass a file instead")
                    return
                self._on_stdin = True
                try:
                    yield from self._read_open(f, item)
                finally:
                    self._on_stdin = False
                    self._held = None
            else:
                with open(item.path, "rb") as f:
                    self._file = f
                    try:
                        yield from self._read_open(f, item)
                    finally:
                        self._file = None
                        self._held = None  # a file's buffer says nothing about the next input
        except OSError as exc:
            yield os_problem(name, exc)

    @property
    def on_stdin(self) -> bool:
        """Whether the input being read is stdin."""
        return self._on_stdin

    def holds_input(self) -> bool:
        """Whether a whole line of the JSONL input being read waits in a buffer: another record
        then comes without reading the input (a pipe with nothing ready does not mean a wait)."""
        return self._held is not None and self._held()

    def _hold(self, held: Callable[[], bool]) -> None:
        self._held = held

    def size(self) -> int | None:
        """The size in bytes of the file being read, for a progress bar; None between files and
        for stdin."""
        try:
            return os.fstat(self._file.fileno()).st_size if self._file is not None else None
        except (OSError, ValueError):
            return None

    def position(self) -> int | None:
        """How many bytes of the file being read have been read so far (by the OS, read-ahead
        included; compressed bytes for a compressed file), for a progress bar; None between
        files and for stdin."""
        try:
            return os.lseek(self._file.fileno(), 0, os.SEEK_CUR) if self._file is not None else None
        except (OSError, ValueError):
            return None

    def _read_open(self, f: BinaryIO, item: InputFile) -> Iterator[Chunk | Problem]:
        name = item.name
        head, f = sniff(f)
        kind = content_kind(item.kind, item.path, head)
        if kind == "pdf":
            if PDF_MAGIC not in head[:1024]:  # where PDF readers look for the header
                yield Problem("error", f"{name} is named .pdf but is not a PDF (no %PDF- header)", "skipped")
                return
            yield from self._read_pdf(head, f, name)
            return
        if kind == "text" and item.path is not None and plain_suffix(item.path) in TABLE_SUFFIXES:
            # scored as text, 200 BBC articles exported as CSV had 6 paragraphs flagged (ids and topics
            # glued to their first lines: "bbc -> ?"), the same articles as JSONL none
            yield Problem("warning", f"{name} {TABLE_NOTE}", TABLE_HINT)
        if item.path is None and kind == "text" and _names_files(head):
            yield Problem("error", f"{name} is a list of file names, not text", _FILE_LIST_HINT)
            return
        if head.startswith(OLE_MAGIC):
            yield Problem("error", f"{name} is an older Microsoft Office file (.doc, .xls, .ppt)", _OLE_HINT)
            return
        # office files are zip archives; JSONL that starts with a record has bad lines, not binary
        if looks_binary(head) and kind not in _OFFICE_READERS and not (kind == "jsonl" and opens_with_record(head)):
            yield Problem("error", f"{name} looks binary", _binary_hint(head))
            return
        if kind in _OFFICE_READERS:
            what, convert = _OFFICE_READERS[kind]
            yield from self._read_converted(head, f, name, what, convert, OfficeError)
        elif kind == "text":
            yield from self._read_text(head, f, name)
        elif kind == "html":
            yield from self._read_html(head, f, name)
        elif kind == "json":
            yield from self._read_json(head, f, name)
        else:
            yield from self._read_jsonl(head, f, name)

    def _read_text(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        splitter = _Splitter(name)
        warned = False
        try:
            for text, bad in _decoded(head, f):
                if bad and not warned:
                    warned = True
                    yield _undecodable(name, head)
                yield from splitter.feed(text)
        except OSError as exc:
            yield os_problem(name, exc)
        if not splitter.has_text:
            yield Problem("note", f"{name} is empty")
        yield from splitter.close()

    def _read_html(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        data = _read_whole(head, f)
        if data is None:
            yield _too_large(name, "HTML is read whole; skipped")
            return
        page, bad, charset = decode_html(data)
        if bad:
            yield _invalid_utf8(name, charset)
        if _trafilatura() is None and not self._noted_fallback:
            self._noted_fallback = True
            yield Problem("note", TRAFILATURA_NOTE)
        elif _trafilatura() is not None and _too_many_tags(page):
            yield Problem(
                "note",
                f"{name} has over {MAX_TRAFILATURA_TAGS:,} tags, more than trafilatura is given "
                "(its tree takes about 1.4 KB a tag); read with the plain-text fallback",
            )
        text = html_to_text(page)
        if not text:
            yield Problem("note", f"{name} is empty" if not page.strip() else f"{name} has no main text to score")
        yield from _chunks_of(text, name)

    def _read_pdf(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        if _pypdf() is None:
            yield Problem("error", f"{name} is a PDF", PYPDF_HINT)
            return
        # pypdf logs what it works around in damaged files (at levels up to ERROR, e.g. an unknown
        # font encoding), which would reach stderr unformatted; a real failure raises. Quieted here,
        # for the files spincheck reads, not in pdf_to_text: a library caller keeps pypdf's log
        logging.getLogger("pypdf").setLevel(logging.CRITICAL)
        # any Exception: pypdf raises many kinds of error on damaged or encrypted files
        yield from self._read_converted(
            head, f, name, ("a PDF", "PDFs"), pdf_to_text, Exception, "a scanned PDF needs OCR first"
        )

    @staticmethod
    def _read_converted(
        head: bytes,
        f: BinaryIO,
        name: str,
        what: tuple[str, str],
        convert: Callable[[bytes], str],
        errors: type[Exception],
        empty_hint: str | None = None,
    ) -> Iterator[Chunk | Problem]:
        """A document read whole and turned into text by ``convert``; ``what``: its name, one and many."""
        data = _read_whole(head, f)
        if data is None:
            yield _too_large(name, f"{what[1]} are read whole; skipped")
            return
        try:
            text = convert(data)
        except errors as exc:
            reason = str(exc).strip().rstrip(".") or type(exc).__name__
            yield Problem("error", f"cannot read {name} as {what[0]}: {reason}", "skipped")
            return
        if not text:
            yield Problem("note", f"{name} has no text to score", empty_hint)
        yield from _chunks_of(text, name)

    def _read_json(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        yield from self._read_records(_json_items(head, f, name), name, "items")

    def _read_jsonl(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        yield from self._read_records(iter_jsonl(f, name, head, self._hold), name, "lines")

    def _read_records(
        self, numbered: Iterable[tuple[int, dict | Problem]], name: str, unit: str
    ) -> Iterator[Chunk | Problem]:
        """Chunks of the text of each record, named ``name:id`` or ``name:N`` (N: its line, or its
        place in a JSON array); at most MAX_LINE_PROBLEMS bad ones told one by one; a note for
        an input with no record, good or bad, at all (blank, or ``[]``)."""
        empty = True
        bad = 0
        for number, record in numbered:
            empty = False
            if isinstance(record, Problem) and record.level != "error":  # a warning for the file
                yield record
                continue
            text = None if isinstance(record, Problem) else record_text(record, self.text_field)
            if isinstance(record, Problem) or text is None:
                if not isinstance(record, Problem):
                    what, hint = text_field_problem(record, self.text_field)
                    record = Problem("error", f"{name}:{number}: {what}", hint)
                bad += 1
                if bad <= MAX_LINE_PROBLEMS:
                    yield record
                continue
            record_id = record.get("id")
            source = record_source(name, record_id, number)
            yield from _chunks_of(text, source, record_id, number)
        if bad > MAX_LINE_PROBLEMS:
            yield Problem("error", f"{name}: {bad - MAX_LINE_PROBLEMS:,} more bad {unit}", "not shown; skipped")
        if empty:
            yield Problem("note", f"{name} is empty")


# the compound-file header of Word 97-2003 documents and their Excel and PowerPoint siblings
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_HINT = "spincheck does not read this format: save it as .docx, .odt or plain text; skipped"


_FILE_LIST_HINT = (
    "spincheck scores the text it reads; to score the files, pass them or their folder as arguments: "
    "spincheck score DIR, or find DIR -print0 | xargs -0 spincheck score; skipped"
)


_LONGEST_PATH = 4096  # bytes: Linux's PATH_MAX (macOS's is 1024)


def _names_files(head: bytes) -> bool:
    """Whether ``head``, the start of stdin, is file names, one a line or NUL-separated as ``find``
    and ``ls`` write them, each naming a file or directory that exists. ``find . -name '*.txt' |
    spincheck score`` meant those files: read as text, the names were one paragraph not scored,
    exit status 0, and nothing said. Prose stops at its first line, which names nothing."""
    names = head.split(b"\0" if b"\0" in head else b"\n")
    # the input goes on: the last name may be cut short, unless it is longer than a path can be (a
    # title naming a folder, then a paragraph of 8 KiB on one line, was refused as a list of names)
    if len(head) >= SNIFF_BYTES and len(names[-1]) <= _LONGEST_PATH:
        names.pop()
    names = [name.removesuffix(b"\r") for name in names if name.strip()]
    return bool(names) and all(os.path.lexists(name) for name in names)


def _office_kind(head: bytes) -> str | None:
    """The office format of a document, "docx", "odt", "epub" or "rtf", found by its content (on stdin,
    or a file saved without its suffix or under another one); None for anything else.

    A .docx names its ``word/`` parts among its first entries; an .odt starts with an
    uncompressed ``mimetype`` entry that says what it is; RTF starts with ``{\\rtf``.
    """
    if _RTF_MAGIC.match(head):
        return "rtf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    if b"application/vnd.oasis.opendocument.text" in head[:200]:
        return "odt"
    if b"application/epub+zip" in head[:200]:
        return "epub"
    return "docx" if b"word/" in head else None


# comments before the page (a saving tool's note) are skipped atomically: a lazy .*? would let
# one comment run across several and backtrack exponentially on a head of many. An XHTML page
# opens with an XML declaration (<?xml version="1.0"?>): without it here, such a page on stdin
# was scored as plain text, its tags in the paragraphs and the evidence.
_HTML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml\s[^>]*\?>\s*)?(?>(?:<!--(?:[^-]|-(?!->))*-->\s*)*)"
    rb"(?:<!doctype\s+html|<html[\s>])",
    re.IGNORECASE,
)
_JSONL_START = re.compile(rb'(?:\xef\xbb\xbf)?\s*\{\s*"')
_JSON_ARRAY_START = re.compile(rb'(?:\xef\xbb\xbf)?\s*\[\s*\{\s*"')


def _markup_kind(head: bytes) -> str | None:
    """ "html" for a page that starts as one, "jsonl" for records (``{"`` never starts prose),
    "json" for an array of them (``[{"``)."""
    if _HTML_START.match(head):
        return "html"
    if _JSON_ARRAY_START.match(head):
        return "json"
    return "jsonl" if _JSONL_START.match(head) else None


def _opens_array(head: bytes) -> bool:
    """Whether a document starts with "[" after blanks, in UTF-8 or the UTF-16 or UTF-32 its
    byte-order mark names (Windows PowerShell 5 writes ``ConvertTo-Json > items.json`` in UTF-16)."""
    return head.decode(_encoding_for(head), errors="ignore").lstrip("\ufeff \t\r\n").startswith("[")


def content_kind(kind: str, path: Path | None, head: bytes) -> str:
    """The kind an input is read as: a PDF by its header whatever its name; else the kind its
    name says (:func:`kind_of`), except that stdin and a file whose name does not say what it
    holds (a download without a suffix, ``index.php``) are known by their first bytes: a Word,
    OpenDocument, RTF or EPUB header, or HTML or JSONL. A ``.txt`` or ``.md`` file is text unless it
    is a PDF; a ``.json`` file is one JSON document when it opens an array, else known by its
    first bytes like a file without a suffix."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if kind == "json" and _opens_array(head):  # else known by its content, as unnamed files are (JSONL, often)
        return "json"
    if kind not in ("text", "json") or (path is not None and plain_suffix(path) in TEXT_SUFFIXES):
        return kind
    return _office_kind(head) or _markup_kind(_as_utf8(head)) or "text"


def _as_utf8(head: bytes) -> bytes:
    """``head`` recoded to UTF-8 when a byte-order mark says it is UTF-16 or UTF-32, so that
    JSONL and HTML in them are known as they are in UTF-8 (they were read as plain text, every
    record's keys and punctuation scored as paragraphs, and no record scored); else ``head``."""
    encoding = bom_encoding(head)
    if encoding not in ("utf-16", "utf-32"):
        return head
    return head.decode(encoding, errors="ignore").encode("utf-8")


def _binary_hint(head: bytes) -> str:
    """What to do with a binary input of a kind people pass by mistake, or just "skipped"."""
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "it is zstd-compressed, which spincheck does not read; decompress it with zstd -d; skipped"
    if head.startswith(b"PK\x03\x04"):
        return "it is a zip archive: extract it first; skipped"
    if head[257:262] == b"ustar":  # the magic of POSIX and GNU tar headers (crawl.tar.gz is read decompressed)
        return "it is a tar archive: extract it with tar -xf and score its folder; skipped"
    sample = head[: 4096 & ~1]
    if len(sample) >= 64:
        half = len(sample) // 2
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) > 0.3 * half and min(even, odd) < 0.02 * half:  # ASCII letters in 16-bit units
            order = "LE" if odd > even else "BE"
            return (
                "it looks like UTF-16 text without a byte-order mark; "
                f"convert it with iconv -f UTF-16{order} -t UTF-8; skipped"
            )
    return "skipped"


def _read_whole(head: bytes, f: BinaryIO, keep_partial: bool = False) -> bytes | None:
    """The sniffed head and the rest of ``f``, or None when that is over MAX_DOCUMENT_BYTES.
    Damaged compressed data raises: with ``keep_partial``, the bytes read before the damage are
    its ``partial``; else what came before it is not a document to read (``whole``)."""
    parts, size = [head], len(head)
    read = getattr(f, "read1", f.read)  # one raw read a call: damage loses no bytes read before it
    try:
        while size <= MAX_DOCUMENT_BYTES and (part := read(min(READ_BYTES, MAX_DOCUMENT_BYTES + 1 - size))):
            parts.append(part)
            size += len(part)
    except _DamagedData as exc:
        exc.whole = not keep_partial
        exc.partial = b"".join(parts)
        raise
    return None if size > MAX_DOCUMENT_BYTES else b"".join(parts)


def _too_large(name: str, hint: str) -> Problem:
    return Problem("error", f"{name} is larger than {_size(MAX_DOCUMENT_BYTES)}", hint)


def _invalid_utf8(name: str, charset: str = "utf-8", how: str = "as it declares") -> Problem:
    """The warning for undecodable bytes: of UTF-8, or of the charset a page declares."""
    encoding = "UTF-8" if charset == "utf-8" else f"{charset} {how}"
    return Problem("warning", f"{name} is not valid {encoding}; undecodable bytes were replaced with U+FFFD")


def _undecodable(name: str, head: bytes) -> Problem:
    """The warning for undecodable bytes of a stream starting with ``head``: UTF-8, or the
    UTF-16 or UTF-32 its byte-order mark names."""
    encoding = _encoding_for(head)
    if encoding in ("utf-16", "utf-32"):
        return _invalid_utf8(name, encoding.upper(), "as its byte-order mark says")
    return _invalid_utf8(name)


class _Utf8Recoder(io.RawIOBase):
    """A raw stream of ``f`` recoded from UTF-16 or UTF-32 to UTF-8, so that JSONL in them is
    split into records at ``\\n`` alone, as UTF-8 JSONL is (``codecs.EncodedFile`` splits at
    U+2028 and U+0085 too, which JSON strings may hold). Undecodable bytes become U+FFFD;
    ``bad`` says whether any did."""

    def __init__(self, f: io.RawIOBase, encoding: str) -> None:
        self._f = f
        self._decoder = codecs.getincrementaldecoder(encoding)(errors=_ERRORS)
        self._pending = memoryview(b"")
        self._done = False
        self.bad = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending.nbytes and not self._done:
            block = self._f.read(READ_BYTES)
            self._done = not block
            _decode_errors.count = 0
            text = self._decoder.decode(block or b"", self._done)
            self.bad = self.bad or _decode_errors.count > 0
            self._pending = memoryview(text.encode("utf-8"))
        n = min(len(buffer), self._pending.nbytes)
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _Prepend(io.RawIOBase):
    """A raw stream that yields ``head`` and then the rest of ``f``."""

    def __init__(self, head: bytes, f: BinaryIO) -> None:
        self._head = memoryview(head)
        self._f = f

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = _read_some(self._f, len(buffer))
        buffer[: len(data)] = data
        return len(data)
