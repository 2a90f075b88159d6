"""A fixed, reproducible, news-like workload for benchmarks and profiling.

``paragraphs(n, seed=0)`` always returns the same ``n`` paragraphs for the
same seed and the same model, the first ``n`` of any longer workload of that
seed (``scripts/bench.py`` scales by taking 1x, 2x and 4x of one): sentences are drawn from the templates below
with :class:`random.Random` (whose sequence Python keeps stable across
versions), and a share of the paragraphs is run through spincheck's own
synthetic spinner (seeded :func:`numpy.random.default_rng`, drawing from the
shipped lexicon) so that the flagged-paragraph path with evidence is exercised
too. A handful of paragraphs are headline-short (not scored) or several hundred
words long (scored in windows), as on real pages.

``from_corpus(path, n)`` cycles through the paragraphs of a text file
(paragraphs separated by blank lines), a ``.jsonl`` file (``"text"`` field,
paragraphs separated by blank lines) or either gzipped, instead.

Nothing here is timed; generation cost is not part of any benchmark figure.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from pathlib import Path
from typing import Iterator

__all__ = ["paragraphs", "from_corpus", "spin_share", "digest", "count_words"]

FIRST = "John Maria David Anna Peter Laura Michael Elena James Sarah Robert Ingrid Thomas Fatima Carlos Mei".split()
LAST = (
    "Smith Novak Tanaka Okafor Lindqvist Moreau Rossi Kowalski Haddad Brennan Patel Fischer Duarte Ivanova Clarke "
    "Nakamura"
).split()
TITLE = [
    "finance minister",
    "chief executive",
    "spokesman",
    "spokeswoman",
    "governor",
    "senior economist",
    "president",
    "chairman",
    "managing director",
    "mayor",
    "trade representative",
    "research director",
]
ORG = [
    "the central bank",
    "the Finance Ministry",
    "the European Commission",
    "the World Bank",
    "the union",
    "the state oil company",
    "the Commerce Department",
    "the International Monetary Fund",
    "the board",
    "the city council",
    "the health ministry",
    "the agriculture department",
    "the securities regulator",
    "the statistics office",
]
COMPANY = [
    "Northfield Mining",
    "Apex Holdings",
    "Meridian Foods",
    "Harbor Shipping",
    "Crestline Energy",
    "Bluewater Steel",
    "Summit Airlines",
    "Granite Insurance",
    "Oakridge Chemicals",
    "Pioneer Telecom",
    "Riverside Motors",
    "Silverline Bank",
]
CITY = [
    "London",
    "Tokyo",
    "Brussels",
    "New York",
    "Frankfurt",
    "Sydney",
    "Nairobi",
    "Toronto",
    "Madrid",
    "Seoul",
    "Chicago",
    "Geneva",
    "Jakarta",
    "Lagos",
]
COUNTRY = [
    "China",
    "Brazil",
    "Japan",
    "India",
    "Germany",
    "Canada",
    "Mexico",
    "Nigeria",
    "Australia",
    "France",
    "Indonesia",
    "Egypt",
]
TOPIC = [
    "interest rates",
    "oil prices",
    "grain exports",
    "the budget deficit",
    "consumer spending",
    "steel production",
    "wages",
    "tax reform",
    "the trade surplus",
    "housing starts",
    "inflation",
    "unemployment",
    "public debt",
    "farm subsidies",
    "energy costs",
    "industrial output",
    "bank lending",
    "retail sales",
]
COMMODITY = ["wheat", "coffee", "copper", "sugar", "crude oil", "cotton", "soybeans", "rice", "natural gas", "cocoa"]
WORKERS = ["dock workers", "miners", "nurses", "teachers", "bus drivers", "airline pilots", "steel workers"]
EVENT = ["a bus caught fire", "a building collapsed", "two trains collided", "a gas pipe exploded", "a crowd panicked"]
ASSET = ["chemicals", "shipping", "insurance", "retail", "property", "software", "packaging"]
EXCHANGE = ["New York Stock Exchange", "London Stock Exchange", "Tokyo exchange", "Frankfurt bourse"]
DAY = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTH = "January February March April May June July August September October November December".split()
ORDINAL = ["second", "third", "fourth", "fifth", "sixth"]
CHANGE = ["rose", "fell", "climbed", "dropped", "increased", "declined", "edged up", "slipped"]
FUTURE = ["rise", "fall", "recover", "stabilise", "remain weak", "improve", "slow down"]

TEMPLATES = [
    "{person}, {title} of {org}, said on {day} that {topic} would {future} over the next few months.",
    "{Topic} {change} {pct} percent in {month} from a year earlier, {org} said in a report.",
    "{company} said it expected {topic} to {future} this year, but gave no details.",
    '"We do not see any reason to change our forecast," {person} told reporters in {city}.',
    "Analysts said the decision was likely to put more pressure on {topic} in the coming months.",
    "{Org} will meet in {city} next week to discuss {topic} and {topic2}.",
    "The government has been under pressure to cut {topic} since the election in {month}.",
    "{company} shares closed {updown} {cents} cents at {price} dollars on the {exchange}.",
    "Officials in {city} said the talks had made good progress but that several issues were still open.",
    "The agreement, which must still be approved by {org}, would give {company} control of {pct} percent of the "
    "market.",
    "{person} said the figures showed that the economy was growing faster than most economists had expected.",
    "It was the {ordinal} time this year that {org} had raised its estimate of {topic}.",
    "The report said {topic} had reached its highest level since {year}.",
    "According to the ministry, the country imported {num} tonnes of {commodity} in the first half of the year.",
    "The move follows a long dispute between the two sides over {topic} and the cost of {commodity}.",
    "He added that the company planned to sell its {asset} unit and use the money to reduce its debt.",
    "Traders said the market was quiet ahead of the release of new figures on {topic} on {day}.",
    "The strike by {workers} entered its {ordinal} week on {day}, with no sign of a settlement.",
    "Police said {num} people were hurt when {event} in the centre of {city} on {day} night.",
    "The minister said the new rules would take effect at the start of next year.",
    "Net profit for the year rose to {money} million dollars from {money2} million a year earlier.",
    "{Org} said it would not comment on the reports until the review was complete.",
    "Farmers in the region have been hit hard by the drought, and many say they cannot afford to plant this season.",
    "The opposition called the plan a serious mistake and said it would vote against it in parliament.",
    "Prices for {commodity} have fallen sharply over the past year because of weak demand from {country}.",
    "{person} is expected to visit {country} later this month for talks with the new government.",
    "In a statement, the company said the sale was part of a plan to focus on its main business.",
    "The bank said it would keep its key interest rate at {pct} percent for the time being.",
    "Many economists believe that {topic} will remain the main concern for policy makers this year.",
    "The decision was welcomed by business groups, which had long argued that {topic} was hurting growth.",
    "Exports to {country} accounted for about a third of total sales, the company said.",
    "The new plant in {city} will employ about {num} people when it opens in {month}.",
    "She said the government would do everything it could to protect jobs in the {asset} industry.",
    "Demand for {commodity} from {country} is expected to grow steadily over the next decade.",
]
HEADLINES = [
    "{company} profit {change} in {month}",
    "{Topic} {change} in {country}",
    "{person} to visit {city}",
    "Strike hits {city} port",
]


def _fill(template: str, rng: random.Random) -> str:
    topic = rng.choice(TOPIC)
    org = rng.choice(ORG)
    values = {
        "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "title": rng.choice(TITLE),
        "org": org,
        "Org": org[:1].upper() + org[1:],
        "company": rng.choice(COMPANY),
        "city": rng.choice(CITY),
        "country": rng.choice(COUNTRY),
        "topic": topic,
        "Topic": topic[:1].upper() + topic[1:],
        "topic2": rng.choice([t for t in TOPIC if t != topic]),
        "commodity": rng.choice(COMMODITY),
        "workers": rng.choice(WORKERS),
        "event": rng.choice(EVENT),
        "asset": rng.choice(ASSET),
        "exchange": rng.choice(EXCHANGE),
        "day": rng.choice(DAY),
        "month": rng.choice(MONTH),
        "ordinal": rng.choice(ORDINAL),
        "change": rng.choice(CHANGE),
        "future": rng.choice(FUTURE),
        "updown": rng.choice(["up", "down"]),
        "pct": f"{rng.randint(1, 40)}.{rng.randint(0, 9)}",
        "cents": str(rng.randint(5, 95)),
        "price": f"{rng.randint(2, 180)}.{rng.randint(10, 99)}",
        "year": str(rng.randint(1950, 2020)),
        "num": f"{rng.randint(2, 900):,}",
        "money": f"{rng.randint(10, 900)}.{rng.randint(1, 9)}",
        "money2": f"{rng.randint(10, 900)}.{rng.randint(1, 9)}",
    }
    return template.format(**values)


def _paragraph(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:  # headline or caption: not scored ("too short")
        return _fill(rng.choice(HEADLINES), rng)
    if roll < 0.03:  # a very long paragraph (no line breaks): scored in windows
        n_sent = rng.randint(20, 45)
    else:
        n_sent = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
    sentences = [_fill(rng.choice(TEMPLATES), rng) for _ in range(n_sent)]
    if rng.random() < 0.05:  # dateline, as on wire copy
        sentences[0] = f"{rng.choice(CITY).upper()}, {rng.choice(MONTH)} {rng.randint(1, 28)} - {sentences[0]}"
    return " ".join(sentences)


def _clean(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [_paragraph(rng) for _ in range(n)]


def spin_share(texts: list[str], share: float, seed: int, model_dir: Path | None = None) -> list[str]:
    """Spin a deterministic ``share`` of ``texts`` with the shipped lexicon (split "all")."""
    if share <= 0:
        return list(texts)
    import numpy as np

    from spincheck.lexicon import Lexicon
    from spincheck.spinner import Spinner

    if model_dir is None:
        from spincheck.model import default_model_dir

        model_dir = default_model_dir()
    spinner = Spinner(Lexicon.load(Path(model_dir)), split="all")
    pick = np.random.default_rng(seed).random(len(texts)) < share
    # the spins draw from a generator of their own: drawn after the picks, they depended on
    # len(texts), and the first n of a longer workload were not the workload of n paragraphs
    rng = np.random.default_rng([seed, 1])
    out = []
    for text, spin in zip(texts, pick.tolist()):
        out.append(spinner.spin(text, rng).text if spin else text)
    return out


def paragraphs(n: int, seed: int = 0, spun: float = 0.25, model_dir: Path | None = None) -> list[str]:
    """``n`` news-like paragraphs, a share ``spun`` of them run through the synthetic spinner."""
    return spin_share(_clean(n, seed), spun, seed, model_dir)


def _corpus_paragraphs(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    stem = path.with_suffix("") if path.suffix == ".gz" else path
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        if stem.suffix == ".jsonl":
            for line in f:
                line = line.strip()
                if line:
                    text = json.loads(line).get("text", "")
                    yield from (p.strip() for p in text.split("\n\n"))
        else:
            yield from (p.strip() for p in f.read().split("\n\n"))


def from_corpus(path: Path, n: int, spun: float = 0.0, seed: int = 0, model_dir: Path | None = None) -> list[str]:
    """The first ``n`` paragraphs of a corpus file, cycling through it if it is shorter."""
    base = [" ".join(p.split()) for p in _corpus_paragraphs(Path(path))]
    base = [p for p in base if p]
    if not base:
        raise ValueError(f"{path} holds no paragraphs")
    texts = [base[i % len(base)] for i in range(n)]
    return spin_share(texts, spun, seed, model_dir)


def count_words(texts: list[str]) -> int:
    """Whitespace-separated words: the unit of every words/s figure."""
    return sum(len(t.split()) for t in texts)


def digest(texts: list[str]) -> str:
    """SHA-256 of the workload, so two runs can be checked to have scored the same text."""
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()
