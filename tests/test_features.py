"""Stage 5: feature rows and swap candidates, vectorised over a batch (spincheck.features).

These tests use the shipped reference tables and lexicon directly (fixtures
``reference`` and ``lexicon``), not the classifier, so they hold whatever the
trained weights are.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from spincheck import features as features_module
from spincheck.features import (
    FEATURE_NAMES,
    PARAGRAPH_FEATURE_NAMES,
    TOKEN_FEATURE_NAMES,
    Swaps,
    _known_rows,
    article_clash,
    batch_features,
    best_swap_per_slot,
    find_swaps,
    paragraph_features,
    paragraph_rows,
    score_slots,
    swap_fit_gain,
    swap_article_clash,
    swap_r2_gain,
    swap_rank,
    vector_fit,
)
from spincheck.lexicon import MAX_PHRASE_TOKENS, Lexicon, phrase_hashes
from spincheck.ngrams import BOS, EOS, Batch, combine, hash_tokens, layout
from spincheck.text import tokenize

ODD = [
    "",
    "word",
    ".",
    "Zzxqv blorptang frobnicated quuxly the wibble.",  # out-of-vocabulary words
    "1 2 3 4 5 6 7 8 9 10 11 12 13",
    "the the the the the the the the the the the the",
    "x" * 500,
    "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic.",
]


@pytest.fixture(scope="module")
def paragraphs(article: str, spun_article: str) -> list[str]:
    clean = [p for p in article.split("\n\n") if p.strip()]
    spun = [p for p in spun_article.split("\n\n") if p.strip()]
    return [p for pair in zip(clean, spun) for p in pair] + ODD


def token_logit(X: np.ndarray) -> np.ndarray:
    """A fixed stand-in for the token model, so paragraph features need no trained weights."""
    w = np.random.default_rng(0).normal(size=X.shape[1])
    return np.tanh(X @ w / X.shape[1]) * 4.0


def features(token_lists, reference, lexicon):
    bf = batch_features(token_lists, reference, lexicon)
    z = token_logit(bf.tokens.X)
    P = paragraph_features(bf.batch, bf.slots, bf.tokens, z, -2.0, float(reference.info["tokens"]))
    return bf, P


class _StandInScorer:
    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return token_logit(X)


def test_paragraph_rows_take_the_token_scores_and_the_reference_size(paragraphs, reference, lexicon) -> None:
    # the one path from token rows to paragraph rows, for scoring, training and evaluation
    bf, P = features([tokenize(p) for p in paragraphs], reference, lexicon)
    X, z = paragraph_rows(bf, _StandInScorer(), -2.0, reference)
    np.testing.assert_array_equal(z, token_logit(bf.tokens.X))
    np.testing.assert_array_equal(X, P)
    bigger = dataclasses.replace(reference, info={**reference.info, "tokens": reference.tokens * 100})
    assert not np.array_equal(paragraph_rows(bf, _StandInScorer(), -2.0, bigger)[0], X)


def rows_by_paragraph(bf) -> list[np.ndarray]:
    para_of = bf.batch.para[bf.tokens.slots]
    return [bf.tokens.X[para_of == i] for i in range(bf.batch.lengths.size)]


def test_feature_names_are_unique() -> None:
    # a model card names its columns: two of one name would make the card ambiguous
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)


def test_matrix_widths_match_names(paragraphs, reference, lexicon) -> None:
    token_lists = [tokenize(p) for p in paragraphs]
    bf, P = features(token_lists, reference, lexicon)
    assert bf.tokens.X.shape == (sum(map(len, token_lists)), len(TOKEN_FEATURE_NAMES))
    assert P.shape == (len(paragraphs), len(PARAGRAPH_FEATURE_NAMES))


def test_feature_matrices_are_finite(paragraphs, reference, lexicon) -> None:
    bf, P = features([tokenize(p) for p in paragraphs], reference, lexicon)
    bad_tokens = [TOKEN_FEATURE_NAMES[j] for j in np.flatnonzero(~np.isfinite(bf.tokens.X).all(axis=0))]
    bad_paragraphs = [PARAGRAPH_FEATURE_NAMES[j] for j in np.flatnonzero(~np.isfinite(P).all(axis=0))]
    assert bad_tokens == [] and bad_paragraphs == []
    assert np.isfinite(bf.swaps.gain).all() and np.isfinite(bf.swaps.ctx_gain).all()


def test_batch_equals_one_by_one(paragraphs, reference, lexicon) -> None:
    token_lists = [tokenize(p) for p in paragraphs]
    bf, P = features(token_lists, reference, lexicon)
    for i, tokens in enumerate(token_lists):
        alone, P1 = features([tokens], reference, lexicon)
        assert np.array_equal(rows_by_paragraph(bf)[i], alone.tokens.X), f"paragraph {i}"
        # paragraph rows go through a matrix product (the stand-in token model), whose
        # rounding may depend on the number of rows, hence the tolerance
        np.testing.assert_allclose(P[i], P1[0], rtol=1e-9, atol=1e-12, err_msg=f"paragraph {i}")


def test_token_rows_do_not_depend_on_the_rest_of_the_batch(paragraphs, reference, lexicon) -> None:
    # many paragraphs before the ones compared make any batch-wide running sum large
    token_lists = [tokenize(p) for p in paragraphs * 20] + [tokenize(p) for p in paragraphs]
    rows = rows_by_paragraph(batch_features(token_lists, reference, lexicon))[-len(paragraphs) :]
    for i, p in enumerate(paragraphs):
        alone = batch_features([tokenize(p)], reference, lexicon)
        assert np.array_equal(rows[i], alone.tokens.X), f"paragraph {i}"


def test_batch_order_does_not_matter(paragraphs, reference, lexicon) -> None:
    token_lists = [tokenize(p) for p in paragraphs]
    order = np.random.default_rng(0).permutation(len(token_lists))
    _, P = features(token_lists, reference, lexicon)
    _, P_shuffled = features([token_lists[i] for i in order], reference, lexicon)
    np.testing.assert_allclose(P_shuffled, P[order], rtol=1e-9, atol=1e-12)


# ---- swap gains --------------------------------------------------------------------------------

# (clean sentence, word in it, a dictionary synonym a spinner would put there)
SWAPS = [
    ("The prime minister said on Monday that the government would not change its plans.", "said", "stated"),
    ("The prime minister said on Monday that the government would not change its plans.", "government", "authorities"),
    ("The company reported a sharp rise in profits for the third quarter of the year.", "sharp", "crisp"),
    ("Police said the man was taken to hospital with serious injuries after the crash.", "serious", "severe"),
    ("She told reporters that the talks had been very useful and would continue next week.", "told", "informed"),
    ("The top U.S. diplomat will hold talks on Tuesday in the capital.", "hold", "maintain"),
]


def _swap(sentence: str, word: str, synonym: str) -> tuple[list[str], int]:
    tokens = tokenize(sentence)
    position = tokens.index(word)
    tokens[position] = synonym
    return tokens, position


@pytest.mark.parametrize(("sentence", "word", "synonym"), SWAPS)
def test_swapping_back_the_original_gains(sentence, word, synonym, reference, lexicon) -> None:
    """In a spun sentence, putting the original word back makes the context more familiar."""
    tokens, position = _swap(sentence, word, synonym)
    batch = layout([tokens])
    slots = score_slots(batch, reference)
    swaps = find_swaps(batch, slots, reference, lexicon, max_candidates=50, max_assoc=None)
    slot = int(batch.starts[0]) + position
    rows = np.flatnonzero((swaps.slot == slot) & (swaps.span_len == 1))
    gains = {lexicon.phrase_text(swaps.phrase[r]): float(swaps.gain[r]) for r in rows}
    assert word in gains, f"{word!r} is not among the candidates for {synonym!r}"
    assert gains[word] > 0
    _, best_gain, _, _, _ = best_swap_per_slot(batch.ids.size, swaps)
    assert best_gain[slot] >= gains[word]


@pytest.mark.parametrize(("sentence", "word", "synonym"), SWAPS)
def test_spun_sentence_has_a_larger_best_gain_than_the_clean_one(sentence, word, synonym, reference, lexicon) -> None:
    spun, position = _swap(sentence, word, synonym)
    clean = tokenize(sentence)
    batch = layout([clean, spun])
    slots = score_slots(batch, reference)
    swaps = find_swaps(batch, slots, reference, lexicon, max_candidates=50, max_assoc=None)
    _, best_gain, _, _, _ = best_swap_per_slot(batch.ids.size, swaps)
    at = batch.starts + position
    assert best_gain[at[1]] > best_gain[at[0]]


def test_swap_rows_are_well_formed(paragraphs, reference, lexicon) -> None:
    bf = batch_features([tokenize(p) for p in paragraphs], reference, lexicon)
    swaps, batch = bf.swaps, bf.batch
    assert swaps.slot.size > 0
    for j in range(int(swaps.span_len.max())):  # every slot of a swapped span holds a real token
        rows = swaps.span_len > j
        assert batch.is_token[swaps.slot[rows] + j].all()
    assert set(np.unique(swaps.span_len).tolist()) <= {1, 2, 3}
    assert swaps.phrase.min() >= 0 and swaps.phrase.max() < lexicon.phrase_len.size
    n = swaps.slot.size
    assert swaps.gain.shape == swaps.ctx_gain.shape == swaps.fit_gain.shape == (n,)


def test_the_association_gate_only_drops_familiar_spans(paragraphs, reference, lexicon) -> None:
    """Gated search = the full search minus spans whose slots and next token are all familiar."""
    batch = layout([tokenize(p) for p in paragraphs])
    slots = score_slots(batch, reference)
    full = find_swaps(batch, slots, reference, lexicon, max_assoc=None)
    gated = find_swaps(batch, slots, reference, lexicon, max_assoc=0.5)
    padded = np.concatenate([slots.assoc, np.zeros(4, np.float32)])
    weakest = np.array([padded[s : s + m + 1].min() for s, m in zip(full.slot, full.span_len)])
    keep = weakest < 0.5
    assert 0 < gated.slot.size < full.slot.size
    for name in ("slot", "span_len", "phrase", "gain", "ctx_gain"):
        assert np.array_equal(getattr(full, name)[keep], getattr(gated, name)), name


def test_swaps_without_context_gain_have_the_same_gains(paragraphs, reference, lexicon) -> None:
    """The evidence pass skips the context gain; every other field must be what the full search gives."""
    batch = layout([tokenize(p) for p in paragraphs])
    slots = score_slots(batch, reference)
    full = find_swaps(batch, slots, reference, lexicon, max_candidates=12, max_assoc=None)
    lean = find_swaps(batch, slots, reference, lexicon, max_candidates=12, max_assoc=None, context_gain=False)
    assert full.ctx_gain is not None and lean.ctx_gain is None
    for name in ("slot", "span_len", "phrase", "gain"):
        assert np.array_equal(getattr(full, name), getattr(lean, name)), name


def test_swap_walk_in_one_call_equals_step_by_step(paragraphs, reference, lexicon, monkeypatch) -> None:
    """Small searches score their walk's steps in one call, large ones step by step: same values."""
    batch = layout([tokenize(p) for p in paragraphs])
    slots = score_slots(batch, reference)
    searches = [
        dict(max_assoc=None),
        dict(),
        dict(max_candidates=20, max_assoc=None, context_gain=False),
        dict(focus=batch.ids % np.uint64(5) == 0, max_candidates=20, max_assoc=None, context_gain=False),
    ]
    for kwargs in searches:
        one = find_swaps(batch, slots, reference, lexicon, **kwargs)
        assert 0 < one.slot.size <= features_module.WALK_IN_ONE_ROWS
        with monkeypatch.context() as m:
            m.setattr(features_module, "WALK_IN_ONE_ROWS", 0)
            steps = find_swaps(batch, slots, reference, lexicon, **kwargs)
        for field in dataclasses.fields(Swaps):
            a, b = getattr(one, field.name), getattr(steps, field.name)
            assert (a is None and b is None) or np.array_equal(a, b), field.name


