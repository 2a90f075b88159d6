"""Stage 6: the model directory as data, checked on load (spincheck.model).

Every test that changes a file works on a copy of the shipped model in
``tmp_path``; the shipped directory itself is only read.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import spincheck
from spincheck.features import FEATURE_NAMES, PARAGRAPH_FEATURE_NAMES, TOKEN_FEATURE_NAMES
from spincheck.lexicon import Lexicon
from spincheck.model import (
    CARD,
    CLASSIFIER,
    DECISION_BLOCK_ROWS,
    FORMAT_VERSION,
    Classifier,
    ModelError,
    NeuralScorer,
    feature_schema_hash,
    load_model_dir,
    sha256_file,
    write_card,
)
from spincheck.reference import Reference


@pytest.fixture
def model_copy(shipped_model_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "model"
    shutil.copytree(shipped_model_dir, out)
    return out


@pytest.fixture
def linked_copy(shipped_model_dir: Path, tmp_path: Path) -> Path:
    """A model directory whose card.json is a copy and whose data files are symlinks to the shipped ones.

    Cheaper than ``model_copy``. Never write *through* a link: a test may
    change card.json, delete a link, or :func:`replace` a file with a new one.
    """
    out = tmp_path / "model"
    out.mkdir()
    for path in shipped_model_dir.iterdir():
        if path.name == CARD:
            shutil.copyfile(path, out / CARD)
        elif path.is_file():
            (out / path.name).symlink_to(path)
    return out


def edit_card(directory: Path, change) -> None:
    card = json.loads((directory / CARD).read_text(encoding="utf-8"))
    change(card)
    (directory / CARD).write_text(json.dumps(card), encoding="utf-8")


def replace(directory: Path, name: str) -> Path:
    """Unlink ``name`` so that writing to the returned path creates a new file, not a write through a link."""
    path = directory / name
    path.unlink()
    return path


def rehash(directory: Path, name: str) -> None:
    """Record a file's new SHA-256 in the card, as if the card had been rewritten with it."""
    edit_card(directory, lambda card: card["files"].__setitem__(name, sha256_file(directory / name)))


