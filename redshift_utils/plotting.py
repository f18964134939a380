"""Figure helpers: one look for every chapter, legible in light and dark mode."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch

ACTIVATION_COLORS = {
    "relu": "#1f77b4",
    "gelu": "#ff7f0e",
    "swish": "#2ca02c",
    "selu": "#9467bd",
    "tanh": "#d62728",
    "gaussian": "#8c564b",
    "sin": "#e377c2",
    "sigmoid": "#7f7f7f",
    "identity": "#bcbd22",
    "unbiased": "#17becf",
}


def use_book_style() -> None:
    """White figure backgrounds (readable on the dark theme too), labelled, compact."""
    mpl.rcParams.update(
        {
            "figure.facecolor": "white",
            "axes.facecolor": "white",
            "savefig.facecolor": "white",
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "axes.titlesize": 10,
            "legend.frameon": False,
            "image.cmap": "gray",
        }
    )


def show_function(ax: plt.Axes, values: torch.Tensor | np.ndarray, title: str | None = None) -> None:
    """Draw f on [-1, 1]^2 as a grayscale image: x to the right, y up.

    ``values[i, j] = f(x_i, y_j)``, so the image is its transpose with origin at the bottom.
    """
    array = values.numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    ax.imshow(array.T, origin="lower", extent=(-1, 1, -1, 1), cmap="gray", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=8)


def function_gallery(
    images: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str | None = None,
    size: float = 1.1,
) -> plt.Figure:
    """A rows x cols grid of function images with labelled rows and columns."""
    rows, cols = images.shape[:2]
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols + 0.8, size * rows + 0.5), squeeze=False)
    for r in range(rows):
        for c in range(cols):
            show_function(axes[r, c], images[r, c])
            if r == 0:
                axes[r, c].set_title(col_labels[c], fontsize=8)
        axes[r, 0].set_ylabel(row_labels[r], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
