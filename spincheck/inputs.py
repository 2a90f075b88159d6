"""Reading what the command line scores: files, directories, stdin, JSONL records and HTML pages.

Every input becomes part of one ordered stream of events:

- :class:`Chunk`: text to score, with its character offset in its document;
- :class:`Problem`: something to tell the user (an unreadable or binary file, an empty one);
- :class:`Done`: one input (file or stdin) has been read completely.

An input's kind comes from its name (:func:`kind_of`); stdin and files whose name says nothing
(no suffix, ``index.php``) are known by their first bytes (:func:`content_kind`), and a PDF is
known by its header whatever its name. Plain text is *streamed*: read in blocks through an
incremental decoder and cut at paragraph boundaries into chunks of about ``CHUNK_CHARS``
characters, so a file of any size is read in bounded memory and output can start before the
input ends. JSONL records are read one line at a time; each record is one document. HTML pages
are reduced to their main text, PDFs to their text with its line-wrapped paragraphs joined,
and Word (.docx), OpenDocument (.odt) and RTF documents to their body's paragraphs; these are
read whole, up to ``MAX_DOCUMENT_BYTES``. Input compressed with gzip, bzip2 or xz (recognised
by its first bytes) is decompressed as it is read.

Offsets are character offsets into the decoded text, as :func:`spincheck.text.decode_bytes`
produces it (byte-order mark removed, CRLF and CR turned into LF); for HTML, PDF and the office
formats they point into the extracted text, and for JSONL into the record's text field.
"""

from __future__ import annotations

import bz2
import codecs
import errno
import gzip
import html.parser
import io
import json
import logging
import lzma
import os
import posixpath
import re
import stat
import sys
import threading
import urllib.parse
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

from .text import _BLANK_LINE, _newlines, decode_bytes, full_width, looks_binary

__all__ = [
    "Chunk",
    "Done",
    "Problem",
    "InputFile",
    "collect",
    "Reader",
    "html_to_text",
    "decode_html",
    "pdf_to_text",
    "pdf_paragraphs",
    "docx_to_text",
    "odt_to_text",
    "rtf_to_text",
    "epub_to_text",
    "document_text",
    "OfficeError",
    "iter_jsonl",
    "json_error",
    "record_text",
    "record_source",
    "kind_of",
    "content_kind",
    "plain_suffix",
    "sniff",
    "decompress",
    "os_problem",
    "shown",
    "CHUNK_CHARS",
]

# Text handed to the detector at a time: once the buffer holds this many characters, a chunk of
# at most this many is cut at its last paragraph boundary. The buffer stays below CHUNK_CHARS +
# one decoded block (about 1.5 MB even for 4-byte characters), and the detector's memory per
# chunk is bounded too.
CHUNK_CHARS = 1 << 17
READ_BYTES = 1 << 18
# looks_binary() judges the first 8 KiB.
SNIFF_BYTES = 8192
# HTML pages, PDFs and single JSONL records are read whole; larger ones are skipped with an error.
MAX_DOCUMENT_BYTES = 64 << 20

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
ODT_SUFFIXES = (".odt",)
RTF_SUFFIXES = (".rtf",)
EPUB_SUFFIXES = (".epub",)
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
STDIN_NAME = "<stdin>"
TRAFILATURA_NOTE = "trafilatura is not installed; using a plain-text fallback for HTML (pip install 'spincheck[html]')"
PYPDF_HINT = "reading PDFs needs pypdf: pip install 'spincheck[pdf]', or extract the text first; skipped"


@dataclass(frozen=True)
class Problem:
    """A message for stderr: ``spincheck: <level>: <what> (<hint>)``.

    ``level`` is "error" (the input was not scored; the run exits with 2), "warning" or "note".
    """

    level: str
    what: str
    hint: str | None = None

    def __str__(self) -> str:
        return f"spincheck: {self.level}: {self.what}" + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True)
class Chunk:
    """Part of a document: ``text`` starts at character ``offset`` of the document.

    ``last`` marks the final chunk of a document (possibly with empty text); every document
    that is read at all ends with exactly one.
    """

    source: str
    offset: int
    text: str
    last: bool
    record_id: object = None


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
    A file in a directory that is ``output`` (``score dir > dir/scores.jsonl``) is left out:
    read, it would be scored as it grows.
    """
    items: list[InputFile | Problem] = []
    written = _file_id(output)
    for arg in paths or ["-"]:
        if arg == "-":
            items.append(InputFile(None, "text"))
        elif not arg:
            items.append(Problem("error", "an empty path was given", "skipped"))
        elif os.path.isdir(arg):
            items.extend(_walk(arg, written))
        else:
            items.append(InputFile(Path(arg), kind_of(Path(arg))))
    return items


def _file_id(stream) -> tuple[int, int] | None:
    """(device, inode) of the regular file behind an open stream, else None."""
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _walk(root: str, written: tuple[int, int] | None = None) -> Iterator[InputFile | Problem]:
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
            path = Path(dirpath, name)
            if name.startswith(".") or plain_suffix(path) not in DIRECTORY_SUFFIXES:
                continue
            try:
                st = os.stat(path)
            except OSError as exc:
                yield os_problem(path, exc)
                continue
            regular = stat.S_ISREG(st.st_mode)
            if regular and (st.st_dev, st.st_ino) == written:
                yield Problem("note", f"{shown(path)} is where the output goes", "not read")
            elif regular:
                found += 1
                yield InputFile(path, kind_of(path))
            else:  # a FIFO would block the walk, a device never end
                yield Problem("warning", f"{shown(path)} is not a regular file", "skipped")
    yield from (os_problem(e.filename or root, e) for e in errors)
    if not found:
        yield Problem("note", f"{shown(root)} holds no {', '.join(DIRECTORY_SUFFIXES)} files", "nothing to score")


def os_problem(name: str | os.PathLike, exc: OSError) -> Problem:
    """The one-line report of a file that cannot be read."""
    name = shown(name)
    if isinstance(exc, FileNotFoundError):
        return Problem("error", f"cannot read {name}: no such file or directory", "check the path")
    if isinstance(exc, PermissionError):
        return Problem("error", f"cannot read {name}: permission denied", "skipped")
    if exc.errno == errno.ELOOP:
        return Problem("error", f"cannot read {name}: too many levels of symbolic links", "symlink loop; skipped")
    if isinstance(exc, _DamagedData):
        return Problem("error", f"cannot read {name}: {exc}", "the rest of it is skipped")
    return Problem("error", f"cannot read {name}: {exc.strerror or exc}", "skipped")


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
    """Codec for a stream starting with ``head``; the BOM checks mirror decode_bytes()."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


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


