"""Parameters of chapter 4, ``notebooks/04_trained_models.md`` (paper section 4: trained models).

Every training hyper-parameter is ours: the paper's appendix, which holds its values, is not
available (see the chapter's introduction). The parameters are grouped by experiment, with
prefixed names (``modulo_``, ``unbiased_``, ``shortcut_``, ``guess_``, ``e3_``); the shared ones
(seed, threads, grid, prefactors, optimiser) have none. Every experiment repeats its runs over
independent seeds (or tasks): the unit of the chapter's intervals.
"""

import math

from redshift_utils.book.parameters import MAX_SEED, ChapterSpec, Param, size_rule

TRAINED_ACTIVATIONS = ("relu", "gelu", "swish", "selu", "tanh", "gaussian", "sin")
# Guess and check draws its models in chunks of this many (redshift_utils.experiments.guess_and_check.CHUNK).
GUESS_CHUNK = 10_000
# scikit-learn's digits: the shortcut models are evaluated on all of them.
DIGIT_IMAGES = 1797


def leaves_a_test_set(values: dict) -> str | None:
    """The modulo split keeps at least 5% of the points for the test set."""
    val = values["modulo_val_fraction"]
    train = max([values["modulo_train_fraction"], *values["study_train_fractions"]])
    if train + val > 0.95:
        return (
            f"the largest of modulo_train_fraction and study_train_fractions plus modulo_val_fraction ({train} + {val} "
            f"= {train + val:g}) must leave at least 5% of the points for testing (sum <= 0.95)"
        )
    return None


def prefactor_order(values: dict) -> str | None:
    """The prefactors are log-spaced from prefactor_min up to prefactor_max."""
    if values["prefactor_max"] < values["prefactor_min"]:
        return f"prefactor_max ({values['prefactor_max']}) must be >= prefactor_min ({values['prefactor_min']})"
    return None


def guess_accept_within_draws(values: dict) -> str | None:
    """Guess and check keeps guess_accept of its guess_draws draws: it cannot keep more than it draws."""
    if values["guess_accept"] > values["guess_draws"]:
        return f"guess_accept ({values['guess_accept']}) must be <= guess_draws ({values['guess_draws']})"
    return None


def e3_points_within_grid(values: dict) -> str | None:
    """The smooth task's training points are distinct points of the grid_n x grid_n grid."""
    largest = max([values["e3_train_points"], *values["e3_coverage_points"]])
    if largest > values["grid_n"] ** 2:
        return (
            f"e3_train_points and every e3_coverage_points ({largest}) must be <= grid_n^2 = "
            f"{values['grid_n'] ** 2}, the grid points they are drawn from"
        )
    return None


def _modulo_size(v: dict) -> int:
    models = v["prefactor_steps"] * len(v["modulo_moduli"]) * v["modulo_seeds"]
    points = max(v["modulo_levels"] ** v["modulo_dims"], v["grid_n"] ** 2)
    return models * v["modulo_width"] * (v["modulo_depth"] * v["modulo_width"] + points)


def _study_size(v: dict) -> int:
    models = v["study_prefactor_steps"] * len(v["modulo_moduli"]) * v["study_seeds"]  # one activation's batch
    width = max(v["study_widths"])
    # Training and prediction at the N^d inputs; complexity at initialisation is chunked by models.
    return models * width * (max(v["study_depths"]) * width + v["modulo_levels"] ** v["modulo_dims"])


def _shortcut_size(v: dict) -> int:
    models = v["prefactor_steps"] * v["shortcut_seeds"]
    points = max(DIGIT_IMAGES, v["grid_n"] ** 2)
    inputs = v["shortcut_train_images"] * (64 + 24 * v["shortcut_band_width"])  # each model gets its seed's data
    return models * max(v["shortcut_width"] * (v["shortcut_depth"] * v["shortcut_width"] + points), inputs)


