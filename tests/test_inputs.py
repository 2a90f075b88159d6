"""Reading inputs: decoding, streaming in chunks, directories, HTML and JSONL (spincheck.inputs)."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import lzma
import os
import signal
import sys
import tarfile
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import pytest
from helpers import docx_bytes, docx_paragraph, epub_bytes, odt_bytes, recording_trafilatura, rtf_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from spincheck import formats, inputs, training
from spincheck.formats import html_to_text
from spincheck.inputs import Chunk, Done, InputFile, Problem, Reader, collect
from spincheck.text import decode_bytes, split_paragraphs

TEXT = (
    "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate.\n\n"
    "Résidents near the water said the work would bring noise and dust \u2014 for two years.\n"
    "A second line in the same block, which the splitter keeps as its own paragraph.\n\n"
    "The state will pay for most of the project; the town will borrow the rest.\n"
)


def tar_bytes() -> bytes:
    """A tar archive holding one text file, as ``tar -cf`` writes it."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        info = tarfile.TarInfo("crawl/page.txt")
        info.size = len(TEXT.encode())
        tar.addfile(info, io.BytesIO(TEXT.encode()))
    return data.getvalue()


def read_events(path: Path, kind: str | None = None, **reader_args) -> list:
    return list(Reader(**reader_args).read(InputFile(path, kind or inputs.kind_of(path))))


def chunks_of(events) -> list[Chunk]:
    return [e for e in events if isinstance(e, Chunk)]


def problems_of(events) -> list[str]:
    return [str(e) for e in events if isinstance(e, Problem)]


def joined(events) -> str:
    parts = chunks_of(events)
    # chunks are contiguous: each starts where the previous one ended
    position = 0
    for chunk in parts:
        assert chunk.offset == position
        position += len(chunk.text)
    return "".join(c.text for c in parts)


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("utf-16"),  # with BOM, native order
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
        lambda t: t.encode("utf-32"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf32", "crlf", "cr"],
)
def test_streamed_text_equals_decode_bytes(tmp_path, monkeypatch, encode):
    # Small reads so that BOMs, multi-byte characters and CRLF pairs straddle block boundaries; a
    # small first read too, or the whole text would be in it and the small reads never happen.
    monkeypatch.setattr(inputs, "SNIFF_BYTES", 16)
    monkeypatch.setattr(inputs, "READ_BYTES", 7)
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 64)
    data = encode(TEXT)
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    events = read_events(path)
    assert joined(events) == TEXT == decode_bytes(data)[0]
    assert problems_of(events) == []
    assert chunks_of(events)[-1].last and not any(c.last for c in chunks_of(events)[:-1])


def test_invalid_utf8_is_replaced_and_reported_once(tmp_path, monkeypatch):
    # the bad bytes in different blocks: one warning, not one for each block that has one
    monkeypatch.setattr(inputs, "SNIFF_BYTES", 16)
    monkeypatch.setattr(inputs, "READ_BYTES", 16)
    data = TEXT.encode("utf-8").replace(b"voted", b"vo\xfft\xfeed").replace(b"state", b"st\xc3ate")
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    events = read_events(path)
    assert joined(events) == decode_bytes(data)[0]
    assert "\ufffd" in joined(events)
    assert problems_of(events) == [
        f"spincheck: warning: {path} is not valid UTF-8; undecodable bytes were replaced with U+FFFD"
    ]


def test_a_crlf_split_between_two_reads_is_one_line_break(tmp_path):
    # the "\r" ending the first read and the "\n" starting the next, read as two line breaks, would
    # be a blank line that splits a wrapped paragraph in two, and every later offset one too far
    wrapped = "a hard-wrapped paragraph whose lines\r\nrun on to the next line and end here."
    first = "x" * (inputs.SNIFF_BYTES - 4 - 1 - wrapped.index("\r"))
    data = f"{first}\r\n\r\n{wrapped}\r\n\r\nThe end.\r\n".encode()
    assert data[inputs.SNIFF_BYTES - 1 : inputs.SNIFF_BYTES + 1] == b"\r\n"
    path = tmp_path / "windows.txt"
    path.write_bytes(data)
    text = joined(read_events(path))
    assert text == decode_bytes(data)[0]
    assert [text[s.start : s.end] for s in split_paragraphs(text)] == [first, wrapped.replace("\r", ""), "The end."]


@pytest.mark.parametrize("content", [b"", b"  \n\n\t \r\n ", "\u200b\n \u2060\n\ufeff".encode()])
def test_empty_file_is_one_empty_document_and_a_note(tmp_path, content):
    # invisible characters show nothing: a file of them and spaces has no paragraph, as one of spaces
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: note: {path} is empty"]
    assert [c.last for c in chunks_of(events)] == [True]
    assert split_paragraphs(joined(events)) == []


def test_binary_file_is_skipped_with_one_error(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: error: {path} looks binary (skipped)"]
    assert chunks_of(events) == []


def test_a_missing_web_address_is_named_as_typed_but_a_file_of_that_name_is_read(tmp_path, monkeypatch):
    from spincheck.inputs import web_address

    assert web_address("https:/example.com/a.html") == "https://example.com/a.html"  # as pathlib leaves it
    assert web_address("HTTP://example.com") == "HTTP://example.com"
    assert web_address("notes/https.txt") is None and web_address("https-notes.txt") is None
    monkeypatch.chdir(tmp_path)
    (tmp_path / "https:").mkdir()
    (tmp_path / "https:" / "page.txt").write_text("a file after all\n", encoding="utf-8")
    assert [c.text for c in chunks_of(read_events(Path("https://page.txt")))] == ["a file after all\n"]


def test_missing_file_and_symlink_loop(tmp_path):
    missing = tmp_path / "missing.txt"
    assert problems_of(read_events(missing)) == [
        f"spincheck: error: cannot read {missing}: no such file or directory (check the path)"
    ]
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    assert problems_of(read_events(loop)) == [
        f"spincheck: error: cannot read {loop}: too many levels of symbolic links (symlink loop; skipped)"
    ]


def test_a_table_named_as_input_is_read_as_text_with_a_warning(tmp_path):
    # a CSV export of articles was scored as text in silence, ids and topics glued to the paragraphs
    table = tmp_path / "articles.csv"
    table.write_text('id,topic,text\nbbc-1,news,"' + TEXT.replace('"', "'") + '"\n', encoding="utf-8")
    events = read_events(table)
    assert problems_of(events) == [
        f"spincheck: warning: {table} is read as plain text: spincheck does not read the columns of a table "
        "(its other fields run into its paragraphs; for a document a row, convert it to JSON Lines with the "
        "text in a field)"
    ]
    assert "".join(c.text for c in chunks_of(events)).startswith("id,topic,text\nbbc-1,news,")
    (tmp_path / "records.tsv").write_text(json.dumps({"text": TEXT}) + "\n")  # JSONL by its content: no warning
    assert problems_of(read_events(tmp_path / "records.tsv")) == []


def test_a_broken_symlink_is_named_as_one_where_it_is_met(tmp_path):
    # met in a directory scan, it was "no such file or directory (check the path)" of a path no one typed
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text(TEXT, encoding="utf-8")
    link = tmp_path / "notes" / "old.txt"
    link.symlink_to("../archive/old.txt")
    said = f"spincheck: error: cannot read {link}: it is a symbolic link to ../archive/old.txt, which does not exist"
    items = collect([str(tmp_path / "notes")])
    assert [str(p) for p in items if isinstance(p, Problem)] == [said + " (skipped)"]
    assert [i.path for i in items if isinstance(i, InputFile)] == [tmp_path / "notes" / "a.txt"]
    assert problems_of(read_events(link)) == [said + " (skipped)"]  # named


@settings(max_examples=60, deadline=None)
@given(
    paragraphs=st.lists(
        st.text(alphabet=st.sampled_from("ab cé\u2014.\n"), min_size=0, max_size=40), min_size=0, max_size=12
    ),
    separators=st.lists(st.sampled_from(["\n\n", "\n \n", "\n", "\n\n\n", " "]), min_size=12, max_size=12),
    size=st.integers(min_value=1, max_value=50),
)
def test_chunking_keeps_text_and_offsets(paragraphs, separators, size):
    """Cutting into chunks never changes the text, and paragraphs cut at blank lines are unchanged."""
    text = "".join(p + s for p, s in zip(paragraphs, separators, strict=False))
    old = inputs.CHUNK_CHARS
    inputs.CHUNK_CHARS = size
    try:
        chunks = list(inputs._chunks_of(text, "doc"))
    finally:
        inputs.CHUNK_CHARS = old
    assert "".join(c.text for c in chunks) == text
    assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    position = 0
    for chunk, following in zip(chunks, [*chunks[1:], None]):
        assert chunk.offset == position
        position += len(chunk.text)
        if not chunk.last and "\n" in chunk.text:  # never cut inside a line while a newline was available
            assert chunk.text.endswith("\n") or following.text.startswith("\n")


def test_chunks_cut_at_blank_lines_give_the_same_paragraphs(monkeypatch):
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 150)
    text = TEXT * 5
    spans = []
    for chunk in inputs._chunks_of(text, "doc"):
        spans += [(chunk.offset + s.start, chunk.offset + s.end) for s in split_paragraphs(chunk.text)]
    assert spans == [(s.start, s.end) for s in split_paragraphs(text)]


_BLOCKS = [
    "The council voted on Tuesday to rebuild the old harbor bridge.",
    "\u200b".join("Residents said the work would bring noise."),  # an invisible character between letters
    "t h e  c o u n c i l  v o t e d",  # letter-spaced
    "\U0001d413\U0001d421\U0001d41e state will pay for m\u043est of it.",  # styled and lookalike letters
    "The council voted on Tuesday to rebuild\nthe old harbor bridge after three years\nof debate and delay.",
    "\u2003The council voted on Tuesday to rebuild\nthe old harbor bridge.\n\u2003Residents near the water\nsaid so.",
    "---\ntitle: Bridge\n---",  # like front matter, but in mid-document
    "---\nUpdate: the council met again.\n---",
]
_BLANKS = ["\n\n", "\n\u200b\n", "\n\u2060\ufeff\n \u200d\n", "\n>\n", "\n \u3000\n\n", "\f"]


@settings(max_examples=40, deadline=None)
@given(
    blocks=st.lists(st.sampled_from(_BLOCKS), min_size=1, max_size=10),
    blanks=st.lists(st.sampled_from(_BLANKS), min_size=10, max_size=10),
    line_end=st.sampled_from(["\n", "\r\n", "\r", "\u2028"]),
    extra=st.integers(min_value=2, max_value=120),
)
def test_chunks_give_the_paragraphs_of_the_whole_text(blocks, blanks, line_end, extra):
    """Cut at blank lines (of invisible characters too), chunks of a text whose blocks each fit in one
    give the whole text's paragraphs, whatever the blocks hold."""
    text = "".join(b + s for b, s in zip(blocks, blanks, strict=False)).replace("\n", line_end)
    old = inputs.CHUNK_CHARS
    inputs.CHUNK_CHARS = max(map(len, _BLOCKS + _BLANKS)) + 2 + extra
    try:
        chunks = list(inputs._chunks_of(text, "doc"))
    finally:
        inputs.CHUNK_CHARS = old
    spans = [(c.offset + s.start, c.offset + s.end) for c in chunks for s in split_paragraphs(c.text)]
    assert spans == [(s.start, s.end) for s in split_paragraphs(text)]


def test_a_chunk_read_up_to_a_dashes_line_waits_to_see_whether_settings_follow(monkeypatch):
    """When what has been read ends just after a "---" line, the key line that would make it a
    block like front matter is not read yet: cut before the "---", the next chunk opened with the
    block and read it as front matter (one paragraph, where the whole text has three)."""
    wrapped = "The council voted on Tuesday to rebuild\nthe old harbor bridge after three years\nof debate and delay."
    text = f"{wrapped}\n\n{wrapped}\n\n---\ntitle: Bridge\n---\n\n"
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 104)  # the second piece fed ends after "---\n"
    chunks = list(inputs._chunks_of(text, "doc"))
    spans = [(c.offset + s.start, c.offset + s.end) for c in chunks for s in split_paragraphs(c.text)]
    assert spans == [(s.start, s.end) for s in split_paragraphs(text)] and len(spans) == 5
    assert chunks[-1].last and not any(c.last for c in chunks[:-1])


def test_text_without_any_whitespace_is_still_cut(monkeypatch):
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 10)
    chunks = list(inputs._chunks_of("x" * 35, "doc"))
    assert [len(c.text) for c in chunks] == [10, 10, 10, 5]


