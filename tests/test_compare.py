"""Aligning a copy with its original (spincheck.compare), and the evidence measure over it."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from helpers import paragraphs_of

from spincheck.compare import (
    LONG_TOKENS,
    MIN_OVERLAP,
    PIECE_TOKENS,
    _best_matches,
    _fold,
    _increasing,
    _opcodes,
    align,
    find_swaps,
    word_overlap,
    words,
)
from spincheck.detector import Evidence
from spincheck.metrics import evidence_quality
from spincheck.text import tokenize

ORIGINAL = (
    "The top U.S. diplomat will hold talks on Tuesday with leaders of the five countries, "
    "officials said.\n\n"
    "Experts say the region is walking a tightrope between Moscow and Beijing.\n\n"
    "A third paragraph the copy leaves out entirely, about something else altogether.\n"
)
COPY = (
    "Consultants say the region is strolling a tightrope between Moscow and Beijing.\n\n"
    "Subscribe to our newsletter for more stories like this one every single day.\n\n"
    "The highest US diplomat will maintain talks on Tuesday with leaders of the 5 countries, "
    "officials stated.\n"
)


def test_swaps_are_the_replaced_words_and_house_style_is_not_one() -> None:
    original, copy = ORIGINAL.split("\n\n")[0], COPY.split("\n\n")[2]
    swaps = find_swaps(copy, original)
    assert [(s.original, s.replacement) for s in swaps] == [
        ("top", "highest"),
        ("hold", "maintain"),
        ("said", "stated"),
    ]
    for s in swaps:
        assert copy[s.start : s.end] == s.replacement
    assert not find_swaps(
        copy.replace("highest", "top").replace("maintain", "hold").replace("stated", "said"), original
    )
    # "U.S." -> "US" and "five" -> "5" are house style, not swaps; an inserted "on" is no swap either
    copy = "The highest US diplomat will maintain talks on Tuesday, consultants say, in 2023."
    original = "The top U.S. diplomat will hold talks Tuesday, experts say, in 2022."
    found = [(s.original, s.replacement) for s in find_swaps(copy, original)]
    assert found == [("top", "highest"), ("hold", "maintain"), ("experts", "consultants")]


def test_uk_and_us_spelling_is_house_style_not_a_swap() -> None:
    original = (
        "The city centre programme was organised by the council, which analysed the defence "
        "budget and travelled to the theatre in grey weather to see the catalogue of colours."
    )
    copy = (
        "The city center program was organized by the council, which analyzed the defense "
        "budget and traveled to the theater in gray weather to see the catalog of colors."
    )
    assert find_swaps(copy, original) == []
    (match,) = align(original, copy).paragraphs
    assert match.label == 0  # taken unchanged: no spinning to learn from
    # short stems too (a guard of three letters left "metres" a swap of "meters")
    short = "Cables of fibre, a metre or four hundred metres long, two litres and a gramme of it."
    assert find_swaps(short, short.replace("fibre", "fiber").replace("metre", "meter").replace("litre", "liter")
                      .replace("gramme", "gram")) == []  # fmt: skip
    # words written apart in one house style and together in another
    assert find_swaps("Prices rose 3.5 percent, and not any more.", "Prices rose 3.5 per cent, and not anymore.") == []
    # and aligned as the same words: every token of the copy, over the original's nine; alone, they are shared
    (match,) = align("The rate rose 5 per cent in March.", "The rate rose 5 percent in March.").paragraphs
    assert match.overlap == round(8 / 9, 4)
    (match,) = align("Per cent.", "Percent.").paragraphs
    assert (match.original_index, match.label) == (0, 0)
    # a real swap among them is still one
    swapped = copy.replace("council", "assembly")
    assert [(r.original, r.replacement) for r in find_swaps(swapped, original)] == [("council", "assembly")]


def test_long_word_for_word_runs_and_four_word_paraphrases_are_swaps() -> None:
    """A spinner swaps word for word however many neighbours it swaps, and writes generic
    paraphrases of up to four words ("as a result of" for "because")."""
    original = "Officials said the quick brown fox jumped over the fence because it was late in the day."
    copy = "Officials said the fast tan animal leapt over the fence as a result of it was late in the day."
    swaps = [(r.original, r.replacement) for r in find_swaps(copy, original)]
    assert swaps == [
        ("quick", "fast"),
        ("brown", "tan"),
        ("fox", "animal"),
        ("jumped", "leapt"),
        ("because", "as a result of"),
    ]
    assert align(original, copy).paragraphs[0].label == 1


def test_a_long_paragraph_is_aligned_between_anchors(make_spinner) -> None:
    """difflib is quadratic in a paragraph's length (a megabyte on one line ran for minutes);
    past LONG_TOKENS the tokens found once in each side anchor the alignment."""
    speeches = Path(__file__).resolve().parents[1] / "corpus" / "heldout_clean_speeches.jsonl"
    paragraphs = [json.loads(line)["text"] for line in speeches.read_text(encoding="utf-8").splitlines()[:25]]
    rng = np.random.default_rng(3)
    spinner = make_spinner(paragraphs)
    pairs = [(p, spinner.spin(p, rng, rate=0.3)) for p in paragraphs]
    original = " ".join(p for p, _ in pairs)
    copy = " ".join(spun.text for _, spun in pairs)
    assert len(tokenize(copy)) > LONG_TOKENS
    swaps = find_swaps(copy, original)
    replaced = sum(len(spun.replacements) for _, spun in pairs)
    assert replaced > 100 and len(swaps) >= 0.98 * replaced  # 247 of 250
    assert all(copy[r.start : r.end] == r.replacement for r in swaps)


@pytest.mark.parametrize("a, b", [(["x", "y"] * 3000, ["y", "x"] * 2900), (["a"] * 5000, ["b"] * 4000)])
def test_long_alignment_without_anchors_still_tiles_both_sides(a: list[str], b: list[str]) -> None:
    i = j = 0
    for _, i1, i2, j1, j2 in _opcodes(a, b):
        assert (i1, j1) == (i, j)
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))


def test_a_long_repeated_text_without_anchors_is_aligned_in_short_pieces(monkeypatch) -> None:
    """difflib's time on repetitive text grows with the cube of the span's length: a megabyte of
    one sentence repeated on one line, a word swapped in each, took 182 s in pieces of LONG_TOKENS
    and 3.5 s in pieces of PIECE_TOKENS. Every swap is still found."""
    import difflib

    sentence = "The market rose again today as traders bought shares of the company. "
    original = sentence * 400  # 5,200 tokens, not one found once
    copy = original.replace("bought", "purchased")
    diffed = []
    sequence_matcher = difflib.SequenceMatcher

    def recording(isjunk, a, b, autojunk):
        diffed.append(max(len(a), len(b)))
        return sequence_matcher(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", recording)
    swaps = find_swaps(copy, original)
    assert [(r.original, r.replacement) for r in swaps] == [("bought", "purchased")] * 400
    assert len(diffed) > 1 and max(diffed) <= PIECE_TOKENS


def test_an_anchorless_span_is_always_cut_in_two_or_more_pieces(monkeypatch) -> None:
    """A span made one piece was pushed back as it was, for ever: pieces longer than LONG_TOKENS
    did it. Cut in two at least, it ends, every token of both sides aligned once."""
    import spincheck.compare as compare

    monkeypatch.setattr(compare, "PIECE_TOKENS", 10 * LONG_TOKENS)
    a = ("the cat sat on the mat " * 400).split()  # 2,400 tokens, none found once
    b = [*a[:100], "dog", *a[101:]]
    ops = compare._opcodes(a, b)
    assert sum(i2 - i1 for _, i1, i2, _, _ in ops) == len(a) and sum(j2 - j1 for *_, j1, j2 in ops) == len(b)


def test_long_alignment_of_a_text_where_each_gap_yields_one_anchor_does_not_recurse() -> None:
    """Each token twice, overlapping ("b a c b d c ..."): every gap between anchors holds one
    more anchor, which made the recursive version raise RecursionError at about 6,000 tokens."""
    words = [f"w{k}" for k in range(4000)]
    original = [words[1], "zzz"] + [w for k in range(2, len(words)) for w in (words[k], words[k - 1])]
    copy = [*original, "and", "a", "few", "more"]
    assert len(original) > 6000
    ops = _opcodes(copy, original)
    i = j = 0
    for _, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (i, j)
        i, j = i2, j2
    assert (i, j) == (len(copy), len(original))
    assert sum(i2 - i1 for op, i1, i2, _, _ in ops if op == "equal") == len(original)


def test_house_style_folds_spelling_variants_only() -> None:
    """Doubled l and -our are folded where they are UK spellings, not where two words differ."""
    variants = [
        ("travelled", "traveled"),
        ("jewellery", "jewelry"),
        ("favourite", "favorite"),
        ("neighbours", "neighbors"),
    ]
    variants += [("fulfilment", "fulfillment"), ("enrol", "enroll"), ("skilful", "skillful"), ("odour", "odor")]
    # syllables that meet at a vowel pair: these were swaps in a US copy of British news
    variants += [("fuelled", "fueled"), ("refuelling", "refueling"), ("equalled", "equaled")]
    variants += [("dialling", "dialing"), ("trialled", "trialed"), ("gruelling", "grueling")]
    assert all(_fold(uk) == _fold(us) for uk, us in variants)
    words = [("filled", "filed"), ("tilled", "tiled"), ("willing", "wiling")] + [
        ("fourth", "forth"),
        ("our", "or"),
        ("pouring", "poring"),
        ("mourning", "morning"),
        ("gravelly", "gravely"),
    ]
    assert all(_fold(one) != _fold(other) for one, other in words)


def test_increasing_run() -> None:
    assert _increasing([(0, 3), (1, 1), (2, 2), (3, 0), (4, 4)]) == [(1, 1), (2, 2), (4, 4)]
    assert _increasing([]) == []


def test_align_matches_reordered_paragraphs_and_labels_them() -> None:
    alignment = align(ORIGINAL, COPY)
    moved, added, diplomat = alignment.paragraphs
    assert (moved.original_index, moved.label) == (1, 1)
    assert [(s.original, s.replacement) for s in moved.swaps] == [("Experts", "Consultants"), ("walking", "strolling")]
    assert (added.original_index, added.label, added.swaps) == (None, None, ())
    assert added.overlap < MIN_OVERLAP
    assert (diplomat.original_index, diplomat.label) == (0, 1)
    assert alignment.original_paragraphs == 3 and alignment.left_out == (2,)
    for m in alignment.paragraphs:  # offsets into the copy
        assert COPY[m.start : m.end] == m.text
    unchanged = align(ORIGINAL, ORIGINAL.replace("U.S.", "US")).paragraphs
    assert [m.label for m in unchanged] == [0, 0, 0]


def test_numbers_are_house_style_and_long_word_for_word_runs_are_swaps() -> None:
    """A run of any length swapped word for word is a spinner's (a guard on length alone missed
    it), and digits for number words are house style, alone or inside a run."""
    original = "In the end the reliable partner rapidly built strong houses for the families of the town."
    copy = "In the end the dependable associate quickly constructed sturdy homes for the families of the town."
    assert [(r.original, r.replacement) for r in find_swaps(copy, original)] == [
        ("reliable", "dependable"),
        ("partner", "associate"),
        ("rapidly", "quickly"),
        ("built", "constructed"),
        ("strong", "sturdy"),
        ("houses", "homes"),
    ]
    assert find_swaps("Prices rose 5% this year.", "Prices rose five per cent this year.") == []
    # words for a number over a run of another length are house style too, whichever side has the digits
    assert find_swaps("They sold a dozen cars.", "They sold 12 cars.") == []
    assert find_swaps("They sold 12 cars.", "They sold a dozen cars.") == []
    found = find_swaps("The team won 3 games in March.", "The team took three games in March.")
    assert [(r.original, r.replacement) for r in found] == [("took", "won")]


def test_a_paragraph_is_taken_from_the_original_at_half_its_tokens_aligned_and_not_below() -> None:
    """The overlap is over the longer paragraph: a fragment of a long one is not 'taken' from it
    (over its own length it was 100 % aligned), and its words are not listed as swaps."""
    head = "The mayor opened the new bridge across the river on Monday"
    rest = " to loud cheers from a large crowd of residents and their children"
    assert len(tokenize(rest)) == len(tokenize(head)) + 1  # the copy's full stop: 12 tokens of 24
    (half,) = align(head + rest + ".", head + ".").paragraphs
    assert (half.original_index, half.overlap) == (0, 0.5)
    (fragment,) = align(
        head + rest + " and of the council, who had waited for it for ten years.", "The mayor opened the bridge."
    ).paragraphs
    assert fragment.overlap < MIN_OVERLAP and (fragment.original_index, fragment.label, fragment.swaps) == (
        None,
        None,
        (),
    )
    # aligned in part, swaps and all, but under the bar: not taken, so no swaps are listed for it
    partly = "The mayor opened a new road across the valley."
    assert len(find_swaps(partly, head + rest + ".")) == 2
    (untaken,) = align(head + rest + ".", partly).paragraphs
    assert untaken.original_index is None and untaken.swaps == ()


def test_a_copy_paragraph_is_not_aligned_with_one_over_twice_its_length(monkeypatch) -> None:
    """Such a paragraph cannot have half its tokens aligned, whatever the alignment says: an
    original without paragraph breaks was aligned in full with every paragraph of the copy, time
    that grew with the product of their lengths (two 200 KB files took 20 s, two of 5 MB hours)."""
    from spincheck import compare

    article = [p.strip() for p in paragraphs_of(ORIGINAL)]
    one_line = " ".join(article[:2] * 10)  # the original's text without its paragraph breaks
    original = one_line + "\n\n" + article[2] + "\n"
    aligned = []
    diff = compare._diff

    def spy(copy: str, source: str):
        aligned.append((len(tokenize(copy)), len(tokenize(source))))
        return diff(copy, source)

    monkeypatch.setattr(compare, "_diff", spy)
    matches = align(original, "\n\n".join([*paragraphs_of(COPY), article[2]])).paragraphs
    assert [(m.original_index, m.label) for m in matches] == [(None, None)] * 3 + [(1, 0)]
    assert aligned and all(source <= copy / MIN_OVERLAP for copy, source in aligned)


def test_short_paragraphs_without_a_word_in_common_are_not_matched() -> None:
    """A same-length run of up to four words counted as aligned with no word shared: "Source
    link" was 100 % aligned with "Read more" and labelled reworded."""
    original = "Read more\n\nThe council voted on Tuesday night to replace the old harbor bridge.\n"
    copy = "Source link\n\nThe council voted on Tuesday night to replace the old harbour bridge.\n"
    footer, body = align(original, copy).paragraphs
    assert (footer.original_index, footer.label, footer.overlap) == (None, None, 0.0)
    assert (body.original_index, body.label) == (1, 0)
    # a full stop or a colon in common is no word in common
    for read, source in (("Read more.", "Source link."), ("Photo: Reuters", "Credit: AP")):
        (match,) = align(read, source).paragraphs
        assert (match.original_index, match.overlap) == (None, 0.0), source