RULES = (
    leaves_a_test_set,
    prefactor_order,
    guess_accept_within_draws,
    e3_points_within_grid,
    size_rule(
        "the modulo batch (models, their weights and activations)",
        "prefactor_steps x len(modulo_moduli) x modulo_seeds x modulo_width "
        "x (modulo_depth x modulo_width + max(modulo_levels^modulo_dims, grid_n^2))",
        _modulo_size,
    ),
    size_rule(
        "one activation's batch in a cell of the modulo study (models, their weights and activations)",
        "study_prefactor_steps x len(modulo_moduli) x study_seeds x max(study_widths) "
        "x (max(study_depths) x max(study_widths) + modulo_levels^modulo_dims)",
        _study_size,
    ),
    size_rule(
        "the shortcut batch (models, their weights and activations)",
        f"prefactor_steps x shortcut_seeds x max(shortcut_width x (shortcut_depth x shortcut_width "
        f"+ max({DIGIT_IMAGES}, grid_n^2)), shortcut_train_images x (64 + 24 x shortcut_band_width))",
        _shortcut_size,
    ),
    size_rule(
        "one chunk of guess-and-check models",
        f"min(guess_draws, {GUESS_CHUNK}) x guess_depth x guess_width^2",
        lambda v: min(v["guess_draws"], GUESS_CHUNK) * v["guess_depth"] * v["guess_width"] ** 2,
    ),
    size_rule(
        "the kept guess-and-check functions",
        f"ceil(guess_draws / {GUESS_CHUNK}) x guess_accept x guess_grid_n^2",
        lambda v: math.ceil(v["guess_draws"] / GUESS_CHUNK) * v["guess_accept"] * v["guess_grid_n"] ** 2,
    ),
    size_rule(
        "the high-complexity-initialisation batch",
        "2 x e3_seeds x e3_width x (e3_depth x e3_width + max(grid_n, e3_prefit_grid)^2)",
        lambda v: (
            2
            * v["e3_seeds"]
            * v["e3_width"]
            * (v["e3_depth"] * v["e3_width"] + max(v["grid_n"], v["e3_prefit_grid"]) ** 2)
        ),
    ),
)

