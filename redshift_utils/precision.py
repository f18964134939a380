"""The floating-point precision of every computation: float32 unless ``REDSHIFT_DTYPE`` says otherwise.

Why a switch: float32 rounding differs between CPUs (instruction sets, BLAS kernels), so a number
printed by one machine can differ in its last digits on another. Running the same networks in
float64 moves the numbers by about as much as a second CPU would, which lets one machine test
what another will see. The random draws never change: they are always made in float32 from the
same streams and only then cast, so both precisions compute on exactly the same networks.
See the conventions page, book/conventions.md, section "Precision", and the status page.
"""

from __future__ import annotations

import os

import torch

DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}
DEFAULT_DTYPE = "float32"


def dtype_name() -> str:
    """``$REDSHIFT_DTYPE`` (read at every call, so a test can change it), validated; default float32."""
    name = os.environ.get("REDSHIFT_DTYPE", "").strip() or DEFAULT_DTYPE
    if name not in DTYPES:
        raise ValueError(f"REDSHIFT_DTYPE must be one of {', '.join(DTYPES)}, got {name!r}")
    return name


def compute_dtype() -> torch.dtype:
    """The torch dtype every sampler, forward pass, trainer and Transformer computes in."""
    return DTYPES[dtype_name()]
