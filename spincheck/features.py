"""Stage 5: tokens -> feature rows and evidence candidates, vectorised over a batch.

Two kinds of signal, both measured against the clean reference rather than
learned from any one spinner's word list:

*Familiarity.* A trigram model scores every token given the two before it,
backing off to the bigram and the unigram; an n-gram the reference lacks costs
by how often it should have been seen (see ``_score``), not by a fixed backoff
factor. Spun text has more n-grams that a clean corpus never shows although
their words are common (an unseen bigram whose expected count under
independence is high), lower association between neighbours, and odd patterns
among function words, whose statistics are reliable even in a small corpus.

*Substitution likelihood.* For each phrase with synonyms in the lexicon, the
extractor swaps a synonym back in and asks how much more probable the
surrounding n-grams become. One large gain is the evidence (and the synonym the
suggested original); many large gains make a paragraph look spun. Gains are
also measured with the candidate's own word frequency removed, so that swapping
a rare word for a common one does not count as evidence by itself.

Everything is computed on the flat slot layout of :mod:`spincheck.ngrams`: one
lookup per n-gram kind for the whole batch, ``np.bincount`` to sum per
paragraph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol, Sequence

import numpy as np

from .lexicon import MAX_PHRASE_TOKENS, Lexicon
from .ngrams import BOS, Batch, combine, hash_tokens, layout
from .reference import Reference

__all__ = [
    "FEATURE_NAMES",
    "SlotScores",
    "Swaps",
    "score_slots",
    "find_swaps",
    "token_features",
    "paragraph_features",
    "batch_features",
    "paragraph_rows",
    "BatchFeatures",
    "article_clash",
    "swap_article_clash",
    "best_swap_per_slot",
    "swap_rank",
    "swap_r2_gain",
    "TOKEN_FEATURE_NAMES",
    "PARAGRAPH_FEATURE_NAMES",
]

OOV_LOGP = math.log(1e-9)
_PERIOD = hash_tokens(["."])[0]
_A, _AN = hash_tokens(["a", "an"])
# Numbers are counted by shape ("8" and "1" are both "0"), and "an 8-year-old"
# is as right as "a 1-year-old": their article says nothing.
_NUMBER_SHAPES = np.sort(
    hash_tokens(["0" * n + suffix for n in range(1, 9) for suffix in ("", "s", "th", "st", "nd", "rd")])
)
# Log count given to an article + word bigram the reference lacks: half a sighting.
UNSEEN_LOG_COUNT = math.log(0.5)
ARTICLE_CLASH_CLIP = 10.0
# Log of the frequency above which a word counts as a function-like word
# (roughly the 300 most frequent English words).
FREQUENT_LOGP = math.log(3e-4)
# A span is worth trying synonyms at unless it and the token after it are all
# clearly familiar in context. The old gate (below -0.5, "less associated than
# chance") hid two thirds of the spans a real spinner replaced: "maintain
# talks" is unseen but not expected to be seen, and only putting the original
# back ("hold talks") shows the swap. Raising the gate to 1.5 took token
# ROC-AUC on held-out spins from 0.92 to 0.96; no gate at all measured the
# same and searches a quarter more spans.
SEARCH_MAX_ASSOC = 1.5
# Candidates tried per phrase: the lexicon lists the most frequent first, and
# the original wording of a spun phrase is nearly always a common word. 4 do
# as well as 6 or 12.
FEATURE_CANDIDATES = 4
# Evidence tries more, ranked with a prior for the lexicon's first (most
# frequent) candidates (see swap_rank). Ranked by gain alone, 8 suggested the
# true original as often as 12; with the prior, 20 reach the original of 86 %
# of held-out replaced spans (8: 73 %) and name it for 55 % (8, by gain: 50 %).
# The cost falls on flagged paragraphs only: on the benchmark workload (a
# quarter spun) the evidence pass went from 15 % to 21 % of the CPU time.
EVIDENCE_CANDIDATES = 20
# Mixture weights for the paragraph log-likelihood ratio: the share of
# substituted tokens a spinner might use, from light to heavy.
MIXTURE_SHARES = (0.03, 0.1, 0.25)
# Candidate rows per chunk in swap_fit_gain: two gathered (rows, dim) float32
# blocks of this size (1 MB each at dim 64) stay in cache between the gather
# and the dot products; 1024 to 8192 measured alike, a whole batch at once
# (tens of MB) twice as slow.
FIT_CHUNK_ROWS = 4096
# Swap searches of up to this many rows score all the steps of their walk in one _score call
# (see find_swaps): the steps' own calls cost about 60 us each for any number of rows, most of
# what scoring one paragraph costs there; a larger search scores one step at a time.
WALK_IN_ONE_ROWS = 4096

TOKEN_FEATURE_NAMES = (
    "unigram_logp",
    "assoc",
    "assoc_next",
    "assoc_next2",
    "assoc_prev",
    "min_assoc",
    "trigram_seen",
    "bigram_seen",
    "next_trigram_seen",
    "next_bigram_seen",
    "expected_bigram_log",
    "expected_next_bigram_log",
    "frequent",
    "oov",
    "eligible",
    "swap_gain",
    "swap_ctx_gain",
    "neighbour_swap_gain",
    "fit",
    "has_vector",
    "swap_fit_gain",
    "capital_mid_sentence",
    "prev_swap_ctx_gain",
    "next_swap_ctx_gain",
    "prev_fit",
    "next_fit",
    "prev_eligible",
    "next_eligible",
    "prev_capital",
    "next_capital",
    "resized_swap_gain",
    "article_clash",
)

# No feature of the few strongest tokens alone (a mean of the three largest
# token logits was one): it let one confident but natural phrase ("prior to",
# "at present", "quite a few") flag a short clean paragraph, which set the
# threshold. Without it, over training seeds 0-2, held-out recall on the
# speeches rose from 0.63 to 0.64 and, with the lexicon cut so that no
# substitution can be swapped back, from 0.21 to 0.24 (ROC-AUC 0.868 -> 0.877);
# dev ROC-AUC on the training genres fell by 0.002.
PARAGRAPH_FEATURE_NAMES = (
    "log_tokens",
    "oov_rate",
    "mean_unigram_logp",
    "mean_assoc",
    "low_assoc_rate",
    "trigram_hit_rate",
    "bigram_hit_rate",
    "bigram_unseen_expected_rate",
    "mean_pmi",
    "frequent_share",
    "frequent_mean_assoc",
    "frequent_bigram_unseen_rate",
    "eligible_rate",
    "capital_rate",
    "mean_fit",
    "low_fit_rate",
    "token_mean_p",
    "token_sum_p_z",
    "token_rate_50",
    "token_rate_80",
    "llr_03_rate",
    "llr_10_rate",
    "llr_25_rate",
    "llr_10_z",
)

FEATURE_NAMES = TOKEN_FEATURE_NAMES + PARAGRAPH_FEATURE_NAMES


@dataclass
class SlotScores:
    """Per-slot language-model scores of a batch (see :func:`score_slots`)."""

    target: np.ndarray  # slot is predicted (a token or an end marker)
    known: np.ndarray  # token in the unigram table
    uni_lp: np.ndarray
    bi_found: np.ndarray
    bi_lp: np.ndarray
    tri_found: np.ndarray
    assoc: np.ndarray  # log P(w | two before) - log P(w)


@dataclass
class _Scores:
    u_found: np.ndarray
    uni: np.ndarray  # log P(w); OOV_LOGP for unknown words
    b_found: np.ndarray
    b_lp: np.ndarray  # log P(w | prev), valid where b_found
    t_found: np.ndarray
    assoc: np.ndarray  # log P(w | context) - log P(w), expectation-aware


def _score(
    ref: Reference,
    ctx2: np.ndarray,
    ctx1: np.ndarray,
    tgt: np.ndarray,
    *,
    tgt_uni: tuple[np.ndarray, np.ndarray] | None = None,
    ctx1_uni: np.ndarray | None = None,
    ctx2_uni: tuple[np.ndarray, np.ndarray] | None = None,
    bigram: tuple[np.ndarray, np.ndarray] | None = None,
    ctx_bigram: tuple[np.ndarray, np.ndarray] | None = None,
) -> _Scores:
    """Log-probability of ``tgt`` after ``ctx2 ctx1``, split into frequency and association.

    Seen trigrams and bigrams give their relative frequency. An *unseen*
    n-gram is penalised by how many times it should have been seen if its
    words were independent (``-log(1 + expected count)``): unseen "the
    boosting" is no surprise, unseen "of the the" is. Optional arguments pass
    values the caller already has, to save lookups: unigrams as ``(found,
    log P)`` from :func:`_unigrams` (``ctx1_uni`` the log P alone), the
    bigrams ``ctx1 tgt`` and ``ctx2 ctx1`` as ``(found, log P)``.
    """
    log_n = _log_tokens(ref)
    u_found, uni = _unigrams(ref, tgt) if tgt_uni is None else tgt_uni
    if ctx1_uni is None:
        ctx1_uni = _unigrams(ref, ctx1)[1]
    ctx1_uni = np.where(ctx1 == BOS, np.float32(_log_bos(ref)), ctx1_uni)
    b_found, b_lp = ref.bigrams.lookup(combine(ctx1, tgt)) if bigram is None else bigram
    t_found = np.zeros(tgt.shape, bool)
    t_lp = np.zeros(tgt.shape, np.float32)
    # a trigram can only be in the table if its last two words are a seen bigram
    where = np.flatnonzero(b_found)
    if where.size:
        f, lp = ref.trigrams.lookup(combine(combine(ctx2[where], ctx1[where]), tgt[where]))
        t_found[where] = f
        t_lp[where] = lp
    # expected count of the bigram, and of the trigram given its seen bigrams
    exp_bi = np.exp(np.minimum(log_n + ctx1_uni + uni, 30.0))
    assoc = np.where(b_found, b_lp - uni, -np.log1p(exp_bi))
    need = np.flatnonzero(b_found & ~t_found & (ctx2 != BOS))
    if need.size:
        if ctx_bigram is None:
            cb_found, cb_lp = ref.bigrams.lookup(combine(ctx2[need], ctx1[need]))
        else:
            cb_found, cb_lp = ctx_bigram[0][need], ctx_bigram[1][need]
        if ctx2_uni is None:
            c2_found, c2_lp = _unigrams(ref, ctx2[need])
        else:
            c2_found, c2_lp = ctx2_uni[0][need], ctx2_uni[1][need]
        log_exp_tri = log_n + c2_lp + cb_lp + b_lp[need]
        penalty = np.where(cb_found & c2_found, np.log1p(np.exp(np.minimum(log_exp_tri, 30.0))), 0.0)
        assoc[need] -= penalty
    tri = np.flatnonzero(t_found)
    assoc[tri] = t_lp[tri] - uni[tri]
    assoc = np.where(u_found, assoc, np.float32(0.0)).astype(np.float32)
    return _Scores(u_found, uni, b_found, b_lp, t_found, assoc)


def _unigrams(ref: Reference, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(found, log P(w))`` of each id, ``OOV_LOGP`` for unknown words."""
    found, lp = ref.unigrams.lookup(ids)
    return found, np.where(found, lp, np.float32(OOV_LOGP))


