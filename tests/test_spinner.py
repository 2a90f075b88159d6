"""The synthetic spinner that makes training data (spincheck.spinner)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from spincheck.lexicon import Lexicon
from spincheck.spinner import Spinner, SpunText
from spincheck.text import tokenize

TINY = {
    "big": [("large", 10), ("huge", 90)],  # group 10 is a training group, 90 a held-out one
    "said": [("stated", 3)],
    "top": [("highest", 12)],
    "news": [("tidings", 5)],
    "general assembly": [("normal meeting", 6)],
    "disc drive": [("drive", 8)],  # a compound and its head: never swapped
    "drive": [("disc drive", 8), ("campaign", 9)],
    "where": [("the place", 11)],  # a generic paraphrase: swapped
    "help": [("aid", 7)],
}


@pytest.fixture(scope="module")
def tiny() -> Lexicon:
    return Lexicon.from_pairs(TINY)


@pytest.fixture(scope="module")
def paragraphs(article: str) -> list[str]:
    return [p for p in article.split("\n\n") if p.strip()]


def undo(spun: SpunText) -> str:
    """Put every original back; must give the text that was spun."""
    text = spun.text
    for r in reversed(spun.replacements):
        text = text[: r.start] + r.original + text[r.end :]
    return text


def check_replacements(original: str, spun: SpunText) -> None:
    for r in spun.replacements:
        assert spun.text[r.start : r.end] == r.replacement
        assert tokenize(r.replacement) != tokenize(r.original)
    for a, b in itertools.pairwise(spun.replacements):
        assert a.end <= b.start
    assert undo(spun) == original


def test_same_seed_same_spin(paragraphs: list[str], make_spinner, seed: int) -> None:
    spinner = make_spinner(paragraphs)
    first = [spinner.spin(p, np.random.default_rng(seed)) for p in paragraphs]
    again = [spinner.spin(p, np.random.default_rng(seed)) for p in paragraphs]
    assert first == again
    # a fresh spinner over the same lexicon spins the same way too
    other = make_spinner(paragraphs)
    assert [other.spin(p, np.random.default_rng(seed)) for p in paragraphs] == first


def test_different_seeds_spin_differently(paragraphs: list[str], make_spinner) -> None:
    spinner = make_spinner(paragraphs)
    outputs = {spinner.spin(paragraphs[0], np.random.default_rng(s)).text for s in range(5)}
    assert len(outputs) > 1


@pytest.mark.parametrize("split", ["all", "train", "heldout"])
@pytest.mark.parametrize("rate", [None, 0.1, 0.5, 1.0])
def test_replacement_offsets_point_into_spun_text(paragraphs, make_spinner, seed, split, rate) -> None:
    spinner = make_spinner(paragraphs, split=split)
    rng = np.random.default_rng(seed)
    for paragraph in paragraphs:
        spun = spinner.spin(paragraph, rng, rate=rate)
        assert spun.replacements, "the article has swappable phrases in every split"
        check_replacements(paragraph, spun)


def test_rate_half_swaps_about_half(paragraphs: list[str], make_spinner, seed: int) -> None:
    # proper_noun_rate=1 and no word-by-word phrases: the set of matchable
    # phrases does not depend on the random draws
    spinner = make_spinner(paragraphs, proper_noun_rate=1.0, word_by_word_rate=0.0)
    rng = np.random.default_rng(seed)
    for paragraph in paragraphs:
        matchable = len(spinner.spin(paragraph, rng, rate=1.0).replacements)
        spun = spinner.spin(paragraph, rng, rate=0.5)
        assert abs(len(spun.replacements) - matchable / 2) <= 0.5
        assert spun.rate == pytest.approx(len(spun.replacements) / matchable)


def test_random_rate_swaps_between_one_and_all(paragraphs: list[str], make_spinner, seed: int) -> None:
    spinner = make_spinner(paragraphs, proper_noun_rate=1.0)
    rng = np.random.default_rng(seed)
    rates = []
    for paragraph in paragraphs * 3:
        matchable = len(spinner.spin(paragraph, rng, rate=1.0).replacements)
        spun = spinner.spin(paragraph, rng)
        assert 1 <= len(spun.replacements) <= matchable
        rates.append(spun.rate)
    assert 0 < min(rates) < max(rates) <= 1


def test_case_is_preserved(paragraphs: list[str], make_spinner, seed: int) -> None:
    spinner = make_spinner(paragraphs, proper_noun_rate=1.0)
    rng = np.random.default_rng(seed)
    seen_capital = False
    for paragraph in paragraphs:
        for r in spinner.spin(paragraph, rng, rate=1.0).replacements:
            assert r.replacement[:1].isupper() == r.original[:1].isupper()
            seen_capital |= r.original[:1].isupper()
    assert seen_capital  # sentence starts were swapped too


def test_case_examples(tiny: Lexicon) -> None:
    spinner = Spinner(tiny, split="all", proper_noun_rate=1.0)
    spun = spinner.spin("Big news: the TOP aide said BIG things. Help!", np.random.default_rng(0), rate=1.0)
    by_original = {r.original: r.replacement for r in spun.replacements}
    assert by_original["Big"] in ("Large", "Huge")
    assert by_original["news"] == "tidings"
    assert by_original["TOP"] == "HIGHEST"
    assert by_original["said"] == "stated"
    assert by_original["BIG"] in ("LARGE", "HUGE")
    assert by_original["Help"] == "Aid"
    check_replacements("Big news: the TOP aide said BIG things. Help!", spun)


def test_longest_phrase_wins(tiny: Lexicon) -> None:
    spinner = Spinner(tiny, split="all", word_by_word_rate=0.0)
    spun = spinner.spin("officials at the general assembly said so", np.random.default_rng(0), rate=1.0)
    assert [r.original for r in spun.replacements] == ["general assembly", "said"]
    assert spun.text == "officials at the normal meeting stated so"


def test_phrases_are_spun_whole_or_word_by_word(tiny: Lexicon) -> None:
    text = "the general assembly met"
    whole = Spinner(Lexicon.from_pairs({**TINY, "general": [("normal", 2)]}), split="all", word_by_word_rate=0.0)
    assert whole.spin(text, np.random.default_rng(0), rate=1.0).text == "the normal meeting met"
    split = Spinner(Lexicon.from_pairs({**TINY, "general": [("normal", 2)]}), split="all", word_by_word_rate=1.0)
    assert split.spin(text, np.random.default_rng(0), rate=1.0).text == "the normal assembly met"
    mixed = Spinner(Lexicon.from_pairs({**TINY, "general": [("normal", 2)]}), split="all")
    texts = {mixed.spin(text, np.random.default_rng(s), rate=1.0).text for s in range(30)}
    assert texts == {"the normal meeting met", "the normal assembly met"}


def test_no_swap_changes_the_number_of_words_outside_the_generic_table(tiny: Lexicon) -> None:
    """"disc drive" <-> "drive" is a compound and its head, which commercial
    spinners do not swap; "where" -> "the place" is a generic paraphrase, which they do."""
    spinner = Spinner(tiny, split="all")
    seen = set()
    for seed in range(40):
        spun = spinner.spin("the disc drive is where the drive went", np.random.default_rng(seed), rate=1.0)
        seen.update((r.original, r.replacement) for r in spun.replacements)
    assert ("drive", "campaign") in seen and ("where", "the place") in seen
    assert not {("disc drive", "drive"), ("drive", "disc drive")} & seen


@pytest.mark.parametrize(("split", "allowed", "forbidden"), [("train", "large", "huge"), ("heldout", "huge", "large")])
def test_split_restricts_candidates(tiny: Lexicon, split: str, allowed: str, forbidden: str, seed: int) -> None:
    spinner = Spinner(tiny, split=split)
    rng = np.random.default_rng(seed)
    used = {spinner.spin("a big dog and a big cat", rng, rate=1.0).text for _ in range(20)}
    assert all(forbidden not in text for text in used)
    assert any(allowed in text for text in used)


def test_proper_nouns_skipped_when_rate_is_zero(tiny: Lexicon, seed: int) -> None:
    spinner = Spinner(tiny, split="all", proper_noun_rate=0.0)
    text = "The agency said the Big Apple and Top Gear help nobody."
    spun = spinner.spin(text, np.random.default_rng(seed), rate=1.0)
    assert {r.original for r in spun.replacements} == {"said", "help"}


def test_nothing_to_swap(tiny: Lexicon) -> None:
    spinner = Spinner(tiny)
    text = "Nothing here matches the thesaurus at all."
    assert spinner.spin(text, np.random.default_rng(0)) == SpunText(text, (), 0.0)
    assert spinner.spin("", np.random.default_rng(0)) == SpunText("", (), 0.0)


@pytest.mark.slow
def test_make_spinner_fixture_spins_like_the_whole_lexicon(paragraphs, lexicon, make_spinner) -> None:
    """The conftest helper restricts the lexicon to the texts; it must not change any spin."""
    whole = Spinner(lexicon, split="train")
    part = make_spinner(paragraphs, split="train")
    for s in range(3):
        a = [whole.spin(p, np.random.default_rng(s)) for p in paragraphs]
        b = [part.spin(p, np.random.default_rng(s)) for p in paragraphs]
        assert a == b


def test_generic_rate_thins_out_generic_paraphrases_only(tiny: Lexicon) -> None:
    """Training spins use fewer table paraphrases ("where" -> "the place") and as many thesaurus swaps."""
    text = "The top news is where the general assembly said to help."

    def count(rate: float, word: str) -> int:
        spinner = Spinner(tiny, split="all", generic_rate=rate)
        return sum(word in spinner.spin(text, np.random.default_rng(s), rate=1.0).text for s in range(300))

    assert count(1.0, "the place") == 300  # rate=1.0 swaps every phrase it may
    assert count(0.0, "the place") == 0
    assert 60 < count(0.3, "the place") < 120
    assert count(0.0, "highest") == count(1.0, "highest") == 300


def test_contraction_stems_and_word_parts_are_never_spun() -> None:
    # "can't" is the tokens "ca" + "n't", and "ca" had lexicon entries: "californian't" was in
    # about one training spin in seven of a paragraph with two "can't", an artefact no spinner writes
    lexicon = Lexicon.from_pairs(
        {"ca": [("california", 1)], "do": [("perform", 2)], "clock": [("timepiece", 3)], "go": [("run", 4)]}
    )
    spinner = Spinner(lexicon, split="all")
    text = "We can't go, don’t go at five o'clock or DON'T go, o’clock, o‘clock, oʼclock, o`clock."
    for seed in range(20):
        spun = spinner.spin(text, np.random.default_rng(seed), rate=1.0)
        assert spun.text == text.replace(" go", " run")  # every apostrophe the tokenizer reads as one
    # the same words standing alone are spun
    assert spinner.spin("the clock, do it", np.random.default_rng(0), rate=1.0).text == "the timepiece, perform it"


def test_word_parts_before_an_apostrophe_are_never_spun() -> None:
    # "ma'am" became "mom'am" and "rock'n'roll" "stone'n'roll": the start of a word, not a word
    lexicon = Lexicon.from_pairs({"ma": [("mom", 1)], "rock": [("stone", 2)], "farmer": [("grower", 3)]})
    spinner = Spinner(lexicon, split="all", proper_noun_rate=1.0)
    text = "Yes, ma\u2019am, Ma'am, rock'n'roll."
    for seed in range(10):
        assert spinner.spin(text, np.random.default_rng(seed), rate=1.0).text == text
    # a clitic is a token of its own, and a closing quote or elision ends the word: these are spun
    spun = spinner.spin("the farmer's rock, 'rock' and ma' rock", np.random.default_rng(0), rate=1.0)
    assert spun.text == "the grower's stone, 'stone' and mom' stone"


@pytest.mark.parametrize("rate", [0.0, -0.5, 1.5, float("nan"), float("inf")])
def test_a_rate_outside_zero_to_one_is_an_error(tiny: Lexicon, rate: float) -> None:
    with pytest.raises(ValueError, match="rate must be a share above 0 and at most 1"):
        Spinner(tiny).spin("the big news", np.random.default_rng(0), rate=rate)


def test_an_unknown_split_is_an_error(tiny: Lexicon) -> None:
    with pytest.raises(ValueError, match="split must be one of"):
        Spinner(tiny, split="tran")


def test_at_least_one_phrase_is_swapped_at_any_rate(tiny: Lexicon) -> None:
    spinner = Spinner(tiny, split="all")
    for seed in range(20):
        for rate in (0.01, None):
            spun = spinner.spin("He said so.", np.random.default_rng(seed), rate=rate)
            assert spun.text == "He stated so." and spun.rate == 1.0


def test_three_word_phrases_are_spun_whole() -> None:
    lexicon = Lexicon.from_pairs({"in order to": [("so as to", 1)], "order": [("command", 2)]})
    spinner = Spinner(lexicon, split="all", word_by_word_rate=0.0)
    assert spinner.spin("we met in order to talk", np.random.default_rng(0), rate=1.0).text == "we met so as to talk"


def test_the_words_of_a_phrase_left_alone_are_not_spun_one_by_one() -> None:
    # a generic paraphrase the spinner leaves alone this time is skipped whole: "lot" inside it stays
    lexicon = Lexicon.from_pairs({"a lot of": [("lots of", 1)], "lot": [("batch", 3)]})
    spinner = Spinner(lexicon, split="all", generic_rate=0.5, word_by_word_rate=0.0)
    texts = [spinner.spin("a lot of people", np.random.default_rng(seed), rate=1.0).text for seed in range(40)]
    assert set(texts) == {"lots of people", "a lot of people"}


def test_capitalised_words_at_sentence_starts_are_spun_as_common_words(tiny: Lexicon) -> None:
    spinner = Spinner(tiny, split="all", proper_noun_rate=0.0)
    spun = spinner.spin("Big news. Top aide said so.", np.random.default_rng(0), rate=1.0)
    assert {r.original for r in spun.replacements} == {"Big", "news", "Top", "said"}


def test_candidates_are_drawn_most_common_first(tiny: Lexicon) -> None:
    # the k-th candidate's chance is proportional to k ** -1.5: 0.65, 0.23, 0.12 for three
    spinner = Spinner(Lexicon.from_pairs({"big": [("large", 1), ("huge", 2), ("vast", 3)]}), split="all")
    rng = np.random.default_rng(0)
    drawn = [spinner.spin("big", rng, rate=1.0).text for _ in range(4000)]
    shares = [drawn.count(word) / len(drawn) for word in ("large", "huge", "vast")]
    assert shares == pytest.approx([0.650, 0.230, 0.125], abs=0.03)


def test_a_phrase_is_swapped_whole_only_where_its_words_stand_together() -> None:
    # the tokens skip quotes, brackets, dashes and slashes: swapped whole, 'the "kind" of thing'
    # lost its closing quote ('the "sort of thing') and "general (assembly)" its opening bracket
    lexicon = Lexicon.from_pairs({"kind of": [("sort of", 1)], "general assembly": [("normal meeting", 2)]})
    spinner = Spinner(lexicon, split="all", word_by_word_rate=0.0)
    for text in ['the "kind" of thing', "the general (assembly) met", "the general—assembly met", "and/or kind/of"]:
        assert spinner.spin(text, np.random.default_rng(0), rate=1.0).text == text
    # spaces of any kind, line breaks and hyphens still join the words of a phrase
    for text in ["the general\u00a0assembly", "the general\n  assembly", "the general-assembly", "kind  of"]:
        assert spinner.spin(text, np.random.default_rng(0), rate=1.0).replacements