def test_a_line_longer_than_a_chunk_is_cut_after_a_space_not_inside_a_word(monkeypatch):
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 10)
    chunks = [c.text for c in inputs._chunks_of("one two three four five", "doc")]
    assert chunks == ["one two ", "three four", " five"]  # a space just past the chunk: the word is whole


def test_a_chunk_without_a_blank_line_ends_at_its_last_line_break(monkeypatch):
    # cut at its first line break, a chunk of hard-wrapped text would hold one line: a paragraph's
    # lines scored apart, and a long input cut into many more chunks than needed
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 120)
    wrapped = "The council voted on Tuesday to rebuild\nthe old harbor bridge after three years\nof debate."
    text = "\n".join([wrapped] * 3)
    chunks = [c.text for c in inputs._chunks_of(text, "doc")]
    assert "".join(chunks) == text
    for chunk, following in zip(chunks, chunks[1:]):
        next_line = following.split("\n")[0]
        assert chunk.endswith("\n") and len(chunk) + len(next_line) + 1 > inputs.CHUNK_CHARS


@pytest.mark.parametrize("indent", ["    ", "\u2003\u2003", "\u2002\u2002", "\u200b    ", "\ufeff\t"])
def test_a_block_of_indented_paragraphs_is_cut_where_a_paragraph_starts(monkeypatch, indent):
    # a book's paragraphs: first lines indented, no blank line between them. Cut at the last line
    # break, the next chunk opened mid-paragraph, not indented, and its paragraphs ran together.
    # An em space's indent (HTML's &emsp;) or one after an invisible character is an indent to
    # split_paragraphs too: the cut missed them
    paragraph = indent + "\n".join(textwrap.wrap(" ".join(_WRAPPED), 70))
    text = "\n".join([paragraph] * 8)
    whole = [(s.start, s.end) for s in split_paragraphs(text)]
    assert len(whole) == 8
    for size in range(500, 1500, 50):
        monkeypatch.setattr(inputs, "CHUNK_CHARS", size)
        spans = []
        for chunk in inputs._chunks_of(text, "doc"):
            spans += [(chunk.offset + s.start, chunk.offset + s.end) for s in split_paragraphs(chunk.text)]
        assert spans == whole, size


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_a_chunk_never_opens_with_a_settings_block_read_as_front_matter(monkeypatch, line_end):
    # split_paragraphs reads front matter at a text's top only: a chunk that opened with a "---"
    # block of settings in mid-document (the next post of 'cat *.md', an update note) read it as
    # one paragraph of front matter, where the whole text has its lines
    post = "---\ntitle: Bridge\n---\n\n" + TEXT + "\n---\nUpdate: the council met again on Friday.\n---\n\n"
    text = (post * 4).replace("\n", line_end)
    whole = [(s.start, s.end) for s in split_paragraphs(text)]
    for size in range(180, 600, 7):
        monkeypatch.setattr(inputs, "CHUNK_CHARS", size)
        chunks = list(inputs._chunks_of(text, "doc"))
        assert [(c.offset + s.start, c.offset + s.end) for c in chunks for s in split_paragraphs(c.text)] == whole


@pytest.mark.parametrize("after", ["", "\n", "\n\nThe end.\n", "\nThe end.\n", "\f"])
def test_a_paragraph_of_exactly_a_chunk_is_not_cut(tmp_path, monkeypatch, after):
    # the break after it one past the window, it was cut at its last space (two paragraphs where
    # the whole text has one), and a text of exactly CHUNK_CHARS was two chunks
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 150)
    paragraph = ("The council voted on Tuesday to rebuild the old harbor bridge. " * 3)[:149] + "."
    text = paragraph + after
    whole = [(s.start, s.end) for s in split_paragraphs(text)]
    assert whole[0] == (0, 150)
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    for chunks in (list(inputs._chunks_of(text, "doc")), chunks_of(read_events(path))):
        assert chunks[0].text == paragraph
        assert [(c.offset + s.start, c.offset + s.end) for c in chunks for s in split_paragraphs(c.text)] == whole


@pytest.mark.parametrize("blank", ["\n>\n", "\r\n\r\n", "\n\u200b\n", "\n \u3000\n"])
def test_a_blank_line_that_ends_one_past_a_chunk_is_not_cut_inside(monkeypatch, blank):
    # cut inside "\n>\n", the ">" left at the chunk's end was a paragraph of its own
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 150)
    paragraph = ("The council voted on Tuesday to rebuild the old harbor bridge. " * 3)[: 150 - len(blank)] + "."
    text = paragraph + blank + "The end.\n"  # the blank line's last break one past the chunk
    chunks = list(inputs._chunks_of(text, "doc"))
    assert len(chunks[0].text) <= 150 and len(chunks) == 2
    spans = [(c.offset + s.start, c.offset + s.end) for c in chunks for s in split_paragraphs(c.text)]
    assert spans == [(s.start, s.end) for s in split_paragraphs(text)] == [(0, len(paragraph)), (151, 159)]


@pytest.mark.parametrize("blank", ["\n>\n", "\n\n>\n", "\n>>\n", "\n > \n", "\n>\n>\n", "\r\n>\r\n"])
def test_a_quoted_blank_line_across_a_chunk_edge_is_no_paragraph(monkeypatch, blank):
    # a quoted reply's blank line, ">", cut after its first break (or inside a run of blank lines):
    # the next chunk opened with ">\n", and ">" was a paragraph of its own
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 150)
    for size in range(140, 151):
        paragraph = ("The council voted on Tuesday to rebuild the old harbor bridge. " * 3)[: size - 1] + "."
        text = paragraph + blank + "The end.\n\nMore.\n"
        chunks = list(inputs._chunks_of(text, "doc"))
        spans = [(c.offset + s.start, c.offset + s.end) for c in chunks for s in split_paragraphs(c.text)]
        assert spans == [(s.start, s.end) for s in split_paragraphs(text)], size


@pytest.mark.parametrize("line_break", ["\r", "\u2028", "\x85", "\v"])
def test_a_chunk_ends_at_a_line_break_of_any_kind_not_inside_a_line(monkeypatch, line_break):
    # a JSONL record's text keeps its lone CRs, and web text has U+2028: cut at the last space
    # instead, a paragraph (one a line) was split in two at every chunk boundary
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 150)
    line = "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate."
    text = line_break.join([line] * 6)
    spans = []
    for chunk in inputs._chunks_of(text, "doc"):
        spans += [(chunk.offset + s.start, chunk.offset + s.end) for s in split_paragraphs(chunk.text)]
    assert spans == [(s.start, s.end) for s in split_paragraphs(text)]


class _Endless(io.RawIOBase):
    """A stdin that produces paragraphs forever and counts how much was read."""

    def __init__(self) -> None:
        self.produced = 0
        self.line = b"The council voted on Tuesday to rebuild the old harbor bridge.\n\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = (self.line * (len(buffer) // len(self.line) + 1))[: len(buffer)]
        buffer[: len(data)] = data
        self.produced += len(data)
        return len(data)


def test_stdin_is_streamed_in_bounded_chunks(monkeypatch):
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 4096)
    stdin = _Endless()
    events = Reader(stdin=io.BufferedReader(stdin)).read(InputFile(None, "text"))
    for n, event in enumerate(events):
        assert isinstance(event, Chunk) and event.source == "<stdin>"
        assert len(event.text) <= 4096 and event.text.endswith("\n\n")
        if n == 50:
            break
    # 51 chunks came out of an endless input after reading a bounded amount of it
    assert stdin.produced < 52 * 4096 + inputs.READ_BYTES + inputs.SNIFF_BYTES


def test_collect_walks_directories(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "page.HTML").write_text("x")
    (tmp_path / "data.jsonl").write_text("x")
    (tmp_path / "notes.csv").write_text("x")  # not a text suffix: ignored in directories
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text("x")
    (tmp_path / "b" / "up").symlink_to(tmp_path)  # a loop back to the top
    items = collect([str(tmp_path), str(tmp_path / "notes.csv"), "-"])
    files = [(str(i.path) if i.path else None, i.kind) for i in items if isinstance(i, InputFile)]
    assert files == [
        (str(tmp_path / "a.txt"), "text"),
        (str(tmp_path / "data.jsonl"), "jsonl"),
        (str(tmp_path / "page.HTML"), "html"),
        (str(tmp_path / "b" / "z.md"), "text"),
        (str(tmp_path / "notes.csv"), "text"),  # named explicitly: read as text
        (None, "text"),
    ]
    loops = [str(i) for i in items if isinstance(i, Problem)]
    assert loops == [
        (
            f"spincheck: warning: {tmp_path / 'b' / 'up'} leads to a directory that is already being read "
            "(read once; skipped)"
        )
    ]


def test_a_directory_reached_again_through_links_is_read_once(tmp_path):
    # a directory walked into is remembered: otherwise a link back to it from inside ("a/loop") and
    # a sibling link to it ("b") walk it again and again (its one file read 81 times)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "a" / "loop").symlink_to(".")
    (tmp_path / "b").symlink_to("a")
    items = collect([str(tmp_path)])
    assert [i.path for i in items if isinstance(i, InputFile)] == [tmp_path / "a" / "x.txt"]
    assert [str(p) for p in items if isinstance(p, Problem)] == [
        f"spincheck: warning: {link} leads to a directory that is already being read (read once; skipped)"
        for link in (tmp_path / "b", tmp_path / "a" / "loop")
    ]


def test_a_directory_is_walked_as_its_files_are_read(tmp_path):
    # listed whole before the first was read, 1,000,000 files took 15 s and 436 MB
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.txt").write_text("x")
    items = inputs.iter_inputs([str(tmp_path)])
    assert next(items) == InputFile(tmp_path / "a" / "page.txt", "text")
    (tmp_path / "b" / "late.txt").write_text("x")  # b is listed only when the walk gets there
    assert [i.path.name for i in items] == ["late.txt", "page.txt"]
    assert collect([str(tmp_path)]) == list(inputs.iter_inputs([str(tmp_path)]))


def test_tree_files_are_the_files_the_walk_reads(tmp_path):
    # the -o check and the bar's total look at a tree with os.scandir alone: the same files, in order
    (tmp_path / "a").mkdir()
    for name in ("x.txt", ".draft.txt", "t.csv", "pages.JSONL.gz", "up.md.bz2", "n.gz"):
        (tmp_path / "a" / name).write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text("x")
    (tmp_path / "a" / "loop").symlink_to("..")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a" / "x.txt")
    (tmp_path / "broken.txt").symlink_to("missing.txt")
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "dir.txt" / "in.rtf").write_text("x")
    os.mkfifo(tmp_path / "pipe.txt")
    walked = [item.path for item in inputs.walk_directory(str(tmp_path)) if isinstance(item, InputFile)]
    assert [Path(entry.path) for entry in inputs.tree_files(str(tmp_path))] == walked
    assert [str(path.relative_to(tmp_path)) for path in walked] == [
        "link.txt",
        "a/pages.JSONL.gz",
        "a/up.md.bz2",
        "a/x.txt",
        "dir.txt/in.rtf",
    ]


def test_hidden_files_in_a_directory_are_skipped(tmp_path):
    # an editor's hidden draft or backup next to the page is not a page of its own
    (tmp_path / ".draft.txt").write_text("x")
    (tmp_path / "page.txt").write_text("x")
    assert [i.path.name for i in collect([str(tmp_path)])] == ["page.txt"]


def test_collect_without_paths_reads_stdin():
    assert collect([]) == [InputFile(None, "text")]


