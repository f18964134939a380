"""Parameters of chapter 6, ``notebooks/06_beyond.md`` (beyond the paper: the literature around it).

Four experiments, each with prefixed parameters: Boolean functions (``boolean_``, section 6.1),
training dynamics (``train_``, 6.2), more input dimensions (``dim_``, 6.3) and the local volume
of EleutherAI's replication attempt (``volume_``, 6.4); ``seed`` is shared. Every experiment
repeats over independent draws (networks, models or seeds): the unit of the chapter's intervals.
"""

from redshift_utils.book.parameters import MAX_SEED, ChapterSpec, Param, distinct_rule, size_rule

PAPER_ACTIVATIONS = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin")
VOLUME_ACTIVATIONS = ("relu", "gelu", "tanh", "sigmoid", "gaussian")  # EleutherAI's five
COMPLEX_ACTIVATIONS = ("tanh", "gaussian", "sin")  # the paper's saturating or periodic ones
COMPONENTS = ("mlp", "residual", "layernorm", "gating")
# Boolean networks are drawn and evaluated in chunks of this many (redshift_utils.boolean.CHUNK).
BOOLEAN_CHUNK = 8192


def prefactor_axis(values: dict) -> str | None:
    """The Boolean prefactor axis starts at 1 (the claims compare every prefactor with it) and rises."""
    prefactors = values["boolean_prefactors"]
    if prefactors[0] != 1.0 or len(prefactors) < 2 or sorted(set(prefactors)) != prefactors:
        return f"parameter 'boolean_prefactors' must start at 1.0 and rise (at least two values), got {prefactors!r}"
    return None


def components_fit_the_grid(values: dict) -> str | None:
    """Each target component (j, j) is a DCT frequency of the train_grid x train_grid grid."""
    if max(values["train_components"]) >= values["train_grid"]:
        return (
            f"parameter 'train_components' must be < train_grid={values['train_grid']} (DCT indices of the grid), "
            f"got {values['train_components']!r}"
        )
    return None


def two_prefactors(values: dict) -> str | None:
    """Training compares a small and a large prefactor."""
    prefactors = values["train_prefactors"]
    if len(prefactors) != 2 or prefactors[0] >= prefactors[1]:
        return f"parameter 'train_prefactors' must be two increasing values (small, large), got {prefactors!r}"
    return None


def dims_start_at_two(values: dict) -> str | None:
    """The paper's case, d = 2, is the reference every other d is compared with."""
    dims = values["dim_dims"]
    if dims[0] != 2 or sorted(set(dims)) != dims or len(dims) < 2:
        return f"parameter 'dim_dims' must start at 2 and rise (at least two values), got {dims!r}"
    return None


def magnitudes_start_at_one(values: dict) -> str | None:
    """The magnitude effect compares each magnitude with 1."""
    magnitudes = values["dim_magnitudes"]
    if magnitudes[0] != 1.0 or sorted(set(magnitudes)) != magnitudes or len(magnitudes) < 2:
        return f"parameter 'dim_magnitudes' must start at 1.0 and rise (at least two values), got {magnitudes!r}"
    return None


def their_range_and_beyond(values: dict) -> str | None:
    """EleutherAI's range is 10^-0.5 to 10^0.5; the paper's wider range needs a scale above it."""
    scales = values["volume_log10_scales"]
    if -0.5 not in scales or 0.5 not in scales or max(scales) <= 0.5 or sorted(set(scales)) != scales:
        return (
            "parameter 'volume_log10_scales' must rise and hold -0.5 and 0.5 (EleutherAI's range) and a value above "
            f"0.5 (the paper's), got {scales!r}"
        )
    return None


def volume_setting_in_lists(values: dict) -> str | None:
    """The headline epsilon and Gaussian width are among the ones of the sensitivity table."""
    if values["volume_epsilon"] not in values["volume_epsilons"]:
        return f"volume_epsilon ({values['volume_epsilon']}) must be one of volume_epsilons {values['volume_epsilons']}"
    if 1.0 not in values["volume_sigma_factors"]:
        return (
            f"parameter 'volume_sigma_factors' must hold 1.0 (EleutherAI's width), got {values['volume_sigma_factors']}"
        )
    return None


def _volume_batch(v: dict) -> int:
    copies = v["volume_directions"] * v["volume_radii"]
    return copies * v["volume_grid"] ** 2 * v["volume_width"]


