"""Document formats: edge cases of the HTML, PDF, Word, RTF and EPUB converters (spincheck.formats)."""

from __future__ import annotations

import codecs
import io
import logging
import random
import textwrap
import time
import zipfile

import pytest
from helpers import docx_bytes, docx_paragraph, epub_bytes, odt_bytes, recording_trafilatura

from spincheck import formats
from spincheck.formats import (
    decode_html,
    docx_to_text,
    epub_to_text,
    html_to_text,
    odt_to_text,
    pdf_paragraphs,
    rtf_to_text,
)
from spincheck.text import split_paragraphs

# ---- HTML (the stdlib fallback, which also reads every EPUB chapter) ------------------------------


def test_a_stray_closing_skip_tag_does_not_drop_later_text():
    """A closing </nav> never opened left the parser "inside" skipped furniture: all later text was lost."""
    page = "<p>Intro.</p></nav><p>The body of the article comes after a stray closing tag.</p>"
    expected = "Intro.\n\nThe body of the article comes after a stray closing tag."
    assert html_to_text(page, use_trafilatura=False) == expected
    assert epub_to_text(epub_bytes([page])) == expected


def test_a_page_inside_a_form_is_read():
    """ASP.NET WebForms pages hold their whole body in a <form>, which the fallback skipped: nothing was read."""
    page = '<html><body><form id="aspnetForm"><p>The article text of a page built with WebForms.</p></form></body>'
    assert html_to_text(page, use_trafilatura=False) == "The article text of a page built with WebForms."


def test_self_closing_br_and_hr_end_a_block():
    """<br/> and <hr/> were ignored, so the text on either side ran together ("First lineSecond line")."""
    page = "<p>First line<br/>Second line</p><div>Above the rule<hr/>Below the rule</div>"
    assert html_to_text(page, use_trafilatura=False).split("\n\n") == [
        "First line\nSecond line",
        "Above the rule",
        "Below the rule",
    ]


WRAPPED = [
    "The council voted on Tuesday to rebuild the old harbour bridge after three years of debate about its cost.",
    "Work on the new bridge starts in the spring and will close the coast road to the harbour for two years.",
]


@pytest.mark.parametrize("use_trafilatura", [False, True])
def test_lines_broken_with_br_stay_lines_of_their_paragraph(use_trafilatura):
    """A <br> ended a paragraph: text typed with hard line breaks (nl2br, a pasted e-mail) was read
    a line at a time, each too short to score and cut mid-sentence, so a spun page so laid out
    passed as clean. Its lines are now lines of one block, which split_paragraphs rejoins."""
    if use_trafilatura and formats._trafilatura() is None:
        pytest.skip("trafilatura is not installed")
    body = "<br />\n<br />\n".join("<br />\n".join(textwrap.wrap(p, 40)) for p in WRAPPED)
    page = f"<html><body><article><div class='entry'>{body}</div><p>Last<br>line.</p></article></body></html>"
    text = html_to_text(page, use_trafilatura=use_trafilatura)
    assert [" ".join(text[s.start : s.end].split()) for s in split_paragraphs(text)] == [*WRAPPED, "Last", "line."]


def test_every_element_a_browser_sets_as_a_block_ends_a_paragraph():
    """<center>, <fieldset> and its <legend>, a table's <caption> and <form> were read as inline: the text
    on either side ran into theirs ("IntroCenteredAfter")."""
    page = (
        "Intro<center>Centered</center>After<fieldset><legend>Legend</legend>Fields</fieldset>"
        "<table><caption>Caption</caption></table>Text<form>Form</form>End"
    )
    assert html_to_text(page, use_trafilatura=False).split("\n\n") == [
        "Intro",
        "Centered",
        "After",
        "Legend",
        "Fields",
        "Caption",
        "Text",
        "Form",
        "End",
    ]


def test_the_lines_and_paragraphs_of_a_pre_are_kept():
    """A browser shows a <pre> line by line; its line breaks were read as spaces, so a mailing-list
    archive's message, a <pre> with blank lines between its paragraphs, was one long paragraph."""
    message = (
        "The council voted on Tuesday to rebuild the old harbor bridge after\n"
        "three years of  debate.\n\n  The bridge will cost about <b>twelve</b> million\n"
        "dollars.\n<i>\n</i>\n-- \nA. Writer\n"
    )
    page = f"<p>Message\nheader</p><pre>\n{message}</pre><p>Next\nmessage</p>"
    assert html_to_text(page, use_trafilatura=False).split("\n\n") == [
        "Message header",
        "The council voted on Tuesday to rebuild the old harbor bridge after\nthree years of debate.",
        "The bridge will cost about twelve million\ndollars.",
        "--\nA. Writer",
        "Next message",
    ]


def test_a_utf8_byte_order_mark_wins_over_a_declared_charset():
    """A UTF-8 page with a BOM and a bad byte was read as the cp1252 it declares: "ï»¿" and "cafÃ©"."""
    data = codecs.BOM_UTF8 + b'<meta charset="windows-1252"><p>caf\xc3\xa9 \xff</p>'
    assert decode_html(data) == ('<meta charset="windows-1252"><p>caf\u00e9 \ufffd</p>', True, "utf-8")


@pytest.mark.parametrize(
    ("label", "data", "text"),
    [
        ("iso-8859-9", b"\x80 \xfd", "\u20ac \u0131"),  # windows-1254
        ("windows-874", b"\xa1\x85", "\u0e01\u2026"),
        ("tis-620", b"\xa1\x85", "\u0e01\u2026"),
        ("euc-kr", b"\x81\x41", "\uac02"),  # windows-949
        ("gb2312", b"\x81\x40", "\u4e02"),  # GBK
        ("big5", b"\x88\x40", "\u31c0"),  # Big5-HKSCS
    ],
)
def test_a_declared_charset_is_read_as_browsers_read_it(label, data, text):
    """A label is read as the encoding the WHATWG Encoding Standard maps it to: "windows-874" was
    unknown to Python and read as UTF-8, and the others as their strict subsets, replacing characters
    that pages so labelled hold (the euro sign, an ellipsis) with C1 controls or U+FFFD."""
    page, bad, _ = decode_html(b"<meta charset=" + label.encode() + b"><p>" + data)
    assert (page, bad) == (f"<meta charset={label}><p>{text}", False)


BODY = "".join(f"<p>Paragraph {n} of the article, with enough words to be read.</p>" for n in range(3))
BODY_TEXT = "\n\n".join(f"Paragraph {n} of the article, with enough words to be read." for n in range(3))