def test_events_end_each_input_with_done(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    items = collect([str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")])
    kinds = [type(e).__name__ for e in Reader().events(items)]
    assert kinds == ["Chunk", "Done", "Problem", "Done"]


HTML_PAGE = """<!DOCTYPE html><html><head><title>Title here</title>
<style>p { color: red }</style><script>var secret = "script text";</script></head>
<body><header>Site header</header><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>Bridge vote</h1>
<p>The council voted on <b>Tuesday</b> to rebuild the old harbor bridge &amp; its ramps.</p>
<!-- a comment that is not text -->
<p>Residents said the work would bring noise<br>and dust for two years.</p>
<form><label>Subscribe</label><input name="email"></form>
</article><aside>Related stories</aside><footer>Copyright footer</footer></body></html>"""


def test_html_fallback_keeps_main_text_only():
    text = html_to_text(HTML_PAGE, use_trafilatura=False)
    assert text.split("\n\n") == [
        "Bridge vote",
        "The council voted on Tuesday to rebuild the old harbor bridge & its ramps.",
        "Residents said the work would bring noise\nand dust for two years.",
    ]


def test_html_fallback_reads_past_a_malformed_marked_section():
    """html.parser raises AssertionError on "<![" that opens no CDATA section or condition
    (found by fuzzing: an EPUB chapter, read without trafilatura, stopped the whole run)."""
    for junk in ("<![%#`|~ ", "<![foo x "):
        page = f"<html><body><p>The first paragraph.</p>{junk}<p>The second one.</p></body></html>"
        text = html_to_text(page, use_trafilatura=False)
        assert text.split("\n\n")[0] == "The first paragraph." and text.endswith("The second one.")
    kept = "<p>a</p><![CDATA[x]]><p>b</p><![if IE]><p>c</p><![endif]>"  # well-formed ones are as before
    assert html_to_text(kept, use_trafilatura=False) == "a\n\nb\n\nc"
    # and stay markup beside a malformed one
    assert html_to_text(kept + "<![ bad ]><p>d</p>", use_trafilatura=False) == "a\n\nb\n\nc\n\n<![ bad ]>\n\nd"


def test_html_with_trafilatura_when_installed():
    if formats._trafilatura() is None:
        pytest.skip("trafilatura is not installed")
    text = html_to_text(HTML_PAGE)
    assert "rebuild the old harbor bridge" in text
    assert "secret" not in text and "Copyright footer" not in text


def test_html_falls_back_when_trafilatura_fails(monkeypatch):
    class Broken:
        @staticmethod
        def extract(page, **options):
            raise ValueError("lxml could not parse it")

    monkeypatch.setattr(formats, "_trafilatura_state", {"module": Broken})
    assert html_to_text(HTML_PAGE) == html_to_text(HTML_PAGE, use_trafilatura=False)


def test_html_fallback_note_is_given_once(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "_trafilatura_state", {"module": None})
    for name in ("a.html", "b.htm"):
        (tmp_path / name).write_text(HTML_PAGE)
    events = list(Reader().events(collect([str(tmp_path)])))
    assert problems_of(events) == [f"spincheck: note: {inputs.TRAFILATURA_NOTE}"]
    assert len([c for c in chunks_of(events) if c.last]) == 2


def test_a_page_of_more_tags_than_trafilatura_is_given_is_read_by_the_fallback(tmp_path, monkeypatch):
    """trafilatura's tree of a page takes about 1.4 KB a tag: 4 MB of "<p>x" took 1.4 GB, and a
    64 MB page would take 20 GB. A page over the bound is read by the fallback, with a note."""
    given = recording_trafilatura(monkeypatch, "Read by trafilatura.")
    for module in (formats, inputs):
        monkeypatch.setattr(module, "MAX_TRAFILATURA_TAGS", HTML_PAGE.count("<"))
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE)  # at the bound: trafilatura reads it
    events = read_events(path)
    assert problems_of(events) == [] and joined(events) == "Read by trafilatura." and len(given) == 1
    path.write_text(HTML_PAGE + "<br>")  # one tag more
    events = read_events(path)
    limit = f"{HTML_PAGE.count('<'):,}"
    assert problems_of(events) == [
        f"spincheck: note: {path} has over {limit} tags, more than trafilatura is given "
        "(its tree takes about 1.4 KB a tag); read with the plain-text fallback"
    ]
    assert joined(events) == html_to_text(HTML_PAGE, use_trafilatura=False) and len(given) == 1


def test_jsonl_records_are_documents(tmp_path):
    path = tmp_path / "pages.jsonl"
    lines = [
        json.dumps({"id": "a1", "body": "First record text."}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": 7, "text": "no body field"}),
        json.dumps({"body": "A record without an id."}),
    ]
    path.write_text("\n".join(lines) + "\n")
    events = read_events(path, text_field="body")
    assert [(c.source, c.record_id, c.text) for c in chunks_of(events)] == [
        (f"{path}:a1", "a1", "First record text."),
        (f"{path}:6", None, "A record without an id."),  # no id: the line number
    ]
    assert problems_of(events) == [
        f"spincheck: error: {path}:3: invalid JSON "
        "(Expecting property name enclosed in double quotes at column 2) (skipped)",
        f"spincheck: error: {path}:4: not a JSON object (skipped)",
        f"spincheck: error: {path}:5: no string field 'body' (set --text-field to 'text'; skipped)",
    ]


def test_overlong_jsonl_record_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", 100)
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": "x" * 500}) + "\n" + json.dumps({"text": "short one"}) + "\n")
    events = read_events(path)
    assert [c.text for c in chunks_of(events)] == ["short one"]
    assert problems_of(events) == [f"spincheck: error: {path}:1: record longer than 100 bytes (skipped)"]


def test_a_jsonl_record_of_exactly_the_longest_size_is_read(tmp_path, monkeypatch):
    """The limit counts a record's bytes, not its line break: 100 bytes and "\\n" are read, 101 are not."""
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", 100)
    at_limit, over = (json.dumps({"text": "y" * n}) for n in (88, 89))
    assert (len(at_limit), len(over)) == (100, 101)
    path = tmp_path / "edge.jsonl"
    path.write_text(at_limit + "\n" + over + "\n")
    events = read_events(path)
    assert [c.text for c in chunks_of(events)] == ["y" * 88]
    assert problems_of(events) == [f"spincheck: error: {path}:2: record longer than 100 bytes (skipped)"]


# Records about a bound of 3 JSON values (MAX_RECORD_VALUES), as their values are counted
VALUE_BOUND_RECORDS = (
    {"text": ["One.", "Two."]},  # "{", "[" and one comma: 3, at the bound
    {"text": 'Commas, "quoted", [brackets] and {braces} in a string, are text.'},  # none counted in strings
    {"text": ["One.", "Two.", "Three."]},  # 4: over it
)


def test_a_large_jsonl_record_of_too_many_values_is_skipped_unread(tmp_path, monkeypatch):
    """A value is a Python object of 30-70 bytes however short: a 60 MB record of 20,000,000 "{}"
    took 1.6 GB. A large record's values are counted first, outside its strings."""
    monkeypatch.setattr(inputs, "LARGE_RECORD", 10)
    monkeypatch.setattr(inputs, "MAX_RECORD_VALUES", 3)
    records = [*VALUE_BOUND_RECORDS, {"text": "a", "b": {}, "c": {}}]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    events = read_events(path)
    assert [c.text for c in chunks_of(events)] == ["One.\n\nTwo.", records[1]["text"]]
    refused = "record of over 3 JSON values (too many to hold; a record of text has far fewer; skipped)"
    assert problems_of(events) == [f"spincheck: error: {path}:{n}: {refused}" for n in (3, 4)]


def test_a_large_json_array_item_of_too_many_values_is_refused_unread(tmp_path, monkeypatch):
    """A .json array is read whole, each item as a JSONL record is: a 60 MB item of 20,000,000 "{}"
    took 1.6 GB (now 180 MB, refused in 3 s). Where the array holds too many values in all, each
    item's are counted first, outside its strings; its end is not known before it is counted, so
    the items after it are skipped too."""
    monkeypatch.setattr(inputs, "LARGE_RECORD", 10)
    monkeypatch.setattr(inputs, "MAX_RECORD_VALUES", 3)
    records = [*VALUE_BOUND_RECORDS, {"text": "Not read."}]
    path = tmp_path / "items.json"
    path.write_text(json.dumps(records))
    events = read_events(path)
    assert [c.text for c in chunks_of(events)] == ["One.\n\nTwo.", records[1]["text"]]
    refused = (
        "item of over 3 JSON values (too many to hold; a record of text has far fewer; it and the rest are skipped)"
    )
    assert problems_of(events) == [f"spincheck: error: {path}:3: {refused}"]
    # many values in all, a few in each item: every item is read
    path.write_text(json.dumps([{"text": f"Item {n}."} for n in range(5)]))
    assert [c.text for c in chunks_of(read_events(path))] == [f"Item {n}." for n in range(5)]
    # a document of one record, as a JSONL record
    ((_, problem),) = inputs.iter_json_items(json.dumps(records[2]).encode(), "one.json")
    assert str(problem) == "spincheck: error: one.json: record of over 3 JSON values " + (
        "(too many to hold; a record of text has far fewer; skipped)"
    )


def _timeout(signum, frame):
    pytest.fail("still reading after 5 seconds")  # not an OSError, which the reader would report


def test_overlong_last_jsonl_line_without_a_newline_is_skipped(tmp_path, monkeypatch):
    # the rest of an over-long line is drained until a newline comes, or the file ends: waiting
    # for the newline alone would hang forever
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", 100)
    path = tmp_path / "cut.jsonl"
    path.write_text(json.dumps({"text": "short one"}) + "\n" + json.dumps({"text": "x" * 300}))
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(5)
    try:
        events = read_events(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert [c.text for c in chunks_of(events)] == ["short one"]
    assert problems_of(events) == [f"spincheck: error: {path}:2: record longer than 100 bytes (skipped)"]


def test_unreadable_file(tmp_path, monkeypatch):
    # chmod 000 does not stop root, so make open() fail the way it does for other users
    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(inputs, "open", refuse, raising=False)
    path = tmp_path / "secret.txt"
    assert problems_of(read_events(path)) == [f"spincheck: error: cannot read {path}: permission denied (skipped)"]


def test_done_events_name_each_input(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    assert [e.name for e in Reader().events(collect([str(tmp_path)])) if isinstance(e, Done)] == [
        str(tmp_path / "a.txt")
    ]


# ---- PDF ----------------------------------------------------------------------------------------

PAPER = [
    [
        "Journal of Examples, Vol. 3",
        "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate, a",
        "decision that engineers say was overdue because the steel had corroded far faster than the",
        "original survey predicted in its fi-",
        "nal report.",
        "1 Background",
        "The state will pay for most of it; the town will borrow the rest.",
        "1",
    ],
    [
        "Journal of Examples, Vol. 3",
        "Residents near the water listed their worries:",
        "\u2022 noise and dust for two years;",
        "\u2022 fewer parking spaces along the harbor front.",
        "2",
    ],
    ["Journal of Examples, Vol. 3", "The work starts in spring.", "3"],
]
PAPER_PARAGRAPHS = [
    (
        "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate, a decision that "
        "engineers say was overdue because the steel had corroded far faster than the original survey predicted in "
        "its final report."
    ),
    "1 Background",
    "The state will pay for most of it; the town will borrow the rest.",
    "Residents near the water listed their worries:",
    "\u2022 noise and dust for two years;",
    "\u2022 fewer parking spaces along the harbor front.",
    "The work starts in spring.",
]


def test_pdf_paragraphs_joins_wrapped_lines_and_drops_running_lines():
    assert formats.pdf_paragraphs(PAPER) == PAPER_PARAGRAPHS
    assert formats.pdf_paragraphs([]) == [] and formats.pdf_paragraphs([["", "  ", "12"]]) == []


def test_pdf_paragraphs_heading_or_last_line_without_a_full_stop():
    full = "This line of the paragraph runs on to the full width of the text column and goes on to"
    ended = "This line of the paragraph ends a sentence at the full width of the text column, as here."
    # after a line that runs on, a short capitalised line ends that paragraph (no full stop)
    assert formats.pdf_paragraphs([[full, "Figure 3", "Next paragraph."]]) == [f"{full} Figure 3", "Next paragraph."]
    # after a sentence's end it is a heading of its own
    assert formats.pdf_paragraphs([[ended, "2 Methods", "Next paragraph."]]) == [ended, "2 Methods", "Next paragraph."]


def test_pdf_paragraphs_keeps_a_line_repeated_on_few_pages():
    pages = [["A Title", "Some text of the first page that ends here."], ["A Title", "More text."]]
    assert formats.pdf_paragraphs(pages)[0] == "A Title"  # two pages are too few to call it a running header


def test_pdf_is_read_as_its_paragraphs(tmp_path):
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    path = tmp_path / "paper.pdf"
    path.write_bytes(make_pdf(PAPER))
    events = read_events(path)
    assert problems_of(events) == []
    text = joined(events)
    assert [text[s.start : s.end] for s in split_paragraphs(text)] == PAPER_PARAGRAPHS
    # recognised by its header whatever its name, and picked up in directories
    (tmp_path / "paper.txt").write_bytes(path.read_bytes())
    assert joined(read_events(tmp_path / "paper.txt")) == text
    assert [i.kind for i in collect([str(tmp_path)])] == ["pdf", "text"]
    # text that only mentions the header stays text
    (tmp_path / "about.txt").write_text("A PDF file starts with %PDF-1.7 and a binary comment line.")
    assert joined(read_events(tmp_path / "about.txt")).startswith("A PDF file starts")


def test_pdf_without_text_gets_a_note(tmp_path):
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[]]))
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: note: {path} has no text to score (a scanned PDF needs OCR first)"]
    assert [c.last for c in chunks_of(events)] == [True]  # still one (empty) document


def test_damaged_pdf_is_one_error_not_a_traceback(tmp_path):
    pytest.importorskip("pypdf")
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    events = read_events(path)
    assert chunks_of(events) == []
    [problem] = problems_of(events)
    assert problem.startswith(f"spincheck: error: cannot read {path} as a PDF: ") and problem.endswith("(skipped)")


def test_file_named_pdf_without_a_pdf_header(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("Plain text saved with the wrong name.")
    events = read_events(path)
    assert chunks_of(events) == []
    assert problems_of(events) == [
        f"spincheck: error: {path} is named .pdf but is not a PDF (no %PDF- header) (skipped)"
    ]


def test_file_named_pdf_with_junk_before_its_header_is_read(tmp_path):
    # a mail gateway's line before "%PDF-" is allowed (readers look in the first 1024 bytes): the
    # file is a PDF, not "not a PDF"
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    path = tmp_path / "attachment.pdf"
    path.write_bytes(b"junk from a mail gateway\n" + make_pdf([["The work starts in spring."]]))
    events = read_events(path)
    assert problems_of(events) == []
    assert joined(events) == "The work starts in spring."


def test_pdf_without_pypdf_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "_pypdf_state", {"module": None})
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    events = read_events(path)
    assert chunks_of(events) == []
    assert problems_of(events) == [f"spincheck: error: {path} is a PDF ({inputs.PYPDF_HINT})"]


def test_pdf_warnings_do_not_reach_stderr(tmp_path, capsys):
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    data = make_pdf(PAPER).replace(b"/WinAnsiEncoding", b"/WinAnsiEncodinX")  # pypdf logs and carries on
    path = tmp_path / "odd.pdf"
    path.write_bytes(data)
    events = read_events(path)
    assert problems_of(events) == [] and "harbor bridge" in joined(events)
    assert capsys.readouterr().err == ""


def test_walk_skips_files_that_are_not_regular(tmp_path):
    """A FIFO named like a text file would block the walk forever; it is reported and skipped."""
    import os

    (tmp_path / "a.txt").write_text("Some text.")
    os.mkfifo(tmp_path / "b.txt")
    (tmp_path / "c.txt").write_text("More text.")
    items = collect([str(tmp_path)])
    assert [i.path.name for i in items if isinstance(i, InputFile)] == ["a.txt", "c.txt"]
    assert [str(p) for p in items if isinstance(p, Problem)] == [
        f"spincheck: warning: {tmp_path / 'b.txt'} is not a regular file (skipped)"
    ]


def test_directory_with_nothing_to_read_gets_a_note(tmp_path):
    (tmp_path / "notes.doc").write_text("not a format we read")
    (tmp_path / "shards.jsonl.zst").write_bytes(b"\x28\xb5\x2f\xfd")  # zstd: not read
    assert collect([str(tmp_path)]) == [
        Problem(
            "note",
            f"{tmp_path} holds no .txt, .md, .html, .htm, .jsonl, .pdf, .docx, .odt, .rtf, .epub files",
            "nothing to score",
        )
    ]
    assert collect([""]) == [Problem("error", "an empty path was given", "skipped")]


def test_file_names_that_are_not_utf8_can_be_printed(tmp_path):
    import os

    raw = os.fsencode(str(tmp_path)) + b"/bad\xff.txt"
    with open(raw, "wb") as f:
        f.write(b"Some text.")
    (item,) = collect([str(tmp_path)])
    assert item.name == f"{tmp_path}/bad\ufffd.txt"
    item.name.encode("utf-8")  # strict: no lone surrogates left
    problem = inputs.os_problem(os.fsdecode(raw), FileNotFoundError())
    assert problem.what.endswith("bad\ufffd.txt: no such file or directory")


def _records(data: bytes) -> list:
    return [r for _, r in inputs.iter_jsonl(io.BytesIO(data), "x.jsonl")]


def test_jsonl_in_utf16_and_binary_jsonl():
    rows = [{"text": "Ein Text, héllo", "label": 1}, {"text": "b"}]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    for encoding in ("utf-16", "utf-32", "utf-8-sig"):
        assert _records(data.encode(encoding)) == rows
    # a code point out of range in UTF-32 becomes U+FFFD, as invalid UTF-8 does, with a warning
    bad = codecs.BOM_UTF32_LE + '{"text": "a'.encode("utf-32-le") + b"\xff\xff\xff\xff" + '"}\n'.encode("utf-32-le")
    assert _records(bad) == [
        Problem(
            "warning",
            "x.jsonl is not valid UTF-32 as its byte-order mark says; undecodable bytes were replaced with U+FFFD",
        ),
        {"text": "a\ufffd"},
    ]
    assert _records(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 100 + b"\n{}\n") == [
        Problem("error", "x.jsonl looks binary", "skipped")
    ]


def test_a_slow_feed_is_answered_when_a_bad_record_comes_with_the_first():
    """The head of a waiting pipe stops after a first record even when a record with a NUL byte
    came with it: read as JSONL, that is one bad line, so there is no binary file to rule out."""
    data = b'{"text": "The council voted."}\n{"text": "a\x00b"}\n'
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    heads = []
    with open(read_end, "rb") as pipe:
        reader = threading.Thread(target=lambda: heads.append(inputs._read_head(pipe)), daemon=True)
        reader.start()
        reader.join(timeout=5)
        answered = list(heads)
        os.close(write_end)  # the old code waited for 8 KiB or the end of the feed
        reader.join(timeout=5)
    assert answered == [(data, False)]  # the feed goes on


class _Terminal(io.RawIOBase):
    """A terminal with ``lines`` typed, then Ctrl-D: it ends one read, and a read after that waits
    for more typing (here: fails the test)."""

    def __init__(self, *lines: bytes) -> None:
        self.lines = list(lines)
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        assert not self.ended, "read on after Ctrl-D: a terminal waits there for a second Ctrl-D"
        line = self.lines.pop(0) if self.lines else b""
        self.ended = not line
        buffer[: len(line)] = line
        return len(line)


@pytest.mark.parametrize(
    "typed", [[TEXT.encode()], [b"A line.\n", b"Another line.\n"], []], ids=["text", "lines", "none"]
)
def test_text_typed_at_a_terminal_ends_at_the_first_ctrl_d(typed):
    # spincheck score, explain - and evaluate - read on after the Ctrl-D that ended the text typed
    events = list(Reader(stdin=io.BufferedReader(_Terminal(*typed))).read(InputFile(None, "text")))
    assert "".join(c.text for c in chunks_of(events)) == b"".join(typed).decode()
    assert inputs.sniff(io.BufferedReader(_Terminal(*typed)))[0] == b"".join(typed)


def test_what_a_jsonl_file_left_unread_is_not_taken_for_stdin_held_in_a_buffer(tmp_path):
    """A JSONL file given before stdin and left part-read (one pretty-printed object) kept saying
    that lines wait in the reader's buffer while stdin was read, so stdin's batches did not end
    when stdin had nothing ready."""
    path = tmp_path / "report.jsonl"
    path.write_text('{\n  "text": "a"\n}\n', encoding="utf-8")
    reader = Reader(stdin=io.BytesIO(b"Plain text on stdin.\n"))
    assert len(problems_of(reader.events([InputFile(path, "jsonl")]))) == 1
    held = [reader.holds_input() for _ in reader.read(InputFile(None, "text"))]
    assert held and not any(held)


def test_jsonl_that_starts_with_a_record_has_a_nul_byte_as_one_bad_line_not_as_binary(tmp_path):
    """A NUL byte in one of the first records made the whole file "look binary", and every good
    record in it was skipped; fed slowly through a pipe the same bytes were read line by line."""
    good = json.dumps({"id": "a", "text": "The council voted on Tuesday."}).encode() + b"\n"
    data = good + b'{"id": "b", "text": "a\x00b"}\n' + good.replace(b'"a"', b'"c"')
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(data)
    events = read_events(path)
    assert [c.source for c in chunks_of(events)] == [f"{path}:a", f"{path}:c"]
    assert problems_of(events) == [
        f"spincheck: error: {path}:2: invalid JSON (Invalid control character at column 23) (skipped)"
    ]
    assert [r.get("id") if isinstance(r, dict) else r.what for r in _records(data)] == [
        "a",
        "x.jsonl:2: invalid JSON (Invalid control character at column 23)",
        "c",
    ]
    with pytest.raises(training.TrainingError, match=r"crawl\.jsonl:2: invalid JSON"):  # not "looks binary"
        list(training.iter_corpus_documents([path]))


def test_a_slow_feed_whose_first_record_has_control_bytes_keeps_the_records_after_it():
    """tail -f log.jsonl | spincheck score -: a first line with raw control bytes is one bad
    record. Its head, cut short once the pipe waited, was judged binary alone and the whole feed
    was thrown away; the same bytes written at once had every later record scored."""
    first = b'{"text": "\x01\x02\x03\x04"}\n'  # a fifth of it control bytes
    good = json.dumps({"text": "The council voted on Tuesday to rebuild the harbor bridge."}).encode() + b"\n"
    read_end, write_end = os.pipe()
    os.write(write_end, first)

    def feed_later():  # the rest comes once the reader has the first line and the pipe waits
        time.sleep(0.3)
        os.write(write_end, good)
        os.close(write_end)

    writer = threading.Thread(target=feed_later)
    writer.start()
    try:
        with open(read_end, "rb") as pipe:
            records = [r for _, r in inputs.iter_jsonl(pipe, "<stdin>")]
    finally:
        writer.join()
    assert records[1:] == [json.loads(good)] and "invalid JSON" in records[0].what


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_jsonl_records_end_at_newlines_alone_in_every_encoding(encoding):
    # JSON strings may hold U+2028, U+2029 and U+0085 unescaped; a UTF-16 file was split there
    # (codecs.EncodedFile reads lines with str.splitlines), losing records, in 64 KB reads too
    rows = [{"id": i, "text": f"line{i} \u2028 a\u0085b \u2029 " + "word " * 20_000} for i in range(3)]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    numbers = [n for n, _ in inputs.iter_jsonl(io.BytesIO(data.encode(encoding)), "x.jsonl")]
    assert _records(data.encode(encoding)) == rows and numbers == [1, 2, 3]


def test_invalid_utf8_in_jsonl_is_replaced_with_one_warning_for_the_file():
    data = b'{"text": "it\x92s"}\n{"text": "ok"}\n{"text": "\xff"}\n'
    assert _records(data) == [
        Problem("warning", "x.jsonl is not valid UTF-8; undecodable bytes were replaced with U+FFFD"),
        {"text": "it\ufffds"},
        {"text": "ok"},
        {"text": "\ufffd"},
    ]
    assert _records(b'{"text": "fine"}\n') == [{"text": "fine"}]


def test_collect_leaves_out_a_named_input_that_is_the_output(tmp_path):
    # `spincheck score g/* >> g/results.csv` read its own growing results, without end
    results, page = tmp_path / "results.csv", tmp_path / "page.txt"
    results.write_text("earlier results\n")
    page.write_text("x")
    (tmp_path / "link.csv").symlink_to(results)
    with open(results, "a") as out:
        items = collect([str(page), str(results), str(tmp_path / "link.csv")], output=out)
    assert items[0] == InputFile(page, "text")
    assert items[1:] == [
        Problem("note", f"{results} is where the output goes", "not read"),
        Problem("note", f"{tmp_path / 'link.csv'} is where the output goes", "not read"),
    ]
    with open(tmp_path / "other.jsonl", "w") as out:  # another output: both are read
        assert collect([str(page), str(results)], output=out) == [
            InputFile(page, "text"),
            InputFile(results, "text"),
        ]


def test_collect_leaves_out_stdin_when_it_is_the_output(tmp_path, monkeypatch):
    log = tmp_path / "log.txt"
    log.write_text("earlier\n")
    with open(log) as stdin, open(log, "a") as out:
        monkeypatch.setattr(sys, "stdin", stdin)
        assert collect(["-"], output=out) == [Problem("note", "<stdin> is where the output goes", "not read")]
    with open(log) as stdin, open(tmp_path / "out.txt", "w") as out:
        monkeypatch.setattr(sys, "stdin", stdin)
        assert collect(["-"], output=out) == [InputFile(None, "text")]


# ---- documents read whole: size cap, decoding, empty pages, encrypted PDFs ------------------------

FALLBACK_NOTE = f"spincheck: note: {inputs.TRAFILATURA_NOTE}"


def test_html_larger_than_the_cap_is_skipped_with_one_error(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "_trafilatura_state", {"module": None})
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", 100)
    monkeypatch.setattr(inputs, "SNIFF_BYTES", 16)  # so that the part after the head counts too
    page = "<p>The council voted on Tuesday to rebuild the bridge.</p>"
    path = tmp_path / "page.html"
    path.write_text(page + " " * (100 - len(page)))  # exactly at the cap: read
    events = read_events(path)
    assert problems_of(events) == [FALLBACK_NOTE]
    assert joined(events) == "The council voted on Tuesday to rebuild the bridge."
    path.write_text(page + " " * (101 - len(page)))  # one byte over: skipped
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: error: {path} is larger than 100 bytes (HTML is read whole; skipped)"]
    assert chunks_of(events) == []


def test_pdf_larger_than_the_cap_is_skipped_with_one_error(tmp_path, monkeypatch):
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    data = make_pdf([["The council voted on Tuesday to rebuild the old harbor bridge."]])
    path = tmp_path / "paper.pdf"
    path.write_bytes(data)
    monkeypatch.setattr(inputs, "SNIFF_BYTES", 16)
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", len(data))  # exactly at the cap: read
    events = read_events(path)
    assert problems_of(events) == []
    assert joined(events) == "The council voted on Tuesday to rebuild the old harbor bridge."
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", len(data) - 1)
    events = read_events(path)
    assert problems_of(events) == [
        f"spincheck: error: {path} is larger than {len(data) - 1} bytes (PDFs are read whole; skipped)"
    ]
    assert chunks_of(events) == []


def test_html_with_invalid_utf8_is_warned_about_once(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "_trafilatura_state", {"module": None})
    path = tmp_path / "latin1.html"
    path.write_bytes(b"<p>R\xe9sidents near the water.</p><p>Caf\xe9 owners said \xff\xfe nothing.</p>")
    events = read_events(path)
    assert problems_of(events) == [
        f"spincheck: warning: {path} is not valid UTF-8; undecodable bytes were replaced with U+FFFD",
        FALLBACK_NOTE,
    ]
    assert joined(events) == "R\ufffdsidents near the water.\n\nCaf\ufffd owners said \ufffd\ufffd nothing."


@pytest.mark.parametrize(
    ("content", "note"),
    [
        (b"", "is empty"),
        (b" \n\t\n", "is empty"),
        (b"<html><head><style>p{}</style><script>var a;</script></head></html>", "has no main text to score"),
    ],
    ids=["empty", "blank", "no-main-text"],
)
def test_empty_html_and_html_without_main_text_get_different_notes(tmp_path, monkeypatch, content, note):
    monkeypatch.setattr(formats, "_trafilatura_state", {"module": None})
    path = tmp_path / "page.html"
    path.write_bytes(content)
    events = read_events(path)
    assert problems_of(events) == [FALLBACK_NOTE, f"spincheck: note: {path} {note}"]
    assert [(c.text, c.last) for c in chunks_of(events)] == [("", True)]  # still one (empty) document


def _encrypted_pdf(pages: list[list[str]], user_password: str) -> bytes:
    import pypdf
    from pdf_maker import make_pdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf(pages)))
    writer.encrypt(user_password=user_password, owner_password="owner secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf_is_read_without_a_password_and_refused_with_one(tmp_path):
    pytest.importorskip("pypdf")
    lines = ["The council voted on Tuesday to rebuild the old harbor bridge."]
    open_pdf = tmp_path / "protected.pdf"
    open_pdf.write_bytes(_encrypted_pdf([lines], user_password=""))
    events = read_events(open_pdf)
    assert problems_of(events) == []
    assert joined(events) == lines[0]
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(_encrypted_pdf([lines], user_password="letmein"))
    assert b"The council" not in locked.read_bytes()  # really encrypted
    events = read_events(locked)
    assert problems_of(events) == [
        f"spincheck: error: cannot read {locked} as a PDF: it is encrypted with a password (skipped)"
    ]
    assert chunks_of(events) == []


def test_closed_stdin_is_one_error(monkeypatch):
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    events = list(Reader().events([InputFile(None, "text")]))
    assert problems_of(events) == ["spincheck: error: cannot read stdin: it is closed (pass a file instead)"]
    assert chunks_of(events) == [] and events[-1] == Done("<stdin>")


class _FailingFile(io.RawIOBase):
    """A file that gives ``data`` and then fails, as a disk or network file system can."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.data:
            raise OSError(5, "Input/output error")
        n = min(len(buffer), len(self.data))
        buffer[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


def test_read_error_while_streaming_keeps_the_text_read_before_it(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "READ_BYTES", 64)
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 256)
    data = b"".join(b"Paragraph number %d of a long text file.\n\n" % i for i in range(300))
    assert len(data) > inputs.SNIFF_BYTES + 10 * 64  # the error comes after many blocks, not in the head
    monkeypatch.setattr(inputs, "open", lambda path, mode: _FailingFile(data), raising=False)
    path = tmp_path / "remote.txt"
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: error: cannot read {path}: Input/output error (skipped)"]
    assert joined(events) == data.decode()  # nothing read before the error is lost
    chunks = chunks_of(events)
    assert len(chunks) > 2 and [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert isinstance(events[-1], Chunk)  # the document is still closed after the error


@pytest.mark.parametrize("content", [b"", b"\n \n\t\n"], ids=["empty", "blank-lines"])
def test_empty_jsonl_file_gets_a_note(tmp_path, content):
    path = tmp_path / "pages.jsonl"
    path.write_bytes(content)
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: note: {path} is empty"]
    assert chunks_of(events) == []


def test_jsonl_without_usable_records_is_not_called_empty(tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"body": "x"}) + "\n")
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: no string field 'text' (set --text-field to 'body'; skipped)"
    ]


# ---- compressed files ---------------------------------------------------------------------------

COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
}


def _jsonl_lines(n: int) -> bytes:
    return b"".join(
        json.dumps({"id": f"r{i}", "text": TEXT.replace("harbor", f"harbor {i}")}).encode() + b"\n" for i in range(n)
    )


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_files_read_as_their_content(tmp_path, suffix):
    """Recognised by their first bytes; the name without the suffix says text or JSONL."""
    compress = COMPRESSORS[suffix]
    (tmp_path / "plain.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / ("page.txt" + suffix)).write_bytes(compress(TEXT.encode("utf-8")))
    (tmp_path / "plain.jsonl").write_bytes(_jsonl_lines(3))
    (tmp_path / ("pages.jsonl" + suffix)).write_bytes(compress(_jsonl_lines(3)))
    assert joined(read_events(tmp_path / ("page.txt" + suffix))) == joined(read_events(tmp_path / "plain.txt")) == TEXT
    plain = chunks_of(read_events(tmp_path / "plain.jsonl"))
    packed = chunks_of(read_events(tmp_path / ("pages.jsonl" + suffix)))
    assert [(c.text, c.record_id) for c in packed] == [(c.text, c.record_id) for c in plain]
    assert len(packed) == 3 and packed[0].source.startswith(str(tmp_path / ("pages.jsonl" + suffix)))


def test_compressed_data_is_recognised_whatever_the_name_and_on_stdin(tmp_path):
    (tmp_path / "download").write_bytes(gzip.compress(TEXT.encode("utf-8")))
    assert joined(read_events(tmp_path / "download")) == TEXT
    stdin = io.BytesIO(lzma.compress(TEXT.encode("utf-8")))
    assert joined(Reader(stdin=stdin).read(InputFile(None, "text"))) == TEXT
    # text that only starts like a bzip2 header stays text
    (tmp_path / "notes.txt").write_text("BZh9 is the header of a bzip2 file. " + TEXT, encoding="utf-8")
    assert joined(read_events(tmp_path / "notes.txt")).startswith("BZh9 is the header")


def test_directories_yield_compressed_files_of_known_kinds(tmp_path):
    for name in ("a.txt.gz", "b.jsonl.bz2", "c.html.xz", "d.gz", "e.tar.gz", "f.csv.gz"):
        (tmp_path / name).write_bytes(gzip.compress(b"x"))
    found = [(item.path.name, item.kind) for item in collect([str(tmp_path)]) if isinstance(item, InputFile)]
    assert found == [("a.txt.gz", "text"), ("b.jsonl.bz2", "jsonl"), ("c.html.xz", "html")]


def test_truncated_compressed_file_keeps_the_text_before_the_damage(tmp_path):
    # far more than the first 8 KiB that are sniffed, so the damage comes while streaming
    text = "".join(TEXT.replace("harbor", f"harbor {i}") + "\n" for i in range(300))
    packed = gzip.compress(text.encode("utf-8"))
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(packed[: len(packed) // 2])
    events = read_events(path)
    read = joined(events)
    assert 8192 < len(read) < len(text) and text.startswith(read)
    assert problems_of(events) == [
        f"spincheck: error: cannot read {path}: its gzip data is truncated"
        " (Compressed file ended before the end-of-stream marker was reached) (the rest of it is skipped)"
    ]


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_damaged_compressed_file_is_one_error(tmp_path, suffix):
    packed = bytearray(COMPRESSORS[suffix](_jsonl_lines(50)))
    packed[len(packed) // 2 : len(packed) // 2 + 40] = bytes(40)  # zeroed bytes in the middle
    path = tmp_path / ("pages.jsonl" + suffix)
    path.write_bytes(bytes(packed))
    problems = problems_of(read_events(path))
    assert len(problems) == 1 and problems[0].startswith(f"spincheck: error: cannot read {path}: its ")
    assert "data is damaged" in problems[0] or "data is truncated" in problems[0]
    with pytest.raises(OSError, match="data is"):
        inputs.decompress(bytes(packed))


def test_decompress_leaves_other_data_alone():
    assert inputs.decompress(TEXT.encode("utf-8")) == TEXT.encode("utf-8")
    assert inputs.decompress(b"") == b""
    assert inputs.decompress(bz2.compress(b"spun")) == b"spun"


# ---- Word documents -----------------------------------------------------------------------------


def _billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e0 "lol">{entities}]>'
        f"<w:document {_W_NS}><w:body><w:p><w:r><w:t>&e9;</w:t></w:r></w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_BILLION_LAUGHS = _billion_laughs()


def test_docx_paragraphs_tables_breaks_and_text_boxes():
    body = (
        '<w:p><w:r><w:t>The council voted</w:t></w:r><w:r><w:t xml:space="preserve"> on Tuesday.</w:t></w:r></w:p>'
        "<w:p/>"  # an empty paragraph adds nothing
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>A cell</w:t><w:tab/><w:t>tabbed</w:t><w:br/><w:t>broken</w:t>"
        "</w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t>Outer</w:t><w:drawing><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p>"
        "</w:txbxContent></w:drawing><w:t> text.</w:t></w:r></w:p>"
    )
    assert formats.docx_to_text(docx_bytes(body)) == (
        "The council voted on Tuesday.\n\nA cell\ttabbed\nbroken\n\nBoxed\n\nOuter text."
    )


def test_a_docx_text_box_written_twice_for_older_readers_is_read_once():
    box = "<w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent>"
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    body = (
        f"<w:p><w:r><mc:AlternateContent {mc}><mc:Choice><w:drawing>{box}</w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent><w:t>Outer text.</w:t></w:r></w:p>"
    )
    assert formats.docx_to_text(docx_bytes(body)) == "Boxed\n\nOuter text."


def test_docx_is_read_as_its_paragraphs(tmp_path):
    paragraphs = [p for p in TEXT.split("\n\n") if p.strip()]
    path = tmp_path / "essay.docx"
    path.write_bytes(docx_bytes("".join(docx_paragraph(p.replace("\n", " ")) for p in paragraphs)))
    events = read_events(path)
    assert problems_of(events) == []
    assert joined(events) == "\n\n".join(p.replace("\n", " ").strip() for p in paragraphs)
    assert [(item.path.name, item.kind) for item in collect([str(tmp_path)])] == [("essay.docx", "docx")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip archive", "not a valid zip archive"),
        (docx_bytes(docx_paragraph("x"), part="word/other.xml"), "it has no word/document.xml"),
        (docx_bytes("<w:p><w:r><w:t>unclosed</w:r></w:p>"), "its XML is damaged"),
        ("A plain text file named .docx.".encode(), "not a valid zip archive"),
        (_BILLION_LAUGHS, "its XML is damaged"),  # expat stops the entity expansion
    ],
    ids=["bad-zip", "no-document-part", "bad-xml", "plain-text", "billion-laughs"],
)
def test_broken_docx_is_one_error(tmp_path, content, message):
    path = tmp_path / "broken.docx"
    path.write_bytes(content)
    events = read_events(path)
    assert chunks_of(events) == [] or joined(events) == ""
    (problem,) = problems_of(events)
    assert problem.startswith(f"spincheck: error: cannot read {path} as a Word document: {message}")


def test_docx_text_part_over_the_cap_is_refused_before_inflating(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_DOCUMENT_BYTES", 4096)
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bytes(docx_paragraph("spun " * 5000)))  # deflates to far less than 4 KiB
    assert path.stat().st_size < 4096
    (problem,) = problems_of(read_events(path))
    assert "its text part is larger than 4096 bytes" in problem


def test_docx_without_its_name_is_recognised_by_its_parts(tmp_path):
    data = docx_bytes(docx_paragraph("A Word document saved without its suffix."))
    (tmp_path / "download").write_bytes(data)
    assert joined(read_events(tmp_path / "download")) == "A Word document saved without its suffix."
    assert joined(Reader(stdin=io.BytesIO(data)).read(InputFile(None, "text"))) == (
        "A Word document saved without its suffix."
    )
    # any other zip archive stays binary
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("data/table.csv", "a,b\n")
    (tmp_path / "archive").write_bytes(other.getvalue())
    assert problems_of(read_events(tmp_path / "archive")) == [
        f"spincheck: error: {tmp_path / 'archive'} looks binary (it is a zip archive: extract it first; skipped)"
    ]


def test_odt_paragraphs_headings_spaces_and_what_is_left_out():
    body = (
        "<text:h>A heading</text:h>"
        '<text:p>The council <text:span>voted</text:span> on<text:s/>Tuesday,<text:s text:c="2"/>'
        "after<text:tab/>a<text:line-break/>debate<text:note><text:note-body><text:p>A footnote.</text:p>"
        "</text:note-body></text:note>.<office:annotation><text:p>A comment.</text:p></office:annotation></text:p>"
        "<text:tracked-changes><text:changed-region><text:deletion><text:p>Deleted text.</text:p>"
        "</text:deletion></text:changed-region></text:tracked-changes>"
        "<table:table><table:table-row><table:table-cell><text:p>In a cell.</text:p></table:table-cell>"
        "</table:table-row></table:table>"
        "<text:list><text:list-item><text:p>A list item.</text:p></text:list-item></text:list>"
    )
    assert formats.odt_to_text(odt_bytes(body)) == (
        "A heading\n\nThe council voted on Tuesday,  after\ta\ndebate.\n\nIn a cell.\n\nA list item."
    )


def test_odt_is_read_by_name_or_by_its_mimetype(tmp_path):
    data = odt_bytes("<text:p>An OpenDocument text of one paragraph.</text:p>")
    (tmp_path / "essay.odt").write_bytes(data)
    (tmp_path / "download").write_bytes(data)
    for path in (tmp_path / "essay.odt", tmp_path / "download"):
        assert joined(read_events(path)) == "An OpenDocument text of one paragraph."
    (tmp_path / "broken.odt").write_bytes(data[:60])
    (problem,) = problems_of(read_events(tmp_path / "broken.odt"))
    assert problem.startswith(f"spincheck: error: cannot read {tmp_path / 'broken.odt'} as an OpenDocument text: ")


def test_encrypted_docx_is_one_error(tmp_path):
    data = bytearray(docx_bytes(docx_paragraph("secret text")))
    for magic, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        at = data.find(magic)
        while at >= 0:
            data[at + flags_at] |= 1  # the "encrypted" bit
            at = data.find(magic, at + 4)
    path = tmp_path / "secret.docx"
    path.write_bytes(bytes(data))
    assert problems_of(read_events(path)) == [
        f"spincheck: error: cannot read {path} as a Word document: it is encrypted (save it without a password) "
        "(skipped)"
    ]


def test_rtf_body_text_without_tables_of_fonts_fields_footnotes_or_pictures():
    rtf = (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times;}}{\colortbl;\red0\green0\blue0;}"
        rb"{\stylesheet{\s0 Normal;}}{\info{\title Not body text}{\author Someone}}"
        rb"{\*\generator Riched20 10.0;}\viewkind4\uc1"
        b"\r\n\\pard\\f0\\fs24 The council\r\n voted on Tuesday.\\par\r\n"
        rb"It cost \'a3300 \'96 a \u8216?fair\u8217? price{\footnote\pard A footnote.}, said "
        rb"{\field{\*\fldinst{HYPERLINK \"http://example.com\"}}{\fldrslt{\ul the mayor}}}.\par "
        rb"{\pict\wmetafile8 0a0b0c0d}{\*\shppict{\pict\bin5 }{\\}}}Braces \{kept\} and a \\ backslash"
        rb"\tab tabbed\line broken{\deleted  removed}\deleted  gone\plain\par"
        rb"\trowd\cellx1000\cellx2000 \intbl A cell\cell Another\cell\row"
        rb"{\uc0\u20320\u22909} {\uc2\u-10179\'3f\'3f\u-8704\'3f\'3f}\par}"
    )
    assert formats.rtf_to_text(rtf) == (
        "The council voted on Tuesday."
        "\n\nIt cost \u00a3300 \u2013 a \u2018fair\u2019 price, said the mayor."
        "\n\nBraces {kept} and a \\ backslash\ttabbed\nbroken"
        "\n\nA cell\n\nAnother"
        "\n\n\u4f60\u597d \U0001f600"
    )


def test_rtf_code_pages_and_damage_are_forgiven():
    # a double-byte code page: each character is two escaped bytes
    assert formats.rtf_to_text(rb"{\rtf1\ansi\ansicpg932 \'82\'a0\'82\'a2\par}") == "\u3042\u3044"
    assert formats.rtf_to_text(rb"{\rtf1\mac Caf\'8e\par}") == "Caf\u00e9"
    # unbalanced groups, a lone surrogate and a trailing backslash keep what can be read
    assert formats.rtf_to_text(rb"{\rtf1 Text}} after {\b bold \u-10179?" + b"\\") == "Text after bold \ufffd"


def test_rtf_is_read_by_name_or_by_its_content(tmp_path):
    paragraphs = [p.replace("\n", " ").strip() for p in TEXT.split("\n\n") if p.strip()]
    data = rtf_bytes(paragraphs)
    for name in ("essay.rtf", "essay.doc", "download"):  # Word saves RTF under .doc too
        (tmp_path / name).write_bytes(data)
        events = read_events(tmp_path / name)
        assert problems_of(events) == [] and joined(events) == "\n\n".join(paragraphs)
    assert joined(Reader(stdin=io.BytesIO(data)).read(InputFile(None, "text"))) == "\n\n".join(paragraphs)
    assert [(item.path.name, item.kind) for item in collect([str(tmp_path)])] == [("essay.rtf", "rtf")]
    (tmp_path / "plain.rtf").write_text("Plain text saved as .rtf.")
    (problem,) = problems_of(read_events(tmp_path / "plain.rtf"))
    assert problem == (
        f"spincheck: error: cannot read {tmp_path / 'plain.rtf'} as an RTF document: it does not start with "
        "{\\rtf (skipped)"
    )


def test_older_office_files_are_named_not_called_binary(tmp_path):
    path = tmp_path / "thesis.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    (problem,) = problems_of(read_events(path))
    assert problem == (
        f"spincheck: error: {path} is an older Microsoft Office file (.doc, .xls, .ppt) "
        "(spincheck does not read this format: save it as .docx, .odt or plain text; skipped)"
    )


def test_html_in_the_charset_it_declares(tmp_path):
    windows = tmp_path / "windows.html"
    windows.write_bytes(
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
        b"<body><p>The caf\xe9 owner\x92s \x93best\x94 year.</p></body></html>"
    )
    events = read_events(windows)
    fallback = [] if formats._trafilatura() else [f"spincheck: note: {inputs.TRAFILATURA_NOTE}"]
    # browsers read a Latin-1 label as windows-1252, whose curly quotes Latin-1 lacks
    assert problems_of(events) == fallback and "The caf\u00e9 owner\u2019s \u201cbest\u201d year." in joined(events)
    # valid UTF-8 under an old Latin-1 template is UTF-8
    template = tmp_path / "template.html"
    template.write_bytes(b'<meta charset="iso-8859-1"><p>The caf\xc3\xa9 opened.</p>')
    assert "The caf\u00e9 opened." in joined(read_events(template))
    damaged = tmp_path / "damaged.html"
    damaged.write_bytes(b'<meta charset="shift_jis"><p>\x82\xa0 and \xff</p>')
    events = read_events(damaged)
    assert problems_of(events) == [
        f"spincheck: warning: {damaged} is not valid shift_jis as it declares; "
        "undecodable bytes were replaced with U+FFFD",
        *fallback,
    ]
    assert "\u3042 and \ufffd" in joined(events)
    # a label that is no charset for web pages is not obeyed
    assert formats.decode_html(b'<meta charset="raw_unicode_escape"><p>caf\xe9</p>') == (
        '<meta charset="raw_unicode_escape"><p>caf\ufffd</p>',
        True,
        "utf-8",
    )


def test_stdin_and_unnamed_files_are_read_as_the_html_or_jsonl_they_hold(tmp_path):
    page = (
        b"<!-- saved by curl -->\n<!DOCTYPE html><html><body><nav>Home | News</nav><p>The page text.</p></body></html>"
    )
    records = b'{"id": "a", "text": "First record."}\n{"id": "b", "text": "Second record."}\n'

    def from_stdin(data: bytes) -> list:
        return list(Reader(stdin=io.BytesIO(data)).read(InputFile(None, "text")))

    assert joined(from_stdin(page)).strip() == "The page text."
    assert [(c.source, c.text) for c in chunks_of(from_stdin(gzip.compress(records)))] == [
        ("<stdin>:a", "First record."),
        ("<stdin>:b", "Second record."),
    ]
    (tmp_path / "index.php").write_bytes(page)
    assert joined(read_events(tmp_path / "index.php")).strip() == "The page text."
    # a name that says text is obeyed, and prose that only mentions markup stays prose
    (tmp_path / "records.txt").write_bytes(records)
    assert joined(read_events(tmp_path / "records.txt")).strip() == records.decode().strip()
    prose = b"<html> is the tag that starts a page, and {curly braces} start records."
    assert joined(from_stdin(b"Intro: " + prose)) == "Intro: " + prose.decode()


def test_an_xhtml_page_on_stdin_is_read_as_html():
    """An XHTML page opens with an XML declaration before its doctype; on stdin (curl -s URL |
    spincheck score) it was read as plain text, its tags scored with its words."""
    page = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
        b"<body><nav>Home | News</nav><p>The page text.</p></body></html>"
    )
    events = Reader(stdin=io.BytesIO(page)).read(InputFile(None, "text"))
    assert joined(events).strip() == "The page text."
    assert inputs._markup_kind(b'<?xml version="1.0"?>\nSome text about <html> tags.') is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_stdin_and_unnamed_files_in_utf16_are_known_by_content_too(tmp_path, encoding):
    """JSONL or HTML with a UTF-16 byte-order mark (Windows PowerShell 5's '>') on stdin, in a file
    without a suffix or in a .json file was read as plain text: the records' keys and punctuation
    scored as paragraphs, not one record's text scored, and nothing said."""
    page = "<!DOCTYPE html><html><body><nav>Home | News</nav><p>The page text.</p></body></html>"
    records = '{"id": "a", "text": "First record."}\n{"id": "b", "text": "Second record."}\n'
    expected = [("a", "First record."), ("b", "Second record.")]

    def ids_and_texts(events) -> list:
        return [(c.record_id, c.text) for c in chunks_of(events)]

    stdin = Reader(stdin=io.BytesIO(records.encode(encoding))).read(InputFile(None, "text"))
    assert ids_and_texts(stdin) == expected
    for name in ("download", "crawl.json"):
        (tmp_path / name).write_bytes(records.encode(encoding))
        assert ids_and_texts(read_events(tmp_path / name)) == expected
    (tmp_path / "saved").write_bytes(page.encode(encoding))
    assert joined(read_events(tmp_path / "saved")).strip() == "The page text."


def test_jsonl_errors_say_where_and_what_in_words(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(b'{"id": "a", "text": "cut off\n{"id": "b" "text": "x"}\n{"id": "c", "text": "unfinished')
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: invalid JSON (the line ends inside the record: cut short, or a line break "
        "inside a string) (skipped)",
        f"spincheck: error: {path}:2: invalid JSON (Expecting ',' delimiter at column 12) (skipped)",
        f"spincheck: error: {path}:3: invalid JSON (the line ends inside the record: cut short, or a line break "
        "inside a string) (skipped)",
    ]


def test_a_directory_scan_leaves_out_the_file_the_output_goes_to(tmp_path):
    (tmp_path / "page.txt").write_text("A page to score.")
    with open(tmp_path / "scores.jsonl", "w") as output:
        items = collect([str(tmp_path)], output=output)
    assert [(i.path.name, i.kind) for i in items if isinstance(i, InputFile)] == [("page.txt", "text")]
    assert [str(i) for i in items if isinstance(i, Problem)] == [
        f"spincheck: note: {tmp_path / 'scores.jsonl'} is where the output goes (not read)"
    ]
    # output to a terminal, a pipe or an in-memory buffer leaves everything in
    assert len(collect([str(tmp_path)], output=io.StringIO())) == 2


def test_jsonl_bad_lines_past_the_first_ten_are_counted_in_one_line(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_text("".join(json.dumps({"body": f"page {i}"}) + "\n" for i in range(25)) + '{"text": "kept"}\n')
    events = read_events(path)
    problems = problems_of(events)
    assert problems[:10] == [
        f"spincheck: error: {path}:{n}: no string field 'text' (set --text-field to 'body'; skipped)"
        for n in range(1, 11)
    ]
    assert problems[10:] == [f"spincheck: error: {path}: 15 more bad lines (not shown; skipped)"]
    assert joined(events) == "kept"


def test_jsonl_with_exactly_ten_bad_lines_shows_them_all_and_no_count(tmp_path):
    # ten bad lines are all shown, with no "0 more bad lines" after them
    path = tmp_path / "crawl.jsonl"
    path.write_text("".join(json.dumps({"body": f"page {i}"}) + "\n" for i in range(10)) + '{"text": "kept"}\n')
    events = read_events(path)
    assert problems_of(events) == [
        f"spincheck: error: {path}:{n}: no string field 'text' (set --text-field to 'body'; skipped)"
        for n in range(1, 11)
    ]
    assert joined(events) == "kept"


def test_jsonl_text_may_be_a_list_of_paragraphs(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "p1", "text": ["First paragraph. ", "Second paragraph."]}) + "\n")
    events = read_events(path)
    assert problems_of(events) == [] and joined(events) == "First paragraph.\n\nSecond paragraph."
    path.write_text(json.dumps({"id": "p2", "text": ["A paragraph.", 7]}) + "\n")
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: field 'text' holds a list with a number in it, not only strings (skipped)"
    ]


def test_a_record_without_the_text_field_names_the_fields_that_could_be_it(tmp_path):
    """A hint of "set --text-field" left the user to open the file: the record's string fields (and lists
    of strings) are named, its id and other values not, five at most."""
    path = tmp_path / "feed.jsonl"
    records = [
        {"id": "bbc-1", "topic": "business", "title": "Ad sales", "body": ["a", "b"], "n": 3, "tags": []},
        {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: no string field 'text' (set --text-field to one of 'topic', 'title', 'body'; "
        "skipped)",
        f"spincheck: error: {path}:2: no string field 'text' (set --text-field to one of 'a', 'b', 'c', 'd', 'e', "
        "...; skipped)",
    ]


def test_jsonl_text_field_of_another_type_is_named_and_not_blamed_on_text_field(tmp_path):
    """A text field holding a number, an object or null was reported as "no string field 'text'
    (set --text-field)", pointing at an option that does not help: the field is there."""
    path = tmp_path / "feed.jsonl"
    records = [{"text": 7}, {"text": {"en": "x"}}, {"text": None}, {"text": False}, {"body": "x"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    wanted = "not a string or a list of strings (skipped)"
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: field 'text' holds a number, {wanted}",
        f"spincheck: error: {path}:2: field 'text' holds an object, {wanted}",
        f"spincheck: error: {path}:3: field 'text' holds null, {wanted}",
        f"spincheck: error: {path}:4: field 'text' holds false, {wanted}",
        f"spincheck: error: {path}:5: no string field 'text' (set --text-field to 'body'; skipped)",
    ]


def test_one_json_document_given_as_jsonl_is_one_error_not_one_per_line(tmp_path):
    """Pretty-printed JSON (compare --format json) gave an "invalid JSON" error per line, ten and
    a count of the rest, and no word of what was wrong: the file is not JSON Lines at all."""
    rows = [{"id": i, "text": f"Paragraph {i}."} for i in range(3)]
    path = tmp_path / "rows.jsonl"
    hint = "(expected one JSON object per line; skipped)"
    for data, document in [
        (json.dumps({"paragraphs": rows}, indent=2), "one JSON object over several lines"),
        ("\n" + json.dumps(rows, indent=2), "one JSON array over several lines"),
        (json.dumps(rows) + "\n\n", "one JSON array"),
    ]:
        path.write_text(data)
        events = read_events(path)
        assert problems_of(events) == [f"spincheck: error: {path} is {document}, not JSON Lines {hint}"]
        assert chunks_of(events) == []
    # an array on the first of several lines is one bad line, and the records after it are read
    path.write_text(json.dumps(rows) + "\n" + json.dumps(rows[0]) + "\n")
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: error: {path}:1: not a JSON object (skipped)"]
    assert joined(events) == "Paragraph 0."
    # records wrapped in one object on one line: said, beside a --text-field that may be all it needs
    path.write_text(json.dumps({"source": "x", "paragraphs": rows}) + "\n")
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: no string field 'text'; its 'paragraphs' holds records "
        "(set --text-field, or give one record a line; skipped)"
    ]


def test_a_pretty_printed_array_whose_first_line_opens_its_first_object_is_one_error(tmp_path):
    """Some writers put the array's "[" and its first record's "{" on one line: "[{" alone on the
    first line is one JSON array over several lines, as "[" alone is."""
    path = tmp_path / "rows.jsonl"
    path.write_text('[{\n  "id": 0,\n  "text": "Paragraph 0."\n}, {\n  "id": 1,\n  "text": "Paragraph 1."\n}]\n')
    events = read_events(path)
    assert problems_of(events) == [
        f"spincheck: error: {path} is one JSON array over several lines, not JSON Lines "
        "(expected one JSON object per line; skipped)"
    ]
    assert chunks_of(events) == []


@pytest.mark.parametrize("lone", ["{", "[", "[{"])
def test_a_lone_bracket_after_the_first_record_is_one_bad_line_not_the_whole_file(tmp_path, lone):
    """Only the first line tells a pretty-printed document: a stray "{" further down is one bad
    line, and the records after it are still read."""
    path = tmp_path / "crawl.jsonl"
    records = [json.dumps({"id": i, "text": f"Paragraph {i}."}) for i in range(2)]
    path.write_text(f"{records[0]}\n{lone}\n{records[1]}\n")
    events = read_events(path)
    [problem] = problems_of(events)
    assert problem.startswith(f"spincheck: error: {path}:2: invalid JSON")
    assert [c.text for c in chunks_of(events)] == ["Paragraph 0.", "Paragraph 1."]


def test_an_array_on_the_last_of_several_lines_is_that_line_not_the_whole_input(tmp_path):
    """Only an array on the first line may be the whole input: on a later line it is one bad line."""
    path = tmp_path / "crawl.jsonl"
    rows = [{"id": i, "text": f"Paragraph {i}."} for i in range(2)]
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps(rows) + "\n\n")
    events = read_events(path)
    assert problems_of(events) == [f"spincheck: error: {path}:2: not a JSON object (skipped)"]
    assert [c.text for c in chunks_of(events)] == ["Paragraph 0."]


def test_an_array_first_line_followed_by_an_overlong_record_is_two_bad_lines(tmp_path, monkeypatch):
    """An over-long record is a line too: after an array on the first line, the input is not
    "one JSON array" but two bad lines, said in order."""
    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", 100)
    path = tmp_path / "crawl.jsonl"
    path.write_text(json.dumps([{"text": "a"}]) + "\n" + json.dumps({"text": "x" * 500}) + "\n")
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: not a JSON object (skipped)",
        f"spincheck: error: {path}:2: record longer than 100 bytes (skipped)",
    ]


def test_a_record_with_other_lists_is_not_taken_for_a_wrapper_of_records(tmp_path):
    """A record without its text field is "records wrapped in one object" only when a list holds
    nothing but records with that field: an empty list of tags or a list of comments without it
    is an ordinary record of another shape, whose text is in another field."""
    path = tmp_path / "crawl.jsonl"
    records = [
        {"body": "x", "tags": []},
        {"body": "x", "comments": [{"author": "a"}]},
        {"body": "x", "replies": [{"text": "hi"}, {"author": "b"}]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:{n}: no string field 'text' (set --text-field to 'body'; skipped)" for n in (1, 2, 3)
    ]


def test_a_text_field_holding_true_or_a_fraction_is_named(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"text": True}) + "\n" + json.dumps({"text": 1.5}) + "\n")
    wanted = "not a string or a list of strings (skipped)"
    assert problems_of(read_events(path)) == [
        f"spincheck: error: {path}:1: field 'text' holds true, {wanted}",
        f"spincheck: error: {path}:2: field 'text' holds a number, {wanted}",
    ]


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (
            TEXT.encode("utf-16-le"),
            "it looks like UTF-16 text without a byte-order mark; convert it with iconv -f UTF-16LE",
        ),
        (TEXT.encode("utf-16-be"), "convert it with iconv -f UTF-16BE -t UTF-8"),
        (b"\x28\xb5\x2f\xfd" + bytes(200), "it is zstd-compressed, which spincheck does not read"),
        (b"PK\x03\x04" + bytes(200), "it is a zip archive: extract it first"),
        (tar_bytes(), "it is a tar archive: extract it with tar -xf and score its folder"),
        (gzip.compress(tar_bytes()), "it is a tar archive: extract it with tar -xf"),  # crawl.tar.gz
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "looks binary (skipped)"),
    ],
    ids=["utf16le", "utf16be", "zstd", "zip", "tar", "tar.gz", "png"],
)
def test_binary_inputs_people_pass_by_mistake_say_what_to_do(tmp_path, content, hint):
    path = tmp_path / "input"
    path.write_bytes(content)
    (problem,) = problems_of(read_events(path))
    assert problem.startswith(f"spincheck: error: {path} looks binary (") and hint in problem
    assert problem.endswith("skipped)")