@pytest.mark.parametrize("hidden", [32, 0], ids=["network", "linear"])
@pytest.mark.parametrize(
    "rows", [0, 1, 5, DECISION_BLOCK_ROWS + 1, 2 * DECISION_BLOCK_ROWS + 1, 2 * DECISION_BLOCK_ROWS + 77]
)
def test_decision_function_by_blocks_is_the_whole_batch_formula_to_the_bit(hidden: int, rows: int) -> None:
    """decision_function takes its rows a block at a time, from a C- or Fortran-order matrix
    (the token features are the latter); every row's value must be what the formula over the
    whole batch at once gives, or scores would depend on a paragraph's place in its batch (a
    last block of one row, multiplied by numpy as a vector, was an ulp off: 2,049 rows). On one
    BLAS thread: where BLAS splits a product's rows between threads, the whole batch's own
    product rounds some rows differently from one thread (on 2 cores, 24 of 60 batch sizes), so
    the reference would depend on the machine's cores, not on the code."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        _check_decision_function_by_blocks(hidden, rows)


def _check_decision_function_by_blocks(hidden: int, rows: int) -> None:
    rng = np.random.default_rng(0)
    n = 31
    scorer = NeuralScorer(
        rng.normal(size=n),
        rng.uniform(0.5, 2.0, n),
        rng.normal(size=(n, hidden)),
        rng.normal(size=hidden),
        rng.normal(size=hidden or n),
        0.25,
    )
    X = rng.normal(size=(rows, n)) * 3.0
    Z = (X - scorer.mean) / scorer.scale
    if hidden:
        Z = np.maximum(Z @ scorer.hidden_weights + scorer.hidden_bias, 0.0)
    expected = Z @ scorer.out_weights + scorer.out_bias
    assert np.array_equal(scorer.decision_function(X), expected)
    assert np.array_equal(scorer.decision_function(np.asfortranarray(X)), expected)


def test_shipped_model_loads_and_matches_its_card(shipped_model_dir: Path) -> None:
    model = load_model_dir(shipped_model_dir)
    card = model.card
    assert card.format_version <= FORMAT_VERSION
    # the version --format json and explain show as model_version: the card's, as written
    written = json.loads((shipped_model_dir / CARD).read_text(encoding="utf-8"))["spincheck_version"]
    assert card.version == written and re.fullmatch(r"\d+\.\d+\.\d+\S*", card.version)
    assert card.feature_names == FEATURE_NAMES
    assert card.raw["feature_schema"] == feature_schema_hash()
    assert 0.0 < card.threshold < 1.0
    listed = set(card.files)
    assert {CLASSIFIER, Lexicon.FILE, *Reference.FILES} <= listed
    for name, digest in card.files.items():
        assert sha256_file(shipped_model_dir / name) == digest, name
    assert model.classifier.token.mean.shape == (len(TOKEN_FEATURE_NAMES),)
    assert model.classifier.paragraph.mean.shape == (len(PARAGRAPH_FEATURE_NAMES),)


def test_a_casing_file_is_optional_checked_when_listed_and_refused_when_malformed(linked_copy: Path) -> None:
    """casing.npz (how suggestions are written) is optional and may be left off the card, which
    predates it, since it can only change a suggestion's case; listed, it is checked as any file."""
    from spincheck.lexicon import write_casing

    casing = linked_copy / Lexicon.CASING_FILE
    casing.unlink(missing_ok=True)
    edit_card(linked_copy, lambda card: card["files"].pop(Lexicon.CASING_FILE, None))
    assert load_model_dir(linked_copy).lexicon.casing == {}
    write_casing(casing, {"uk": "UK"})
    assert load_model_dir(linked_copy).lexicon.casing == {"uk": "UK"}  # not listed: read all the same
    rehash(linked_copy, Lexicon.CASING_FILE)
    assert load_model_dir(linked_copy).lexicon.casing == {"uk": "UK"}
    write_casing(replace(linked_copy, Lexicon.CASING_FILE), {"uk": "Uk"})
    with pytest.raises(ModelError, match="casing.npz is corrupted or was changed"):
        load_model_dir(linked_copy)
    np.savez(replace(linked_copy, Lexicon.CASING_FILE), cased=np.frombuffer(b"UK\nUk", np.uint8))
    rehash(linked_copy, Lexicon.CASING_FILE)
    with pytest.raises(ModelError, match="could not be read .*two cases"):
        load_model_dir(linked_copy)
    replace(linked_copy, Lexicon.CASING_FILE).write_bytes(b"not an archive")
    edit_card(linked_copy, lambda card: card["files"].pop(Lexicon.CASING_FILE))
    with pytest.raises(ModelError, match="could not be read"):
        load_model_dir(linked_copy)


def test_model_directory_holds_only_data_files(shipped_model_dir: Path) -> None:
    suffixes = {p.suffix for p in shipped_model_dir.iterdir() if p.is_file() and p.name != "__init__.py"}
    assert suffixes <= {".npy", ".npz", ".json"}


@pytest.mark.parametrize("name", ["classifier.npz", "reference.json", "bigram_q.npy", "vectors.npy"])
def test_changed_byte_is_refused(model_copy: Path, name: str) -> None:
    path = model_copy / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="corrupted or was changed") as info:
        load_model_dir(model_copy)
    assert name in str(info.value)


@pytest.mark.parametrize("name", ["classifier.npz"])
def test_truncated_file_is_refused(model_copy: Path, name: str) -> None:
    path = model_copy / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    with pytest.raises(ModelError, match="corrupted or was changed"):
        load_model_dir(model_copy)


@pytest.mark.parametrize("name", ["classifier.npz", "lexicon.npz", "reference.json"])
def test_missing_file_is_refused(linked_copy: Path, name: str) -> None:
    (linked_copy / name).unlink()
    with pytest.raises(ModelError, match="missing") as info:
        load_model_dir(linked_copy)
    assert name in str(info.value)


def test_card_that_does_not_list_a_file_is_refused(linked_copy: Path) -> None:
    edit_card(linked_copy, lambda card: card["files"].pop(CLASSIFIER))
    with pytest.raises(ModelError, match=CLASSIFIER):
        load_model_dir(linked_copy)


