"""Parameters of ``notebooks/03b_figure5_search.md``: the convention search of Figure 5 (after chapter 3).

The ``paper`` preset is the full search of issue 14 (``figure5_search.PAPER_GRID``); ``book`` is a
slice around the book's default reading (every depth of the study's range but depth 5 and 7, the
default width and grid) that keeps the page within a few minutes; ``smoke`` is a tiny grid for the
tests.
"""

from redshift_utils.book.parameters import MAX_SEED, ChapterSpec, Param, size_rule
from redshift_utils.figure5_search import MAGNITUDE_READINGS, PAPER_GRID, PAPER_NETWORKS

FIG5_ACTIVATIONS = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin")

RULES = (
    size_rule(
        "one configuration of the search",
        "search_networks x max(search_grids)^2 x max(search_widths)",
        lambda v: v["search_networks"] * max(v["search_grids"]) ** 2 * max(v["search_widths"]),
    ),
)

SPEC = ChapterSpec(
    notebook="03b_figure5_search",
    params=(
        Param("seed", "int", 0, "Base seed of every random draw.", minimum=0, maximum=MAX_SEED),
        Param(
            "activations",
            "strs",
            list(FIG5_ACTIVATIONS),
            "Panels (activations) of Figure 5 to fit.",
            presets={"smoke": ["relu", "sin"]},
            choices=FIG5_ACTIVATIONS,
            max_length=len(FIG5_ACTIVATIONS),
        ),
        Param(
            "search_depths",
            "ints",
            [1, 2, 3, 4, 6, 8],
            "Hidden-layer counts searched.",
            presets={"smoke": [1, 3], "paper": list(PAPER_GRID["depths"])},
            minimum=1,
            maximum=16,
            max_length=16,
        ),
        Param(
            "search_widths",
            "ints",
            [64],
            "Hidden widths searched.",
            presets={"smoke": [16], "paper": list(PAPER_GRID["widths"])},
            minimum=2,
            maximum=1024,
            max_length=8,
        ),
        Param(
            "search_grids",
            "ints",
            [64],
            "Grid sizes n (points per axis) searched.",
            presets={"smoke": [32], "paper": list(PAPER_GRID["grids"])},
            minimum=8,
            maximum=256,
            max_length=4,
        ),
        Param(
            "magnitudes",
            "strs",
            list(MAGNITUDE_READINGS),
            "Readings of the magnitude axis searched: the prefactor (weights and biases) and alpha (weights only).",
            choices=MAGNITUDE_READINGS,
            max_length=len(MAGNITUDE_READINGS),
        ),
        Param(
            "search_networks",
            "int",
            8,
            "Random networks per point of the search (the same draws in every configuration).",
            presets={"smoke": 3, "paper": PAPER_NETWORKS},
            minimum=2,
            maximum=10000,
        ),
    ),
    rules=RULES,
)
