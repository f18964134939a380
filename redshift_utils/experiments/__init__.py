"""Chapter 4's trained-model experiments: tasks, data, splits, batched runs and tidy records.

Why a package: chapter 4 (``notebooks/04_trained_models.md``) trains thousands of small networks
in four experiments of the paper's section 4 and appendix E. The chapter states each experiment
and its verdict rules; the code that builds the data, trains the batches (with
``redshift_utils.training``) and tabulates the runs lives here, tested:

* ``modulo``: modulo arithmetic (Figures 7 and 8) and the unbiased model trained by gradient descent;
* ``shortcut``: shortcut learning with a coloured band (Figure 9);
* ``guess_and_check``: random weights that fit the training set (Chiang et al.);
* ``initialisation``: a complex start in a simplicity-biased architecture (appendix E.3);
* ``common``: prefactor grids, model selection, complexity at initialisation, seed-level
  intervals and verdicts of claims with several conditions.
"""

from redshift_utils.experiments.common import (
    across_cases,
    all_of,
    init_complexity,
    log_prefactors,
    seed_interval,
    select_models,
    slice_points,
)
from redshift_utils.experiments.guess_and_check import GuessSettings, run_guess
from redshift_utils.experiments.initialisation import ComplexInitSettings, run_complex_init
from redshift_utils.experiments.modulo import ModuloSettings, run_modulo, run_unbiased
from redshift_utils.experiments.shortcut import ShortcutSettings, run_shortcut

__all__ = [
    "ComplexInitSettings",
    "GuessSettings",
    "ModuloSettings",
    "ShortcutSettings",
    "across_cases",
    "all_of",
    "init_complexity",
    "log_prefactors",
    "run_complex_init",
    "run_guess",
    "run_modulo",
    "run_shortcut",
    "run_unbiased",
    "seed_interval",
    "select_models",
    "slice_points",
]