def test_a_paragraph_without_tokens_is_taken_unchanged_from_the_same_one_and_only_that() -> None:
    """The tokenizer drops web addresses: a bare link (seed 000 ends with one) was "not from the
    original" when a file was compared with itself, and its paragraph "not in the copy"."""
    link = "<https://www.example.com/2023/02/28/blinken-eyes-us-inroads-a80359>"
    original = f"The council voted on Tuesday night to replace the old harbor bridge.\n\n* * *\n\n{link}\n"
    alignment = align(original, original.replace("\n\n* * *", "\n\n*  *  *"))
    matched = [(m.original_index, m.label, m.overlap) for m in alignment.paragraphs]
    assert matched == [(0, 0, 1.0), (1, 0, 1.0), (2, 0, 1.0)]
    assert alignment.left_out == ()
    other = align(original, f"{link.replace('2023', '2024')}\n\n* * *\n").paragraphs
    assert [(m.original_index, m.label, m.overlap) for m in other] == [(None, None, 0.0), (1, 0, 1.0)]


def test_a_paragraph_the_original_repeats_is_matched_with_each_of_its_places() -> None:
    """Seed 001 has "Advertisement" twice: its copy's second one was matched with the first too,
    and compare named paragraph 27 "not in the copy", which holds it. So for "* * *"."""
    body = "The council voted on Tuesday night to replace the old harbor bridge."
    original = f"Advertisement\n\n{body}\n\n* * *\n\nIt will cost about 48 million dollars.\n\n* * *\n\nAdvertisement\n"
    alignment = align(original, original)
    assert [m.original_index for m in alignment.paragraphs] == [0, 1, 2, 3, 4, 5]
    assert alignment.left_out == ()
    # a copy that has it once still takes it from the first, and leaves the other out
    once = align(original, f"Advertisement\n\n{body}\n")
    assert [m.original_index for m in once.paragraphs] == [0, 1] and once.left_out == (2, 3, 4, 5)


