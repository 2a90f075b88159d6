"""The Scrapy pipeline: unit checks in-process, and one real crawl of a local site.

The crawl runs in a subprocess (Twisted's reactor cannot be restarted inside
one test process) against an ``http.server`` on 127.0.0.1 started here.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Coroutine
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

scrapy = pytest.importorskip("scrapy", reason="Scrapy is not installed (pip install 'spincheck[scrapy]')")

from scrapy.exceptions import DropItem  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402
from twisted.internet.defer import Deferred  # noqa: E402
from twisted.internet.task import Clock  # noqa: E402

try:
    get_crawler()
except RuntimeError:  # Scrapy 2.13-2.14: "get_reactor_settings() called without an installed reactor"
    from twisted.internet import reactor  # noqa: E402, F401  (importing it installs the default reactor)

import spincheck  # noqa: E402
from spincheck.integrations.scrapy import (  # noqa: E402
    MODEL_ID_FIELD,
    SPIN_FIELDS,
    SpincheckPipeline,
    SpinItem,
    extract_main_text,
)

EVIDENCE_KEYS = {"phrase", "start", "end", "suggestion", "strength"}
ROOT = Path(spincheck.__file__).resolve().parent.parent


def page(title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html><head><title>{html.escape(title)}</title>
<script>var tracker = "the highest diplomat said that the place was fine";</script>
<style>p {{ margin: 1em; }}</style></head>
<body>
<nav><a href="/">Home</a> | <a href="/news/">News</a> | <a href="/sport/">Sport</a></nav>
<main><article>
<h1>{html.escape(title)}</h1>
<p class="byline">By a staff reporter</p>
{body}
</article></main>
<footer>Copyright 2024 The Town Courier. All rights reserved.</footer>
</body></html>
"""