def _log_tokens(ref: Reference) -> float:
    return math.log(max(ref.tokens, 1.0))


def _log_bos(ref: Reference) -> float:
    """log P(paragraph start): one start per paragraph of the reference."""
    return math.log(max(float(ref.info.get("paragraphs", 1.0)), 1.0)) - _log_tokens(ref)


def score_slots(batch: Batch, ref: Reference) -> SlotScores:
    ids = batch.ids
    prev = _roll(ids, 1)
    prev2 = _roll(ids, 2)
    u_found, uni = _unigrams(ref, ids)
    # the bigram before each slot is the previous slot's bigram
    b_found, b_lp = ref.bigrams.lookup(combine(prev, ids))
    sc = _score(
        ref,
        prev2,
        prev,
        ids,
        tgt_uni=(u_found, uni),
        ctx1_uni=_roll(uni, 1),
        ctx2_uni=(_roll(u_found, 2), _roll(uni, 2)),
        bigram=(b_found, b_lp),
        ctx_bigram=(_roll(b_found, 1), _roll(b_lp, 1)),
    )
    target = ids != BOS
    return SlotScores(
        target=target,
        known=sc.u_found & target,
        uni_lp=sc.uni,
        bi_found=sc.b_found & target,
        bi_lp=sc.b_lp,
        tri_found=sc.t_found & target,
        assoc=np.where(target, sc.assoc, np.float32(0.0)),
    )


def _roll(values: np.ndarray, shift: int) -> np.ndarray:
    """``np.roll`` of a 1-d array by a shift shorter than it, by slices: the same values at a
    fifth of the cost (np.roll's general axes cost 4 us a call, and a batch makes 14)."""
    if not 0 < shift < values.shape[0]:
        return np.roll(values, shift)
    return np.concatenate((values[-shift:], values[:-shift]))


def _number_shape(ids: np.ndarray) -> np.ndarray:
    """``np.isin(ids, _NUMBER_SHAPES)`` by a search of the sorted shapes: np.isin costs 10 us a
    call, whatever the ids."""
    at = np.minimum(np.searchsorted(_NUMBER_SHAPES, ids), _NUMBER_SHAPES.size - 1)
    return _NUMBER_SHAPES[at] == ids


