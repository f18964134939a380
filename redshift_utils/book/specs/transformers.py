"""Parameters of chapter 5, ``notebooks/05_transformers.md`` (paper section 5: Transformers)."""

from redshift_utils.book.parameters import MAX_SEED, ChapterSpec, Param, size_rule
from redshift_utils.transformer_study import gain_grid, shoulder_window

# The MLP-block activations of the paper's Figure 10 (any of ru.ACTIVATIONS works).
TRANSFORMER_ACTIVATIONS = ("gelu", "relu", "swish", "selu", "tanh", "sin", "gaussian", "sigmoid", "identity")


def context_holds_length(values: dict) -> str | None:
    """Every position of a sequence needs a position embedding."""
    if values["context"] < values["length"]:
        return f"parameter 'context' must be >= length={values['length']}, got {values['context']!r}"
    return None


def ablation_within_activations(values: dict) -> str | None:
    """The tie_head ablation reruns activations of the main sweep."""
    if not set(values["ablation_activations"]) <= set(values["activations"]):
        return (
            f"parameter 'ablation_activations' must be a subset of activations={values['activations']}, "
            f"got {values['ablation_activations']!r}"
        )
    return None


def three_gains(values: dict) -> str | None:
    """Figure 10's curves need at least three gains."""
    gains = gain_grid(values["gain_min"], values["gain_max"], values["gains_per_decade"])
    if len(gains) < 3:
        rounded = [round(g, 3) for g in gains]
        return (
            f"gain_min ({values['gain_min']}), gain_max ({values['gain_max']}) and gains_per_decade "
            f"({values['gains_per_decade']}) give only {len(gains)} gains {rounded}; need at least 3"
        )
    return None


def heads_divide_width(values: dict) -> str | None:
    """Each attention head gets width / heads dimensions."""
    if values["width"] % values["heads"]:
        return f"parameter 'heads' must divide width={values['width']}, got {values['heads']!r}"
    return None


def shoulder_gains(values: dict) -> str | None:
    """A stall needs a window before it, itself and one after it: 3 windows of a quarter decade, plus one gain."""
    per_decade = values["shoulder_per_decade"]
    gains = gain_grid(values["shoulder_gain_min"], values["shoulder_gain_max"], per_decade)
    needed = 3 * shoulder_window(per_decade) + 1
    if len(gains) < needed:
        return (
            f"shoulder_gain_min ({values['shoulder_gain_min']}), shoulder_gain_max ({values['shoulder_gain_max']}) "
            f"and shoulder_per_decade ({per_decade}) give only {len(gains)} gains; need at least {needed}"
        )
    return None


RULES = (
    context_holds_length,
    shoulder_gains,
    ablation_within_activations,
    three_gains,
    heads_divide_width,
    size_rule(
        "one Transformer (its parameters)",
        "max(depths) x 12 x width^2 + (vocab_size + context) x width",
        lambda v: max(*v["depths"], *v["shoulder_depths"]) * 12 * v["width"] ** 2
        + (v["vocab_size"] + v["context"]) * v["width"],
    ),
)