def paragraphs_of(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


# ---- unit checks -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pipeline() -> SpincheckPipeline:
    pipe = SpincheckPipeline()
    pipe.open_spider()
    return pipe


def test_from_crawler_reads_settings() -> None:
    crawler = get_crawler(
        settings_dict={
            "SPINCHECK_TEXT_FIELD": "body",
            "SPINCHECK_HTML_FIELD": "raw",
            "SPINCHECK_THRESHOLD": "0.5",
            "SPINCHECK_DROP_SPUN": "True",
        }
    )
    pipe = SpincheckPipeline.from_crawler(crawler)
    assert (pipe.model, pipe.text_field, pipe.html_field, pipe.threshold, pipe.drop_spun) == (
        None,
        "body",
        "raw",
        0.5,
        True,
    )
    pipe.open_spider()
    assert pipe.detector is not None and pipe.detector.threshold == 0.5


@pytest.mark.parametrize("value", [True, "abc", "0.5.1"])
def test_from_crawler_refuses_a_threshold_that_is_not_a_number(value) -> None:
    """True was taken as 1.0 and "abc" gave float()'s bare "could not convert string to float"."""
    crawler = get_crawler(settings_dict={"SPINCHECK_THRESHOLD": value})
    with pytest.raises(ValueError, match=f"SPINCHECK_THRESHOLD must be a number from 0 to 1, not {value!r}"):
        SpincheckPipeline.from_crawler(crawler)


def test_dict_item_with_text(pipeline: SpincheckPipeline, article: str, spun_article: str) -> None:
    clean = pipeline.process_item({"text": article})
    assert clean["spin_flagged"] is False and clean["spin_paragraphs"] == []
    assert 0.0 <= clean["spin_probability"] <= round(pipeline.detector.threshold, 4)
    paragraphs = paragraphs_of(spun_article)
    spun = pipeline.process_item({"text": paragraphs})  # a list: one paragraph each
    assert spun["spin_flagged"] is True and spun["spin_probability"] >= round(pipeline.detector.threshold, 4)
    joined = "\n\n".join(paragraphs)  # offsets point into the paragraphs joined by blank lines
    for para in spun["spin_paragraphs"]:
        assert set(para) == {"index", "start", "end", "text", "probability", "by_context", "evidence"}
        assert joined[para["start"] : para["end"]] == paragraphs[para["index"]] == para["text"]
        for ev in para["evidence"]:
            assert set(ev) == EVIDENCE_KEYS and joined[ev["start"] : ev["end"]] == ev["phrase"]
    assert any(para["evidence"] for para in spun["spin_paragraphs"])
    json.dumps(spun)  # plain data all the way down
    # empty strings and menu lines in the list: the index counts paragraphs of the joined text
    padded = pipeline.process_item({"text": ["", "Menu", "", *paragraphs]})
    assert [p["text"] for p in padded["spin_paragraphs"]] == [p["text"] for p in spun["spin_paragraphs"]]
    assert [p["index"] for p in padded["spin_paragraphs"]] == [p["index"] + 1 for p in spun["spin_paragraphs"]]


def test_item_without_text_passes_unscored(pipeline: SpincheckPipeline) -> None:
    item = pipeline.process_item({"url": "https://example.invalid/empty"})
    assert (item["spin_probability"], item["spin_flagged"], item["spin_paragraphs"]) == (None, None, [])


def test_drop_spun(article: str, spun_article: str) -> None:
    pipe = SpincheckPipeline(drop_spun=True)
    assert pipe.process_item({"text": article})["spin_flagged"] is False
    with pytest.raises(DropItem, match="spun"):
        pipe.process_item({"text": spun_article})


def test_item_class_must_declare_spin_fields(pipeline: SpincheckPipeline, article: str) -> None:
    class Bare(scrapy.Item):
        text = scrapy.Field()

    with pytest.raises(TypeError, match="SpinItem") as info:
        pipeline.process_item(Bare(text=article))
    assert all(field in str(info.value) for field in SPIN_FIELDS)

    class Declared(SpinItem):
        text = scrapy.Field()

    assert pipeline.process_item(Declared(text=article))["spin_flagged"] is False


def test_items_name_the_model_that_scored_them(
    pipeline: SpincheckPipeline, article: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The command line's rows, the Dask rows and Document.to_records carry the model's id; Scrapy
    items did not, so a crawl's items kept in a database could not say which model judged them."""
    model_id = pipeline.detector.model_id
    assert re.fullmatch(r"[0-9a-f]{16}", model_id)

    class Page(SpinItem):
        text = scrapy.Field()

    class Before(scrapy.Item):  # declared before the field came: scored as before, with a warning once
        text = scrapy.Field()
        spin_probability = scrapy.Field()
        spin_flagged = scrapy.Field()
        spin_paragraphs = scrapy.Field()

    scored, empty, page = (pipeline.process_item(i) for i in ({"text": article}, {"url": "x"}, Page(text=article)))
    assert [i[MODEL_ID_FIELD] for i in (scored, empty, page)] == [model_id] * 3
    assert list(scored)[-1] == MODEL_ID_FIELD  # last, as model_id ends a jsonl row
    with caplog.at_level("WARNING", logger="spincheck.integrations.scrapy"):
        old = [pipeline.process_item(Before(text=article)) for _ in range(2)]
    assert [MODEL_ID_FIELD in item for item in old] == [False, False] and old[0]["spin_flagged"] is False
    warned = [r.getMessage() for r in caplog.records if MODEL_ID_FIELD in r.getMessage()]
    assert len(warned) == 1 and "item class Before has no field spin_model_id" in warned[0]


def test_extract_main_text(article: str) -> None:
    markup = page("Library plan", paragraphs_of(article))
    for value in (markup, b"\xef\xbb\xbf" + markup.encode("utf-8")):  # str, and bytes with a BOM
        text = extract_main_text(value)
        assert paragraphs_of(text)[-len(paragraphs_of(article)) :] == paragraphs_of(article)
        assert "tracker" not in text and "margin" not in text and "Copyright" not in text
    # a page in the charset it declares, as response.body holds it: decoded as the command line does
    legacy = (
        '<html><head><meta charset="windows-1252"></head>'
        "<body><p>\u201cIt\u2019s the caf\u00e9\u201d, they said of it.</p></body></html>"
    )
    assert "\u201cIt\u2019s the caf\u00e9\u201d" in extract_main_text(legacy.encode("cp1252"))


def test_warns_once_without_trafilatura(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from spincheck.integrations import scrapy as integration

    monkeypatch.setattr(integration, "_have_trafilatura", lambda: False)
    monkeypatch.setattr(integration, "_warned", set())
    with caplog.at_level("WARNING", logger=integration.__name__):
        extract_main_text("<p>one</p>")
        extract_main_text("<p>two</p>")
    assert [r.getMessage() for r in caplog.records if "trafilatura" in r.getMessage()] == [
        "spincheck: trafilatura is not installed; using a plain-text fallback for HTML "
        "(pip install trafilatura lxml_html_clean) (warned once)"
    ]


def test_from_crawler_defaults() -> None:
    pipe = SpincheckPipeline.from_crawler(get_crawler())
    assert (pipe.model, pipe.text_field, pipe.html_field, pipe.threshold, pipe.drop_spun) == (
        None,
        "text",
        "html",
        None,
        False,
    )
    # empty settings, as a settings file or an environment variable may leave them, mean the defaults too:
    # "" would be read as a model directory, and float("") would fail
    crawler = get_crawler(settings_dict={"SPINCHECK_MODEL": "", "SPINCHECK_THRESHOLD": ""})
    pipe = SpincheckPipeline.from_crawler(crawler)
    assert (pipe.model, pipe.threshold) == (None, None)


def test_stats_and_the_drop_reason(pipeline: SpincheckPipeline, article: str, spun_article: str) -> None:
    crawler = get_crawler(settings_dict={"SPINCHECK_DROP_SPUN": True})
    pipe = SpincheckPipeline.from_crawler(crawler)
    pipe.detector = pipeline.detector  # the model loaded once for the module
    pipe.process_item({"url": "https://example.invalid/empty"})
    pipe.process_item({"text": article})
    doc = pipeline.detector.score_text(spun_article)
    flagged = [p.index for p in doc.flagged]
    # the reason says how spun the page is and where, so that a dropped page can be looked into
    reason = f"spincheck: spun text (probability {doc.probability:.3f}, paragraphs {flagged})"
    with pytest.raises(DropItem) as info:
        pipe.process_item({"text": spun_article})
    assert str(info.value) == reason and flagged
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("spincheck/")}
    assert stats == {"spincheck/no_text": 1, "spincheck/scored": 2, "spincheck/spun": 1, "spincheck/dropped": 1}


def test_open_spider_loads_the_model_once_and_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    from spincheck.integrations import scrapy as integration

    pipe = SpincheckPipeline()
    with caplog.at_level("INFO", logger=integration.__name__):
        pipe.open_spider()
        pipe.open_spider()
    assert pipe.detector is not None
    loaded = f"spincheck: loaded model {pipe.detector.path} (threshold {pipe.detector.threshold:.3f})"
    assert [r.getMessage() for r in caplog.records if "loaded model" in r.getMessage()] == [loaded]


def test_whitespace_text_falls_back_to_the_html(pipeline: SpincheckPipeline, article: str) -> None:
    markup = page("Library plan", paragraphs_of(article))
    # a text field of blank lines, as a selector over an empty element gives, would leave the page unscored
    item = pipeline.process_item({"text": "  \n \n", "html": markup})
    assert item["text"] == extract_main_text(markup) and "The city council met" in item["text"]
    assert item["spin_flagged"] is False and item["spin_probability"] is not None


def test_html_bytes_are_scored(pipeline: SpincheckPipeline, article: str) -> None:
    markup = page("Library plan", paragraphs_of(article))
    # response.body is bytes: a str-only check would pass such a page on unscored
    item = pipeline.process_item({"html": markup.encode("utf-8")})
    assert item["text"] == extract_main_text(markup)
    assert item["spin_flagged"] is False and item["spin_probability"] is not None


def test_html_as_a_bytearray_or_a_list_of_fragments_is_read(pipeline: SpincheckPipeline, article: str) -> None:
    """A bytearray or a selector's .getall() list as the html field raised an internal TypeError
    ("can only concatenate str (not "bytes") to str"); the text field already took such values."""
    markup = page("Library plan", paragraphs_of(article))
    expected = extract_main_text(markup)
    assert extract_main_text(bytearray(markup.encode("utf-8"))) == expected
    head, body = markup.split("<body>", 1)
    assert extract_main_text([(head + "<body>").encode("utf-8"), body.encode("utf-8")]) == expected
    item = pipeline.process_item({"html": [head + "<body>", body]})
    assert item["text"] == expected and item["spin_flagged"] is False
    # fragments as bytes are decoded as one page: the charset its head declares holds for the body
    legacy = ['<html><head><meta charset="windows-1252"></head>'.encode(), "<body><p>caf\u00e9</p>".encode("cp1252")]
    assert extract_main_text(legacy) == "caf\u00e9"
    fragments = ["<p>The first paragraph of the story is long enough to keep", "going on the next fragment.</p>"]
    text = extract_main_text(fragments)  # joined with a line break, not glued ("keepgoing")
    assert "keep going" in text and extract_main_text(tuple(fragments)) == text
    assert extract_main_text([bytearray(f.encode()) for f in fragments]) == text
    with pytest.raises(TypeError, match=r"^expected HTML as str, bytes or a list of str, got int$"):
        extract_main_text(42)
    with pytest.raises(TypeError, match=r"got a list of \['NoneType', 'str'\]$"):
        extract_main_text(["<p>a</p>", None])


def test_item_class_without_a_text_field_is_scored_from_its_html(pipeline: SpincheckPipeline, article: str) -> None:
    class HtmlOnly(SpinItem):
        html = scrapy.Field()

    # storing the extracted text in a field the class does not declare would raise KeyError
    item = pipeline.process_item(HtmlOnly(html=page("Library plan", paragraphs_of(article))))
    assert item["spin_flagged"] is False and item["spin_probability"] is not None
    assert "text" not in item


def test_text_of_another_type_is_refused(pipeline: SpincheckPipeline) -> None:
    # str(12345) would be scored as if it were the page
    with pytest.raises(TypeError, match=r"^expected text as str, bytes or a list of str, got int$"):
        pipeline.process_item({"text": 12345, "html": "<p>A page.</p>"})


def test_list_and_tuple_paragraphs_are_stripped(pipeline: SpincheckPipeline, spun_article: str) -> None:
    paragraphs = paragraphs_of(spun_article)
    joined = "\n\n".join(paragraphs)
    # padding around each string, as ::text selectors leave it, is not part of the scored text
    padded = pipeline.process_item({"text": [f"  {p}\n " for p in paragraphs]})
    assert padded["spin_paragraphs"]
    for para in padded["spin_paragraphs"]:
        assert joined[para["start"] : para["end"]] == paragraphs[para["index"]] == para["text"]
        for ev in para["evidence"]:
            assert joined[ev["start"] : ev["end"]] == ev["phrase"]
    # a tuple is a list of paragraphs too, not a TypeError
    as_tuple = pipeline.process_item({"text": tuple(paragraphs)})
    as_list = pipeline.process_item({"text": paragraphs})
    assert {k: as_tuple[k] for k in SPIN_FIELDS} == {k: as_list[k] for k in SPIN_FIELDS} and as_list["spin_flagged"]


def test_bytes_text_is_decoded_as_a_file(pipeline: SpincheckPipeline, spun_article: str) -> None:
    paragraphs = paragraphs_of(spun_article)
    raw = "\r\n\r\n".join(paragraphs).encode("utf-8")
    raw = b"\xef\xbb\xbf" + raw.replace(b" ", b" \xff", 1)  # a byte-order mark and an invalid byte
    text = "\n\n".join(paragraphs).replace(" ", " \ufffd", 1)  # the mark dropped, CRLF made \n
    # a plain UTF-8 decoding would keep the mark and the CRs, and every offset after them would be off
    item = pipeline.process_item({"text": raw})
    assert len(item["spin_paragraphs"]) == len(paragraphs)
    for para in item["spin_paragraphs"]:
        assert text[para["start"] : para["end"]] == para["text"]
        for ev in para["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["phrase"]
    assert item["spin_paragraphs"][0]["start"] == 0 and item["spin_paragraphs"][-1]["end"] == len(text)
    # a bytearray or a memoryview is bytes too, as in the HTML field (a TypeError before)
    for data in (bytearray(raw), memoryview(raw)):
        again = pipeline.process_item({"text": data})
        assert {k: again[k] for k in SPIN_FIELDS} == {k: item[k] for k in SPIN_FIELDS}


def test_paragraphs_flagged_by_their_page_say_so(
    pipeline: SpincheckPipeline, article: str, spun_article: str, make_spinner
) -> None:
    from spincheck.detector import CONTEXT_P

    clean = paragraphs_of(article)
    light = make_spinner(clean, split="heldout").spin(clean[1], np.random.default_rng(4), rate=0.2).text
    [alone] = pipeline.detector.score_paragraphs([light])
    assert CONTEXT_P <= alone.probability < pipeline.detector.threshold  # spun, but under the threshold
    # three heavily spun paragraphs and the lightly spun one: it is flagged only because of the rest of the page
    item = pipeline.process_item({"text": "\n\n".join(paragraphs_of(spun_article)[:3] + [light])})
    assert [(p["index"], p["by_context"]) for p in item["spin_paragraphs"]] == [
        (0, False),
        (1, False),
        (2, False),
        (3, True),
    ]


def test_an_invalid_item_class_is_refused_every_time(pipeline: SpincheckPipeline, article: str) -> None:
    class Bare(scrapy.Item):
        text = scrapy.Field()

    # remembered as checked on the first refusal, the class would fail with a bare KeyError the second time
    for _ in range(2):
        with pytest.raises(TypeError, match="SpinItem"):
            pipeline.process_item(Bare(text=article))


# ---- batching (SPINCHECK_BATCH_SIZE > 1) -------------------------------------------------------
def batched(pipeline: SpincheckPipeline, size: int, **kwargs) -> tuple[SpincheckPipeline, Clock]:
    """A batching pipeline on the module's model, its timer on a Clock that only moves when told."""
    clock = Clock()
    pipe = SpincheckPipeline(batch_size=size, clock=clock, **kwargs)
    pipe.detector = pipeline.detector
    return pipe, clock


def submit(pipe: SpincheckPipeline, item) -> list:
    """Run process_item as Scrapy does (a returned coroutine is awaited); the outcome lands in the list."""
    outcome: list = []
    returned = pipe.process_item(item)
    if not isinstance(returned, Coroutine):
        return [returned]
    Deferred.fromCoroutine(returned).addCallbacks(outcome.append, lambda failure: outcome.append(failure.value))
    return outcome


class ScoringSpy:
    """A detector (frozen, so not patched) that counts the texts of each score_documents call,
    or raises ``fail`` instead."""

    def __init__(self, detector: spincheck.Detector, fail: BaseException | None = None) -> None:
        self.detector, self.fail, self.calls = detector, fail, []
        self.model_id = detector.model_id  # what the items name

    def score_documents(self, texts, **kwargs):
        if self.fail is not None:
            raise self.fail
        self.calls.append(len(texts))
        return self.detector.score_documents(texts, **kwargs)


def test_batch_settings() -> None:
    pipe = SpincheckPipeline.from_crawler(get_crawler())
    assert (pipe.batch_size, pipe.batch_wait) == (1, 0.5)
    crawler = get_crawler(settings_dict={"SPINCHECK_BATCH_SIZE": "64", "SPINCHECK_BATCH_WAIT": "0.2"})
    pipe = SpincheckPipeline.from_crawler(crawler)
    assert (pipe.batch_size, pipe.batch_wait) == (64, 0.2)


@pytest.mark.parametrize(
    "setting, value",
    [
        ("SPINCHECK_BATCH_SIZE", 0),
        ("SPINCHECK_BATCH_SIZE", "abc"),
        ("SPINCHECK_BATCH_SIZE", 2.5),
        ("SPINCHECK_BATCH_SIZE", True),
        ("SPINCHECK_BATCH_WAIT", -1),
        ("SPINCHECK_BATCH_WAIT", "soon"),
        ("SPINCHECK_BATCH_WAIT", float("nan")),
        ("SPINCHECK_BATCH_WAIT", True),
    ],
)
def test_batch_settings_refuse_what_is_not_a_size_or_a_wait(setting: str, value) -> None:
    with pytest.raises(ValueError, match=f"^{setting} must be .* not {re.escape(repr(value))}$"):
        SpincheckPipeline.from_crawler(get_crawler(settings_dict={setting: value}))


def test_batched_items_get_the_fields_they_get_alone(
    pipeline: SpincheckPipeline, article: str, spun_article: str
) -> None:
    markup = page("Library plan", paragraphs_of(article))
    items = [
        {"text": article},
        {"text": paragraphs_of(spun_article)},
        {"html": markup.encode("utf-8")},
        {"text": spun_article.encode("utf-8")},
        {"text": "\n\n".join(paragraphs_of(spun_article)[:2] + paragraphs_of(article)[2:])},
    ]
    alone = [pipeline.process_item(dict(item)) for item in items]
    pipe, clock = batched(pipeline, 4)
    outcomes = [submit(pipe, dict(item)) for item in items]
    assert [len(o) for o in outcomes] == [1, 1, 1, 1, 0]  # the first four, a full batch, at once
    clock.advance(0.5)  # the fifth when the wait is over
    assert [o[0] for o in outcomes] == alone and any(i["spin_flagged"] for i in alone)


def test_a_batch_is_scored_when_full_or_when_its_first_item_has_waited(
    pipeline: SpincheckPipeline, article: str
) -> None:
    pipe, clock = batched(pipeline, 3, batch_wait=0.5)
    pipe.detector = ScoringSpy(pipeline.detector)
    calls = pipe.detector.calls
    first = submit(pipe, {"text": article})
    clock.advance(0.3)
    second = submit(pipe, {"text": article})
    clock.advance(0.19)
    assert (first, second, calls) == ([], [], [])
    clock.advance(0.01)  # half a second after the first item, not the second
    assert len(first) == len(second) == 1 and calls == [2]
    full = [submit(pipe, {"text": article}) for _ in range(3)]
    assert all(len(o) == 1 for o in full) and calls == [2, 3]
    assert clock.getDelayedCalls() == []  # the full batch's timer is cancelled, not left to fire on nothing


def test_batched_drop_spun_drops_only_the_spun_items(
    pipeline: SpincheckPipeline, article: str, spun_article: str
) -> None:
    alone = SpincheckPipeline(drop_spun=True, stats=get_crawler().stats)
    alone.detector = pipeline.detector
    crawler = get_crawler()
    pipe, _ = batched(pipeline, 3, drop_spun=True, stats=crawler.stats)
    outcomes = [submit(pipe, {"text": text}) for text in (article, spun_article, article)]
    [[clean], [dropped], [clean_too]] = outcomes
    assert clean["spin_flagged"] is False and clean_too["spin_flagged"] is False
    with pytest.raises(DropItem) as info:
        alone.process_item({"text": spun_article})
    assert isinstance(dropped, DropItem) and str(dropped) == str(info.value)
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("spincheck/")}
    assert stats == {"spincheck/scored": 3, "spincheck/spun": 1, "spincheck/dropped": 1}


def test_items_without_text_or_with_bad_text_do_not_hold_up_their_batch(
    pipeline: SpincheckPipeline, article: str
) -> None:
    pipe, clock = batched(pipeline, 2)
    first = submit(pipe, {"text": article})
    # an item without text is passed on at once, unscored; one the pipeline cannot read fails alone
    empty = {"url": "https://example.invalid/empty"}
    assert pipe.process_item(empty) is empty and empty["spin_probability"] is None
    with pytest.raises(TypeError, match="expected text as str"):
        pipe.process_item({"text": 12345})
    assert first == [] and clock.getDelayedCalls()  # still waiting for the batch's second item
    second = submit(pipe, {"text": article})
    assert first[0]["spin_flagged"] is False and second[0]["spin_flagged"] is False


def test_an_error_scoring_a_batch_fails_each_of_its_items(pipeline: SpincheckPipeline, article: str) -> None:
    pipe, clock = batched(pipeline, 3)
    pipe.detector = ScoringSpy(pipeline.detector, fail=MemoryError("out of memory"))
    outcomes = [submit(pipe, {"text": article}) for _ in range(2)]
    clock.advance(0.5)
    assert [type(o[0]) for o in outcomes] == [MemoryError, MemoryError]  # each failed, none left waiting
    pipe.detector.fail = None
    later = [submit(pipe, {"text": article}) for _ in range(3)]  # the next batch starts afresh
    assert [o[0]["spin_flagged"] for o in later] == [False] * 3


def test_close_spider_scores_what_is_waiting(pipeline: SpincheckPipeline, article: str) -> None:
    pipe, clock = batched(pipeline, 8)
    outcome = submit(pipe, {"text": article})
    pipe.close_spider()
    assert outcome[0]["spin_flagged"] is False and clock.getDelayedCalls() == []


def test_batching_under_an_asyncio_loop(pipeline: SpincheckPipeline, article: str, spun_article: str) -> None:
    """Scrapy's default reactor runs an asyncio loop: the timer is the loop's, the results futures."""
    pipe = SpincheckPipeline(batch_size=8, batch_wait=0.01)
    pipe.detector = pipeline.detector

    async def crawl() -> list:
        batch = asyncio.gather(pipe.process_item({"text": article}), pipe.process_item({"text": spun_article}))
        return await asyncio.wait_for(batch, 10)  # a timer that never fires fails the test, not hangs it

    clean, spun = asyncio.run(crawl())
    assert clean["spin_flagged"] is False and spun["spin_flagged"] is True
    assert spun == pipeline.process_item({"text": spun_article})


# ---- one real crawl ----------------------------------------------------------------------------
CRAWL_SCRIPT = textwrap.dedent(
    """
    import json, sys

    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from itemadapter import ItemAdapter

    from spincheck.integrations.scrapy import SpinItem

    start_url, out_dir, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    dropped = []


    class Page(SpinItem):
        url = scrapy.Field()
        html = scrapy.Field()
        text = scrapy.Field()


    class SiteSpider(scrapy.Spider):
        name = "site"
        start_urls = [start_url]

        def parse(self, response):
            for href in response.css("ul.articles a::attr(href)").getall():
                yield response.follow(href, self.parse_article)

        def parse_article(self, response):
            if response.url.endswith("/letters.html"):  # a dict item with paragraphs already picked out
                yield {"url": response.url, "text": response.css("article p:not(.byline)::text").getall()}
            else:  # an Item with only the HTML: the pipeline extracts the main text
                yield Page(url=response.url, html=response.text)


    def on_dropped(item, response, exception, spider):
        dropped.append({"item": ItemAdapter(item).asdict(), "reason": str(exception)})


    if settings.get("TWISTED_REACTOR_ENABLED") is False:  # Scrapy 2.15 on, on an asyncio loop only
        from scrapy.crawler import AsyncCrawlerProcess as CrawlerProcess
    process = CrawlerProcess(settings={
        **settings,
        "ITEM_PIPELINES": {"spincheck.integrations.scrapy.SpincheckPipeline": 300},
        "SPINCHECK_DROP_SPUN": True,
        "FEEDS": {out_dir + "/items.json": {"format": "json", "encoding": "utf-8"}},
        "ROBOTSTXT_OBEY": False,
        "HTTPPROXY_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "DOWNLOAD_TIMEOUT": 10,
        "CLOSESPIDER_TIMEOUT": 40,
        "LOG_LEVEL": "INFO",
    })
    crawler = process.create_crawler(SiteSpider)
    crawler.signals.connect(on_dropped, signal=signals.item_dropped)
    process.crawl(crawler)
    process.start()
    with open(out_dir + "/dropped.json", "w", encoding="utf-8") as f:
        json.dump({"dropped": dropped, "stats": crawler.stats.get_stats()}, f, default=str)
    """
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, article: str, spun_article: str):
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(
        '<html><body><ul class="articles">'
        '<li><a href="clean.html">Library plan</a></li>'
        '<li><a href="spun.html">Library plan (copy)</a></li>'
        '<li><a href="letters.html">Letters</a></li>'
        "</ul></body></html>",
        encoding="utf-8",
    )
    (root / "clean.html").write_text(page("Council weighs new library", paragraphs_of(article)), encoding="utf-8")
    (root / "spun.html").write_text(page("Council weighs new library", paragraphs_of(spun_article)), encoding="utf-8")
    (root / "letters.html").write_text(page("Letters", paragraphs_of(article)), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def _reactorless_skip() -> list:
    import importlib.util

    scrapy_version = tuple(int(part) for part in scrapy.__version__.split(".")[:2])
    return [
        pytest.mark.skipif(scrapy_version < (2, 15), reason="Scrapy runs without a reactor from 2.15 on"),
        pytest.mark.skipif(
            importlib.util.find_spec("aiohttp") is None, reason="without a reactor Scrapy needs aiohttp"
        ),
    ]


BATCHED = {"SPINCHECK_BATCH_SIZE": 2, "SPINCHECK_BATCH_WAIT": 0.2}  # two pages in one batch, the third by the timer


@pytest.mark.slow
@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({}, id="unbatched"),
        pytest.param(BATCHED, id="batched-asyncio-reactor"),
        pytest.param(
            {**BATCHED, "TWISTED_REACTOR": "twisted.internet.selectreactor.SelectReactor"}, id="batched-select"
        ),
        pytest.param({**BATCHED, "TWISTED_REACTOR_ENABLED": False}, id="batched-no-reactor", marks=_reactorless_skip()),
    ],
)
def test_real_crawl_drops_spun_page(site: str, tmp_path: Path, detector: spincheck.Detector, settings: dict) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL_SCRIPT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), site, str(tmp_path), json.dumps(settings)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**_env(), "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # a crawl whose engine cannot start (Scrapy 2.13.0 under Twisted 26) still exits 0, writing no feed
    assert (tmp_path / "items.json").exists(), proc.stderr[-3000:]
    # a returned Deferred is deprecated (Scrapy 2.14); other packages' deprecations are not ours to fail on
    deferred = [line for line in proc.stderr.splitlines() if "Deprecation" in line and "Deferred" in line]
    assert not deferred, proc.stderr[-3000:]
    items = {item["url"].rsplit("/", 1)[1]: item for item in json.loads((tmp_path / "items.json").read_text())}
    report = json.loads((tmp_path / "dropped.json").read_text())

    # the clean pages are kept and marked clean
    assert set(items) == {"clean.html", "letters.html"}, proc.stderr[-3000:]
    for item in items.values():
        assert item["spin_flagged"] is False and item["spin_paragraphs"] == []
        assert item[MODEL_ID_FIELD] == detector.model_id  # a dict item, and a SpinItem
        assert 0.0 <= item["spin_probability"] <= round(detector.threshold, 4)
    assert "The city council met on Tuesday evening" in items["clean.html"]["text"]  # extracted from the HTML
    assert "Copyright" not in items["clean.html"]["text"]

    # the spun page is flagged, with evidence that points into the extracted text, and dropped
    [dropped] = report["dropped"]
    spun = dropped["item"]
    assert spun["url"].endswith("/spun.html") and "spun" in dropped["reason"]
    assert spun["spin_flagged"] is True and spun["spin_probability"] >= round(detector.threshold, 4)
    assert spun["spin_paragraphs"]
    for para in spun["spin_paragraphs"]:
        above = para["probability"] >= round(detector.threshold, 4)
        assert para["by_context"] is not above and para["evidence"]  # under the threshold only by context
        for ev in para["evidence"]:
            assert set(ev) == EVIDENCE_KEYS and spun["text"][ev["start"] : ev["end"]] == ev["phrase"]

    stats = report["stats"]
    assert stats["spincheck/scored"] == 3 and stats["spincheck/spun"] == 1 and stats["spincheck/dropped"] == 1
    assert stats["item_scraped_count"] == 2 and stats["item_dropped_count"] == 1


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