def test_a_head_left_open_ends_at_the_body():
    """HTML lets "</head>" go unwritten; the fallback (and so every EPUB chapter) then read the whole
    page as part of the skipped head: nothing to score."""
    page = f"<!DOCTYPE html><html><head><title>T</title><meta charset=utf-8><body>{BODY}</body></html>"
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    assert epub_to_text(epub_bytes([page])) == BODY_TEXT
    # without a <body> tag, the first block ends the head; the title stays out
    assert html_to_text(f"<head><title>T</title>{BODY}", use_trafilatura=False) == BODY_TEXT
    # nor any <head> tag: a title is never part of the page a browser shows
    assert html_to_text(f"<!DOCTYPE html><title>Page title</title>{BODY}", use_trafilatura=False) == BODY_TEXT
    assert html_to_text(f"<html><title>Page title</title><body>{BODY}", use_trafilatura=False) == BODY_TEXT


def test_a_label_or_button_left_open_does_not_hide_the_page():
    """Skipped until its end tag, a label or button left open hid the rest of the page; a browser
    shows it. Labels and buttons are read tentatively and taken back at their end tag."""
    page = f"<form><label>Your name:<br>required{BODY}</form>"
    assert html_to_text(page, use_trafilatura=False) == "Your name:\nrequired\n\n" + BODY_TEXT
    # closed ones are left out, blocks inside them too (a browser keeps a div inside a button)
    for furniture in (
        "<button><div>Subscribe to our newsletter today</div></button>",
        "<label>Terms<table><tr><td>I agree</td></tr></table></label>",
        "<header><p>Site menu</p><label>Search</header>",
        "<svg><title>icon</title></svg>",
    ):
        assert html_to_text(furniture + BODY, use_trafilatura=False) == BODY_TEXT
    assert html_to_text("<p>Before <button>Share</button> after.</p>", use_trafilatura=False) == "Before after."


def test_labels_left_open_by_the_thousand_are_tracked_only_to_a_bound():
    """Every block start was counted in every open label: 4,000 labels left open before 4,000
    blocks took 7 s to read, a 300 KB page of 20,000 each minutes. Only MAX_TENTATIVE are tracked;
    the ones opened inside them are read as text, and the page is read as before."""
    from spincheck.formats import _MainText

    many = 5 * _MainText.MAX_TENTATIVE
    parser = _MainText()
    parser.feed("<label>x " * many + "<div>word</div>" * many + BODY)
    assert len(parser.tentative) == _MainText.MAX_TENTATIVE
    page = "<label>x " * many + "<div>word</div>" * many + BODY
    assert html_to_text(page, use_trafilatura=False) == "\n\n".join(
        ["x " * (many - 1) + "x"] + ["word"] * many + [BODY_TEXT]
    )
    # a label closed inside the bound is still taken back, blocks and all
    assert html_to_text("<label>a " * 3 + "<div>menu</div>" + "</label>" * 3 + BODY, use_trafilatura=False) == BODY_TEXT


def test_a_label_left_open_ends_with_the_block_around_it():
    """A label left open inside a block outlived it, and a stray end tag later took the whole page
    back ("<div><label>Name</div> ... </label>" gave nothing)."""
    page = f"<div><label>Name</div>{BODY}</label>"
    assert html_to_text(page, use_trafilatura=False) == "Name\n\n" + BODY_TEXT
    page = f"<nav><label>Menu</nav>{BODY}</label>"  # opened inside furniture: never read, never taken back
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    page = f"<label>Name <button>Go</label>{BODY}</button>"  # the label's end takes the button with it
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    nested = "<p>Before <label>A<label>B</label>C</label> after.</p>"  # each end tag takes back its own
    assert html_to_text(nested, use_trafilatura=False) == "Before after."


def test_the_head_closes_with_what_was_left_open_in_it():
    assert html_to_text(f"<head><noscript><link rel=x><body>{BODY}", use_trafilatura=False) == BODY_TEXT
    page = "<head><title>T</title><br/>A line of text after a break.<p>x</p>"
    assert html_to_text(page, use_trafilatura=False) == "A line of text after a break.\n\nx"
    nested = f"<nav><ul><nav>Menu</nav><li>Home</li></ul></nav>{BODY}"  # the inner end closes the inner one
    assert html_to_text(nested, use_trafilatura=False) == BODY_TEXT


def test_furniture_nested_hundreds_deep_closes_as_it_did():
    """Whether a <head> was open, and where the innermost <nav> was, were searched for through
    every skipped element open, at every tag: 40,000 nested <nav> took 9 s, and 2,000,000 (10 MB)
    ran for hours. Each name's places are now kept as they open and close; they must close the
    same elements as the searches did."""
    page = "<nav><aside>" * 300 + "Hidden" + "</nav>" * 299 + "Still hidden" + "</aside>" + "Hidden too</nav>"
    assert html_to_text(page + BODY, use_trafilatura=False) == BODY_TEXT
    page = "<nav><aside>" * 300 + "Hidden" + "</aside>" * 300 + "Under the outer nav" + "</nav>" + BODY
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    # a body block closes the first <head>, and all opened inside it, however many
    page = "<head>" + "<nav><aside>" * 300 + "Hidden" + "<div>" + BODY
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    page = "<nav>" + "<head><nav>" * 300 + "<div>Hidden: the first nav is open</div>" + "</nav>" + BODY
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT


def test_furniture_is_tracked_only_to_a_bound(monkeypatch):
    """Each skipped element open cost about 350 bytes: 2,000,000 nested <nav> (10 MB) took 695 MB.
    Only MAX_SKIPPED are tracked; those opened inside more are not, so an end tag closes a tracked one."""
    from spincheck.formats import _MainText

    monkeypatch.setattr(_MainText, "MAX_SKIPPED", 3)
    parser = _MainText()
    parser.feed("<nav>" * 5 + "<aside>")
    assert parser.skipping == ["nav"] * 3
    page = "<nav>" * 5 + "Menu" + "</nav>" * 3 + BODY  # the two opened past the bound are not open
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    page = "<nav>" * 3 + "Menu" + "</nav>" * 2 + BODY  # within it, as before
    assert html_to_text(page, use_trafilatura=False) == ""


