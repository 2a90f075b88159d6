"""Binary classification metrics in numpy (no scikit-learn needed to evaluate)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Sized

import numpy as np

from .text import _NORMALIZE_TABLE

__all__ = ["roc_auc", "metrics_at", "threshold_for_fpr", "evidence_quality"]

# 0.29 * 100 is 28.999999999999996 in floating point: a product this close under a whole number
# counts as that number, so that a rate of k/n lets k of n clean paragraphs be flagged.
COUNT_SLACK = 1e-9


def roc_auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Area under the ROC curve (ties get average ranks); None unless both classes occur.

    The Mann-Whitney form, in numpy, so that ``spincheck evaluate`` works without scikit-learn.
    """
    y = np.asarray(y) == 1
    score = np.asarray(score, dtype=np.float64)
    positives = int(y.sum())
    negatives = len(y) - positives
    if not positives or not negatives:
        return None
    order = np.argsort(score, kind="mergesort")
    ordered = score[order]
    new_value = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(new_value)
    ends = np.r_[starts[1:], len(score)]
    average_rank = (starts + 1 + ends) / 2.0  # 1-based ranks start+1 .. end share their mean
    ranks = np.empty(len(score))
    ranks[order] = average_rank[np.cumsum(new_value) - 1]
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def metrics_at(y: np.ndarray, prob: np.ndarray, threshold: float) -> dict:
    """Precision, recall, F1, ROC-AUC, FPR and the confusion counts at ``threshold``.

    A rate with nothing to count is None, not 0: precision when nothing is
    flagged, recall (and F1) without spun paragraphs, FPR without clean ones.
    F1 is 2·TP / (2·TP + FP + FN), so 0 when spun paragraphs are there and
    none is flagged, as scikit-learn's ``f1_score`` gives.
    """
    y = np.asarray(y)
    pred = np.asarray(prob) >= threshold
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    tn = int(np.sum(~pred & (y == 0)))
    # None where a rate has nothing to count: nothing flagged, no spun or no clean paragraphs
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if recall is not None else None
    auc = roc_auc(y, prob)
    return {
        "precision": None if precision is None else round(precision, 4),
        "recall": None if recall is None else round(recall, 4),
        "f1": None if f1 is None else round(f1, 4),
        "roc_auc": None if auc is None else round(auc, 4),
        "fpr": round(fp / (fp + tn), 4) if fp + tn else None,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def threshold_for_fpr(clean_prob: np.ndarray, fpr: float) -> float:
    """The lowest threshold that flags at most a share ``fpr`` of these clean paragraphs.

    Just above the probability of the first clean paragraph that would be one
    too many (1e-6 above, so that float noise in a re-scored paragraph cannot
    flag it). Training picks the shipped threshold this way on its clean dev
    paragraphs, and ``spincheck evaluate --at-fpr`` on a user's own clean text.
    """
    ordered = np.sort(np.asarray(clean_prob, dtype=np.float64))[::-1]
    if ordered.size == 0:
        raise ValueError("no clean probabilities to set a threshold on")
    allowed = false_positives_allowed(ordered.size, fpr)
    if allowed >= ordered.size:
        return float(ordered[-1])
    return float(ordered[allowed]) + 1e-6


def false_positives_allowed(clean: int, fpr: float) -> int:
    """How many of ``clean`` paragraphs a threshold for the rate ``fpr`` may flag, as
    :func:`threshold_for_fpr` counts them: fpr × clean, rounded down (see ``COUNT_SLACK``)."""
    return int(np.floor(fpr * clean + COUNT_SLACK))


def _is_list(value: object) -> bool:
    """A list as :func:`evidence_quality` reads one (its length, then its items): a list or tuple,
    or a numpy array or pandas Series of them (a column of a frame of results), not a text."""
    if isinstance(value, (str, bytes, Mapping)):
        return False
    return isinstance(value, Sized) and isinstance(value, Iterable)


def _check_per_paragraph(replacements: Sequence[Sequence], evidence: Sequence[Sequence]) -> None:
    """Refuse what is not one list per paragraph, with what to pass: None was "object of type
    'NoneType' has no len()", a Result for its evidence "'Result' object is not iterable" (align's
    ParagraphMatch for its swaps too), and one paragraph's evidence, unwrapped, "'str' object has
    no attribute 'start'"."""
    for name, value in (("replacements", replacements), ("evidence", evidence)):
        if not _is_list(value):
            kind = type(value).__name__
            raise TypeError(f"evidence_quality() takes {name} as a list with one list per paragraph, not {kind}")
    for i, swaps in enumerate(replacements):
        if hasattr(swaps, "swaps") or not _is_list(swaps):
            hint = "pass its .swaps" if hasattr(swaps, "swaps") else "pass a list of them"
            raise TypeError(f"replacements {i} is {type(swaps).__name__}, not the list of a paragraph's swaps ({hint})")
    for i, found in enumerate(evidence):
        if hasattr(found, "evidence"):
            hint = "pass its .evidence"
        elif hasattr(found, "start"):
            hint = "pass one list of Evidence per paragraph"
        elif not _is_list(found):
            hint = "pass a list of Evidence"
        else:
            continue
        raise TypeError(f"evidence {i} is {type(found).__name__}, not the list of a paragraph's Evidence ({hint})")


def evidence_quality(replacements: Sequence[Sequence], evidence: Sequence[Sequence]) -> dict:
    """How well the evidence of spun paragraphs with known replacements points at them.

    ``replacements[i]`` holds paragraph i's swaps: the ``Replacement`` objects that
    :func:`spincheck.compare.align` and the spinner give, or ``(start, end, original, ...)``
    tuples; ``evidence[i]`` its ``Evidence`` (strongest first), offsets into the
    same paragraph. Reports the share of replacements inside an evidence span
    (``covered_share``), how often the strongest such span suggests the original
    (``suggestion_right_share``, among spans with a suggestion: the replaced words' original,
    or the original's wording over the whole span, as "as well as" for "in addition to", whose
    three words are three swaps, or "sort of" for "kind of" where "kind" was swapped), and the share of
    evidence spans that touch a replacement (``span_precision``): the other side
    of the coverage, since a paragraph marked all over would cover every
    replacement and tell the reader nothing.
    """
    replaced = covered = suggested = right = spans = on_swaps = 0
    _check_per_paragraph(replacements, evidence)
    if len(replacements) != len(evidence):  # zip would drop the longer one's tail in silence
        raise ValueError(f"{len(replacements)} paragraphs of replacements but {len(evidence)} of evidence")
    for swaps, found in zip(replacements, evidence):
        swaps = [(s.start, s.end, s.original) if hasattr(s, "original") else tuple(s) for s in swaps]
        for start, end, original, *_ in swaps:
            replaced += 1
            hit = [e for e in found if e.start < end and e.end > start]
            if hit:
                covered += 1
                if hit[0].suggestion is not None:
                    suggested += 1
                    suggestion = _phrase(hit[0].suggestion)
                    wording = _original_wording(hit[0], swaps)
                    right += int(suggestion == _phrase(original) or (wording is not None and suggestion == wording))
        spans += len(found)
        on_swaps += sum(1 for e in found if any(e.start < end and e.end > start for start, end, *_ in swaps))
    return {
        "replaced": replaced,
        "covered_share": round(covered / replaced, 4) if replaced else None,
        "suggestion_right_share": round(right / suggested, 4) if suggested else None,
        "evidence_spans": spans,
        "span_precision": round(on_swaps / spans, 4) if spans else None,
    }


def _original_wording(span, swaps: list[tuple]) -> str | None:
    """The original's wording over an evidence span: its phrase with each swap in it put back, or
    None when a swap it touches reaches past it (or the span has no phrase of its length)."""
    phrase = getattr(span, "phrase", None)
    if not isinstance(phrase, str) or len(phrase) != span.end - span.start:
        return None
    inside = sorted(
        (start, end, original) for start, end, original, *_ in swaps if start < span.end and end > span.start
    )
    if any(start < span.start or end > span.end for start, end, _ in inside):
        return None
    parts, at = [], span.start
    for start, end, original in inside:
        parts += [phrase[at - span.start : start - span.start], original]
        at = end
    parts.append(phrase[at - span.start :])
    return _phrase("".join(parts))


# Curly quotes and apostrophes as straight ones, as the tokenizer reads them.
_QUOTES = {code: new for code, new in _NORMALIZE_TABLE.items() if new in ("'", '"')}


def _phrase(text: str) -> str:
    """A phrase compared as words: case, spacing and the form of quotes aside (an original
    hard-wrapped across two lines is "police\\nofficers", its suggestion "police officers"; news
    text writes "bachelor’s degree" with a curly apostrophe, the lexicon with a straight one)."""
    return " ".join(text.translate(_QUOTES).lower().split())