@pytest.mark.parametrize("order", ["LE", "BE"])
def test_jsonl_in_utf16_without_a_byte_order_mark_says_to_convert_it(tmp_path, order):
    # json.loads guessed the encoding of its first line, so the file was JSON Lines whose every
    # line was "invalid JSON" (little-endian), or binary without the hint (big-endian)
    path = tmp_path / "feed.jsonl"
    path.write_bytes("".join(json.dumps({"text": TEXT}) + "\n" for _ in range(3)).encode(f"utf-16-{order.lower()}"))
    hint = f"it looks like UTF-16 text without a byte-order mark; convert it with iconv -f UTF-16{order} -t UTF-8"
    assert problems_of(read_events(path)) == [f"spincheck: error: {path} looks binary ({hint}; skipped)"]
    with open(path, "rb") as f:  # as evaluate reads it
        assert [str(record) for _, record in inputs.iter_records(f, "feed.jsonl", path)[1]] == [
            f"spincheck: error: feed.jsonl looks binary ({hint}; skipped)"
        ]


def test_a_jsonl_id_that_is_an_object_is_shown_as_json(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_text(json.dumps({"id": {"site": "a", "n": 1}, "text": "Page."}) + "\n")
    (chunk,) = chunks_of(read_events(path))
    assert chunk.source == f'{path}:{{"n": 1, "site": "a"}}' and chunk.record_id == {"site": "a", "n": 1}
    path.write_text(json.dumps({"id": True, "text": "Page."}) + "\n")  # was "crawl.jsonl:True"
    (chunk,) = chunks_of(read_events(path))
    assert chunk.source == f"{path}:true" and chunk.record_id is True


def test_jsonl_numbers_json_cannot_hold_are_kept_as_written():
    """Python's json reads NaN, Infinity and 1e999 (as inf); copied into the results as an id they
    made output that strict JSON parsers reject. They stay strings; finite numbers stay numbers."""
    data = b'{"id": NaN, "text": "a"}\n{"id": -Infinity, "text": "b"}\n{"id": 1e999, "text": "c", "n": 2.5}\n'
    assert _records(data) == [
        {"id": "NaN", "text": "a"},
        {"id": "-Infinity", "text": "b"},
        {"id": "1e999", "text": "c", "n": 2.5},
    ]


def test_integers_too_long_for_int_are_kept_as_written():
    """An id of over 4,300 digits made int() raise ValueError, which no reader caught: one such
    JSONL line or .json item ended the whole run as "a bug in spincheck"."""
    digits = "1" + "0" * 5000
    data = f'{{"id": {digits}, "text": "a"}}\n{{"id": 7, "text": "b"}}\n'.encode()
    assert _records(data) == [{"id": digits, "text": "a"}, {"id": 7, "text": "b"}]
    array = f'[{{"id": {digits}, "text": "a"}}, {{"id": 7, "text": "b"}}]'.encode()
    items = list(inputs.iter_json_items(array, "x.json"))
    assert items == [(1, {"id": digits, "text": "a"}), (2, {"id": 7, "text": "b"})]


def test_many_comments_before_a_page_are_skipped_in_linear_time():
    head = "".join(f"<!-- note {i} -->\n" for i in range(24)).encode()  # the old pattern took ~10 s
    started = time.perf_counter()
    assert inputs._markup_kind(head + b"Some text.") is None
    few = "".join(f"<!-- note {i} -->\n" for i in range(100)).encode()
    assert inputs._markup_kind(few + b"<!DOCTYPE html><html><p>x</p>") == "html"
    assert time.perf_counter() - started < 1  # exponential backtracking took 31 s at 26 comments


def test_rtf_line_breaks_deleted_text_and_code_pages_that_are_not_ascii():
    # line breaks in the file between a group's brace and its keyword are not text
    assert formats.rtf_to_text(b"{\\rtf1{\r\n\\fonttbl{\\f0 Arial;}}{\r\n\\header Page header}Body.\\par}") == "Body."
    # deleted text leaves neither its characters nor its paragraph marks behind
    rtf = b"{\\rtf1\\ansi Hello there {\\deleted gone\\rquote s\\emdash more\\tab x\\par y} keep\\par}"
    assert formats.rtf_to_text(rtf) == "Hello there  keep"
    # list bullets and numbers are left out, as a .docx leaves them out
    rtf = b"{\\rtf1\\pard{\\pntext\\f2\\'B7\\tab}{\\*\\pn\\pnlvlblt{\\pntxtb\\'B7}}An item.\\par}"
    assert formats.rtf_to_text(rtf) == "An item."
    # an EBCDIC code page cannot be what an RTF file's ASCII is written in
    assert formats.rtf_to_text(b"{\\rtf1\\ansi\\ansicpg500 The quick \\'e9\\par}") == "The quick \u00e9"


def test_html_declaring_a_charset_that_is_not_ascii_compatible_is_read_as_utf8():
    assert formats.decode_html(b'<meta charset="ibm500"><p>caf\xe9</p>') == (
        '<meta charset="ibm500"><p>caf\ufffd</p>',
        True,
        "utf-8",
    )


def test_streamed_chunks_are_cut_where_paragraphs_end_at_form_feeds(monkeypatch):
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 300)
    wrapped = "a hard-wrapped paragraph whose lines\nrun on to the next line and\nend only here"
    text = "\n\f".join([wrapped] * 20)
    chunks = list(inputs._chunks_of(text, "x"))
    assert all(c.text.endswith("\f") or c.last for c in chunks)  # never inside a paragraph
    assert "".join(c.text for c in chunks) == text