def article_clash(batch: Batch, slots: SlotScores, ref: Reference) -> np.ndarray:
    """Per slot: how much more often the reference writes the *other* indefinite article before this word.

    A spinner swaps the word after "a"/"an" and leaves the article alone, so
    "a big effort" becomes "a enormous effort" whatever its thesaurus. The
    value is ``log c(other article, w) - log c(this article, w)`` from the
    reference's bigrams (0 after any other word, and for unknown words):
    large for "an bill", negative for "a unit" or "an hour", whose spelling
    would mislead a rule on vowels.
    """
    ids = batch.ids
    out = np.zeros(ids.shape[0], np.float32)
    prev = _roll(ids, 1)
    where = np.flatnonzero(((prev == _A) | (prev == _AN)) & slots.known)
    where = where[~_number_shape(ids[where])]
    if not where.size:
        return out
    out[where] = _other_article_margin(ref, prev[where], ids[where], slots.bi_found[where], slots.bi_lp[where])
    return out


def _other_article_margin(
    ref: Reference, article: np.ndarray, word: np.ndarray, this_found: np.ndarray, this_lp: np.ndarray
) -> np.ndarray:
    """``log c(other article, word) - log c(article, word)``, clipped (see :func:`article_clash`);
    ``(this_found, this_lp)`` is the bigram ``article word`` as looked up."""
    after_a = article == _A
    other_found, other_lp = ref.bigrams.lookup(combine(np.where(after_a, _AN, _A), word))
    _, article_lp = _unigrams(ref, np.array([_A, _AN], dtype=np.uint64))
    log_n = _log_tokens(ref)
    log_a, log_an = log_n + float(article_lp[0]), log_n + float(article_lp[1])
    this = np.where(this_found, this_lp + np.where(after_a, log_a, log_an), UNSEEN_LOG_COUNT)
    that = np.where(other_found, other_lp + np.where(after_a, log_an, log_a), UNSEEN_LOG_COUNT)
    return np.clip(that - this, -ARTICLE_CLASH_CLIP, ARTICLE_CLASH_CLIP)


def swap_article_clash(batch: Batch, swaps: Swaps, ref: Reference, lex: Lexicon) -> np.ndarray:
    """Per swap row: :func:`article_clash` of the candidate's first word after the "a"/"an"
    before the span (0 elsewhere). A spinner leaves the article, so the original fits it:
    "an hard plan" was "an aggressive plan", never "an strong plan"."""
    out = np.zeros(swaps.slot.shape, np.float32)
    prev = batch.ids[swaps.slot - 1]
    where = np.flatnonzero((prev == _A) | (prev == _AN))
    if not where.size:
        return out
    word = lex.phrase_ids[swaps.phrase[where], 0]
    known, _ = ref.unigrams.lookup(word)
    keep = known & ~_number_shape(word)  # as article_clash: unknown words and numbers say nothing
    where, word = where[keep], word[keep]
    if not where.size:
        return out
    this_found, this_lp = ref.bigrams.lookup(combine(prev[where], word))
    out[where] = _other_article_margin(ref, prev[where], word, this_found, this_lp)
    return out


@dataclass
class Swaps:
    """Candidate synonym swaps of a batch, one row per (span, candidate)."""

    slot: np.ndarray  # first slot of the replaced span
    span_len: np.ndarray
    phrase: np.ndarray  # lexicon phrase-table index of the candidate
    gain: np.ndarray  # log-probability gain of the window after swapping
    ctx_gain: np.ndarray | None  # the same with the unigram frequency change removed (None: not asked for)
    fit_gain: np.ndarray | None = None  # change in fit with the word vectors of the context

    @classmethod
    def empty(cls) -> "Swaps":
        z = np.empty(0, np.int64)
        f = np.empty(0, np.float32)
        return cls(z, z, z, f, f, f)


