"""Stage 4: the synonym lexicon as arrays (spincheck.lexicon)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from spincheck.lexicon import MAX_PHRASE_TOKENS, TRAIN_GROUP_SHARE, Lexicon, function_phrase_pairs, phrase_hashes
from spincheck.ngrams import hash_tokens
from spincheck.text import tokenize

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from build_lexicon import CLOSED_CLASS, spelling_key  # noqa: E402

ENTRIES = {
    "said": [("stated", 3), ("told", 81), ("said", 5)],  # a candidate equal to its phrase is dropped
    "big": [("large", 10), ("huge", 90)],
    "General Assembly": [("assembly", 140)],  # groups are taken modulo 100
    "one thing": [("something", 7), ("a thing of beauty and joy", 8)],  # > 3 tokens: dropped
    "top": [("highest", 12), ("top", 13)],
    "a very long phrase indeed": [("short", 1)],  # > 3 tokens: the whole entry is dropped
    "U.S.": [("United States", 20)],
    "nothing": [("nothing", 4)],  # nothing left after filtering: dropped
}
EXPECTED = {
    "said": [("stated", 3), ("told", 81)],
    "big": [("large", 10), ("huge", 90)],
    "General Assembly": [("assembly", 40)],
    "one thing": [("something", 7)],
    "top": [("highest", 12)],
    "U.S.": [("United States", 20)],
}


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.from_pairs(ENTRIES, info={"source": "test"})


def phrase_id(text: str) -> np.ndarray:
    ids = np.zeros((1, MAX_PHRASE_TOKENS), np.uint64)
    tokens = tokenize(text)
    ids[0, : len(tokens)] = hash_tokens(tokens)
    return phrase_hashes(ids)


def test_from_pairs_filters_and_keeps_order(lex: Lexicon) -> None:
    assert lex.thesaurus == EXPECTED
    assert len(lex) == len(EXPECTED)
    assert lex.info["source"] == "test"
    assert lex.info["phrases"] == len(EXPECTED)
    assert lex.info["pairs"] == sum(len(v) for v in EXPECTED.values())


def test_arrays_are_consistent(lex: Lexicon) -> None:
    assert np.all(lex.keys[1:] > lex.keys[:-1])
    assert lex.offsets[0] == 0 and lex.offsets[-1] == lex.cand_phrase.size
    assert np.all(np.diff(lex.offsets) >= 1)
    assert lex.cand_group.max() < 100
    assert set(lex.phrase_len.tolist()) <= set(range(1, MAX_PHRASE_TOKENS + 1))
    # each key is the hash of its own phrase
    for k in range(len(lex)):
        assert lex.keys[k] == phrase_id(lex.phrase_text(lex.key_phrase[k]))[0]


@pytest.mark.parametrize("phrase", ["said", "SAID", "general assembly", "General  Assembly", "us", "U.S.", "one thing"])
def test_find_known_phrases(lex: Lexicon, phrase: str) -> None:
    found, key = lex.find(phrase_id(phrase))
    assert found.tolist() == [True]
    text = lex.phrase_text(lex.key_phrase[key[0]])
    # "us" and "U.S." share the entry of the country, spelled "U.S." (house style folds them)
    assert tokenize(text) == tokenize(phrase) or (phrase in {"us", "U.S."} and text == "U.S.")


@pytest.mark.parametrize("phrase", ["stated", "assembly general", "general", "thing", "zebra", "a very long"])
def test_find_unknown_phrases(lex: Lexicon, phrase: str) -> None:
    found, _ = lex.find(phrase_id(phrase))
    assert found.tolist() == [False]


def test_find_batch(lex: Lexicon) -> None:
    queries = np.concatenate([phrase_id(p) for p in ["big", "zebra", "top", "one thing", "nothing"]])
    found, keys = lex.find(queries)
    assert found.tolist() == [True, False, True, True, False]
    assert [lex.phrase_text(lex.key_phrase[k]) for k in keys[found]] == ["big", "top", "one thing"]


def test_empty_lexicon() -> None:
    empty = Lexicon.from_pairs({})
    assert len(empty) == 0 and empty.thesaurus == {}
    found, _ = empty.find(phrase_id("said"))
    assert found.tolist() == [False]


def test_save_load_round_trip(lex: Lexicon, tmp_path) -> None:
    path = lex.save(tmp_path)
    assert path.name == Lexicon.FILE
    loaded = Lexicon.load(tmp_path)
    for name in Lexicon._ARRAYS:
        original, other = getattr(lex, name), getattr(loaded, name)
        assert other.dtype == original.dtype, name
        np.testing.assert_array_equal(other, original, err_msg=name)
    assert loaded.info == lex.info
    assert loaded.thesaurus == lex.thesaurus
    queries = np.concatenate([phrase_id(p) for p in ["big", "zebra", "general assembly"]])
    assert [a.tolist() for a in loaded.find(queries)] == [a.tolist() for a in lex.find(queries)]


def test_save_is_byte_for_byte_deterministic(lex: Lexicon, tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert lex.save(tmp_path / "a").read_bytes() == lex.save(tmp_path / "b").read_bytes()


def test_in_split_partitions_groups() -> None:
    groups = np.arange(256, dtype=np.int64)
    train = Lexicon.in_split(groups, "train")
    heldout = Lexicon.in_split(groups, "heldout")
    assert not np.any(train & heldout)
    assert np.all(train | heldout)
    assert np.all(Lexicon.in_split(groups, "all"))
    # the share of groups usable for training is TRAIN_GROUP_SHARE percent
    assert int(train[:100].sum()) == TRAIN_GROUP_SHARE
    # a group and the same group modulo 100 land on the same side
    assert train[:100].tolist() == train[100:200].tolist()


def test_in_split_on_lexicon_groups(lex: Lexicon) -> None:
    train = Lexicon.in_split(lex.cand_group, "train")
    by_candidate = dict(zip((lex.phrase_text(p) for p in lex.cand_phrase), train.tolist()))
    assert by_candidate["stated"] is True and by_candidate["told"] is False
    assert by_candidate["large"] is True and by_candidate["huge"] is False


def test_shipped_lexicon_is_well_formed(lexicon: Lexicon) -> None:
    keys = np.asarray(lexicon.keys)
    assert np.all(keys[1:] > keys[:-1])
    assert lexicon.offsets[-1] == lexicon.cand_phrase.size
    assert np.all(np.diff(lexicon.offsets) >= 1)
    assert int(lexicon.cand_group.max()) < 100
    assert int(lexicon.phrase_len.min()) >= 1 and int(lexicon.phrase_len.max()) <= MAX_PHRASE_TOKENS
    found, key = lexicon.find(phrase_id("said"))
    assert found[0]
    lo, hi = int(lexicon.offsets[key[0]]), int(lexicon.offsets[key[0] + 1])
    candidates = [lexicon.phrase_text(lexicon.cand_phrase[j]) for j in range(lo, hi)]
    assert candidates and "said" not in candidates
    # both splits are represented, so training and held-out spins both have material
    assert Lexicon.in_split(lexicon.cand_group, "train").any()
    assert Lexicon.in_split(lexicon.cand_group, "heldout").any()


def _pair_flags(lex: Lexicon, mask) -> dict[tuple[str, str], bool]:
    """``{(phrase, candidate): mask value}`` for every candidate row of ``lex``."""
    out = {}
    for k in range(len(lex)):
        source = lex.phrase_text(int(lex.key_phrase[k]))
        for m in range(int(lex.offsets[k]), int(lex.offsets[k + 1])):
            out[(source, lex.phrase_text(int(lex.cand_phrase[m])))] = bool(mask[m])
    return out


def test_swappable_keeps_same_length_and_generic_pairs_only() -> None:
    lex = Lexicon.from_pairs(
        {
            "drive": [("disc drive", 1), ("campaign", 2)],
            "human rights": [("rights", 3)],
            "general assembly": [("normal meeting", 4)],
            "where": [("the place", 5)],  # in FUNCTION_PHRASES
            "the place": [("where", 5)],
        }
    )
    assert _pair_flags(lex, lex.swappable) == {
        ("drive", "disc drive"): False,
        ("drive", "campaign"): True,
        ("human rights", "rights"): False,
        ("general assembly", "normal meeting"): True,
        ("where", "the place"): True,
        ("the place", "where"): True,
    }


def test_searchable_drops_whole_multiword_terms_but_keeps_generic_phrases() -> None:
    """The detector swaps single words and generic paraphrases, never a multi-word term whole."""
    lex = Lexicon.from_pairs(
        {
            "meeting": [("assembly", 1)],
            "general assembly": [("normal meeting", 4)],
            "dental hygienist": [("skilled worker", 6)],
            "in terms of": [("by way of", 7)],  # in FUNCTION_PHRASES
            "where": [("the place", 5)],
        }
    )
    assert not (lex.searchable & ~lex.swappable).any()  # a subset of what the spinner may do
    assert _pair_flags(lex, lex.searchable) == {
        ("meeting", "assembly"): True,
        ("general assembly", "normal meeting"): False,
        ("dental hygienist", "skilled worker"): False,
        ("in terms of", "by way of"): True,
        ("where", "the place"): True,
    }


def test_function_phrase_pairs_are_symmetric() -> None:
    pairs = function_phrase_pairs()
    assert ("where", "the place") in pairs and ("the place", "where") in pairs
    assert all((b, a) in pairs for a, b in pairs)
    assert all(a != b for a, b in pairs)


def test_shipped_lexicon_leaves_closed_class_words_to_the_function_table(lexicon: Lexicon) -> None:
    """No WordNet sense turns "in" into "Indiana" or "inch" into "in": spinners leave such words alone."""
    texts = lexicon.phrase_texts
    table = function_phrase_pairs()
    closed = np.array([t in CLOSED_CLASS for t in texts])
    rows = np.flatnonzero(closed[lexicon.cand_phrase])  # candidate rows offering a closed-class word
    owner = np.searchsorted(lexicon.offsets, rows, side="right") - 1
    sources = [texts[p] for p in lexicon.key_phrase[owner].tolist()]
    offered = [(s, texts[c]) for s, c in zip(sources, lexicon.cand_phrase[rows].tolist())]
    assert [pair for pair in offered if pair not in table] == []
    for k in np.flatnonzero(closed[lexicon.key_phrase]).tolist():  # closed-class words as sources
        source = texts[int(lexicon.key_phrase[k])]
        cands = [texts[c] for c in lexicon.cand_phrase[lexicon.offsets[k] : lexicon.offsets[k + 1]].tolist()]
        assert [(source, c) for c in cands if (source, c) not in table] == []
    assert "since" in dict(lexicon.thesaurus["because"])  # what spinners do write stays


def test_every_function_table_phrase_fits_a_lexicon_entry() -> None:
    # "as a result of" (four tokens) was listed for "because" but never reached the lexicon
    too_long = {a for a, _ in function_phrase_pairs() if not 1 <= len(tokenize(a)) <= MAX_PHRASE_TOKENS}
    assert too_long == set()
    lexicon = Lexicon.from_pairs({a: [(b, 0)] for a, b in function_phrase_pairs()})
    assert len(lexicon) == len({a for a, _ in function_phrase_pairs()})


def test_candidates_that_tokenize_alike_are_one_candidate() -> None:
    # "wood-rat" twice under "vole", from two groups: drawn twice as often, in both splits
    lexicon = Lexicon.from_pairs({"vole": [("wood-rat", 15), ("wood rat", 94), ("vole", 3), ("mouse", 2)]})
    assert lexicon.thesaurus == {"vole": [("wood-rat", 15), ("mouse", 2)]}


def test_sources_that_tokenize_alike_are_one_key() -> None:
    lexicon = Lexicon.from_pairs({"Big": [("large", 1)], "big": [("huge", 2)], "small": [("little", 3)]})
    assert len(lexicon) == 2 and (lexicon.keys[1:] > lexicon.keys[:-1]).all()
    assert lexicon.thesaurus == {"Big": [("large", 1)], "small": [("little", 3)]}  # the first one given


@pytest.mark.parametrize("split", ["tran", "Train", None, "held-out"])
def test_an_unknown_split_is_an_error_not_the_held_out_part(split) -> None:
    with pytest.raises(ValueError, match="split must be one of train, heldout, visible, all"):
        Lexicon.in_split(np.arange(100), split)


def test_splits_partition_the_groups_at_their_shares() -> None:
    groups = np.arange(100)
    train, heldout = Lexicon.in_split(groups, "train"), Lexicon.in_split(groups, "heldout")
    assert train.sum() == TRAIN_GROUP_SHARE and not (train & heldout).any() and (train | heldout).all()
    visible = Lexicon.in_split(groups, "visible")
    assert visible.sum() == 50 and 0 < (visible & train).sum() < 50  # independent of the spinner's split
    # groups are stored as uint8: the arithmetic must not wrap around
    assert (Lexicon.in_split(groups.astype(np.uint8), "visible") == visible).all()
    assert Lexicon.in_split(groups, "all").all()


@pytest.mark.parametrize(
    ("uk", "us"),
    [("colour", "color"), ("centre", "center"), ("kilometres", "kilometers"), ("licences", "licenses"),
     ("catalogues", "catalogs"), ("organising", "organizing"), ("travelled", "traveled")],
)
def test_spelling_variants_share_a_key(uk: str, us: str) -> None:
    """House style is not spinning: a US/UK variant, plural or not, is never offered as a synonym."""
    assert spelling_key(uk) == spelling_key(us)
    assert spelling_key("metres") != spelling_key("miles")


def test_shipped_lexicon_offers_no_letters_or_numerals(lexicon: Lexicon) -> None:
    """WordNet offers "v" for "five" and "c" for "century"; no spinner writes them."""
    texts = lexicon.phrase_texts
    offered = {texts[c] for c in np.unique(lexicon.cand_phrase).tolist()}
    assert not offered & {"v", "c", "x", "vii", "iii", "iv", "xx"}
    assert "mix" in offered  # a numeral that is also a word stays


def test_shipped_lexicon_offers_no_words_without_vowels(lexicon: Lexicon) -> None:
    """"vs" is WordNet's plural of the letter "v" ("vs" -> "fins"); abbreviations are not synonyms."""
    texts = lexicon.phrase_texts
    words = {texts[p] for p in np.unique(np.concatenate([lexicon.cand_phrase, lexicon.key_phrase])).tolist()}
    assert not {w for w in words if " " not in w and w.isalpha() and not set(w) & set("aeiouy")}
    found, key = lexicon.find(phrase_id("year"))
    lo, hi = int(lexicon.offsets[key[0]]), int(lexicon.offsets[key[0] + 1])
    assert "yr" in {lexicon.phrase_text(int(lexicon.cand_phrase[m])) for m in range(lo, hi)}