_WRAPPED = [
    "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate,",
    "a decision that engineers say was overdue because the steel had corroded far faster than",
    "the original survey predicted in its final report.",
    "Residents near the water said the work would bring noise and dust for two years, and the",
    "state will pay for most of it.",
]


def test_lines_pasted_from_a_pdf_into_a_word_processor_are_rejoined():
    """One paragraph mark per line: each line alone would be scored as a paragraph of a dozen words."""
    first = " ".join(_WRAPPED[:3])
    second = " ".join(_WRAPPED[3:])
    docx = docx_bytes("".join(docx_paragraph(line) for line in _WRAPPED))
    assert formats.docx_to_text(docx) == f"{first}\n\n{second}"
    assert formats.rtf_to_text(rtf_bytes(_WRAPPED)) == f"{first}\n\n{second}"
    odt = odt_bytes("".join(f"<text:p>{line}</text:p>" for line in _WRAPPED))
    assert formats.odt_to_text(odt) == f"{first}\n\n{second}"


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["Introduction", "Methods and materials", "Results", "Discussion"],  # headings
        ["Reduced costs for the town", "Faster delivery of the parts", "Better morale on the site"],  # a list
        ["step one is done.", "then the next one is done.", "and the last is done too."],  # sentences
        [  # a to-do list in lower case: its items vary in width
            "the system must store each order for seven years",
            "the system should send a receipt by email",
            "admins can reset passwords",
            "pages must load in under two seconds",
        ],
        [_WRAPPED[0] + " " + _WRAPPED[1], "Short.", "the next paragraph starts in lower case, by chance."],
    ],
    ids=["headings", "list", "sentences", "lowercase-list", "real-paragraphs"],
)
def test_paragraphs_that_are_not_lines_stay_as_they_are(paragraphs):
    assert formats.docx_to_text(docx_bytes("".join(docx_paragraph(p) for p in paragraphs))) == "\n\n".join(paragraphs)


