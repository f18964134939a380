"""The paper's own data: its activations, its Figure 5 as read off the figure, its numbered claims.

Why one module: every chapter, spec and the scoreboard compare against the same readings and
point at the same claim numbers, so none of them can drift. These are the *paper's* numbers,
the reference we compare with, never our results. Teney, Nicolicioiu, Hartmann and Abbasnejad,
"Neural Redshift: Random Networks are not Random Functions", CVPR 2024.
"""

from __future__ import annotations

from dataclasses import dataclass

# The seven activations of Figures 4 and 5, in the paper's order.
ACTIVATIONS = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin")
RELU_LIKE = ("relu", "gelu", "swish", "selu")
SATURATING_OR_PERIODIC = ("tanh", "gaussian", "sin")

DISPLAY_NAMES = {
    "relu": "ReLU",
    "gelu": "GELU",
    "swish": "Swish",
    "selu": "SELU",
    "tanh": "TanH",
    "gaussian": "Gaussian",
    "sin": "Sin",
    "sigmoid": "Sigmoid",  # not in Figures 4 and 5; chapter 6's local volumes (EleutherAI's five) and chapter 5
    "identity": "Identity",
    "unbiased": "Unbiased",
}

# The four lines of each Figure 5 panel: the component switched on in every hidden layer.
COMPONENTS = {"mlp": {}, "gating": {"gating": True}, "residual": {"residual": True}, "layernorm": {"layernorm": True}}
COMPONENT_NAMES = {"mlp": "MLP", "gating": "+Gating", "residual": "+Residual", "layernorm": "+Layer norm"}

# The x-range (largest magnitude) of each Figure 5 panel, as printed in the paper.
FIG5_X_MAX = {
    "relu": 10.0,
    "gelu": 10.0,
    "swish": 10.0,
    "selu": 10.0,
    "tanh": 50.0,
    "gaussian": 30.0,
    "sin": 20.0,
    "unbiased": 10.0,
}

# Figure 5's curves as read off the published figure (axes linear): each point is (magnitude,
# low, high), the complexity the curve shows there, a range where the curve is read as "about
# 0.08-0.10" or "0.02-0.04, flat" (a single value has low = high). The readings are good to about
# +-0.03 in complexity and a few percent of the axis in magnitude (FIG5_READ_PRECISION). A level
# read over a whole range ("flat", "about v") is a point at both ends of the panel; "1.00 from 9 to
# 20" is a point at 9 and one at 20. Read more precisely for the convention search of Figure 5
# (notebooks/03b_figure5_search.md), replacing the coarser readings the book started with.
# Two readings are the book's, where the figure leaves a line's start implicit: the ReLU, GELU and
# Swish gating lines are "flat until about 4", read as the MLP's level at 1 and 4; the gating lines
# of TanH, Gaussian and Sin overlap their MLP lines ("same or slightly above"), so they get the MLP
# readings (for Gaussian and Sin the figure gives nothing more precise).
FIG5_READ_PRECISION = 0.03
# ... and in magnitude, as a fraction of the panel's x-range ("a few percent of the axis").
FIG5_READ_X_PRECISION = 0.03
# The boundary between a flat and a rising line that chapters 2 and 3 use (a change one could see
# on the figure): the precision of the book's first, coarser readings, kept as their rules' boundary.
FIG5_READ_TOLERANCE = 0.05


def _level(low: float, high: float, *xs: float) -> list[tuple[float, float, float]]:
    """A level read over a range of magnitudes: the same band at each of ``xs``."""
    return [(float(x), low, high) for x in xs]


def _points(*pairs: tuple[float, float]) -> list[tuple[float, float, float]]:
    """Points read as single values: (x, y) -> (x, y, y)."""
    return [(float(x), y, y) for x, y in pairs]