class FakeSynset:
    """The three WordNet relations build_lexicon reads, without WordNet."""

    def __init__(self, name: str, hypernyms=(), hyponyms=(), similar=()) -> None:
        self.name, self._hypernyms, self._hyponyms, self._similar = name, list(hypernyms), list(hyponyms), list(similar)

    def hypernyms(self):
        return self._hypernyms

    def hyponyms(self):
        return self._hyponyms

    def similar_tos(self):
        return self._similar


def test_neighbours_leave_out_links_to_a_broad_category() -> None:
    from build_lexicon import BROAD_CATEGORY, neighbour_synsets

    person = FakeSynset("person", hyponyms=[FakeSynset(f"kind{i}") for i in range(BROAD_CATEGORY + 1)])
    rodent = FakeSynset("rodent", hyponyms=[FakeSynset(f"rodent{i}") for i in range(BROAD_CATEGORY)])
    house_mouse = FakeSynset("house mouse")
    mouse = FakeSynset("mouse", hypernyms=[rodent], hyponyms=[house_mouse])
    longer = FakeSynset("longer", hypernyms=[person])
    assert neighbour_synsets(mouse, "n") == [rodent, house_mouse]  # a category of exactly the cap stays
    assert neighbour_synsets(longer, "n") == []  # "someone" is no synonym of "longer"
    assert neighbour_synsets(person, "n") == []  # nor its hundreds of kinds synonyms of "person"
    assert neighbour_synsets(rodent, "v") == rodent.hyponyms()
    big = FakeSynset("big", similar=[FakeSynset("large")], hypernyms=[rodent])
    assert neighbour_synsets(big, "a") == big.similar_tos()  # adjectives: similar-to links only


