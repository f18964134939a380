"""redshift_utils: the tested library behind the Neural Redshift book.

The science (grids, measures, activations, configs, sampler, training, transformer, sweeps,
stats, plotting, the paper's data) sits at the top level; the book machinery (parameters,
specs, runner, results, report, scoreboard, cache, CLI) in ``redshift_utils.book``. Science
modules never import the book machinery; this facade exports both, for chapters to use as
``import redshift_utils as ru``. Every computation runs in ``compute_dtype()``: float32, or float64
under ``REDSHIFT_DTYPE=float64``.
"""

import os

# Idle torch threads sleep instead of spinning, unless the user chose otherwise. With the default
# policy, torch's OpenMP threads spin for a while after each parallel region; on a machine that
# another job shares, they spin on the cores that job needs, and a sweep that takes 1.5 s took
# 12 to 15 s beside one busy process on 2 cores (1.8 s with this setting; the same 1.4 s on an
# idle machine either way). OpenMP reads it when torch loads, so it must precede that import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from redshift_utils import boolean, dimensions, dynamics, local_volume, paper  # chapter 6's modules
from redshift_utils.activations import ACTIVATIONS
from redshift_utils.book.cache import cached, cached_sweep
from redshift_utils.book.parameters import resolve_parameters
from redshift_utils.book.report import Report, interval_verdict, print_table
from redshift_utils.book.results import claim, write_results
from redshift_utils.book.source import source_hash
from redshift_utils.boolean import boolean_complexity, boolean_functions, boolean_inputs
from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.device import compute_device, device_name
from redshift_utils.fourier import fourier_complexity
from redshift_utils.grids import grid, grid_axis
from redshift_utils.lempel_ziv import lz76, lz_complexity
from redshift_utils.polynomial import chebyshev_complexity
from redshift_utils.precision import compute_dtype, dtype_name
from redshift_utils.sampler import LayerParams, mlp_forward, sample_functions, sample_mlp_params
from redshift_utils.seeds import derived_seed, rng
from redshift_utils.stats import bootstrap_ci, difference_ci, spearman_ci
from redshift_utils.sweeps import measure_all, run_sweep
from redshift_utils.transformer import TransformerConfig, generate_sequences, generate_sweep

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "Report",
    "cached_sweep",
    "derived_seed",
    "interval_verdict",
    "paper",
    "print_table",
    "rng",
    "LayerParams",
    "MLPConfig",
    "UnbiasedConfig",
    "__version__",
    "bootstrap_ci",
    "boolean",
    "boolean_complexity",
    "boolean_functions",
    "boolean_inputs",
    "dimensions",
    "dynamics",
    "local_volume",
    "cached",
    "claim",
    "difference_ci",
    "measure_all",
    "resolve_parameters",
    "run_sweep",
    "spearman_ci",
    "write_results",
    "chebyshev_complexity",
    "compute_device",
    "compute_dtype",
    "device_name",
    "dtype_name",
    "fourier_complexity",
    "grid",
    "grid_axis",
    "lz76",
    "lz_complexity",
    "mlp_forward",
    "sample_functions",
    "sample_mlp_params",
    "source_hash",
    "TransformerConfig",
    "generate_sequences",
    "generate_sweep",
]