def test_best_matches_equal_comparing_every_pair() -> None:
    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(30)]
    original = [list(rng.choice(vocabulary, size=rng.integers(1, 40))) for _ in range(25)]
    copy = [list(rng.choice(vocabulary, size=rng.integers(1, 40))) for _ in range(25)] + [[]]
    for ws, (order, overlap) in zip(copy, _best_matches(copy, original, top=3)):
        brute = [word_overlap(ws, o) for o in original]
        assert overlap == pytest.approx(max(brute)) and len(order) == 3
        assert [brute[j] for j in order] == pytest.approx(sorted(brute, reverse=True)[:3])
    assert _best_matches([["a"]], []) == [([], 0.0)]


def _best_matches_of_every_pair(copy: list[list[str]], original: list[list[str]], top: int, longest: int) -> list:
    """_best_matches as it was, one vector over every original paragraph for each copy paragraph."""
    index: dict[str, dict[int, int]] = {}
    for j, ws in enumerate(original):
        for w in ws:
            index.setdefault(w, {}).setdefault(j, 0)
            index[w][j] += 1
    lengths = np.array([len(ws) for ws in original], dtype=np.float64)
    out = []
    for ws in copy:
        shared = np.zeros(len(original))
        for w, c in Counter(ws).items():
            if len(index.get(w, ())) <= longest:
                for j, n in index.get(w, {}).items():
                    shared[j] += min(n, c)
        overlap = shared / np.maximum(np.maximum(lengths, len(ws)), 1)
        order = np.argsort(-overlap, kind="stable")[:top].tolist()
        out.append((order, float(overlap[order[0]]) if order else 0.0))
    return out