def find_swaps(
    batch: Batch,
    slots: SlotScores,
    ref: Reference,
    lex: Lexicon,
    *,
    max_candidates: int = FEATURE_CANDIDATES,
    max_assoc: float | None = SEARCH_MAX_ASSOC,
    split: str = "all",
    focus: np.ndarray | None = None,
    context_gain: bool = True,
    known: Swaps | None = None,
) -> Swaps:
    """Score swapping each lexicon phrase of the batch for each of its candidates.

    ``focus`` (a bool per slot) limits the search to phrases covering a
    focused slot, e.g. the tokens whose evidence is wanted. ``max_assoc``
    skips spans whose slots and following token are all associated with their
    context above it (``None`` searches every span). With
    ``context_gain=False`` the context gain (two more rounds of lookups) is
    left out, for callers that rank swaps by ``gain`` alone.

    ``known`` is an earlier search of the same batch (the scoring pass): a
    row for a span and candidate it already scored takes its gain rather
    than being scored again, which is a third of the evidence search. It
    needs ``context_gain=False``.
    """
    if known is not None and context_gain:
        raise ValueError("known swaps only supply gains: pass context_gain=False")
    ids = batch.ids
    n_slots = ids.shape[0]
    if n_slots == 0 or len(lex) == 0:
        return Swaps.empty()
    is_token = batch.is_token
    padded_ids = _pad_tail(ids, BOS)
    padded_tok = _pad_tail(is_token)
    padded_assoc = _pad_tail(slots.assoc)
    padded_uni = _pad_tail(np.where(is_token, slots.uni_lp, 0.0).astype(np.float32))
    cum_uni = np.concatenate([[0.0], np.cumsum(padded_uni, dtype=np.float64)])
    cum_assoc = np.concatenate([[0.0], np.cumsum(padded_assoc, dtype=np.float64)])

    spans = _lexicon_spans(batch, padded_ids, padded_tok, padded_assoc, lex, focus, max_assoc)
    if spans is None:
        return Swaps.empty()
    s_slot, s_len, s_key = spans
    found = _candidate_rows(lex, s_key, max_candidates, split)
    if found is None:
        return Swaps.empty()
    rep, cand_row = found
    slot = s_slot[rep]
    m = s_len[rep]
    phrase_idx = lex.cand_phrase[cand_row].astype(np.int64)
    if known is not None:
        all_slot, all_len, all_phrase = slot, m, phrase_idx
        src = _known_rows(known, rep, slot, m, phrase_idx, n_slots)
        todo = np.flatnonzero(src < 0)
        rep, slot, m, phrase_idx = rep[todo], slot[todo], m[todo], phrase_idx[todo]
    # Quantities of the candidate alone (its tokens' unigrams, its inner
    # association) are computed once per distinct candidate phrase.
    phrases, phrase_of = _distinct(phrase_idx, lex.phrase_len.shape[0])
    p_ids = lex.phrase_ids[phrases]
    p_len = lex.phrase_len[phrases].astype(np.int64)
    p_found, p_uni = _unigrams(ref, p_ids)
    k = p_len[phrase_of]
    n = slot.size

    # New window: L2 L1 c1..ck R1 (width 6 at most). The token after R1 would
    # add one more trigram that is rarely in the table; it is left out of
    # both windows to halve the lookups of the last position. Unigrams of the
    # window come from the slot scores and the candidate's tokens.
    #
    # The window is walked one target at a time (c1, c2, ..., R1) over the
    # rows that still have a target there, each step's context being the
    # previous step's target and context compressed to the rows that go on:
    # no (rows, width) matrices to fill and gather columns from. Every row
    # has c1; fewer have a second target, and few a third or fourth.
    slot_known = _pad_tail(slots.known)
    slot_uni = _pad_tail(slots.uni_lp)
    r1_at = slot + m

    # The bigram before the first target is the slot's own bigram at L1.
    bi_found = slots.bi_found[slot - 1]
    bi_lp = slots.bi_lp[slot - 1]
    ctx2 = (padded_ids[slot - 2], slot_known[slot - 2], slot_uni[slot - 2])
    ctx1 = (padded_ids[slot - 1], slot_known[slot - 1], slot_uni[slot - 1])
    # rows still walking, with their candidate, its length and R1's slot
    rows, of, kk, r1_rows = None, phrase_of, k, r1_at
    new_assoc = np.zeros(n, np.float64)
    walk: list | None = [] if n <= WALK_IN_ONE_ROWS else None  # the steps, scored after the loop
    for step in range(MAX_PHRASE_TOKENS + 1):
        # the step-th target: a candidate token, or R1 once the candidate has ended
        if step == MAX_PHRASE_TOKENS:
            tgt = [padded_ids[r1_rows], slot_known[r1_rows], slot_uni[r1_rows]]
        else:
            tgt = [p_ids[:, step].take(of), p_found[:, step].take(of), p_uni[:, step].take(of)]
            past = np.flatnonzero(kk == step)
            if past.size:
                at = r1_rows[past]
                tgt[0][past], tgt[1][past], tgt[2][past] = padded_ids[at], slot_known[at], slot_uni[at]
        # rows with a next target: more candidate tokens, or R1 (unless it is a start marker)
        go_on = np.flatnonzero((kk > step + 1) | ((kk == step + 1) & (padded_ids[r1_rows] != BOS)))
        if walk is not None:
            walk.append((rows, ctx2, ctx1, tgt, go_on))
        else:  # a large search: one step's arrays at a time
            bi_found, bi_lp = _score_walk(ref, [(rows, ctx2, ctx1, tgt, go_on)], (bi_found, bi_lp), new_assoc)
        if go_on.size == 0:
            break
        rows = go_on if rows is None else rows[go_on]
        of, kk, r1_rows = of[go_on], kk[go_on], r1_rows[go_on]
        ctx2 = tuple(a[go_on] for a in ctx1)
        ctx1 = tuple(a[go_on] for a in tgt)
    if walk is not None:
        _score_walk(ref, walk, (bi_found, bi_lp), new_assoc)

    # Old window: the span's own slots plus R1 (already scored per slot).
    end = slot + m + 1
    old_assoc = cum_assoc[end] - cum_assoc[slot]
    # Total gain: the window's log-probability change, word frequency included
    # (a spinner's synonym is often rarer than the word it replaced).
    span_uni = (cum_uni[s_slot + s_len] - cum_uni[s_slot])[rep]
    cand_uni = _phrase_unigram(p_uni, p_len)[phrase_of]
    gain = (new_assoc + cand_uni - old_assoc - span_uni).astype(np.float32)
    if known is not None:
        done = np.flatnonzero(src >= 0)
        computed, gain = gain, np.empty(all_slot.size, np.float32)
        gain[todo] = computed
        gain[done] = known.gain[src[done]]
        return Swaps(slot=all_slot, span_len=all_len, phrase=all_phrase, gain=gain, ctx_gain=None)
    if not context_gain:
        return Swaps(slot=slot, span_len=m, phrase=phrase_idx, gain=gain, ctx_gain=None)
    # Context gain: association with the neighbours only. A phrase's inner
    # association ("united" -> "states") says nothing about the context.
    # spans and candidates in one call: a call's lookups cost about as much for 5 rows as for 500
    span_ids = np.stack([padded_ids[s_slot + j] for j in range(MAX_PHRASE_TOKENS)], axis=1)
    inner = _inner_assoc(ref, np.concatenate([span_ids, p_ids]), np.concatenate([s_len, p_len]))
    span_inner = inner[: s_len.size][rep]
    cand_inner = inner[s_len.size :][phrase_of]
    ctx_gain = (new_assoc - cand_inner) - (old_assoc - span_inner)
    return Swaps(slot=slot, span_len=m, phrase=phrase_idx, gain=gain, ctx_gain=ctx_gain.astype(np.float32))