def test_list_items_headings_numbers_and_long_paragraphs_end_a_run_of_lines():
    """Lines of one width that run on into lower case, but marked as list items or headings:
    a Word or OpenDocument file says what they are, and they are never rejoined."""
    bullet = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
    heading = '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
    items = [line.rstrip(",.") for line in _WRAPPED[:3]]
    body = "".join(f'<w:p>{bullet}<w:r><w:t xml:space="preserve">{item}</w:t></w:r></w:p>' for item in items)
    assert formats.docx_to_text(docx_bytes(body)) == "\n\n".join(items)
    body = "".join(f"<w:p>{heading}<w:r><w:t>{item}</w:t></w:r></w:p>" for item in items)
    assert formats.docx_to_text(docx_bytes(body)) == "\n\n".join(items)
    listed = "".join(f"<text:list-item><text:p>{item}</text:p></text:list-item>" for item in items)
    assert formats.odt_to_text(odt_bytes(f"<text:list>{listed}</text:list>")) == "\n\n".join(items)
    assert formats.odt_to_text(odt_bytes("".join(f"<text:h>{item}</text:h>" for item in items))) == "\n\n".join(items)
    # a number alone (a chapter, a page) is kept, and a paragraph longer than a line ends a run
    typed = "A paragraph typed in the document itself, " * 4
    paragraphs = ["1", *_WRAPPED, typed.strip(), *_WRAPPED]
    text = formats.docx_to_text(docx_bytes("".join(docx_paragraph(p) for p in paragraphs)))
    rejoined = [" ".join(_WRAPPED[:3]), " ".join(_WRAPPED[3:])]
    assert text.split("\n\n") == ["1", *rejoined, typed.strip(), *rejoined]