@pytest.mark.parametrize("n_original", [1, 2, 5, 300])
def test_best_matches_rank_as_a_sort_of_every_paragraph_does(n_original: int) -> None:
    """Ties in the original's order, and paragraphs sharing no word after the others, first ones
    first (as when a copy paragraph shares a word with fewer than ``top`` of them)."""
    rng = np.random.default_rng(n_original)
    vocabulary = [f"w{i}" for i in range(400)]
    original = [list(rng.choice(vocabulary, size=rng.integers(1, 12))) for _ in range(n_original)]
    copy = [list(rng.choice(vocabulary, size=rng.integers(0, 12))) for _ in range(60)] + original[:5]
    for every_word in (False, True):
        longest = n_original if every_word else max(200, n_original // 20)
        expected = _best_matches_of_every_pair(copy, original, 3, longest)
        assert _best_matches(copy, original, top=3, every_word=every_word) == expected


def test_best_matches_take_time_linear_in_the_paragraphs() -> None:
    """A vector over every original paragraph for each copy paragraph made two documents of 32,000
    short paragraphs take 46 s to compare, and 16,000 lines of "word" in both 4 s."""
    numbered = [["he", "said", f"n{i}"] for i in range(20_000)]
    same = [["word"]] * 40_000
    started = time.perf_counter()
    assert _best_matches(numbered, numbered, top=3)[7] == ([7, 0, 1], 1 / 3)
    assert _best_matches(same, same, top=3, every_word=True)[-1] == ([0, 1, 2], 1.0)
    assert time.perf_counter() - started < 2.5


def test_best_matches_hold_little_for_the_paragraphs_they_have_seen() -> None:
    """Copy paragraphs with the same words, in any order, share their answer; keyed by a frozenset
    of (word, count) pairs, the search held ten times the memory of the words (29 MB here, 31 MB
    of its 48 MB for a 2 MB copy). Sorted words are the same key at a tenth of it."""
    import tracemalloc

    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(20_000)]
    original = [[vocabulary[k] for k in row] for row in rng.integers(0, 20_000, size=(100, 60)).tolist()]
    copy = [[vocabulary[k] for k in row] for row in rng.integers(0, 20_000, size=(2_000, 100)).tolist()]
    copy += [list(reversed(ws)) for ws in original[:3] + copy[:3]]  # the same words, another order
    tracemalloc.start()
    try:
        found = _best_matches(copy, original, top=3)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 << 20
    assert found[-3:] == found[:3]
    assert [(order[0], overlap) for order, overlap in found[-6:-3]] == [(0, 1.0), (1, 1.0), (2, 1.0)]