def _score_walk(
    ref: Reference, walk: list, first_bigram: tuple[np.ndarray, np.ndarray], out: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Add each step's association to ``out`` as find_swaps' walk reads them, with one bigram
    lookup and one :func:`_score` call for all the steps (whose values are per row).

    ``walk`` holds each step's (rows of ``out`` or None for all, ctx2, ctx1, target, rows that
    go on); a step's context bigram is the bigram of the step before, at the rows that go on.
    Returns the context bigram of the step after the last (a walk given one step at a time).
    """
    ctx2, ctx1, tgt = ([np.concatenate([step[i][j] for step in walk]) for j in range(3)] for i in (1, 2, 3))
    bigram = ref.bigrams.lookup(combine(ctx1[0], tgt[0]))
    bounds = list(accumulate((step[3][0].size for step in walk), initial=0))
    ctx_bigram = [first_bigram] + [
        (bigram[0][lo:hi][step[4]], bigram[1][lo:hi][step[4]]) for step, lo, hi in zip(walk, bounds, bounds[1:])
    ]
    assoc = _score(
        ref,
        ctx2[0],
        ctx1[0],
        tgt[0],
        tgt_uni=(tgt[1], tgt[2]),
        ctx1_uni=ctx1[2],
        ctx2_uni=(ctx2[1], ctx2[2]),
        bigram=bigram,
        ctx_bigram=(
            np.concatenate([b[0] for b in ctx_bigram[:-1]]),
            np.concatenate([b[1] for b in ctx_bigram[:-1]]),
        ),
    ).assoc
    for step, lo, hi in zip(walk, bounds, bounds[1:]):
        if step[0] is None:
            out += assoc[lo:hi]
        else:
            out[step[0]] += assoc[lo:hi]
    return ctx_bigram[-1]


def _lexicon_spans(
    batch: Batch,
    padded_ids: np.ndarray,
    padded_tok: np.ndarray,
    padded_assoc: np.ndarray,
    lex: Lexicon,
    focus: np.ndarray | None,
    max_assoc: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The phrases of one to MAX_PHRASE_TOKENS tokens that the lexicon lists, as (first slot,
    length, lexicon key) arrays, among those ``focus`` and ``max_assoc`` let through (see
    :func:`find_swaps`); None when there is none."""
    if focus is not None:
        padded_focus = _pad_tail(focus)
    span_slot, span_len, span_hash = [], [], []
    token_slots = np.flatnonzero(batch.is_token)
    phrase = batch.ids[token_slots]
    ok = np.ones(token_slots.shape, bool)
    for m in range(1, MAX_PHRASE_TOKENS + 1):
        if m > 1:
            nxt = token_slots + (m - 1)
            ok &= padded_tok[nxt]
            phrase = combine(phrase, padded_ids[nxt])
        cand = ok.copy()
        if focus is not None:
            cand &= np.logical_or.reduce([padded_focus[token_slots + j] for j in range(m)])
        if max_assoc is not None:
            weakest = np.minimum.reduce([padded_assoc[token_slots + j] for j in range(m + 1)])
            cand &= weakest < max_assoc
        sel = np.flatnonzero(cand)
        span_slot.append(token_slots[sel])
        span_len.append(np.full(sel.size, m, np.int64))
        span_hash.append(phrase[sel])
    # the phrases of every length looked up at once
    found, key = lex.find(np.concatenate(span_hash))
    if not found.any():
        return None
    return np.concatenate(span_slot)[found], np.concatenate(span_len)[found], key[found]


def _candidate_rows(
    lex: Lexicon, s_key: np.ndarray, max_candidates: int, split: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """The candidates tried for each span: its first ``max_candidates`` in the lexicon, those
    searchable and in ``split``, as (span row, lexicon row) arrays; None when no span has one."""
    lo = lex.offsets[s_key]
    n_cand = np.minimum(lex.offsets[s_key + 1] - lo, max_candidates)
    total = int(n_cand.sum())
    if total == 0:
        return None
    rep = np.repeat(np.arange(s_key.size), n_cand)
    within = np.arange(total) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
    cand_row = lo[rep] + within
    keep = lex.searchable[cand_row]
    if split != "all":
        keep &= Lexicon.in_split(lex.cand_group[cand_row], split)
    return rep[keep], cand_row[keep]


def swap_rank(swaps: Swaps) -> np.ndarray:
    """Each row's position among its span's candidates (0 = the lexicon's first).

    :func:`find_swaps` lists a span's rows together, in lexicon order, which
    lists the most frequent synonym first. Writers mostly use the common word,
    so the original of a spun phrase is usually early in the list.
    """
    return _rank_in_runs(_span_starts(swaps.slot, swaps.span_len), swaps.slot.size)


def swap_r2_gain(batch: Batch, slots: SlotScores, swaps: Swaps, ref: Reference, lex: Lexicon) -> np.ndarray:
    """Per swap row: the change in the one trigram that :func:`find_swaps` leaves out of its
    window, R2 after the candidate's last word and R1 ("c R1 R2"); 0 where R1 ends the paragraph.

    Added to a row's gain, it makes the gain the change of the whole paragraph's log-probability:
    every trigram with a word of the candidate in it is then counted. Scoring does without it
    (a lookup more at the window's last position, for a trigram the table rarely holds), but the
    choice of a suggestion between rival candidates reads the words after R1 too.
    """
    out = np.zeros(swaps.slot.shape, np.float32)
    ids = _pad_tail(batch.ids, BOS)
    r1 = swaps.slot + swaps.span_len
    where = np.flatnonzero((ids[r1] != BOS) & (ids[r1 + 1] != BOS))
    if not where.size:
        return out
    r1 = r1[where]
    r2 = r1 + 1
    phrase = swaps.phrase[where]
    last = lex.phrase_ids[phrase, lex.phrase_len[phrase].astype(np.int64) - 1]
    new = _score(
        ref,
        last,
        ids[r1],
        ids[r2],
        tgt_uni=(slots.known[r2], slots.uni_lp[r2]),
        ctx1_uni=slots.uni_lp[r1],
        bigram=(slots.bi_found[r2], slots.bi_lp[r2]),
    ).assoc
    out[where] = new - slots.assoc[r2]
    return out


def _span_starts(slot: np.ndarray, span_len: np.ndarray) -> np.ndarray:
    """First row of each span in swap rows listed span by span."""
    if slot.size == 0:
        return np.zeros(0, np.intp)
    return np.flatnonzero(np.concatenate(([True], (slot[1:] != slot[:-1]) | (span_len[1:] != span_len[:-1]))))


def _rank_in_runs(starts: np.ndarray, n: int) -> np.ndarray:
    """Each of ``n`` rows' position in its run, runs beginning at ``starts``."""
    return np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))


def _pad_tail(values: np.ndarray, fill=0) -> np.ndarray:
    """``values`` plus MAX_PHRASE_TOKENS + 2 slots of ``fill``, so that a span's
    tokens and the token after it can be indexed without a bounds check."""
    return np.concatenate([values, np.full(MAX_PHRASE_TOKENS + 2, fill, values.dtype)])


def _known_rows(
    known: Swaps, rep: np.ndarray, slot: np.ndarray, span_len: np.ndarray, phrase: np.ndarray, n_slots: int
) -> np.ndarray:
    """Row of ``known`` with each row's span and candidate, or -1 where it has none.

    A search lists each span's rows together (``rep``: the span of each row),
    candidates in lexicon order; the k-th candidate of a span is then the
    k-th row of that span in ``known`` too, if ``known`` kept that many. The
    phrase is compared as well, so a search with another split or fewer
    candidates only reuses less, never the wrong row.
    """
    width = MAX_PHRASE_TOKENS + 1
    first = np.full(n_slots * width, -1, np.intp)
    count = np.zeros(n_slots * width, np.intp)
    starts = _span_starts(known.slot, known.span_len)
    span = known.slot[starts] * width + known.span_len[starts]
    first[span] = starts
    count[span] = np.diff(np.append(starts, known.slot.size))
    row_starts = np.flatnonzero(np.concatenate(([True], rep[1:] != rep[:-1]))) if rep.size else rep
    rank = _rank_in_runs(row_starts, rep.size)
    span = slot * width + span_len
    src = np.where((first[span] >= 0) & (rank < count[span]), first[span] + rank, -1)
    same = np.flatnonzero(src >= 0)
    src[same[known.phrase[src[same]] != phrase[same]]] = -1
    return src