def test_a_category_as_broad_as_person_is_broad() -> None:
    """WordNet's "person" (402 direct hyponyms) made "someone" a candidate of "longer": a
    category that size is broad, whatever the exact cap."""
    from build_lexicon import neighbour_synsets

    person = FakeSynset("person", hyponyms=[FakeSynset(f"kind{i}") for i in range(402)])
    assert neighbour_synsets(FakeSynset("longer", hypernyms=[person]), "n") == []
    assert neighbour_synsets(person, "n") == []


class _Lemma:
    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name


class _WordNetSynset(FakeSynset):
    """A synset as build() reads it: its part of speech and lemmas too."""

    def __init__(self, lemmas: list[str], pos: str = "n", **relations) -> None:
        super().__init__(lemmas[0], **relations)
        self._lemmas, self._pos = [_Lemma(n) for n in lemmas], pos

    def pos(self) -> str:
        return self._pos

    def lemmas(self) -> list[_Lemma]:
        return self._lemmas


def _build_from(synsets: list[_WordNetSynset], tmp_path: Path, monkeypatch) -> dict[str, list[tuple[str, int]]]:
    """The thesaurus build() makes from ``synsets`` as the whole of WordNet (no irregular forms)."""
    nltk = pytest.importorskip("nltk")
    corpus = pytest.importorskip("nltk.corpus")
    pytest.importorskip("wordfreq")
    import zipfile

    import build_lexicon

    class WordNet:
        @staticmethod
        def all_synsets():
            return iter(synsets)

    nltk_data = tmp_path / "nltk_data"
    (nltk_data / "corpora").mkdir(parents=True)
    with zipfile.ZipFile(nltk_data / "corpora" / "wordnet.zip", "w") as zf:
        for name in ("noun", "verb", "adj"):
            zf.writestr(f"wordnet/{name}.exc", "")
    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))
    monkeypatch.setattr(corpus, "wordnet", WordNet)
    return build_lexicon.build(nltk_data).thesaurus


