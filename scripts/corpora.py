"""Read the clean corpora in ../shared/data into documents of paragraphs (build time only).

Each document gets a split from a stable hash of its id, so every build makes
the same partition:

- ``ref``   (80 %): counted into the reference n-gram statistics;
- ``train`` (12 %): clean side of the classifier's training data, and the
  paragraphs the synthetic spinner spins;
- ``dev``   (8 %): held out, to choose the threshold and to measure.

Two whole sources never enter the reference or training, to measure transfer:
``state_union`` (speeches, another genre: clean FPR and the synthetic held-out
set) and ``inaugural``. ``treebank`` is left out entirely (non-commercial terms).

A document whose paragraphs repeat an earlier one's is left out: the news files hold articles
twice under two ids (276 Reuters and 133 BBC ones), which fell into two splits 140 times, 56 of
them a dev article that the reference had counted word for word.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from pathlib import Path
from typing import Iterable, Iterator

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HELDOUT_SOURCES = ("state_union", "inaugural")
# What iter_documents reads: news/<name>.jsonl.gz and nltk_data/corpora/<name>.zip (treebank's is
# not among them; a model card lists these files' hashes, so it must not name one it never read)
NEWS_FILES = ("reuters21578", "bbc")
NLTK_CORPORA = ("abc", "brown", "inaugural", "masc_tagged", "movie_reviews", "state_union", "webtext")
ABC_MAX_LINES = 50  # longer ABC "articles" are cut into documents of this many lines


def split_of(doc_id: str) -> str:
    bucket = zlib.crc32(doc_id.encode("utf-8")) % 100
    if bucket < 80:
        return "ref"
    if bucket < 92:
        return "train"
    return "dev"


def _join(words: list[str]) -> str:
    return " ".join(words)


def _chunk_lines(lines: list[str], max_words: int = 80) -> list[str]:
    """Group short lines (one sentence each) into paragraph-sized chunks."""
    out, cur, n = [], [], 0
    for line in lines:
        line = line.strip()
        if not line:
            if cur:
                out.append(" ".join(cur))
            cur, n = [], 0
            continue
        cur.append(line)
        n += len(line.split())
        if n >= max_words:
            out.append(" ".join(cur))
            cur, n = [], 0
    if cur:
        out.append(" ".join(cur))
    return out


def input_files(data: Path = DEFAULT_DATA) -> list[Path]:
    """The files :func:`iter_documents` reads, news first."""
    news = [data / "news" / f"{name}.jsonl.gz" for name in NEWS_FILES]
    return news + [data / "nltk_data" / "corpora" / f"{name}.zip" for name in NLTK_CORPORA]


def iter_documents(data: Path = DEFAULT_DATA) -> Iterator[dict]:
    """Yield ``{"source", "id", "split", "paragraphs"}`` for every document but a repeat of an earlier one."""
    return unique_documents(_all_documents(data))


def unique_documents(documents: Iterable[dict]) -> Iterator[dict]:
    """``documents`` without those whose paragraphs repeat an earlier one's: a split is drawn from
    the id, so an article filed twice could be counted into the reference and measured in dev."""
    seen: set[bytes] = set()
    for doc in documents:
        key = hashlib.blake2b("\n\n".join(doc["paragraphs"]).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if key not in seen:
            seen.add(key)
            yield doc


def _all_documents(data: Path) -> Iterator[dict]:
    import nltk

    nltk.data.path.insert(0, str(data / "nltk_data"))
    from nltk.corpus import abc, brown, inaugural, masc_tagged, movie_reviews, state_union, webtext

    for name in NEWS_FILES:
        with gzip.open(data / "news" / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                paras = [p.strip() for p in rec["text"].split("\n\n") if p.strip()]
                doc_id = f"{name}/{rec['id']}"
                yield {"source": name, "id": doc_id, "split": split_of(doc_id), "paragraphs": paras}

    for fid in brown.fileids():
        doc_id = f"brown/{fid}"
        paras = [" ".join(_join(s) for s in para) for para in brown.paras(fid)]
        yield {"source": "brown", "id": doc_id, "split": split_of(doc_id), "paragraphs": paras}

    for fid in masc_tagged.fileids():
        doc_id = f"masc/{fid}"
        try:
            paras = [" ".join(_join(s) for s in para) for para in masc_tagged.paras(fid)]
        except Exception:  # a few MASC files have no paragraph markup
            continue
        yield {"source": "masc", "id": doc_id, "split": split_of(doc_id), "paragraphs": paras}

    for fid in abc.fileids():
        for k, article in enumerate(abc.raw(fid).split("\n\n")):
            lines = [ln.strip() for ln in article.splitlines() if ln.strip()]
            if len(lines) <= ABC_MAX_LINES:
                doc_id = f"abc/{fid}/{k}"
                yield {"source": "abc", "id": doc_id, "split": split_of(doc_id), "paragraphs": lines}
                continue
            # science.txt has no article breaks: one 15,000-line "article" would
            # otherwise fall into a single split
            for j in range(0, len(lines), ABC_MAX_LINES):
                doc_id = f"abc/{fid}/{k}/{j}"
                yield {"source": "abc", "id": doc_id, "split": split_of(doc_id), "paragraphs": lines[j : j + ABC_MAX_LINES]}

    for fid in webtext.fileids():
        lines = webtext.raw(fid).splitlines()
        for k in range(0, len(lines), 40):
            doc_id = f"webtext/{fid}/{k}"
            yield {
                "source": "webtext",
                "id": doc_id,
                "split": split_of(doc_id),
                "paragraphs": _chunk_lines(lines[k : k + 40], 60),
            }

    for fid in movie_reviews.fileids():
        doc_id = f"movie_reviews/{fid}"
        lines = movie_reviews.raw(fid).splitlines()
        yield {"source": "movie_reviews", "id": doc_id, "split": split_of(doc_id), "paragraphs": _chunk_lines(lines)}

    for reader, name in ((state_union, "state_union"), (inaugural, "inaugural")):
        for fid in reader.fileids():
            raw = reader.raw(fid).replace("\r\n", "\n")
            paras = [ln.strip() for ln in raw.split("\n") if len(ln.split()) >= 8]
            yield {"source": name, "id": f"{name}/{fid}", "split": "genre", "paragraphs": paras}


def export(out: Path, data: Path = DEFAULT_DATA) -> dict[str, int]:
    """Write one JSONL file per split (one document per line); return paragraph counts."""
    out.mkdir(parents=True, exist_ok=True)
    handles = {}
    counts: dict[str, int] = {}
    try:
        for doc in iter_documents(data):
            split = doc["split"]
            if split not in handles:
                handles[split] = open(out / f"{split}.jsonl", "w", encoding="utf-8")
            handles[split].write(json.dumps({"id": doc["id"], "source": doc["source"], "text": "\n\n".join(doc["paragraphs"])}) + "\n")
            counts[split] = counts.get(split, 0) + len(doc["paragraphs"])
    finally:
        for h in handles.values():
            h.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from script_args import check_data

    parser = argparse.ArgumentParser(description="Export the clean corpora into ref / train / dev / genre JSONL splits.")
    parser.add_argument("out", nargs="?", type=Path, default=Path("build/corpora"), help="output directory (default: build/corpora)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data directory")
    args = parser.parse_args(argv)
    check_data(parser, args.data)
    print(export(args.out, args.data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