def _fit_gain_in_one_go(batch, swaps, reference, lexicon, vc) -> np.ndarray:
    """swap_fit_gain written plainly: every row's context and candidate vector gathered at once."""
    found, vecs = reference.vectors.lookup(lexicon.phrase_ids[swaps.phrase])
    cand = vecs.sum(axis=1)
    norm = np.linalg.norm(cand, axis=1)
    has = found.any(axis=1) & (norm > 1e-6)
    ctx = vc.para_sums[batch.para[swaps.slot]]
    row = vc.slot_row[swaps.slot]
    ctx[row >= 0] -= vc.slot_vectors[row[row >= 0]]
    ctx /= np.maximum(np.linalg.norm(ctx, axis=1), 1e-6)[:, None]
    cand_fit = np.einsum("ij,ij->i", cand, ctx) / np.maximum(norm, 1e-6)
    single = swaps.span_len == 1
    return np.where(has & single, cand_fit - vc.fit[swaps.slot], np.where(has, cand_fit, 0.0)).astype(np.float32)


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_swap_fit_gain_in_chunks_equals_one_go(chunk, paragraphs, reference, lexicon, monkeypatch) -> None:
    """Chunking rows (and the contexts of distinct slots) changes no value, whatever the chunk size."""
    monkeypatch.setattr(features_module, "FIT_CHUNK_ROWS", chunk)
    batch = layout([tokenize(p) for p in paragraphs])
    slots = score_slots(batch, reference)
    swaps = find_swaps(batch, slots, reference, lexicon, max_assoc=None)
    vc = vector_fit(batch, slots, reference)
    assert swaps.slot.size > chunk or chunk == 4096
    expected = _fit_gain_in_one_go(batch, swaps, reference, lexicon, vc)
    assert np.array_equal(swap_fit_gain(batch, swaps, reference, lexicon, vc), expected)
    assert swap_fit_gain(batch, type(swaps).empty(), reference, lexicon, vc).shape == (0,)