def test_the_built_lexicon_leaves_out_links_to_a_broad_category(tmp_path: Path, monkeypatch) -> None:
    """build() itself takes its neighbours from neighbour_synsets: "someone" is no candidate of
    "longer" (one who longs), while a small category ("vehicle" for "car") still is one."""
    person = _WordNetSynset(["person", "someone", "somebody"])
    longer = _WordNetSynset(["longer", "yearner"], hypernyms=[person])
    kinds = ["".join("abcdefghij"[int(d)] for d in f"{i:03d}") for i in range(401)]
    person._hyponyms = [longer] + [_WordNetSynset([f"zz{k}"], hypernyms=[person]) for k in kinds]
    vehicle = _WordNetSynset(["vehicle"])
    car = _WordNetSynset(["car", "automobile"], hypernyms=[vehicle])
    vehicle._hyponyms = [car]
    thesaurus = _build_from([person, longer, vehicle, car, *person.hyponyms()[1:]], tmp_path, monkeypatch)
    assert "vehicle" in {c for c, _ in thesaurus["car"]} and "automobile" in {c for c, _ in thesaurus["car"]}
    assert not {c for c, _ in thesaurus.get("longer", [])} & {"person", "someone", "somebody"}
    assert not {c for c, _ in thesaurus.get("someone", [])} & {"longer"}


