"""The public API: paragraphs in, spin probabilities with evidence out (spincheck.detector).

Nothing here pins a model probability: tests assert types, invariants
(offsets, order, batch = one by one, threads = one thread) and verdicts on the
golden cases in ``tests/cases`` (see its README).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pickle
import random
import re
import shutil
import sys
import threading
import unicodedata
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from helpers import paragraphs_of, same_result

import spincheck
from spincheck import Detector, Document, Evidence, ModelError, Paragraph, Result
from spincheck.detector import (
    _CODE_CHARACTERS,
    _CODE_ONLY_CHARACTERS,
    CONTEXT_P,
    MAX_EVIDENCE,
    WINDOW_SNAP,
    WINDOW_TOKENS,
    _FOREIGN_FUNCTION_WORDS,
    _FUNCTION_WORDS,
    _OTHER_SPACE,
    URL_MARKS,
    TokenCounts,
    _link_marks,
    context_flags,
    language_reason,
    token_counts,
    window_cuts,
)
from spincheck.features import PARAGRAPH_FEATURE_NAMES
from spincheck.text import _COMBINING_CHARS, _INVISIBLE_CHARS, LINE_BREAKS, match_case, token_spans, tokenize

CASES = Path(__file__).resolve().parent / "cases"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CASE_FILES = ("spun.json", "clean.json", "known-failures.json")

FRENCH = (
    "Le gouvernement a annoncé lundi que les négociations avec les syndicats reprendraient la semaine "
    "prochaine dans la capitale, malgré les tensions."
)
RUSSIAN = (
    "Правительство объявило в понедельник, что переговоры с профсоюзами возобновятся на следующей неделе "
    "в столице, несмотря на напряженность."
)
CHINESE = (
    "政府星期一宣布，与工会的谈判将于下周在首都恢复，尽管局势紧张。这是一个很长的句子，用来测试检测器是否能够识别中文。"
)
TABLE = (
    "Region | 2021 | 2022 | Change\nNorth | 1,204 | 1,377 | +14%\nSouth | 988 | 1,002 | +1%\nEast | 2,310 | 2,141 | -7%"
)
NUMBERS = "2019 2020 2021 2022\n12.5 13.1 14.8 15.2\n3,400 3,550 3,700 3,925\n0.41 0.43 0.47 0.52"
PYTHON = (
    "def score(self, x):\n    for i in range(len(x)):\n        if x[i] is None: return self.default(x, i)\n"
    "    return sum(v * w for v, w in zip(x, self.weights))"
)
JAVASCRIPT = (
    "function update(items) {\n  const out = items.filter(x => x.active).map(x => x.id);\n"
    "  if (out.length === 0) return null;\n  return out.join(',');\n}"
)
URLS = "https://example.com/a/b?x=1 https://example.org/path/to/page.html https://example.net/a/list/of/links " * 3


@pytest.fixture(scope="module")
def paragraphs(article: str, spun_article: str) -> list[str]:
    clean, spun = paragraphs_of(article), paragraphs_of(spun_article)
    return [p for pair in zip(clean, spun) for p in pair]


def check_evidence(paragraph: str, result: Result) -> None:
    assert isinstance(result.evidence, tuple) and len(result.evidence) <= MAX_EVIDENCE
    for e in result.evidence:
        assert isinstance(e, Evidence)
        assert 0 <= e.start < e.end <= len(paragraph)
        assert paragraph[e.start : e.end] == e.phrase
        assert e.suggestion is None or (isinstance(e.suggestion, str) and e.suggestion)
        assert 0.0 <= e.strength <= 1.0
    strengths = [e.strength for e in result.evidence]
    assert strengths == sorted(strengths, reverse=True)


# ---- public API ----------------------------------------------------------------------------------


def test_public_names() -> None:
    assert set(spincheck.__all__) == {
        "Detector", "Document", "Evidence", "Paragraph", "Result", "ModelError", "__version__",
    }  # fmt: skip
    for name in spincheck.__all__:
        assert hasattr(spincheck, name)
    assert isinstance(spincheck.__version__, str) and re.match(r"\d+\.\d+", spincheck.__version__)
    assert issubclass(ModelError, Exception)


def test_type_checkers_see_the_public_names_and_no_others(tmp_path: Path) -> None:
    """py.typed promises types: ``__getattr__`` (which reads ``__version__`` lazily) made mypy
    type every name of the package as a str, so a misspelt ``spincheck.Detecter.load()`` was
    "str has no attribute load" and an unknown name passed unnoticed."""
    api = pytest.importorskip("mypy.api", reason="mypy is not installed")
    client = tmp_path / "client.py"
    client.write_text("import spincheck\nspincheck.Detecter\nversion: int = spincheck.__version__\n")
    init = Path(spincheck.__file__)
    # only the package's __init__: its imports as Any, about 0.5 s rather than 5 s with numpy's stubs
    out, _, _ = api.run(["--follow-imports=skip", "--no-incremental", "--cache-dir=/dev/null", str(client), str(init)])
    errors = sorted(line.split(": error: ")[1] for line in out.splitlines() if ": error: " in line)
    assert errors == [
        'Incompatible types in assignment (expression has type "str", variable has type "int")  [assignment]',
        'Module has no attribute "Detecter"; maybe "Detector"?  [attr-defined]',
    ]


@pytest.mark.slow
def test_the_package_type_checks() -> None:
    """py.typed promises types to the package's users: ``mypy spincheck`` with pyproject.toml's
    settings reports nothing (85 errors before the annotations were fixed). About 10 s, the whole
    package with numpy's stubs, read afresh as in a new checkout."""
    api = pytest.importorskip("mypy.api", reason="mypy is not installed")
    import importlib.util

    root = Path(spincheck.__file__).parent.parent
    if not (root / "pyproject.toml").is_file():
        pytest.skip("spincheck is installed, not run from its checkout")
    # the typed packages it imports: without them mypy cannot find their modules (the test extra installs them)
    typed = ("dask", "distributed", "itemadapter", "pypdf", "scrapy", "trafilatura", "twisted", "wordfreq")
    missing = [name for name in typed if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")
    if int(np.__version__.split(".")[0]) < 2:  # measured with 1.24.0: 2 errors in detector._token_counts
        pytest.skip("numpy before 2 types a uint8 array shifted by an int as signed, which |= refuses")
    config = str(root / "pyproject.toml")
    out, err, status = api.run(
        ["--config-file", config, "--no-incremental", "--cache-dir=/dev/null", str(root / "spincheck")]
    )
    assert status == 0, out + err
    assert out.startswith("Success: no issues found")


def test_every_module_exports_only_names_it_has() -> None:
    # `from spincheck.training import *` fails on a name left in __all__ after a rename
    import importlib
    import importlib.util
    import pkgutil

    for info in pkgutil.walk_packages(spincheck.__path__, "spincheck."):
        if info.name.startswith("spincheck.integrations.") or info.name.endswith(".__main__"):
            continue  # optional dependencies; running the command
        if info.name == "spincheck.estimator" and importlib.util.find_spec("sklearn") is None:
            continue  # training's estimator, scikit-learn's subclass (the train extra)
        module = importlib.import_module(info.name)
        missing = [name for name in getattr(module, "__all__", ()) if not hasattr(module, name)]
        assert missing == [], info.name


def test_every_package_and_model_file_is_in_the_distribution() -> None:
    """pyproject.toml lists the packages by hand: a new subpackage, or a model file of a new
    kind, would be left out of the wheel without an error anywhere."""
    import tomllib

    root = Path(spincheck.__file__).resolve().parents[1]
    if not (root / "pyproject.toml").is_file():
        pytest.skip("spincheck is installed from a wheel, not run from its checkout")
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = {".".join(init.parent.relative_to(root).parts) for init in (root / "spincheck").rglob("__init__.py")}
    assert packages | {"spincheck._models"} == set(config["packages"])
    shipped = config["package-data"]["spincheck._models"]
    models = root / config["package-dir"]["spincheck._models"]
    for path in models.iterdir():
        if path.is_file() and not path.name.startswith((".", "__init__")):
            assert any(path.match(pattern) for pattern in shipped), path.name


def test_load_returns_a_ready_detector(detector: Detector, shipped_model_dir: Path) -> None:
    assert isinstance(detector, Detector)
    assert detector.path == shipped_model_dir
    assert 0.0 < detector.threshold < 1.0
    assert detector.min_words > 0


def test_a_paragraph_in_capitals_scores_as_in_lower_case(detector: Detector, paragraphs: list[str]) -> None:
    # house style, not spinning: a wire story set in capitals is the same words; with every word
    # marked as capitalised, clean paragraphs of it scored 0.46 on average instead of 0.2
    texts = paragraphs[:4]
    upper = detector.score_paragraphs([t.upper() for t in texts])
    lower = detector.score_paragraphs([t.lower() for t in texts])
    assert [r.probability for r in upper] == pytest.approx([r.probability for r in lower], abs=1e-9)


def test_result_types(detector: Detector, paragraphs: list[str]) -> None:
    results = detector.score_paragraphs(paragraphs, explain=True)
    assert isinstance(results, list) and all(isinstance(r, Result) for r in results)
    for paragraph, r in zip(paragraphs, results):
        assert isinstance(r.probability, float) and 0.0 <= r.probability <= 1.0
        assert r.spun is None or isinstance(r.spun, bool)
        assert isinstance(r.words, int) and r.words > 0
        check_evidence(paragraph, r)
        # plain Python values, as docs/library.md says, so dataclasses.asdict(r) is JSON-ready: no numpy
        # float64 (whose repr is "np.float64(0.5)") or numpy bool_ (which json.dumps refuses)
        assert type(r.probability) is float and type(r.spun) in (bool, type(None)) and type(r.words) is int
        assert {type(v) for e in r.evidence for v in e} <= {str, int, float, type(None)}
        assert json.loads(json.dumps(dataclasses.asdict(r)))["evidence"] == [list(e) for e in r.evidence]
    with pytest.raises(dataclasses.FrozenInstanceError):
        results[0].spun = True  # results are immutable


def test_score_no_paragraphs(detector: Detector) -> None:
    assert detector.score_paragraphs([]) == []
    doc = detector.score_text("")
    assert isinstance(doc, Document) and doc.paragraphs == ()
    assert doc.spun is False and doc.probability == 0.0 and doc.flagged == [] and doc.scored == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(None, "NoneType", id="None"),
        pytest.param(42, "int", id="int"),
        pytest.param(3.5, "float", id="float"),
        pytest.param("one paragraph as a str", "score_text", id="str"),
        pytest.param({"text": "a dict"}, "dict", id="dict"),
        pytest.param((p for p in ["a generator"]), "use score_many() for a stream", id="generator"),
        pytest.param(np.array(["a numpy array"]), "pass array.tolist()", id="ndarray"),
        pytest.param([b"bytes in a list"], "decode", id="list-of-bytes"),
        pytest.param(bytearray(b"a bytearray"), "decode", id="bytearray"),
        pytest.param([memoryview(b"a view")], "decode", id="list-of-memoryview"),
        pytest.param(["fine", None], "paragraph 1 is NoneType", id="list-with-None"),
        pytest.param([3], "paragraph 0 is int", id="list-of-int"),
        pytest.param([["nested", "list"]], "paragraph 0 is list", id="nested-list"),
        pytest.param(
            b"bytes, not text",
            "decode",
            id="bytes",
        ),
    ],
)
def test_score_paragraphs_rejects_wrong_types(detector: Detector, value, message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        detector.score_paragraphs(value)


def test_explain_must_be_true_or_false(detector: Detector) -> None:
    """A "false" from a settings file is a true string: it explained every paragraph, refused now
    before anything is scored, as document_context is (a stream too, not at its first batch)."""
    calls = {
        "score_paragraphs": lambda e: detector.score_paragraphs(["A text."], explain=e),
        "score_text": lambda e: detector.score_text("A text.", explain=e),
        "score_many": lambda e: detector.score_many(iter([]), explain=e),
        "score_documents": lambda e: detector.score_documents(iter([]), explain=e),
    }
    for method, call in calls.items():
        for bad in ("false", 2, 1.0, None):
            with pytest.raises(TypeError, match=re.escape(f"{method}() takes explain=True or False, not {bad!r}")):
                call(bad)
        assert call(np.bool_(True)) is not None
        assert call(1) is not None and call(np.int64(0)) is not None  # as before the check


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"bytes", "decode"),
        (None, "takes a str, not NoneType"),
        (["a list"], "not list (score_paragraphs() for one text's paragraphs, score_documents() for many texts)"),
        (iter(["pages"]), "not list_iterator (score_paragraphs() for one text's paragraphs, score_documents()"),
        ({"id": 1, "text": "A record."}, "not dict (pass the text it holds, e.g. record['text'])"),  # not its keys
    ],
)
def test_score_text_rejects_wrong_types(detector: Detector, value, message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        detector.score_text(value)


@pytest.mark.parametrize("method", ["score_many", "score_documents"])
def test_streams_refuse_one_text(detector: Detector, method: str) -> None:
    """A str is an iterable of letters: scored as such it would give one result per character."""
    with pytest.raises(TypeError, match=r"takes an iterable of str .*not one str \(wrap it in a list\)"):
        getattr(detector, method)("One text, not a list of them.")
    with pytest.raises(TypeError, match="not int"):
        getattr(detector, method)(42)


def test_apply_document_context_and_features_name_themselves_and_want_a_list(detector: Detector) -> None:
    """They said "use score_many() for a stream" (which judges no document), and features() called itself
    score_paragraphs()."""
    paragraphs = ["One short paragraph."]
    results = detector.score_paragraphs(paragraphs)
    with pytest.raises(TypeError, match=r"^apply_document_context\(\) .*got generator \(pass a list of them\)$"):
        detector.apply_document_context((p for p in paragraphs), results)
    with pytest.raises(TypeError, match=r"^features\(\) .*got set \(pass a list of them\)$"):
        detector.features(set(paragraphs))


@pytest.mark.parametrize("method", ["score_many", "score_documents"])
@pytest.mark.parametrize("data", [b"One text.", bytearray(b"One text."), memoryview(b"One text.")])
def test_streams_refuse_one_text_as_bytes(detector: Detector, method: str, data) -> None:
    """A bytearray or memoryview iterates as ints: "item 0 of the stream is int" said nothing of decoding."""
    kind = type(data).__name__
    with pytest.raises(TypeError, match=rf"not one {kind} \(decode it, then wrap it in a list\)"):
        getattr(detector, method)(data)


@pytest.mark.parametrize("method", ["score_many", "score_documents"])
def test_a_bad_item_in_a_stream_is_named_by_its_position_after_the_results_before_it(
    detector: Detector, method: str, paragraphs: list[str]
) -> None:
    stream = iter(paragraphs[:3] * 3 + [None] + paragraphs[:2])
    got = []
    with pytest.raises(TypeError, match=r"^item 9 of the stream is NoneType, not str$"):
        for result in getattr(detector, method)(stream, batch_size=4):
            got.append(result)
    assert len(got) == 9  # two full batches and the part of the third before the bad item
    with pytest.raises(ValueError, match=re.escape(f"{method}() takes a batch_size of at least 1, not 0")):
        getattr(detector, method)(paragraphs, batch_size=0)


@pytest.mark.parametrize("method", ["score_many", "score_documents"])
def test_a_stream_that_fails_gives_the_results_of_what_it_gave_first(
    detector: Detector, method: str, paragraphs: list[str]
) -> None:
    """A crawl whose source raised after 10 pages lost those pages' results (a batch is 256-512)."""

    def pages():
        yield from paragraphs[:10]
        raise ConnectionError("the crawl's source went away")

    got = []
    with pytest.raises(ConnectionError, match="went away"):
        for result in getattr(detector, method)(pages()):
            got.append(result)
    expected = getattr(detector, method)(paragraphs[:10])
    assert len(got) == 10 and [repr(r) for r in got] == [repr(r) for r in expected]


def test_settings_of_a_loaded_detector_cannot_be_changed_under_its_threads(detector: Detector) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        detector.threshold = 0.01  # type: ignore[misc]
    lenient = dataclasses.replace(detector, threshold=0.01)
    assert detector.threshold > 0.5 and lenient.threshold == 0.01  # a copy; the shared one is unchanged


def test_each_document_of_a_batch_is_judged_on_its_own(detector: Detector) -> None:
    # a paragraph in the context band, alone in its document, beside a spun document that meets
    # the rule: judged with the batch as one document, it would be flagged by context
    spun = (Path(__file__).resolve().parents[1] / "examples" / "spun.txt").read_text(encoding="utf-8")
    doc = detector.score_text(spun)
    probs = sorted(p.result.probability for p in doc.scored)
    assert len(probs) >= 3 and probs[-3] >= CONTEXT_P
    strict = dataclasses.replace(detector, threshold=(probs[-2] + probs[-3]) / 2)
    band = next(p.text for p in doc.scored if p.result.probability == probs[-3])
    texts = [band, spun, band]
    batched = list(strict.score_documents(texts))
    alone = [strict.score_text(t) for t in texts]
    assert [[(p.result.spun, p.result.by_context) for p in d.paragraphs] for d in batched] == [
        [(p.result.spun, p.result.by_context) for p in d.paragraphs] for d in alone
    ]
    assert batched[0].paragraphs[0].result.spun is False and any(p.result.by_context for p in batched[1].paragraphs)
    # and the rule is off when the detector says so, whoever applies it
    paragraphs = [p.text for p in doc.paragraphs]
    results = strict.score_paragraphs(paragraphs)
    assert strict.apply_document_context(paragraphs, results) != results
    assert dataclasses.replace(strict, document_context=False).apply_document_context(paragraphs, results) == results


def test_document_context_needs_each_paragraph_with_its_result(detector: Detector, paragraphs: list[str]) -> None:
    results = detector.score_paragraphs(paragraphs[:3])
    for given in (2, 4):  # a paragraph short, or one over: either misaligns every result after it
        with pytest.raises(ValueError, match=f"got {given} paragraphs and 3 results"):
            detector.apply_document_context(paragraphs[:given], results)
    for texts, given, message in [
        (None, [], "got NoneType"),
        ("abc", [], "use score_text() for one text"),  # not three paragraphs of one letter
        (paragraphs[:2], [0.99, 0.99], "result 0 is float, not a Result"),
        (paragraphs[:2], None, "not NoneType"),
        ([b"x", *paragraphs[:2]], results, "paragraph 0 is bytes"),  # checked even where nothing is rescored
    ]:
        with pytest.raises(TypeError, match=re.escape(message)):
            detector.apply_document_context(texts, given)


def test_detectors_compare_by_model_and_settings(detector: Detector) -> None:
    again = Detector.load(detector.path)
    assert again == detector and hash(again) == hash(detector) and {detector: 1}[again] == 1
    assert again in [detector] and pickle.loads(pickle.dumps(detector)) == detector
    assert dataclasses.replace(detector, threshold=0.5) != detector
    assert dataclasses.replace(detector, min_words=5) != detector
    assert dataclasses.replace(detector, document_context=False) != detector
    assert detector != "a detector"


def test_a_copy_of_the_model_elsewhere_is_another_detector(detector: Detector, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    copy.mkdir()
    for f in detector.path.iterdir():  # the same files, linked rather than copied (77 MB)
        if f.is_file():
            (copy / f.name).symlink_to(f)
    assert Detector.load(copy) != detector  # equal only when loaded from the same directory
    assert Detector.load(copy) == Detector.load(str(copy))


def test_replace_stores_settings_as_load_does(detector: Detector) -> None:
    one = dataclasses.replace(detector, threshold=1, min_words=np.int64(5))
    assert type(one.threshold) is float and type(one.min_words) is int
    assert one == Detector.load(detector.path, threshold=1.0, min_words=5)
    for bad in ("false", 0, None):  # "false" is a true string: it must not switch the rule on
        with pytest.raises(TypeError, match="document_context must be True or False"):
            Detector.load(detector.path, document_context=bad)
        with pytest.raises(TypeError, match="document_context must be True or False"):
            dataclasses.replace(detector, document_context=bad)
    for name in ("threshold", "min_words"):
        with pytest.raises(ValueError, match=f"{name} must be given, not None"):
            dataclasses.replace(detector, **{name: None})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": float("nan")}, "threshold must be a probability from 0 to 1, not nan"),
        ({"threshold": 1.5}, "not 1.5"),
        ({"threshold": -0.1}, "not -0.1"),
        ({"threshold": "0.9"}, "not '0.9'"),
        ({"min_words": 0}, "min_words must be a whole number of at least 1, not 0"),
        ({"min_words": 2.5}, "not 2.5"),
        ({"threshold": True}, "not True"),  # a bool is an int to Python, not a probability
        ({"min_words": True}, "not True"),
    ],
)
def test_load_refuses_a_threshold_or_length_that_cannot_work(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Detector.load(**kwargs)


def test_load_expands_a_home_directory(shipped_model_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """ "~/models" from a settings file (Scrapy's SPINCHECK_MODEL) has no shell to expand it: it was
    "model directory ~/models does not exist"."""
    (tmp_path / "models").symlink_to(shipped_model_dir)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Detector.load("~/models").path == shipped_model_dir.resolve()


@pytest.mark.parametrize(
    ("path", "message"),
    [(b"/models", "not bytes (decode it first, e.g. os.fsdecode(path))"), (3, "not int"), (["models/"], "not list")],
)
def test_load_refuses_a_path_that_is_not_one(path: object, message: str) -> None:
    """Path() said "argument should be a str object or an os.PathLike object returning str, not
    <class 'bytes'>": no method named, nothing to do."""
    expected = "Detector.load() takes a model directory as a str or Path, " + message
    with pytest.raises(TypeError, match="^" + re.escape(expected)):
        Detector.load(path)


def test_load_takes_numpy_numbers(detector: Detector) -> None:
    loaded = Detector.load(detector.path, threshold=np.float32(0.5), min_words=np.int64(8))
    assert (loaded.threshold, loaded.min_words) == (0.5, 8)


def test_empty_strings_are_not_scored(detector: Detector) -> None:
    results = detector.score_paragraphs(["", "   ", "\n\t\n"])
    assert [(r.spun, r.reason, r.probability, r.evidence, r.words) for r in results] == [
        (None, "empty", 0.0, (), 0)
    ] * 3


def test_one_result_per_input_in_order(detector: Detector, article: str) -> None:
    english = paragraphs_of(article)[0]
    inputs = ["", FRENCH, english, "Too short to judge.", TABLE, english, "   ", RUSSIAN]
    results = detector.score_paragraphs(inputs)
    assert len(results) == len(inputs)
    assert [r.reason for r in results] == [
        "empty", "not English", None, "too short", "not prose", None, "empty", "not English",
    ]  # fmt: skip
    assert same_result(results[2], results[5])


def test_headlines_under_the_minimum_are_too_short_not_foreign(detector: Detector) -> None:
    """A headline of FUNCTION_WORD_MIN_WORDS words or more, without function words, is "too short"
    under the minimum (391 of the BBC titles were "not English"); with the minimum lowered to its
    length, the function words are counted and tell, as for any scored paragraph."""
    headline, french = "Ad sales boost Time Warner profit", "Le gouvernement annonce mardi des mesures"
    assert [r.reason for r in detector.score_paragraphs([headline, french])] == ["too short", "too short"]
    low = dataclasses.replace(detector, min_words=6)
    assert [r.reason for r in low.score_paragraphs([headline, french])] == ["not English", "not English"]


def test_headings_are_too_short_not_foreign(detector: Detector) -> None:
    """A few words say nothing about function words: headings are "too short"; scripts still tell."""
    texts = ["Methods", "1 Background", "Results and discussion", "\u653f\u5e9c\u661f\u671f\u4e00\u5ba3\u5e03", "***"]
    assert [r.reason for r in detector.score_paragraphs(texts)] == [
        "too short", "too short", "too short", "not English", "not prose",
    ]  # fmt: skip
    # from FUNCTION_WORD_MIN_WORDS words on, function words tell (with --min-words as low)
    assert [language_reason(t, tokenize(t)) for t in ("Le chat dort sur le lit.", "Le chat dort sur lit.")] == [
        "not English",
        None,
    ]
    # only symbols or emoji is not empty either; only whitespace is
    assert [r.reason for r in detector.score_paragraphs(["\U0001f600 \U0001f44d", "'''", " \t "])] == [
        "not prose",
        "not prose",
        "empty",
    ]


def test_verdict_follows_threshold(detector: Detector, paragraphs: list[str]) -> None:
    results = detector.score_paragraphs(paragraphs)
    for r in results:
        assert r.spun == (r.probability >= detector.threshold)
    assert any(r.spun for r in results) and any(r.spun is False for r in results)
    everything = dataclasses.replace(detector, threshold=0.0)
    assert all(r.spun for r in everything.score_paragraphs(paragraphs))
    for threshold in (0.5, 1.0):  # at 1.0 only a probability that rounds to 1.0 is flagged
        at = dataclasses.replace(detector, threshold=threshold)
        assert [r.spun for r in at.score_paragraphs(paragraphs)] == [r.probability >= threshold for r in results]
    with pytest.raises(ValueError, match="threshold must be a probability from 0 to 1, not 1.01"):
        dataclasses.replace(detector, threshold=1.01)  # checked in a copy as in Detector.load


def test_flagged_paragraphs_come_with_evidence(detector: Detector, paragraphs: list[str]) -> None:
    results = detector.score_paragraphs(paragraphs)
    flagged = [(p, r) for p, r in zip(paragraphs, results) if r.spun]
    assert flagged
    assert any(r.evidence for _, r in flagged)
    for p, r in zip(paragraphs, results):
        check_evidence(p, r)
        if not r.spun:
            assert r.evidence == ()  # computed only on request for unflagged paragraphs


def test_explain_gives_evidence_with_valid_offsets(detector: Detector, paragraphs: list[str]) -> None:
    plain = detector.score_paragraphs(paragraphs)
    explained = detector.score_paragraphs(paragraphs, explain=True)
    for p, a, b in zip(paragraphs, plain, explained):
        check_evidence(p, b)
        assert a.probability == b.probability and a.spun == b.spun  # explaining does not change the score
    assert sum(len(r.evidence) for r in explained) > sum(len(r.evidence) for r in plain)


def test_evidence_is_strongest_first_and_ties_go_by_position(detector: Detector, spun_article: str) -> None:
    """A repeated spun sentence gives equal strengths; they must come in text order, in a batch or alone."""
    paragraph = next(p for p in spun_article.split("\n\n") if p.strip())
    doubled = paragraph + " " + paragraph
    (alone,) = detector.score_paragraphs([doubled], explain=True)
    batch = detector.score_paragraphs(
        ["An unrelated clean paragraph about the weather this week in town.", doubled], explain=True
    )
    keys = [(-e.strength, e.start) for e in alone.evidence]
    assert keys == sorted(keys)
    assert len({e.strength for e in alone.evidence}) < len(alone.evidence), "the repeat gives ties"
    assert [e[:4] for e in batch[1].evidence] == [e[:4] for e in alone.evidence]


def test_min_words_boundary(detector: Detector) -> None:
    words = "the council said that the new library would open in the spring of next year after all".split()
    n = detector.min_words
    short = " ".join(words[: n - 1]) + "."
    enough = " ".join(words[:n]) + "."
    a, b = detector.score_paragraphs([short, enough])
    assert (a.spun, a.reason, a.words) == (None, "too short", n - 1)
    assert b.spun is not None and b.reason is None and b.words == n


# ---- documents -----------------------------------------------------------------------------------


def test_score_text_offsets_point_into_the_text(detector: Detector, article: str, spun_article: str) -> None:
    headline = "Council weighs a plan for the new library"
    text = headline + "\r\n\r\n" + article.replace("\n\n", "\r\n\r\n") + "\n\n\n" + spun_article + "\n  \n"
    doc = detector.score_text(text, explain=True)
    assert isinstance(doc, Document) and doc.threshold == detector.threshold
    assert [p.index for p in doc.paragraphs] == list(range(len(doc.paragraphs)))
    assert len(doc.paragraphs) == 1 + 2 * len(paragraphs_of(article))
    for p in doc.paragraphs:
        assert isinstance(p, Paragraph)
        assert text[p.start : p.end] == p.text and p.text == p.text.strip() and "\r" not in p.text
        check_evidence(p.text, p.result)
    texts = [p.text for p in doc.paragraphs]
    results = detector.apply_document_context(texts, detector.score_paragraphs(texts, explain=True))
    assert all(same_result(p.result, r) for p, r in zip(doc.paragraphs, results))
    assert doc.paragraphs[0].result.reason == "too short"
    assert doc.spun == bool(doc.flagged) and doc.flagged
    assert doc.probability == max(p.result.probability for p in doc.scored)


def _result(p: float | None) -> Result:
    return Result(0.0, None, "too short") if p is None else Result(p, p >= 0.95)


@pytest.mark.parametrize(
    ("probabilities", "expected"),
    [
        # 2 of 10 scored at the threshold (20 %): the 0.85 paragraph is flagged, 0.7 is not
        ([0.99, 0.97, 0.85, 0.7] + [0.1] * 6, [False, False, True, False] + [False] * 6),
        # 2 of 11 is under a fifth: a long clean document with two odd paragraphs is left alone
        ([0.99, 0.97, 0.85, 0.7] + [0.1] * 7, [False] * 11),
        # one paragraph at the threshold is never enough
        ([0.99, 0.85, 0.9], [False] * 3),
        # unscored paragraphs neither count nor get flagged
        ([0.99, 0.97, None, None, None, 0.81], [False, False, False, False, False, True]),
    ],
)
def test_context_flags_rule(probabilities: list, expected: list[bool]) -> None:
    assert context_flags([_result(p) for p in probabilities], 0.95) == expected
    # with a threshold under the context floor, the context adds nothing
    assert not any(context_flags([_result(p) for p in probabilities], 0.5))


def test_context_flags_floor_can_be_moved() -> None:
    """eval_documents.py --context-floor measures other floors through this parameter."""
    results = [_result(p) for p in (0.99, 0.97, 0.85, 0.7, 0.5, 0.1)]
    assert context_flags(results, 0.95) == [False, False, True, False, False, False]
    assert context_flags(results, 0.95, floor=0.6) == [False, False, True, True, False, False]
    assert context_flags(results, 0.95, floor=0.9) == [False] * 6


def test_score_text_flags_a_spun_documents_other_paragraphs(detector: Detector, spun_article: str) -> None:
    """A paragraph under the threshold in a document of flagged ones is flagged, with evidence."""
    probs = sorted((r.probability for r in detector.score_paragraphs(paragraphs_of(spun_article))), reverse=True)
    fewest = max(2, -(-len(probs) * 2 // 10))  # enough paragraphs above the threshold for the rule
    high = [k for k in range(fewest, len(probs)) if probs[k] >= CONTEXT_P]
    assert high  # the spun article scores high throughout
    k = max(high, key=lambda k: probs[k - 1] - probs[k])  # the widest gap, so that float noise cannot matter
    if probs[k - 1] - probs[k] < 1e-9:
        pytest.skip("the spun article's paragraphs score alike; no threshold separates them")
    strict = dataclasses.replace(detector, threshold=(probs[k] + probs[k - 1]) / 2)
    doc = strict.score_text(spun_article)
    by_context = [p for p in doc.paragraphs if p.result.by_context]
    assert by_context and all(p.result.spun and p.result.evidence for p in by_context)
    assert all(CONTEXT_P <= p.result.probability < strict.threshold for p in by_context)
    for p in by_context:
        check_evidence(p.text, p.result)
    assert len(doc.flagged) == sum(1 for x in probs if x >= CONTEXT_P)
    # each paragraph on its own, or with the context switched off: only the threshold counts
    alone = strict.score_paragraphs([p.text for p in doc.paragraphs])
    assert not any(r.by_context for r in alone) and sum(bool(r.spun) for r in alone) == k
    plain = dataclasses.replace(strict, document_context=False).score_text(spun_article)
    assert [p.result.spun for p in plain.paragraphs] == [r.spun for r in alone]
    first, empty, second = strict.score_documents([spun_article, "", spun_article])
    for other in (first, second):
        assert all(same_result(a.result, b.result) for a, b in zip(other.paragraphs, doc.paragraphs))
    assert empty.paragraphs == ()


def test_batch_equals_one_by_one(detector: Detector, paragraphs: list[str]) -> None:
    odd = ["", "Too short.", FRENCH, TABLE]
    inputs = paragraphs + odd + [" ".join(paragraphs[:4])]
    batch = detector.score_paragraphs(inputs, explain=True)
    alone = [detector.score_paragraphs([p], explain=True)[0] for p in inputs]
    mismatched = [i for i, (a, b) in enumerate(zip(batch, alone)) if not same_result(a, b)]
    assert mismatched == []


def test_a_number_is_never_evidence(detector: Detector) -> None:
    """No spinner swaps digits, but a number written without thousands separators ("4790000") has
    a rare shape: it was evidence, with nothing to suggest, in 449 of 699 spans of such Reuters
    paragraphs. The words around it still can be."""
    paragraphs = [
        "Harbor Bridge Partners said it filed a registration statement with the securities regulator "
        "covering a proposed offering of 4790000 units of limited partnership interests.",
        "The county council said on Tuesday that it had approved a budget of 16568000 dlrs for the coming "
        "year, up from 14220000 dlrs, to pay for 37000 new school places.",
    ]
    results = detector.score_paragraphs(paragraphs, explain=True)
    phrases = [e.phrase for r in results for e in r.evidence]
    assert phrases and all(any(c.isalpha() for c in phrase) for phrase in phrases)
    for text, result in zip(paragraphs, results):
        check_evidence(text, result)


def test_a_suggestion_fits_the_article_before_it(detector: Detector) -> None:
    """A spinner leaves the "a"/"an" before the word it swaps, so the original fitted the article:
    "an rising economy" was "an emerging economy", and "growing" (the best gain, which it was
    suggested before) is never the original; "an cat" had no candidate that fits "an"."""
    paragraphs = [
        "Manufacturers are facing an rising battle, the specialists stated, as numerous households "
        "consider the costs extremely excessive for an rising economy.",
        "The worth of gold fell to $413.50 an cat in Asia, and specialists stated the metallic would "
        "stay extremely unstable for the remainder of the yr.",
    ]
    results = detector.score_paragraphs(paragraphs, explain=True)
    suggested = {(i, e.phrase): e.suggestion for i, r in enumerate(results) for e in r.evidence}
    assert suggested[0, "rising"] == "emerging"
    assert suggested[1, "cat"] is None
    for text, result in zip(paragraphs, results):
        check_evidence(text, result)


def test_a_suggestion_reads_the_words_after_the_next_one(detector: Detector) -> None:
    """The suggestion is chosen with every trigram its word is in: "has coated the way" was "has
    paved the way", which only the trigram "paved the way" tells; scored up to "the" alone,
    "surfaced" was suggested."""
    text = (
        "The new agreement has coated the way for closer trade between the two countries, officials "
        "said on Tuesday after the talks ended."
    )
    result = detector.score_paragraphs([text], explain=True)[0]
    assert ("coated", "paved") in [(e.phrase, e.suggestion) for e in result.evidence]
    check_evidence(text, result)


# ---- what is not scored --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(FRENCH, "not English", id="french"),
        pytest.param(RUSSIAN, "not English", id="russian"),
        pytest.param(CHINESE, "not English", id="chinese"),
        # its "i", "at" and "en" count as English and French: it passed as English, scoring 0.95
        pytest.param(
            "Regeringen har i dag fremlagt et nyt forslag om at styrke den danske økonomi, og ministeren siger at "
            "det er vigtigt at komme i gang hurtigt, fordi mange virksomheder har brug for hjælp.",
            "not English",
            id="danish",
        ),
        # its "a" and "no" count as English: Portuguese news passed as English with more English
        # function words than Portuguese ones
        pytest.param(
            "A empresa registrou lucro recorde no segundo trimestre, impulsionada pela forte demanda por seus "
            "produtos no mercado interno e pela alta das exportações para a Ásia.",
            "not English",
            id="portuguese",
        ),
        pytest.param(
            "A seleção brasileira venceu a Argentina por dois a zero em partida disputada no estádio do "
            "Maracanã, com gols marcados no segundo tempo por Vinícius e Rodrygo.",
            "not English",
            id="portuguese-tie",
        ),
        pytest.param(TABLE, "not prose", id="table"),
        pytest.param(NUMBERS, "not prose", id="numbers"),
        pytest.param(PYTHON, "not prose", id="python"),
        pytest.param(JAVASCRIPT, "not prose", id="javascript"),
        pytest.param(URLS, "not prose", id="urls"),
    ],
)
def test_not_english_or_not_prose_is_not_scored(detector: Detector, text: str, reason: str) -> None:
    (result,) = detector.score_paragraphs([text], explain=True)
    assert result.spun is None
    assert result.probability == 0.0 and result.evidence == ()
    assert result.reason == reason


RECORDS = {
    "front matter": 'title: "Blinken eyes U.S. inroads in Central Asia as Ukraine rattles nerves"\n'
    'description: "The top U.S. diplomat will hold talks Tuesday with the leaders of the five countries"',
    "json": '{"title": "Blinken eyes U.S. inroads in Central Asia", "summary": "The top diplomat will hold talks"}',
    "log": "2023-03-07 14:02:11,532 INFO [main] Starting the server on port 8080 with four worker threads\n"
    "2023-03-07 14:02:12,101 WARN [worker-2] Connection to the database was lost after thirty seconds",
    "syslog": "Mar  7 14:02:12 web01 systemd[1]: Started Session 4821 of user deploy and the login manager "
    "reported no errors at all",
    "csv": 'country,capital,population,note\nKazakhstan,Astana,19 million,"The largest landlocked country"\n'
    'Uzbekistan,Tashkent,35 million,"The most populous of the five republics"',
    "tsv": "Linda Ortiz\tMayor\tExecutive Office\t2019-01-07\tRe-elected in 2023 after a close race with the "
    "former deputy mayor of the town",
}


@pytest.mark.parametrize("text", RECORDS.values(), ids=RECORDS.keys())
def test_lines_of_records_are_not_prose(detector: Detector, text: str) -> None:
    """Front matter, JSON, logs and tables were scored as prose; a clean post's
    "description: ..." line was flagged."""
    (result,) = detector.score_paragraphs([text])
    assert (result.spun, result.reason) == (None, "not prose")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_code_with_any_line_ends_is_not_prose(detector: Detector, newline: str) -> None:
    """A line's closing ";" marks code at CRLF and CR line ends too: at LF alone, this CSS with
    CRLF line ends lost five of its seven marks and was scored as prose (0.73)."""
    css = (
        "body {\n  margin: 0 auto;\n  font-family: the sans serif font of the page;\n  color: black;\n"
        "  background: white;\n  padding: the same as the margin;\n}"
    ).replace("\n", newline)
    (result,) = detector.score_paragraphs([css])
    assert result.reason == "not prose"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_front_matter_is_not_prose(detector: Detector, newline: str) -> None:
    """With CRLF or CR line ends (score_text takes strings as they come) as with LF: its lines were
    scored one by one, and with CR, once one paragraph, as one line of prose."""
    text = (
        '---\ntitle: "Blinken eyes U.S. inroads in Central Asia as Ukraine rattles nerves"\ntags:\n  - diplomacy\n'
        'description: "The top U.S. diplomat will hold talks Tuesday with the leaders of the five countries"\n---\n\n'
        "The council voted on Tuesday night to replace the old harbor bridge, ending a long debate among residents."
    ).replace("\n", newline)
    assert [p.result.reason for p in detector.score_text(text).paragraphs] == ["not prose", None]
    (result,) = detector.score_paragraphs([RECORDS["front matter"].replace("\n", newline)])
    assert result.reason == "not prose"


def test_prose_that_looks_like_a_record_in_one_line_is_still_prose(detector: Detector, article: str) -> None:
    """A paragraph is records only when every line is one, and a single line only in the forms
    prose never takes: a lead that starts with a label or a quotation and a colon, and a comment
    without spaces after its commas, are prose (as prefixes, they hid 209 of 209 flagged spins)."""
    texts = [
        'Just last week a mother wrote to me. "Not 12 hours before," she wrote, "my husband and I," she '
        "went on, and then she stopped for a while before she finished the letter to the office.",
        "note: the council voted on Tuesday night to replace the old harbor bridge,\n"
        "ending a long debate among the residents of the town about its cost and its design.",
        "plot : a dude and his brother are driving cross-country and decide to fool around with a trucker "
        "on their cb radio .",  # a tokenized film review: the label is no key
        "update: the company said on Tuesday that it would close two of its plants before the end of the year.",
        '"We will not back down": protesters marched through the capital on Saturday for the third week running.',
        "the food was great,the staff were friendly,and we would come back to this place again next summer.",
        paragraphs_of(article)[1],
    ]
    assert [r.reason for r in detector.score_paragraphs(texts)] == [None] * len(texts)


def test_a_web_address_in_a_sentence_is_prose_and_a_list_of_links_is_not() -> None:
    """An address's slashes counted as code: one link in a short mail or post made it "not prose"."""
    prose = [
        "To increase your email quota limit to 10 GB, click the link below: "
        "http://www.example.ca/formgen/use/loginphp/form1.html Thank you for your understanding.",
        "You can read the full report at https://www.example.gov.uk/reports/2023/annual-report.pdf, where the "
        "figures for each region are set out.",
    ]
    links = [
        "Read more: How the war in Ukraine changed Europe https://news.example.com/world/2023/ukraine-europe Why "
        "the price of oil is falling again https://news.example.com/business/oil-price The best films of the "
        "year so far https://news.example.com/culture/films-2023",
        "Home https://example.com/ | About us https://example.com/about/ | Terms of use https://example.com/terms/ "
        "| Privacy and cookies https://example.com/privacy/ | Contact the newsroom https://example.com/contact/",
    ]
    assert [language_reason(t, tokenize(t)) for t in prose] == [None, None]
    assert [language_reason(t, tokenize(t)) for t in links] == ["not prose", "not prose"]


@pytest.mark.parametrize("mark", ["\u0307", "\u0323"])
def test_a_web_address_in_dotted_text_written_precomposed_is_prose_as_the_plain_one(mark: str) -> None:
    """A dot on every character, one character a letter where Unicode has one ("\u1e23\u1e6b\u1e6b
    \u1e57\u1e61:\u0307/\u0307/"): the address was not found, and its slashes counted as code made a
    short paragraph "not prose"."""
    plain = "The central bank said on Thursday it would keep its key rate at 4.5 percent. (https://example.com/a/b)"
    dotted = unicodedata.normalize("NFC", "".join(c + mark for c in plain))
    assert language_reason(plain, tokenize(plain)) is None
    assert language_reason(dotted, tokenize(dotted)) is None


@pytest.mark.parametrize(("gap", "word_gap"), [("\u200a", " "), (" ", "   "), ("\u3164", " ")])
def test_a_letter_spaced_paragraph_with_a_web_address_is_prose_as_the_plain_one(gap: str, word_gap: str) -> None:
    """The tokens read a letter-spaced address ("h\u200at\u200at\u200ap\u200as\u200a:\u200a/\u200a/")
    as spaces; the language gate found none, and its slashes counted as code made the paragraph "not
    prose" (fuzz.py's disguises, a 29-word paragraph)."""
    plain = (
        "Officials said the talks had made good progress but that several issues were still open, "
        "including the cost. (https://www.example.com/news/2023/03/story-1.html)"
    )
    spaced = word_gap.join(gap.join(word) for word in plain.split(" "))
    assert language_reason(plain, tokenize(plain)) is None
    assert language_reason(spaced, tokenize(spaced)) is None


def test_a_letter_spaced_address_is_not_read_in_the_last_letter_of_another() -> None:
    """The gate looked for plain and letter-spaced addresses side by side: "w w w . news . com" took
    the last "w" of "http://x.org/p0/w", two addresses counted where the tokens read one (and "w w .
    news . com" as words), and this paragraph with two such was "not prose"."""
    text = (
        "The council said the new bridge would open next year after the vote on Tuesday night. See "
        "http://x.org/p0/w w w . news . com and http://x.org/p1/w w w . news . com."
    )
    assert tokenize(text)[-14:] == ["w", "w", ".", "news", ".", "com", "and", *["w", "w", ".", "news", ".", "com", "."]]
    assert _link_marks(text) == 2 * URL_MARKS
    assert language_reason(text, tokenize(text)) is None


@pytest.mark.parametrize("hidden", ["", "\u200b", "\u0332"])
def test_a_colon_before_a_web_address_that_ends_the_line_is_no_mark_of_code(hidden: str) -> None:
    """With the address cut out, "Read more: <address>" at a line's end left its colon there, counted
    as code's line-ending ":", so the plain paragraph was "not prose" and the same with the colon
    disguised ("more:\u200b", struck) was prose (fuzz.py's disguises of short paragraphs)."""
    text = f'"We have something to offer in terms of engagement. Read more:{hidden} http://example.org/a?b=1&c=2'
    assert _link_marks(text) == URL_MARKS
    assert language_reason(text, tokenize(text)) is None
    assert _link_marks("See the figures; http://example.org/a/b\nand the report.") == URL_MARKS
    assert _link_marks("Read more:\nhttp://example.org/a/b") == URL_MARKS + 1  # a colon that ends a line


@pytest.mark.parametrize(
    "disguise",
    [
        lambda t: "".join(c + "\u0336" for c in t),  # struck
        lambda t: unicodedata.normalize("NFC", "".join(c + "\u0307" if c != "\n" else c for c in t)),  # dotted
        lambda t: t.replace("e", "e\u200b"),
    ],
    ids=["struck", "dotted", "invisible"],
)
def test_the_gate_reads_code_and_records_through_marks_and_invisible_characters(disguise) -> None:
    """A mark after every character put one before each " > " of a breadcrumb (an operator written
    without spaces, as code writes it), and a mark or an invisible character in a key hid a record:
    "Home > News > World" was "not prose" dotted, and settings disguised were prose (fuzz.py)."""
    for plain, reason in [("Home > News > World", None), ("title: The plan\nname: Jane Doe", "not prose")]:
        text = disguise(plain)
        assert language_reason(plain, tokenize(plain)) == reason
        assert language_reason(text, tokenize(text)) == reason, text


@pytest.mark.parametrize("filler", ["\u3164", "\uffa0", "\u115f", "\u1160"])
def test_the_gate_counts_hangul_fillers_as_spaces_not_letters(filler: str) -> None:
    """They show as a blank and the tokens read them as one; counted as letters, a dateline with one
    between every two characters passed as mostly letters ("too short", where the plain one is "not
    prose": fuzz.py's letter-spacing of short seeds)."""
    plain = "12:45 GMT, 7 March 2023"
    spaced = " ".join(filler.join(word) for word in plain.split(" "))
    assert tokenize(spaced) == tokenize(plain)
    assert language_reason(spaced, tokenize(spaced)) == language_reason(plain, tokenize(plain)) == "not prose"


@pytest.mark.parametrize("filler", ["\u3164", "\u1160"])
def test_a_hangul_filler_before_a_bracket_is_no_name_of_code(filler: str) -> None:
    """A letter to re, a filler before "(" made it a call's ("f(x)"): this short item letter-spaced
    with them, an invisible character before its marker, was "not prose", prose plain (fuzz.py)."""
    plain = "(b) who would pay for it Read more: https://www.example.com/news/2023/03/story-1.html Talks went on."
    spaced = " ".join(filler.join(word) for word in ("\u200b" + plain).split(" "))
    assert tokenize(spaced) == tokenize(plain)
    assert language_reason(spaced, tokenize(spaced)) is language_reason(plain, tokenize(plain)) is None


def test_a_letter_spaced_address_with_an_invisible_character_in_a_gap_is_read_as_one_address() -> None:
    """Read through before the addresses were looked for, "h\u200at\u200a:\u200a\u2060\u200a/" had two
    gaps where the invisible character was, and its slashes counted as code: this paragraph, prose
    plain, was "not prose" (fuzz.py)."""
    plain = "Copyright 2023 Example News. All rights reserved. RT @example: Council votes to rebuild the bridge"
    address = "http:\u2060//bit.ly/611xB"
    spaced = "\u200a".join(address)
    text = f"{plain} {spaced}"
    assert _link_marks(text) == _link_marks(f"{plain} {address}") == URL_MARKS + 1
    assert language_reason(text, tokenize(text)) is None


SCIENTIFIC = [
    "Deep learning has transformed computer vision (Krizhevsky et al., 2012; He et al., 2016) and natural "
    "language processing (Vaswani et al., 2017; Devlin et al., 2019). However, these models require large "
    "labelled datasets (Sun et al., 2017), which are costly to obtain in domains such as medicine.",
    "Several approaches have been proposed to address this problem [1]-[4], [7], [12]. Early methods relied "
    "on hand-crafted features [5], [6], while more recent work uses convolutional networks [8]-[11].",
    "The mean age of participants was 54.3 years (SD = 12.1; range 21-87), and 62% were female (n = 1,243). "
    "There were no significant differences between groups (p > 0.05 for all comparisons).",
    # "et" and "al" are French and Spanish function words: here more of them than English ones
    "These findings agree with earlier work on the topic (Smith et al., 2019; Jones et al., 2020; Lee et al., "
    "2021; Kim et al., 2018).",
]


@pytest.mark.parametrize("text", SCIENTIFIC, ids=["author-year", "numbered", "statistics", "et-al"])
def test_scientific_prose_with_citations_is_scored(detector: Detector, text: str) -> None:
    """Citations and statistics are brackets, semicolons and operators too, but not code; "et al." is English."""
    (result,) = detector.score_paragraphs([text])
    assert result.reason is None and result.spun is not None


def test_pdf_ligatures_score_like_the_plain_letters(detector: Detector, spun_article: str) -> None:
    """Text extracted from PDFs spells "fi", "fl", "ff" as one character ("ﬁnd"); it was judged not English."""
    plain = max(spun_article.split("\n\n"), key=lambda p: p.count("fi") + p.count("ff") + p.count("fl"))
    ligatured = plain.replace("ffi", "\ufb03").replace("ff", "\ufb00").replace("fi", "\ufb01").replace("fl", "\ufb02")
    assert ligatured != plain
    want, got = detector.score_paragraphs([plain, ligatured], explain=True)
    assert got.reason is None and got.spun == want.spun
    assert got.probability == pytest.approx(want.probability, abs=1e-9)
    for e in got.evidence:  # offsets still point into the text as given
        assert ligatured[e.start : e.end] == e.phrase


def test_line_end_hyphenation_scores_like_the_joined_words(detector: Detector, spun_article: str) -> None:
    """Text copied from PDFs breaks words at line ends ("classi-\nfier"); the halves were two unknown words."""
    plain = max(spun_article.split("\n\n"), key=len)
    words = plain.split(" ")
    broken = " ".join(w[:3] + "-\n" + w[3:] if len(w) > 7 and w.isalpha() and w.islower() else w for w in words)
    assert broken != plain
    want, got = detector.score_paragraphs([plain, broken], explain=True)
    assert got.reason is None and got.spun == want.spun
    assert got.probability == pytest.approx(want.probability, abs=1e-9)
    assert [(e.phrase.replace("-\n", ""), e.suggestion) for e in got.evidence] == [
        (e.phrase, e.suggestion) for e in want.evidence
    ]
    assert all(broken[e.start : e.end] == e.phrase for e in got.evidence)


def assert_scores_like_plain(want: Result, got: Result) -> None:
    """A disguised spun paragraph (``got``) is scored and flagged as its plain text (``want``) is,
    with the same probability."""
    assert want.spun and got.reason is None and got.spun
    assert got.probability == pytest.approx(want.probability, abs=1e-9)


@pytest.mark.parametrize(
    "hidden",
    # zero-width, soft hyphen; LRM, RLM, Mongolian vowel separator, an embedding, an override and an
    # isolate, a variation selector, the combining grapheme joiner, invisible times, a tag character
    ["\u200b", "\u00ad", "\u200d", "\u200e", "\u200f", "\u180e", "\u202a", "\u202e", "\u2066"]
    + ["\ufe0f", "\u034f", "\u2062", "\U000e0041"],
)
def test_invisible_characters_between_letters_score_like_the_plain_text(
    detector: Detector, spun_article: str, hidden: str
) -> None:
    """An invisible character between every two letters (a spinner hiding its output from filters)
    is read through by the tokens, but was counted as a symbol: the spun paragraph was "not prose"."""
    plain = paragraphs_of(spun_article)[0]
    masked = re.sub(r"(?<=\w)(?=\w)", hidden, plain)
    want, got = detector.score_paragraphs([plain, masked])
    assert_scores_like_plain(want, got)


@pytest.mark.parametrize("share", [0.2, 1.0])
def test_cyrillic_lookalikes_in_latin_words_score_like_the_plain_text(
    detector: Detector, spun_article: str, share: float
) -> None:
    """Cyrillic letters drawn as Latin ones put in for some of a spun paragraph's a/e/o/p/c (a trick
    against filters) made unknown words: a few hid the swapped words, many made it "not English"."""
    plain = paragraphs_of(spun_article)[0]
    rng = random.Random(0)
    lookalike = dict(zip("aeopc", "\u0430\u0435\u043e\u0440\u0441"))
    masked = "".join(lookalike[c] if c in lookalike and rng.random() < share else c for c in plain)
    want, got = detector.score_paragraphs([plain, masked])
    assert_scores_like_plain(want, got)
    assert [masked[e.start : e.end] for e in got.evidence] == [e.phrase for e in got.evidence]


@pytest.mark.parametrize(("letter", "lookalike"), [("a", "\u0251"), ("g", "\u0261"), ("i", "\u0131")])
def test_latin_lookalikes_score_like_the_plain_text(
    detector: Detector, spun_article: str, letter: str, lookalike: str
) -> None:
    """Every "a", "g" or "i" of a spun paragraph drawn as the phonetic alpha, the script g or the
    dotless i: each such word was unknown, and the paragraph "not English" or no longer flagged."""
    plain = paragraphs_of(spun_article)[0]
    masked = plain.replace(letter, lookalike)
    want, got = detector.score_paragraphs([plain, masked])
    assert_scores_like_plain(want, got)
    assert [masked[e.start : e.end] for e in got.evidence] == [e.phrase for e in got.evidence]


def test_turkish_text_with_the_dotless_i_stays_not_english(detector: Detector) -> None:
    """Its words of ASCII letters and "ı" are read with "i" ("Altın" as "altin"), the others not."""
    turkish = (
        "Altın fiyatları haftanın ilk işlem gününde yükselişle başladı. Uzmanlar, merkez bankasının faiz "
        "kararının piyasaları etkilemeye devam edeceğini söyledi ve yatırımcıların temkinli olması "
        "gerektiğini vurguladı."
    )
    assert detector.score_paragraphs([turkish])[0].reason == "not English"


@pytest.mark.parametrize("mark", ["\ua78c", "\u02bb", "\u2035"])
def test_apostrophe_lookalikes_score_like_the_plain_text(detector: Detector, spun_article: str, mark: str) -> None:
    """Every apostrophe of a spun paragraph drawn as another mark (the saltillo, the okina, the
    reversed prime): its contractions and possessives were unknown words, or cut in two."""
    plain = paragraphs_of(spun_article)[0] + " It's the council's plan, and they don't know when it'll open."
    masked = plain.replace("'", mark)
    want, got = detector.score_paragraphs([plain, masked])
    assert_scores_like_plain(want, got)
    assert [masked[e.start : e.end] for e in got.evidence] == [e.phrase for e in got.evidence]


@pytest.mark.parametrize(
    ("letter_gap", "word_gap"), [(" ", "  "), ("\u200a", " "), ("\u202f", " "), ("\u00a0", " "), ("\u00a0", "\u00a0 ")]
)
def test_letter_spaced_text_scores_like_the_plain_text(
    detector: Detector, spun_article: str, letter_gap: str, word_gap: str
) -> None:
    """Letters a space apart and words two ("t h e  p l a n"), or a hair space apart, which shows
    nearly as plain text: each letter was a word, and the spun paragraph was "not English"."""
    plain = paragraphs_of(spun_article)[0]
    spaced = word_gap.join(letter_gap.join(word) for word in plain.split(" "))
    want, got = detector.score_paragraphs([plain, spaced])
    assert_scores_like_plain(want, got)


@pytest.mark.parametrize("filler", ["\u3164", "\uffa0"])
def test_hangul_fillers_for_spaces_or_between_letters_score_like_the_plain_text(
    detector: Detector, spun_article: str, filler: str
) -> None:
    """Hangul fillers, blanks to the eye and letters to Unicode, put for every space or between
    every two letters: each line was one unknown word, and the spun paragraph "not English"."""
    plain = paragraphs_of(spun_article)[0]
    want, *got = detector.score_paragraphs([plain, plain.replace(" ", filler), re.sub(r"(?<=\S)(?=\S)", filler, plain)])
    for result in got:
        assert_scores_like_plain(want, result)


@pytest.mark.parametrize("style", ["parenthesized", "regional"])
def test_parenthesized_or_regional_indicator_letters_score_like_the_plain_text(
    detector: Detector, spun_article: str, style: str
) -> None:
    """Every letter of a spun paragraph parenthesized, or a regional indicator (boxed capitals, a
    zero-width space between two): symbols to Unicode, so the paragraph was "not prose"."""
    # (the small parenthesized letters read as small letters, the regional indicators as capitals)
    plain = paragraphs_of(spun_article)[0].lower()
    if style == "parenthesized":
        styled = "".join(chr(0x249C + ord(c) - 97) if c.isascii() and c.isalpha() else c for c in plain)
    else:
        plain = plain.upper()
        styled = "".join(chr(0x1F1E6 + ord(c) - 65) if c.isascii() and c.isalpha() else c for c in plain)
        styled = re.sub("(?<=[\U0001f1e6-\U0001f1ff])(?=[\U0001f1e6-\U0001f1ff])", "\u200b", styled)
    want, got = detector.score_paragraphs([plain, styled])
    assert_scores_like_plain(want, got)


@pytest.mark.parametrize("hidden", ["\u200b", "\u2060"])
def test_a_web_address_with_invisible_characters_scores_like_the_plain_one(
    detector: Detector, article: str, hidden: str
) -> None:
    """One between every two characters of an address: its pieces were words, and its slashes, no
    longer seen as an address's, marks of code, so a clean paragraph was "not prose"."""
    paragraph = paragraphs_of(article)[0]
    address = "https://www.example.com/news/2024/05/council-votes-to-rebuild-the-bridge"
    want, got = detector.score_paragraphs(
        [f"{paragraph} Read more: {address}", f"{paragraph} Read more: {hidden.join(address)}"]
    )
    assert got.reason == want.reason is None
    assert got.probability == pytest.approx(want.probability, abs=1e-9)


@pytest.mark.parametrize("style", ["full-width", "bold"])
def test_a_web_address_in_styled_letters_scores_like_the_plain_one(
    detector: Detector, article: str, style: str
) -> None:
    """Read as words, a full-width address raised a clean paragraph's score by 0.34 on average (up to
    0.72); read as an address by the tokens but not by the prose gate, a bold one's slashes were
    marks of code, and a short paragraph with one "not prose" (17 of 300 held-out ones)."""
    address = "https://www.example.com/news/2024/05/council-votes-to-rebuild-the-bridge"
    if style == "full-width":
        styled = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in address)
    else:
        styled = "".join(chr(0x1D41A + ord(c) - 97) if "a" <= c <= "z" else c for c in address)
    short = "The council met on Monday and voted to rebuild the old bridge."
    for paragraph in [paragraphs_of(article)[0], short]:
        want, got = detector.score_paragraphs([f"{paragraph} Read more: {address}", f"{paragraph} Read more: {styled}"])
        assert (got.reason, got.words) == (want.reason, want.words)
        assert got.probability == pytest.approx(want.probability, abs=1e-9)
    assert language_reason(f"{short} Read more: {styled}", tokenize(f"{short} Read more: {styled}")) is None


@pytest.mark.parametrize("disguise", ["spaced", "struck"])
def test_a_letter_spaced_or_struck_web_address_scores_like_the_plain_one(
    detector: Detector, article: str, disguise: str
) -> None:
    """Its letters one space apart ("w w w . e x a m p l e") or struck through: read as words, they
    raised a clean paragraph's score (30 seed and held-out paragraphs 0.04 higher on average, up to
    0.46; struck, 0.48 and 0.81)."""
    paragraph = paragraphs_of(article)[0]
    address = "https://www.example.com/news/2024/05/council-votes-to-rebuild-the-bridge"
    masked = " ".join(address) if disguise == "spaced" else "".join(c + "\u0336" for c in address)
    want, got = detector.score_paragraphs(
        [f"{paragraph} Read more: {address}.", f"{paragraph} Read more: {masked}."], explain=True
    )
    assert got.reason == want.reason is None
    assert got.probability == pytest.approx(want.probability, abs=1e-9)
    assert [(e.start, e.end) for e in got.evidence] == [(e.start, e.end) for e in want.evidence]


@pytest.mark.parametrize("mark", ["\u0336", "\u0332", "\u20d2", "\u1ab0", "\ufe20"])
def test_a_mark_on_every_letter_scores_like_the_plain_text(detector: Detector, spun_article: str, mark: str) -> None:
    """A combining mark striking through or underlining every letter ("fancy text"), counted as a
    non-letter or read as a word break, made the spun paragraph "not prose"."""
    plain = paragraphs_of(spun_article)[0]
    marked = re.sub(r"(?<=[^\W\d_])", mark, plain)
    want, got = detector.score_paragraphs([plain, marked], explain=True)
    assert_scores_like_plain(want, got)
    assert [marked[e.start : e.end].replace(mark, "") for e in got.evidence] == [e.phrase for e in want.evidence]


def test_dotted_letters_written_precomposed_score_like_the_plain_text(detector: Detector, spun_article: str) -> None:
    """Every letter with a dot below, or above where Unicode has no letter with one below, one
    character each ("\u1e6c\u1e25\u1eb9 \u1eb9\u1e8b\u1e57\u1eb9\u1e5b\u1e6d\u1e61"): each word was
    unknown, and the spun paragraph "not English". Real text so accented stays not English."""
    plain = paragraphs_of(spun_article)[0]
    dotted = ""
    for c in plain:
        below, above = (unicodedata.normalize("NFC", c + mark) for mark in "\u0323\u0307")
        dotted += below if len(below) == 1 else above if len(above) == 1 else c
    want, got = detector.score_paragraphs([plain, dotted], explain=True)
    assert_scores_like_plain(want, got)
    assert [(e.start, e.end, e.suggestion) for e in got.evidence] == [
        (e.start, e.end, e.suggestion) for e in want.evidence
    ]
    assert [e.phrase for e in got.evidence] == [dotted[e.start : e.end] for e in got.evidence]
    vietnamese = (
        "Bộ trưởng Ngoại giao Mỹ sẽ có các cuộc hội đàm tại Kazakhstan và Uzbekistan, nơi các nhà lãnh đạo "
        "đang cân bằng quan hệ với Nga và Trung Quốc trong bối cảnh chiến tranh ở Ukraine."
    )
    yoruba = (
        "Ẹ̀ṣẹ̀ ni láti ṣe èyí, ọmọ mi. Gbogbo ènìyàn ni a bí ní òmìnira; iyì àti ẹ̀tọ́ kọ̀ọ̀kan sì dọ́gba. "
        "Wọ́n ní ẹ̀bùn ti làákàyè àti ti ẹ̀rí-ọkàn."
    )
    assert [r.reason for r in detector.score_paragraphs([vietnamese, yoruba])] == ["not English", "not English"]


def _styled(text: str, upper: int, lower: int | None) -> str:
    """``text`` with its ASCII letters drawn from the alphabets starting at ``upper`` and ``lower``
    (None: in capitals only)."""
    if lower is None:
        text, lower = text.upper(), upper
    return "".join(
        chr(upper + ord(c) - 65) if "A" <= c <= "Z" else chr(lower + ord(c) - 97) if "a" <= c <= "z" else c
        for c in text
    )


@pytest.mark.parametrize(
    "style",
    # mathematical bold, sans-serif bold, monospace; circled; small capitals; squared capitals; negative
    # (white on black) circled and squared capitals, which NFKC leaves alone
    [
        (0x1D400, 0x1D41A),
        (0x1D5D4, 0x1D5EE),
        (0x1D670, 0x1D68A),
        (0x24B6, 0x24D0),
        "small",
        (0x1F130, None),
        (0x1F150, None),
        (0x1F170, None),
    ],
)
def test_letters_in_another_style_score_like_the_plain_text(
    detector: Detector, spun_article: str, style: tuple[int, int | None] | str
) -> None:
    """Letters drawn in bold, italic, circled or small capitals ("fancy text", which shows as plain
    words) were unknown words, or symbols: the spun paragraph was "not English" or "not prose"."""
    plain = paragraphs_of(spun_article)[0]
    if style == "small":
        masked = "".join(dict(zip("abcdefghijklmnopqrstuvwyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ")).get(c, c) for c in plain)
    else:
        masked = _styled(plain, *style)
        if style[1] is None:  # squared letters are capitals only: as the text in capitals
            plain = plain.upper()
    want, got = detector.score_paragraphs([plain, masked])
    assert_scores_like_plain(want, got)


# ---- long input and concurrency ------------------------------------------------------------------


def test_long_paragraph_is_windowed_with_valid_offsets(
    detector: Detector, spun_article: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = " ".join(paragraphs_of(spun_article) * 3)  # about 900 tokens, several windows
    assert len(tokenize(long)) > 800
    windows, cut = [], Detector._windows

    def spy(self, index, text, capitals):
        windows.append(cut(self, index, text, capitals))
        return windows[-1]

    monkeypatch.setattr(Detector, "_windows", spy)
    (result,) = detector.score_paragraphs([long], explain=True)
    assert len(windows) == 1 and len(windows[0]) >= len(tokenize(long)) // WINDOW_TOKENS  # cut once, in windows
    # the paragraph's probability is that of its most spun-looking window, each scored alone
    alone = detector.score_paragraphs([unit.text for unit in windows[0]])
    assert result.probability == pytest.approx(max(r.probability for r in alone), abs=1e-9)
    assert result.spun is not None and 0.0 <= result.probability <= 1.0
    assert result.words == sum(1 for t in tokenize(long) if t not in (".", ","))
    check_evidence(long, result)
    assert result.evidence and max(e.start for e in result.evidence) > len(long) // 3  # from later windows too


@pytest.mark.parametrize("extra", [1, 11, 12, 137])  # tokens past two full windows
def test_long_paragraph_windows_tile_it_without_overlap(detector: Detector, spun_article: str, extra: int) -> None:
    tokens = tokenize(" ".join(paragraphs_of(spun_article) * 3))
    text = " ".join(tokens[: 2 * WINDOW_TOKENS + extra])
    units = detector._windows(0, text, np.zeros(2 * WINDOW_TOKENS + extra, dtype=bool))
    assert len(units) == 3  # equal parts of at most WINDOW_TOKENS on average, not two full ones and a tail
    sizes = [len(u.tokens) for u in units]
    assert all((2 * WINDOW_TOKENS + extra) / 3 - WINDOW_SNAP <= n <= WINDOW_TOKENS + WINDOW_SNAP for n in sizes)
    assert all(u.tokens[-1] == "." for u in units[:-1])  # the article's sentences end within reach of each cut
    assert all(a.offset + len(a.text) < b.offset for a, b in zip(units, units[1:]))  # in order, no overlap
    assert [t for u in units for t in u.tokens] == tokenize(text)
    (result,) = detector.score_paragraphs([text], explain=True)
    assert len({(e.start, e.end) for e in result.evidence}) == len(result.evidence)  # no evidence twice


def test_window_cuts_are_equal_parts_moved_to_the_nearest_sentence_end() -> None:
    assert window_cuts(["w"] * 401) == [200] and window_cuts(["w"] * 501) == [167, 334]  # no sentence ends
    words = (["w"] * 29 + ["."]) * 20  # 600 tokens, a sentence end after every 30th
    assert window_cuts(words) == [210, 390]  # targets 200 and 400
    far = ["w"] * (228 - WINDOW_SNAP) + ["."] + ["w"] * (231 + WINDOW_SNAP)  # a sentence end one token too far
    assert len(far) == 460 and window_cuts(far) == [230]
    near = ["w"] * 180 + ["."] + ["w"] * 39 + ["."] + ["w"] * 200  # ends after 181 and 221: 221 is nearer to 210
    assert window_cuts(near) == [221]
    # with the tokens' spans, a point that no space follows ends no sentence ("3.5", "U.S.-led")
    spans = np.array([[2 * i, 2 * i + 1] for i in range(len(near))])
    spans[221:] -= 1  # the second point is followed at once by the next token
    assert window_cuts(near, spans) == [181]
    assert window_cuts([]) == window_cuts(["w"] * WINDOW_TOKENS) == []  # one window: no cut
    for n in (401, 499, 500, 501, 751, 1000, 5003):
        cuts = window_cuts(["w"] * n)
        sizes = np.diff([0, *cuts, n])
        assert (
            sizes.max() - sizes.min() <= 1 and sizes.max() <= WINDOW_TOKENS and len(cuts) == -(-n // WINDOW_TOKENS) - 1
        )


def test_window_cuts_at_their_edges() -> None:
    assert window_cuts(["w"] * 751) == [188, 376, 563]  # 187.75, 375.5, 563.25 rounded
    tie = ["w"] * 189 + ["."] + ["w"] * 19 + ["."] + ["w"] * 191  # ends after 190 and 210, target 200
    assert len(tie) == 401 and window_cuts(tie) == [190]  # a tie goes to the earlier end
    edge = ["w"] * (229 - WINDOW_SNAP) + ["."] + ["w"] * (230 + WINDOW_SNAP)  # an end exactly WINDOW_SNAP away
    assert len(edge) == 460 and window_cuts(edge) == [230 - WINDOW_SNAP]
    # the sizes docs/input.md gives, in numbers rather than the constants: parts of 167-250 tokens,
    # a cut moved to a sentence end within 40 tokens
    assert window_cuts(["w"] * 500) == [250] and window_cuts(["w"] * 501) == [167, 334]
    forty = ["w"] * 189 + ["."] + ["w"] * 270  # target 230, a sentence end after 190
    assert len(forty) == 460 and window_cuts(forty) == [190] and window_cuts(forty[1:] + ["w"]) == [230]


def test_a_window_is_not_cut_at_a_decimal_point(detector: Detector) -> None:
    # 460 tokens, target 230: "3.5" puts a "." token at index 229 (an end after 230), a sentence ends at 200
    text = (
        " ".join(["word"] * 198) + " end. " + " ".join(["word"] * 27) + " rose 3.5 percent " + " ".join(["word"] * 228)
    )
    tokens = tokenize(text)
    assert len(tokens) == 460 and tokens[228:231] == ["0", ".", "0"] and tokens[199] == "."
    units = detector._windows(0, text, np.zeros(len(tokens), dtype=bool))
    assert [len(u.tokens) for u in units] == [200, 260] and units[0].text.endswith("end.")


def test_a_few_words_more_do_not_flag_a_clean_long_paragraph(detector: Detector) -> None:
    """Windows of a fixed 250 tokens left a tail of 12-50 tokens cut mid-sentence and scored alone as
    a tiny paragraph: 14 more words of a clean speech took it from 0.10 to 0.999, flagged (2-3 % of
    such paragraphs, 20 % with min_words=1)."""
    texts = [json.loads(line)["text"] for line in (CORPUS / "heldout_clean_speeches.jsonl").open(encoding="utf-8")]
    speech = " ".join(texts[3:15])
    _, spans = token_spans(speech)
    for tokens in (500, 514, 520):
        (result,) = detector.score_paragraphs([speech[: int(spans[tokens - 1, 1])]])
        assert result.spun is False, (tokens, result.probability)
    few = dataclasses.replace(detector, min_words=1)
    assert not any(r.spun for r in few.score_paragraphs([speech[: int(spans[n - 1, 1])] for n in range(501, 506)]))


def test_a_long_text_is_scored_in_groups_with_the_same_results(
    detector: Detector, paragraphs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import spincheck.detector as detector_module

    whole = detector.score_paragraphs(paragraphs, explain=True)
    calls = []
    real = Detector._score_group
    monkeypatch.setattr(detector_module, "GROUP_CHARS", 1)  # one paragraph per group
    monkeypatch.setattr(
        Detector, "_score_group", lambda self, texts, explain: calls.append(len(texts)) or real(self, texts, explain)
    )
    grouped = detector.score_paragraphs(paragraphs, explain=True)
    assert calls == [1] * len(paragraphs)
    assert all(same_result(a, b) for a, b in zip(grouped, whole)) and len(grouped) == len(whole)


@pytest.mark.slow
def test_100000_word_paragraph(detector: Detector, article: str) -> None:
    words = article.split()
    text = " ".join(words[i % len(words)] for i in range(100_000))
    (result,) = detector.score_paragraphs([text])
    assert result.spun is not None and 0.0 <= result.probability <= 1.0
    assert result.words >= 100_000
    check_evidence(text, result)


_UNPICKLE_AND_SCORE = (
    "import pickle, sys; det = pickle.loads(sys.stdin.buffer.read()); "
    "print(det.path, det.threshold, det.score_paragraphs([sys.argv[1]])[0].probability, sep='\\n')"
)


def test_a_pickled_detector_carries_its_model_path_not_its_tables(
    detector: Detector, spun_article: str, shipped_model_dir: Path, tmp_path: Path
) -> None:
    """Process pools and Dask pickle what a task uses: 76 MB of tables per task before."""
    import os
    import pickle
    import subprocess
    import sys

    paragraph = paragraphs_of(spun_article)[1]
    # the child imports the spincheck under test (an installed wheel too), not a checkout in the working directory
    imported_from = str(Path(spincheck.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [imported_from, os.environ.get("PYTHONPATH")])))
    mine = tmp_path / "my-model"  # another model directory: the shipped files, linked
    mine.mkdir()
    for path in shipped_model_dir.iterdir():
        if path.is_file():
            (mine / path.name).symlink_to(path)
    for det in (dataclasses.replace(detector, threshold=0.5), Detector.load(mine, threshold=0.7)):
        data = pickle.dumps(det)
        assert len(data) < 1000
        again = pickle.loads(data)
        assert again.model is det.model and again.threshold == det.threshold  # one model per process
        out = subprocess.run(
            [sys.executable, "-P", "-c", _UNPICKLE_AND_SCORE, paragraph],
            env=env,
            input=data,
            capture_output=True,
            check=True,
            timeout=120,
        )
        path, threshold, probability = out.stdout.decode().splitlines()  # a line each: the path may hold spaces
        assert (Path(path).resolve(), float(threshold)) == (det.path.resolve(), det.threshold)
        assert float(probability) == pytest.approx(det.score_paragraphs([paragraph])[0].probability, abs=1e-9)


def test_a_pickled_detector_finds_its_own_model_after_a_chdir_or_a_retraining(
    shipped_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle
    import shutil

    def linked_model(where: Path) -> None:
        where.mkdir(parents=True)
        for path in shipped_model_dir.iterdir():
            if path.is_file():
                (where / path.name).symlink_to(path)

    linked_model(tmp_path / "a" / "m")
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    det = Detector.load("m")  # a relative path
    monkeypatch.chdir(tmp_path / "b")
    assert det.path == tmp_path / "a" / "m"
    assert pickle.loads(pickle.dumps(det)).model is det.model
    # the directory is replaced by a retraining (here: a changed card): a new model, not the old one
    (tmp_path / "a" / "m").rename(tmp_path / "a" / "old")
    shutil.copytree(tmp_path / "a" / "old", tmp_path / "a" / "m", symlinks=True)
    card = json.loads((tmp_path / "a" / "m" / "card.json").read_text())
    card["threshold"] = 0.5
    (tmp_path / "a" / "m" / "card.json").unlink()
    (tmp_path / "a" / "m" / "card.json").write_text(json.dumps(card))
    retrained = Detector.load(tmp_path / "a" / "m")
    assert pickle.loads(pickle.dumps(retrained)).model is retrained.model
    # an old detector's pickle, unpickled where the directory now holds another model, says so
    # when used (raised while unpickling, it would kill a pool worker and lose the task)
    data = pickle.dumps(det)
    # where the old model is still held (here, and in a pool worker that had it before the
    # retraining), the old detector goes on with it: its own model, under its own settings
    assert pickle.loads(data).model is det.model
    import spincheck.detector as detector_module

    monkeypatch.setattr(detector_module, "_LATEST", {}, raising=False)  # as in a fresh process
    monkeypatch.setattr(detector_module, "_ALIVE", weakref.WeakValueDictionary(), raising=False)
    monkeypatch.setattr(detector_module, "load_model_dir", lambda path: retrained.model)
    stale = pickle.loads(data)
    assert stale.threshold == det.threshold
    for use in (lambda: _score_one(stale), lambda: pickle.dumps(stale)):
        with pytest.raises(ModelError, match="was replaced after this detector was pickled"):
            use()
    assert str(stale.path) in repr(stale) and stale == stale  # logging one does not raise


def _score_one(det: Detector) -> float:
    paragraph = "A paragraph long enough to be scored, which a detector can only do with its model loaded."
    return det.score_paragraphs([paragraph])[0].probability


def test_a_pool_worker_reports_a_model_that_cannot_be_had(shipped_model_dir: Path, tmp_path: Path) -> None:
    """The error comes back with the task: raised while unpickling, it killed the worker and
    multiprocessing.Pool waited for the lost task forever."""
    import multiprocessing
    import shutil

    where = tmp_path / "m"
    where.mkdir()
    for path in shipped_model_dir.iterdir():
        if path.is_file():
            (where / path.name).symlink_to(path)
    det = Detector.load(where)
    shutil.rmtree(where)  # gone before the worker loads it
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        with pytest.raises(ModelError, match="does not exist"):
            pool.apply_async(_score_one, (det,)).get(timeout=120)
        assert pool.apply_async(abs, (-3,)).get(timeout=60) == 3  # and the worker lives on
    # a file the worker cannot read (another user's model): an OSError, reported the same way
    import spincheck.detector as detector_module

    def unreadable(path):
        raise PermissionError(13, "Permission denied", str(path))

    real = detector_module.load_model_dir
    detector_module.load_model_dir = unreadable
    try:
        stale = detector_module._unpickle_detector("/no/such/model", "0" * 16, 0.9, 12, True)
    finally:
        detector_module.load_model_dir = real
    with pytest.raises(ModelError, match="cannot load the model: .*Permission denied"):
        _score_one(stale)


def test_pickling_keeps_only_the_latest_model_of_a_directory(
    shipped_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service that reloads after each retraining and hands detectors to a pool grew by a
    model (95 MB) per retraining: every model it had pickled was kept for good."""
    import gc
    import pickle
    import shutil

    import spincheck.detector as detector_module

    monkeypatch.setattr(detector_module, "_LATEST", {}, raising=False)
    monkeypatch.setattr(detector_module, "_ALIVE", weakref.WeakValueDictionary(), raising=False)
    where = tmp_path / "m"
    models = []
    for threshold in (0.5, 0.6, 0.7):  # three retrainings replacing the directory
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir()
        for path in shipped_model_dir.iterdir():
            if path.is_file() and path.name != "card.json":
                (where / path.name).symlink_to(path)
        card = json.loads((shipped_model_dir / "card.json").read_text())
        (where / "card.json").write_text(json.dumps({**card, "threshold": threshold}))
        det = Detector.load(where)
        pickle.dumps(det)
        models.append(weakref.ref(det.model))
        del det
        gc.collect()
    assert [m() is None for m in models] == [True, True, False]


def test_pickling_keeps_the_models_of_a_few_directories_only(
    detector: Detector, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service that loaded each job's model from a temporary copy and handed it to a pool kept
    every copy's model for good: 95 MB and 8 open files (memory maps) each, 40 copies 3.7 GB."""
    import gc

    import spincheck.detector as detector_module

    monkeypatch.setattr(detector_module, "_LATEST", {}, raising=False)
    monkeypatch.setattr(detector_module, "_ALIVE", weakref.WeakValueDictionary(), raising=False)
    models = []
    for i in range(getattr(detector_module, "MAX_KEPT_MODELS", 4) + 3):  # copies, a directory each
        card = dataclasses.replace(detector.model.card, raw={**detector.model.card.raw, "copy": i})
        model = dataclasses.replace(detector.model, path=tmp_path / f"copy{i}", card=card)
        data = pickle.dumps(Detector(model, 0.9))
        models.append(weakref.ref(model))
        if i == 1:
            second = data
        if i == 4:  # the second copy's detector unpickled again: its model is one of the latest
            assert pickle.loads(second).model is models[1]()
        del model
    gc.collect()
    kept = [i for i, m in enumerate(models) if m() is not None]
    assert kept == [1, 4, 5, 6]


def test_one_detector_shared_by_threads(detector: Detector, paragraphs: list[str]) -> None:
    work = [paragraphs[i:] + paragraphs[:i] for i in range(8)]
    expected = [detector.score_paragraphs(batch, explain=True) for batch in work]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            got = list(pool.map(lambda batch: detector.score_paragraphs(batch, explain=True), work))
            assert got == expected  # identical, not merely close: same batches, same arithmetic


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork() on this platform")
def test_a_process_forked_while_another_thread_holds_a_lock_can_take_it() -> None:
    """A process pool forked while another thread built a detector's lookup indexes (or loaded or
    unpickled a model) gave its workers that lock held, by a thread they do not have: a worker's
    first build waited forever, and so did the pool."""
    import functools

    import spincheck.detector as detector_module
    import spincheck.integrations.dask as dask_module
    from spincheck import lexicon, model, reference, vectors

    def locks() -> list:  # looked up again in the child, where they are to be new objects
        props = [
            prop
            for module in (lexicon, model, reference, vectors)
            for cls in vars(module).values()
            if isinstance(cls, type) and cls.__module__ == module.__name__
            for prop in vars(cls).values()
            if isinstance(prop, functools.cached_property)
        ]
        built = [getattr(prop, name, None) for prop in props for name in ("build_lock", "lock")]
        return [lock for lock in built if lock is not None] + [detector_module._MODELS_LOCK, dask_module._LOCK]

    held, release = threading.Event(), threading.Event()

    def hold_all() -> None:
        taken = locks()
        for lock in taken:
            lock.acquire()
        held.set()
        release.wait()
        for lock in taken:
            lock.release()

    holder = threading.Thread(target=hold_all)
    holder.start()
    try:
        assert held.wait(timeout=10)
        with warnings.catch_warnings():  # Python 3.12+ warns of exactly this: fork() with threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: every lock free at once, whatever happens never back in pytest
            code = 1
            try:
                code = 0 if all(lock.acquire(timeout=1) for lock in locks()) else 3
            finally:
                os._exit(code)
    finally:
        release.set()
        holder.join()
    assert len(locks()) > 10 and os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


_AUDIT_OPENS = """
import json, os, sys
opened = []
def hook(event, args):  # every open(), io.open() and os.open() raises an "open" audit event
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append(os.fsdecode(args[0]))
sys.addaudithook(hook)
def model_files():
    return [p for p in opened if p.startswith(MODEL_DIR)]
def loaded(*names):
    return sorted(m for m in names if m in sys.modules)
"""


def test_import_reads_no_model_file_and_imports_no_training_code(run_python, shipped_model_dir: Path) -> None:
    code = (
        f"MODEL_DIR = {str(shipped_model_dir)!r}\n"
        + _AUDIT_OPENS
        + """
import spincheck
print(json.dumps({"opened": model_files(), "modules": loaded("sklearn", "nltk", "scipy")}))
"""
    )
    assert json.loads(run_python(code)) == {"opened": [], "modules": []}


def test_import_imports_the_public_names_when_first_used(run_python) -> None:
    # the spincheck command starts in this package, and Ctrl-C during its numpy import was a traceback
    code = """
import sys
import spincheck
before = sorted(m for m in ("numpy", "spincheck.detector", "spincheck.model") if m in sys.modules)
from spincheck import *
import spincheck.detector, spincheck.model
same = Detector is spincheck.detector.Detector and ModelError is spincheck.model.ModelError
print(before, same, set(spincheck.__all__) <= set(dir(spincheck)))
"""
    assert run_python(code).split() == ["[]", "True", "True"]
    with pytest.raises(AttributeError, match="has no attribute 'formats'"):
        spincheck.__getattr__("formats")  # a submodule is still not imported by asking for it


def test_bare_import_still_reaches_the_modules_it_used_to_import(run_python) -> None:
    # before the lazy names, ``import spincheck`` imported detector, model, text ...: code that
    # then used ``spincheck.model.ModelError`` or ``spincheck.text.split_paragraphs`` broke
    code = """
import sys
import spincheck
before = "spincheck.model" in sys.modules
print(before, spincheck.model.ModelError is spincheck.ModelError, callable(spincheck.text.split_paragraphs))
print(all(name in dir(spincheck) for name in ("detector", "model", "text")), hasattr(spincheck, "formats"))
"""
    assert run_python(code).split() == ["False", "True", "True", "True", "False"]


def test_import_and_scoring_leave_the_version_unread(run_python) -> None:
    # importlib.metadata was a seventh of ``import spincheck``: __version__ is read on first use
    code = """
import sys
before = "importlib.metadata" in sys.modules  # an environment's .pth file may have imported it
import spincheck
spincheck.Detector.load().score_paragraphs(["The council said on Tuesday that the library would open."])
print(before or "importlib.metadata" not in sys.modules, isinstance(spincheck.__version__, str))
"""
    assert run_python(code).split() == ["True", "True"]


def test_scoring_imports_no_training_code(run_python, shipped_model_dir: Path) -> None:
    code = (
        f"MODEL_DIR = {str(shipped_model_dir)!r}\n"
        + _AUDIT_OPENS
        + """
import spincheck
det = spincheck.Detector.load()
det.score_paragraphs(["The council said on Tuesday that the new library would open in the spring of next year."])
print(json.dumps({"opened": len(model_files()), "modules": loaded("sklearn", "nltk")}))
"""
    )
    report = json.loads(run_python(code))
    assert report["opened"] > 0  # the audit hook does see model files being read
    assert report["modules"] == []


def test_features_matrix(detector: Detector, paragraphs: list[str]) -> None:
    X = detector.features(paragraphs + [""])
    assert X.shape == (len(paragraphs) + 1, len(PARAGRAPH_FEATURE_NAMES))
    # the rows are what the paragraph model scores: they give the paragraphs' probabilities
    short = [p for p in paragraphs if len(tokenize(p)) < 200]  # one window each
    probabilities = detector.model.classifier.paragraph.predict_proba(detector.features(short))
    expected = [r.probability for r in detector.score_paragraphs(short)]
    np.testing.assert_allclose(probabilities, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("suggestion", "original", "shown"),
    [("top", "highest", "top"), ("top", "Highest", "Top"), ("top", "HIGHEST", "TOP"), ("the place", "Where", "The place"),
     ("us", "I", "Us"), ("top", "iPhone", "top"), ("UK", "britain", "UK"), ("UK", "Britain", "UK"),
     ("UK", "BRITAIN", "UK"), ("Britain", "the uk", "Britain"), ("vitamin B", "Thiamine", "Vitamin B"),
     ("United States", "US", "United States"), ("America", "USA", "America"), ("top", "TOP", "TOP"),
     ("vitamin B", "THIAMINE", "VITAMIN B"), ("United States", "U.S", "UNITED STATES")],
)  # fmt: skip
def test_suggestions_take_the_case_of_the_phrase(suggestion: str, original: str, shown: str) -> None:
    assert match_case(suggestion, original) == shown


def test_suggestions_are_written_as_the_lexicons_casing_says(shipped_model_dir: Path, tmp_path: Path) -> None:
    """The lexicon stores phrases lower-cased, as the tokenizer reads them, and a suggestion took only
    the case of the phrase it replaces: "America" was "Usa". With casing.npz beside it, which
    card.json need not list (the shipped card predates it), it is "USA"; the evidence is otherwise
    the same, and a model directory without the file loads and shows "Usa" as before."""
    from spincheck.lexicon import Lexicon, write_casing

    text = (
        "The challenge to us is to build a new and firmer foundation for the future--for a sound economy, for a "
        "more effective government, for more political trust, and for a stable peace--so that the America our "
        "children inherit will be even stronger and even better than it is today."
    )
    without = tmp_path / "without"
    without.mkdir()
    for path in shipped_model_dir.iterdir():
        if path.is_file() and path.name != Lexicon.CASING_FILE:
            (without / path.name).symlink_to(path)
    card = json.loads((shipped_model_dir / "card.json").read_text(encoding="utf-8"))
    if Lexicon.CASING_FILE in card["files"]:  # a model trained with it: without the file, the card too
        del card["files"][Lexicon.CASING_FILE]
    (without / "card.json").unlink()
    (without / "card.json").write_text(json.dumps(card), encoding="utf-8")
    with_casing = tmp_path / "with"
    shutil.copytree(without, with_casing, symlinks=True)
    write_casing(with_casing / Lexicon.CASING_FILE, {"usa": "USA", "united states": "United States"})
    before, after = (
        Detector.load(model).score_text(text, explain=True).paragraphs[0].result for model in (without, with_casing)
    )
    assert ("America", "Usa") in [(e.phrase, e.suggestion) for e in before.evidence]
    assert [(e.phrase, e.suggestion if e.suggestion != "USA" else "Usa") for e in after.evidence] == [
        (e.phrase, e.suggestion) for e in before.evidence
    ]
    assert ("America", "USA") in [(e.phrase, e.suggestion) for e in after.evidence]
    assert after.probability == before.probability


def test_the_shipped_casing_writes_names_as_wordnet_does() -> None:
    """The shipped casing.npz (models/ of this checkout): names and initialisms that WordNet writes
    with capitals in every lemma they are a form of, and no word that is also a lower-case lemma."""
    from spincheck.lexicon import Lexicon, read_casing

    path = Path(spincheck.__file__).resolve().parents[1] / "models" / Lexicon.CASING_FILE
    if not path.is_file():
        pytest.skip("no models/casing.npz in this checkout")
    casing = read_casing(path)
    shown = {"uk": "UK", "britain": "Britain", "usa": "USA", "christmas": "Christmas", "paris": "Paris"}
    assert {phrase: casing.get(phrase) for phrase in shown} == shown
    assert casing["united states"] == "United States" and casing["americans"] == "Americans"
    assert not {"bush", "god", "china", "march", "turkey", "us", "eu"} & casing.keys()
    assert path.stat().st_size < 1_000_000


def test_features_of_no_paragraphs(detector: Detector) -> None:
    assert detector.features([]).shape == (0, len(PARAGRAPH_FEATURE_NAMES))


# ---- golden cases --------------------------------------------------------------------------------


def _cases() -> list:
    params = []
    for name in CASE_FILES:
        for case in json.loads((CASES / name).read_text(encoding="utf-8")):
            known = name == "known-failures.json"
            strict = case.get("strict", True)  # false only for a failure that sits near the threshold
            # raises=AssertionError: a crash on a known failure is a failure, not the expected miss
            marks = (
                [pytest.mark.xfail(strict=strict, raises=AssertionError, reason=case.get("why", ""))] if known else []
            )
            params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def test_golden_case_files_follow_the_schema() -> None:
    ids = []
    for name in CASE_FILES:
        cases = json.loads((CASES / name).read_text(encoding="utf-8"))
        assert isinstance(cases, list) and cases, name
        for case in cases:
            assert {"id", "text", "expect", "source"} <= set(case), case.get("id")
            assert set(case) <= {"id", "text", "expect", "swapped", "original", "source", "comment", "why", "strict"}
            assert "strict" not in case or name == "known-failures.json", case["id"]
            expect = case["expect"]
            assert expect.get("spun") in (True, False, None) and "spun" in expect
            assert (expect["spun"] is None) == ("reason" in expect), case["id"]
            for phrase in case.get("swapped", []):
                assert phrase in case["text"], (case["id"], phrase)
            assert ("why" in case) == (name == "known-failures.json"), case["id"]
            ids.append(case["id"])
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", _cases())
def test_golden_case(detector: Detector, case: dict) -> None:
    text = case["text"]
    (result,) = detector.score_paragraphs([text], explain=True)
    check_evidence(text, result)
    assert result.spun == case["expect"]["spun"]
    if "reason" in case["expect"]:
        assert result.reason == case["expect"]["reason"]
    if case.get("swapped"):
        spans = [(m.start(), m.end()) for s in case["swapped"] for m in re.finditer(re.escape(s), text)]
        pointed = [e.phrase for e in result.evidence if any(e.start < b and a < e.end for a, b in spans)]
        assert pointed, f"no evidence overlaps a swapped phrase: {[e.phrase for e in result.evidence]}"


def _language_measures_by_regex(text: str, tokens: list[str]) -> tuple[int, int, int, float]:
    """Letters, non-space characters, code characters and ASCII-word share, counted the plain way."""
    words = len(tokens) - tokens.count(".") - tokens.count(",")
    # circled and squared letters count as the letters they are read as; invisible characters and
    # combining marks, which the tokens read through, count as nothing
    enclosed = sum(
        "\u24b6" <= c <= "\u24e9" or "\U0001f130" <= c <= "\U0001f149" or "\U0001f150" <= c <= "\U0001f169"
        or "\U0001f170" <= c <= "\U0001f189"
        for c in text
    )  # fmt: skip
    letters = len(re.findall(r"[^\W\d_]", text)) + enclosed
    non_space = len(re.findall(r"\S", text)) - sum(c in _INVISIBLE_CHARS or c in _COMBINING_CHARS for c in text)
    code = sum(text.count(c) for c in _CODE_CHARACTERS)
    ascii_share = sum(1 for w in tokens if w.isascii() and w not in (".", ",")) / max(words, 1)
    return letters, non_space, code, ascii_share


def _code_marks_by_loop(text: str) -> int:
    """The characters ``_code_marks`` counts, one at a time: code-only ones, a bracket right after a
    letter or digit, ";" or ":" ending a line, and "=", "<", ">" touching something other than space."""
    marks = 0
    for i, c in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if c in _CODE_ONLY_CHARACTERS:
            marks += 1
        elif c in "([":
            marks += before.isalnum()
        elif c in ";:":  # at the end of a line, which ends where split_paragraphs ends one
            marks += text[i + 1 :].lstrip(" \t")[:1] in ("", *LINE_BREAKS)
        elif c in "=<>":
            marks += (before != "" and not before.isspace() and before not in "=<>!") or (
                after != "" and not after.isspace() and after not in "=<>"
            )
    return marks


def _shown_by_loop(text: str) -> str:
    """``text`` as the gate reads code's and records' shapes in it, one character at a time: without
    invisible characters and combining marks, and a Latin letter written with marks as one character
    (NFD: an ASCII letter, then marks) as its letter alone."""
    shown = []
    for c in text:
        if c in _INVISIBLE_CHARS or c in _COMBINING_CHARS:
            continue
        letter, *marks = unicodedata.normalize("NFD", c)
        latin = 0xC0 <= ord(c) <= 0x24F or 0x1E00 <= ord(c) <= 0x1EFF
        plain = latin and marks and letter.isascii() and letter.isalpha() and set(marks) <= _COMBINING_CHARS
        shown.append(letter if plain else c)
    return "".join(shown)


@pytest.mark.parametrize("seed", range(3))
def test_language_gate_on_non_ascii_text_agrees_with_plain_counting(seed: int) -> None:
    """The gate counts by deletion and str.split; random mixes of scripts, digits, spaces and code
    characters must get the verdict that the plain regex counts give."""
    pieces = [
        "the",
        "of",
        "and",
        "le",
        "der",
        "é",
        "ß",
        "²",
        "½",
        "٣",
        "_",
        "İ",
        "日本",
        "\u00a0",
        "\u2009",
        "\u3000",
        "\x1c",
        "x",
        "7",
        " ",
        "\n",
        "\u0301",
        "\u0336",
        "\u200b",
        "\u24d0",
        "\U0001f15a",
        "Ⅻ",
        "=",
        "{",
        "/",
        "$",
        "(",
        "[",
        ";",
        ":",
        "<",
        ".",
        ",",
        "’",
    ]
    rng = random.Random(seed)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 80))) + "é"
        tokens = tokenize(text)
        letters, non_space, code, ascii_share = _language_measures_by_regex(text, tokens)
        words = len(tokens) - tokens.count(".") - tokens.count(",")
        expected = None
        code_like = code > 0.25 * words and _code_marks_by_loop(_shown_by_loop(text)) > 0.2 * words
        if words == 0 or (non_space and letters / non_space < 0.6) or code_like:
            expected = "not prose"
        elif ascii_share < 0.7:
            expected = "not English"
        reason = language_reason(text, tokens)
        if expected is not None:
            assert reason == expected, text
        else:
            assert reason in (None, "not English", "not prose"), text  # the record and function-word tests come next


def test_the_gate_counts_as_whitespace_what_str_split_splits_at() -> None:
    """The gate counts a non-ASCII paragraph's spaces (the space, and _OTHER_SPACE) where it joined
    the pieces of str.split: the two must agree on every character."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert sorted([" ", *_OTHER_SPACE.findall(every)]) == [c for c in every if c.isspace()]


@pytest.mark.parametrize("seed", range(3))
def test_token_counts_count_as_their_definitions(seed: int) -> None:
    """The gate classes each distinct token of a group once and counts the classes with numpy: the
    counts of every paragraph must be those of the plain definitions, however its tokens repeat."""
    pieces = ["the", "of", "and", "le", "der", "og", ".", ",", "'s", "s", "0", "0000", "²", "٣", "é", "日本", "x"]
    rng = random.Random(seed)
    lists = [[rng.choice(pieces) for _ in range(rng.choice([0, 1, 5, 40]))] for _ in range(60)]
    lists.append(sorted(_FUNCTION_WORDS | _FOREIGN_FUNCTION_WORDS))  # one bit a class: a word in both would count once
    expected = [
        TokenCounts(
            len(t),
            t.count(".") + t.count(","),
            sum(w in _FUNCTION_WORDS for w in t),
            sum(w in _FOREIGN_FUNCTION_WORDS for w in t),
            t.count("'s"),
            sum(w.isdigit() for w in t),
            sum(w.isascii() for w in t),
        )
        for t in lists
    ]
    assert token_counts(lists) == expected
    assert [token_counts([t])[0] for t in lists] == expected
    assert token_counts([]) == []


# ---- edges a mutation run showed unpinned -------------------------------------------------------

EXAMPLE_SPUN = [
    p for p in (Path(__file__).resolve().parents[1] / "examples" / "spun.txt").read_text().split("\n\n") if p.strip()
]


def _at(p: float | None) -> Result:
    return Result(0.0, None, "too short") if p is None else Result(p, p >= 0.95)


@pytest.mark.parametrize(
    ("probabilities", "expected"),
    [
        ([0.95, 0.95, 0.85], [False, False, True]),  # a paragraph at the threshold counts as flagged
        ([0.99, 0.97, 0.95, 0.85], [False, False, False, True]),  # and is not flagged "by context"
        ([0.99, 0.97, 0.8], [False, False, True]),  # the floor itself is in the band
        ([0.99, 0.97, 0.799], [False, False, False]),  # and just under the documented 0.8 is not
        # a fifth of the *scored* paragraphs: 2 of 9 scored, though 2 of 12 in all
        ([0.99, 0.97, 0.85] + [0.1] * 6 + [None] * 3, [False, False, True] + [False] * 9),
    ],
)
def test_document_rule_edges(probabilities, expected) -> None:
    assert context_flags([_at(p) for p in probabilities], 0.95) == expected


def test_a_document_is_spun_when_any_one_paragraph_is_flagged() -> None:
    # explain's exit status and the text format's verdict read Document.spun: the first paragraph
    # alone, or one flagged by its document, is enough; paragraphs not scored never are
    def doc(*results: Result) -> Document:
        return Document(tuple(Paragraph(i, i, i + 1, "x", r) for i, r in enumerate(results)), 0.95)

    first = doc(Result(0.99, True), Result(0.1, False), Result(0.0, None, "too short"))
    assert first.spun and [p.index for p in first.flagged] == [0] and first.probability == 0.99
    assert doc(Result(0.1, False), Result(0.85, True, by_context=True)).spun
    assert not doc(Result(0.1, False), Result(0.0, None, "too short")).spun
    assert not doc().spun and doc().probability == 0.0


def test_a_paragraph_at_the_threshold_is_flagged_with_its_evidence(detector) -> None:
    paragraph = EXAMPLE_SPUN[2]
    probability = detector.score_paragraphs([paragraph])[0].probability
    (result,) = dataclasses.replace(detector, threshold=probability).score_paragraphs([paragraph])
    assert result.spun is True and result.evidence


def _words_to(tokens: int) -> str:
    words = " ".join(EXAMPLE_SPUN[1:] * 2).split()
    while len(tokenize(" ".join(words))) > tokens:
        words.pop()
    assert len(tokenize(" ".join(words))) == tokens
    return " ".join(words)


def test_400_tokens_are_one_unit_and_401_are_windowed(detector, monkeypatch) -> None:
    calls = []
    windows = Detector._windows
    monkeypatch.setattr(Detector, "_windows", lambda *args: calls.append(1) or windows(*args))
    for tokens, windowed in ((400, False), (401, True)):
        calls.clear()
        detector.score_paragraphs([_words_to(tokens)])
        assert bool(calls) == windowed


def test_each_window_gives_the_evidence_it_gives_alone(detector, monkeypatch) -> None:
    # a window one token short at its end matched no token count and dropped all its evidence
    monkeypatch.setattr(spincheck.detector, "MAX_EVIDENCE", 1000)
    text = " ".join(EXAMPLE_SPUN[1:] * 2)
    units = detector._windows(0, text, np.zeros(len(tokenize(text)), bool))
    (whole,) = detector.score_paragraphs([text], explain=True)
    alone = detector.score_paragraphs([u.text for u in units], explain=True)
    expected = {(e.start + u.offset, e.end + u.offset, e.phrase) for u, r in zip(units, alone) for e in r.evidence}
    assert len(units) > 1 and {(e.start, e.end, e.phrase) for e in whole.evidence} == expected


def test_a_window_that_opens_like_a_list_item_keeps_its_evidence(detector, spun_article, monkeypatch) -> None:
    # a window's offsets came from tokenizing its text again, where a start of "b) " is a list item's
    # marker, read as no word: one token short, the window dropped all its evidence
    from spincheck.detector import window_cuts
    from spincheck.text import token_spans

    monkeypatch.setattr(spincheck.detector, "MAX_EVIDENCE", 1000)
    base = re.sub(r"\.(?=\s)", ";", " ".join(paragraphs_of(spun_article) * 2))  # no sentence end to snap to
    _, spans = token_spans(base)
    for at in range(window_cuts(*token_spans(base))[0], 0, -1):  # put "(b)" where the first cut falls
        text = base[: spans[at, 0]] + "(b) " + base[spans[at, 0] :]
        tokens, text_spans = token_spans(text)
        if tokens[window_cuts(tokens, text_spans)[0]] == "b":
            break
    units = detector._windows(0, text, np.zeros(len(tokens), bool))
    assert units[1].text.startswith("b) ")
    (result,) = detector.score_paragraphs([text], explain=True)
    assert all(text[e.start : e.end] == e.phrase for e in result.evidence)
    assert any(units[1].offset <= e.start < units[2].offset for e in result.evidence)


@pytest.mark.parametrize("batch_tokens", [None, 1])  # 1: each window scored in a batch of its own
@pytest.mark.parametrize("spun_first", [False, True])  # the flagged window is the last one, or the first
def test_a_flagged_long_paragraph_has_the_evidence_of_all_its_windows(
    detector, monkeypatch, batch_tokens, spun_first
) -> None:
    # evidence was found only in the windows at the threshold: three clean windows before a spun one gave
    # a flagged paragraph none of their phrases, which explain=True and the document rule list
    if batch_tokens is not None:
        monkeypatch.setattr(spincheck.detector, "BATCH_TOKENS", batch_tokens)
    clean = [p for p in (CORPUS.parent / "examples" / "clean.txt").read_text().split("\n\n") if p.strip()]
    parts = [EXAMPLE_SPUN[1:3], clean[1:] * 2]
    text = " ".join(sum(parts if spun_first else parts[::-1], []))
    units = detector._windows(0, text, np.zeros(len(tokenize(text)), bool))
    alone = detector.score_paragraphs([u.text for u in units], explain=True)
    clean_end = -1 if spun_first else 0
    assert len(units) > 2 and not alone[clean_end].spun and alone[clean_end].evidence
    assert [a.spun for a in alone].count(True) == 1 and alone[-1 - clean_end].spun  # one window flags it
    (flagged,) = detector.score_paragraphs([text])
    (explained,) = detector.score_paragraphs([text], explain=True)
    assert flagged.spun and flagged.evidence == explained.evidence
    (at_threshold,) = dataclasses.replace(detector, threshold=flagged.probability).score_paragraphs([text])
    assert at_threshold.spun and at_threshold.evidence == explained.evidence  # a window just at it counts
    if spun_first:
        assert max(e.start for e in flagged.evidence) >= units[-1].offset  # the last window's phrases too
    else:
        assert min(e.start for e in flagged.evidence) < units[1].offset  # the first window's phrases too


def test_a_paragraph_of_one_window_keeps_its_offsets(detector) -> None:
    # over 400 tokens with min_words 200, after a leading quote: two windows, the first at offset 1
    text = '"' + _words_to(419)
    (result,) = dataclasses.replace(detector, min_words=200).score_paragraphs([text], explain=True)
    assert result.evidence and all(text[e.start : e.end] == e.phrase for e in result.evidence)


def test_evidence_covers_every_token_over_the_likelihood_ratio_and_no_more(detector) -> None:
    from spincheck.text import token_spans, tokenize_cased

    paragraph = EXAMPLE_SPUN[5]  # five of its tokens are just under the cut, at ratios of 3.9-4.9
    tokens, capitals = tokenize_cased(paragraph)
    _, _, features, logit = detector._score_batch([tokens], [capitals])
    # the ratio docs/library.md states, not the constant: a moved cut must fail here
    likely = logit - detector.model.classifier.prior_logit >= math.log(4.9)
    slots = features.tokens.slots[likely] - features.batch.starts[0]
    _, spans = token_spans(paragraph)
    (result,) = detector.score_paragraphs([paragraph], explain=True)
    assert 0 < len(result.evidence) <= len(slots) < MAX_EVIDENCE
    for k in slots:
        assert any(e.start <= spans[k, 0] and spans[k, 1] <= e.end for e in result.evidence)
    for e in result.evidence:  # and each span holds such a token: a lower cut adds spans
        assert any(e.start <= spans[k, 0] and spans[k, 1] <= e.end for k in slots), e


def test_a_span_that_overlaps_a_stronger_one_shrinks_to_its_token_without_a_suggestion() -> None:
    """Evidence spans never overlap: a weaker candidate whose best swap reaches into a span taken
    before is its own token alone, with no suggestion (that swap's phrase would replace words the
    stronger span already claims); a candidate token inside a taken span adds nothing."""
    from types import SimpleNamespace

    from spincheck.detector import _pick_spans

    batch = SimpleNamespace(starts=np.array([0]), lengths=np.array([10]), para=np.zeros(10, np.int64))
    # swap 0 puts phrase 7 over tokens 2-3, swap 1 phrase 8 over tokens 3-4
    swaps = SimpleNamespace(
        slot=np.array([2, 3]), span_len=np.array([2, 2]), phrase=np.array([7, 8]), gain=np.array([1.0, 1.0])
    )
    best_row = np.full(10, -1)
    best_row[[2, 3, 4]] = [0, 0, 1]
    picked = _pick_spans(batch, np.array([2, 4, 3]), np.array([0.9, 0.8, 0.7]), best_row, swaps)
    assert picked == [[(2, 2, 7, 0.9), (4, 1, -1, 0.8)]]


def test_a_swap_back_that_makes_the_context_no_more_familiar_is_no_suggestion() -> None:
    """Evidence.suggestion is None when the best swap back does not raise the context's likelihood
    (a gain of 0 or less): the span is its token alone. On examples/spun.txt such swaps would have
    offered "said" -> "told" and "way" -> "room"."""
    from types import SimpleNamespace

    from spincheck.detector import _pick_spans

    batch = SimpleNamespace(starts=np.array([0]), lengths=np.array([10]), para=np.zeros(10, np.int64))
    swaps = SimpleNamespace(
        slot=np.array([2, 5, 7]),
        span_len=np.array([2, 2, 1]),
        phrase=np.array([7, 8, 9]),
        gain=np.array([-0.5, 0.0, 0.1]),
    )
    best_row = np.full(10, -1)
    best_row[[2, 5, 7]] = [0, 1, 2]
    picked = _pick_spans(batch, np.array([2, 5, 7]), np.array([0.9, 0.8, 0.7]), best_row, swaps)
    assert picked == [[(2, 1, -1, 0.9), (5, 1, -1, 0.8), (7, 1, 9, 0.7)]]


def test_evidence_spans_never_overlap_and_the_cap_keeps_the_strongest(detector, monkeypatch) -> None:
    (full,) = detector.score_paragraphs([_words_to(400)], explain=True)
    ordered = sorted(full.evidence, key=lambda e: e.start)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))
    assert any(" " in e.phrase for e in full.evidence)  # phrases of several words stay whole
    assert [(-e.strength, e.start) for e in full.evidence] == sorted((-e.strength, e.start) for e in full.evidence)
    monkeypatch.setattr(spincheck.detector, "MAX_EVIDENCE", 5)
    (capped,) = detector.score_paragraphs([_words_to(400)], explain=True)
    assert capped.evidence == full.evidence[:5]


def test_evidence_stops_at_the_40_spans_the_docs_state(detector, monkeypatch) -> None:
    # docs/library.md: up to 40 per paragraph, the strongest; this paragraph has more
    (capped,) = detector.score_paragraphs([_words_to(400)], explain=True)
    monkeypatch.setattr(spincheck.detector, "MAX_EVIDENCE", 1000)
    (every,) = detector.score_paragraphs([_words_to(400)], explain=True)
    assert len(every.evidence) > 40 and capped.evidence == every.evidence[:40]


def test_language_gate_edges(detector) -> None:
    listing = (
        "Apple iPhone 15 Pro Max 256GB Natural Titanium Unlocked Smartphone with A17 chip, triple camera, "
        "USB-C charging port, titanium frame and Action button"
    )
    assert [r.reason for r in detector.score_paragraphs([listing, "… . , ."])] == ["not English", "not prose"]


NEWS_LEADS = [
    "Farm lobby group AgForce says recent rain across central Queensland has eased drought pressure on cattle "
    "producers.",
    "Second seed Elena Markova beat Australian qualifier Jessica Lowe 6-3 4-6 7-5 in Brisbane on Tuesday night.",
    "Hospital emergency departments across Victoria recorded their busiest winter since 2015, health department "
    "figures show.",
]
NOT_ENGLISH_PROSE = [
    "Serikali imetangaza kwamba mazungumzo na vyama vya wafanyakazi yataendelea wiki ijayo katika mji mkuu, licha ya "
    "mvutano uliopo kati ya pande zote mbili.",
    "May bagong batas na ipinasa ang Senado noong Martes, at may mga mambabatas na tumutol dito dahil sa gastos at sa "
    "epekto nito sa mga magsasaka at mangingisda sa probinsya.",
    "Almunia, Lauren, Toure, Campbell, Cole, Pires, Flamini, Vieira, Clichy, Van Persie (Bergkamp 68), Henry.",
]


def test_news_leads_with_few_function_words_are_english(detector) -> None:
    """A one-sentence news lead is mostly names, numbers and content words ("X says ..."): 46 of 46 such ABC
    paragraphs of 12 words or more were 'not English', counted against 70 function words with the scores'
    numbers and the "'s" of "Australia's" as words."""
    assert [r.reason for r in detector.score_paragraphs(NEWS_LEADS)] == [None] * len(NEWS_LEADS)
    assert [r.reason for r in detector.score_paragraphs(NOT_ENGLISH_PROSE)] == ["not English"] * 3


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork() on this platform")
def test_a_forked_worker_unpickles_the_model_it_inherited(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool forks its workers before it pickles their tasks: each worker loaded the model again
    for the detector of its first task, and built its own lookup indexes, while the model loaded
    before the fork sat in its memory unused (4 workers: 354 MB private, 100 MB sharing it)."""
    import spincheck.detector as detector_module

    monkeypatch.setattr(detector_module, "_LATEST", {})  # no model pickled before in this process
    monkeypatch.setattr(detector_module, "_ALIVE", weakref.WeakValueDictionary())
    det = Detector.load()
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns of fork() with threads, if pytest has any
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: unpickle what the parent sends, never back in pytest
        code = 1
        try:
            os.close(write_end)
            with os.fdopen(read_end, "rb") as pipe:
                code = 0 if pickle.loads(pipe.read()).model is det.model else 3
        finally:
            os._exit(code)
    os.close(read_end)
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(pickle.dumps(det))
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_unpickled_detectors_share_one_model_in_a_fresh_process(detector, run_python) -> None:
    # a pool worker would load the 77 MB model again for every task; and the shipped model is
    # pickled by name, found again wherever the worker has it installed
    data = pickle.dumps(detector)
    assert pickle.loads(data).model is detector.model
    assert str(detector.path).encode() not in data
    code = f"import pickle; d = {data!r}; print(pickle.loads(d).model is pickle.loads(d).model)"
    assert run_python(code).strip() == "True"