def _phrase_unigram(uni: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Sum of unigram log-probabilities of each phrase's tokens (``uni`` from :func:`_unigrams`)."""
    valid = np.arange(uni.shape[1])[None, :] < lengths[:, None]
    return np.where(valid, uni, 0.0).sum(axis=1)


def _inner_assoc(ref: Reference, tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Sum of bigram associations inside each phrase (rows of ``tokens``).

    The bigrams of every position are scored in one :func:`_score` call (its
    values are per row), then added position by position, in the same order.
    """
    out = np.zeros(tokens.shape[0], np.float64)
    where = [np.flatnonzero(lengths > j) for j in range(1, tokens.shape[1])]
    n = sum(w.size for w in where)
    if n == 0:
        return out
    left = np.concatenate([tokens[w, j - 1] for j, w in enumerate(where, 1)])
    right = np.concatenate([tokens[w, j] for j, w in enumerate(where, 1)])
    assoc = _score(ref, np.zeros(n, np.uint64), left, right).assoc
    at = 0
    for w in where:
        out[w] += assoc[at : at + w.size]
        at += w.size
    return out


def _per_para(batch: Batch, mask: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    n = batch.lengths.size
    if values is None:
        return np.bincount(batch.para[mask], minlength=n).astype(np.float64)
    return np.bincount(batch.para[mask], weights=values[mask], minlength=n)


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return num / np.maximum(den, 1.0)


def best_swap_per_slot(
    n_slots: int, swaps: Swaps, resized: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per slot: covered by a swap?, and the best gain, context gain and fit gain
    of swaps covering it, and the best gain of swaps that change the number of words.

    ``resized`` marks swaps whose candidate has another number of words than
    the span (only generic paraphrases, "the place" -> "where": see
    ``Lexicon.swappable``). Their gain is kept apart: dropping a word makes a
    window more probable by that word's own probability in any context, so it
    is not comparable with the gain of a word-for-word swap.
    """
    eligible = np.zeros(n_slots, bool)
    best = [np.full(n_slots, -np.inf, np.float32) for _ in range(4)]
    ctx_gain = swaps.ctx_gain if swaps.ctx_gain is not None else np.zeros_like(swaps.gain)
    fit_gain = swaps.fit_gain if swaps.fit_gain is not None else np.zeros_like(swaps.gain)
    if resized is None:
        resized = np.zeros(swaps.gain.shape, bool)
    same_gain = np.where(resized, -np.inf, swaps.gain).astype(np.float32)
    resized_gain = np.where(resized, swaps.gain, -np.inf).astype(np.float32)
    for j in range(MAX_PHRASE_TOKENS):
        rows = np.flatnonzero(swaps.span_len > j)
        if rows.size == 0:
            break
        where = swaps.slot[rows] + j
        eligible[where] = True
        for out, values in zip(best, (same_gain, ctx_gain, fit_gain, resized_gain)):
            np.maximum.at(out, where, values[rows])
    gain, ctx, fit, resized_best = (np.where(np.isfinite(b), b, 0.0).astype(np.float32) for b in best)
    return eligible, gain, ctx, fit, resized_best


def _stack_columns(columns: list[np.ndarray], contiguous: bool = True) -> np.ndarray:
    """``np.column_stack(columns)`` as float64, in C order, or in Fortran order (a view, not
    copied) when ``contiguous`` is false.

    The columns are written as contiguous rows of a (features, n) buffer and
    transposed in one copy: writing each column straight into an (n, features)
    array touches a new cache line per element, three times slower for
    100,000 tokens and 31 features (17 ms against 5.5 ms). The token model
    reads its rows a block at a time (NeuralScorer.decision_function) and
    needs no copy: for a batch of 50,000 tokens the copy was 3-5 % of the
    time of scoring it.
    """
    rows = np.empty((len(columns), columns[0].shape[0]), np.float64)
    for j, column in enumerate(columns):
        rows[j] = column
    return np.ascontiguousarray(rows.T) if contiguous else rows.T


@dataclass
class TokenView:
    """Token-level features of a batch: one row per real token, in slot order."""

    slots: np.ndarray  # slot index of each row
    X: np.ndarray  # (n_tokens, len(TOKEN_FEATURE_NAMES)), in Fortran order (_stack_columns)
    eligible: np.ndarray  # per slot (full length), for paragraph features
    fit: np.ndarray  # per slot: cosine of the word's vector with its context
    has_vector: np.ndarray  # per slot


def token_features(
    batch: Batch,
    slots: SlotScores,
    swaps: Swaps,
    fit: np.ndarray,
    has_vector: np.ndarray,
    ref_tokens: float,
    resized: np.ndarray | None = None,
    *,
    clash: np.ndarray,
) -> TokenView:
    """Describe each token by what its neighbourhood looks like to the reference.

    ``resized`` (per swap) marks swaps that change the number of words, see
    :func:`best_swap_per_slot`; ``clash`` (per slot) is :func:`article_clash`.
    """
    n = batch.ids.shape[0]
    tok = np.flatnonzero(batch.is_token)
    pad = 2
    # The slots next to the tokens, gathered straight from the arrays when every token has both
    # (layout puts markers around each paragraph's tokens): a padded copy of the array for each of
    # 20 columns was a tenth of the cost of scoring one paragraph.
    near = {k: tok + k for k in (-1, 1)} if tok.size and tok[0] >= 1 and tok[-1] + 1 < n else {}

    def shifted(a: np.ndarray, k: int, fill=0) -> np.ndarray:
        if k in near:
            return a[near[k]]
        ext = np.concatenate([np.full(pad, fill, a.dtype), a, np.full(pad, fill, a.dtype)])
        return ext[tok + pad + k]

    eligible, gain, ctx, fit_gain, resized_gain = best_swap_per_slot(n, swaps, resized)
    log_n = math.log(max(ref_tokens, 1.0))
    assoc = slots.assoc
    uni = slots.uni_lp
    prev_uni = shifted(uni, -1)
    prev_is_token = shifted(batch.is_token, -1, False)
    next_is_token = shifted(batch.is_token, 1, False)
    exp_prev = np.where(prev_is_token, log_n + uni[tok] + prev_uni, 0.0)
    exp_next = np.where(next_is_token, log_n + uni[tok] + shifted(uni, 1), 0.0)
    neighbour_gain = np.maximum(shifted(gain, -1), shifted(gain, 1))
    prev_id = shifted(batch.ids, -1, BOS)
    capital_mid = batch.capital[tok] & (prev_id != BOS) & (prev_id != _PERIOD)
    X = _stack_columns(
        [
            uni[tok],
            assoc[tok],
            shifted(assoc, 1),
            shifted(assoc, 2),
            shifted(assoc, -1),
            np.minimum(assoc[tok], shifted(assoc, 1)),
            slots.tri_found[tok],
            slots.bi_found[tok],
            shifted(slots.tri_found, 1, False),
            shifted(slots.bi_found, 1, False),
            np.clip(exp_prev, -5.0, 15.0),
            np.clip(exp_next, -5.0, 15.0),
            slots.known[tok] & (uni[tok] > FREQUENT_LOGP),
            ~slots.known[tok],
            eligible[tok],
            np.clip(gain[tok], -20.0, 20.0),
            np.clip(ctx[tok], -20.0, 20.0),
            np.clip(neighbour_gain, -20.0, 20.0),
            fit[tok],
            has_vector[tok],
            fit_gain[tok],
            capital_mid,
            np.clip(shifted(ctx, -1), -20.0, 20.0),
            np.clip(shifted(ctx, 1), -20.0, 20.0),
            shifted(fit, -1),
            shifted(fit, 1),
            shifted(eligible, -1, False),
            shifted(eligible, 1, False),
            shifted(batch.capital, -1, False),
            shifted(batch.capital, 1, False),
            np.clip(resized_gain[tok], -20.0, 20.0),
            clash[tok],
        ],
        contiguous=False,
    )
    return TokenView(slots=tok, X=X, eligible=eligible, fit=fit, has_vector=has_vector)


def paragraph_features(
    batch: Batch, slots: SlotScores, tokens: TokenView, token_logit: np.ndarray, prior_logit: float, ref_tokens: float
) -> np.ndarray:
    """One row per paragraph (order of :data:`PARAGRAPH_FEATURE_NAMES`).

    ``token_logit`` is the token model's log-odds that each token was
    substituted; ``prior_logit`` the log-odds of its training base rate, so
    that ``token_logit - prior_logit`` is a likelihood ratio.
    """
    n_para = batch.lengths.size
    n_tok = batch.lengths.astype(np.float64)
    ids = batch.ids
    is_token = batch.is_token
    prev_known = _roll(slots.known, 1)
    prev_is_bos = _roll(ids, 1) == BOS
    known_tok = slots.known & is_token
    ctx_known = slots.target & slots.known & (prev_known | prev_is_bos)
    pair_known = is_token & slots.known & prev_known & _roll(is_token, 1)
    n_known = _per_para(batch, known_tok)
    n_ctx = _per_para(batch, ctx_known)
    n_pair = _per_para(batch, pair_known)
    log_n = math.log(max(ref_tokens, 1.0))
    expected_bi = log_n + slots.uni_lp + _roll(slots.uni_lp, 1)
    bi_unseen_exp = pair_known & ~slots.bi_found & (expected_bi > math.log(3.0))
    pmi = slots.bi_lp - slots.uni_lp
    seen_pair = pair_known & slots.bi_found
    frequent = slots.known & (slots.uni_lp > FREQUENT_LOGP)
    freq_pair = is_token & frequent & _roll(frequent, 1) & _roll(is_token, 1)

    para_tok = batch.para[tokens.slots]
    z = np.clip(token_logit, -30.0, 30.0)
    p = 1.0 / (1.0 + np.exp(-z))
    lr = np.exp(np.clip(z - prior_logit, -30.0, 30.0))
    sqrt_n = np.sqrt(np.maximum(n_tok, 1.0))

    def tok_sum(values: np.ndarray) -> np.ndarray:
        return np.bincount(para_tok, weights=values, minlength=n_para)

    llr = {share: tok_sum(np.log1p(share * (lr - 1.0))) for share in MIXTURE_SHARES}
    columns = [
        np.log1p(n_tok),
        1.0 - _rate(n_known, n_tok),
        _rate(_per_para(batch, known_tok, slots.uni_lp), n_known),
        _rate(_per_para(batch, ctx_known, slots.assoc), n_ctx),
        _rate(_per_para(batch, ctx_known & (slots.assoc < -2.0)), n_ctx),
        _rate(_per_para(batch, ctx_known & slots.tri_found), n_ctx),
        _rate(_per_para(batch, pair_known & slots.bi_found), n_pair),
        _rate(_per_para(batch, bi_unseen_exp), n_pair),
        _rate(_per_para(batch, seen_pair, pmi), _per_para(batch, seen_pair)),
        _rate(_per_para(batch, frequent & is_token), n_tok),
        _rate(_per_para(batch, freq_pair, slots.assoc), _per_para(batch, freq_pair)),
        _rate(_per_para(batch, freq_pair & ~slots.bi_found), _per_para(batch, freq_pair)),
        _rate(_per_para(batch, tokens.eligible & is_token), n_tok),
        _rate(_per_para(batch, batch.capital), n_tok),
        _rate(_per_para(batch, tokens.has_vector, tokens.fit), _per_para(batch, tokens.has_vector)),
        _rate(_per_para(batch, tokens.has_vector & (tokens.fit < 0.1)), _per_para(batch, tokens.has_vector)),
        _rate(tok_sum(p), n_tok),
        tok_sum(p) / sqrt_n,
        _rate(tok_sum((p > 0.5).astype(np.float64)), n_tok),
        _rate(tok_sum((p > 0.8).astype(np.float64)), n_tok),
        _rate(llr[0.03], n_tok),
        _rate(llr[0.1], n_tok),
        _rate(llr[0.25], n_tok),
        llr[0.1] / sqrt_n,
    ]
    return _stack_columns(columns)


@dataclass
class BatchFeatures:
    """Everything the model needs from one batch."""

    batch: Batch
    slots: SlotScores
    swaps: Swaps
    tokens: TokenView


class TokenScorer(Protocol):
    def decision_function(self, X: np.ndarray) -> np.ndarray: ...


def paragraph_rows(
    bf: BatchFeatures, token_scorer: TokenScorer, prior_logit: float, ref: Reference
) -> tuple[np.ndarray, np.ndarray]:
    """The paragraph model's input for a batch, and the token model's log-odds it was built from.

    The one path from token rows to paragraph rows, for scoring, training and
    evaluation alike: a copy that drifted would train the paragraph model on
    features that scoring does not compute.
    """
    token_logit = token_scorer.decision_function(bf.tokens.X)
    X = paragraph_features(bf.batch, bf.slots, bf.tokens, token_logit, prior_logit, ref.tokens)
    return X, token_logit


def batch_features(
    token_lists: Sequence[Sequence[str]],
    ref: Reference,
    lex: Lexicon,
    *,
    capitals: list[np.ndarray] | None = None,
    split: str = "all",
    ids: list[np.ndarray] | None = None,
) -> BatchFeatures:
    """Run stages 2-5 for tokenised paragraphs.

    ``split`` restricts the synonyms tried to one part of the lexicon, to
    simulate a spinner whose thesaurus differs from ours. ``ids`` are the
    paragraphs' token hashes when the caller has them (see :func:`layout`).
    """
    batch = layout(token_lists, capitals, ids)
    slots = score_slots(batch, ref)
    swaps = find_swaps(batch, slots, ref, lex, split=split)
    vc = vector_fit(batch, slots, ref)
    swaps.fit_gain = swap_fit_gain(batch, swaps, ref, lex, vc)
    resized = lex.phrase_len[swaps.phrase] != swaps.span_len
    clash = article_clash(batch, slots, ref)
    tokens = token_features(batch, slots, swaps, vc.fit, vc.has_vector, ref.tokens, resized, clash=clash)
    return BatchFeatures(batch, slots, swaps, tokens)


@dataclass
class VectorContext:
    """Word-vector view of a batch: each paragraph's topic and each content word's fit to it."""

    fit: np.ndarray  # per slot: cosine of a content word's vector with the rest of its paragraph
    has_vector: np.ndarray  # per slot: a content word with a vector (and a non-empty context)
    para_sums: np.ndarray  # (n_paragraphs, dim): sum of the paragraph's content-word vectors
    slot_vectors: np.ndarray  # (n_slots_with_vectors, dim) vectors of content slots
    slot_row: np.ndarray  # per slot: row in slot_vectors, or -1

    def context_of(self, batch: Batch, slots: np.ndarray) -> np.ndarray:
        """Unit context vectors for ``slots``: their paragraph's sum without themselves.

        Built a chunk of slots at a time, so that the subtraction and the
        normalisation work on a block still in the cache.
        """
        out = np.empty((slots.size, self.para_sums.shape[1]), np.float32)
        para = batch.para[slots]
        for lo in range(0, slots.size, FIT_CHUNK_ROWS):
            hi = lo + FIT_CHUNK_ROWS
            ctx = out[lo:hi]
            np.take(self.para_sums, para[lo:hi], axis=0, out=ctx)
            row = self.slot_row[slots[lo:hi]]
            own = np.flatnonzero(row >= 0)
            ctx[own] -= self.slot_vectors[row[own]]
            ctx /= np.maximum(np.linalg.norm(ctx, axis=1), 1e-6)[:, None]
        return out


def vector_fit(batch: Batch, slots: SlotScores, ref: Reference) -> VectorContext:
    """How well each content word fits the topic of its paragraph.

    Only content words (not the most frequent, function-like ones) carry a
    paragraph's topic, which is what a wrong-sense synonym breaks. Work is on
    the content words only: one lookup, one ``np.add.reduceat`` per batch.
    """
    n_slots = batch.ids.shape[0]
    n_para = batch.lengths.size
    dim = ref.vectors.matrix.shape[1]
    tok = np.flatnonzero(batch.is_token & slots.known & (slots.uni_lp <= FREQUENT_LOGP))
    found, vecs = ref.vectors.lookup_found(batch.ids[tok])
    tok = tok[found]
    para = batch.para[tok]
    counts = np.bincount(para, minlength=n_para)
    sums = np.zeros((n_para, dim), np.float32)
    if tok.size:
        nonempty = np.flatnonzero(counts)  # reduceat over paragraphs that have content words
        sums[nonempty] = np.add.reduceat(vecs, (np.cumsum(counts) - counts)[nonempty], axis=0)
    ctx = sums[para]
    ctx -= vecs
    norm = np.linalg.norm(ctx, axis=1)
    ok = norm > 1e-6
    fit = np.zeros(n_slots, np.float32)
    fit[tok[ok]] = np.einsum("ij,ij->i", vecs, ctx)[ok] / norm[ok]  # ok is nearly all: no masked copies
    has = np.zeros(n_slots, bool)
    has[tok[ok]] = True
    slot_row = np.full(n_slots, -1, np.int64)
    slot_row[tok] = np.arange(tok.size)
    return VectorContext(fit, has, sums, vecs, slot_row)


def swap_fit_gain(batch: Batch, swaps: Swaps, ref: Reference, lex: Lexicon, vc: VectorContext) -> np.ndarray:
    """How much better each candidate fits the paragraph's topic than the word it would replace;
    for a span of several words, whose own fit is not measured, the candidate's fit alone (as
    the shipped model was trained).

    Vectors are looked up once per distinct candidate and contexts built once
    per distinct slot: a slot has many candidates and a common candidate many
    slots, and the (rows, 3, dim) lookup was most of the cost.
    """
    n = swaps.slot.size
    if n == 0:
        return np.zeros(0, np.float32)
    phrases, phrase_of = _distinct(swaps.phrase, lex.phrase_len.shape[0])
    found, vecs = ref.vectors.lookup(lex.phrase_ids[phrases])  # (phrases, 3, dim)
    cand = vecs.sum(axis=1)
    norm = np.linalg.norm(cand, axis=1)
    has = (found.any(axis=1) & (norm > 1e-6))[phrase_of]
    slots, slot_of = _distinct(swaps.slot, batch.ids.shape[0])
    ctx = vc.context_of(batch, slots)
    # Row by row dot products, gathered a chunk at a time: two (rows, dim)
    # gathers of the whole batch are tens of MB that leave the cache before
    # einsum reads them back.
    cand_fit = np.empty(n, np.float32)
    for lo in range(0, n, FIT_CHUNK_ROWS):
        hi = lo + FIT_CHUNK_ROWS
        np.einsum("ij,ij->i", cand[phrase_of[lo:hi]], ctx[slot_of[lo:hi]], out=cand_fit[lo:hi])
    cand_fit /= np.maximum(norm, 1e-6)[phrase_of]
    single = swaps.span_len == 1
    gain = np.where(has & single, cand_fit - vc.fit[swaps.slot], np.where(has, cand_fit, 0.0))
    return gain.astype(np.float32)


def _distinct(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``values`` (non-negative ints below ``size``), and each one's position among them.

    Marking values in an array of ``size`` flags is linear, cheaper than the
    sort of ``np.unique`` for the batch sizes seen here.
    """
    seen = np.zeros(size, bool)
    seen[values] = True
    distinct = np.flatnonzero(seen)
    rank = np.empty(size, np.intp)
    rank[distinct] = np.arange(distinct.size)
    return distinct, rank[values]