@pytest.mark.parametrize(
    ("name", "synset", "left_out"),
    [
        ("Lu", ["lutetium", "lutecium", "Lu", "atomic_number_71"], True),  # "Lu told reporters" -> "metal"
        ("Fe", ["iron", "Fe", "atomic_number_26"], True),
        ("PA", ["Pennsylvania", "Keystone_State", "PA"], True),  # a postal code abbreviates no name
        ("GiB", ["gibibyte", "GiB"], True),
        ("OS", ["operating_system", "OS"], True),  # an initialism, but "os" is a bone
        ("AIDS", ["acquired_immune_deficiency_syndrome", "AIDS"], True),  # and "aids" helps
        ("ED", ["erectile_dysfunction", "ED"], True),  # two letters of a common noun: "Ed told reporters"
        ("UK", ["United_Kingdom", "UK", "U.K.", "Britain"], False),  # spinners write these
        ("USA", ["United_States", "United_States_of_America", "America", "USA"], False),
        ("EU", ["European_Union", "EU", "European_Community"], False),
        ("CEO", ["chief_executive_officer", "CEO"], False),
        ("NATO", ["North_Atlantic_Treaty_Organization", "NATO"], False),
        ("McCarthy", ["McCarthy", "Joseph_McCarthy"], False),  # names and words are no abbreviations
        ("Windows", ["Windows"], False),
        ("pa", ["dad", "pa", "papa"], False),
        ("US_Army", ["United_States_Army", "US_Army", "Army"], False),
    ],
)
def test_which_abbreviations_are_left_out(name: str, synset: list[str], left_out: bool) -> None:
    from build_lexicon import abbreviation_left_out

    ordinary = {"os", "pa", "aids", "dad", "bone"}  # surface forms of lemmas WordNet writes in lower case
    assert abbreviation_left_out(name, synset, ordinary) is left_out