def test_corrupted_card_is_refused(linked_copy: Path) -> None:
    text = (linked_copy / CARD).read_text(encoding="utf-8")
    (linked_copy / CARD).write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ModelError, match="corrupted or was changed"):
        load_model_dir(linked_copy)


@pytest.mark.parametrize("key", ["threshold", "feature_names", "files", "format_version"])
def test_card_without_a_required_field_is_refused(linked_copy: Path, key: str) -> None:
    edit_card(linked_copy, lambda card: card.pop(key))
    with pytest.raises(ModelError, match="corrupted or was changed"):
        load_model_dir(linked_copy)


@pytest.mark.parametrize("threshold", [float("nan"), 1.5, -0.5])
def test_card_threshold_outside_0_1_is_refused(linked_copy: Path, threshold: float) -> None:
    edit_card(linked_copy, lambda card: card.__setitem__("threshold", threshold))
    with pytest.raises(ModelError, match="corrupted or was changed .threshold .* is not in 0-1"):
        load_model_dir(linked_copy)


def test_a_threshold_too_large_for_a_float_is_a_corrupted_card(linked_copy: Path) -> None:
    # JSON reads 1 followed by 400 zeros as an int, which float() refused with an OverflowError
    edit_card(linked_copy, lambda card: card.__setitem__("threshold", 10**400))
    with pytest.raises(ModelError, match="corrupted or was changed .OverflowError"):
        load_model_dir(linked_copy)


def test_missing_card_and_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        load_model_dir(tmp_path / "nowhere")
    (tmp_path / "card.txt").write_text("not a model")
    with pytest.raises(ModelError, match="is a file, not a directory"):
        load_model_dir(tmp_path / "card.txt")
    with pytest.raises(ModelError, match=CARD):
        load_model_dir(tmp_path)
    # a hub address is not fetched, and the error says so rather than "https:/hub...: does not exist"
    with pytest.raises(ModelError, match="model directory https://hub.example/m is a web address: .* never downloaded"):
        load_model_dir(Path("https://hub.example/m"))
    with pytest.raises(ModelError):
        spincheck.Detector.load(tmp_path)


def test_newer_format_version_is_refused(linked_copy: Path) -> None:
    newer = FORMAT_VERSION + 1
    edit_card(linked_copy, lambda card: card.__setitem__("format_version", newer))
    with pytest.raises(ModelError) as info:
        load_model_dir(linked_copy)
    message = str(info.value)
    assert re.search(rf"\b{newer}\b", message) and re.search(rf"\b{FORMAT_VERSION}\b", message)
    assert "upgrade" in message


@pytest.mark.parametrize("version", [0, -3, 1.9, "1", True])
def test_a_format_version_no_spincheck_wrote_is_refused(linked_copy: Path, version) -> None:
    # read with int(), 0 and -3 loaded as older formats and 1.9 as format 1
    edit_card(linked_copy, lambda card: card.__setitem__("format_version", version))
    with pytest.raises(ModelError, match=r"corrupted or was changed .*format_version .* is not a format version"):
        load_model_dir(linked_copy)


@pytest.mark.parametrize("at", [0, -1])
def test_feature_schema_mismatch_is_refused(linked_copy: Path, at: int) -> None:
    edit_card(linked_copy, lambda card: card["feature_names"].__setitem__(at, "renamed_feature"))
    with pytest.raises(ModelError, match="feature schema"):
        load_model_dir(linked_copy)


def test_feature_names_that_are_not_strings_are_a_corrupted_card(linked_copy: Path) -> None:
    # hashed for the message, numbers failed as "unexpected TypeError ... a bug in spincheck"
    edit_card(linked_copy, lambda card: card.__setitem__("feature_names", [1, 2, 3]))
    with pytest.raises(ModelError, match="corrupted or was changed .*feature_names must be strings"):
        load_model_dir(linked_copy)