_RELU_LIKE_MLP = _level(0.10, 0.12, 1, 10)
_BAND_MLP = {
    "relu": _RELU_LIKE_MLP,
    "gelu": _RELU_LIKE_MLP,
    "swish": _RELU_LIKE_MLP,
    "selu": _points((1, 0.05), (10, 0.10)),
    "tanh": _points((1, 0.05), (5.4, 0.15), (9.8, 0.28), (16, 0.40), (27, 0.47), (38, 0.49), (44, 0.52), (50, 0.52)),
    "gaussian": _points(
        (1, 0.18), (4, 0.10), (9.9, 0.56), (13, 0.71), (17, 0.82), (21.5, 0.87), (26, 0.90), (30, 0.92)
    ),
    "sin": _points((1, 0.04), (3.3, 0.14), (6.8, 0.95), (9, 1.00), (20, 1.00)),
    "unbiased": _points((1, 1.00), (10, 1.00)),
}
_RELU_LIKE_GATING = [*_level(0.10, 0.12, 1, 4), *_points((10, 0.20))]
FIG5_BANDS: dict[str, dict[str, list[tuple[float, float, float]]]] = {
    "mlp": _BAND_MLP,
    "gating": {"relu": _RELU_LIKE_GATING, "gelu": _RELU_LIKE_GATING, "swish": _RELU_LIKE_GATING}
    | {"selu": _points((10, 0.20))}
    | {a: _BAND_MLP[a] for a in SATURATING_OR_PERIODIC},
    "residual": {a: _level(0.08, 0.08, 1, 10) for a in ("relu", "gelu", "swish")}
    | {
        "selu": _level(0.05, 0.07, 1, 10),
        "tanh": _level(0.02, 0.04, 1, 50),
        "gaussian": _points((1, 0.10), (30, 0.05)),
        "sin": [(1.0, 0.05, 0.05), (20.0, 0.08, 0.10)],
    },
    "layernorm": {a: _level(0.05, 0.07, 1, 10) for a in ("relu", "gelu", "swish")}
    | {
        "selu": _level(0.02, 0.02, 1, 10),
        "tanh": _level(0.02, 0.04, 1, 50),
        "gaussian": _level(0.08, 0.10, 1, 30),
        "sin": _level(0.02, 0.02, 1, 20),
    },
}
# The same readings as (magnitude, value) pairs, a band read at its middle: what the chapters'
# tables and shape rules compare with.
FIG5_READ: dict[str, dict[str, list[tuple[float, float]]]] = {
    component: {a: [(x, round((lo + hi) / 2, 4)) for x, lo, hi in points] for a, points in curves.items()}
    for component, curves in FIG5_BANDS.items()
}


@dataclass(frozen=True)
class PaperClaim:
    """One checkable statement of the paper, numbered so results can point at it."""

    number: int
    title: str
    statement: str
    section: str