def _read_head(f: BinaryIO) -> bytes:
    """The first SNIFF_BYTES bytes (fewer only at end of input)."""
    parts, size = [], 0
    while size < SNIFF_BYTES:
        data = _read_some(f, SNIFF_BYTES - size)
        if not data:
            break
        parts.append(data)
        size += len(data)
    return b"".join(parts)


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
    """Compressed input that ends early or is damaged; what came before it was read."""


def _damaged(codec: str, exc: Exception) -> OSError:
    reason = "truncated" if isinstance(exc, EOFError) else "damaged"
    return _DamagedData(f"its {codec} data is {reason} ({str(exc).rstrip('.') or type(exc).__name__})")


class _Decompressed(io.RawIOBase):
    """The decompressed bytes of a gzip, bzip2 or xz stream; damaged data raises OSError."""

    def __init__(self, head: bytes, f: BinaryIO, codec: str) -> None:
        raw = io.BufferedReader(_Prepend(head, f))
        self._codec = codec
        opener = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[codec]  # each takes a file object
        self._inner: BinaryIO = opener(raw, "rb")

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
    head = _read_head(f)
    codec = _compression(head)
    if codec is None:
        return head, f
    stream = io.BufferedReader(_Decompressed(head, f, codec), READ_BYTES)
    return _read_head(stream), stream


def decompress(data: bytes) -> bytes:
    """``data`` itself, or decompressed when it is a gzip, bzip2 or xz file (whole, in memory).

    Raises OSError when the compressed data is damaged or truncated.
    """
    if _compression(data[:16]) is None:
        return data
    head, stream = sniff(io.BytesIO(data))
    return head + stream.read()


# ---- cutting text into chunks -----------------------------------------------------------------

# A blank line, a form feed or U+2029 (split_paragraphs' own definition, imported): cutting right
# after one gives exactly the paragraphs the whole text would give.
_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")


def _cut_point(buf: str, limit: int) -> int:
    """Where to end a chunk of at most ``limit`` characters of ``buf``: after the last blank
    line, else the last newline, else the last whitespace; a text without any is cut at
    ``limit``."""
    window = buf[:limit]
    after_blank_line = max((m.end() for m in _BLANK_LINE.finditer(window)), default=0)
    if after_blank_line:
        return after_blank_line
    newline = window.rfind("\n")
    if newline >= 0:
        return newline + 1
    space = _LAST_SPACE.search(window)
    if space is not None:
        return space.end()
    return len(window)


class _Splitter:
    """Collects text and hands it back in chunks cut at paragraph boundaries."""

    def __init__(self, source: str, record_id: object = None) -> None:
        self.source = source
        self.record_id = record_id
        self.buf = ""
        self.offset = 0
        self.has_text = False

    def feed(self, text: str) -> Iterator[Chunk]:
        if not self.has_text and text and not text.isspace():
            self.has_text = True
        self.buf += text
        while len(self.buf) >= CHUNK_CHARS:
            cut = _cut_point(self.buf, CHUNK_CHARS)
            yield Chunk(self.source, self.offset, self.buf[:cut], False, self.record_id)
            self.offset += cut
            self.buf = self.buf[cut:]

    def close(self) -> Chunk:
        chunk = Chunk(self.source, self.offset, self.buf, True, self.record_id)
        self.buf = ""
        return chunk


def _chunks_of(text: str, source: str, record_id: object = None) -> Iterator[Chunk]:
    splitter = _Splitter(source, record_id)
    for i in range(0, len(text), CHUNK_CHARS):
        yield from splitter.feed(text[i : i + CHUNK_CHARS])
    yield splitter.close()


# ---- HTML -------------------------------------------------------------------------------------


