"""Frozen, validated configurations of random networks (chapters 2 and 3)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from redshift_utils.activations import ACTIVATIONS
from redshift_utils.validation import as_bool, as_float, as_int, check_choice, fail, set_field

WEIGHT_DISTRIBUTIONS = ("uniform", "normal", "student_t", "uniform_ball")
# Chapter 3's readings of what the paper leaves open (first choice = default = the book's definition,
# conventions page, book/conventions.md, section "Random MLPs, layer by layer").
RESIDUAL_MODES = ("around_phi", "around_layer", "scaled")
LAYERNORM_POSITIONS = ("before", "after")
# Left out of MLPConfig.as_dict() at their defaults, so records and cache keys of every
# configuration that does not use them stay exactly as before they existed.
VARIANT_FIELDS = ("residual_mode", "layernorm_position", "bias_scales_with_alpha", "gate_magnitude")
# Sanity limits of MLPConfig's sizes: far above anything the book runs (its parameters stop at
# width 4096, 32 hidden layers and a 136-dimensional input), they catch a typo such as
# width=10**12 at construction instead of as an out-of-memory error deep inside torch.
MAX_WIDTH = 65536
MAX_DEPTH = 1024
MAX_IN_DIM = 65536


@dataclass(frozen=True)
class MLPConfig:
    """A random MLP, as defined on the conventions page (book/conventions.md, "Random MLPs, layer by layer").

    ``depth`` counts hidden layers; ``depth=0`` is a perceptron, the output layer applied to
    the inputs (chapter 6): ``width`` is then ignored, ``residual``, ``layernorm`` and ``gating``
    are refused, and ``prefactor`` only scales the output. ``alpha`` scales weights only (the
    paper's sampling text);
    ``prefactor`` multiplies each pre-activation ``W h + b`` (weights and biases together),
    the reading of Figure 5's magnitude axis that matches the paper. ``residual`` adds the
    skip around phi (``h = z + phi(z)``); ``layernorm`` normalises ``z`` over channels before
    phi, scaled by ``ln_gain``; ``gating`` multiplies by ``sigmoid(prefactor (W'h + b'))``.

    Variant readings (chapter 3), defaults = the definition above: ``residual_mode``
    ``"around_layer"`` gives ``h = h + a`` instead of ``h = z + a`` (the first hidden layer
    changes the width, in_dim -> width, so it has no skip, like a ResNet stem);
    ``layernorm_position`` ``"after"`` normalises ``phi(z)`` instead of ``z``;
    ``bias_scales_with_alpha`` draws biases from ``U(-alpha bias_scale, alpha bias_scale)``.
    Figure 5's convention search (``notebooks/03b_figure5_search.md``) adds two:
    ``residual_mode`` ``"scaled"`` gives ``h = (z + phi(z)) / sqrt(2)`` (the skip around phi,
    variance-preserving); ``gate_magnitude=False`` gives the gate magnitude 1, ``sigmoid(W'h + b')``
    with ``W'`` and ``b'`` drawn as at ``alpha = 1``, whatever ``prefactor`` and ``alpha`` are.
    ``weight_dist`` (appendix E's priors): ``"uniform"``; ``"normal"``; ``"student_t"`` (df = 3,
    long-tailed); ``"uniform_ball"`` (each weight matrix or bias vector uniform in a ball), all
    with the uniform law's per-coordinate variance.
    Explained in chapters 2 and 3.
    """

    activation: str = "relu"
    depth: int = 3
    width: int = 64
    alpha: float = 1.0
    bias_scale: float = 1.0
    prefactor: float = 1.0
    weight_dist: str = "uniform"
    residual: bool = False
    layernorm: bool = False
    ln_gain: float = 1.0
    gating: bool = False
    in_dim: int = 2
    residual_mode: str = "around_phi"
    layernorm_position: str = "before"
    bias_scales_with_alpha: bool = False
    gate_magnitude: bool = True

    def __post_init__(self) -> None:
        # numpy scalars (np.int64(3), np.float32(2.0), np.bool_(True)) are stored as Python
        # numbers, so the repr, hash, records and cache keys stay those of plain values.
        name = type(self).__name__
        check_choice(name, "activation", self.activation, tuple(ACTIVATIONS))
        set_field(self, "depth", as_int(name, "depth", self.depth, 0, MAX_DEPTH))
        set_field(self, "width", as_int(name, "width", self.width, 1, MAX_WIDTH))
        for field, strict in (("alpha", True), ("bias_scale", False), ("prefactor", True)):
            set_field(self, field, as_float(name, field, getattr(self, field), minimum=0.0, strict=strict))
        check_choice(name, "weight_dist", self.weight_dist, WEIGHT_DISTRIBUTIONS)
        for flag in ("residual", "layernorm", "gating"):
            set_field(self, flag, as_bool(name, flag, getattr(self, flag)))
        set_field(self, "ln_gain", as_float(name, "ln_gain", self.ln_gain, minimum=0.0, strict=True))
        set_field(self, "in_dim", as_int(name, "in_dim", self.in_dim, 1, MAX_IN_DIM))
        check_choice(name, "residual_mode", self.residual_mode, RESIDUAL_MODES)
        check_choice(name, "layernorm_position", self.layernorm_position, LAYERNORM_POSITIONS)
        set_field(self, "bias_scales_with_alpha", as_bool(name, "bias_scales_with_alpha", self.bias_scales_with_alpha))
        set_field(self, "gate_magnitude", as_bool(name, "gate_magnitude", self.gate_magnitude))
        # A perceptron has no hidden layer to put a component in: refuse it rather than ignore it.
        for flag in ("residual", "layernorm", "gating"):
            if self.depth == 0 and getattr(self, flag):
                fail(name, flag, True, "False when depth=0 (a perceptron has no hidden layer)")
        # A variant of a component that is switched off would be silently ignored: refuse it.
        variants = (("residual_mode", "residual"), ("layernorm_position", "layernorm"), ("gate_magnitude", "gating"))
        for option, flag in variants:
            if getattr(self, option) != _DEFAULTS[option] and not getattr(self, flag):
                fail(name, option, getattr(self, option), f"{_DEFAULTS[option]!r} unless {flag}=True")

    def as_dict(self) -> dict[str, object]:
        """Field name -> value, for results records and cache keys (VARIANT_FIELDS only when not default)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in VARIANT_FIELDS or getattr(self, f.name) != f.default
        }


_DEFAULTS = {f.name: f.default for f in fields(MLPConfig)}


@dataclass(frozen=True)
class UnbiasedConfig:
    """The paper's "unbiased" model: random DCT coefficients, a uniform prior over frequencies.

    ``f(x, y) = alpha * sum_j c_j b_j1(x) b_j2(y)``, ``c_j ~ N(0, 1)``, with the basis
    ``b_k(x) = cos(pi k (x+1)/2)`` and ``b_0 = 1/sqrt(2)`` (``sampler.unbiased_basis``): on the
    grid that is the orthonormal DCT-II up to one common factor, so the prior is uniform over
    the measure's own frequencies and the model scores 1 up to sampling error. It has no depth;
    scale (``alpha``) never changes its complexity. Explained in chapter 2; see the conventions
    page, book/conventions.md, section "The unbiased model".
    """

    alpha: float = 1.0

    def __post_init__(self) -> None:
        set_field(self, "alpha", as_float(type(self).__name__, "alpha", self.alpha, minimum=0.0, strict=True))

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
