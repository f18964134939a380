"""Parameters of chapter 1, ``notebooks/01_metrics.md``."""

from redshift_utils.parameters import ChapterSpec, Param

SPEC = ChapterSpec(
    notebook="01_metrics",
    params=(
        Param("seed", "int", 0, "Base seed of every random draw.", minimum=0),
        Param("grid_n", "int", 64, "Grid points per axis for the measures.", minimum=8, maximum=512),
        Param(
            "n_networks",
            "int",
            64,
            "Random networks per architecture in the comparisons.",
            presets={"smoke": 6, "paper": 1000},
            minimum=2,
        ),
    ),
)
