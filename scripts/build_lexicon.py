#!/usr/bin/env python3
"""Build spincheck's synonym lexicon from WordNet 3.0 (offline).

Usage::

    python scripts/build_lexicon.py --nltk-data ../shared/data/nltk_data --out build/lexicon/

(scripts/train.py builds the same lexicon into the model it writes; a model directory as ``--out``
is refused, since its card.json would no longer match.)

Every WordNet lemma is inflected (plural; 3rd person, past and -ing forms, with
WordNet's own irregular-form lists beside the regular ones); each inflected surface form maps to the
same inflection of every lemma that shares a synset with it, across all senses,
because spinners pick synonyms without regard to sense. Adjectives also take
their "similar to" neighbours, nouns and verbs their hypernyms and hyponyms,
except links to a broad category ("person", with 402 hyponyms, is no synonym
of "longer"). Closed-class words (pronouns, prepositions,
auxiliaries, see CLOSED_CLASS), US/UK spelling variants, single letters,
Roman numerals and words without a vowel ("vs", "cts") are left out: spinners
do not write "Indiana" for "in", and "kilometres" for "kilometers" is house
style. So are abbreviations, which the tokenizer lower-cases into other words:
symbols and codes WordNet writes in capitals ("Lu" for lutetium, "PA" for
Pennsylvania, "Au"), and initialisms that are ordinary words in lower case
("OS", "AIDS") or two letters of a common noun ("ED"); an initialism of
another lemma of its synset stays ("UK", "USA", "NATO", "CEO"; see
abbreviation_left_out). A small table of function-word and multi-word
paraphrases that thesaurus-based spinners use ("something" <-> "one thing", "because" <-> "since")
is added by hand (spincheck.lexicon.FUNCTION_PHRASES). Candidates
are ranked by word frequency (wordfreq) and capped per phrase. Beside ``lexicon.npz``, ``casing.npz``
says how WordNet writes the candidates it writes with capitals, the case suggestions are shown in
("uk" -> "UK"; see casing_table).
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from script_args import add_nltk_data, check_not_a_model  # noqa: E402

from spincheck.lexicon import Lexicon, function_phrase_pairs  # noqa: E402
from spincheck.text import tokenize  # noqa: E402

MAX_CANDIDATES = 20
MIN_ZIPF = 2.0  # candidates rarer than ~1 per 10M words are not plausible originals or spins
NEIGHBOUR_MIN_ZIPF = 3.0  # looser neighbours must be common words
MULTIWORD_PENALTY = 1.0  # wordfreq rates phrases of common words too high; rank them lower
# A synset with more direct hyponyms than this is a category, not a near-synonym of any of them:
# "person" (402 hyponyms) made "someone" a candidate of "longer" (one who longs) and "someones"
# one of "mice" (timid people), and "change" (401, a verb) one of hundreds of verbs.
BROAD_CATEGORY = 50


def _load_exceptions(zf: zipfile.ZipFile) -> dict[str, dict[str, list[str]]]:
    """Irregular forms per POS: lemma -> inflected forms (WordNet's *.exc files, inverted).

    A line that gives a word as its own form ("seed seed", "bed bed", "feed feed fee", "genus
    genus") only stops WordNet's morphy from stemming the word; read as an inflection, it made
    "seed" a past tense ("took", "put") and "genus" a plural ("kinds", "forms")."""
    out: dict[str, dict[str, list[str]]] = {}
    for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj")):
        table: dict[str, list[str]] = defaultdict(list)
        for line in zf.read(f"wordnet/{name}.exc").decode("utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                for lemma in parts[1:]:
                    if lemma != parts[0]:
                        table[lemma].append(parts[0])
        out[pos] = table
    return out


_CVC = re.compile(r"^[^aeiou]*[aeiou][bdgklmnprtv]$")


def _plural(word: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _third(word: str) -> str:
    """3rd person singular: "goes", "echoes", but "tattoos", "radios" (-es only after a consonant's o)."""
    if re.search(r"(s|x|z|ch|sh|[^aeiou]o)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _past(word: str) -> str:
    if word.endswith("e"):
        return word + "d"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ied"
    if _CVC.match(word) and len(word) <= 4:
        return word + word[-1] + "ed"
    return word + "ed"


def _ing(word: str) -> str:
    if word.endswith("ie"):
        return word[:-2] + "ying"
    if word.endswith("e") and not word.endswith(("ee", "ye", "oe")) and len(word) > 2:
        return word[:-1] + "ing"
    if _CVC.match(word) and len(word) <= 4:
        return word + word[-1] + "ing"
    return word + "ing"


def regular_form_too(
    head: str,
    regular: str,
    irregular: list[str],
    past: bool,
    *,
    frequency: Callable[[str], float],
    lemmas_of: Mapping[str, set[str]],
) -> bool:
    """Whether the regular form of ``head`` (by our rules) is one of its forms beside the
    ``irregular`` ones of WordNet's exception lists (``past``: the forms are past tenses).

    The exception lists hold every form morphy could not undo, archaic and foreign ones too
    ("wrought" for "work", "addrest", "learnt", "camerae", "brethren") and lone past participles
    ("shown", "proven"), beside the regular form, not instead of it: taken as the only forms, they
    left "worked", "showed", "learned", "addressed", "cameras" and "brothers" out of the lexicon.
    The regular form is one when it is at least as common (``frequency``, Zipf) as every irregular
    one, or, for a past tense whose irregular forms are all participles in -en or -wn, when it is a
    word at all (MIN_ZIPF: "showed", "sewed", but no "beated"); rarer, it is no English ("catched",
    "childs") or another word ("seed" of "see", "mans" of "man"). So it is when WordNet has it as a
    word or a form of a lemma other than ``head`` (``lemmas_of``: "genus" for "genu", "alas" for
    "ala", "vases" for "vas"), whatever its frequency. A hyphenated head keeps WordNet's forms alone
    ("brothers-in-law"): the frequency of its parts says nothing of the compound.
    """
    if not regular.isalpha() or lemmas_of.get(regular, {head}) - {head}:
        return False
    if past and all(f.endswith(("en", "wn")) for f in irregular):
        return frequency(regular) >= MIN_ZIPF
    return frequency(regular) >= max(frequency(f) for f in irregular)


RegularToo = Callable[[str, str, list[str], bool], bool]


def _forms(
    head: str, irregular: list[str], regular: str, regular_too: RegularToo | None, past: bool = False
) -> list[str]:
    """The forms of ``head`` for one tag: its irregular forms, if any, with the regular one where
    ``regular_too`` says so (see regular_form_too); the regular form alone otherwise."""
    if not irregular:
        return [regular]
    if regular_too is not None and regular not in irregular and regular_too(head, regular, irregular, past):
        return irregular + [regular]
    return irregular


def inflections(
    lemma: str, pos: str, exc: dict[str, dict[str, list[str]]], regular_too: RegularToo | None = None
) -> dict[str, set[str]]:
    """Surface forms of a (possibly multi-word) lemma by tag. Without ``regular_too`` (see
    regular_form_too), WordNet's irregular forms replace the regular one: the forms WordNet knows."""
    words = lemma.split()
    forms: dict[str, set[str]] = defaultdict(set)
    if pos == "n":
        forms["N"].add(lemma)
        head = words[-1]
        irregular = exc["n"].get(head) or exc["n"].get(lemma) or []
        for p in _forms(head, irregular, _plural(head), regular_too):
            forms["NS"].add(" ".join(words[:-1] + [p]) if p != lemma else p)
    elif pos == "v":
        head, rest = words[0], words[1:]
        forms["V"].add(lemma)
        irregular = exc["v"].get(head, [])
        past = [f for f in irregular if not f.endswith(("ing", "s"))]
        ing = [f for f in irregular if f.endswith("ing")]
        third = [f for f in irregular if f.endswith("s") and not f.endswith("ss")]
        for tag, heads in (
            ("VD", _forms(head, past, _past(head), regular_too, past=True)),
            ("VG", _forms(head, ing, _ing(head), regular_too)),
            ("V3", _forms(head, third, _third(head), regular_too)),
        ):
            for h in heads:
                forms[tag].add(" ".join([h] + rest))
    elif pos in ("a", "s"):
        forms["A"].add(lemma)
    elif pos == "r":
        forms["R"].add(lemma)
    return forms


_SPELLING = [
    (re.compile(r"our\b|our(?=[a-z])"), "or"),
    (re.compile(r"is(e|ing|ed|es|ation)\b"), r"iz\1"),
    (re.compile(r"ys(e|ing|ed|es)\b"), r"yz\1"),
    (re.compile(r"tre(s?)\b"), r"ter\1"),
    (re.compile(r"ll"), "l"),
    (re.compile(r"ae|oe"), "e"),
    (re.compile(r"ogue(s?)\b"), r"og\1"),
    (re.compile(r"ence(s?)\b"), r"ense\1"),
    (re.compile(r"gramme"), "gram"),
    (re.compile(r"[- ]"), ""),
]


def spelling_key(word: str) -> str:
    """Collapse US/UK spelling and hyphenation, so that variants are not synonyms."""
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word


# Single letters and Roman numerals ("i" -> "one", "iv" -> "four") are WordNet
# entries that real text uses as pronouns, list markers and names.
_NOT_A_SOURCE = re.compile(r"[a-z]|[ivxlcdm]{1,4}")
# No spinner writes them for a word either ("five" -> "v", "century" -> "c"):
# single letters and well-formed Roman numerals are no candidates, except the
# one numeral that is also a common word.
_NOT_A_CANDIDATE = re.compile(r"[a-z]|m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_NUMERAL_WORDS = frozenset({"mix"})
# Words without a vowel are abbreviations and plurals of letters: "vs" (WordNet's
# plural of "v", offered as "fins" and "volts"), "cts", "mts". "yr" stays:
# spinners do write it for "year".
_VOWEL = re.compile(r"[aeiouy]")

# Words a thesaurus spinner leaves alone. WordNet gives them rare senses, most
# of them abbreviations ("in" -> "Indiana", "or" -> "surgery", "can" -> "fire",
# "is" -> "ones"), and swapping them in every sense made a quarter of the
# synthetic spins such nonsense, which no real spinner writes and which taught
# the detector that a swap back to "are" or "will" is strong evidence. Their
# paraphrases that spinners do use ("because" -> "since", "need to" ->
# "have to") come from the function-word table instead.
CLOSED_CLASS = frozenset(
    """a an the this that these those some any each every no all both either neither
    i me my mine we us our ours you your yours he him his she her hers it its they them their theirs one
    who whom whose which what where when why how there here
    of to in on at by for with from into onto upon about above below over under between among through
    during before after since until till against toward towards across along around behind beyond
    near off out up down within without via per than as like unlike
    and or but nor so yet if then because although though while whereas unless whether
    be am is are was were been being have has had having do does did doing
    will would shall should can could may might must ought not""".split()
)


def _spinnable(word: str) -> bool:
    """Neither a closed-class word nor a vowel-less abbreviation: the rules sources and candidates share."""
    return word not in CLOSED_CLASS and bool(_VOWEL.search(word))


def _is_source(word: str) -> bool:
    """A word whose synonyms the lexicon lists (rarity is checked by the caller)."""
    return _spinnable(word) and not _NOT_A_SOURCE.fullmatch(word)


def _is_candidate(word: str) -> bool:
    """A word the lexicon may offer as a synonym."""
    return _spinnable(word) and (not _NOT_A_CANDIDATE.fullmatch(word) or word in _NUMERAL_WORDS)


# How WordNet writes an abbreviation: every capital followed by at most one lower-case letter,
# perhaps after one ("PA", "OS", "AIDS", "UK", "Lu", "Fe", "GiB", "DoD", "mRNA"). Names
# ("Paris", "McCarthy", "Ann") have longer runs of lower case.
_ABBREVIATION = re.compile(r"[a-z]?(?:[A-Z][a-z]?)+")
# Two lower-case letters are mostly something else: a first name ("Ed", offered "erectile
# dysfunction"), a word cut short ("Co."), a foreign article ("le", "da"), an interjection
# ("ha", "er"). A two-letter initialism stays only as the initialism of a name ("UK", "EU",
# "UN", "NY"), which is how news writes it; one of a common noun ("ED", "CO", "LE") goes.
SHORTEST_COMMON_INITIALISM = 3


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[ _-]+", name) if w]


def _initials(name: str) -> set[str]:
    """Initials of a multi-word lemma, of all its words and of its open-class words:
    "usa" (United States of America), "dod" (Department of Defense)."""
    words = [w.lower() for w in _words(name)]
    if len(words) < 2:
        return set()
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in CLOSED_CLASS)}


def _is_name(name: str) -> bool:
    """WordNet writes it as a proper name: "United_Kingdom", "Bachelor_of_Arts"."""
    return all(w[0].isupper() for w in _words(name) if w.lower() not in CLOSED_CLASS)


def abbreviation_left_out(name: str, synonyms: Iterable[str], ordinary: Container[str]) -> bool:
    """Whether a lemma, as WordNet writes it (``name``: "Lu", "PA", "UK"), is an abbreviation the
    lexicon leaves out, given the lemmas of its synset (``synonyms``, as WordNet writes them) and
    the ``ordinary`` words (the surface forms of the lemmas WordNet writes in lower case).

    The tokenizer lower-cases what marks an abbreviation, and what is left is another word: a
    name ("Lu told reporters" drew "metal" from the shipped lexicon), "pa" (dad), "os" (bone),
    "aids", the "ca" of "can't". No spinner writes "Pennsylvania" for "pa", "Lu" for "lutetium" or "OS" for
    "Windows". Usage domains do not tell abbreviations (WordNet marks one synset "abbreviation"
    and five "acronym"), nor does the lexicographer file (noun.location holds "PA" and "USA",
    noun.substance "Lu" and "iron"). What does: a symbol or code abbreviates no lemma of its
    synset ("Lu": lutetium, "PA": Pennsylvania, "Au": gold), while the abbreviations used in
    prose are initialisms of one ("UK": United Kingdom, "USA": United States of America, "NATO",
    "CEO"). Those stay, unless lower-cased they are an ordinary word ("OS": operating system,
    but "os" is a bone; "AIDS", "PET", "SALT") or two letters of a common noun (see
    SHORTEST_COMMON_INITIALISM).
    """
    if len(name) < 2 or not _ABBREVIATION.fullmatch(name):
        return False  # a word or name; single letters are _NOT_A_SOURCE / _NOT_A_CANDIDATE
    lower = name.lower()
    if lower in ordinary:
        return True
    return not any(
        lower in _initials(other) and (len(lower) >= SHORTEST_COMMON_INITIALISM or _is_name(other))
        for other in synonyms
        if other != name
    )


def lemma_names(synset: Any, ordinary: Container[str]) -> set[str]:
    """A synset's lemmas as the lexicon spells them (lower case, spaces), without the abbreviations
    that abbreviation_left_out leaves out."""
    written = [lem.name() for lem in synset.lemmas()]
    return {n.replace("_", " ").lower() for n in written if not abbreviation_left_out(n, written, ordinary)}


def group_id(a: str, b: str) -> int:
    """Stable id of an unordered lemma pair (decides train vs held-out thesaurus)."""
    key = "\t".join(sorted((a, b))).encode("utf-8")
    return zlib.crc32(key)


def neighbour_synsets(synset: Any, pos: str) -> list[Any]:
    """Synsets whose lemmas are a synset's looser neighbours: similar adjectives, or hypernyms
    and hyponyms, leaving out links to a broad category (see BROAD_CATEGORY) either way."""
    if pos == "a":
        return list(synset.similar_tos())
    hypernyms = [h for h in synset.hypernyms() if len(h.hyponyms()) <= BROAD_CATEGORY]
    hyponyms = synset.hyponyms()
    return hypernyms + (hyponyms if len(hyponyms) <= BROAD_CATEGORY else [])


def cap_candidates(
    surface: str, ranked: list[tuple[str, tuple[int, int]]], keep: Container[str] = ()
) -> list[tuple[str, int]]:
    """The first MAX_CANDIDATES of ``ranked`` ((candidate, (tier, group)), best first) as
    (candidate, group), and every candidate in ``keep`` (the hand-written table's paraphrases of
    ``surface``) in its place among them, for the last-ranked others: "get" has twenty commoner
    WordNet candidates than the table's "obtain", and cut at the cap, the training spins never
    wrote the table's commonest swaps. Of candidates that tokenize alike ("wood-rat", "wood rat")
    only the best ranked: Lexicon.from_pairs would drop the other after it, one candidate fewer."""
    seen, best = {tuple(tokenize(surface))}, []
    for cand, (_, group) in ranked:
        key = tuple(tokenize(cand))
        if key not in seen and (len(best) < MAX_CANDIDATES or cand in keep):
            seen.add(key)
            best.append((cand, group))
    while len(best) > MAX_CANDIDATES:  # only table paraphrases were taken past the cap
        del best[max(i for i, (cand, _) in enumerate(best) if cand not in keep)]
    return best


def _recased(surface: str, name: str) -> str:
    """``surface``, a lower-case form of the lemma ``name``, in the case of ``name`` word by word,
    as far as each word of the two agree letter for letter: "ceos" of "CEO" is "CEOs", "took french
    leave" of "take French leave" "took French leave"."""
    words, named = surface.split(" "), name.split(" ")
    if len(words) != len(named):
        return surface
    out = []
    for word, cased in zip(words, named):
        same = next((i for i, (a, b) in enumerate(zip(word, cased.lower())) if a != b), min(len(word), len(cased)))
        out.append(cased[:same] + word[same:])
    return " ".join(out)


def casing_table(wn: Any, exc: dict[str, dict[str, list[str]]], phrases: Container[str]) -> dict[str, str]:
    """How WordNet writes each of ``phrases`` (lower case, as the lexicon holds them) that it
    writes with capitals wherever it is a form of a lemma: "uk" -> "UK", "britain" -> "Britain",
    "christmas" -> "Christmas", "americans" -> "Americans". Phrases that are also a form of a
    lemma in lower case ("bush", "god", "china"), a closed-class word ("us": "US"), a phrase of
    the hand-written table, or written in two ways ("eu": "EU" and europium's "Eu") stay as they are.
    Every form of every lemma counts, regular ones beside WordNet's irregular ones, so that a
    word is left lower-case whenever any reading of it is lower-case."""
    cased: dict[str, set[str]] = defaultdict(set)
    lower = set(CLOSED_CLASS) | {phrase for pair in function_phrase_pairs() for phrase in pair}
    for synset in wn.all_synsets():
        pos = "a" if synset.pos() == "s" else synset.pos()
        for lem in synset.lemmas():
            name = lem.name().replace("_", " ")
            for surfaces in inflections(name.lower(), pos, exc, lambda *_: True).values():
                for surface in surfaces:
                    if name == name.lower():
                        lower.add(surface)
                    elif surface in phrases:
                        cased[surface].add(_recased(surface, name))
    return {s: next(iter(forms)) for s, forms in sorted(cased.items()) if len(forms) == 1 and s not in lower}


def build(nltk_data: Path) -> Lexicon:
    import nltk
    from wordfreq import zipf_frequency

    nltk.data.path.insert(0, str(nltk_data))
    from nltk.corpus import wordnet as wn

    zf = zipfile.ZipFile(nltk_data / "corpora" / "wordnet.zip")
    exc = _load_exceptions(zf)

    zipf_cache: dict[str, float] = {}

    def zipf(word: str) -> float:
        if word not in zipf_cache:
            zipf_cache[word] = zipf_frequency(word, "en")
        return zipf_cache[word]

    # surface form -> list of (lemma, pos, tag)
    analyses: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    form_cache: dict[tuple[str, str], dict[str, set[str]]] = {}

    # the nouns, verbs and adverbs each word is a form of, by WordNet's forms alone: a regular form
    # beside irregular ones must not be another word's (see regular_form_too); adjectives do not
    # count, since past participles are adjectives too ("worked", "learned")
    lemmas_of: dict[str, set[str]] = defaultdict(set)
    for synset in wn.all_synsets():
        if synset.pos() in ("n", "v", "r"):
            for lem in synset.lemmas():
                name = lem.name().replace("_", " ").lower()
                for surfaces in inflections(name, synset.pos(), exc).values():
                    for surface in surfaces:
                        lemmas_of[surface].add(name)
    regular_too = functools.partial(regular_form_too, frequency=zipf, lemmas_of=lemmas_of)

    def forms_of(lemma: str, pos: str) -> dict[str, set[str]]:
        key = (lemma, pos)
        if key not in form_cache:
            form_cache[key] = inflections(lemma, pos, exc, regular_too)
        return form_cache[key]

    # what an abbreviation would collide with once lower-cased (see abbreviation_left_out)
    ordinary: set[str] = set()
    for synset in wn.all_synsets():
        pos = "a" if synset.pos() == "s" else synset.pos()
        for lem in synset.lemmas():
            if lem.name().islower() and "_" not in lem.name():
                for surfaces in forms_of(lem.name(), pos).values():
                    ordinary |= surfaces

    synonyms: dict[tuple[str, str], set[str]] = defaultdict(set)
    # hypernyms, hyponyms and similar adjectives: looser neighbours that real
    # spinners' thesauri also offer; ranked after true synonyms.
    neighbours_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for synset in wn.all_synsets():
        pos = "a" if synset.pos() == "s" else synset.pos()
        names = lemma_names(synset, ordinary)
        names = {n for n in names if re.fullmatch(r"[a-z][a-z' -]*", n) and len(n.split()) <= 3}
        neighbours = set()
        for other in neighbour_synsets(synset, pos):
            neighbours |= lemma_names(other, ordinary)
        neighbours = {n for n in neighbours if re.fullmatch(r"[a-z][a-z' -]*", n) and len(n.split()) <= 2}
        for name in names:
            synonyms[(name, pos)] |= names - {name}
            neighbours_of[(name, pos)] |= neighbours - names
            for tag, surfaces in forms_of(name, pos).items():
                for surface in surfaces:
                    analyses[surface].add((name, pos, tag))

    # surface -> candidate -> (tier, group); tier 0 = synonym, 1 = neighbour
    entries: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for surface, analysis in analyses.items():
        if zipf(surface) < 1.0 or not _is_source(surface):
            continue
        for lemma, pos, tag in analysis:
            for tier, pool, floor in (
                (0, synonyms.get((lemma, pos), ()), MIN_ZIPF),
                (1, neighbours_of.get((lemma, pos), ()), NEIGHBOUR_MIN_ZIPF),
            ):
                for other in pool:
                    for cand in forms_of(other, pos).get(tag, ()):
                        if not _is_candidate(cand):
                            continue
                        if cand != surface and zipf(cand) >= floor and spelling_key(cand) != spelling_key(surface):
                            # the lowest tier wins, then the lowest group id, so the
                            # result does not depend on set iteration order
                            gid = group_id(lemma, other)
                            old = entries[surface].get(cand)
                            if old is None or (tier, gid) < old:
                                entries[surface][cand] = (tier, gid)

    table: dict[str, set[str]] = defaultdict(set)
    for a, b in sorted(function_phrase_pairs()):
        entries[a][b] = (0, group_id(a, b))
        table[a].add(b)

    def rank(item: tuple[str, tuple[int, int]]) -> tuple[int, float, str]:
        cand, (tier, _) = item
        return (tier, -(zipf(cand) - MULTIWORD_PENALTY * cand.count(" ")), cand)

    ranked = {
        surface: cap_candidates(surface, sorted(cands.items(), key=rank), table.get(surface, set()))
        for surface, cands in entries.items()
    }
    info = {
        "source": "Princeton WordNet 3.0 (nltk_data/corpora/wordnet.zip) + generic function-word table",
        "license": "WordNet 3.0 license (BSD-like); see corpus/README.md",
        "max_candidates": MAX_CANDIDATES,
        "min_candidate_zipf": MIN_ZIPF,
    }
    lexicon = Lexicon.from_pairs(dict(sorted(ranked.items())), info=info)
    # suggestions only ever show candidates
    candidates = {lexicon.phrase_texts[p] for p in set(lexicon.cand_phrase.tolist())}
    lexicon.casing = casing_table(wn, exc, candidates)
    return lexicon


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_nltk_data(parser, ROOT)
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "build" / "lexicon",
        help="directory for lexicon.npz and casing.npz (default: build/lexicon)",
    )
    args = parser.parse_args(argv)
    if not (args.nltk_data / "corpora" / "wordnet.zip").is_file():
        parser.error(f"{args.nltk_data} holds no corpora/wordnet.zip (see ../shared/data/README.md)")
    check_not_a_model(parser, args.out, "a new lexicon")
    lexicon = build(args.nltk_data)
    args.out.mkdir(parents=True, exist_ok=True)
    path = lexicon.save(args.out)
    print(f"wrote {path}: {lexicon.info['phrases']} phrases, {lexicon.info['pairs']} pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