def test_a_heavily_spun_paragraph_is_still_matched(article: str, make_spinner) -> None:
    """Spun at nine in ten swappable phrases, a paragraph shares few words with its source,
    but keeps its order and length: it is matched by alignment, not by shared words."""
    paragraphs = paragraphs_of(article)
    spinner = make_spinner(paragraphs)
    rng = np.random.default_rng(0)
    spun = [spinner.spin(p, rng, rate=0.9).text for p in paragraphs]
    shared = [word_overlap(words(s), words(p)) for s, p in zip(spun, paragraphs)]
    assert min(shared) < MIN_OVERLAP  # matching by shared words would lose these
    alignment = align("\n\n".join(paragraphs), "\n\n".join(reversed(spun)))
    assert [m.original_index for m in alignment.paragraphs] == list(reversed(range(len(paragraphs))))
    assert all(m.overlap >= MIN_OVERLAP and m.label == 1 for m in alignment.paragraphs)


def test_spinner_replacements_are_found_again(article: str, make_spinner) -> None:
    """Word-for-word swaps made by our own spinner are exactly what the alignment finds."""
    paragraphs = paragraphs_of(article)
    spinner = make_spinner(paragraphs)
    rng = np.random.default_rng(3)
    checked = 0
    for p in paragraphs:
        spun = spinner.spin(p, rng, rate=0.3)
        one_word = all(len(words(r.original)) == len(words(r.replacement)) == 1 for r in spun.replacements)
        if not spun.replacements or not one_word:
            continue
        expected = [(r.start, r.end, r.original, r.replacement) for r in spun.replacements]
        # exact: a swap that equals a neighbouring original word could shift the diff, and none does here
        found = [(s.start, s.end, s.original, s.replacement) for s in find_swaps(spun.text, p)]
        assert found == expected
        checked += 1
    assert checked >= 3


def _evidence(start: int, end: int, suggestion: str | None) -> Evidence:
    return Evidence("x", start, end, suggestion, 0.9)


def test_evidence_quality_counts_coverage_suggestions_and_precision() -> None:
    swaps = [[(0, 5, "top"), (10, 15, "hold")], [(3, 8, "said")]]
    evidence = [
        [_evidence(0, 5, "TOP"), _evidence(20, 25, None)],  # right (case-insensitive); one span on no swap
        [_evidence(5, 12, "told")],  # overlaps the swap; wrong suggestion
    ]
    q = evidence_quality(swaps, evidence)
    assert q == {
        "replaced": 3,
        "covered_share": pytest.approx(2 / 3, abs=1e-4),
        "suggestion_right_share": 0.5,
        "evidence_spans": 3,
        "span_precision": pytest.approx(2 / 3, abs=1e-4),
    }
    assert evidence_quality([], []) == {
        "replaced": 0,
        "covered_share": None,
        "suggestion_right_share": None,
        "evidence_spans": 0,
        "span_precision": None,
    }


def test_evidence_quality_takes_what_align_gives(detector) -> None:
    """align()'s Replacement objects, passed as docs/library.md shows, raised "cannot unpack
    non-iterable Replacement object"; only the command line's own tuples worked."""
    examples = Path(__file__).resolve().parents[1] / "examples"
    original, copy = (examples / "clean.txt").read_text(), (examples / "spun.txt").read_text()
    alignment = align(original, copy)
    evidence = [p.result.evidence for p in detector.score_text(copy).paragraphs]
    swaps = [m.swaps for m in alignment.paragraphs]
    as_tuples = [[(x.start, x.end, x.original, x.replacement) for x in s] for s in swaps]
    q = evidence_quality(swaps, evidence)
    assert q == evidence_quality(as_tuples, evidence) and q["replaced"] > 20 and q["covered_share"] > 0.3
    with pytest.raises(ValueError, match="paragraphs of replacements but"):  # zip dropped a tail in silence
        evidence_quality(swaps, evidence[:-1])


def test_evidence_quality_says_what_to_pass(detector) -> None:
    """None was "object of type 'NoneType' has no len()", a Result for its evidence "'Result' object
    is not iterable", one paragraph's evidence unwrapped "'str' object has no attribute 'start'"."""
    result = detector.score_paragraphs([(Path(__file__).resolve().parents[1] / "examples" / "spun.txt").read_text()])[0]
    assert result.evidence  # a spun text, flagged: its evidence is there to pass wrongly
    swaps = [[(0, 5, "top")]]
    for replacements, evidence, message in [
        (None, [[]], "takes replacements as a list with one list per paragraph, not NoneType"),
        (swaps, "top", "takes evidence as a list with one list per paragraph, not str"),
        (swaps, [result], "evidence 0 is Result, not the list of a paragraph's Evidence (pass its .evidence)"),
        (swaps, result.evidence, "evidence 0 is Evidence, not the list of a paragraph's Evidence (pass one list"),
        (swaps, [None], "evidence 0 is NoneType, not the list of a paragraph's Evidence (pass a list of Evidence)"),
        (
            align("A text.", "A text.").paragraphs,
            [[]],
            "replacements 0 is ParagraphMatch, not the list of a paragraph's swaps (pass its .swaps)",
        ),
    ]:
        with pytest.raises(TypeError, match=re.escape(message)):
            evidence_quality(replacements, evidence)
    assert evidence_quality(swaps, [result.evidence])["evidence_spans"] == len(result.evidence)