class _MainText(html.parser.HTMLParser):
    """Stdlib fallback: visible text of block elements, minus page furniture."""

    SKIP = frozenset(
        "script style nav header footer aside form noscript template svg head iframe button select textarea".split()
    )
    BLOCK = frozenset(
        "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table section article main blockquote "
        "pre figure figcaption hr title address details summary".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.current: list[str] = []
        self.paragraphs: list[str] = []

    def _end_paragraph(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self._end_paragraph()

    def handle_startendtag(self, tag: str, attrs) -> None:
        # <br/>, <hr/>: never opened, so never counted as a skipped element
        if tag in self.BLOCK:
            self._end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.current.append(data)

    def close(self) -> None:
        super().close()
        self._end_paragraph()


_trafilatura_state: dict[str, object] = {}


def _trafilatura():
    """The trafilatura module, or None when it is missing or broken (imported once)."""
    if "module" not in _trafilatura_state:
        try:
            import trafilatura
        except Exception:  # ImportError, or a broken install (e.g. lxml without lxml_html_clean)
            trafilatura = None
        _trafilatura_state["module"] = trafilatura
    return _trafilatura_state["module"]


# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">, and
# the encoding in an XHTML page's XML declaration
_DECLARED_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml\s[^>]*?encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
# labels that browsers read as another encoding (WHATWG Encoding Standard); a page that declares
# UTF-16 in its own ASCII-compatible head cannot be UTF-16
_CHARSET_AS = {"iso8859-1": "cp1252", "ascii": "cp1252", "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}
# the codecs (by their Python names) that web pages are written in, besides UTF-8; not idna,
# rot13, utf-7 or the escape codecs, whatever a page claims
_WEB_CHARSET = re.compile(r"cp\d+|iso8859-\d+|koi8-\w|mac-\w+|shift_jis\w*|euc_\w+|gb\w+|big5\w*|iso2022_\w+|tis-620")


def decode_html(data: bytes) -> tuple[str, bool, str]:
    """Decode a web page: as UTF-8 (or by its byte-order mark) when it is valid, else by the
    charset its head declares, else as UTF-8 with bad bytes replaced.

    Returns ``(page, had_errors, charset)``. Scraped pages still come in windows-1252 or
    Latin-1 and say so in a ``<meta>`` tag; read as UTF-8 every accented letter and curly
    quote would be garbled, and a garbled quote looks like an odd word. Valid UTF-8 wins over
    the declaration because pages saved as UTF-8 under an old Latin-1 template are common,
    and text in a legacy charset is almost never valid UTF-8 by chance.
    """
    page, bad = decode_bytes(data)
    declared = _DECLARED_CHARSET.search(data, 0, 4096) if bad else None
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            charset = codecs.lookup((declared[1] or declared[2]).decode("ascii")).name
        except LookupError:  # an unknown label: browsers fall back too
            charset = "utf-8"
        charset = _CHARSET_AS.get(charset, charset)
        if _WEB_CHARSET.fullmatch(charset) and _ascii_compatible(charset):
            try:
                page, bad = data.decode(charset), False
            except UnicodeDecodeError:
                page, bad = data.decode(charset, errors="replace"), True
            return _newlines(page), bad, charset
    return page, bad, "utf-8"


def html_to_text(page: str, *, use_trafilatura: bool = True) -> str:
    """Main text of an HTML page, one paragraph per block separated by blank lines.

    Uses trafilatura when it is installed (``spincheck[html]``), else a stdlib parser that keeps
    the text of block elements and drops scripts, styles, navigation, headers, footers, asides,
    forms and comments.
    """
    module = _trafilatura() if use_trafilatura else None
    if module is not None:
        try:
            text = module.extract(page, include_comments=False, include_tables=False, favor_precision=True) or ""
            return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
        except Exception:  # a page trafilatura (or lxml) chokes on gets the fallback
            pass
    parser = _MainText()
    parser.feed(page)
    parser.close()
    return "\n\n".join(parser.paragraphs)


# ---- PDF --------------------------------------------------------------------------------------

_pypdf_state: dict[str, object] = {}


def _pypdf():
    """The pypdf module, or None when it is not installed (imported once)."""
    if "module" not in _pypdf_state:
        try:
            import pypdf
        except ImportError:
            pypdf = None
        else:
            # pypdf logs what it works around in damaged files (at levels up to ERROR, e.g. an
            # unknown font encoding), which would reach stderr unformatted; a real failure raises
            logging.getLogger("pypdf").setLevel(logging.CRITICAL)
        _pypdf_state["module"] = pypdf
    return _pypdf_state["module"]


def pdf_to_text(data: bytes) -> str:
    """Text of a PDF: one paragraph per line, blank lines between (see :func:`pdf_paragraphs`).

    Needs pypdf (``spincheck[pdf]``). An encrypted PDF is read if it opens
    without a password, as many "protected" ones do.
    """
    module = _pypdf()
    if module is None:
        raise RuntimeError("pypdf is not installed")
    reader = module.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("it is encrypted with a password")
    pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
    return "\n\n".join(pdf_paragraphs(pages))


# A list item starts with a bullet, "1." / "(2)" or "a)" / "(b)".
_LIST_ITEM = re.compile(r"(?:[\u2022\u25e6\u25aa\u2023\u2219\u00b7*\u2013-]|\(?\d{1,3}[.)]|\(?[a-z]\))\s")
# Stricter than text._SENTENCE_END (any closing bracket or quote): in a paper a line that
# ends "(n = 48)" or "[12]" mid-sentence is common, and must not end its paragraph.
_SENTENCE_END_PDF = re.compile(r"""[.!?:]["'\u201d\u2019)\]]*$""")
_WORD_BROKEN = re.compile(r"[^\W\d_]-$")


def pdf_paragraphs(pages: list[list[str]]) -> list[str]:
    """Rebuild paragraphs from the lines of a PDF's pages.

    A PDF holds lines, not paragraphs, and text extracted from it has no
    blank line between paragraphs: read line by line, every line of a paper
    would be a "paragraph" of a dozen words. A wrapped line runs nearly to
    the full width of the text (the longest lines, measured per document),
    so a line clearly shorter that ends a sentence, or is followed by a
    capitalised line, ends its paragraph; a list item starts one, and so
    does, after a sentence's end, a short line that neither starts in lower
    case nor ends a sentence and is followed by a capitalised line (a
    heading, kept apart to be reported as too short).

    Running headers and footers (a line repeated at the top or bottom of
    many pages, page numbers counted alike) and lines that are only a
    number are dropped. Lines are joined with a space, and a word
    hyphenated across two lines is joined whole.
    """
    running = _running_lines(pages)
    lines = [
        line
        for page in pages
        for line in (raw.strip() for raw in page)
        if line and not line.isdigit() and _digits_as_zero(line) not in running
    ]
    if not lines:
        return []
    full = full_width([len(line) for line in lines])
    paragraphs: list[str] = []
    current = ""
    for line, following in zip(lines, [*lines[1:], ""]):
        short = len(line) < 0.8 * full
        ends_sentence = bool(_SENTENCE_END_PDF.search(line))
        heading = short and not ends_sentence and not line[:1].islower() and not following[:1].islower()
        # a heading after a full last line of a paragraph; after a line that runs on, the short
        # line is more likely that paragraph's end, without a full stop ("... in Fig. 3")
        if current and ((heading and _SENTENCE_END_PDF.search(current)) or _LIST_ITEM.match(line)):
            paragraphs.append(current)
            current = ""
        if not current:
            current = line
        elif _WORD_BROKEN.search(current) and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}"
        if short and (ends_sentence or not following[:1].islower()):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


_DIGITS = re.compile(r"\d+")


def _digits_as_zero(line: str) -> str:
    """Page numbers in running headers and footers differ from page to page: count them alike."""
    return _DIGITS.sub("0", line)


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines found among the first or last two lines of at least half the pages (three at least)."""
    if len(pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for page in pages:
        lines = [line.strip() for line in page if line.strip()]
        for line in {_digits_as_zero(line) for line in lines[:2] + lines[-2:]}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if n >= max(3, len(pages) / 2)}


# ---- JSONL ------------------------------------------------------------------------------------


def _lines(f: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """Lines of ``f``; a line longer than ``limit`` bytes is skipped and given as None."""
    while True:
        line = f.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line
                rest = f.readline(READ_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


def iter_jsonl(f: BinaryIO, name: str, head: bytes | None = None) -> Iterator[tuple[int, dict | Problem]]:
    """``(line number, record)`` for every non-blank line; a Problem for a bad one.

    A stream that looks binary gives one Problem (line 0) instead of one per line;
    UTF-16 and UTF-32 with a byte-order mark are read like UTF-8, and gzip, bzip2
    or xz data decompressed. ``head``: the first bytes, when the caller already read
    them from ``f`` (and decompressed them, see :func:`sniff`).
    """
    if head is None:
        head, f = sniff(f)
    if looks_binary(head):
        yield 0, Problem("error", f"{name} looks binary", "skipped")
        return
    stream: BinaryIO = io.BufferedReader(_Prepend(head, f), READ_BYTES)
    encoding = _encoding_for(head)
    if encoding in ("utf-16", "utf-32"):
        stream = codecs.EncodedFile(stream, "utf-8", encoding, errors="replace")  # type: ignore[assignment]
    for number, line in enumerate(_lines(stream, MAX_DOCUMENT_BYTES), 1):
        if line is None:
            yield (
                number,
                Problem("error", f"{name}:{number}: record longer than {_size(MAX_DOCUMENT_BYTES)}", "skipped"),
            )
            continue
        text, _ = decode_bytes(line)
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, Problem("error", f"{name}:{number}: invalid JSON ({json_error(exc, text)})", "skipped")
            continue
        if not isinstance(record, dict):
            yield number, Problem("error", f"{name}:{number}: not a JSON object", "skipped")
            continue
        yield number, record


def record_source(name: str, record_id: object, line: int) -> str:
    """How a JSONL record is named in reports: ``file:id``, or ``file:LINE`` without an id."""
    if record_id is None:
        return f"{name}:{line}"
    if isinstance(record_id, (dict, list)):  # shown as JSON, not as a Python repr
        return f"{name}:{json.dumps(record_id, ensure_ascii=False, sort_keys=True)}"
    return f"{name}:{record_id}"


def record_text(record: dict, field: str) -> str | None:
    """A JSONL record's text: the string in ``field``, or its list of strings, one paragraph
    each (as Scrapy feeds export extracted text); None when it holds neither."""
    value = record.get(field)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "\n\n".join(part.strip() for part in value)
    return None


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
                yield from self._read_open(f, item)
            else:
                with open(item.path, "rb") as f:
                    yield from self._read_open(f, item)
        except OSError as exc:
            yield os_problem(name, exc)

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
        if head.startswith(OLE_MAGIC):
            yield Problem("error", f"{name} is an older Microsoft Office file (.doc, .xls, .ppt)", _OLE_HINT)
            return
        if looks_binary(head) and kind not in _OFFICE_READERS:  # office files are zip archives
            yield Problem("error", f"{name} looks binary", _binary_hint(head))
            return
        if kind in _OFFICE_READERS:
            what, convert = _OFFICE_READERS[kind]
            yield from self._read_converted(head, f, name, what, convert, OfficeError)
        elif kind == "text":
            yield from self._read_text(head, f, name)
        elif kind == "html":
            yield from self._read_html(head, f, name)
        else:
            yield from self._read_jsonl(head, f, name)

    def _read_text(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        splitter = _Splitter(name)
        warned = False
        try:
            for text, bad in _decoded(head, f):
                if bad and not warned:
                    warned = True
                    yield _invalid_utf8(name)
                yield from splitter.feed(text)
        except OSError as exc:
            yield os_problem(name, exc)
        if not splitter.has_text:
            yield Problem("note", f"{name} is empty")
        yield splitter.close()

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
        text = html_to_text(page)
        if not text:
            yield Problem("note", f"{name} is empty" if not page.strip() else f"{name} has no main text to score")
        yield from _chunks_of(text, name)

    def _read_pdf(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        if _pypdf() is None:
            yield Problem("error", f"{name} is a PDF", PYPDF_HINT)
            return
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

    def _read_jsonl(self, head: bytes, f: BinaryIO, name: str) -> Iterator[Chunk | Problem]:
        records = bad = 0
        for number, record in iter_jsonl(f, name, head):
            text = None if isinstance(record, Problem) else record_text(record, self.text_field)
            if text is None and not isinstance(record, Problem):
                record = Problem(
                    "error", f"{name}:{number}: no string field {self.text_field!r}", "set --text-field; skipped"
                )
            if isinstance(record, Problem):
                bad += 1
                if bad <= MAX_LINE_PROBLEMS:
                    yield record
                continue
            records += 1
            record_id = record.get("id")
            source = record_source(name, record_id, number)
            yield from _chunks_of(text, source, record_id)
        if bad > MAX_LINE_PROBLEMS:
            yield Problem("error", f"{name}: {bad - MAX_LINE_PROBLEMS:,} more bad lines", "not shown; skipped")
        if not records and not head.strip():
            yield Problem("note", f"{name} is empty")


# ---- Word and OpenDocument text ------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_BREAKS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n"}
# a text box is written twice, as a drawing (mc:Choice) and as VML for older readers (mc:Fallback)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODT_PARAGRAPHS = (_T + "p", _T + "h")
_ODT_BREAKS = {_T + "tab": "\t", _T + "line-break": "\n"}
_ODT_BLOCKS = ("{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-cell", _T + "list-item")
# footnotes and endnotes, comments, and the deleted text that tracked changes keep
_ODT_LEFT_OUT = (
    _T + "note",
    _T + "tracked-changes",
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}annotation",
)


# the compound-file header of Word 97-2003 documents and their Excel and PowerPoint siblings
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_HINT = "spincheck does not read this format: save it as .docx, .odt or plain text; skipped"


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
# one comment run across several and backtrack exponentially on a head of many
_HTML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?>(?:<!--(?:[^-]|-(?!->))*-->\s*)*)(?:<!doctype\s+html|<html[\s>])",
    re.IGNORECASE,
)
_JSONL_START = re.compile(rb'(?:\xef\xbb\xbf)?\s*\{\s*"')


def _markup_kind(head: bytes) -> str | None:
    """ "html" for a page that starts as one, "jsonl" for records (``{"`` never starts prose)."""
    if _HTML_START.match(head):
        return "html"
    return "jsonl" if _JSONL_START.match(head) else None


def content_kind(kind: str, path: Path | None, head: bytes) -> str:
    """The kind an input is read as: a PDF by its header whatever its name; else the kind its
    name says (:func:`kind_of`), except that stdin and a file whose name does not say what it
    holds (a download without a suffix, ``index.php``) are known by their first bytes: a Word,
    OpenDocument, RTF or EPUB header, or HTML or JSONL. A ``.txt`` or ``.md`` file is text unless it
    is a PDF."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if kind != "text" or (path is not None and plain_suffix(path) in TEXT_SUFFIXES):
        return kind
    return _office_kind(head) or _markup_kind(head) or "text"


def _binary_hint(head: bytes) -> str:
    """What to do with a binary input of a kind people pass by mistake, or just "skipped"."""
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "it is zstd-compressed, which spincheck does not read; decompress it with zstd -d; skipped"
    if head.startswith(b"PK\x03\x04"):
        return "it is a zip archive: extract it first; skipped"
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


class OfficeError(ValueError):
    """A .docx, .odt or .rtf file that is not a readable document."""


def _office_xml(data: bytes, part: str) -> ElementTree.Element:
    """The parsed XML ``part`` of a zip archive, its size checked before it is inflated."""
    return _parsed_xml(_zip_parts(data, [part])[0])


def _zip_parts(data: bytes, parts: list[str], *, missing_ok: bool = False) -> list[bytes]:
    """The ``parts`` of a zip archive, their sizes checked (together) before they are inflated;
    a part that is not there is an error, or b"" with ``missing_ok``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = []
            for part in parts:
                try:
                    infos.append(archive.getinfo(part))
                except KeyError:
                    if not missing_ok:
                        raise OfficeError(f"it has no {part}") from None
            if sum(info.file_size for info in infos) > MAX_DOCUMENT_BYTES:  # a zip bomb: refused unread
                raise OfficeError(f"its text part is larger than {_size(MAX_DOCUMENT_BYTES)}")
            if any(info.flag_bits & 0x1 for info in infos):
                raise OfficeError("it is encrypted (save it without a password)")
            found = {info.filename: archive.read(info) for info in infos}
        return [found.get(part, b"") for part in parts]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
        raise OfficeError(f"not a valid zip archive ({str(exc).rstrip('.') or type(exc).__name__})") from None


def _parsed_xml(xml: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise OfficeError(f"its XML is damaged ({exc})") from None


_EPUB_TEXT_TYPES = ("application/xhtml+xml", "text/html", "application/x-dtbook+xml")


def _epub_text_item(items: dict, item_id: str | None, depth: int = 0) -> ElementTree.Element | None:
    """The manifest item a spine entry reads: itself when it is (X)HTML, else its fallback."""
    item = items.get(item_id)
    if item is None or depth > 8:
        return None
    if item.get("media-type", "application/xhtml+xml") in _EPUB_TEXT_TYPES:
        return item
    return _epub_text_item(items, item.get("fallback"), depth + 1)


def _epub_path(base: str, href: str) -> str:
    """A manifest or encryption reference as a path in the archive: relative to ``base``,
    without its #fragment, %-escapes decoded, and no leading slash (zip names have none)."""
    path = posixpath.join(base, urllib.parse.unquote(urllib.parse.urldefrag(href)[0]))
    return posixpath.normpath(path).lstrip("/")


def _local_name(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def epub_to_text(data: bytes) -> str:
    """The text of an EPUB e-book: its chapters in reading order, each reduced to the text of
    its blocks as a web page is (navigation, scripts and the like left out).

    An EPUB is a zip archive: ``META-INF/container.xml`` names the package file, whose manifest
    lists the chapters (XHTML) and whose spine orders them. A book with DRM has its chapters
    encrypted (``META-INF/encryption.xml``) and cannot be read.
    """
    container = _office_xml(data, "META-INF/container.xml")
    rootfile = next((node for node in container.iter() if _local_name(node.tag) == "rootfile"), None)
    if rootfile is None or not rootfile.get("full-path"):
        raise OfficeError("its META-INF/container.xml names no package file")
    package_path = _epub_path("", rootfile.get("full-path", ""))
    package = _office_xml(data, package_path)
    base = posixpath.dirname(package_path)
    # by local name: books in the wild drop or rename the package's namespace
    items = {item.get("id"): item for item in package.iter() if _local_name(item.tag) == "item"}
    chapters: dict[str, None] = {}  # in spine order; a chapter listed twice is read once
    for ref in (node for node in package.iter() if _local_name(node.tag) == "itemref"):
        item = _epub_text_item(items, ref.get("idref"))
        if item is not None:
            chapters.setdefault(_epub_path(base, item.get("href", "")))
    (encryption,) = _zip_parts(data, ["META-INF/encryption.xml"], missing_ok=True)
    if encryption:
        encrypted = {
            _epub_path("", reference.get("URI", ""))
            for reference in _parsed_xml(encryption).iter()
            if reference.tag.endswith("CipherReference")
        }
        if encrypted.intersection(chapters):  # fonts alone may be obfuscated; chapters mean DRM
            raise OfficeError("its chapters are encrypted (DRM)")
    pages = _zip_parts(data, list(chapters), missing_ok=True)
    texts = (html_to_text(decode_html(page)[0], use_trafilatura=False) for page in pages if page)
    return "\n\n".join(text for text in texts if text)


def docx_to_text(data: bytes) -> str:
    """The paragraphs of a Word (.docx) document's body, table cells included, one per block.

    Only the stdlib is needed: a .docx is a zip archive whose ``word/document.xml`` holds the
    paragraphs (``w:p``) and their runs of text (``w:t``). Headers, footers, footnotes and
    comments live in other parts and are left out, as the main text of a web page is kept;
    so is deleted text of tracked changes (``w:delText``).
    """
    root = _office_xml(data, "word/document.xml")
    paragraphs: list[str | None] = []

    def visit(node: ElementTree.Element, parts: list[str]) -> None:
        for child in node:
            if child.tag == _W + "p":  # a paragraph, or one in a text box inside another
                inner: list[str] = []
                visit(child, inner)
                if _docx_list_or_heading(child):  # a block of its own: never a pasted line
                    paragraphs.extend([None, "".join(inner).strip() or None, None])
                else:
                    paragraphs.append("".join(inner).strip() or None)  # an empty one ends a block
            elif child.tag == _MC_FALLBACK:  # the same content again, for older readers
                pass
            elif child.tag == _W + "tc":  # a table cell is a block of its own
                paragraphs.append(None)
                visit(child, parts)
                paragraphs.append(None)
            elif child.tag == _W + "t":
                parts.append(child.text or "")
            elif child.tag in _DOCX_BREAKS:
                parts.append(_DOCX_BREAKS[child.tag])
            else:
                visit(child, parts)

    return _visited(visit, root, [], paragraphs)


def _docx_list_or_heading(paragraph: ElementTree.Element) -> bool:
    """Whether a Word paragraph is a list item (numbered or bulleted) or a heading or title."""
    properties = paragraph.find(_W + "pPr")
    if properties is None:
        return False
    if properties.find(_W + "numPr") is not None or properties.find(_W + "outlineLvl") is not None:
        return True
    style = properties.find(_W + "pStyle")
    name = (style.get(_W + "val", "") if style is not None else "").lower()
    return name.startswith(("heading", "title", "subtitle", "list"))


def odt_to_text(data: bytes) -> str:
    """The paragraphs and headings of an OpenDocument text (.odt), one per block.

    ``content.xml`` holds them as ``text:p`` and ``text:h`` with their text mixed among
    spans; runs of spaces are ``text:s``. Footnotes, comments and the deleted text of
    tracked changes are left out.
    """
    root = _office_xml(data, "content.xml")
    paragraphs: list[str | None] = []
    count = _T + "c"

    def visit(node: ElementTree.Element, parts: list[str] | None) -> None:
        for child in node:
            if child.tag in _ODT_LEFT_OUT:
                pass
            elif child.tag in _ODT_PARAGRAPHS:  # a paragraph, or one in a frame inside another
                inner = [child.text or ""]
                visit(child, inner)
                if child.tag == _T + "h":  # a heading is a block of its own
                    paragraphs.extend([None, "".join(inner).strip() or None, None])
                else:
                    paragraphs.append("".join(inner).strip() or None)  # an empty one ends a block
            elif parts is None:  # outside paragraphs only structure (lists, tables, sections)
                apart = child.tag in _ODT_BLOCKS  # a table cell or list item is a block of its own
                if apart:
                    paragraphs.append(None)
                visit(child, None)
                if apart:
                    paragraphs.append(None)
            elif child.tag == _T + "s":
                count_value = child.get(count, "1")
                parts.append(" " * (int(count_value) if count_value.isdigit() else 1))
            elif child.tag in _ODT_BREAKS:
                parts.append(_ODT_BREAKS[child.tag])
            else:
                parts.append(child.text or "")
                visit(child, parts)
            if parts is not None and child.tail:
                parts.append(child.tail)

    return _visited(visit, root, None, paragraphs)


_RTF_MAGIC = re.compile(rb"(?:\xef\xbb\xbf)?\s*\{\\rtf")
_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # a control word and its parameter; one space ends it
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in the document's code page
    rb"|\\(.)"  # a control symbol; a backslash before a line break is a paragraph mark
    rb"|([{}])"
    rb"|[\r\n]+"  # line breaks in the file are not part of the text
    rb"|([^\\{}\r\n]+)",  # plain text
    re.DOTALL,
)
# groups that hold no body text: tables of fonts, colours and styles, document information,
# pictures, embedded objects, headers and footers, footnotes, comments, field instructions, and
# the bullets and numbers of list items (as a .docx keeps them out of its text)
_RTF_SKIPPED = frozenset(
    b"fonttbl colortbl stylesheet listtable listoverridetable revtbl rsidtbl info pict object "
    b"header headerl headerr headerf footer footerl footerr footerf footnote annotation atnid "
    b"atnauthor fldinst xmlnstbl themedata colorschememapping datastore latentstyles filetbl "
    b"nonshppict generator userprops docvar pntext listtext".split()
)
_RTF_WORDS = {  # "\f": the end of a block (a section, a page, a table cell), not only of a paragraph
    b"par": "\n\n",
    b"sect": "\f",
    b"page": "\f",
    b"cell": "\f",
    b"row": "\f",
    b"line": "\n",
    b"tab": "\t",
    b"emdash": "\u2014",
    b"endash": "\u2013",
    b"emspace": " ",
    b"enspace": " ",
    b"qmspace": " ",
    b"bullet": "\u2022",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
}
_RTF_SYMBOLS = {b"~": "\u00a0", b"_": "\u2011", b"-": "", b"\n": "\n\n", b"\r": "\n\n"}
_RTF_CODE_PAGES = {b"ansi": "cp1252", b"mac": "mac_roman", b"pc": "cp437", b"pca": "cp850"}


def rtf_to_text(data: bytes) -> str:
    """The paragraphs of a Rich Text Format document, one per block (table cells included).

    RTF is 7-bit text with formatting written as control words (``\\par``, ``\\b``,
    ``\\u8217?``) in nested groups. The body's text is kept; groups that hold no body text
    (font and style tables, pictures, headers and footers, footnotes, comments, ``\\*``
    destinations) are left out, as they are from Word documents, and so is text that tracked
    changes mark deleted. Damaged nesting is forgiven: what can be read is read.
    """
    if not _RTF_MAGIC.match(data):
        raise OfficeError("it does not start with {\\rtf")
    out: list[str] = []
    pending = bytearray()  # bytes in the code page, decoded together (a character may take two)
    code_page = "cp1252"
    # the current group: left out?; fallback characters after \uN; deleted by a tracked change?
    skip, uc, deleted = False, 1, False
    stack: list[tuple[bool, int, bool]] = []
    group_start = False  # the last token opened a group, so a destination word may follow
    fallback = 0  # fallback characters still to drop after a \uN

    def flush() -> None:
        if pending:
            out.append(pending.decode(code_page, "replace"))
            pending.clear()

    pos, end = data.index(b"{"), len(data)
    while pos < end:
        match = _RTF_TOKEN.match(data, pos)
        if match is None:  # a lone backslash at the very end
            break
        pos = match.end()
        word, param, hex_byte, symbol, brace, text = match.groups()
        if match.lastindex is None:  # line breaks in the file: not text, and not a token either
            continue
        opened, group_start = group_start, False
        if brace == b"{":
            stack.append((skip, uc, deleted))
            group_start, fallback = True, 0
        elif brace == b"}":
            skip, uc, deleted = stack.pop() if stack else (skip, uc, deleted)
            fallback = 0
        elif text is not None:
            if fallback:
                dropped = min(fallback, len(text))
                text, fallback = text[dropped:], fallback - dropped
            if not (skip or deleted):
                pending.extend(text)
        elif hex_byte is not None:
            if fallback:
                fallback -= 1
            elif not (skip or deleted):
                pending.append(int(hex_byte, 16))
        elif symbol is not None:
            if symbol == b"*":
                skip = True
            elif fallback:
                fallback -= 1
            elif not (skip or deleted):
                flush()
                out.append(_RTF_SYMBOLS.get(symbol, symbol.decode("latin-1") if symbol in b"\\{}" else ""))
        elif word is not None:
            if word == b"bin":  # raw binary data follows: skip it
                pos += max(int(param or 0), 0)
            elif opened and word in _RTF_SKIPPED:
                skip = True
            elif word == b"deleted" or word == b"plain":  # \plain resets character formatting
                deleted = word == b"deleted" and param != b"0"
            elif word == b"uc":
                uc = max(int(param or 1), 0)
            elif word == b"u" and param is not None:
                if not (skip or deleted):
                    flush()
                    out.append(chr(int(param) % 0x10000))
                fallback = uc
            elif word == b"ansicpg" and param is not None:
                code_page = _rtf_code_page(param, code_page)
            elif word in _RTF_CODE_PAGES:
                code_page = _RTF_CODE_PAGES[word]
            elif fallback:
                fallback -= 1
            elif not (skip or deleted) and word in _RTF_WORDS:
                flush()
                out.append(_RTF_WORDS[word])
    flush()
    # \uN gives UTF-16 code units: join surrogate pairs, replace lone halves
    text = "".join(out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    paragraphs: list[str | None] = []
    for block in text.split("\f"):
        paragraphs.extend(paragraph.strip() or None for paragraph in block.split("\n\n"))
        paragraphs.append(None)
    return _paragraph_text(paragraphs)


def _rtf_code_page(number: bytes, current: str) -> str:
    name = f"cp{int(number)}"
    return name if _ascii_compatible(name) else current


_ASCII = bytes(range(32, 127))


def _ascii_compatible(codec: str) -> bool:
    """Whether ``codec`` is a charset that reads ASCII as ASCII, as every web page's and RTF
    file's must: not EBCDIC (cp500, cp037), UTF-7 or a codec that is no charset at all."""
    try:
        return _ASCII.decode(codec) == _ASCII.decode("ascii")
    except (LookupError, UnicodeError, TypeError, ValueError):
        return False


# kind -> (what it is called, one and many; its reader)
_OFFICE_READERS: dict[str, tuple[tuple[str, str], Callable[[bytes], str]]] = {
    "docx": (("a Word document", "Word documents"), docx_to_text),
    "odt": (("an OpenDocument text", "OpenDocument texts"), odt_to_text),
    "rtf": (("an RTF document", "RTF documents"), rtf_to_text),
    "epub": (("an EPUB e-book", "EPUB e-books"), epub_to_text),
}


def document_text(data: bytes, kind: str) -> str:
    """The text of a whole document of ``kind`` ("html", "pdf", "docx", "odt", "rtf", "epub") as the
    command line scores it, for readers of whole files such as ``spincheck train``.

    Raises :class:`OfficeError` for a broken Word, OpenDocument, RTF or EPUB file, and whatever pypdf
    raises for a broken PDF (RuntimeError without pypdf).
    """
    if kind == "html":
        return html_to_text(decode_html(data)[0])
    if kind == "pdf":
        return pdf_to_text(data)
    return _OFFICE_READERS[kind][1](data)


def _visited(visit: Callable, root: ElementTree.Element, parts: list[str] | None, paragraphs: list[str | None]) -> str:
    """Run ``visit`` over the document, then join the paragraphs it collected."""
    try:
        visit(root, parts)
    except RecursionError:
        raise OfficeError("its XML is nested too deeply") from None
    return _paragraph_text(paragraphs)


def _paragraph_text(paragraphs: list[str | None]) -> str:
    """An office document's paragraphs, one per block (blank lines between), the lines of text
    pasted into it from a PDF rejoined (see :func:`_rewrapped`). None in ``paragraphs`` ends a
    block: an empty paragraph, or the edge of a table cell."""
    out: list[str] = []
    block: list[str] = []
    for paragraph in [*paragraphs, None]:
        if paragraph is not None:
            block.append(paragraph)
        elif block:
            out.extend(_rewrapped(block))
            block = []
    return "\n\n".join(out)


def _rewrapped(block: list[str]) -> list[str]:
    """A block's paragraphs, with each run of them that is really the lines of one text rebuilt
    into paragraphs as a PDF's lines are (:func:`pdf_paragraphs`).

    Text pasted into a word processor from a PDF, or from a hard-wrapped file, gets a paragraph
    mark at the end of every line, and each line alone is judged as a paragraph of a dozen
    words. Such a run (between paragraphs longer than a line, or only a number) has at least
    three lines of up to 110 characters, the wider ones at least 50, most nearly as wide as the
    widest, most running on without ending a sentence and where the next line's first word
    would not have fitted, many into a line that starts in lower case. Lists, headings, poems
    and short paragraphs vary in width, have room to spare or end their sentences; the callers
    end runs at list items and headings they know as such.
    """
    out: list[str] = []
    run: list[str] = []
    for paragraph in [*block, None]:
        if paragraph is not None and len(paragraph) <= 110 and not paragraph.isdigit():
            run.append(paragraph)
            continue
        out.extend(pdf_paragraphs([run]) if _looks_like_lines(run) else run)
        run = []
        if paragraph is not None:
            out.append(paragraph)
    return out


def _looks_like_lines(run: list[str]) -> bool:
    """Lines wrapped at one width: most nearly as wide as the widest, and a line that runs on
    is one the next line's first word would not have fitted on (as a list item often would)."""
    if len(run) < 3:
        return False
    widths = [len(line) for line in run]
    full = full_width(widths)
    pairs = list(zip(run, run[1:]))
    running_on = [(a, b) for a, b in pairs if not _SENTENCE_END_PDF.search(a)]
    wrapped = sum(len(a) + 1 + len(b.split(maxsplit=1)[0]) > 0.85 * max(widths) for a, b in running_on)
    return (
        full >= 50
        and sum(width >= 0.8 * full for width in widths) >= 0.6 * len(run)
        and len(running_on) >= 0.5 * len(pairs)
        and wrapped >= 0.7 * len(running_on)
        and sum(b[:1].islower() for _, b in pairs) >= 0.3 * len(pairs)
    )


def _read_whole(head: bytes, f: BinaryIO) -> bytes | None:
    """The sniffed head and the rest of ``f``, or None when that is over MAX_DOCUMENT_BYTES."""
    data = head + f.read(MAX_DOCUMENT_BYTES + 1 - len(head))
    return None if len(data) > MAX_DOCUMENT_BYTES else data


def _too_large(name: str, hint: str) -> Problem:
    return Problem("error", f"{name} is larger than {_size(MAX_DOCUMENT_BYTES)}", hint)


def _size(n: int) -> str:
    return f"{n >> 20} MB" if n >= 1 << 20 else f"{n} bytes"


def _invalid_utf8(name: str, charset: str = "utf-8") -> Problem:
    """The warning for undecodable bytes: of UTF-8, or of the charset a page declares."""
    encoding = "UTF-8" if charset == "utf-8" else f"{charset} as it declares"
    return Problem("warning", f"{name} is not valid {encoding}; undecodable bytes were replaced with U+FFFD")


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