def test_the_built_lexicon_leaves_out_abbreviations(tmp_path: Path, monkeypatch) -> None:
    """Lower-cased, WordNet's "Lu" (lutetium), "PA" (Pennsylvania) and "OS" (operating system) are a
    name, "pa" (dad) and "os" (bone): none of them is a source or a candidate, while "pa" keeps its
    own synonyms and an initialism of a name ("UK": United Kingdom) stays."""
    metal = _WordNetSynset(["metal", "metallic_element"])
    lutetium = _WordNetSynset(["lutetium", "Lu", "atomic_number_71"], hypernyms=[metal])
    metal._hyponyms = [lutetium]
    operating_system = _WordNetSynset(["operating_system", "OS"])
    windows = _WordNetSynset(["Windows"], hypernyms=[operating_system])
    operating_system._hyponyms = [windows]
    synsets = [
        metal,
        lutetium,
        operating_system,
        windows,
        _WordNetSynset(["Pennsylvania", "Keystone_State", "PA"]),
        _WordNetSynset(["dad", "pa", "papa"]),
        _WordNetSynset(["bone", "os"]),
        _WordNetSynset(["United_Kingdom", "UK", "Britain"]),
    ]
    thesaurus = {source: {c for c, _ in cands} for source, cands in _build_from(synsets, tmp_path, monkeypatch).items()}
    assert "lu" not in thesaurus and "lu" not in thesaurus.get("lutetium", set())
    assert "dad" in thesaurus["pa"] and not thesaurus["pa"] & {"pennsylvania", "keystone state"}
    assert "pa" not in thesaurus.get("pennsylvania", set())
    assert "operating system" in thesaurus["windows"] and "os" not in thesaurus["windows"]
    assert thesaurus["os"] == {"bone"}
    assert {"united kingdom", "britain"} <= thesaurus["uk"] and "uk" in thesaurus["united kingdom"]


def _exceptions(tmp_path: Path, noun: str = "", verb: str = "") -> dict[str, dict[str, list[str]]]:
    """build_lexicon's irregular-form tables read from WordNet-style *.exc files of these lines."""
    import zipfile

    from build_lexicon import _load_exceptions

    path = tmp_path / "wordnet.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in (("noun", noun), ("verb", verb), ("adj", "")):
            zf.writestr(f"wordnet/{name}.exc", text)
    with zipfile.ZipFile(path) as zf:
        return _load_exceptions(zf)