def test_swap_gains_equal_scoring_the_swapped_paragraph(paragraphs, reference, lexicon) -> None:
    """A row's gain is what scoring its paragraph with the swap made gives, slot by slot.

    find_swaps walks each row's new window target by target over shrinking
    sets of rows; here every sampled swap is written into its paragraph and
    the whole paragraph goes through score_slots. Sampled rows include
    three-token candidates, multi-token spans, spans at a paragraph's start
    and spans right before its end.
    """
    batch = layout([tokenize(p) for p in paragraphs])
    slots = score_slots(batch, reference)
    swaps = find_swaps(batch, slots, reference, lexicon, max_candidates=12, max_assoc=None)
    k = lexicon.phrase_len[swaps.phrase].astype(np.int64)
    at_end = batch.ids[swaps.slot + swaps.span_len] == EOS
    at_start = batch.ids[swaps.slot - 2] == BOS
    rng = np.random.default_rng(0)
    pick = np.unique(
        np.concatenate(
            [
                np.flatnonzero(k == 3)[:40],
                np.flatnonzero(swaps.span_len > 1)[:40],
                np.flatnonzero(at_end)[:40],
                np.flatnonzero(at_start)[:40],
                rng.choice(swaps.slot.size, 200, replace=False),
            ]
        )
    )
    assert (k[pick] == 3).any() and (swaps.span_len[pick] > 1).any() and at_end[pick].any() and at_start[pick].any()
    pieces, windows, offset = [], [], 0
    for r in pick.tolist():
        s, m, p = int(swaps.slot[r]), int(swaps.span_len[r]), int(batch.para[swaps.slot[r]])
        lo, hi = int(batch.starts[p]) - 2, int(batch.starts[p] + batch.lengths[p]) + 1
        ids = np.concatenate([batch.ids[lo:s], lexicon.phrase_ids[swaps.phrase[r], : k[r]], batch.ids[s + m : hi]])
        first = offset + s - lo
        windows.append((first, first + k[r] + 1))  # the candidate's tokens and the token after
        pieces.append(ids)
        offset += ids.size
    ids = np.concatenate(pieces)
    n = np.array([piece.size for piece in pieces])
    swapped = Batch(ids, np.repeat(np.arange(n.size), n), ids != BOS, np.cumsum(n) - n + 2, n - 3, ids != ids)
    new = score_slots(swapped, reference)
    for r, (a, b) in zip(pick.tolist(), windows):
        s, m = int(swaps.slot[r]), int(swaps.span_len[r])
        new_logp = float(np.sum(new.assoc[a:b], dtype=np.float64) + np.sum(new.uni_lp[a : b - 1], dtype=np.float64))
        old_logp = float(np.sum(slots.assoc[s : s + m + 1], dtype=np.float64) + np.sum(slots.uni_lp[s : s + m]))
        assert swaps.gain[r] == pytest.approx(new_logp - old_logp, abs=1e-4), r


def test_evidence_search_reusing_known_gains_equals_searching_afresh(paragraphs, reference, lexicon) -> None:
    """Gains taken from an earlier search are the ones a fresh search computes, whatever that search was."""
    batch = layout([tokenize(p) for p in paragraphs])
    slots = score_slots(batch, reference)
    focus = np.zeros(batch.ids.shape[0], bool)
    focus[np.flatnonzero(batch.is_token)[::3]] = True
    fresh = find_swaps(
        batch, slots, reference, lexicon, max_candidates=12, max_assoc=None, focus=focus, context_gain=False
    )
    earlier = {
        "scoring pass": find_swaps(batch, slots, reference, lexicon),
        "another split": find_swaps(batch, slots, reference, lexicon, split="train"),
        "more candidates": find_swaps(batch, slots, reference, lexicon, max_candidates=20, max_assoc=None),
        "the same search": fresh,
        "nothing": Swaps.empty(),
    }
    for name, known in earlier.items():
        reused = find_swaps(
            batch,
            slots,
            reference,
            lexicon,
            max_candidates=12,
            max_assoc=None,
            focus=focus,
            context_gain=False,
            known=known,
        )
        for field in ("slot", "span_len", "phrase", "gain"):
            assert np.array_equal(getattr(reused, field), getattr(fresh, field)), (name, field)
        assert reused.ctx_gain is None
    with pytest.raises(ValueError, match="context_gain"):
        find_swaps(batch, slots, reference, lexicon, known=fresh)


def test_known_rows_match_span_and_candidate(paragraphs, reference, lexicon) -> None:
    """_known_rows finds, for each row it reuses, a row with the same slot, span length and phrase."""
    batch = layout([tokenize(p) for p in paragraphs])
    slots = score_slots(batch, reference)
    known = find_swaps(batch, slots, reference, lexicon)
    wide = find_swaps(batch, slots, reference, lexicon, max_candidates=12, max_assoc=None, context_gain=False)
    span = wide.slot * 4 + wide.span_len
    rep = np.cumsum(np.concatenate(([0], span[1:] != span[:-1])))
    src = _known_rows(known, rep, wide.slot, wide.span_len, wide.phrase, batch.ids.shape[0])
    used = src >= 0
    assert used.any() and (~used).any()
    for field in ("slot", "span_len", "phrase"):
        assert np.array_equal(getattr(known, field)[src[used]], getattr(wide, field)[used])
    pairs = set(zip(known.slot.tolist(), known.span_len.tolist(), known.phrase.tolist()))
    missed = [r for r in np.flatnonzero(~used).tolist() if (wide.slot[r], wide.span_len[r], wide.phrase[r]) in pairs]
    assert not missed  # every row the scoring pass has is reused


# (the article the reference puts before the word, the word): spelling alone
# would get "union", "hour", "European" and "FBI" wrong
ARTICLE_PAIRS = [("a", "bill"), ("an", "enormous"), ("a", "union"), ("an", "hour"), ("a", "European"), ("an", "FBI")]