def test_features_in_another_order_are_another_schema(linked_copy: Path) -> None:
    # compared as a set, the same names in another order would load, and feed every column to the
    # wrong weight; the message quoted the card's stored schema hash, which names no difference
    names = list(FEATURE_NAMES)
    names[0], names[1] = names[1], names[0]
    edit_card(linked_copy, lambda card: card.__setitem__("feature_names", names))
    with pytest.raises(ModelError, match="feature schema") as info:
        load_model_dir(linked_copy)
    assert f"({feature_schema_hash(tuple(names))}, this spincheck uses {feature_schema_hash()})" in str(info.value)


@pytest.mark.parametrize("name", ["bigram_q.npy", "unigram_keys.npy", "reference.json", "vectors.npy"])
def test_the_card_must_list_every_table(linked_copy: Path, name: str) -> None:
    # a table the card leaves out would be read without its SHA-256 checked
    edit_card(linked_copy, lambda card: card["files"].pop(name))
    with pytest.raises(ModelError, match=f"does not list {re.escape(name)}"):
        load_model_dir(linked_copy)


def test_a_card_listing_a_name_too_long_for_a_file_is_a_model_error(linked_copy: Path) -> None:
    # Path.is_file raised OSError (ENAMETOOLONG) for it: a bug in spincheck, said the CLI
    edit_card(linked_copy, lambda card: card["files"].__setitem__("a" * 5000, "0" * 64))
    with pytest.raises(ModelError, match="cannot be read"):
        load_model_dir(linked_copy)


def test_a_directory_in_place_of_a_model_file_is_a_missing_file(linked_copy: Path) -> None:
    replace(linked_copy, "reference.json").mkdir()
    with pytest.raises(ModelError, match="reference.json is missing"):
        load_model_dir(linked_copy)


def test_classifier_of_the_wrong_shape_is_refused(linked_copy: Path) -> None:
    def scorer(n: int) -> NeuralScorer:
        return NeuralScorer(np.zeros(n), np.ones(n), np.zeros((n, 0)), np.zeros(0), np.zeros(n), 0.0)

    Classifier(scorer(len(TOKEN_FEATURE_NAMES) - 1), scorer(len(PARAGRAPH_FEATURE_NAMES)), 0.0).save(
        replace(linked_copy, CLASSIFIER)
    )
    rehash(linked_copy, CLASSIFIER)
    with pytest.raises(ModelError, match="feature schema"):
        load_model_dir(linked_copy)


def _classifier_arrays(shipped: Path) -> dict[str, np.ndarray]:
    with np.load(shipped / CLASSIFIER) as data:
        return {name: data[name] for name in data.files}


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("token_hidden_bias", lambda a: a[:5], "token model's hidden_bias has shape (5,)"),
        ("token_hidden_weights", lambda a: a[:, :5], "token model's hidden_bias has shape"),
        ("token_hidden_weights", lambda a: a[..., None], "hidden_weights are not a matrix"),
        ("paragraph_scale", lambda a: a[:5], "paragraph model's scale has shape (5,)"),
        ("paragraph_out_weights", lambda a: a[:, None], "paragraph model's out_weights has shape"),
        ("paragraph_mean", lambda a: a.astype(str), "paragraph model's weights are not floats"),
        ("paragraph_out_weights", lambda a: np.full_like(a, np.nan), "NaN or infinite"),
        ("token_out_bias", lambda a: a + np.inf, "token model holds NaN or infinite"),
        ("token_scale", lambda a: np.where(np.arange(a.size) == 3, 0.0, a), "divides by a zero scale"),
        ("prior_logit", lambda a: np.full_like(a, np.nan), "its prior_logit is nan"),
    ],
)
def test_a_classifier_with_arrays_that_do_not_fit_together_is_refused(
    linked_copy: Path, shipped_model_dir: Path, name: str, change, message: str
) -> None:
    # only the means were checked: these loaded, then the first paragraph scored raised a numpy
    # broadcast or matmul error (shapes, strings) or every probability was NaN (NaN, zero scale)
    arrays = _classifier_arrays(shipped_model_dir)
    arrays[name] = change(arrays[name])
    np.savez(replace(linked_copy, CLASSIFIER), **arrays)
    rehash(linked_copy, CLASSIFIER)
    with pytest.raises(ModelError, match=re.escape(message)) as info:
        load_model_dir(linked_copy)
    assert str(linked_copy / CLASSIFIER) in str(info.value)


