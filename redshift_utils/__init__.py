"""redshift_utils: the tested library behind the Neural Redshift book.

Every public function's docstring names the chapter that explains it. The library never
imports notebook or book code. Every computation runs in ``compute_dtype()``: float32, or float64
under ``REDSHIFT_DTYPE=float64``.
"""

from redshift_utils.activations import ACTIVATIONS
from redshift_utils.cache import cached
from redshift_utils.configs import MLPConfig, UnbiasedConfig
from redshift_utils.fourier import fourier_complexity
from redshift_utils.grids import grid, grid_axis
from redshift_utils.lempel_ziv import lz76, lz_complexity
from redshift_utils.parameters import resolve_parameters
from redshift_utils.polynomial import chebyshev_complexity
from redshift_utils.precision import compute_dtype, dtype_name
from redshift_utils.results import claim, write_results
from redshift_utils.sampler import LayerParams, mlp_forward, sample_functions, sample_mlp_params
from redshift_utils.source import source_hash
from redshift_utils.stats import bootstrap_ci, difference_ci, spearman_ci
from redshift_utils.sweeps import measure_all, run_sweep
from redshift_utils.transformer import TransformerConfig, generate_sequences

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "LayerParams",
    "MLPConfig",
    "UnbiasedConfig",
    "__version__",
    "bootstrap_ci",
    "cached",
    "claim",
    "difference_ci",
    "measure_all",
    "resolve_parameters",
    "run_sweep",
    "spearman_ci",
    "write_results",
    "chebyshev_complexity",
    "compute_dtype",
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
]
