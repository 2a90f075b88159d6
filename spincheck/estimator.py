"""The trainable classifier as a scikit-learn estimator (training time only).

:class:`SpinClassifier` follows scikit-learn's conventions (keyword
parameters stored unchanged, learned attributes ending in ``_``, ``fit``
returning ``self``, ``check_is_fitted`` on every predict path) so that it
passes ``sklearn.utils.estimator_checks``. After fitting, :meth:`to_scorer`
exports it to the numpy-only :class:`spincheck.model.NeuralScorer` that ships.
"""

from __future__ import annotations

import warnings
from inspect import signature

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from .model import NeuralScorer

__all__ = ["SpinClassifier"]

# what MLPClassifier warns when it swallows a KeyboardInterrupt
_INTERRUPTED = "Training interrupted by user"


class SpinClassifier(ClassifierMixin, BaseEstimator):
    """Standardised features -> small ReLU network (or logistic regression).

    Parameters
    ----------
    hidden : int, default=32
        Hidden units; 0 gives plain logistic regression.
    alpha : float, default=1e-3
        L2 penalty (``1 / C`` for the logistic model).
    max_iter : int, default=400
    random_state : int, RandomState instance or None
        Seeds the network's initialisation (and so makes fitting repeatable).
    hard_negative_share : float, default=0.0
        After a first fit, this share of the negative rows, those that score
        highest, is weighted by ``hard_negative_weight`` in a second fit. A
        detector is used at a false-positive rate under 1 %, so what counts is
        how the model ranks spun text against the most spun-looking clean text,
        not against all of it. 0 fits once.
    hard_negative_weight : float, default=1.0
        Weight of those rows in the second fit. Weighting shifts the scores, so
        the second fit's output is then recalibrated on the unweighted rows by
        a one-dimensional logistic fit (``calibration_``), which changes no
        ranking.

    Attributes
    ----------
    calibration_ : tuple of float
        ``(slope, intercept)`` applied to the network's output; ``(1.0, 0.0)``
        without hard negatives.
    """

    def __init__(
        self,
        *,
        hidden: int = 32,
        alpha: float = 1e-3,
        max_iter: int = 400,
        random_state=None,
        hard_negative_share: float = 0.0,
        hard_negative_weight: float = 1.0,
    ) -> None:
        self.hidden = hidden
        self.alpha = alpha
        self.max_iter = max_iter
        self.random_state = random_state
        self.hard_negative_share = hard_negative_share
        self.hard_negative_weight = hard_negative_weight

    def __sklearn_tags__(self):
        # Binary only (spun or not): tells sklearn's common checks not to fit
        # multiclass targets, which ``fit`` rejects by design.
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y):
        self._check_params()
        fitted = {name: value for name, value in vars(self).items() if name.endswith("_")}
        try:
            return self._fit(X, y)
        except BaseException:
            # a failed refit (one class, Ctrl-C) leaves the previous fit whole, or none: a mix of
            # the new width and the old network failed later with a matmul error
            for name in [name for name in vars(self) if name.endswith("_")]:
                delattr(self, name)
            vars(self).update(fitted)
            raise

    def _check_params(self) -> None:
        if not 0 <= self.hard_negative_share <= 1 or not self.hard_negative_weight > 0:
            raise ValueError(
                f"hard_negative_share must be in [0, 1] and hard_negative_weight > 0, "
                f"got {self.hard_negative_share!r} and {self.hard_negative_weight!r}"
            )
        if not self.alpha >= 0 or (not self.hidden and not self.alpha > 0):
            raise ValueError(f"alpha must be > 0 (>= 0 with hidden units), got {self.alpha!r}")
        if (
            self.hidden
            and self.hard_negative_share > 0
            and "sample_weight" not in signature(MLPClassifier.fit).parameters
        ):
            raise ValueError("hard negatives with hidden > 0 need scikit-learn >= 1.7 (weighted MLPClassifier)")

    def _fit(self, X, y):
        X, y = validate_data(self, X, y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(f"Only binary classification is supported. The type of the target is {y_type}.")
        self.classes_ = unique_labels(y)
        if len(self.classes_) != 2:  # binary targets have at most two classes: this is one
            raise ValueError(f"SpinClassifier needs two classes, got 1 class ({self.classes_[0]!r})")
        y01 = (y == self.classes_[1]).astype(int)
        self.scaler_ = StandardScaler().fit(X)
        self.scaler_.scale_ = np.where(self.scaler_.scale_ > 0, self.scaler_.scale_, 1.0)
        Z = self.scaler_.transform(X)
        self.calibration_ = (1.0, 0.0)
        self.net_ = self._fit_net(Z, y01)
        if self.hard_negative_share > 0 and self.hard_negative_weight != 1:
            self._refit_on_hard_negatives(Z, y01)
        self.n_iter_ = int(np.max(self.net_.n_iter_))
        return self

    def _new_net(self):
        if self.hidden:
            return MLPClassifier(
                hidden_layer_sizes=(self.hidden,),
                alpha=self.alpha,
                max_iter=self.max_iter,
                early_stopping=False,
                random_state=self.random_state,
            )
        return LogisticRegression(C=1.0 / self.alpha, max_iter=self.max_iter)

    def _fit_net(self, Z: np.ndarray, y01: np.ndarray, **fit_params):
        """A new network fitted to ``Z``; Ctrl-C stops the fit. scikit-learn's MLP catches
        KeyboardInterrupt, warns, and returns the half-trained network as if it were done, which
        ``spincheck train`` would then write as a finished model."""
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=_INTERRUPTED, category=UserWarning)
            try:
                return self._new_net().fit(Z, y01, **fit_params)
            except UserWarning as exc:
                if str(exc).startswith(_INTERRUPTED):
                    raise KeyboardInterrupt from None
                raise

    def _refit_on_hard_negatives(self, Z: np.ndarray, y01: np.ndarray) -> None:
        negative = y01 == 0
        z = self._net_logit(Z)
        cut = np.quantile(z[negative], 1.0 - self.hard_negative_share)
        weights = np.where(negative & (z >= cut), float(self.hard_negative_weight), 1.0)
        self.net_ = self._fit_net(Z, y01, sample_weight=weights)
        # Weighting negatives shifts every score down; a logistic fit of the
        # labels on the new output, unweighted, puts the probabilities back.
        z = self._net_logit(Z).reshape(-1, 1)
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(z, y01)
        self.calibration_ = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))

    def _net_logit(self, Z: np.ndarray) -> np.ndarray:
        """The network's output before calibration: the logit of its probability."""
        net = self.net_
        if isinstance(net, LogisticRegression):
            return net.decision_function(Z)
        hidden = np.maximum(Z @ net.coefs_[0] + net.intercepts_[0], 0.0)  # ReLU, as NeuralScorer
        return hidden @ net.coefs_[1][:, 0] + net.intercepts_[1][0]

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.to_scorer().decision_function(X)

    def predict_proba(self, X) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-np.clip(self.decision_function(X), -40, 40)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def to_scorer(self) -> NeuralScorer:
        """Export the fitted model as plain arrays."""
        check_is_fitted(self)
        mean = self.scaler_.mean_.astype(np.float64)
        scale = self.scaler_.scale_.astype(np.float64)
        net = self.net_
        slope, intercept = self.calibration_
        if isinstance(net, MLPClassifier):
            return NeuralScorer(
                mean=mean,
                scale=scale,
                hidden_weights=net.coefs_[0].astype(np.float64),
                hidden_bias=net.intercepts_[0].astype(np.float64),
                out_weights=slope * net.coefs_[1][:, 0].astype(np.float64),
                out_bias=slope * float(net.intercepts_[1][0]) + intercept,
            )
        return NeuralScorer(
            mean=mean,
            scale=scale,
            hidden_weights=np.zeros((mean.size, 0)),
            hidden_bias=np.zeros(0),
            out_weights=slope * net.coef_[0].astype(np.float64),
            out_bias=slope * float(net.intercept_[0]) + intercept,
        )
