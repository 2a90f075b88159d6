"""Streaming API: score_many and score_documents are lazy and agree with the batch calls."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
from helpers import same_result

from spincheck import Detector, Document


@pytest.fixture(scope="module")
def paragraphs(article: str, spun_article: str) -> list[str]:
    clean = [p for p in article.split("\n\n") if p.strip()]
    spun = [p for p in spun_article.split("\n\n") if p.strip()]
    long = " ".join(clean * 4)  # > 400 tokens: scored in windows
    odd = ["", "Too short to judge.", "Der Stadtrat hat am Dienstag den Plan für eine neue Bibliothek besprochen " * 3]
    return [p for pair in zip(clean, spun) for p in pair] + [long] + odd


def test_score_many_is_lazy(detector: Detector, paragraphs: list[str]) -> None:
    consumed = 0

    def texts():
        nonlocal consumed
        for i, text in enumerate(itertools.cycle(paragraphs[:6]), 1):
            if i == 9:
                raise RuntimeError("the stream broke at item 9")
            consumed += 1
            yield text

    stream = detector.score_many(texts(), batch_size=4)
    first = list(itertools.islice(stream, 4))
    assert len(first) == 4
    assert consumed == 4  # the fifth text was not pulled to produce the first batch
    assert len(list(itertools.islice(stream, 4))) == 4  # results 5-8 need only items 5-8
    with pytest.raises(RuntimeError, match="item 9"):
        next(stream)


@pytest.mark.parametrize("batch_size", [1, 3, 512])
def test_score_many_equals_score_paragraphs(detector: Detector, paragraphs: list[str], batch_size: int) -> None:
    expected = detector.score_paragraphs(paragraphs)
    got = list(detector.score_many(iter(paragraphs), batch_size=batch_size))
    assert len(got) == len(expected)
    assert all(same_result(a, b) for a, b in zip(got, expected))
    assert any(r.spun for r in got) and any(r.spun is False for r in got) and any(r.spun is None for r in got)


def test_score_many_rejects_bytes(detector: Detector) -> None:
    with pytest.raises(TypeError, match="decode"):
        list(detector.score_many([b"bytes, not text"]))


def test_a_dataframe_is_refused_not_scored_by_its_column_names(detector: Detector, article: str) -> None:
    """A pandas DataFrame iterates its column names: score_paragraphs(df) said "use score_many()
    for a stream", and score_many(df) then scored "text" and "url" as paragraphs, all too short."""

    class Frame:  # iterates as its column names, as a DataFrame does
        columns = ["text", "url"]

        def __iter__(self):
            return iter(self.columns)

    with pytest.raises(TypeError, match=r"df\['text'\]"):
        detector.score_paragraphs(Frame())
    for stream in (detector.score_many, detector.score_documents):
        with pytest.raises(TypeError, match=r"not a Frame, whose items are its column names"):
            stream(Frame())


def test_score_documents_one_per_text(detector: Detector, article: str, spun_article: str) -> None:
    texts = [article, "", spun_article, "Short."]
    docs = list(detector.score_documents(texts))
    assert len(docs) == len(texts)
    assert all(isinstance(d, Document) for d in docs)
    assert docs[1].paragraphs == () and not docs[1].spun
    for text, doc in zip(texts, docs):
        direct = detector.score_text(text)
        assert [(p.index, p.start, p.end, p.text) for p in doc.paragraphs] == [
            (p.index, p.start, p.end, p.text) for p in direct.paragraphs
        ]
        assert all(same_result(a.result, b.result) for a, b in zip(doc.paragraphs, direct.paragraphs))
    assert not docs[0].spun and docs[2].spun


def test_score_documents_is_lazy(detector: Detector, article: str) -> None:
    """Batched, like score_many: a broken stream surfaces only after the batches before it."""
    def texts():
        yield article
        yield article
        raise RuntimeError("the stream broke at text 3")

    # lazy per batch: the first two documents come out before the third is read
    stream = detector.score_documents(texts(), batch_size=2)
    assert len(list(itertools.islice(stream, 2))) == 2
    with pytest.raises(RuntimeError, match="text 3"):
        next(stream)


def test_import_spincheck_does_not_import_frameworks() -> None:
    code = (
        "import sys, spincheck, spincheck.integrations; "
        "heavy = {'scrapy', 'twisted', 'dask', 'distributed', 'trafilatura'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.strip() == "[]"