def test_a_word_listed_as_its_own_form_is_no_inflection(tmp_path: Path) -> None:
    """verb.exc's "seed seed" and "feed feed fee" only stop morphy stemming them: read as past
    tenses, they offered "took" for "seed" and "gave" for "feed"; "genus genus", "kinds" for "genus"."""
    from build_lexicon import inflections

    exc = _exceptions(tmp_path, noun="genera genus\ngenus genus\n", verb="fed feed\nfeed feed fee\nseed seed\n")
    assert exc["v"]["feed"] == ["fed"] and exc["v"]["fee"] == ["feed"] and "seed" not in exc["v"]
    assert inflections("feed", "v", exc)["VD"] == {"fed"}
    assert inflections("seed", "v", exc)["VD"] == {"seeded"}
    assert inflections("genus", "n", exc)["NS"] == {"genera"}


# Zipf frequencies of the forms below, as wordfreq gives them (0 for any other)
ZIPF = {
    form: float(zipf)
    for form, zipf in (
        pair.split(":")
        for pair in "wrought:3.4 worked:5.2 shown:4.9 showed:4.9 cameras:4.3 men:5.5 mans:3.7 saw:5.5 seen:5.5 "
        "seed:4.4 beaten:4.2 beated:1.6 genua:1.3 genus:3.7".split()
    )
}


def test_irregular_forms_are_beside_the_regular_one_not_instead_of_it(tmp_path: Path) -> None:
    """verb.exc lists "wrought" for "work" and "shown" for "show", noun.exc "camerae": read as the
    only forms, they left "worked", "showed" and "cameras" out of the lexicon. A regular form rarer
    than the irregular ones is no English or another word ("mans", "seed" of "see"), and so is one
    that WordNet has as a word of its own ("genus", no plural of "genu")."""
    import functools

    from build_lexicon import inflections, regular_form_too

    exc = _exceptions(
        tmp_path,
        noun="brothers-in-law brother-in-law\ncamerae camera\ngenua genu\nmen man\n",
        verb="beaten beat\nsaw see\nseen see\nshown show\nwrought work\n",
    )
    lemmas_of = {"genus": {"genus"}, "mans": {"man"}, "works": {"work"}}
    regular_too = functools.partial(regular_form_too, frequency=lambda w: ZIPF.get(w, 0.0), lemmas_of=lemmas_of)

    def forms(lemma: str, pos: str, tag: str) -> set[str]:
        return inflections(lemma, pos, exc, regular_too)[tag]

    assert forms("work", "v", "VD") == {"wrought", "worked"} and forms("work out", "v", "VD") >= {"worked out"}
    assert forms("show", "v", "VD") == {"shown", "showed"}  # a lone participle: the simple past is regular
    assert forms("beat", "v", "VD") == {"beaten"}  # ... if it is a word at all
    assert forms("camera", "n", "NS") == {"camerae", "cameras"} and forms("tv camera", "n", "NS") >= {"tv cameras"}
    assert forms("man", "n", "NS") == {"men"} and forms("see", "v", "VD") == {"saw", "seen"}
    assert forms("genu", "n", "NS") == {"genua"}  # "genus" is a word of its own, common as it is
    assert forms("brother-in-law", "n", "NS") == {"brothers-in-law"}
    assert inflections("work", "v", exc)["VD"] == {"wrought"}  # WordNet's forms alone


@pytest.mark.parametrize("pair", "go:goes echo:echoes veto:vetoes tattoo:tattoos radio:radios boo:boos".split())
def test_third_person_singular(pair: str) -> None:
    """ "tattooes" and "radioes" are no words: the lexicon had no third person of such verbs."""
    from build_lexicon import _third

    verb, third = pair.split(":")
    assert _third(verb) == third