def test_evidence_quality_takes_numpy_columns(detector) -> None:
    """A frame's columns (numpy object arrays, pandas Series) were taken until the type check
    (30016a2) asked for a Sequence: they are lists of paragraphs all the same."""
    copy = (Path(__file__).resolve().parents[1] / "examples" / "spun.txt").read_text()
    evidence = [r.evidence for r in detector.score_paragraphs([copy], explain=True)]
    swaps = [[(e.start, e.end, e.suggestion or "x") for e in evidence[0][:2]]]
    expected = evidence_quality(swaps, evidence)
    swap_column, evidence_column = np.empty(1, dtype=object), np.empty(1, dtype=object)
    swap_column[0], evidence_column[0] = swaps[0], evidence[0]
    assert expected["replaced"] == 2 and expected["covered_share"] == 1.0
    assert evidence_quality(swap_column, evidence_column) == expected


def test_evidence_quality_takes_the_strongest_span_and_needs_an_overlap() -> None:
    """The strongest of two spans on one swap is the one whose suggestion counts, and a span that
    only touches a swap (ends where it starts) does not cover it."""
    strong, weak = Evidence("x", 0, 5, "top", 0.9), Evidence("x", 3, 9, "high", 0.5)
    q = evidence_quality([[(0, 5, "top")]], [[strong, weak]])
    assert (q["covered_share"], q["suggestion_right_share"]) == (1.0, 1.0)
    touching = evidence_quality([[(5, 9, "hold")]], [[_evidence(0, 5, "hold"), _evidence(9, 12, "hold")]])
    assert (touching["covered_share"], touching["span_precision"]) == (0.0, 0.0)


def test_a_swap_whose_strongest_span_suggests_nothing_is_covered_but_not_judged() -> None:
    """Only the strongest span's suggestion is what the reader sees: a weaker span's right one does
    not stand in for it, so the swap counts as covered, with no suggestion to be right or wrong."""
    silent, weak = Evidence("x", 0, 5, None, 0.9), Evidence("x", 3, 9, "top", 0.5)
    q = evidence_quality([[(0, 5, "top")]], [[silent, weak]])
    assert (q["covered_share"], q["suggestion_right_share"]) == (1.0, None)


def test_the_original_wording_of_a_span_needs_its_swaps_inside_it_and_its_phrase() -> None:
    """A span's suggestion is held against the original's wording over it only when every swap it
    touches lies inside it, and when its phrase is the span's text (as long as the span)."""
    copy = "a big kind of rest"
    kind_of, big_kind = copy.index("kind of"), copy.index("big kind")
    swaps = [(kind_of, kind_of + 7, "sort of")]  # one phrase swapped for another, past the span's end
    span = Evidence("big kind", big_kind, big_kind + 8, "big sort of", 0.9)
    assert evidence_quality([swaps], [[span]])["suggestion_right_share"] == 0.0
    inside = [(kind_of, kind_of + 4, "sort")]  # the same span over a swap it holds: its wording is right
    assert evidence_quality([inside], [[span._replace(suggestion="big sort")]])["suggestion_right_share"] == 1.0
    unlike = span._replace(phrase="big kind ", suggestion="big sort")  # a phrase that is not the span's text
    assert evidence_quality([inside], [[unlike]])["suggestion_right_share"] == 0.0


def test_a_suggestion_is_right_for_an_original_wrapped_across_lines() -> None:
    """A hard-wrapped original gives a swap's original as written, line break and all; the
    suggestion "police officers" for it was counted wrong against "police\\nofficers"."""
    original = (
        "Late on Tuesday evening two plain-clothes police\nofficers came to the door of the old house on the hill,\n"
        "and they asked the family a few questions about the fire."
    )
    copy = " ".join(original.replace("police\nofficers", "cops").split())
    (match,) = align(original, copy).paragraphs
    assert [(s.original, s.replacement) for s in match.swaps] == [("police\nofficers", "cops")]
    cops = copy.index("cops")
    q = evidence_quality([match.swaps], [[_evidence(cops, cops + 4, "Police officers")]])
    assert (q["covered_share"], q["suggestion_right_share"]) == (1.0, 1.0)


def test_a_suggestion_is_compared_with_the_original_word_for_word() -> None:
    """Whatever spacing lies between the original's words is one space (a Windows file's line
    break, an indented continuation line, a tab), but words written together are another word."""
    for original in ("police\r\nofficers", "police\n    officers", "police\tofficers", " Police  officers "):
        q = evidence_quality([[(0, 4, original)]], [[_evidence(0, 4, "police officers")]])
        assert q["suggestion_right_share"] == 1.0, repr(original)
    q = evidence_quality([[(0, 8, "everyday")]], [[_evidence(0, 8, "every day")]])
    assert (q["covered_share"], q["suggestion_right_share"]) == (1.0, 0.0)