def _clash_at_word(tokens: list[str], position: int, reference) -> float:
    batch = layout([tokens])
    clash = article_clash(batch, score_slots(batch, reference), reference)
    return float(clash[int(batch.starts[0]) + position])


@pytest.mark.parametrize(("article", "word"), ARTICLE_PAIRS)
def test_article_clash_marks_the_article_a_spinner_left_behind(article, word, reference) -> None:
    wrong = "an" if article == "a" else "a"
    right_value = _clash_at_word(tokenize(f"He saw {article} {word} today."), 3, reference)
    wrong_value = _clash_at_word(tokenize(f"He saw {wrong} {word} today."), 3, reference)
    assert right_value < -2.0
    assert wrong_value > 2.0
    assert wrong_value == pytest.approx(-right_value)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("He saw the enormous crowd.", 3),  # no indefinite article before it
        ("An 8-year-old boy.", 1),  # numbers are counted by shape: "8" is "0", like "1"
        ("A zzxqvblorp came.", 1),  # a word the reference does not know
    ],
)
def test_article_clash_is_zero_where_the_article_says_nothing(text, position, reference) -> None:
    assert _clash_at_word(tokenize(text), position, reference) == 0.0


def test_swap_article_clash_measures_the_candidate_after_the_article(reference, lexicon) -> None:
    """The candidate's first word against the "a"/"an" before the span, as article_clash measures
    a word of the text: "an hard" -> "strong" clashes, "aggressive" fits, and a span after any
    other word has nothing to say."""
    texts = lexicon.phrase_texts
    strong, aggressive = texts.index("strong"), texts.index("aggressive")
    batch = layout([tokenize("He had an hard plan and the hard plan.")])
    at = int(batch.starts[0])
    i64 = np.int64
    swaps = Swaps(
        slot=np.array([at + 3, at + 3, at + 7], i64),
        span_len=np.ones(3, i64),
        phrase=np.array([strong, aggressive, strong], i64),
        gain=np.zeros(3, np.float32),
        ctx_gain=None,
    )
    clash = swap_article_clash(batch, swaps, reference, lexicon)
    assert clash[0] > 2.0 and clash[1] < -2.0 and clash[2] == 0.0
    assert clash[0] == pytest.approx(_clash_at_word(tokenize("He had an strong plan."), 3, reference))


def test_swaps_that_change_the_number_of_words_keep_their_gain_apart() -> None:
    """A resized swap's gain includes the dropped word's own probability, so it
    must not become the slot's swap gain (see best_swap_per_slot)."""
    i64 = np.int64
    swaps = Swaps(
        slot=np.array([2, 2, 5], i64),
        span_len=np.array([2, 1, 1], i64),
        phrase=np.array([0, 1, 2], i64),
        gain=np.array([12.0, 1.5, -2.0], np.float32),
        ctx_gain=np.array([0.5, 1.0, -1.0], np.float32),
        fit_gain=np.zeros(3, np.float32),
    )
    resized = np.array([True, False, False])
    eligible, gain, ctx, _, resized_gain = best_swap_per_slot(8, swaps, resized)
    assert eligible.tolist() == [False, False, True, True, False, True, False, False]
    assert gain.tolist() == [0, 0, 1.5, 0, 0, -2.0, 0, 0]  # slot 3 has only the resized swap
    assert resized_gain.tolist() == [0, 0, 12.0, 12.0, 0, 0, 0, 0]
    assert ctx.tolist() == [0, 0, 1.0, 0.5, 0, -1.0, 0, 0]
    # without the mask every swap counts as same-length, as before
    _, gain_all, _, _, resized_none = best_swap_per_slot(8, swaps)
    assert gain_all[2] == 12.0 and not resized_none.any()


def _log_probability(tokens: list[str], reference) -> float:
    """A paragraph's log-probability as the features read it: each word's association with the
    two before it plus its own unigram log-probability, the end marker too."""
    batch = layout([tokens])
    slots = score_slots(batch, reference)
    target = slots.target
    return float(np.sum(slots.assoc[target], dtype=np.float64) + np.sum(slots.uni_lp[target], dtype=np.float64))


def test_swap_r2_gain_makes_a_gain_the_whole_paragraphs_change(reference, lexicon) -> None:
    """find_swaps' window stops at R1; with the trigram after it a swap's gain is the change of
    the whole paragraph's log-probability, for a swap of another length ("where" -> "the place")
    and next to the paragraph's end too (where there is no R2)."""
    tokens = tokenize("the experts said the top diplomat will hold talks where the assembly meets")
    batch = layout([tokens])
    slots = score_slots(batch, reference)
    swaps = find_swaps(batch, slots, reference, lexicon, max_candidates=5, max_assoc=None, context_gain=False)
    r2 = swap_r2_gain(batch, slots, swaps, reference, lexicon)
    before = _log_probability(tokens, reference)
    start = int(batch.starts[0])
    lengths = set()
    for row in range(swaps.slot.size):
        first, span = int(swaps.slot[row]) - start, int(swaps.span_len[row])
        candidate = tokenize(lexicon.phrase_texts[int(swaps.phrase[row])])
        lengths.add(len(candidate) - span)
        after = _log_probability(tokens[:first] + candidate + tokens[first + span :], reference)
        assert float(swaps.gain[row]) + float(r2[row]) == pytest.approx(after - before, abs=1e-3)
        if first + span == len(tokens):  # R1 is the end marker: no trigram after it
            assert r2[row] == 0.0
    assert {0, 1} <= lengths and np.count_nonzero(r2) > swaps.slot.size // 2


def test_swap_rank_counts_candidates_within_each_span(reference, lexicon) -> None:
    """swap_rank is each row's position among its span's rows, which follow the lexicon's order."""
    tokens = tokenize("the experts said the top diplomat will hold talks where the assembly meets")
    batch = layout([tokens])
    swaps = find_swaps(batch, score_slots(batch, reference), reference, lexicon, max_candidates=20, max_assoc=None)
    rank = swap_rank(swaps)
    assert rank.shape == swaps.slot.shape and swaps.slot.size > 0
    spans = list(zip(swaps.slot.tolist(), swaps.span_len.tolist()))
    last = -1
    for (span, r), previous in zip(zip(spans, rank.tolist()), [None, *spans]):
        assert r == (0 if span != previous else last + 1)
        last = r
    assert rank.max() > 0  # some span has several candidates
    # rank 0 is the first of the lexicon's candidates for that word that the search keeps
    for slot in {s for s, m in spans if m == 1}:
        found, key = lexicon.find(batch.ids[[slot]])
        assert found[0]
        listed = lexicon.cand_phrase[lexicon.offsets[key[0]] : lexicon.offsets[key[0] + 1]].tolist()
        rows = [i for i, s in enumerate(spans) if s == (slot, 1)]
        positions = [listed.index(int(swaps.phrase[i])) for i in rows]
        assert positions == sorted(positions)