def test_table_cells_and_empty_paragraphs_are_never_rejoined():
    apart = "\n\n".join(_WRAPPED)
    cells = "".join(f"<w:tc>{docx_paragraph(line)}</w:tc>" for line in _WRAPPED)
    assert formats.docx_to_text(docx_bytes(f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>")) == apart
    assert formats.docx_to_text(docx_bytes("<w:p/>".join(docx_paragraph(line) for line in _WRAPPED))) == apart
    cells = "".join(f"<table:table-cell><text:p>{line}</text:p></table:table-cell>" for line in _WRAPPED)
    assert formats.odt_to_text(odt_bytes(f"<table:table><table:table-row>{cells}</table:table-row></table:table>")) == (
        apart
    )
    assert formats.odt_to_text(odt_bytes("<text:p/>".join(f"<text:p>{line}</text:p>" for line in _WRAPPED))) == apart
    rtf = "{\\rtf1\\trowd " + "".join(f"\\intbl {line}\\cell " for line in _WRAPPED) + "\\row}"
    assert formats.rtf_to_text(rtf.encode()) == apart
    assert formats.rtf_to_text(("{\\rtf1 " + "\\par\\par ".join(_WRAPPED) + "}").encode()) == apart


def test_epub_chapters_are_read_in_spine_order(tmp_path):
    chapters = [
        "<nav><p>Contents</p></nav><h1>Chapter One</h1><p>The first chapter of the book begins here.</p>",
        "<p>The second chapter follows, with a caf\u00e9 in it.</p>",
    ]
    data = epub_bytes(chapters)
    assert formats.epub_to_text(data) == (
        "Chapter One\n\nThe first chapter of the book begins here.\n\n"
        "The second chapter follows, with a caf\u00e9 in it."
    )
    for name in ("book.epub", "download"):  # by its name, or by the media type it starts with
        (tmp_path / name).write_bytes(data)
        events = read_events(tmp_path / name)
        assert problems_of(events) == [] and joined(events).endswith("with a caf\u00e9 in it.")
    assert [(i.path.name, i.kind) for i in collect([str(tmp_path)])] == [("book.epub", "epub")]
    (tmp_path / "drm.epub").write_bytes(epub_bytes(chapters, encrypted=True))
    assert problems_of(read_events(tmp_path / "drm.epub")) == [
        f"spincheck: error: cannot read {tmp_path / 'drm.epub'} as an EPUB e-book: its chapters are encrypted (DRM) "
        "(skipped)"
    ]


def test_epub_packages_as_found_in_the_wild():
    """No namespace on the package, hrefs with %-escapes and #fragments, a spine that lists a
    chapter twice, an image page with an XHTML fallback, fonts obfuscated but chapters not."""

    def book(encrypted: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("mimetype", "application/epub+zip")
            archive.writestr(
                "META-INF/container.xml",
                '<container><rootfiles><rootfile full-path="OEBPS/book.opf"/></rootfiles></container>',
            )
            archive.writestr(
                "OEBPS/book.opf",
                "<package><manifest>"
                '<item id="a" href="Text/Chapter%201.xhtml#start" media-type="application/xhtml+xml"/>'
                '<item id="img" href="cover.jpg" media-type="image/jpeg" fallback="b"/>'
                '<item id="b" href="Text/b.xhtml" media-type="application/xhtml+xml"/></manifest>'
                '<spine><itemref idref="img"/><itemref idref="a"/><itemref idref="a"/></spine></package>',
            )
            archive.writestr("OEBPS/cover.jpg", b"\xff\xd8\xff binary image")
            archive.writestr("OEBPS/Text/b.xhtml", "<html><body><p>The cover, as text.</p></body></html>")
            archive.writestr("OEBPS/Text/Chapter 1.xhtml", "<html><body><p>The first chapter.</p></body></html>")
            archive.writestr("OEBPS/fonts/f.otf", b"font")
            archive.writestr(
                "META-INF/encryption.xml", f'<encryption><CipherReference URI="{encrypted}"/></encryption>'
            )
        return out.getvalue()

    assert formats.epub_to_text(book("OEBPS/fonts/f.otf")) == "The cover, as text.\n\nThe first chapter."
    with pytest.raises(formats.OfficeError, match="encrypted"):  # the URI escaped, the chapter named with a space
        formats.epub_to_text(book("OEBPS/Text/Chapter%201.xhtml"))


def test_bytes_cut_inside_a_character_lose_only_that_character():
    """What decompressed before damage ends anywhere, often inside a character: decoded, its
    last bytes were a U+FFFD and a warning that the file is not valid UTF-8."""
    text = "a é — 😀".encode()
    cut = [inputs._whole_characters(text[:n]).decode("utf-8") for n in range(len(text) + 1)]
    assert cut == [text[:n].decode("utf-8", "ignore") for n in range(len(text) + 1)]
    assert inputs._whole_characters(b"ok \xff") == b"ok \xff"  # a byte that is no character's stays bad


def test_a_pdf_without_pages_is_an_error_not_a_scan(tmp_path):
    """A PDF whose page tree pypdf cannot find (damaged, or none written) was "no text to score (a scanned
    PDF needs OCR first)": OCR finds nothing in it either."""
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    path = tmp_path / "damaged.pdf"
    path.write_bytes(make_pdf([["Some text."]]).replace(b"/Kids [", b"/Kidz ["))
    events = read_events(path)
    assert chunks_of(events) == []
    reason = "it has no pages (its page tree is missing or damaged)"
    assert problems_of(events) == [f"spincheck: error: cannot read {path} as a PDF: {reason} (skipped)"]