CLAIMS = (
    PaperClaim(1, "ReLU is invariant", "A ReLU MLP on 2-D inputs keeps a low Fourier complexity (about 0.1) for "
               "magnitudes 1 to 10 and any depth, with near-zero variance across random draws.", "3, Fig. 4-5"),
    PaperClaim(2, "ReLU-like activations are nearly invariant", "GELU, Swish and SELU stay low (about 0.05-0.12) "
               "but rise slightly with depth and magnitude.", "3, App. F"),
    PaperClaim(3, "Saturating and periodic activations are not", "TanH, Gaussian and Sin rise strongly with "
               "magnitude and depth: TanH about 0.5 at 50, Gaussian about 0.9 at 30, Sin saturating at 1 by "
               "about 6-7.", "3, Fig. 4-5"),
    PaperClaim(4, "Layer normalisation flattens complexity", "Layer normalisation before each activation makes "
               "complexity essentially flat in the magnitude, for every activation.", "3, Fig. 5"),
    PaperClaim(5, "Residual connections keep complexity low", "Residual connections keep complexity among the "
               "lowest levels for all activations and depths (e.g. Sin + residual about 0.08).", "3, Fig. 5"),
    PaperClaim(6, "Gating raises complexity, even for ReLU", "Multiplicative gating makes even ReLU's complexity "
               "grow with magnitude and depth (about 0.10 to 0.20 over 1-10).", "3, Fig. 5"),
    PaperClaim(7, "Width has no effect", "The width of the layers does not change the complexity distribution.",
               "3, Table 1"),
    PaperClaim(8, "Bias magnitude has no effect", "The magnitude of the biases does not change complexity.",
               "3, Table 1"),
    PaperClaim(9, "The unbiased model is white noise", "A model with a uniform prior over frequencies scores "
               "the white-noise level (1) at every magnitude.", "3, Fig. 5"),
    PaperClaim(10, "The three measures agree", "Fourier, polynomial (Chebyshev/Legendre) and LZ complexity are "
               "closely correlated across architectures.", "2, Fig. 6"),
    PaperClaim(11, "Modulo arithmetic", "A ReLU MLP generalises only for M = 10 (fits but fails on M = 7, 4); "
               "TanH, Gaussian and Sin with a tuned prefactor solve all three; the best prefactor rises as M "
               "falls.", "4.1, Fig. 7-8"),
    PaperClaim(12, "Shortcut learning", "LZ complexity at initialisation rises with the prefactor; colour "
               "reliance is highest at small prefactors; digit accuracy is an inverted U, falling fastest for "
               "Sin.", "4.2, Fig. 9"),
    PaperClaim(13, "Random Transformers", "Random GPT-2-style models generate low-LZ sequences; ReLU lowers and "
               "SELU, TanH and sine raise LZ; a larger layer-norm gain raises it (with shoulders); more blocks "
               "magnify the differences.", "5, Fig. 10"),
    PaperClaim(14, "Guess-and-check needs the bias", "Chiang et al.'s guess-and-check generalisation survives "
               "MSE instead of cross-entropy but disappears with the unbiased architecture.", "4.3, App. E"),
    PaperClaim(15, "A complex start does not give complex solutions", "Gradient descent from a high-complexity "
               "initialisation in a simplicity-biased architecture still finds simple solutions.", "App. E.3"),
)


def paper_claim(number: int) -> PaperClaim:
    """The paper's claim ``number`` (1-15); a clear error for any other number."""
    for claim in CLAIMS:
        if claim.number == number:
            return claim
    raise ValueError(f"the paper's claims are numbered 1 to {len(CLAIMS)}, got {number!r}")


def fig5_magnitudes(name: str, steps: int) -> list[float]:
    """The magnitudes at which a Figure 5 panel is sampled: ``steps`` evenly spaced over the
    paper's x-range, plus every magnitude the paper is read at (so each reading has a point)."""
    if name not in FIG5_X_MAX:
        raise ValueError(f"no Figure 5 panel for {name!r}; panels: {', '.join(FIG5_X_MAX)}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}")
    x_max = FIG5_X_MAX[name]
    even = [1.0 + (x_max - 1.0) * k / (steps - 1) for k in range(steps)]
    read = [float(x) for curves in FIG5_READ.values() for x, _ in curves.get(name, [])]
    return sorted({round(x, 6) for x in even + read})


def figure5_config(activation: str, component: str = "mlp", **fields: object):  # -> MLPConfig
    """The MLP of one Figure 5 line: ``activation`` with ``component`` switched on in every hidden
    layer, and any other ``MLPConfig`` fields (depth, width, prefactor, ...)."""
    from redshift_utils.configs import MLPConfig

    if component not in COMPONENTS:
        raise ValueError(f"component must be one of {', '.join(COMPONENTS)}, got {component!r}")
    numbers = {k: float(v) if k in ("prefactor", "alpha") else v for k, v in fields.items()}
    return MLPConfig(activation=activation, **COMPONENTS[component], **numbers)
