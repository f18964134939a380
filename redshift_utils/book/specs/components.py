"""Parameters of chapter 3, ``notebooks/03_components.md`` (paper section 3: components, Figure 5, Table 1)."""

from redshift_utils.book.parameters import MAX_SEED, ChapterSpec, Param, distinct_rule, size_rule

# The activations of the paper's Figure 5 (the unbiased model is added to every figure).
FIG5_ACTIVATIONS = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin")

RULES = (
    # The depth, width, layer-norm-gain and bias studies draw curves: two distinct values at least.
    distinct_rule("depths"),
    distinct_rule("widths"),
    distinct_rule("ln_gains"),
    distinct_rule("bias_scales"),
    *(
        size_rule(
            f"one configuration of the sweeps drawing {name}",
            f"{name} x grid_n^2",
            lambda v, name=name: v[name] * v["grid_n"] ** 2,
        )
        for name in ("fig5_networks", "variant_networks", "study_networks", "width_networks")
    ),
)

SPEC = ChapterSpec(
    notebook="03_components",
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
        Param("width", "int", 64, "Hidden units per layer (except in the width study).", minimum=1, maximum=4096),
        Param(
            "depth",
            "int",
            3,
            "Hidden layers of the Figure 5 networks and of every study except the depth study.",
            minimum=1,
            maximum=16,
        ),
        Param(
            "measure",
            "str",
            "fourier",
            "Complexity measure drawn in the figures (claims and Table 1 always use Fourier).",
            choices=("fourier", "chebyshev", "lz"),
        ),
        Param(
            "fig5_steps",
            "int",
            6,
            "Evenly spaced magnitudes per Figure 5 panel, plus the x-values the paper's curves are read at.",
            presets={"smoke": 2, "paper": 20},
            minimum=2,
            maximum=50,
        ),
        Param(
            "fig5_networks",
            "int",
            24,
            "Random networks per point of the Figure 5 curves (MLP, +Gating, +Residual, +Layer norm).",
            presets={"smoke": 3, "paper": 1000},
            minimum=2,
            maximum=10000,
        ),
        Param(
            "variant_activations",
            "strs",
            ["relu", "tanh", "gaussian", "sin"],
            "Activations on which the readings of the paper (weights-only alpha, residual placement, "
            "layer norm after phi) are drawn side by side.",
            presets={"smoke": ["relu", "sin"]},
            choices=FIG5_ACTIVATIONS,
            max_length=len(FIG5_ACTIVATIONS),
        ),
        Param(
            "variant_networks",
            "int",
            12,
            "Random networks per point of the side-by-side readings.",
            presets={"smoke": 3, "paper": 200},
            minimum=2,
            maximum=10000,
        ),
        Param(
            "depths",
            "ints",
            [1, 2, 4, 8],
            "Hidden-layer counts of the depth study (every component, every activation).",
            presets={"smoke": [1, 3], "paper": [1, 2, 3, 4, 6, 8, 12]},
            minimum=1,
            maximum=32,
            max_length=16,
        ),
        Param(
            "study_prefactor",
            "float",
            5.0,
            "Prefactor of the depth, width, bias and layer-norm-gain studies (a magnitude where the "
            "activations differ).",
            minimum=0.01,
            maximum=1000.0,
        ),
        Param(
            "study_networks",
            "int",
            12,
            "Random networks per configuration in the depth, layer-norm-gain, bias and prior studies.",
            presets={"smoke": 3, "paper": 200},
            minimum=2,
            maximum=10000,
        ),
        Param(
            "ln_gains",
            "floats",
            [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
            "Layer-norm gains (the learnable scale after normalisation) of the complexity-knob study.",
            presets={"smoke": [0.5, 4.0]},
            minimum=0.001,
            maximum=1000.0,
            max_length=16,
        ),
        Param(
            "widths",
            "ints",
            [16, 64, 256, 1024],
            "Hidden widths of the width study (its cost grows with the square of the width).",
            presets={"smoke": [16, 64], "paper": [16, 32, 64, 128, 256, 512, 1024]},
            minimum=2,
            maximum=4096,
            max_length=16,
        ),
        Param(
            "width_networks",
            "int",
            8,
            "Random networks per configuration in the width study.",
            presets={"smoke": 3, "paper": 100},
            minimum=2,
            maximum=10000,
        ),
        Param(
            "bias_scales",
            "floats",
            [0.25, 0.5, 1.0, 2.0, 4.0],
            "Bias magnitudes (biases drawn from U(-b, b)) of the bias study.",
            presets={"smoke": [0.5, 2.0]},
            minimum=0.0,
            maximum=100.0,
            max_length=16,
        ),
        Param(
            "priors",
            "strs",
            ["normal", "student_t", "uniform_ball"],
            "Weight and bias laws compared with the uniform prior (same variance; paper appendix E).",
            presets={"smoke": ["student_t"]},
            choices=("normal", "student_t", "uniform_ball"),
            max_length=3,
        ),
        Param(
            "no_impact_share",
            "float",
            0.1,
            "'No impact' (Table 1, width, bias magnitude, layer norm's flat curves): the factor's effect as a "
            "share of the magnitude effect over Figure 5's range on the same networks has a 95% interval below this.",
            minimum=0.001,
            maximum=1.0,
        ),
    ),
    rules=RULES,
)
