"""Parameters of chapter 2, ``notebooks/02_activations.md`` (paper section 3: activations)."""

from redshift_utils.book.parameters import MAX_SEED, ChapterSpec, Param, distinct_rule, size_rule
from redshift_utils.paper import ACTIVATIONS

# The activations of every sweep of the chapter (the paper's seven): sizes below count them.
N_ACTIVATIONS = len(ACTIVATIONS)


def heatmap_range(values: dict) -> str | None:
    """Figure 4's prefactors are log-spaced from heatmap_min up to heatmap_max."""
    if values["heatmap_min"] >= values["heatmap_max"]:
        return f"heatmap_min ({values['heatmap_min']}) must be smaller than heatmap_max ({values['heatmap_max']})"
    return None


RULES = (
    heatmap_range,
    distinct_rule("heatmap_depths", noun="depths"),
    size_rule("one Figure 4 cell", "heatmap_networks x grid_n^2", lambda v: v["heatmap_networks"] * v["grid_n"] ** 2),
    size_rule(
        "Figure 4's thumbnails",
        f"({N_ACTIVATIONS} x len(set(heatmap_depths)) + 1) x heatmap_steps x grid_n^2",
        lambda v: (N_ACTIVATIONS * len(set(v["heatmap_depths"])) + 1) * v["heatmap_steps"] * v["grid_n"] ** 2,
    ),
    size_rule("one Figure 5 point", "line_networks x grid_n^2", lambda v: v["line_networks"] * v["grid_n"] ** 2),
    size_rule(
        "Figure 3's functions",
        "2 x len(gallery_prefactors) x max(gallery_draws, line_networks) x grid_n^2",
        lambda v: 2 * len(v["gallery_prefactors"]) * max(v["gallery_draws"], v["line_networks"]) * v["grid_n"] ** 2,
    ),
)

SPEC = ChapterSpec(
    notebook="02_activations",
    params=(
        Param("seed", "int", 0, "Base seed of every random draw.", minimum=0, maximum=MAX_SEED),
        Param(
            "grid_n",
            "int",
            64,
            "Grid points per axis for the functions and the measures.",
            presets={"smoke": 32},
            minimum=8,
            maximum=512,
        ),
        Param("width", "int", 64, "Hidden units per layer of every random MLP.", minimum=1, maximum=4096),
        Param(
            "measure",
            "str",
            "fourier",
            "Complexity measure shown in the Figure 4 heatmaps and the Figure 5 curves (claims always use Fourier).",
            choices=("fourier", "chebyshev", "lz"),
        ),
        Param(
            "heatmap_depths",
            "ints",
            [1, 2, 3, 4, 5, 6, 7],
            "Hidden-layer counts (columns) of the Figure 4 heatmaps.",
            presets={"smoke": [1, 3], "paper": [1, 2, 3, 4, 5, 6, 7, 8]},
            minimum=1,
            maximum=16,
            max_length=16,
        ),
        Param(
            "heatmap_min",
            "float",
            0.3,
            "Smallest prefactor (row) of the Figure 4 heatmaps.",
            minimum=0.001,
            maximum=1000.0,
        ),
        Param(
            "heatmap_max",
            "float",
            50.0,
            "Largest prefactor (row) of the Figure 4 heatmaps.",
            minimum=0.001,
            maximum=1000.0,
        ),
        Param(
            "heatmap_steps",
            "int",
            9,
            "Log-spaced prefactors from heatmap_min to heatmap_max (rows of Figure 4).",
            presets={"smoke": 3, "paper": 15},
            minimum=2,
            maximum=100,
        ),
        Param(
            "heatmap_networks",
            "int",
            12,
            "Random networks averaged per heatmap cell.",
            presets={"smoke": 2, "paper": 128},
            minimum=2,
            maximum=10000,
        ),
        Param(
            "line_depth",
            "int",
            3,
            "Hidden layers of the Figure 3 and Figure 5 networks (the paper's Figure 3 uses 3).",
            minimum=1,
            maximum=16,
        ),
        Param(
            "line_steps",
            "int",
            8,
            "Evenly spaced magnitudes per Figure 5 panel, plus the x-values the paper's curves are read at.",
            presets={"smoke": 3, "paper": 20},
            minimum=2,
            maximum=200,
        ),
        Param(
            "line_networks",
            "int",
            32,
            "Random networks per point of the Figure 5 curves (and per magnitude in Figure 3's statistics).",
            presets={"smoke": 4, "paper": 1000},
            minimum=2,
            maximum=10000,
        ),
        Param(
            "gallery_prefactors",
            "floats",
            [1.0, 3.0, 10.0, 30.0],
            "Magnitudes (columns) of the Figure 1 and Figure 3 galleries.",
            minimum=0.001,
            maximum=1000.0,
            max_length=12,
        ),
        Param(
            "gallery_depths",
            "ints",
            [1, 3, 7],
            "Hidden-layer counts (rows) of the Figure 1 gallery.",
            minimum=1,
            maximum=16,
            max_length=8,
        ),
        Param("gallery_draws", "int", 3, "Random networks shown per activation in Figure 3.", minimum=1, maximum=8),
    ),
    rules=RULES,
)
