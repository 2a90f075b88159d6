"""The numpy reader of Sphinx's trie language models agrees with pocketsphinx's own scorer."""

from __future__ import annotations

import hashlib
from importlib.metadata import version

import numpy as np
import pytest

from spincheck import sphinxlm
from spincheck.ngrams import combine, hash_tokens

ps = pytest.importorskip("pocketsphinx")

PATHS = {path.parent.name: path for path in sphinxlm.model_paths()}


@pytest.fixture(scope="module")
def lm() -> sphinxlm.TrieLM:
    """pocketsphinx's own model (the first of ``MODELS``)."""
    return sphinxlm.read_trie(sphinxlm.model_paths()[0])


def _score(scorer, words: list[str]) -> float:
    """pocketsphinx's log P(last | previous) in nats (it takes the words newest first)."""
    return scorer.prob(list(reversed(words))) * sphinxlm._LOG_BASE


def test_the_installed_packages_provide_their_models():
    assert [p.name for p in sphinxlm.model_paths()][:1] == ["en-us.lm.bin"]


def test_sizes_are_those_the_model_is_documented_with(lm):
    """pocketsphinx 5's en-us.lm.bin: 72,547 words, 2.05 M bigrams, 1,669,625 trigrams (corpus/README.md)."""
    assert len(lm.words) == 72547
    assert lm.bigrams[0].size > 2_000_000
    assert lm.trigrams[0].size == 1_669_625


@pytest.mark.parametrize("name", sorted(PATHS))
def test_random_bigrams_and_trigrams_score_as_pocketsphinx_scores_them(name):
    model = sphinxlm.read_trie(PATHS[name])
    scorer = ps.NGramModel.readfile(str(PATHS[name]))
    rng = np.random.default_rng(0)
    prev, word, lp = model.bigrams
    for i in rng.choice(prev.size, 300, replace=False):
        words = [model.words[prev[i]], model.words[word[i]]]
        assert lp[i] == pytest.approx(_score(scorer, words), abs=2e-4), words
    w1, w2, w3, lp3 = model.trigrams
    for i in rng.choice(w1.size, 300, replace=False):
        words = [model.words[w1[i]], model.words[w2[i]], model.words[w3[i]]]
        assert lp3[i] == pytest.approx(_score(scorer, words), abs=2e-4), words


def test_a_common_collocation_beats_its_spun_form(lm):
    index = {w: i for i, w in enumerate(lm.words)}
    prev, word, lp = lm.bigrams

    def bigram(a: str, b: str) -> float | None:
        hit = np.flatnonzero((prev == index[a]) & (word == index[b]))
        return float(lp[hit[0]]) if hit.size else None

    assert bigram("hold", "talks") is not None
    assert bigram("maintain", "talks") is None
    assert bigram("university", "of") > bigram("college", "of")


@pytest.mark.slow
def test_reference_ngrams_are_keyed_by_spincheck_tokens(lm):
    ngrams = sphinxlm.reference_ngrams(lm)
    keys, lps = ngrams["bigrams"]
    assert np.all(np.diff(keys.astype(np.uint64)) > 0) and np.all(lps <= 0)
    ids = hash_tokens(["hold", "talks", "n't", "know", "by", "way", "of"])
    wanted = combine(ids[:1], ids[1:2])
    assert np.isin(wanted, keys).all()
    assert np.isin(combine(ids[2:3], ids[3:4]), keys).all()  # "don't know" -> "n't know"
    tri_keys, _ = ngrams["trigrams"]
    assert np.isin(combine(combine(ids[4:5], ids[5:6]), ids[6:7]), tri_keys).all()


@pytest.mark.slow
def test_rare_ngrams_such_as_broken_grammar_are_left_out(lm):
    keys, lps = sphinxlm.reference_ngrams(lm)["bigrams"]
    ids = hash_tokens(["a", "an", "example", "increase"])
    assert np.isin(combine(ids[[1, 1]], ids[[2, 3]]), keys).all()  # "an example", "an increase"
    assert not np.isin(combine(ids[[0, 0]], ids[[2, 3]]), keys).any()  # "a example", "a increase" (in the model)
    assert lps.min() >= sphinxlm.MIN_LOGP
    everything, _ = sphinxlm.reference_ngrams(lm, min_logp=-np.inf)["bigrams"]
    assert np.isin(combine(ids[[0, 0]], ids[[2, 3]]), everything).all()