def test_paragraphs_no_label_can_take_back_are_joined_as_they_come(monkeypatch):
    """Each paragraph was one str to the end: 10,000,000 of "<p>ab" (48 MB) took 817 MB, and 894 MB
    after a "<label>" left open. They are joined a thousand at a time (_JOINED), but not while a
    label or button that may take them back is open, unless it has read a thousand: no form's has."""
    page = "<p>One</p><p>Two</p><p>Three</p><label><p>Four</p></label><p>Five</p>"
    expected = "One\n\nTwo\n\nThree\n\nFive"
    assert html_to_text(page, use_trafilatura=False) == expected
    held = "<label><p>Four</p><p>Five</p></label><p>Six</p>"
    assert html_to_text(held, use_trafilatura=False) == "Six"
    monkeypatch.setattr(formats, "_JOINED", 2)
    assert html_to_text(page, use_trafilatura=False) == expected  # "Four" held for the label, not joined
    assert html_to_text(held, use_trafilatura=False) == "Four\n\nFive\n\nSix"


def test_a_paragraph_in_many_pieces_is_joined_as_it_is_read_and_taken_back_whole(monkeypatch):
    """Each piece of text between tags was its own str (48 MB of "<i>ab</i>" took 481 MB), and a
    label copied them all at its start ("ab<label></label>" repeated took quadratic time). Pieces
    are joined _PIECES at a time; a label's end takes the paragraph back to what it was."""
    from spincheck.formats import _MainText

    monkeypatch.setattr(formats, "_PIECES", 2)
    parser = _MainText()
    parser.feed("<p>" + "a<i>b</i>" * 50)
    assert len(parser.current.loose) < 2 and parser.current.text() == "ab" * 50
    page = "<p>a<i>b</i>c<label>d<i>e</i>f<i>g</i>h</label>i<i>j</i></p>"
    assert html_to_text(page, use_trafilatura=False) == "abcij"
    page = "<p>a<label>b<label>c<i>d</i>e</label>f<i>g</i></label>h</p>"  # each back to its own start
    assert html_to_text(page, use_trafilatura=False) == "ah"


def test_an_end_tag_closes_the_skipped_elements_left_open_inside_it():
    page = f"<nav><label>Menu<p>Home</p></nav>{BODY}"
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    page = f"<aside><noscript>Enable scripts</aside>{BODY}"  # </aside> closes the noscript inside it
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT


def test_furniture_left_open_ends_with_the_block_around_it():
    """A <nav>, <header>, <footer>, <aside> or <svg> left open was skipped to its own end tag, which
    never came: the rest of the page, a browser shows it, was lost ("no main text to score"), and a
    spun page so built passed as clean. A browser closes it with the block it was opened in."""
    for furniture in ("nav", "header", "footer", "aside", "svg"):
        page = f"<div class=top><{furniture}><a href=/>Home</a> <p>Menu</div>{BODY}"
        assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    page = f"<table><tr><td><footer>Links</td><td>{BODY}</td></tr></table>"
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    # a stray end tag, or one of a block opened inside it, does not end it; nor does one end a template
    page = f"<nav></div></li><div><ul><li>Home</li></ul></div>Menu</nav>{BODY}"
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT
    page = f"<div><template><p>Hidden</div><p>still hidden</template></div>{BODY}"
    assert html_to_text(page, use_trafilatura=False) == BODY_TEXT


def test_a_page_as_bytes_is_decoded_whichever_parser_reads_it(monkeypatch):
    """Bytes worked when trafilatura found text and raised an internal TypeError when the fallback
    ran (a table layout, an empty page): a crawler passing response.body crashed on some pages."""
    page = f"<meta charset=windows-1252><p>Caf\u00e9 society.</p>{BODY}"
    data = page.encode("cp1252")
    assert html_to_text(data, use_trafilatura=False) == html_to_text(page, use_trafilatura=False)
    assert html_to_text(bytearray(data), use_trafilatura=False).startswith("Caf\u00e9 society.")
    with pytest.raises(TypeError, match=r"^html_to_text takes the page as str or bytes, not NoneType$"):
        html_to_text(None)


def test_half_a_surrogate_pair_does_not_cut_the_page_short(monkeypatch):
    """lxml stops at a lone surrogate (JSON's "\\ud83d" of a cut emoji): trafilatura returned the
    page up to it, and a spun page scored clean. It is read as U+FFFD, one for one."""
    seen = recording_trafilatura(monkeypatch, "text")
    page = f"<p>A coun\ud83dcil.</p>{BODY}"
    html_to_text(page)
    assert seen == [page.replace("\ud83d", "\ufffd")]
    assert html_to_text(page, use_trafilatura=False).startswith("A coun\ufffdcil.")


def test_a_page_where_trafilatura_finds_nothing_is_read_by_the_fallback(monkeypatch):
    """trafilatura leaves tables out, so a page laid out with them gave "no main text" and passed a
    spun page as clean."""

    class FindsNothing:
        @staticmethod
        def extract(page, **options):
            return None

    page = f"<table><tr><td>{BODY}</td></tr></table>"
    monkeypatch.setattr(formats, "_trafilatura_state", {"module": FindsNothing})
    assert html_to_text(page) == html_to_text(page, use_trafilatura=False) == BODY_TEXT
    monkeypatch.setattr(FindsNothing, "extract", staticmethod(lambda page, **options: "  \n  \n"))
    assert html_to_text(page) == BODY_TEXT


@pytest.mark.parametrize("use_trafilatura", [False, True])
def test_control_characters_are_dropped_whichever_parser_reads_the_page(use_trafilatura):
    """trafilatura drops control characters and the fallback kept them: a NUL inside a word split it
    in two without trafilatura, and a page of text to a browser ("<<<>>>", "<" being text where no
    tag name follows) came back with its NUL. Text without markup is its text, as a browser shows it."""
    if use_trafilatura and formats._trafilatura() is None:
        pytest.skip("trafilatura is not installed")
    text = WRAPPED[0]
    page = f"<html><body><article><p>{text[:9]}\x00\x01\x7f\x9f{text[9:]}</p></article></body></html>"
    assert html_to_text(page, use_trafilatura=use_trafilatura) == text
    assert html_to_text("<<<>>>\x00", use_trafilatura=use_trafilatura) == "<<<>>>"
    assert html_to_text("\x00\x1b", use_trafilatura=use_trafilatura) == ""
    assert html_to_text("a\tb\x0bc\x85d", use_trafilatura=use_trafilatura) == "a b c d"  # white space stays space