def test_detector_tries_multiword_spans_only_for_generic_paraphrases(reference, lexicon) -> None:
    """A WordNet term is never swapped whole; its words are tried one by one."""
    tokens = tokenize("the general assembly met in terms of the budget and the human rights where it can")
    batch = layout([tokens])
    swaps = find_swaps(batch, score_slots(batch, reference), reference, lexicon, max_candidates=50, max_assoc=None)
    assert swaps.slot.size > 0
    from spincheck.lexicon import function_phrase_pairs

    generic = {" ".join(tokenize(b)) for _, b in function_phrase_pairs()}
    multi = np.flatnonzero(swaps.span_len > 1)
    assert multi.size > 0, "the generic phrase 'in terms of' is tried whole"
    assert all(" ".join(tokenize(lexicon.phrase_text(int(swaps.phrase[i])))) in generic for i in multi)
    start = int(batch.starts[0])
    assert {int(s) for s in swaps.slot[swaps.span_len == 1]} >= {start + 1, start + 2}  # "general", "assembly"


def test_detector_never_tries_a_compound_for_its_head(reference, lexicon) -> None:
    """Every swap row the search returns is a swappable lexicon pair."""
    tokens = tokenize("the company makes a disc drive and protects human rights where it can")
    batch = layout([tokens])
    swaps = find_swaps(batch, score_slots(batch, reference), reference, lexicon, max_candidates=50, max_assoc=None)
    assert swaps.slot.size > 0
    same_length = lexicon.phrase_len[swaps.phrase] == swaps.span_len
    texts = {(lexicon.phrase_text(int(p)), int(s), int(m)) for p, s, m in zip(swaps.phrase, swaps.slot, swaps.span_len)}
    assert ("drive", int(batch.starts[0]) + 4, 2) not in texts  # "disc drive" -> "drive"
    assert ("rights", int(batch.starts[0]) + 8, 2) not in texts  # "human rights" -> "rights"
    from spincheck.lexicon import function_phrase_pairs

    generic = {b for a, b in function_phrase_pairs()}
    assert all(same or lexicon.phrase_text(int(p)) in generic for same, p in zip(same_length, swaps.phrase))


# ---- the features written plainly, one token at a time -----------------------------------------
#
# The vectorised code above is checked mostly against itself (batch against one by one, chunked
# against whole). Here a plain, per-token reading of each feature's definition, on the shipped
# reference and lexicon, is compared with what batch_features and paragraph_features compute. The
# plain version reads the same tables (unigram, bigram and trigram log-probabilities, word
# vectors), so values agree up to float32 rounding, far below the tables' quantisation (1/16 nat).

PLAIN_PARAGRAPHS = [
    # paragraph start, capitals mid-sentence ("U.S.", "Tuesday"), a comma
    "The top U.S. diplomat will maintain talks on Tuesday in the capital, officials said.",
    # generic phrases of several words, some with a same-length paraphrase ("in order to" / "so as
    # to"), a capital after a full stop
    "In terms of the budget, a lot of workers left prior to the vote. Officials said so in order to help.",
    # a rare word to start with, and an unseen bigram of two common words ("the the")
    "Marmalade of the the company said it would close as soon as possible, she told them.",
    # words the reference does not know, and an indefinite article
    "Zzxqv blorptang frobnicated the wibble near an old harbour and a enormous bridge.",
    "He sort of liked the huge plan. Many people agreed, and the mayor said it was a good idea!",
]
NO_WORD = 0  # the context of a phrase's first word when only the phrase's inner association is taken


class PlainLanguageModel:
    """The reference's tables read one n-gram at a time, and the association of a word with its context."""

    def __init__(self, ref) -> None:
        self.ref = ref
        self.log_n = math.log(ref.tokens)
        self._cache: dict = {}

    def _look(self, table, key) -> tuple[bool, float]:
        found, value = table.lookup(np.array([key], dtype=np.uint64))
        return bool(found[0]), float(value[0])

    @staticmethod
    def _key(*ids: int) -> int:
        key = np.array([ids[0]], dtype=np.uint64)
        for i in ids[1:]:
            key = combine(key, np.array([i], dtype=np.uint64))
        return int(key[0])

    def unigram(self, w: int) -> tuple[bool, float]:
        """(known, log P(w)), log 1e-9 for a word the reference does not know."""
        found, logp = self._look(self.ref.unigrams, w)
        return found, logp if found else math.log(1e-9)

    def bigram(self, a: int, b: int) -> tuple[bool, float]:
        return self._look(self.ref.bigrams, self._key(a, b))

    def trigram(self, a: int, b: int, c: int) -> tuple[bool, float]:
        return self._look(self.ref.trigrams, self._key(a, b, c))

    def log_p_context(self, w: int) -> float:
        """log P of a context word; a paragraph start is one of the reference's paragraph starts."""
        if w == BOS:
            return math.log(self.ref.info["paragraphs"]) - self.log_n
        return self.unigram(w)[1]

    def assoc(self, c2: int, c1: int, w: int) -> float:
        """log P(w | c2 c1) - log P(w): a seen trigram's or bigram's relative frequency, and an unseen
        n-gram penalised by -log(1 + the count it would have if its words were independent)."""
        if (c2, c1, w) in self._cache:
            return self._cache[c2, c1, w]
        known, logp = self.unigram(w)
        bigram_seen, bigram_logp = self.bigram(c1, w)
        trigram_seen, trigram_logp = self.trigram(c2, c1, w) if bigram_seen else (False, 0.0)
        if not known:
            value = 0.0
        elif trigram_seen:
            value = trigram_logp - logp
        elif not bigram_seen:
            value = -math.log1p(math.exp(self.log_n + self.log_p_context(c1) + logp))
        else:
            value = bigram_logp - logp
            c2_known, c2_logp = self.unigram(c2)
            context_seen, context_logp = self.bigram(c2, c1)
            if c2 != BOS and c2_known and context_seen:  # the trigram's expected count
                value -= math.log1p(math.exp(self.log_n + c2_logp + context_logp + bigram_logp))
        self._cache[c2, c1, w] = value
        return value

    def logp(self, c2: int, c1: int, w: int) -> float:
        return self.unigram(w)[1] + self.assoc(c2, c1, w)

    def inner_assoc(self, phrase: list[int]) -> float:
        """Association of each word of a phrase with the word before it, the phrase taken alone."""
        return sum(self.assoc(NO_WORD, a, b) for a, b in zip(phrase, phrase[1:]))

    def vector(self, w: int) -> np.ndarray | None:
        found, vectors = self.ref.vectors.lookup(np.array([w], dtype=np.uint64))
        return vectors[0].astype(np.float64) if found[0] else None


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / norm) if norm > 1e-6 else 0.0