def _float_keys(path: Path, shipped: Path) -> None:
    np.save(path, np.load(shipped / "unigram_keys.npy").astype(np.float64))


def _stretched_offsets(path: Path, shipped: Path) -> None:
    with np.load(shipped / "lexicon.npz") as data:
        arrays = {name: data[name] for name in data.files}
    arrays["offsets"] = arrays["offsets"] * 10  # ranges past the end of the candidate table
    np.savez(path, **arrays)


def _lexicon_with(name: str, change):
    """A writer of the shipped lexicon with one array changed: only the candidate ranges were
    checked, and these raised IndexError or a broadcast error on the first paragraph scored."""

    def write(path: Path, shipped: Path) -> None:
        with np.load(shipped / "lexicon.npz") as data:
            arrays = {key: data[key] for key in data.files}
        arrays[name] = change(arrays[name])
        np.savez(path, **arrays)

    return write


def _empty_classifier(path: Path, shipped: Path) -> None:
    np.savez(path, unused=np.zeros(1))


def _npz_under_npy_name(path: Path, shipped: Path) -> None:
    # np.load goes by content: this came back as an open NpzFile, and load_model_dir raised
    # "AttributeError: 'NpzFile' object has no attribute 'shape'"
    with open(path, "wb") as f:
        np.savez(f, keys=np.load(shipped / path.name))


@pytest.mark.parametrize(
    ("name", "write", "message"),
    [
        ("lexicon.npz", lambda path, shipped: path.write_bytes(b"not a zip archive"), "could not be read"),
        ("lexicon.npz", lambda path, shipped: path.write_bytes(b""), "could not be read"),
        ("reference.json", lambda path, shipped: path.write_text("[1, 2]"), "not a JSON object"),
        *[  # scoring takes the logs of these: a ValueError or TypeError on the first paragraph, or NaN scores
            ("reference.json", lambda path, shipped, text=text: path.write_text(text), "not a finite number")
            for text in ('{"tokens": "many"}', '{"tokens": null}', '{"paragraphs": [1]}', '{"tokens": NaN}')
            + ('{"tokens": 1e999}', '{"paragraphs": 1' + "0" * 400 + "}")
        ],
        ("unigram_keys.npy", _float_keys, "unigram table is not uint64 keys"),
        ("vectors.npy", lambda path, shipped: np.save(path, np.zeros((3, 4), np.float16)), "word vectors"),
        (CLASSIFIER, _empty_classifier, "lacks the array 'token_mean'"),
        (
            "vectors.npy",
            lambda path, shipped: np.save(path, np.zeros((len(np.load(shipped / "vector_keys.npy")), 0), np.float16)),
            "word vectors",
        ),
        ("lexicon.npz", _stretched_offsets, "its lexicon is not uint64 keys"),
        (
            "vectors.npy",
            lambda path, shipped: np.save(path, np.load(shipped / "vectors.npy").astype(np.int8)),
            "word vectors",
        ),
        (
            "unigram_logp.npy",
            lambda path, shipped: np.save(path, np.load(shipped / "unigram_logp.npy").astype(np.int16)),
            "values are neither float",
        ),
        (
            "bigram_q.npy",  # uint16 of the same bytes was read as log-probabilities 0 to 255: p=1.0
            lambda path, shipped: np.save(path, np.load(shipped / "bigram_q.npy").astype(np.uint16)),
            "values are neither float",
        ),
        ("lexicon.npz", _lexicon_with("cand_phrase", lambda a: a + np.uint32(10**7)), "phrase table is malformed"),
        ("lexicon.npz", _lexicon_with("key_phrase", lambda a: a[:10]), "phrase table is malformed"),
        ("lexicon.npz", _lexicon_with("phrase_ids", lambda a: a[:, 0]), "phrase table is malformed"),
        ("lexicon.npz", _lexicon_with("phrase_len", lambda a: a[:10]), "phrase table is malformed"),
        ("lexicon.npz", _lexicon_with("phrase_offsets", lambda a: a[:10]), "phrase table is malformed"),
        ("lexicon.npz", _lexicon_with("phrase_blob", lambda a: a.astype(np.uint16)), "phrase table is malformed"),
        ("bigram_q.npy", _npz_under_npy_name, "bigram_q.npy is an .npz archive"),
        ("vector_keys.npy", _npz_under_npy_name, "vector_keys.npy is an .npz archive"),
    ],
    ids=[
        "lexicon-not-zip",
        "lexicon-empty",
        "reference-json-list",
        *[f"reference-json-{what}" for what in ("tokens-str", "tokens-null", "paragraphs-list", "nan", "inf", "big")],
        "float-keys",
        "vectors-shape",
        "no-arrays",
        "vectors-zero-width",
        "lexicon-offsets",
        "vectors-int8",
        "logp-int16",
        "bigram-q-uint16",
        "lexicon-cand-phrase",
        "lexicon-key-phrase",
        "lexicon-phrase-ids",
        "lexicon-phrase-len",
        "lexicon-phrase-offsets",
        "lexicon-phrase-blob",
        "bigram-values-npz",
        "vector-keys-npz",
    ],
)
def test_a_wrongly_built_file_that_matches_its_card_is_a_model_error(
    linked_copy: Path, shipped_model_dir: Path, name: str, write, message: str
) -> None:
    """A broken 'spincheck train' run, or a directory rehashed by hand: the SHA check passes."""
    write(replace(linked_copy, name), shipped_model_dir)
    rehash(linked_copy, name)
    with pytest.raises(ModelError, match=re.escape(message)):
        load_model_dir(linked_copy)