def test_the_candidate_cap_keeps_the_table_paraphrases():
    """build_lexicon caps each word's candidates at MAX_CANDIDATES, but not at the cost of the
    hand-written table's own paraphrases ("get" -> "obtain" ranked past twenty commoner WordNet
    candidates, so training spins never wrote it): they take the last-ranked others' places."""
    from build_lexicon import MAX_CANDIDATES, cap_candidates

    names = [f"cand{chr(97 + i)}" for i in range(MAX_CANDIDATES + 5)]  # no digits: read by shape
    ranked = [(name, (0, i)) for i, name in enumerate(names)]
    plain = cap_candidates("get", ranked)
    assert plain == [(names[i], i) for i in range(MAX_CANDIDATES)]
    late = {names[MAX_CANDIDATES + 3], names[MAX_CANDIDATES + 1]}
    kept = cap_candidates("get", ranked, late)
    assert len(kept) == MAX_CANDIDATES
    # the table's two in rank order after the first MAX_CANDIDATES - 2 others
    assert [c for c, _ in kept] == names[: MAX_CANDIDATES - 2] + sorted(late)
    # a candidate that tokenizes like one ranked before it, or like the word itself, is never taken
    assert cap_candidates("get", [("wood-rat", (0, 1)), ("wood rat", (0, 2)), ("get", (0, 3))], {"wood rat"}) == [
        ("wood-rat", 1)
    ]


def test_casing_table_writes_names_as_wordnet_does(tmp_path: Path) -> None:
    """Suggestions are lexicon phrases, lower-cased: casing_table says how WordNet writes those it
    writes with capitals in every lemma they are a form of ("Uk" was shown for "Britain"), and
    leaves those that are also a lower-case lemma ("bush"), a closed-class word ("us": "US"), or
    written two ways ("eu": "EU" and europium's "Eu") as they are."""
    from build_lexicon import casing_table

    synsets = [
        _WordNetSynset(["United_Kingdom", "UK", "Britain", "Great_Britain"]),
        _WordNetSynset(["Bush", "George_W._Bush"]),
        _WordNetSynset(["bush", "shrub"]),
        _WordNetSynset(["CEO", "chief_executive_officer"]),
        _WordNetSynset(["United_States", "US", "USA", "America"]),
        _WordNetSynset(["European_Union", "EU"]),
        _WordNetSynset(["europium", "Eu"]),
        _WordNetSynset(["take_French_leave"], pos="v"),
        _WordNetSynset(["Englishman"]),
    ]

    class WordNet:
        @staticmethod
        def all_synsets():
            return iter(synsets)

    exc = _exceptions(tmp_path, noun="englishmen englishman\n", verb="took take\n")
    phrases = {"uk", "britain", "great britain", "bush", "bushes", "shrub", "ceo", "ceos", "us", "usa", "america"}
    phrases |= {"eu", "took french leave", "englishmen", "europium", "united states"}
    assert casing_table(WordNet, exc, phrases) == {
        "uk": "UK",
        "britain": "Britain",
        "great britain": "Great Britain",
        "ceo": "CEO",
        "ceos": "CEOs",
        "usa": "USA",
        "america": "America",
        "united states": "United States",
        "took french leave": "took French leave",
        "englishmen": "Englishmen",
    }


def test_a_casing_table_changes_only_case(tmp_path: Path) -> None:
    """casing.npz is read keyed by each phrase's own lower case, so that it can change the case of a
    suggestion but never its words: the file may be one that card.json does not list."""
    from spincheck.lexicon import read_casing, write_casing

    lex = Lexicon.from_pairs({"britain": [("uk", 1), ("england", 2)]}, info={})
    lex.casing = {"uk": "UK", "england": "England"}
    lex.save(tmp_path)
    loaded = Lexicon.load(tmp_path)
    assert loaded.casing == lex.casing
    assert {loaded.suggestion_text(int(p)) for p in loaded.cand_phrase} == {"UK", "England"}
    assert {loaded.phrase_text(int(p)) for p in loaded.cand_phrase} == {"uk", "england"}  # as stored
    with pytest.raises(ValueError, match="own lower case"):
        write_casing(tmp_path / "other.npz", {"uk": "Britain"})
    np.savez(tmp_path / "two.npz", cased=np.frombuffer(b"EU\nEu", np.uint8))
    with pytest.raises(ValueError, match="two cases"):
        read_casing(tmp_path / "two.npz")
    Lexicon.from_pairs({"britain": [("uk", 1)]}, info={}).save(tmp_path)  # a lexicon without casing
    assert not (tmp_path / Lexicon.CASING_FILE).exists() and Lexicon.load(tmp_path).casing == {}