class PlainParagraph:
    """Every feature of one paragraph, slot by slot: <s> <s> tokens </s>."""

    def __init__(self, text: str, lm: PlainLanguageModel, lexicon, split: str) -> None:
        from spincheck.text import tokenize_cased

        self.tokens, capitals = tokenize_cased(text)
        self.ids = [int(BOS), int(BOS), *map(int, hash_tokens(self.tokens)), int(EOS)]
        self.capital = [False, False, *map(bool, capitals), False]
        self.lm, self.lexicon, self.split = lm, lexicon, split
        self.n = len(self.tokens)
        self.token_slots = range(2, 2 + self.n)
        ids = self.ids
        self.known = [s >= 2 and lm.unigram(ids[s])[0] for s in range(len(ids))]
        self.uni = [lm.unigram(w)[1] for w in ids]
        self.assoc = [lm.assoc(ids[s - 2], ids[s - 1], ids[s]) if s >= 2 else 0.0 for s in range(len(ids))]
        self.bigram_seen = [s >= 2 and lm.bigram(ids[s - 1], ids[s])[0] for s in range(len(ids))]
        self.bigram_logp = [lm.bigram(ids[s - 1], ids[s])[1] if s >= 2 else 0.0 for s in range(len(ids))]
        self.trigram_seen = [
            self.bigram_seen[s] and lm.trigram(ids[s - 2], ids[s - 1], ids[s])[0] for s in range(len(ids))
        ]
        self._vectors()
        self.swaps = self._swaps()
        self._best_swaps()

    def is_token(self, s: int) -> bool:
        return s in self.token_slots

    def frequent(self, s: int) -> bool:
        return self.known[s] and self.uni[s] > features_module.FREQUENT_LOGP

    # -- word vectors: content words (known, not frequent) and their fit with the rest of the paragraph
    def _vectors(self) -> None:
        self.vector = {}
        for s in self.token_slots:
            if self.known[s] and not self.frequent(s):
                vector = self.lm.vector(self.ids[s])
                if vector is not None:
                    self.vector[s] = vector
        self.topic = sum(self.vector.values(), np.zeros(self.lm.ref.vectors.matrix.shape[1]))
        self.fit = {s: 0.0 for s in range(len(self.ids))}
        self.has_vector = {s: False for s in range(len(self.ids))}
        for s, vector in self.vector.items():
            if len(self.vector) > 1:  # a context to fit
                self.fit[s], self.has_vector[s] = _cosine(vector, self.topic - vector), True

    # -- synonym swaps: every lexicon phrase not familiar throughout, its first candidates in the lexicon
    def _swaps(self) -> dict[tuple[int, int, int], dict]:
        lexicon, out = self.lexicon, {}
        self.more_candidates = False  # a phrase with more candidates than are tried
        for s in self.token_slots:
            for m in range(1, MAX_PHRASE_TOKENS + 1):
                if not self.is_token(s + m - 1):
                    break
                if min(self.assoc[s : s + m + 1]) >= features_module.SEARCH_MAX_ASSOC:
                    continue  # the phrase and the word after it are all familiar in context
                columns = np.zeros((1, MAX_PHRASE_TOKENS), np.uint64)
                columns[0, :m] = self.ids[s : s + m]
                found, key = lexicon.find(phrase_hashes(columns))
                if not found[0]:
                    continue
                first, last = int(lexicon.offsets[key[0]]), int(lexicon.offsets[key[0] + 1])
                self.more_candidates |= last - first > features_module.FEATURE_CANDIDATES
                for row in range(first, min(last, first + features_module.FEATURE_CANDIDATES)):
                    in_split = Lexicon.in_split(lexicon.cand_group[[row]], self.split)[0]
                    if lexicon.searchable[row] and in_split:
                        phrase = int(lexicon.cand_phrase[row])
                        out[s, m, phrase] = {**self._swap(s, m, phrase), "group": int(lexicon.cand_group[row])}
        return out

    def _swap(self, s: int, m: int, phrase: int) -> dict[str, float | None]:
        lm, ids = self.lm, self.ids
        candidate = [int(w) for w in self.lexicon.phrase_ids[phrase, : self.lexicon.phrase_len[phrase]]]
        new = ids[:s] + candidate + ids[s + m :]
        # the window: the span's words (the candidate's) and the word after them
        old_window, new_window = range(s, s + m + 1), range(s, s + len(candidate) + 1)
        gain = sum(lm.logp(*new[i - 2 : i + 1]) for i in new_window) - sum(
            lm.logp(*ids[i - 2 : i + 1]) for i in old_window
        )
        context_gain = (sum(lm.assoc(*new[i - 2 : i + 1]) for i in new_window) - lm.inner_assoc(candidate)) - (
            sum(self.assoc[i] for i in old_window) - lm.inner_assoc(ids[s : s + m])
        )
        # how much better the candidate fits the paragraph's other content words than the word it
        # replaces (nothing is known of a candidate without a vector); for a span of several words,
        # whose own fit is not measured, the candidate's fit alone
        vectors = [v for v in map(lm.vector, candidate) if v is not None]
        fit = _cosine(sum(vectors), self.topic - self.vector.get(s, 0.0)) if vectors else None
        return {
            "gain": gain,
            "ctx_gain": context_gain,
            "fit_gain": 0.0 if fit is None else fit if m > 1 else fit - self.fit[s],
            "resized": len(candidate) != m,
        }

    def _best_swaps(self) -> None:
        """Per slot: covered by a swap, and the best of the swaps covering it."""
        self.eligible = {s: False for s in range(len(self.ids) + 2)}
        best = {name: {s: 0.0 for s in range(len(self.ids) + 2)} for name in ("gain", "ctx", "fit", "resized")}
        seen: dict[str, set[int]] = {name: set() for name in best}
        for (s, m, _), swap in self.swaps.items():
            for slot in range(s, s + m):
                self.eligible[slot] = True
                values = {"ctx": swap["ctx_gain"], "fit": swap["fit_gain"]}
                values["resized" if swap["resized"] else "gain"] = swap["gain"]
                for name, value in values.items():
                    if slot not in seen[name] or value > best[name][slot]:
                        best[name][slot] = value
                        seen[name].add(slot)
        self.best = best

    def article_clash(self, s: int) -> float:
        article = self.tokens[s - 3] if s >= 3 else None
        numbers = {"0" * n + suffix for n in range(1, 9) for suffix in ("", "s", "th", "st", "nd", "rd")}
        if article not in ("a", "an") or not self.known[s] or self.tokens[s - 2] in numbers:
            return 0.0

        def log_count(a: str) -> float:
            a_id = int(hash_tokens([a])[0])
            seen, logp = self.lm.bigram(a_id, self.ids[s])
            return self.lm.log_n + self.lm.unigram(a_id)[1] + logp if seen else math.log(0.5)

        other = "an" if article == "a" else "a"
        return float(np.clip(log_count(other) - log_count(article), -10.0, 10.0))

    def token_features(self) -> dict[str, list[float]]:
        def at(values, s):
            return values[s] if 0 <= s < len(values) else 0.0

        def clip(x: float) -> float:
            return min(max(x, -20.0), 20.0)

        def expected_log(s: int, t: int) -> float:  # the expected count of the bigram of slots s and t
            return min(max(self.lm.log_n + self.uni[s] + self.uni[t], -5.0), 15.0) if self.is_token(t) else 0.0

        out: dict[str, list[float]] = {name: [] for name in TOKEN_FEATURE_NAMES}
        best, eligible, capital = self.best, self.eligible, self.capital
        for s in self.token_slots:
            row = {
                "unigram_logp": self.uni[s],
                "assoc": self.assoc[s],
                "assoc_next": at(self.assoc, s + 1),
                "assoc_next2": at(self.assoc, s + 2),
                "assoc_prev": self.assoc[s - 1],
                "min_assoc": min(self.assoc[s], self.assoc[s + 1]),
                "trigram_seen": self.trigram_seen[s],
                "bigram_seen": self.bigram_seen[s],
                "next_trigram_seen": self.trigram_seen[s + 1],
                "next_bigram_seen": self.bigram_seen[s + 1],
                "expected_bigram_log": expected_log(s, s - 1),
                "expected_next_bigram_log": expected_log(s, s + 1),
                "frequent": self.frequent(s),
                "oov": not self.known[s],
                "eligible": eligible[s],
                "swap_gain": clip(best["gain"][s]),
                "swap_ctx_gain": clip(best["ctx"][s]),
                "neighbour_swap_gain": clip(max(best["gain"][s - 1], best["gain"][s + 1])),
                "fit": self.fit[s],
                "has_vector": self.has_vector[s],
                "swap_fit_gain": best["fit"][s],
                "capital_mid_sentence": capital[s] and s > 2 and self.tokens[s - 3] != ".",
                "prev_swap_ctx_gain": clip(best["ctx"][s - 1]),
                "next_swap_ctx_gain": clip(best["ctx"][s + 1]),
                "prev_fit": self.fit[s - 1],
                "next_fit": self.fit[s + 1],
                "prev_eligible": eligible[s - 1],
                "next_eligible": eligible[s + 1],
                "prev_capital": capital[s - 1],
                "next_capital": capital[s + 1],
                "resized_swap_gain": clip(best["resized"][s]),
                "article_clash": self.article_clash(s),
            }
            for name in TOKEN_FEATURE_NAMES:
                out[name].append(float(row[name]))
        return out

    def paragraph_features(self, z: list[float], prior_logit: float) -> dict[str, float]:
        def mean(values: list[float]) -> float:
            return sum(values) / len(values) if values else 0.0

        n, slots = self.n, range(2, len(self.ids))  # slots predicted: tokens and the end marker
        tokens = self.token_slots
        # slots whose word and previous word (or the paragraph start) the reference knows
        in_context = [s for s in slots if self.known[s] and (self.known[s - 1] or self.ids[s - 1] == BOS)]
        pairs = [s for s in tokens if self.known[s] and self.known[s - 1] and self.is_token(s - 1)]
        seen_pairs = [s for s in pairs if self.bigram_seen[s]]
        frequent_pairs = [s for s in tokens if self.frequent(s) and self.frequent(s - 1) and self.is_token(s - 1)]
        vectors = [s for s in tokens if self.has_vector[s]]
        p = [1.0 / (1.0 + math.exp(-x)) for x in z]
        llr = {
            share: sum(math.log1p(share * (math.exp(x - prior_logit) - 1.0)) for x in z) for share in (0.03, 0.1, 0.25)
        }
        unseen_expected = [
            s for s in pairs if not self.bigram_seen[s] and self.lm.log_n + self.uni[s] + self.uni[s - 1] > math.log(3)
        ]
        return {
            "log_tokens": math.log1p(n),
            "oov_rate": 1.0 - mean([self.known[s] for s in tokens]),
            "mean_unigram_logp": mean([self.uni[s] for s in tokens if self.known[s]]),
            "mean_assoc": mean([self.assoc[s] for s in in_context]),
            "low_assoc_rate": mean([self.assoc[s] < -2.0 for s in in_context]),
            "trigram_hit_rate": mean([self.trigram_seen[s] for s in in_context]),
            "bigram_hit_rate": mean([self.bigram_seen[s] for s in pairs]),
            "bigram_unseen_expected_rate": len(unseen_expected) / len(pairs) if pairs else 0.0,
            "mean_pmi": mean([self.bigram_logp[s] - self.uni[s] for s in seen_pairs]),
            "frequent_share": mean([self.frequent(s) for s in tokens]),
            "frequent_mean_assoc": mean([self.assoc[s] for s in frequent_pairs]),
            "frequent_bigram_unseen_rate": mean([not self.bigram_seen[s] for s in frequent_pairs]),
            "eligible_rate": mean([self.eligible[s] for s in tokens]),
            "capital_rate": mean([self.capital[s] for s in tokens]),
            "mean_fit": mean([self.fit[s] for s in vectors]),
            "low_fit_rate": mean([self.fit[s] < 0.1 for s in vectors]),
            "token_mean_p": mean(p),
            "token_sum_p_z": sum(p) / math.sqrt(n),
            "token_rate_50": mean([x > 0.5 for x in p]),
            "token_rate_80": mean([x > 0.8 for x in p]),
            "llr_03_rate": llr[0.03] / n,
            "llr_10_rate": llr[0.1] / n,
            "llr_25_rate": llr[0.25] / n,
            "llr_10_z": llr[0.1] / math.sqrt(n),
        }


