"""Parameters of chapter 1, ``notebooks/01_metrics.md``."""

from redshift_utils.book.parameters import MAX_SEED, ChapterSpec, Param, distinct_rule, size_rule

# Every activation of the library (ru.ACTIVATIONS); the paper's figures use the first seven.
ACTIVATION_CHOICES = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin", "sigmoid", "identity")


def fig6_architectures(values: dict) -> str | None:
    """The Figure 6 sweep needs at least 3 architectures (rank correlations), the unbiased model included."""
    count = len(values["fig6_activations"]) * len(values["fig6_depths"]) * len(values["fig6_prefactors"]) + 1
    if count < 3:
        return (
            f"fig6_activations x fig6_depths x fig6_prefactors give {count} architectures (unbiased included); "
            "the Figure 6 sweep needs at least 3"
        )
    return None


def resolution_architectures(values: dict) -> str | None:
    """The resolution study needs at least 3 architectures (rank correlations), the unbiased model included."""
    count = len(values["resolution_activations"]) * len(values["resolution_prefactors"]) + 1
    if count < 3:
        return (
            f"resolution_activations x resolution_prefactors give {count} architectures (unbiased included); "
            "the resolution study needs at least 3"
        )
    return None


RULES = (
    fig6_architectures,
    resolution_architectures,
    distinct_rule("resolution_ns", noun="grid sizes"),
    size_rule("the convention checks", "n_networks x grid_n^2", lambda v: v["n_networks"] * v["grid_n"] ** 2),
    size_rule(
        "the Figure 6 sweep's example functions",
        "(len(fig6_activations) x len(fig6_depths) x len(fig6_prefactors) + 1) x examples_per_architecture x grid_n^2",
        lambda v: (
            (len(v["fig6_activations"]) * len(v["fig6_depths"]) * len(v["fig6_prefactors"]) + 1)
            * v["examples_per_architecture"]
            * v["grid_n"] ** 2
        ),
    ),
    size_rule(
        "the resolution study",
        "resolution_networks x max(resolution_ns)^2",
        lambda v: v["resolution_networks"] * max(v["resolution_ns"]) ** 2,
    ),
)

SPEC = ChapterSpec(
    notebook="01_metrics",
    params=(
        Param("seed", "int", 0, "Base seed of every random draw.", minimum=0, maximum=MAX_SEED),
        Param("grid_n", "int", 64, "Grid points per axis for the measures.", minimum=16, maximum=512),
        Param(
            "n_networks",
            "int",
            64,
            "Random networks per architecture in the Figure 6 sweep and the convention checks.",
            presets={"smoke": 6, "paper": 1000},
            minimum=4,
            maximum=10000,
        ),
        Param(
            "fig6_activations",
            "strs",
            ["relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin"],
            "Activations of the Figure 6 sweep (crossed with depths and prefactors; the unbiased model is added).",
            presets={"smoke": ["relu", "tanh", "sin"]},
            choices=ACTIVATION_CHOICES,
            max_length=len(ACTIVATION_CHOICES),
        ),
        Param(
            "fig6_depths",
            "ints",
            [1, 3, 6],
            "Hidden-layer counts of the Figure 6 sweep.",
            presets={"smoke": [1, 3], "paper": [1, 2, 3, 4, 6, 8]},
            minimum=1,
            maximum=16,
            max_length=16,
        ),
        Param(
            "fig6_prefactors",
            "floats",
            [1.0, 3.0, 10.0],
            "Pre-activation prefactors (weights and biases scaled together) of the Figure 6 sweep.",
            presets={"smoke": [1.0, 10.0], "paper": [1.0, 2.0, 3.0, 5.0, 10.0, 20.0]},
            minimum=0.01,
            maximum=1000.0,
            max_length=16,
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
            max_length=64,
        ),
        Param(
            "recovery_draws",
            "int",
            1000,
            "Random polynomials per basis and degree in the coefficient-recovery study (the same in every basis).",
            minimum=10,
            maximum=20000,
        ),
        Param(
            "resolution_ns",
            "ints",
            [32, 64, 128, 256],
            "Grid sizes of the resolution study.",
            presets={"smoke": [32, 64]},
            minimum=16,
            maximum=512,
            max_length=8,
        ),
        Param(
            "resolution_activations",
            "strs",
            ["relu", "gelu", "tanh", "sin"],
            "Activations of the resolution study (depth 3, crossed with resolution_prefactors; unbiased added).",
            presets={"smoke": ["relu", "sin"]},
            choices=ACTIVATION_CHOICES,
            max_length=len(ACTIVATION_CHOICES),
        ),
        Param(
            "resolution_prefactors",
            "floats",
            [1.0, 5.0],
            "Prefactors of the resolution study.",
            minimum=0.01,
            maximum=1000.0,
            max_length=16,
        ),
        Param(
            "resolution_networks",
            "int",
            8,
            "Random networks per architecture and grid size in the resolution study.",
            presets={"smoke": 4, "paper": 200},
            minimum=4,
            maximum=10000,
        ),
    ),
    rules=RULES,
)