def test_the_fallback_reads_bare_tags_as_html_parser_reads_them(monkeypatch):
    """Bare tags ("<p>", "</DIV>") are read without html.parser, for speed: the text must be the
    same as html.parser's reading of them, in scripts, furniture, labels and <pre> too."""
    rng = random.Random(29)
    names = ["p", "P", "div", "Div", "pre", "li", "br", "nav", "label", "script", "style", "title", "span", "head"]
    pieces = [f"<{n}>" for n in names] + [f"</{n}>" for n in names] + ['<p class="x">', "</p >", "<br/>"]
    pieces += ["Some words here", "&amp; more", "\n", "\n\n", " a < b ", "<!-- note -->"]
    pages = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 60))) for _ in range(300)]
    fast = [html_to_text(page, use_trafilatura=False) for page in pages]
    assert sum(map(bool, fast)) > 100  # pages with text to compare
    never = formats.re.compile("(?!)")
    monkeypatch.setattr(formats, "_BARE_START", never)
    monkeypatch.setattr(formats, "_BARE_END", never)
    assert [html_to_text(page, use_trafilatura=False) for page in pages] == fast


# ---- PDF ---------------------------------------------------------------------------------------


def test_a_two_line_running_header_is_removed_from_every_page():
    """Only the first line of a two-line header was seen as running: "Vol. 12, page N" stayed in the text."""
    body = [
        ["The council voted on Tuesday to rebuild the old harbor bridge after three years of", "debate."],
        ["Work on the bridge starts in the spring and will close the road to the harbor for", "two years."],
        ["The state will pay for most of the project, and the town will borrow the rest of", "the money."],
    ]
    pages = [["Journal of Municipal Affairs", f"Vol. 12, page {n + 1}", *lines] for n, lines in enumerate(body)]
    assert pdf_paragraphs(pages) == [" ".join(lines) for lines in body]


def test_a_line_atop_only_two_of_four_pages_is_not_a_running_header():
    """A heading found at the top of two pages out of four was dropped as a running header."""
    pages = [
        ["Results", "The first trial ended early."],
        ["The second trial ran for a full year."],
        ["Results", "The third trial found no effect."],
        ["The fourth trial was never finished."],
    ]
    assert pdf_paragraphs(pages).count("Results") == 2


def test_a_hyphen_before_a_capitalised_line_is_not_a_broken_word():
    """ "North-" at a line's end was joined with the next line's "American" as "NorthAmerican" (no
    hyphen), or later as "North- American" (a space in the compound)."""
    lines = [
        "The survey covered farms across the whole of the continent, from the Arctic down to the North-",
        "American deserts in the far south, and found that most of them had lost topsoil in the drought.",
    ]
    (paragraph,) = pdf_paragraphs([lines])
    assert "down to the North-American deserts" in paragraph