# Features computed from the tables' float32 values agree to float32 rounding (about 1e-6, far
# below the tables' quantisation of 1/16 nat); those from the float16 word vectors to 1e-4; counts,
# rates of counts and the features of the token log-odds to float64 rounding.
_FLOAT32_FEATURES = {
    "unigram_logp", "assoc", "assoc_next", "assoc_next2", "assoc_prev", "min_assoc", "expected_bigram_log",
    "expected_next_bigram_log", "swap_gain", "swap_ctx_gain", "neighbour_swap_gain", "prev_swap_ctx_gain",
    "next_swap_ctx_gain", "resized_swap_gain", "article_clash", "gain", "ctx_gain", "mean_unigram_logp",
    "mean_assoc", "mean_pmi", "frequent_mean_assoc",
}  # fmt: skip
_VECTOR_FEATURES = {"fit", "prev_fit", "next_fit", "fit_gain", "swap_fit_gain", "mean_fit"}


def _tolerance(name: str) -> dict[str, float]:
    if name in _VECTOR_FEATURES:
        return {"abs": 2e-4}
    return {"rel": 1e-5, "abs": 1e-5} if name in _FLOAT32_FEATURES else {"abs": 1e-9}


@pytest.fixture(scope="module", params=["all", "train"])
def plain_and_batch(request, reference, lexicon):
    """The plain features of PLAIN_PARAGRAPHS, and batch_features of them in one batch, with the
    lexicon cut to one split."""
    from spincheck.text import tokenize_cased

    split = request.param
    lm = PlainLanguageModel(reference)
    plain = [PlainParagraph(text, lm, lexicon, split) for text in PLAIN_PARAGRAPHS]
    pairs = [tokenize_cased(text) for text in PLAIN_PARAGRAPHS]
    bf = batch_features([t for t, _ in pairs], reference, lexicon, capitals=[c for _, c in pairs], split=split)
    return split, plain, bf