def test_swaps_never_overlap_and_stay_inside_the_copy() -> None:
    pairs = itertools.product(ORIGINAL.split("\n\n"), COPY.split("\n\n"))
    for original, copy in pairs:
        swaps = find_swaps(copy, original)
        for a, b in itertools.pairwise(swaps):
            assert a.end <= b.start
        assert all(0 <= s.start < s.end <= len(copy) for s in swaps)


def test_digits_and_contractions_are_house_style_in_either_direction() -> None:
    """Inside a run swapped word for word, a number word in the copy for the original's digits (or
    "not" for its "n't") was listed as a swap, though the other way round it was not."""
    found = find_swaps("The team won three games in March.", "The team took 3 games in March.")
    assert [(r.original, r.replacement) for r in found] == [("took", "won")]
    found = find_swaps("They were not able to come.", "They weren't capable to come.")
    assert [(r.original, r.replacement) for r in found] == [("capable", "able")]


def test_a_contraction_is_house_style_whatever_its_stem() -> None:
    """ "didn't" for "did not" was house style, but "won't" for "will not" was listed as "wo" swapped
    for "will" (and "will not" for "won't" as two swaps), "can't" for "cannot" as a swap."""
    for copy, original in [
        ("They won't come today.", "They will not come today."),
        ("They will not come today.", "They won't come today."),
        ("They can't come today.", "They cannot come today."),
        ("They can't come today.", "They can not come today."),
        ("They shan't come today.", "They shall not come today."),
        ("They didn't come today.", "They did not come today."),
    ]:
        assert find_swaps(copy, original) == [], (copy, original)
    found = find_swaps("They won't arrive today.", "They will not come today.")
    assert [(r.original, r.replacement) for r in found] == [("come", "arrive")]
    assert words("They won't come.") == words("They will not come.")


def test_a_swap_leaves_out_the_full_stops_and_commas_at_its_edges() -> None:
    """ "But" for "However," was listed as a phrase swap with the comma in its original, so that the
    suggestion "however" was judged wrong; the reverse had the comma in its replacement."""
    found = find_swaps("But he stated that it was fine.", "However, he said that it was fine.")
    assert [(r.original, r.replacement) for r in found] == [("However", "But"), ("said", "stated")]
    copy = "However, he stated that it was fine."
    found = find_swaps(copy, "But he said that it was fine.")
    assert [(r.original, r.replacement) for r in found] == [("But", "However"), ("said", "stated")]
    assert all(copy[r.start : r.end] == r.replacement for r in found)
    # a full stop or comma added or dropped alone is still no swap
    assert find_swaps("He stayed, and she left.", "He stayed and she left.") == []


def test_a_suggestion_is_right_whatever_the_apostrophe() -> None:
    """The lexicon writes "bachelor's degree" with a straight apostrophe, news text with a curly
    one; the right suggestion was judged wrong."""
    for original in ("bachelor\u2019s degree", "Bachelor\u2018s degree", "bachelor's degree"):
        q = evidence_quality([[(0, 17, original)]], [[_evidence(0, 17, "bachelor's degree")]])
        assert q["suggestion_right_share"] == 1.0, repr(original)
    q = evidence_quality([[(0, 17, "bachelors degree")]], [[_evidence(0, 17, "bachelor's degree")]])
    assert q["suggestion_right_share"] == 0.0


def test_a_span_over_words_swapped_one_by_one_is_right_when_it_suggests_the_original_wording() -> None:
    """Spans of equal length count word by word, so "in addition to" for "as well as" is three swaps;
    a span "in addition to" that suggests "as well as" was counted wrong three times, each word's
    original ("as", "well", "as") not being the whole suggestion. So were "after which" -> "and then"
    and "kind of" -> "sort of" (a span wider than its swap), as on the seed copy."""
    original = "They will talk as well as eat, and then they sort of rest."
    copy = "They will talk in addition to eat, after which they kind of rest."
    (match,) = align(original, copy).paragraphs
    assert [(s.original, s.replacement) for s in match.swaps] == [
        ("as", "in"),
        ("well", "addition"),
        ("as", "to"),
        ("and", "after"),
        ("then", "which"),
        ("sort", "kind"),
    ]

    def span(phrase: str, suggestion: str) -> Evidence:
        start = copy.index(phrase)
        return Evidence(phrase, start, start + len(phrase), suggestion, 0.9)

    evidence = [span("in addition to", "as well as"), span("after which", "and then"), span("kind of", "sort of")]
    q = evidence_quality([match.swaps], [evidence])
    assert (q["covered_share"], q["suggestion_right_share"]) == (1.0, 1.0)
    evidence = [span("in addition to", "as well"), span("after which", "and so"), span("kind of", "sort")]
    q = evidence_quality([match.swaps], [evidence])  # "sort" is still the swapped word's original
    assert (q["covered_share"], q["suggestion_right_share"]) == (1.0, pytest.approx(1 / 6, abs=1e-4))


