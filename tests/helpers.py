"""Small helpers shared by several test files (imported as ``from helpers import ...``)."""

from __future__ import annotations

import io
import zipfile

import pytest

from spincheck import Result, formats


def paragraphs_of(text: str) -> list[str]:
    """The blank-line separated paragraphs of a test article, as written."""
    return [p for p in text.split("\n\n") if p.strip()]


def same_result(a: Result, b: Result) -> bool:
    """Equal up to float noise: matrix products may round differently with the number of rows in a batch."""
    return (
        (a.spun, a.reason, a.words, a.by_context) == (b.spun, b.reason, b.words, b.by_context)
        and a.probability == pytest.approx(b.probability, abs=1e-6)
        and [e[:4] for e in a.evidence] == [e[:4] for e in b.evidence]
        and [e.strength for e in a.evidence] == pytest.approx([e.strength for e in b.evidence], abs=2e-3)
    )


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(body: str, *, part: str = "word/document.xml") -> bytes:
    """A minimal .docx (a zip archive): the parts a reader needs, with ``body`` inside ``w:body``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(part, f'<?xml version="1.0"?><w:document {_W_NS}><w:body>{body}</w:body></w:document>')
    return out.getvalue()


def docx_paragraph(text: str) -> str:
    """One Word paragraph holding ``text``."""
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def odt_bytes(body: str) -> bytes:
    """A minimal OpenDocument text: the stored mimetype first, then ``body`` inside ``office:text``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            f'<?xml version="1.0"?><office:document-content {_ODT_NS}><office:body><office:text>{body}'
            "</office:text></office:body></office:document-content>",
        )
    return out.getvalue()


def rtf_escaped(text: str) -> str:
    """``text`` as RTF writes it: backslashes and braces escaped, non-ASCII as ``\\uN?``."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\\{}":
            out.append("\\" + char)
        elif code < 128:
            out.append(char)
        else:
            for unit in range(0, len(char.encode("utf-16-le")), 2):
                value = int.from_bytes(char.encode("utf-16-le")[unit : unit + 2], "little")
                out.append(f"\\u{value - 65536 if value > 32767 else value}?")
    return "".join(out)


def rtf_bytes(paragraphs: list[str]) -> bytes:
    """An RTF document as TextEdit writes one: a font and colour table, then one ``\\par`` per paragraph."""
    header = "{\\rtf1\\ansi\\ansicpg1252\\cocoartf2709\n{\\fonttbl\\f0\\fswiss\\fcharset0 Helvetica;}\n"
    header += "{\\colortbl;\\red255\\green255\\blue255;}\n\\margl1440\\margr1440\n"
    body = "".join(f"\\pard\\pardeftab720\n\\f0\\fs24 \\cf0 {rtf_escaped(p)}\\\n" for p in paragraphs)
    return (header + body + "}").encode("ascii")


def epub_bytes(chapters: list[str], *, encrypted: bool = False) -> bytes:
    """A minimal EPUB: the stored mimetype, the container, a package whose spine lists ``chapters``
    (XHTML bodies) in reverse order of their file names, to show that the spine decides."""
    out = io.BytesIO()
    names = [f"text/ch{i}.xhtml" for i in range(len(chapters))][::-1]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        items = "".join(
            f'<item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>' for i, name in enumerate(names)
        )
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(names)))
        archive.writestr(
            "OEBPS/book.opf",
            f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            f"<manifest>{items}</manifest><spine>{spine}</spine></package>",
        )
        for name, body in zip(names, chapters):
            archive.writestr(
                f"OEBPS/{name}",
                f'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>',
            )
        if encrypted:
            archive.writestr(
                "META-INF/encryption.xml", f'<encryption><CipherReference URI="OEBPS/{names[0]}"/></encryption>'
            )
    return out.getvalue()


def recording_trafilatura(monkeypatch: pytest.MonkeyPatch, text: str) -> list[str]:
    """Put a stand-in for trafilatura in its place: it returns ``text`` for any page, and the
    list returned gets each page it is given."""
    given: list[str] = []

    class Recording:
        @staticmethod
        def extract(page, **options):
            given.append(page)
            return text

    monkeypatch.setattr(formats, "_trafilatura_state", {"module": Recording})
    return given