def test_the_text_of_a_pdf_is_bounded_as_its_file_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """Content streams are compressed: a PDF of 160 KB held 80 million characters of text, all of it
    gathered in memory (a few hundred such pages in a file under the 64 MB limit, gigabytes)."""
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november".split()
    pdf = make_pdf([[f"{page} {word} runs on to the end of its line." for word in words[:10]] for page in words[:3]])
    assert formats.pdf_to_text(pdf)
    monkeypatch.setattr(formats, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(ValueError, match="it holds more than 1000 bytes of text"):
        formats.pdf_to_text(pdf)


def test_a_damaged_pdf_is_a_value_error_as_other_formats_are() -> None:
    """pypdf's own errors reached a library caller as they were (PdfStreamError "Stream has ended
    unexpectedly" for most damaged copies), where a damaged .docx is an OfficeError, a ValueError:
    a pipeline catching ValueError per file crashed on its first damaged PDF."""
    pypdf = pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    pdf = make_pdf([["The council met on Tuesday night.", "It voted to close the bridge."]])
    for damaged in (b"x", pdf[: len(pdf) // 2], pdf.replace(b"/Kids [4 0 R]", b"/Kids 4 0 R"), pdf[:9] + b"\0" * 99):
        with pytest.raises(ValueError, match="."):  # with pypdf's reason
            formats.pdf_to_text(damaged)
    with pytest.raises(ValueError, match="^Stream has ended unexpectedly$") as caught:
        formats.pdf_to_text(b"x")  # the message pypdf gives, as the command line prints it
    assert isinstance(caught.value.__cause__, pypdf.errors.PyPdfError)


def test_pdf_to_text_leaves_pypdfs_log_to_the_caller(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pdf_to_text set the "pypdf" logger to CRITICAL for the whole process, so a pipeline using
    pypdf itself lost its log; only the files spincheck reads are quieted (test_inputs)."""
    pytest.importorskip("pypdf")
    from pdf_maker import make_pdf

    pdf = make_pdf([["The council met on Tuesday night."]]).replace(b"/WinAnsiEncoding", b"/WinAnsiEncodinX")
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.NOTSET)  # as the command line's tests may have left it
    monkeypatch.setattr(formats, "_pypdf_state", {})  # pypdf found again, as in a fresh process
    try:
        with caplog.at_level(logging.WARNING):
            assert formats.pdf_to_text(pdf) == "The council met on Tuesday night."
        assert logger.level == logging.NOTSET and any(r.name.startswith("pypdf") for r in caplog.records)
    finally:
        logger.setLevel(level)


def test_a_pdf_without_pypdf_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """pdf_to_text said only "pypdf is not installed", and spincheck train repeated it for a PDF."""
    monkeypatch.setattr(formats, "_pypdf_state", {"module": None})
    with pytest.raises(RuntimeError, match=r"reading PDFs needs pypdf.*\(pip install pypdf\)"):
        formats.pdf_to_text(b"%PDF-1.4")


def test_a_soft_hyphen_at_a_line_end_joins_the_word():
    """Tagged PDFs (Word's, LaTeX's) write the hyphen of a word broken across lines as U+00AD, which
    pypdf keeps: "de\u00ad" + "bate" was read as two words, "de\u00ad bate", and a short line so
    broken ended its paragraph."""
    lines = [
        "The council voted on Tuesday to rebuild the old harbor bridge after a long de\u00ad",
        "bate, and the mayor said that work on it would begin in the spring of next year once",
        "the state had approved the final plans for the new bridge. The work will take two",
        "years, and the road to the harbor will be closed to all traffic for most of the ex\u00ad",
        "tra time. Drivers are asked to use the bridge at Mill Street while the work goes on",
        "in the months after that, the mayor said at the meeting, which ran for three hours.",
    ]
    (paragraph,) = pdf_paragraphs([lines])
    assert "a long debate, and" in paragraph and "most of the extra time" in paragraph
    lines = [
        "The council voted on Tuesday to rebuild the old harbor bridge after three years.",
        "The plans were drawn by Anne Mc\u00ad",
        "Donald, an engineer from the state office, and her staff of five.",
    ]
    assert pdf_paragraphs([lines])[1:] == [
        "The plans were drawn by Anne McDonald, an engineer from the state office, and her staff of five."
    ]


def test_a_long_paragraph_of_a_pdf_is_rebuilt_in_linear_time() -> None:
    """The paragraph being rebuilt was a string grown, and searched from its start, at each line:
    250 pages of one running text took 55 s, a 3.7 MB paragraph 98 s."""
    rng = random.Random(0)
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november".split()
    lines = [" ".join(rng.choice(words) for _ in range(12)) + " oscar-" * (n % 7 == 0) for n in range(20_000)]
    started = time.perf_counter()
    (paragraph,) = pdf_paragraphs([lines[k : k + 50] for k in range(0, len(lines), 50)])
    assert time.perf_counter() - started < 1.5
    assert paragraph.startswith(f"{lines[0][:-1]}{lines[1]} {lines[2]}")  # "oscar-" broken, joined
    # a space between lines, but none and no hyphen at the 2,857 broken words (the last line's stays)
    assert paragraph.endswith(f" {lines[-1]}") and len(paragraph) == sum(map(len, lines)) + 19_999 - 2 * 2_857


# ---- Word --------------------------------------------------------------------------------------


def test_a_list_styled_paragraph_without_numbering_is_a_block_of_its_own():
    """Paragraphs styled as list items but without numPr of their own were rejoined as lines of one paragraph."""
    items = [
        "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate",
        "a decision that engineers say was overdue because the steel had corroded far faster than",
        "the original survey predicted in its final report",
    ]
    styled = '<w:pPr><w:pStyle w:val="ListBullet"/></w:pPr>'
    body = "".join(f'<w:p>{styled}<w:r><w:t xml:space="preserve">{item}</w:t></w:r></w:p>' for item in items)
    assert docx_to_text(docx_bytes(body)) == "\n\n".join(items)


def test_a_non_breaking_hyphen_is_a_hyphen_and_a_soft_one_is_invisible():
    """<w:noBreakHyphen/> was dropped, so "long-term" read as the odd word "longterm"."""
    runs = "<w:t>a long</w:t><w:noBreakHyphen/><w:t>term plan, re</w:t><w:softHyphen/><w:t>built</w:t>"
    body = f"<w:p><w:r>{runs}</w:r></w:p>"
    assert docx_to_text(docx_bytes(body)) == "a long\u2011term plan, re\u00adbuilt"


@pytest.mark.parametrize("hidden", ["\u200b", "\u00ad", "\u2060"])
@pytest.mark.parametrize("convert", ["docx", "pdf"])
def test_lines_with_invisible_characters_are_measured_by_what_shows(hidden: str, convert: str) -> None:
    """Lines of a hard-wrapped text pasted into a word processor, with an invisible character before
    every letter (a spinner's output hidden from filters), are twice as long as they show, and start
    with one: each was its own paragraph of a dozen words."""
    text = (
        "The town council voted on Tuesday night to replace the old harbor bridge, ending a debate that "
        "has divided residents for more than three years. The new bridge will cost about 48 million "
        "dollars and should open to traffic in the spring of 2027, officials said."
    )
    lines = textwrap.wrap(text, 72) + textwrap.wrap(text.replace("Tuesday", "Monday"), 72)
    masked = ["".join(hidden + c for c in line) for line in lines]
    if convert == "docx":
        read = [docx_to_text(docx_bytes("".join(map(docx_paragraph, block)))) for block in (lines, masked)]
    else:
        read = ["\n\n".join(pdf_paragraphs([block])) for block in (lines, masked)]
    assert read[0] == f"{text}\n\n{text.replace('Tuesday', 'Monday')}"
    assert read[1].replace(hidden, "") == read[0]


def test_a_word_paragraph_of_invisible_characters_alone_is_an_empty_one() -> None:
    """A paragraph of only a zero-width space or byte-order mark shows as an empty one, and ends a
    block as one does; among lines pasted from a PDF it was an empty line of the run, and reading
    the document raised IndexError (found by scripts/fuzz.py)."""
    lines = ["A line of words that runs on and on", "\ufeff", "another line of words", " \u200b ", "and more"]
    assert docx_to_text(docx_bytes("".join(map(docx_paragraph, lines)))) == "\n\n".join(lines[::2])


def test_text_moved_by_tracked_changes_is_read_once_where_it_went():
    """w:moveFrom holds ordinary w:t runs (unlike deletions' w:delText): moved text was read twice."""
    moved = "<w:r><w:t>The moved sentence.</w:t></w:r>"
    body = (
        f'<w:p><w:moveFrom w:id="1">{moved}</w:moveFrom><w:r><w:t xml:space="preserve"> Kept.</w:t></w:r></w:p>'
        f'<w:p><w:moveTo w:id="2">{moved}</w:moveTo></w:p>'
    )
    assert docx_to_text(docx_bytes(body)) == "Kept.\n\nThe moved sentence."


def test_hidden_text_is_left_out_of_a_word_document():
    """Runs formatted hidden (w:vanish), which Word does not show, were read into the sentence around them."""
    hidden = '<w:r><w:rPr><w:b/><w:vanish/></w:rPr><w:t xml:space="preserve">(check this figure) </w:t></w:r>'
    shown = '<w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t xml:space="preserve">voted </w:t></w:r>'
    before, after = '<w:r><w:t xml:space="preserve">The council </w:t></w:r>', "<w:r><w:t>on Tuesday.</w:t></w:r>"
    body = f"<w:p>{before}{hidden}{shown}{after}</w:p>"
    assert docx_to_text(docx_bytes(body)) == "The council voted on Tuesday."


def test_a_zip_whose_central_directory_points_before_its_start_is_an_office_error() -> None:
    """zipfile raises ValueError ("negative seek value") for such an archive: the command line
    called it "a bug in spincheck" instead of saying the file is damaged."""
    data = bytearray(docx_bytes("<w:p><w:r><w:t>Text.</w:t></w:r></w:p>"))
    end = data.rfind(b"PK\x05\x06") + 16  # the end record's offset of the central directory
    data[end : end + 4] = (int.from_bytes(data[end : end + 4], "little") + 10**6).to_bytes(4, "little")
    with pytest.raises(formats.OfficeError, match="not a valid zip archive"):
        docx_to_text(bytes(data))


@pytest.mark.parametrize("target", ["word/document2.xml", "/word/document2.xml"])
def test_a_word_document_is_read_from_the_main_part_its_package_names(target: str) -> None:
    """Word Online saves the body as word/document2.xml, named in _rels/.rels: such a .docx was "it has
    no word/document.xml"."""
    relationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{relationship}" Target="{target}"/></Relationships>',
        )
        with zipfile.ZipFile(io.BytesIO(docx_bytes("<w:p><w:r><w:t>Online.</w:t></w:r></w:p>"))) as made:
            archive.writestr("word/document2.xml", made.read("word/document.xml"))
    assert docx_to_text(out.getvalue()) == "Online."


def test_a_strict_open_xml_word_document_is_read() -> None:
    """Word's "Strict Open XML Document" (.docx) uses the ISO 29500 Strict namespace: none of its
    elements matched, and the whole document was "no text to score"."""
    hidden = "<w:r><w:rPr><w:vanish/></w:rPr><w:t>(draft) </w:t></w:r>"
    body = f"<w:p><w:r><w:t xml:space='preserve'>The council </w:t></w:r>{hidden}<w:r><w:t>voted.</w:t></w:r></w:p>"
    body += "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>A cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "word/document.xml",
            "<w:document xmlns:w='http://purl.oclc.org/ooxml/wordprocessingml/main'>"
            f"<w:body>{body}</w:body></w:document>",
        )
    assert docx_to_text(out.getvalue()) == docx_to_text(docx_bytes(body)) == "The council voted.\n\nA cell"


@pytest.fixture
def zip_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the pieces read from zip members while the test runs."""
    reads: list[int] = []
    read = zipfile.ZipExtFile.read

    def recorded(self: zipfile.ZipExtFile, n: int | None = -1) -> bytes:
        piece = read(self, n)
        reads.append(len(piece))
        return piece

    monkeypatch.setattr(zipfile.ZipExtFile, "read", recorded)
    return reads


def test_word_and_opendocument_xml_is_read_as_it_is_inflated(zip_reads: list[int]) -> None:
    """The main part was inflated whole and parsed into a tree: a document.xml of 48 MB of empty
    paragraphs (a 74 KB file) peaked near 1 GB. It is now read a piece at a time, only text kept."""
    assert docx_to_text(docx_bytes("<w:p/>" * 100_000 + docx_paragraph("Last."))) == "Last."
    assert odt_to_text(odt_bytes("<text:p/>" * 70_000 + "<text:p>Last.</text:p>")) == "Last."
    assert 0 < max(zip_reads) <= 1 << 16


def test_a_document_read_in_small_pieces_reads_as_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces cut the Strict namespace (declared with either quote), entities and characters apart."""
    body = (
        "<w:p><w:r><w:t xml:space='preserve'>Caf\u00e9 &amp; &#x1F600; 'http://purl.oclc.org/ooxml/wordprocessingml/main'"
        "</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>hidden</w:t></w:r></w:p>"
    )
    documents = []
    for quote in "\"'":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            namespace = f"xmlns:w={quote}http://purl.oclc.org/ooxml/wordprocessingml/main{quote}"
            archive.writestr("word/document.xml", f"<w:document {namespace}><w:body>{body}</w:body></w:document>")
        documents.append(out.getvalue())
    odt = odt_bytes('<text:p>Caf\u00e9 <text:span>&amp;</text:span><text:s text:c="2"/>\n  &#x1F600; tail</text:p>')
    expected = "Caf\u00e9 & \U0001f600 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'"
    for size in (1, 5, 49, 50, 51, 1 << 16):
        monkeypatch.setattr(formats, "_XML_PIECE", size, raising=False)
        assert [docx_to_text(document) for document in documents] == [expected, expected]
        assert odt_to_text(odt) == "Caf\u00e9 &   \U0001f600 tail"


def test_properties_after_the_text_they_format_still_count() -> None:
    """Read as it is parsed, a run's text is kept aside until its end: w:rPr may follow w:t, as a
    paragraph's w:pPr may follow its runs, and a tree read them wherever they stood."""
    items = [
        "The council voted on Tuesday to rebuild the old harbor bridge after three years of debate",
        "a decision that engineers say was overdue because the steel had corroded far faster than",
        "the original survey predicted in its final report",
    ]
    hidden = "<w:r><w:t>(draft) </w:t><w:rPr><w:vanish/></w:rPr></w:r>"
    styled = '<w:pPr><w:pStyle w:val="ListBullet"/></w:pPr>'
    body = "".join(f"<w:p>{hidden}<w:r><w:t>{item}</w:t></w:r>{styled}</w:p>" for item in items)
    assert docx_to_text(docx_bytes(body)) == "\n\n".join(items)
    assert docx_to_text(docx_bytes(body.replace(styled, ""))) == " ".join(items)  # rejoined as a PDF's lines


@pytest.mark.parametrize("kind", ["docx", "odt", "odt spaces"])
def test_text_that_expands_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Entities declared in a DTD expand where they are used, as a run of spaces does in an .odt: 1 MB
    of references to a 280-character entity (a 1.3 KB file, under expat's own limit) read as 98 MB."""
    monkeypatch.setattr(formats, "MAX_DOCUMENT_BYTES", 4096)
    dtd = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "{"x" * 280}">]>'
    if kind == "docx":
        with zipfile.ZipFile(io.BytesIO(docx_bytes(docx_paragraph("&a;" * 30)))) as made:
            xml = made.read("word/document.xml").decode().replace('<?xml version="1.0"?>', dtd)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("word/document.xml", xml)
        convert, data = docx_to_text, out.getvalue()
    else:
        with zipfile.ZipFile(io.BytesIO(odt_bytes("<text:p>&a;</text:p>" * 30))) as made:
            xml = made.read("content.xml").decode().replace('<?xml version="1.0"?>', dtd)
        if kind == "odt spaces":
            xml = xml.replace("&a;", '<text:s text:c="200"/>').replace(dtd, "")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("content.xml", xml)
        convert, data = odt_to_text, out.getvalue()
    with pytest.raises(formats.OfficeError, match="it holds more than 4096 bytes of text"):
        convert(data)


@pytest.mark.parametrize("encoding", ["x-no-such-charset", "shift_jis", "utf-32"])
@pytest.mark.parametrize("kind", ["docx", "odt", "epub"])
def test_xml_in_an_encoding_the_parser_cannot_read_is_an_office_error(encoding: str, kind: str) -> None:
    """expat reads UTF-8, UTF-16 and single-byte charsets: a part declaring another raised LookupError
    or ValueError ("multi-byte encodings are not supported"), which the command line called a bug in
    spincheck, ending the run before the other files were scored."""
    made = {"docx": docx_bytes("<w:p/>"), "odt": odt_bytes("<text:p/>"), "epub": epub_bytes(["<p>Text.</p>"])}[kind]
    part = {"docx": "word/document.xml", "odt": "content.xml", "epub": "META-INF/container.xml"}[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(made)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                data = f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + data.split(b"?>", 1)[-1]
            target.writestr(info, data)
    with pytest.raises(formats.OfficeError, match="its XML declares an encoding that cannot be read"):
        {"docx": docx_to_text, "odt": odt_to_text, "epub": epub_to_text}[kind](out.getvalue())


def test_xml_nested_too_deeply_is_refused_even_where_it_is_left_out() -> None:
    """The parser's memory grows with the elements open: 16 million "<a>" (48 MB) took 2 GB, in a
    text box's copy for older readers (mc:Fallback) too, which is not read."""
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    deep = f"<w:p><w:r><mc:Fallback {mc}>" + "<w:sdt>" * 5000 + "</w:sdt>" * 5000 + "</mc:Fallback></w:r></w:p>"
    with pytest.raises(formats.OfficeError, match="nested too deeply"):
        docx_to_text(docx_bytes(deep))
    with pytest.raises(formats.OfficeError, match="nested too deeply"):
        odt_to_text(odt_bytes("<text:note>" + "<text:span>" * 5000 + "</text:span>" * 5000 + "</text:note>"))


# ---- OpenDocument ------------------------------------------------------------------------------


def test_the_cached_label_of_a_numbered_odt_paragraph_is_left_out() -> None:
    """A writer may cache a list item's or heading's label in it (text:number): it was glued to the first
    word ("a)The first", "1.Introduction"), where a .docx keeps its labels out of the text."""
    body = (
        '<text:list><text:list-item><text:h text:outline-level="1"><text:number>1.</text:number>Introduction'
        "</text:h></text:list-item><text:list-item><text:p><text:number>a)</text:number>The first point."
        "</text:p></text:list-item></text:list>"
    )
    assert odt_to_text(odt_bytes(body)) == "Introduction\n\nThe first point."


def test_the_alt_text_of_a_picture_in_a_paragraph_is_left_out():
    """LibreOffice keeps a picture's title and description inside its frame, in the paragraph: they
    were glued into the sentence ("Before Photo of a catA long alt textafter.")."""
    namespaces = (
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
    )
    frame = (
        f"<draw:frame {namespaces}><draw:image/><svg:title>Photo of a cat</svg:title>"
        "<svg:desc>A long alt text describing it</svg:desc></draw:frame>"
    )
    assert odt_to_text(odt_bytes(f"<text:p>Before {frame}after.</text:p>")) == "Before after."


def test_white_space_in_an_odt_paragraph_is_one_space():
    """OpenDocument collapses the XML's white space in a paragraph to one space, as HTML does, and pandoc
    wraps a paragraph's text at 72 columns: its line ends were kept as line breaks, and one paragraph
    was scored as two ("Short intro line" / "that continues ...")."""
    body = (
        '<text:p text:style-name="Text_20_body">The council voted on Tuesday to rebuild the old\n'
        "harbor bridge after three years of <text:span>heated</text:span>\ndebate, the mayor said.</text:p>\n"
        '<text:p>\n    Spaces<text:s/>and<text:s text:c="2"/>a<text:tab/>tab  \t\n  stay.\n</text:p>'
    )
    assert odt_to_text(odt_bytes(body)) == (
        "The council voted on Tuesday to rebuild the old harbor bridge after three years of heated debate, the "
        "mayor said.\n\nSpaces and  a\ttab stay."
    )


@pytest.mark.parametrize("count", ["1000000000", "9" * 5000, "²", "-3"])
def test_an_odt_space_count_is_bounded_and_never_an_error(count: str) -> None:
    """A space count of a billion in a file of a few hundred bytes asked for gigabytes of memory, and
    one that int() refuses ("²" is a digit to str.isdigit) was a ValueError, not an OfficeError."""
    text = odt_to_text(odt_bytes(f'<text:p>Wide<text:s text:c="{count}"/>gap.</text:p>'))
    assert text.startswith("Wide ") and text.endswith(" gap.") and len(text) <= 210


# ---- RTF ---------------------------------------------------------------------------------------


def test_the_binary_payload_of_a_bin_control_word_is_skipped():
    """The raw bytes after \\binN were read as RTF: braces among them upset the groups and leaked into the text."""
    assert rtf_to_text(b"{\\rtf1 Before.{\\pict\\bin6 }junk{} After.}") == "Before. After."


def test_deleted0_turns_tracked_deletion_off():
    """\\deleted0 (not deleted) was taken as \\deleted, and the text it marks was left out."""
    rtf = b"{\\rtf1 {\\deleted0 This text is not deleted.} {\\deleted This text is.}}"
    assert rtf_to_text(rtf) == "This text is not deleted."


def test_hidden_text_is_left_out():
    """Text formatted hidden (\\v), which Word, WordPad and LibreOffice do not show (notes to the
    writer, index entries), was read as part of the body."""
    rtf = rb"{\rtf1 The council {\v (check this figure) }voted on Tuesday.\v  Hidden.\par"
    rtf += rb"\v0  Shown\v  again\plain  too.\par}"  # a hidden paragraph mark joins two paragraphs
    assert rtf_to_text(rtf) == "The council voted on Tuesday. Shown too."


def test_cells_of_a_nested_table_and_a_column_break_end_their_text():
    """A table inside a table cell ends its cells with \\nestcell, and a column break is \\column:
    both were ignored, and the text on either side ran together ("A cellAnother", "onetwo")."""
    rtf = (
        rb"{\rtf1 \pard\intbl Outer cell\par\pard\intbl\itap2 A cell\nestcell Another\nestcell"
        rb"{\*\nesttableprops\trowd\cellx1000\cellx2000\nestrow}{\nonesttables\par}\cell\row"
        rb"\pard End of the first column.\column Start of the second.\par}"
    )
    assert rtf_to_text(rtf).split("\n\n") == [
        "Outer cell",
        "A cell",
        "Another",
        "End of the first column.",
        "Start of the second.",
    ]


# ---- EPUB --------------------------------------------------------------------------------------


def test_an_epub_fallback_cycle_is_not_followed_forever():
    """Manifest items that fall back to each other (a -> b -> a) raised RecursionError instead of being skipped."""
    book = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub_bytes(["<p>The only chapter.</p>"]))) as source:
        with zipfile.ZipFile(book, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "OEBPS/book.opf":
                    cycle = (
                        '<item id="a" href="a.svg" media-type="image/svg+xml" fallback="b"/>'
                        '<item id="b" href="b.svg" media-type="image/svg+xml" fallback="a"/>'
                    )
                    data = data.replace(b"</manifest>", cycle.encode() + b"</manifest>")
                    data = data.replace(b"<spine>", b'<spine><itemref idref="a"/>')
                target.writestr(info, data)
    assert epub_to_text(book.getvalue()) == "The only chapter."


def test_an_epubs_xml_parts_are_read_as_they_are_inflated(zip_reads: list[int]) -> None:
    """The container, package and encryption parts were parsed whole into trees: a 50 KB book whose
    container.xml held 48 MB of empty elements peaked at 1.2 GB."""
    padding = b"<a/>" * 50_000
    book = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub_bytes(["<p>The only chapter.</p>"]))) as source:
        with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename in ("META-INF/container.xml", "OEBPS/book.opf"):
                    data = data.replace(b"</", padding + b"</", 1)
                target.writestr(info, data)
            target.writestr("META-INF/encryption.xml", b"<encryption>" + padding + b"</encryption>")
    assert epub_to_text(book.getvalue()) == "The only chapter."
    assert 0 < max(zip_reads) <= 1 << 16


def test_an_epub_listing_more_files_or_chapters_than_a_book_has_is_refused(monkeypatch) -> None:
    """The manifest and spine are held as they are parsed: 640,000 entries of each took 300 MB."""
    monkeypatch.setattr(formats, "MAX_EPUB_ITEMS", 3)
    assert epub_to_text(epub_bytes(["<p>One.</p>", "<p>Two.</p>", "<p>Three.</p>"])) == "One.\n\nTwo.\n\nThree."
    with pytest.raises(formats.OfficeError, match="its package lists over 3 files or chapters"):
        epub_to_text(epub_bytes(["<p>One.</p>", "<p>Two.</p>", "<p>Three.</p>", "<p>Four.</p>"]))
    many_refs = epub_bytes(["<p>One.</p>"])  # one chapter read over and over: the spine alone
    with zipfile.ZipFile(io.BytesIO(many_refs)) as source:
        opf = source.read("OEBPS/book.opf").replace(b"<spine>", b'<spine><itemref idref="c0"/>' * 3)
    with pytest.raises(formats.OfficeError, match="its package lists over 3 files or chapters"):
        epub_to_text(_replaced(many_refs, {"OEBPS/book.opf": opf}))


def _replaced(archive: bytes, parts: dict[str, bytes], **options) -> bytes:
    """``archive`` with ``parts`` replaced, written with the zipfile ``options`` given."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", **options) as target:
        for info in source.infolist():
            target.writestr(info, parts.get(info.filename, source.read(info)))
    return out.getvalue()


def test_a_zip_listing_more_files_than_a_document_holds_is_refused_unread(monkeypatch) -> None:
    """zipfile reads an archive's directory whole, about 500 bytes an entry: 600,000 empty ones (a
    51 MB file) took 310 MB. One larger than MAX_ZIP_DIRECTORY is refused before it is read, its
    size taken where zipfile takes it: from a Zip64 end record, whatever the plain one says."""
    book = epub_bytes(["<p>The only chapter.</p>"])
    size = len(book) - zipfile.ZipFile(io.BytesIO(book)).start_dir - 22  # its directory, then the end record
    monkeypatch.setattr(formats, "MAX_ZIP_DIRECTORY", size)
    assert epub_to_text(book) == "The only chapter."
    monkeypatch.setattr(formats, "MAX_ZIP_DIRECTORY", size - 1)
    refused = r"it holds more files than a document does \(its list of them is over \d+ bytes\)"
    with pytest.raises(formats.OfficeError, match=refused):
        epub_to_text(book)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # written with Zip64 end records
    zip64 = bytearray(_replaced(book, {}))
    monkeypatch.undo()
    end = zip64.rindex(b"PK\x05\x06")
    zip64[end + 12 : end + 16] = bytes(4)  # the plain end record says the directory is empty
    monkeypatch.setattr(formats, "MAX_ZIP_DIRECTORY", size)
    assert epub_to_text(bytes(zip64)) == "The only chapter."
    monkeypatch.setattr(formats, "MAX_ZIP_DIRECTORY", size - 1)
    with pytest.raises(formats.OfficeError, match=refused):
        epub_to_text(bytes(zip64))
    monkeypatch.setattr(formats, "MAX_ZIP_DIRECTORY", 100)  # under these ones' 111 and 128 bytes
    for convert, data in ((docx_to_text, docx_bytes("")), (odt_to_text, odt_bytes(""))):
        with pytest.raises(formats.OfficeError, match=refused):
            convert(data)


# ---- argument types ----------------------------------------------------------------------------


@pytest.mark.parametrize("convert", [docx_to_text, odt_to_text, rtf_to_text, epub_to_text, formats.pdf_to_text])
@pytest.mark.parametrize("wrong", [None, "page.docx", 3])
def test_a_document_reader_says_to_pass_bytes(convert, wrong):
    """None was read as an empty file ("not a valid zip archive", pypdf's EmptyFileError) and a path
    str failed with a regex error in rtf_to_text: each is a TypeError that names the function."""
    with pytest.raises(TypeError, match=rf"{convert.__name__}\(\) takes the file's contents as bytes"):
        convert(wrong)


def test_every_bytes_like_object_is_read():
    """rtf_to_text failed on a memoryview (AttributeError), which the zip readers took."""
    rtf = b"{\\rtf1 Hello there.}"
    assert rtf_to_text(memoryview(rtf)) == rtf_to_text(bytearray(rtf)) == "Hello there."
    body = "<w:p><w:r><w:t>Hello there.</w:t></w:r></w:p>"
    assert docx_to_text(memoryview(docx_bytes(body))) == "Hello there."


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_damaged_part_compressed_with_bzip2_or_lzma_is_an_office_error(compression: int) -> None:
    """A damaged bzip2 part raised OSError ("Invalid data stream"), an LZMA one LZMAError: the
    command line said it could not read the file, or that spincheck had a bug, and stopped."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("word/document.xml", docx_paragraph("Hello world again.") * 200)
        info = archive.getinfo("word/document.xml")
    data = bytearray(out.getvalue())
    start = info.header_offset + 30 + len(info.filename)  # the part's compressed bytes
    data[start + 10 : start + 20] = bytes(10)
    with pytest.raises(formats.OfficeError, match="not a valid zip archive"):
        docx_to_text(bytes(data))