@pytest.mark.slow
def test_models_are_pooled_with_the_mean_of_shared_ngrams(monkeypatch):
    """An n-gram two models share gets the mean of their estimates; the others keep their own."""
    parts = {
        "a": {
            "bigrams": (np.array([5, 2], np.uint64), np.array([-5.0, -1.0])),
            "trigrams": (np.array([9], np.uint64), np.array([-2.0])),
        },
        "b": {
            "bigrams": (np.array([2, 7], np.uint64), np.array([-3.0, -7.0])),
            "trigrams": (np.array([9], np.uint64), np.array([-4.0])),
        },
    }
    monkeypatch.setattr(sphinxlm, "read_trie", lambda path: path)
    monkeypatch.setattr(sphinxlm, "reference_ngrams", lambda name: parts[name])
    pooled = sphinxlm.external_ngrams(["a", "b"])
    assert pooled["bigrams"][0].tolist() == [2, 5, 7]
    assert pooled["bigrams"][1].tolist() == [-2.0, -5.0, -7.0]
    assert pooled["trigrams"][0].tolist() == [9] and pooled["trigrams"][1].tolist() == [-3.0]
    assert sphinxlm.external_ngrams([]) == {}


def _toy_lm(bigrams: list[tuple[int, int, float]], trigrams: list[tuple[int, int, int, float]]) -> sphinxlm.TrieLM:
    """A model of a few words, with its n-grams given as word ids and log-probabilities."""

    def columns(rows, n):
        return tuple(np.array([r[i] for r in rows], np.int32) for i in range(n)) + (
            np.array([r[n] for r in rows], np.float64),
        )

    return sphinxlm.TrieLM(["<s>", "</s>", "the", "cat", "sat"], columns(bigrams, 2), columns(trigrams, 3))


def _keys(ngrams: dict, order: str) -> list[int]:
    return ngrams[order][0].tolist()


def test_sentence_markers_are_not_words():
    the, cat, sat = hash_tokens(["the", "cat", "sat"])[:, None]
    lm = _toy_lm([(0, 2, -1.0), (2, 3, -2.0), (3, 1, -1.0)], [(0, 2, 3, -1.0), (2, 3, 4, -2.0)])
    ngrams = sphinxlm.reference_ngrams(lm)
    # "<s>" and "</s>" tokenize as "s": "<s> the" would become the bigram "s the"
    assert _keys(ngrams, "bigrams") == combine(the, cat).tolist()
    assert _keys(ngrams, "trigrams") == combine(combine(the, cat), sat).tolist()


def test_ngrams_under_the_floor_are_left_out():
    the, cat, sat = hash_tokens(["the", "cat", "sat"])[:, None]
    floor = sphinxlm.MIN_LOGP
    lm = _toy_lm([(2, 3, floor), (3, 4, floor - 0.01)], [(2, 3, 4, floor), (3, 4, 2, floor - 0.01)])
    ngrams = sphinxlm.reference_ngrams(lm)
    # those at the floor are kept; "cat sat" and "cat sat the", under it, would otherwise count as familiar English
    assert _keys(ngrams, "bigrams") == combine(the, cat).tolist() and ngrams["bigrams"][1].tolist() == [floor]
    assert _keys(ngrams, "trigrams") == combine(combine(the, cat), sat).tolist()
    assert ngrams["trigrams"][1].tolist() == [floor]


def test_a_model_with_trailing_bytes_is_refused(tmp_path):
    long = tmp_path / "long.lm.bin"
    long.write_bytes(sphinxlm.model_paths()[0].read_bytes() + b"JUNK")
    # bytes after the vocabulary mean the file is not what its header says it is
    with pytest.raises(ValueError, match="the header promises"):
        sphinxlm.read_trie(long)


def test_provenance_names_the_package_version_and_the_file_hash():
    path = sphinxlm.model_paths()[0]
    line = sphinxlm.provenance(path)
    assert line.startswith(f"pocketsphinx {version('pocketsphinx')}: model/en-us/en-us.lm.bin sha256:")
    assert line.endswith(hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.mark.parametrize("size", [19, 21, 1_000, 1_000_001, 5_000_000])
def test_a_truncated_model_is_refused(tmp_path, size):
    """Cut anywhere: after the magic string, in the counts, the quantisation tables, the words or the n-grams
    (numpy's "buffer size must be a multiple of element size" named neither the file nor the cause)."""
    cut = tmp_path / "cut.lm.bin"
    with sphinxlm.model_paths()[0].open("rb") as f:
        cut.write_bytes(f.read(size))
    with pytest.raises(ValueError, match=f"cut.lm.bin: truncated \\({size} bytes"):
        sphinxlm.read_trie(cut)


def test_no_package_means_no_model(monkeypatch):
    monkeypatch.setattr(sphinxlm.importlib.util, "find_spec", lambda name: None)
    assert sphinxlm.model_paths() == []
    assert sphinxlm.external_ngrams() == {}


def test_a_file_of_another_kind_is_refused(tmp_path):
    bad = tmp_path / "x.lm.bin"
    bad.write_bytes(b"Darpa Trigram LM" + bytes(64))
    with pytest.raises(ValueError, match="not a Sphinx trie"):
        sphinxlm.read_trie(bad)
