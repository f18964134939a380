"""The activation functions compared throughout the book (chapters 2, 3 and 5)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F


def gaussian(x: torch.Tensor) -> torch.Tensor:
    """``exp(-x^2)``: the Gaussian bump of the paper's Figures 1 and 4."""
    return torch.exp(-x * x)


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "gelu": F.gelu,  # exact, erf-based (approximate="none")
    "swish": F.silu,
    "selu": F.selu,
    "tanh": torch.tanh,
    "gaussian": gaussian,
    "sin": torch.sin,
    "sigmoid": torch.sigmoid,
    "identity": lambda x: x,
}
"""Name -> elementwise function. Explained in chapter 2 (``notebooks/02_activations.md``)."""

# In-place versions used by the sampler to save memory; names not listed fall back to ACTIVATIONS.
INPLACE_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu_,
    "tanh": torch.tanh_,
    "sin": torch.sin_,
    "sigmoid": torch.sigmoid_,
    "identity": lambda x: x,
}
