"""Where the heavy arithmetic runs: the CPU unless ``REDSHIFT_DEVICE=cuda`` asks for a GPU.

Why a switch: the paper's scale (a thousand networks per point) takes hours on two cores and
minutes on a GPU. Under ``cuda`` the samplers' forward passes (``sample_functions``,
``mlp_forward``), the trainer (``train_mlps``, ``predict``) and the Transformer's decoding
(``generate_sequences``) run on the GPU. The random draws do not move: every network is still
drawn on the CPU from its own stream and only then copied to the GPU, so both devices compute
on exactly the same networks, and results come back as CPU tensors, as on the CPU. GPU float32
rounding differs from a CPU's like one CPU's from another's, so results agree within the
goldens' tolerances, not bit for bit. See the conventions page, book/conventions.md, section
"Precision and device".
"""

from __future__ import annotations

import os

import torch

DEVICES = ("cpu", "cuda")
DEFAULT_DEVICE = "cpu"


def device_name() -> str:
    """``$REDSHIFT_DEVICE`` (read at every call, so a test can change it), validated; default cpu.

    ``cuda`` without a usable GPU is refused here, before any long computation, rather than
    failing deep inside torch.
    """
    name = os.environ.get("REDSHIFT_DEVICE", "").strip() or DEFAULT_DEVICE
    if name not in DEVICES:
        raise ValueError(f"REDSHIFT_DEVICE must be one of {', '.join(DEVICES)}, got {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "REDSHIFT_DEVICE=cuda needs a GPU, but torch.cuda.is_available() is False here "
            f"(torch {torch.__version__}); allowed values: {', '.join(DEVICES)} (unset = cpu)"
        )
    return name


def compute_device() -> torch.device:
    """The torch device that sampling, training and decoding compute on."""
    return torch.device(device_name())


def resolve_device(device: str | torch.device | None) -> torch.device:
    """An explicit ``device`` argument, or ``compute_device()`` when it is None."""
    return compute_device() if device is None else torch.device(device)