@pytest.mark.parametrize("name", [CARD, "bigram_q.npy", CLASSIFIER])
def test_an_unreadable_file_is_a_model_error_naming_it(
    linked_copy: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # the card and the hash check let a PermissionError through (a ModelError once past them);
    # tests run as root, who reads any file, so a refusing open stands in for permissions
    real_open = io.open

    def refusing_open(file, *args, **kwargs):
        if Path(file).name == name:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", refusing_open)
    monkeypatch.setattr(builtins, "open", refusing_open)
    with pytest.raises(ModelError, match=f"model file .*{re.escape(name)} cannot be read .Permission denied."):
        load_model_dir(linked_copy)


def test_a_card_nested_too_deeply_is_a_model_error(linked_copy: Path) -> None:
    (linked_copy / CARD).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelError, match="corrupted or was changed"):
        load_model_dir(linked_copy)


class _Payload:
    """Unpickling this would create a marker file: proof that pickle ran."""

    marker: Path | None = None

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickled_arrays_are_never_unpickled(linked_copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pickle-ran"
    payload = _Payload()
    payload.marker = marker
    np.save(replace(linked_copy, "unigram_logp.npy"), np.array([payload], dtype=object), allow_pickle=True)
    rehash(linked_copy, "unigram_logp.npy")
    with pytest.raises(ModelError, match="could not be read"):
        load_model_dir(linked_copy)
    assert not marker.exists()


def test_loading_uses_numpy_without_pickle(shipped_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []
    real_load = np.load

    def recording_load(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    def no_pickle(*args, **kwargs):
        raise AssertionError("pickle was used to load a model file")

    monkeypatch.setattr(np, "load", recording_load)
    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    monkeypatch.setattr(pickle, "Unpickler", no_pickle)
    load_model_dir(shipped_model_dir)
    assert calls, "np.load was not used"
    assert all(kwargs.get("allow_pickle") is False for kwargs in calls)


def test_mmap_and_in_memory_loads_agree(shipped_model_dir: Path) -> None:
    mapped = load_model_dir(shipped_model_dir, mmap=True).reference
    in_memory = load_model_dir(shipped_model_dir, mmap=False).reference
    assert isinstance(mapped.bigrams.keys, np.memmap) and not isinstance(in_memory.bigrams.keys, np.memmap)
    np.testing.assert_array_equal(mapped.bigrams.keys[:1000], in_memory.bigrams.keys[:1000])
    np.testing.assert_array_equal(mapped.vectors.matrix[-5:], in_memory.vectors.matrix[-5:])


# ---- writing ---------------------------------------------------------------------------------


def _classifier(rng: np.random.Generator, hidden: int) -> Classifier:
    def scorer(n: int) -> NeuralScorer:
        return NeuralScorer(
            mean=rng.normal(size=n),
            scale=rng.uniform(0.5, 2.0, size=n),
            hidden_weights=rng.normal(size=(n, hidden)),
            hidden_bias=rng.normal(size=hidden),
            out_weights=rng.normal(size=hidden or n),
            out_bias=float(rng.normal()),
        )

    return Classifier(scorer(len(TOKEN_FEATURE_NAMES)), scorer(len(PARAGRAPH_FEATURE_NAMES)), float(rng.normal()))


@pytest.mark.parametrize("hidden", [0, 5])
def test_classifier_save_load_round_trip(tmp_path: Path, hidden: int) -> None:
    rng = np.random.default_rng(0)
    clf = _classifier(rng, hidden)
    clf.save(tmp_path / "a.npz")
    clf.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()  # no timestamps
    loaded = Classifier.load(tmp_path / "a.npz")
    assert loaded.prior_logit == clf.prior_logit
    for part in ("token", "paragraph"):
        X = rng.normal(size=(20, getattr(clf, part).mean.size))
        np.testing.assert_array_equal(
            getattr(loaded, part).decision_function(X), getattr(clf, part).decision_function(X)
        )
        p = getattr(loaded, part).predict_proba(X)
        assert ((p >= 0) & (p <= 1)).all()


def test_neural_scorer_linear_and_hidden() -> None:
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    linear = NeuralScorer(np.zeros(2), np.ones(2), np.zeros((2, 0)), np.zeros(0), np.array([1.0, -1.0]), 0.5)
    assert linear.decision_function(X).tolist() == [-0.5, 4.5]
    relu = NeuralScorer(np.zeros(2), np.ones(2), np.eye(2), np.zeros(2), np.array([1.0, 1.0]), 0.0)
    assert relu.decision_function(X).tolist() == [3.0, 3.0]  # negative hidden units are cut at 0
    scaled = NeuralScorer(np.ones(2), np.full(2, 2.0), np.zeros((2, 0)), np.zeros(0), np.array([1.0, 1.0]), 0.0)
    assert scaled.decision_function(X).tolist() == [0.5, 0.0]  # ((1, 2) - 1) / 2 summed, ((3, -1) - 1) / 2 summed
    assert scaled.predict_proba(np.array([[1e6, 1e6]]))[0] == pytest.approx(1.0)


def test_write_card_records_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.npy").write_bytes(b"one")
    (tmp_path / "b.json").write_bytes(b"two")
    write_card(tmp_path, {"threshold": 0.9})
    card = json.loads((tmp_path / CARD).read_text(encoding="utf-8"))
    assert card["files"] == {"a.npy": sha256_file(tmp_path / "a.npy"), "b.json": sha256_file(tmp_path / "b.json")}
    assert card["format_version"] == FORMAT_VERSION
    assert card["feature_names"] == list(FEATURE_NAMES)
    assert card["feature_schema"] == feature_schema_hash()
    assert card["threshold"] == 0.9
    # written again over its own card (a model rewritten in place): the card lists the other files
    # only, as a hash of itself could never match once it is written
    write_card(tmp_path, {"threshold": 0.8})
    assert set(json.loads((tmp_path / CARD).read_text(encoding="utf-8"))["files"]) == {"a.npy", "b.json"}


def test_model_id_is_the_card_hash_the_docs_describe(linked_copy: Path) -> None:
    # docs/cli.md: the first 16 hex digits of the SHA-256 of the card, as JSON with sorted keys, so
    # that anyone can recompute it from card.json
    card = json.loads((linked_copy / CARD).read_text(encoding="utf-8"))
    digest = hashlib.sha256(json.dumps(card, sort_keys=True).encode("utf-8")).hexdigest()
    assert load_model_dir(linked_copy).fingerprint == digest[:16]


def test_feature_schema_hash_depends_on_names_and_order() -> None:
    assert feature_schema_hash(("a", "b")) != feature_schema_hash(("b", "a"))
    assert feature_schema_hash(("a", "b")) != feature_schema_hash(("a", "b", "c"))
