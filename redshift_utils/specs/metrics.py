"""Parameters of chapter 1, ``notebooks/01_metrics.md``."""

from redshift_utils.parameters import ChapterSpec, Param

# Every activation of the library (ru.ACTIVATIONS); the paper's figures use the first seven.
ACTIVATION_CHOICES = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin", "sigmoid", "identity")

SPEC = ChapterSpec(
    notebook="01_metrics",
    params=(
        Param("seed", "int", 0, "Base seed of every random draw.", minimum=0),
        Param("grid_n", "int", 64, "Grid points per axis for the measures.", minimum=16, maximum=512),
        Param(
            "n_networks",
            "int",
            64,
            "Random networks per architecture in the Figure 6 sweep and the convention checks.",
            presets={"smoke": 6, "paper": 1000},
            minimum=4,
        ),
        Param(
            "fig6_activations",
            "strs",
            ["relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin"],
            "Activations of the Figure 6 sweep (crossed with depths and prefactors; the unbiased model is added).",
            presets={"smoke": ["relu", "tanh", "sin"]},
            choices=ACTIVATION_CHOICES,
        ),
        Param(
            "fig6_depths",
            "ints",
            [1, 3, 6],
            "Hidden-layer counts of the Figure 6 sweep.",
            presets={"smoke": [1, 3], "paper": [1, 2, 3, 4, 6, 8]},
            minimum=1,
            maximum=16,
        ),
        Param(
            "fig6_prefactors",
            "floats",
            [1.0, 3.0, 10.0],
            "Pre-activation prefactors (weights and biases scaled together) of the Figure 6 sweep.",
            presets={"smoke": [1.0, 10.0], "paper": [1.0, 2.0, 3.0, 5.0, 10.0, 20.0]},
            minimum=0.01,
            maximum=1000.0,
        ),
        Param(
            "examples_per_architecture",
            "int",
            4,
            "Functions kept per Figure 6 architecture to compare LZ variants and binarisations on.",
            presets={"smoke": 2, "paper": 16},
            minimum=1,
            maximum=64,
        ),
        Param(
            "degrees",
            "ints",
            [2, 4, 6, 8, 12, 16, 20, 24, 28, 32, 40, 48, 63],
            "Chebyshev degrees of the degree-cap study; a degree >= grid_n is clipped to grid_n - 1 (interpolation).",
            minimum=1,
            maximum=511,
        ),
        Param(
            "resolution_ns",
            "ints",
            [32, 64, 128, 256],
            "Grid sizes of the resolution study.",
            presets={"smoke": [32, 64]},
            minimum=16,
            maximum=512,
        ),
        Param(
            "resolution_activations",
            "strs",
            ["relu", "gelu", "tanh", "sin"],
            "Activations of the resolution study (depth 3, crossed with resolution_prefactors; unbiased added).",
            presets={"smoke": ["relu", "sin"]},
            choices=ACTIVATION_CHOICES,
        ),
        Param(
            "resolution_prefactors",
            "floats",
            [1.0, 5.0],
            "Prefactors of the resolution study.",
            minimum=0.01,
            maximum=1000.0,
        ),
        Param(
            "resolution_networks",
            "int",
            8,
            "Random networks per architecture and grid size in the resolution study.",
            presets={"smoke": 4, "paper": 200},
            minimum=4,
        ),
    ),
)