def test_swap_search_equals_the_plain_one(plain_and_batch) -> None:
    """The rows found (span, candidate) and each row's gains, with the lexicon's split applied."""
    split, plain, bf = plain_and_batch
    swaps = bf.swaps
    starts = bf.batch.starts - 2  # slot of each paragraph's first <s>
    found = {}
    for r in range(swaps.slot.size):
        p = int(bf.batch.para[swaps.slot[r]])
        key = (p, int(swaps.slot[r] - starts[p]), int(swaps.span_len[r]), int(swaps.phrase[r]))
        found[key] = {"gain": swaps.gain[r], "ctx_gain": swaps.ctx_gain[r], "fit_gain": swaps.fit_gain[r]}
    expected = {(p, *key): swap for p, paragraph in enumerate(plain) for key, swap in paragraph.swaps.items()}
    assert sorted(found) == sorted(expected)
    for key, swap in expected.items():
        for name in ("gain", "ctx_gain", "fit_gain"):
            assert found[key][name] == pytest.approx(swap[name], **_tolerance(name)), (key, name)
    # the search met what it is meant to: phrases of several words, resized and not, and candidates cut
    assert any(paragraph.more_candidates for paragraph in plain)
    assert any(m > 1 and not swap["resized"] for (_, _, m, _), swap in expected.items())
    assert any(m > 1 and swap["resized"] for (_, _, m, _), swap in expected.items())
    groups = np.array([swap["group"] for swap in expected.values()])
    if split == "all":  # some candidates are held out: with split="train" they are not tried (above)
        assert not Lexicon.in_split(groups, "train").all()
    else:
        assert Lexicon.in_split(groups, "train").all()


def test_token_features_equal_the_plain_ones(plain_and_batch) -> None:
    _, plain, bf = plain_and_batch
    para_of = bf.batch.para[bf.tokens.slots]
    for p, paragraph in enumerate(plain):
        rows = bf.tokens.X[para_of == p]
        expected = paragraph.token_features()
        for j, name in enumerate(TOKEN_FEATURE_NAMES):
            got, want = rows[:, j].tolist(), expected[name]
            assert got == pytest.approx(want, **_tolerance(name)), (p, name)


def test_paragraph_features_equal_the_plain_ones(plain_and_batch, reference) -> None:
    _, plain, bf = plain_and_batch
    z = 3.0 * np.sin(np.arange(bf.tokens.slots.size))  # a stand-in for the token model's log-odds
    prior_logit = -2.0
    X = paragraph_features(bf.batch, bf.slots, bf.tokens, z, prior_logit, reference.tokens)
    para_of = bf.batch.para[bf.tokens.slots]
    for p, paragraph in enumerate(plain):
        expected = paragraph.paragraph_features(z[para_of == p].tolist(), prior_logit)
        for j, name in enumerate(PARAGRAPH_FEATURE_NAMES):
            assert X[p, j] == pytest.approx(expected[name], **_tolerance(name)), (p, name)


def test_roll_and_number_shapes_equal_numpy() -> None:
    """The cheap stand-ins for np.roll and np.isin give numpy's answers, at any length."""
    rng = np.random.default_rng(5)
    for n in range(0, 7):
        for values in (rng.random(n).astype(np.float32), rng.random(n) < 0.5, hash_tokens(["x"] * n)):
            for shift in (1, 2):
                got = features_module._roll(values, shift)
                assert got.dtype == values.dtype and np.array_equal(got, np.roll(values, shift))
    shapes = features_module._NUMBER_SHAPES
    ids = np.concatenate([shapes, hash_tokens(["0", "00s", "said", "a", "zzzz"]), [np.uint64(0), ~np.uint64(0)]])
    assert np.array_equal(features_module._number_shape(ids), np.isin(ids, shapes))


def test_token_features_of_a_batch_without_markers_around_its_tokens(reference) -> None:
    """A batch laid out by hand, tokens at its ends, takes the padded path: what is past an end is 0."""
    batch = layout([tokenize("The minister said on Monday that talks would resume.")])
    keep = slice(2, -1)  # drop the start markers and the end marker
    cut = Batch(
        batch.ids[keep], batch.para[keep], batch.is_token[keep], batch.starts - 2, batch.lengths, batch.capital[keep]
    )
    slots = score_slots(cut, reference)
    swaps = Swaps.empty()
    zeros = np.zeros(cut.ids.shape[0], np.float32)
    clash = np.zeros(cut.ids.shape[0], np.float32)
    view = features_module.token_features(cut, slots, swaps, zeros, zeros > 0, reference.tokens, clash=clash)
    assert view.X.shape == (cut.lengths[0], len(TOKEN_FEATURE_NAMES))
    prev_assoc = TOKEN_FEATURE_NAMES.index("assoc_prev")
    next_assoc = TOKEN_FEATURE_NAMES.index("assoc_next")
    assert view.X[0, prev_assoc] == 0.0 and view.X[-1, next_assoc] == 0.0
    assert np.array_equal(view.X[1:, prev_assoc], slots.assoc[:-1].astype(np.float64))