SPEC = ChapterSpec(
    notebook="04_trained_models",
    params=(
        Param(
            "seed",
            "int",
            0,
            "Base seed of every random draw (initialisations, splits, data order).",
            minimum=0,
            maximum=MAX_SEED,
        ),
        Param(
            "torch_threads",
            "int",
            1,
            "CPU threads for torch. One thread avoids oversubscription slowdowns on shared machines; the "
            "batched matrix products are small.",
            minimum=1,
            maximum=64,
        ),
        Param("grid_n", "int", 64, "Grid points per axis for complexity at initialisation.", minimum=8, maximum=256),
        Param(
            "init_slices",
            "int",
            4,
            "Random 2-D slices through the centre of the input cube averaged for complexity at initialisation "
            "when the input has more than 2 dimensions.",
            presets={"smoke": 1, "paper": 16},
            minimum=1,
            maximum=256,
        ),
        Param(
            "prefactor_min",
            "float",
            0.25,
            "Smallest activation prefactor p in x <- phi(p (W x + b)).",
            minimum=1e-3,
            maximum=1e3,
        ),
        Param("prefactor_max", "float", 16.0, "Largest activation prefactor p.", minimum=1e-3, maximum=1e3),
        Param(
            "prefactor_steps",
            "int",
            7,
            "Log-spaced prefactors from prefactor_min to prefactor_max (modulo and shortcut sweeps).",
            presets={"smoke": 3, "paper": 13},
            minimum=1,
            maximum=64,
        ),
        Param("optimizer", "str", "adam", "Optimiser of every trained experiment.", choices=("adam", "sgd")),
        # --- modulo arithmetic (paper section 4.1, Figures 7 and 8)
        Param("modulo_levels", "int", 16, "N: each input coordinate is an integer in [0, N-1].", minimum=2, maximum=64),
        Param(
            "modulo_dims", "int", 2, "d: input dimension (2 lets the inputs be shown as images).", minimum=2, maximum=4
        ),
        Param(
            "modulo_moduli",
            "ints",
            [10, 7, 4],
            "The moduli M of the three tasks (smaller M: higher frequency). Smoke leaves out M = 4, on which its tiny "
            "networks stay near chance and float rounding decides which prefactor validation picks.",
            presets={"smoke": [10, 7]},
            minimum=2,
            maximum=64,
            max_length=8,
        ),
        Param(
            "modulo_inequality",
            "str",
            "<",
            "Label rule 1[(sum x_i mod M) < M/2] or with <= (the paper's printed inequality is ambiguous).",
            choices=("<", "<="),
        ),
        Param(
            "modulo_activations",
            "strs",
            ["relu", "tanh", "gaussian", "sin"],
            "Activations of the modulo MLPs. The book preset trains the four its claims need (ReLU and the three "
            "tunable ones) to stay within its time budget at 10 seeds; the paper preset adds GELU and Swish, the "
            "ReLU-like activations of the paper's Figure 7.",
            presets={
                "smoke": ["relu", "gaussian", "sin"],
                "paper": ["relu", "gelu", "swish", "tanh", "gaussian", "sin"],
            },
            choices=TRAINED_ACTIVATIONS,
            max_length=len(TRAINED_ACTIVATIONS),
        ),
        Param(
            "modulo_seeds",
            "int",
            10,
            "Seeds per (activation, prefactor, M): each has its own initialisation and train/val/test split "
            "(the unit of the modulo intervals).",
            presets={"smoke": 2, "paper": 20},
            minimum=1,
            maximum=100,
        ),
        Param(
            "modulo_train_fraction",
            "float",
            0.5,
            "Fraction of the N^d input points used for training.",
            minimum=0.05,
            maximum=0.9,
        ),
        Param(
            "modulo_val_fraction",
            "float",
            0.25,
            "Fraction of the points used to pick the prefactor (the rest is the test set).",
            minimum=0.05,
            maximum=0.5,
        ),
        Param("modulo_depth", "int", 3, "Hidden layers of the modulo MLPs.", minimum=1, maximum=8),
        Param(
            "modulo_width",
            "int",
            32,
            "Hidden units per layer of the modulo MLPs.",
            presets={"smoke": 16},
            minimum=1,
            maximum=1024,
        ),
        Param("modulo_lr", "float", 3e-3, "Learning rate of the modulo MLPs.", minimum=1e-6, maximum=10.0),
        Param(
            "modulo_steps",
            "int",
            2000,
            "Training steps of the modulo MLPs (smoke: enough for the networks to leave chance, so that float "
            "rounding does not decide which prefactor validation picks).",
            presets={"smoke": 500, "paper": 5000},
            minimum=1,
            maximum=50000,
        ),
        Param(
            "modulo_batch_size",
            "int",
            0,
            "Mini-batch size of the modulo MLPs (0: full batch).",
            minimum=0,
            maximum=4096,
        ),
        # --- the modulo hyper-parameter study (issue: where the modulo claims hold)
        Param(
            "study_train_fractions",
            "floats",
            [0.3, 0.5, 0.7],
            "Train fractions of the modulo study's grid (the validation fraction stays modulo_val_fraction).",
            presets={"smoke": [0.5]},
            minimum=0.05,
            maximum=0.7,
            max_length=6,
        ),
        Param(
            "study_widths",
            "ints",
            [64],
            "Hidden widths of the modulo study's grid. The book preset runs width 64 only, to stay within its time "
            "budget; the paper preset runs 64, 128 and 256.",
            presets={"smoke": [16], "paper": [64, 128, 256]},
            minimum=1,
            maximum=1024,
            max_length=6,
        ),
        Param(
            "study_depths",
            "ints",
            [2, 3],
            "Hidden layers of the modulo study's grid.",
            presets={"smoke": [2]},
            minimum=1,
            maximum=8,
            max_length=6,
        ),
        Param(
            "study_seeds",
            "int",
            4,
            "Seeds per cell of the modulo study (each its own draw and split: the unit of its intervals). The book "
            "preset runs 4 per cell beside the chapter's 10-seed default setting; the paper preset 10.",
            presets={"smoke": 2, "paper": 10},
            minimum=1,
            maximum=100,
        ),
        Param(
            "study_prefactor_steps",
            "int",
            5,
            "Log-spaced prefactors of the tunable activations in the modulo study, from prefactor_min to "
            "study_prefactor_max.",
            presets={"smoke": 3, "paper": 13},
            minimum=1,
            maximum=64,
        ),
        Param(
            "study_prefactor_max",
            "float",
            32.0,
            "Largest prefactor of the modulo study.",
            minimum=1e-3,
            maximum=1e3,
        ),
        Param(
            "study_steps",
            "int",
            1000,
            "Step budget of the modulo study: each MLP trains until its training accuracy is 1 or this many steps.",
            presets={"smoke": 300, "paper": 3000},
            minimum=1,
            maximum=50000,
        ),
        Param(
            "unbiased_frequencies",
            "ints",
            [16, 30, 64],
            "Cosine frequencies per axis of the unbiased model trained on the modulo tasks (with N = 16 levels, "
            "16: the input lattice's own cosine basis; 30 = 2(N-1): one full period of aliases; 64: the book's grid).",
            presets={"smoke": [30]},
            minimum=1,
            maximum=256,
            max_length=8,
        ),
        Param(
            "unbiased_gd_lr",
            "float",
            10.0,
            "Learning rate of plain full-batch gradient descent on the unbiased model (initial logits have "
            "unit variance).",
            minimum=1e-6,
            maximum=1e4,
        ),
        # --- shortcut learning (paper section 4.2, Figure 9)
        Param(
            "shortcut_activations",
            "strs",
            ["relu", "tanh", "gaussian", "sin"],
            "Activations of the shortcut-learning MLPs.",
            presets={"smoke": ["relu", "tanh", "sin"]},
            choices=TRAINED_ACTIVATIONS,
            max_length=len(TRAINED_ACTIVATIONS),
        ),
        Param(
            "shortcut_seeds",
            "int",
            10,
            "Seeds per (activation, prefactor) in the shortcut experiment: each has its own initialisation, "
            "split of the images and random colours (the unit of the shortcut intervals).",
            presets={"smoke": 2, "paper": 20},
            minimum=1,
            maximum=100,
        ),
        Param(
            "shortcut_train_images",
            "int",
            1000,
            "Digit images (of scikit-learn's 1797) used for training; the rest build the two test sets.",
            presets={"smoke": 200},
            minimum=50,
            maximum=1700,
        ),
        Param(
            "shortcut_band_width", "int", 3, "Columns of the coloured band beside the 8x8 digit.", minimum=1, maximum=8
        ),
        Param(
            "shortcut_depth",
            "int",
            2,
            "Hidden layers of the shortcut MLPs (the paper's '2-layer').",
            minimum=1,
            maximum=8,
        ),
        Param(
            "shortcut_width",
            "int",
            64,
            "Hidden units per layer of the shortcut MLPs.",
            presets={"smoke": 8},
            minimum=1,
            maximum=1024,
        ),
        Param("shortcut_lr", "float", 1e-3, "Learning rate of the shortcut MLPs.", minimum=1e-6, maximum=10.0),
        Param(
            "shortcut_steps",
            "int",
            500,
            "Training steps of the shortcut MLPs.",
            presets={"smoke": 20, "paper": 2000},
            minimum=1,
            maximum=50000,
        ),
        Param(
            "shortcut_batch_size",
            "int",
            128,
            "Mini-batch size of the shortcut MLPs (0: full batch).",
            minimum=0,
            maximum=4096,
        ),
        # --- guess and check (Chiang et al., reinterpreted in paper section 4.1)
        Param(
            "guess_tasks",
            "int",
            10,
            "Independent tasks (training sets, each with its own pool of draws): the unit of the guess-and-check "
            "intervals.",
            presets={"smoke": 2, "paper": 20},
            minimum=1,
            maximum=100,
        ),
        Param(
            "guess_draws",
            "int",
            50000,
            "Random weight draws per model family and task.",
            presets={"smoke": 2000, "paper": 400000},
            minimum=100,
            maximum=4000000,
        ),
        Param(
            "guess_accept",
            "int",
            100,
            "Draws kept per family, task and loss: the lowest training losses (guess and check's threshold).",
            presets={"smoke": 10, "paper": 400},
            minimum=2,
            maximum=GUESS_CHUNK,
        ),
        Param(
            "guess_train_points", "int", 10, "Training points of the 2-D classification task.", minimum=2, maximum=256
        ),
        Param(
            "guess_grid_n",
            "int",
            32,
            "Grid per axis of the guess-and-check task (the unbiased model has one cosine per grid frequency).",
            minimum=8,
            maximum=128,
        ),
        Param(
            "guess_logit_scale",
            "float",
            4.0,
            "Logit = this x standardised output in the cross-entropy (sharper logits: closer to counting errors).",
            minimum=0.01,
            maximum=100.0,
        ),
        Param(
            "guess_activation",
            "str",
            "relu",
            "Activation of the guess-and-check MLP.",
            choices=TRAINED_ACTIVATIONS,
        ),
        Param("guess_depth", "int", 2, "Hidden layers of the guess-and-check MLP.", minimum=1, maximum=8),
        Param("guess_width", "int", 32, "Hidden units per layer of the guess-and-check MLP.", minimum=1, maximum=512),
        # --- high-complexity initialisation (paper appendix E.3)
        Param(
            "e3_seeds",
            "int",
            10,
            "Seeds per start in the high-complexity-initialisation test: each has its own draw, noise function "
            "and training points (the unit of the E.3 intervals).",
            presets={"smoke": 2, "paper": 16},
            minimum=1,
            maximum=100,
        ),
        Param("e3_depth", "int", 3, "Hidden layers of the ReLU MLP.", minimum=1, maximum=8),
        Param(
            "e3_width",
            "int",
            64,
            "Hidden units per layer of the ReLU MLP.",
            presets={"smoke": 16},
            minimum=1,
            maximum=1024,
        ),
        Param(
            "e3_prefit_steps",
            "int",
            500,
            "Steps that pre-fit the 'complex' initialisation to a white-noise function.",
            presets={"smoke": 10, "paper": 2000},
            minimum=1,
            maximum=50000,
        ),
        Param(
            "e3_prefit_grid",
            "int",
            32,
            "Grid per axis of the white-noise function the complex initialisation is pre-fitted to.",
            minimum=8,
            maximum=128,
        ),
        Param("e3_train_points", "int", 64, "Training points of the smooth regression task.", minimum=4, maximum=65536),
        Param(
            "e3_coverage_points",
            "ints",
            [64, 256, 1024, 4096],
            "Training points of the data-coverage sweep of the same test (each seed's sets are nested; 4096 is "
            "the whole 64 x 64 grid).",
            presets={"smoke": [64, 256], "paper": [64, 128, 256, 512, 1024, 2048, 4096]},
            minimum=4,
            maximum=65536,
            max_length=12,
        ),
        Param(
            "e3_batch_size",
            "int",
            64,
            "Mini-batch size of training on the smooth task (full batch when the training set is no larger), so "
            "that a step costs the same at every coverage.",
            minimum=1,
            maximum=65536,
        ),
        Param("e3_lr", "float", 1e-3, "Learning rate of training on the smooth task.", minimum=1e-6, maximum=10.0),
        Param(
            "e3_steps",
            "int",
            1000,
            "Training steps on the smooth task.",
            presets={"smoke": 20, "paper": 3000},
            minimum=1,
            maximum=50000,
        ),
    ),
    rules=RULES,
)
