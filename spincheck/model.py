"""Stage 6: the scoring model as data: arrays + a JSON model card, checked on load.

A model directory holds only data files (``.npy``/``.npz`` read with
``allow_pickle=False``, and JSON), so a directory someone hands you cannot run
code when loaded. ``card.json`` records the format version, the versions that
built it, the feature schema, the threshold, held-out metrics and the SHA-256
of every other file; :func:`load_model_dir` refuses a directory whose files do
not match it. One file may be missing from the card: the lexicon's optional
``casing.npz`` (see :func:`spincheck.lexicon.read_casing`), which the shipped
card predates and which can change only the case of a suggestion; a card that
lists it has it checked as any other file.

Scoring needs only numpy; scikit-learn is imported by training code alone
(see :mod:`spincheck.estimator`).
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._lazy import cached_property
from ._npz import save_npz
from .features import FEATURE_NAMES, PARAGRAPH_FEATURE_NAMES, TOKEN_FEATURE_NAMES
from .lexicon import MAX_PHRASE_TOKENS, Lexicon
from .reference import Reference

__all__ = [
    "FORMAT_VERSION",
    "ModelError",
    "NeuralScorer",
    "Classifier",
    "ModelCard",
    "LoadedModel",
    "load_model_dir",
    "default_model_dir",
    "write_card",
    "sha256_file",
    "feature_schema_hash",
]

FORMAT_VERSION = 1
# Rows of a NeuralScorer's input taken at a time: the block's 2048 x 32 values (512 kB) stay in
# the cache between the steps of the network.
DECISION_BLOCK_ROWS = 2048
CARD = "card.json"
CLASSIFIER = "classifier.npz"


class ModelError(Exception):
    """A model directory is missing, corrupted, changed or of an unsupported version."""


def sha256_file(path: Path) -> str:
    """The file's SHA-256. hashlib.file_digest reads into one reused buffer, where reading 1 MB
    blocks made a bytes object of each: a tenth less time for the 77 MB that every load verifies."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def feature_schema_hash(names: tuple[str, ...] = FEATURE_NAMES) -> str:
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()[:16]