SPEC = ChapterSpec(
    notebook="05_transformers",
    params=(
        Param(
            "seed",
            "int",
            0,
            "Base seed of every random draw (model i uses the stream (seed, i)).",
            minimum=0,
            maximum=MAX_SEED,
        ),
        Param(
            "activations",
            "strs",
            ["gelu", "relu", "selu", "tanh", "sin", "gaussian"],
            "Activations of the MLP blocks (Figure 10's curves); GELU is GPT-2's and the reference of the claims.",
            choices=TRANSFORMER_ACTIVATIONS,
            max_length=len(TRANSFORMER_ACTIVATIONS),
        ),
        Param(
            "depths",
            "ints",
            [1, 4, 8],
            "Numbers of Transformer blocks (Figure 10's panels); GPT-2 small has 12.",
            presets={"smoke": [1, 2], "paper": [1, 3, 6, 9, 12]},
            minimum=1,
            maximum=48,
            max_length=16,
        ),
        Param("gain_min", "float", 0.1, "Smallest layer-norm gain of the sweep.", minimum=0.001, maximum=1.0),
        Param(
            "gain_max",
            "float",
            32.0,
            "Largest layer-norm gain of the sweep.",
            presets={"smoke": 10.0},
            minimum=1.0,
            maximum=1000.0,
        ),
        Param(
            "gains_per_decade",
            "int",
            4,
            "Gains are 10^(k / gains_per_decade) between gain_min and gain_max, so 1 is always one of them.",
            presets={"smoke": 1, "paper": 12},
            minimum=1,
            maximum=24,
        ),
        Param(
            "n_models",
            "int",
            24,
            "Random models (one sequence each) per activation, gain and depth; the paper used 1,000.",
            presets={"smoke": 3, "paper": 200},
            minimum=3,
            maximum=10000,
        ),
        Param("length", "int", 100, "Tokens per sequence, the random prompt token included.", minimum=10, maximum=1024),
        Param(
            "width",
            "int",
            64,
            "Width of the residual stream (GPT-2 small: 768, weeks of CPU time at the paper preset's sweep).",
            minimum=8,
            maximum=2048,
        ),
        Param(
            "heads",
            "int",
            4,
            "Attention heads (must divide width; GPT-2 small: 12).",
            minimum=1,
            maximum=64,
        ),
        Param(
            "vocab_size",
            "int",
            512,
            "Vocabulary size (GPT-2: 50,257).",
            minimum=16,
            maximum=100000,
        ),
        Param(
            "context",
            "int",
            128,
            "Position embeddings, at least length (GPT-2: 1,024).",
            minimum=10,
            maximum=4096,
        ),
        Param("tie_head", "bool", True, "Reuse the token embedding as the output layer, as GPT-2 does."),
        Param(
            "ablation_activations",
            "strs",
            ["gelu", "relu", "sin"],
            "Activations rerun with the opposite tie_head at the middle depth (why are the sequences repetitive?).",
            choices=TRANSFORMER_ACTIVATIONS,
            max_length=len(TRANSFORMER_ACTIVATIONS),
        ),
        Param(
            "shoulder_activations",
            "strs",
            ["selu", "tanh", "sin", "gelu"],
            "Activations of the shoulder sweep: the paper's three with shoulders, then controls (GELU: GPT-2's).",
            choices=TRANSFORMER_ACTIVATIONS,
            max_length=len(TRANSFORMER_ACTIVATIONS),
        ),
        Param(
            "shoulder_depths",
            "ints",
            [1, 4, 8],
            "Numbers of blocks of the shoulder sweep (the book's: those of the main sweep).",
            presets={"smoke": [1], "paper": [1, 3, 6, 9, 12]},
            minimum=1,
            maximum=48,
            max_length=16,
        ),
        Param(
            "shoulder_gain_min", "float", 1.0, "Smallest layer-norm gain of the shoulder sweep.", minimum=0.001,
            maximum=1000.0,
        ),
        Param(
            "shoulder_gain_max",
            "float",
            32.0,
            "Largest layer-norm gain of the shoulder sweep.",
            presets={"smoke": 10.0},
            minimum=1.0,
            maximum=1000.0,
        ),
        Param(
            "shoulder_per_decade",
            "int",
            12,
            "Gains per decade of the shoulder sweep; a stall is measured over windows of a quarter decade.",
            presets={"smoke": 3},
            minimum=1,
            maximum=24,
        ),
        Param(
            "shoulder_models",
            "int",
            100,
            "Models per point of the shoulder sweep (half find the stalls, the other half measure them).",
            presets={"smoke": 4, "paper": 200},
            minimum=4,
            maximum=10000,
        ),
        Param(
            "n_random",
            "int",
            2000,
            "Uniformly random token sequences that set the scale (their mean LZ76 count is lz = 1).",
            presets={"smoke": 200},
            minimum=20,
            maximum=100000,
        ),
        Param("examples", "int", 4, "Generated sequences printed per example architecture.", minimum=1, maximum=20),
    ),
    rules=RULES,
)