def test_a_phrase_repeated_in_the_next_sentence_does_not_cross_the_alignment() -> None:
    """difflib matched the copy's "rate of 10 percent." with the original's first "rate of 18
    percent." (numbers read alike), the longest block, so the sentence between was one deletion and
    one insertion: four swaps lost, and the paragraph 'taken unchanged' at half its tokens aligned."""
    original = (
        "Wholesale prices have gone up at an annual rate of 18 percent. "
        "Retail prices have gone up at an annual rate of 10 percent."
    )
    copy = (
        "Wholesale prices have gone up at an annual place of 18 percent. "
        "Sell prices have ran up at an yearly rate of 10 percent."
    )
    found = find_swaps(copy, original)
    assert [(r.original, r.replacement) for r in found] == [
        ("rate", "place"),
        ("Retail", "Sell"),
        ("gone", "ran"),
        ("annual", "yearly"),
    ]
    (match,) = align(original, copy).paragraphs
    assert match.label == 1 and match.overlap == 1.0


def test_an_acronym_with_full_stops_is_a_word_as_it_is_without() -> None:
    """ "US" for "American" or "United States" was listed as a swap, "U.S." for either was not (its
    full stops failed the word test, though it folds to "US"): a copy written in that house style
    lost those swaps, and a paragraph with no other was labelled taken unchanged."""
    original = "The American economy grew in the first quarter, the United States said."
    for us in ("US", "U.S."):
        copy = f"The {us} economy grew in the first quarter, the {us} said."
        found = find_swaps(copy, original)
        # "United States" as its initials is house style (see the test below)
        assert [(r.original, r.replacement) for r in found] == [("American", us)], us
        assert all(copy[r.start : r.end] == r.replacement for r in found)
        assert align(original, copy).paragraphs[0].label == 1
    assert find_swaps("The U.S. economy grew.", "The US economy grew.") == []  # house style still


def test_initials_for_the_capitalised_words_they_stand_for_are_house_style() -> None:
    """Seed 004 wrote "US" where 000 says "United States", five times, and compare counted each
    as a swap the detector missed: initials for the name they spell are house style, as "U.S."
    for "US" is, either way round and beside a real swap; other initials are still swaps."""
    for short, name in [
        ("US", "United States"),
        ("U.S.", "United States"),
        ("UK", "United Kingdom"),
        ("UN", "United Nations"),
        ("USA", "United States of America"),
        ("FBI", "Federal Bureau of Investigation"),
    ]:
        original = f"The {name} said on Tuesday that the larger talks would go on for weeks."
        copy = f"The {short} said on Tuesday that the bigger talks would go on for weeks."
        for a, b in ((copy, original), (original, copy)):
            assert [(r.original, r.replacement) for r in find_swaps(a, b)] == [
                ("larger" if a is copy else "bigger", "bigger" if a is copy else "larger")
            ], (short, name)
        (match,) = align(original, copy.replace("bigger", "larger")).paragraphs
        assert match.label == 0, short
    # beside the swap, in one span difflib replaced: only the swap
    found = find_swaps("A larger US role in the region.", "A greater United States role in the region.")
    assert [(r.original, r.replacement) for r in found] == [("greater", "larger")]
    # initials of other words, or a name whose initials the other text has elsewhere, are swaps
    assert [(r.original, r.replacement) for r in find_swaps("The US said so.", "The United Kingdom said so.")] == [
        ("United Kingdom", "US")
    ]
    copy = "The US team met the Uzbek Senate and the UK envoy."
    original = "The United States team met the Uzbekistan Senate and the British envoy."
    found = find_swaps(copy, original)
    assert [(r.original, r.replacement) for r in found] == [("Uzbekistan", "Uzbek"), ("British", "UK")]
    assert all(copy[r.start : r.end] == r.replacement for r in found)
    # "The" at a sentence's start is no initial: the name is read from "United"
    assert find_swaps("UN envoys met.", "The United Nations envoys met.") == []


def test_a_paragraph_of_common_words_only_is_found_in_a_long_original() -> None:
    """In an original of over COMMON_POSTINGS paragraphs, words in more of them pick no candidates:
    a paragraph made of those only was aligned with paragraphs 0, 1 and 2, so taken unchanged it was
    matched with the wrong one, or not from the original at all."""
    filler = [f"W{k} he said it was not the case of the year." for k in range(240)]
    source = "He said it was the case."
    original = "\n\n".join(filler[:120] + [source] + filler[120:])
    (match,) = align(original, source).paragraphs
    assert (match.original_index, match.label, match.overlap) == (120, 0, 1.0)
    (match,) = align(original, "He stated it was the case.").paragraphs
    assert (match.original_index, match.label) == (120, 1)
    assert [(r.original, r.replacement) for r in match.swaps] == [("said", "stated")]


@pytest.mark.parametrize(
    ("original", "copy", "message"),
    [
        (None, "A copy.", "align() takes original as one str text, not NoneType"),
        ("An original.", b"A copy.", "align() takes copy as one str text, not bytes (decode it first"),
        ("An original.", ["A copy."], "align() takes copy as one str text, not list"),
    ],
)
def test_align_refuses_what_is_not_a_text(original: object, copy: object, message: str) -> None:
    """A regex error before: "expected string or bytes-like object, got 'NoneType'"."""
    with pytest.raises(TypeError, match="^" + re.escape(message)):
        align(original, copy)