RULES = (
    prefactor_axis,
    components_fit_the_grid,
    two_prefactors,
    dims_start_at_two,
    magnitudes_start_at_one,
    their_range_and_beyond,
    volume_setting_in_lists,
    distinct_rule("train_components", 2, "frequencies"),
    size_rule(
        "the truth tables (2^bits / 8 bytes each) and complexities (8 bytes) of one Boolean sweep, in 4-byte values",
        "boolean_networks x (len(boolean_activations) x len(boolean_prefactors) + 4) x (2^boolean_bits / 8 + 8) / 4",
        lambda v: (
            v["boolean_networks"]
            * (len(v["boolean_activations"]) * len(v["boolean_prefactors"]) + 4)
            * (2 ** v["boolean_bits"] // 8 + 8)
            // 4
        ),
    ),
    size_rule(
        "one chunk of Boolean networks (activations of a layer)",
        f"{BOOLEAN_CHUNK} x 2^boolean_bits x boolean_width",
        lambda v: BOOLEAN_CHUNK * 2 ** v["boolean_bits"] * v["boolean_width"],
    ),
    size_rule(
        "the training snapshots",
        "4 x train_models x train_snapshots x train_grid^2",
        lambda v: 4 * v["train_models"] * v["train_snapshots"] * v["train_grid"] ** 2,
    ),
    size_rule(
        "one network's perturbed copies (activations of a layer)",
        "volume_directions x volume_radii x volume_grid^2 x volume_width",
        _volume_batch,
    ),
)

SPEC = ChapterSpec(
    notebook="06_beyond",
    params=(
        Param("seed", "int", 0, "Base seed of every random draw.", minimum=0, maximum=MAX_SEED),
        Param(
            "torch_threads",
            "int",
            1,
            "CPU threads for torch. One thread avoids oversubscription slowdowns on shared machines.",
            minimum=1,
            maximum=64,
        ),
        # 6.1 Boolean functions
        Param(
            "boolean_networks",
            "int",
            100000,
            "Random networks per configuration on {0, 1}^n (P(f) is estimated by counting them).",
            presets={"smoke": 3000, "paper": 1000000},
            minimum=100,
            maximum=4000000,
        ),
        Param(
            "boolean_bits", "int", 7, "Input bits n (Valle-Perez et al. and Mingard et al.: 7).", minimum=3, maximum=10
        ),
        Param(
            "boolean_width",
            "int",
            40,
            "Hidden units per layer (Valle-Perez et al.'s 7-40-40-1).",
            minimum=1,
            maximum=512,
        ),
        Param(
            "boolean_activations",
            "strs",
            ["relu", "tanh", "gaussian", "sin"],
            "Activations of the 7-40-40-1 networks under the book's prior.",
            presets={"smoke": ["relu", "sin"]},
            choices=PAPER_ACTIVATIONS,
            max_length=len(PAPER_ACTIVATIONS),
        ),
        Param(
            "boolean_prefactors",
            "floats",
            [1.0, 3.0, 10.0],
            "The prefactor axis of the Boolean networks (starts at 1).",
            presets={"smoke": [1.0, 10.0]},
            minimum=0.01,
            maximum=1000.0,
            max_length=8,
        ),
        Param(
            "boolean_min_count",
            "int",
            10,
            "A function enters the P(f)-against-complexity fit when it was drawn at least this often.",
            presets={"smoke": 3},
            minimum=2,
            maximum=10000,
        ),
        # 6.2 training dynamics
        Param(
            "train_grid",
            "int",
            32,
            "Grid points per axis of the training targets.",
            presets={"smoke": 16},
            minimum=8,
            maximum=128,
        ),
        Param(
            "train_components",
            "ints",
            [1, 2, 4, 8],
            "The target's cosine components (j, j) of the grid's DCT basis, frequency j / sqrt(2) cycles on [-1, 1].",
            presets={"smoke": [1, 2, 4]},
            minimum=1,
            maximum=127,
            max_length=8,
        ),
        Param(
            "train_activation",
            "str",
            "sin",
            "The high-complexity activation trained next to ReLU.",
            choices=COMPLEX_ACTIVATIONS,
        ),
        Param(
            "train_prefactors",
            "floats",
            [1.0, 5.0],
            "The two prefactors of both activations (small, large).",
            minimum=0.01,
            maximum=100.0,
            max_length=2,
        ),
        Param(
            "train_models",
            "int",
            8,
            "Independently initialised models per activation and prefactor.",
            presets={"smoke": 3, "paper": 32},
            minimum=2,
            maximum=1000,
        ),
        Param(
            "train_steps",
            "int",
            1500,
            "Full-batch Adam steps.",
            presets={"smoke": 150, "paper": 5000},
            minimum=10,
            maximum=100000,
        ),
        Param("train_width", "int", 32, "Hidden units per layer of the trained MLPs.", minimum=2, maximum=1024),
        Param("train_depth", "int", 3, "Hidden layers of the trained MLPs.", minimum=1, maximum=16),
        Param("train_lr", "float", 0.001, "Adam's learning rate.", minimum=1e-6, maximum=1.0),
        Param(
            "train_threshold",
            "float",
            0.2,
            "A component counts as learned once its residual stays below this fraction of its amplitude.",
            minimum=0.001,
            maximum=0.9,
        ),
        Param(
            "train_snapshots",
            "int",
            40,
            "Log-spaced steps at which the learned functions are recorded.",
            presets={"smoke": 12},
            minimum=4,
            maximum=1000,
        ),
        # 6.3 more input dimensions
        Param(
            "dim_dims",
            "ints",
            [2, 4, 8, 16],
            "Numbers of inputs d (starts at the paper's 2).",
            presets={"smoke": [2, 8], "paper": [2, 3, 4, 8, 16, 32, 64]},
            minimum=2,
            maximum=1024,
            max_length=12,
        ),
        Param(
            "dim_activations",
            "strs",
            ["relu", "tanh", "gaussian", "sin"],
            "Activations of the d-input networks.",
            presets={"smoke": ["relu", "sin"], "paper": list(PAPER_ACTIVATIONS)},
            choices=PAPER_ACTIVATIONS,
            max_length=len(PAPER_ACTIVATIONS),
        ),
        Param(
            "dim_components",
            "strs",
            list(COMPONENTS),
            "Figure 5's components switched on in every hidden layer.",
            presets={"smoke": ["mlp", "layernorm"]},
            choices=COMPONENTS,
            max_length=len(COMPONENTS),
        ),
        Param(
            "dim_magnitudes",
            "floats",
            [1.0, 10.0],
            "Prefactors (Figure 5's magnitude), starting at 1.",
            minimum=0.01,
            maximum=1000.0,
            max_length=8,
        ),
        Param(
            "dim_networks",
            "int",
            24,
            "Random networks (each on its own plane and line) per configuration.",
            presets={"smoke": 4, "paper": 200},
            minimum=3,
            maximum=10000,
        ),
        Param("dim_width", "int", 64, "Hidden units per layer.", minimum=1, maximum=1024),
        Param("dim_depth", "int", 3, "Hidden layers.", minimum=1, maximum=16),
        Param(
            "dim_grid", "int", 32, "Grid points per axis of each plane.", presets={"smoke": 16}, minimum=8, maximum=256
        ),
        Param(
            "dim_line_points",
            "int",
            256,
            "Points per random line (LZ).",
            presets={"smoke": 64},
            minimum=16,
            maximum=65536,
        ),
        # 6.4 local volume
        Param(
            "volume_activations",
            "strs",
            ["relu", "tanh", "gaussian"],
            "Activations (EleutherAI used ReLU, GELU, Tanh, Sigmoid and Gaussian).",
            presets={"smoke": ["relu", "tanh"], "paper": list(VOLUME_ACTIVATIONS)},
            choices=VOLUME_ACTIVATIONS,
            max_length=len(VOLUME_ACTIVATIONS),
        ),
        Param(
            "volume_log10_scales",
            "floats",
            [-0.5, 0.0, 0.5, 1.0, 1.5],
            "Weight scales 10^x: EleutherAI's -0.5 to 0.5 and the paper's wider range above.",
            presets={"smoke": [-0.5, 0.5, 1.5], "paper": [-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]},
            minimum=-3.0,
            maximum=3.0,
            max_length=16,
        ),
        Param(
            "volume_seeds",
            "int",
            6,
            "Independent networks (seeds) per activation and scale (EleutherAI: 100).",
            presets={"smoke": 3, "paper": 100},
            minimum=2,
            maximum=1000,
        ),
        Param("volume_width", "int", 48, "Hidden units per layer (EleutherAI: 48).", minimum=2, maximum=512),
        Param("volume_depth", "int", 3, "Hidden layers (EleutherAI: 2 to 6).", minimum=1, maximum=8),
        Param(
            "volume_grid",
            "int",
            32,
            "Grid points per axis: the functions, the divergence and the Fourier measure.",
            presets={"smoke": 16},
            minimum=8,
            maximum=128,
        ),
        Param(
            "volume_directions",
            "int",
            12,
            "Random directions in parameter space per network (EleutherAI: 100).",
            presets={"smoke": 4, "paper": 100},
            minimum=2,
            maximum=1000,
        ),
        Param(
            "volume_radii",
            "int",
            24,
            "Log-spaced radii per direction, 10^-5 to 10 times ||theta_0||.",
            presets={"smoke": 16},
            minimum=4,
            maximum=200,
        ),
        Param(
            "volume_epsilon",
            "float",
            0.01,
            "Divergence at the edge of the region (EleutherAI's cutoff: 0.01).",
            minimum=1e-8,
            maximum=10.0,
        ),
        Param(
            "volume_epsilons",
            "floats",
            [0.001, 0.01, 0.1],
            "Epsilons of the sensitivity table.",
            minimum=1e-8,
            maximum=10.0,
            max_length=8,
        ),
        Param(
            "volume_sigma_factors",
            "floats",
            [0.5, 1.0, 2.0],
            "Gaussian widths of the sensitivity table, in units of the RMS parameter (EleutherAI's default: 1).",
            minimum=0.01,
            maximum=100.0,
            max_length=8,
        ),
    ),
    rules=RULES,
)