@dataclass
class NeuralScorer:
    """Standardise, then a one-hidden-layer network (or a linear model when
    ``hidden`` is empty), then a logistic output: all plain numpy.
    """

    mean: np.ndarray
    scale: np.ndarray
    hidden_weights: np.ndarray  # (n_features, n_hidden); (n_features, 0) for linear
    hidden_bias: np.ndarray
    out_weights: np.ndarray  # (n_hidden or n_features,)
    out_bias: float

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The output layer's value for each row of ``X`` (C or Fortran order alike).

        Rows go through the network DECISION_BLOCK_ROWS at a time, in two buffers that stay in
        the cache: the whole batch at once (50,000 tokens) made two temporaries of 13 MB each,
        written out to memory and read back by each step. Each row's value is the same to the
        bit: a row's products do not depend on the rows around it, as long as no block is one row
        after others (numpy multiplies a lone row as a vector, which sums in another order: the
        last row of 2,049 moved by an ulp), so a block takes the last row with it. Blocks start
        at multiples of DECISION_BLOCK_ROWS, where BLAS's own blocking of the rows falls too
        (ending a block a row earlier instead moved rows near its end).
        """
        X = np.asarray(X, dtype=np.float64)
        n, hidden = X.shape[0], self.hidden_weights.shape[1]
        out = np.empty(n, np.float64)
        z = np.empty((min(n, DECISION_BLOCK_ROWS + 1), X.shape[1]), np.float64)
        h = np.empty((z.shape[0], hidden), np.float64)
        lo = 0
        while lo < n:
            hi = min(lo + DECISION_BLOCK_ROWS, n)
            hi += n - hi == 1  # the last row, not left alone
            layer = z[: hi - lo]
            np.subtract(X[lo:hi], self.mean, out=layer)
            layer /= self.scale
            if hidden:
                np.matmul(layer, self.hidden_weights, out=h[: hi - lo])
                layer = h[: hi - lo]
                layer += self.hidden_bias
                np.maximum(layer, 0.0, out=layer)
            np.matmul(layer, self.out_weights, out=out[lo:hi])
            lo = hi
        out += self.out_bias
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the "spun" class for each row."""
        z = np.clip(self.decision_function(X), -40.0, 40.0)
        return 1.0 / (1.0 + np.exp(-z))

    _FIELDS = ("mean", "scale", "hidden_weights", "hidden_bias", "out_weights")

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        arrays = {prefix + name: np.asarray(getattr(self, name), dtype=np.float64) for name in self._FIELDS}
        arrays[prefix + "out_bias"] = np.array([self.out_bias], dtype=np.float64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> "NeuralScorer":
        values = {name: arrays[prefix + name] for name in cls._FIELDS}
        return cls(out_bias=float(arrays[prefix + "out_bias"][0]), **values)


@dataclass
class Classifier:
    """The two trained stages: a token model (was this token substituted?)
    and a paragraph model over token-score aggregates and familiarity features.

    ``prior_logit`` is the log-odds of substitution in the token model's
    training data, so ``token_logit - prior_logit`` is a likelihood ratio.
    """

    token: NeuralScorer
    paragraph: NeuralScorer
    prior_logit: float

    def save(self, path: Path) -> None:
        arrays = {**self.token.to_arrays("token_"), **self.paragraph.to_arrays("paragraph_")}
        arrays["prior_logit"] = np.array([self.prior_logit])
        save_npz(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> "Classifier":
        with np.load(path, allow_pickle=False) as d:
            arrays = {k: d[k] for k in d.files}
        return cls(
            NeuralScorer.from_arrays(arrays, "token_"),
            NeuralScorer.from_arrays(arrays, "paragraph_"),
            float(arrays["prior_logit"][0]),
        )


@dataclass
class ModelCard:
    """The parsed ``card.json`` of a model directory."""

    threshold: float
    version: str
    format_version: int
    feature_names: tuple[str, ...]
    files: dict[str, str]
    raw: dict = field(default_factory=dict)


@dataclass
class LoadedModel:
    path: Path
    card: ModelCard
    classifier: Classifier
    reference: Reference
    lexicon: Lexicon

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the card, which holds the SHA-256 of every file: the model's identity."""
        return hashlib.sha256(json.dumps(self.card.raw, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def write_card(directory: Path, card: dict) -> Path:
    """Write ``card.json`` with format version and the SHA-256 of every other file."""
    files = {p.name: sha256_file(p) for p in sorted(directory.iterdir()) if p.is_file() and p.name != CARD}
    full = dict(card)
    full["format_version"] = FORMAT_VERSION
    full["feature_names"] = list(FEATURE_NAMES)
    full["feature_schema"] = feature_schema_hash()
    full["files"] = files
    path = directory / CARD
    path.write_text(json.dumps(full, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_card(directory: Path) -> ModelCard:
    path = directory / CARD
    if not directory.is_dir():
        from .inputs import web_address

        if not directory.exists() and (url := web_address(str(directory))) is not None:
            raise ModelError(
                f"model directory {url} is a web address: models are read from a directory, never downloaded "
                "(pass a directory made by 'spincheck train')"
            )
        what = "is a file, not a directory" if directory.exists() else "does not exist"
        raise ModelError(f"model directory {directory} {what} (pass a directory made by 'spincheck train')")
    if not path.is_file():
        raise ModelError(f"{directory} has no {CARD} (pass a directory made by 'spincheck train')")
    try:
        data = path.read_bytes()
    except OSError as exc:  # unreadable (permissions, I/O): a ModelError, as it is for the other files
        raise ModelError(f"model file {path} cannot be read ({exc.strerror or exc})") from None
    try:
        raw = json.loads(data.decode("utf-8"))
        fmt = raw["format_version"]
        # write_card writes an int from 1 up: int() read 0, -3 and 1.9 as formats to load
        if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
            raise ValueError(f"format_version {fmt!r} is not a format version")
        threshold = float(raw["threshold"])
        names = tuple(raw["feature_names"])
        if not all(isinstance(name, str) for name in names):
            raise TypeError("feature_names must be strings")
        files = dict(raw["files"])
    except (ValueError, KeyError, TypeError, RecursionError, OverflowError) as exc:  # Overflow: float(10**400)
        raise ModelError(f"model file {path} is corrupted or was changed ({exc.__class__.__name__}: {exc})") from None
    if not 0.0 <= threshold <= 1.0:  # also false for NaN
        raise ModelError(f"model file {path} is corrupted or was changed (threshold {threshold} is not in 0-1)")
    if fmt > FORMAT_VERSION:
        raise ModelError(
            f"model in {directory} has format version {fmt}, but this spincheck reads format {FORMAT_VERSION} "
            "or older (upgrade spincheck)"
        )
    if names != FEATURE_NAMES:
        raise ModelError(
            f"model in {directory} was built for a different feature schema "
            f"({feature_schema_hash(names)}, this spincheck uses {feature_schema_hash()}); retrain it"
        )
    return ModelCard(threshold, str(raw.get("spincheck_version", "?")), fmt, names, files, raw)


def verify_files(directory: Path, card: ModelCard) -> None:
    """Refuse missing, truncated or changed files before any of them is parsed."""
    for name in (CLASSIFIER, Lexicon.FILE, *[f for f in Reference.FILES]):
        if name not in card.files:
            raise ModelError(f"model card in {directory} does not list {name} (the card is incomplete)")
    for name, expected in sorted(card.files.items()):
        path = directory / name
        try:  # is_file raises for a name too long (a card's own); sha256_file for an unreadable file
            if not path.is_file():
                raise ModelError(f"model file {path} is missing (reinstall or retrain the model)")
            digest = sha256_file(path)
        except OSError as exc:  # a PermissionError here, but a ModelError once past the hash check
            raise ModelError(f"model file {path} cannot be read ({exc.strerror or exc})") from None
        if digest != expected:
            raise ModelError(f"model file {path} is corrupted or was changed (SHA-256 does not match card.json)")


def default_model_dir() -> Path:
    """Directory of the shipped model: installed as ``spincheck._models``, or ``models/`` in a checkout."""
    try:
        from importlib.resources import files

        path = Path(str(files("spincheck._models")))
        if (path / "card.json").is_file():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "models"


def load_model_dir(directory: Path, *, mmap: bool = True) -> LoadedModel:
    """Load and verify a model directory."""
    directory = Path(directory)
    card = read_card(directory)
    verify_files(directory, card)
    try:
        classifier = Classifier.load(directory / CLASSIFIER)
        reference = Reference.load(directory, mmap=mmap)
        lexicon = Lexicon.load(directory)
    except KeyError as exc:
        raise ModelError(f"model in {directory} could not be read (it lacks the array {exc})") from None
    # files that match their card can still be wrong when the directory was built wrongly:
    # a file that is no npz archive, JSON that is no object, a table of the wrong shape
    except (
        OSError,
        ValueError,
        IndexError,
        TypeError,
        AttributeError,
        EOFError,
        RecursionError,
        zipfile.BadZipFile,
    ) as exc:
        raise ModelError(f"model in {directory} could not be read ({type(exc).__name__}: {exc})") from None
    if classifier.token.mean.shape != (len(TOKEN_FEATURE_NAMES),) or classifier.paragraph.mean.shape != (
        len(PARAGRAPH_FEATURE_NAMES),
    ):
        raise ModelError(f"model file {directory / CLASSIFIER} does not match the feature schema")
    problem = _scorer_problem(classifier.token, "token") or _scorer_problem(classifier.paragraph, "paragraph")
    if problem is None and not np.isfinite(classifier.prior_logit):
        problem = f"its prior_logit is {classifier.prior_logit}"
    if problem:
        raise ModelError(f"model file {directory / CLASSIFIER} could not be read ({problem})")
    if problem := _table_problem(reference, lexicon):
        raise ModelError(f"model in {directory} could not be read ({problem})")
    # the absolute path: the model is found again by it (a pickled Detector) after a chdir
    return LoadedModel(directory.resolve(), card, classifier, reference, lexicon)


def _scorer_problem(scorer: NeuralScorer, name: str) -> str | None:
    """What is wrong with a scorer's arrays beyond ``mean``, which scoring combines without checking:
    a weight matrix of the wrong width, or strings, failed on the first paragraph scored, a NaN
    weight or a zero scale made every probability NaN."""
    n, weights = len(scorer.mean), scorer.hidden_weights
    if weights.ndim != 2:
        return f"its {name} model's hidden_weights are not a matrix"
    hidden = weights.shape[1]
    shapes = {"scale": (n,), "hidden_weights": (n, hidden), "hidden_bias": (hidden,), "out_weights": (hidden or n,)}
    for part, shape in shapes.items():
        if getattr(scorer, part).shape != shape:
            return f"its {name} model's {part} has shape {getattr(scorer, part).shape}, not {shape}"
    arrays = [getattr(scorer, part) for part in NeuralScorer._FIELDS]
    if any(array.dtype.kind != "f" for array in arrays):
        return f"its {name} model's weights are not floats"
    if not all(np.isfinite(array).all() for array in arrays) or not np.isfinite(scorer.out_bias):
        return f"its {name} model holds NaN or infinite weights"
    if not scorer.scale.all():
        return f"its {name} model divides by a zero scale"
    return None


def _finite_number(value: object) -> bool:
    """Whether ``float()`` reads ``value`` as a number other than inf or NaN, as scoring reads it."""
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer of 400 digits
        return False


def _table_problem(reference: Reference, lexicon: Lexicon) -> str | None:
    """What is wrong with the tables' types and shapes, which lookups rely on without checking."""
    if not isinstance(reference.info, dict) or not isinstance(lexicon.info, dict):
        return "its reference.json or lexicon info is not a JSON object"
    for key in ("tokens", "paragraphs"):  # scoring takes their logs: "many" or null raised there, NaN scored NaN
        if key in reference.info and not _finite_number(reference.info[key]):
            return f"its reference.json gives {key} as {reference.info[key]!r}, not a finite number"
    tables = {"unigram": reference.unigrams, "bigram": reference.bigrams, "trigram": reference.trigrams}
    for name, table in tables.items():
        if table.keys.dtype != np.uint64 or table.keys.ndim != 1 or table.values.shape != table.keys.shape:
            return f"its {name} table is not uint64 keys with one value each"
        # NgramTable.lookup reads uint8 as quantised; uint16 and wider were read as log-probabilities
        if table.values.dtype.kind != "f" and table.values.dtype != np.uint8:
            return f"its {name} table's values are neither float log-probabilities nor quantised bytes"
    vectors = reference.vectors
    if (
        vectors.keys.dtype != np.uint64
        or vectors.matrix.ndim != 2
        or len(vectors.matrix) != len(vectors.keys)
        or vectors.matrix.shape[1] == 0
        or vectors.matrix.dtype.kind != "f"
    ):
        return "its word vectors are not one row of floats per uint64 key"
    offsets = lexicon.offsets
    if (
        lexicon.keys.dtype != np.uint64
        or offsets.shape != (len(lexicon.keys) + 1,)
        or (len(offsets) and (offsets[0] != 0 or offsets[-1] != len(lexicon.cand_phrase)))
        or np.any(np.diff(offsets) < 0)
        or len(lexicon.cand_group) != len(lexicon.cand_phrase)
    ):
        return "its lexicon is not uint64 keys with one candidate range each"
    # the phrase table the candidates point into: unchecked, an index past its end or a short
    # array raised IndexError or a broadcast error on the first paragraph scored
    n_phrases, phrase_offsets = len(lexicon.phrase_len), lexicon.phrase_offsets
    indexes = (lexicon.key_phrase, lexicon.cand_phrase, lexicon.phrase_len, lexicon.offsets, phrase_offsets)
    if (
        any(array.ndim != 1 or array.dtype.kind not in "ui" for array in indexes)
        or lexicon.key_phrase.shape != lexicon.keys.shape
        or lexicon.phrase_ids.shape != (n_phrases, MAX_PHRASE_TOKENS)
        or lexicon.phrase_ids.dtype != np.uint64
        or lexicon.phrase_blob.ndim != 1
        or lexicon.phrase_blob.dtype != np.uint8
        or phrase_offsets.shape != (n_phrases + 1,)
        or phrase_offsets[0] != 0
        or phrase_offsets[-1] != len(lexicon.phrase_blob)
        or np.any(np.diff(phrase_offsets) < 0)
        or any(len(index) and not 0 <= index.min() <= index.max() < n_phrases for index in indexes[:2])
    ):
        return "its lexicon's phrase table is malformed, or its candidates point past it"
    return None
