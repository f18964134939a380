"""The local volume of a network's function: a star-shaped region of parameters, weighed by a Gaussian (chapter 6).

Why: Jaburi and Belrose (EleutherAI, 2024) tested the paper with another measure of
simplicity, the prior probability of the set of parameters that compute (nearly) the same
function. A simple function should own a large region of parameter space. Their estimator:
from the network's parameters theta_0, walk along random directions u and find, for each, the
radius R(u) at which the function's divergence from f_theta0 first exceeds epsilon; the region
{theta_0 + r u : r < R(u)} is star-shaped around theta_0, and its volume under a Gaussian
N(0, sigma^2 I) (centred at the origin, sigma the RMS of theta_0 by default, as in their
code) is an average over directions of a one-dimensional integral. Chapter 6 computes it next
to the Fourier complexity of the same networks to see where their answer and the paper's part.

The divergence here is the mean squared change of the function over the grid, either raw
(``"mse"``) or divided by the function's variance over the grid (``"relative"``), which makes it
blind to the output's overall scale. Radii are found on a log-spaced grid of radii (relative
to ``||theta_0||``) rather than by bisection, so every epsilon is read off one set of forward
passes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy.special import gammaln, logsumexp

from redshift_utils.configs import MLPConfig
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import LayerParams, _layer_shapes, mlp_forward, network_generator, sample_mlp_params
from redshift_utils.validation import check_choice, check_int

INITS = ("book", "torch")
DIVERGENCES = ("relative", "mse")


def init_params(config: MLPConfig, n_networks: int, *, seed: int = 0, init: str = "book", scale: float = 1.0):
    """Parameters of ``n_networks`` networks under the book's prior or PyTorch's default initialisation.

    ``"book"``: ``sample_mlp_params(config, ...)``, with ``scale`` multiplying weights and
    biases. ``"torch"``: ``nn.Linear``'s default, weights and biases U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), times ``scale`` (EleutherAI's "weight scale"; ``config.bias_scale = 0``
    drops the biases, as in their networks). Both are the same uniform draws rescaled, so
    network k is the same network under every init and scale. No gating.
    """
    check_choice("init_params", "init", init, INITS)
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"init_params: scale must be a finite number > 0, got {scale!r}")
    if config.gating or config.weight_dist != "uniform":
        raise ValueError("init_params: needs the uniform weight law and no gating")
    unit = dataclasses.replace(config, alpha=1.0, bias_scale=1.0, bias_scales_with_alpha=False)
    raw = sample_mlp_params(unit, n_networks, seed=seed)
    out = []
    for (fan_in, fan_out), layer in zip(_layer_shapes(config), raw, strict=True):
        if init == "book":
            weight_factor, bias_factor = (
                config.alpha,
                config.bias_scale * (config.alpha if config.bias_scales_with_alpha else 1.0),
            )
        else:
            weight_factor = (1.0 / math.sqrt(fan_in)) / math.sqrt(6.0 / (fan_in + fan_out))
            bias_factor = (1.0 / math.sqrt(fan_in)) * (1.0 if config.bias_scale > 0 else 0.0)
        out.append(LayerParams(layer.weight * (weight_factor * scale), layer.bias * (bias_factor * scale)))
    return out


def flatten(params: list[LayerParams]) -> torch.Tensor:
    """(N, D): every weight and bias of each network in one vector (layer by layer, weight then bias)."""
    return torch.cat([torch.cat([p.weight.flatten(1), p.bias.flatten(1)], 1) for p in params], 1)


def unflatten(vectors: torch.Tensor, like: list[LayerParams]) -> list[LayerParams]:
    """The inverse of ``flatten`` for vectors (B, D) shaped like one network of ``like``."""
    out, start = [], 0
    for layer in like:
        w_shape, b_shape = layer.weight.shape[1:], layer.bias.shape[1:]
        w_size, b_size = math.prod(w_shape), math.prod(b_shape)
        weight = vectors[:, start : start + w_size].reshape(-1, *w_shape)
        bias = vectors[:, start + w_size : start + w_size + b_size].reshape(-1, *b_shape)
        out.append(LayerParams(weight, bias))
        start += w_size + b_size
    return out


@dataclass
class Profile:
    """How far each network's function moves along random directions in parameter space.

    ``mse`` (N, M, R): mean squared change over the points at ``theta_0 + r_i ||theta_0|| u_m``;
    ``variance`` (N,): the variance of f_theta0 over the points; ``radii`` (R,): the r_i
    (relative to ``||theta_0||``); ``norms`` (N,): ``||theta_0||``; ``dots`` (N, M): ``u_m . theta_0``;
    ``dim``: D, the number of parameters.
    """

    mse: np.ndarray
    variance: np.ndarray
    radii: np.ndarray
    norms: np.ndarray
    dots: np.ndarray
    dim: int

    def divergence(self, kind: str = "relative") -> np.ndarray:
        """(N, M, R): ``"mse"`` as measured, or ``"relative"`` (divided by the function's variance)."""
        check_choice("Profile.divergence", "kind", kind, DIVERGENCES)
        if kind == "mse":
            return self.mse
        return self.mse / np.maximum(self.variance, np.finfo(np.float64).tiny)[:, None, None]


@torch.inference_mode()
def divergence_profile(
    config: MLPConfig,
    params: list[LayerParams],
    x: torch.Tensor,
    *,
    radii: Sequence[float],
    n_directions: int,
    seed: int = 0,
) -> Profile:
    """Evaluate every network at ``theta_0 + r ||theta_0|| u``: ``n_directions`` random unit u, each r in ``radii``.

    Directions are uniform on the sphere of R^D, drawn for network k from its own stream
    ``(seed, k)`` (so a network's directions do not depend on the others). One batched forward
    pass per network: M x R perturbed copies at once.
    """
    check_int("divergence_profile", "n_directions", n_directions, 1)
    check_int("divergence_profile", "seed", seed, 0)
    radii = np.asarray(radii, dtype=np.float64)
    if radii.ndim != 1 or radii.size < 2 or not (np.diff(radii) > 0).all() or radii[0] <= 0:
        raise ValueError("divergence_profile: radii must be an increasing list of at least 2 positive numbers")
    theta = flatten(params).to(torch.float64)
    n_networks, dim = theta.shape
    x = torch.as_tensor(x).to(compute_dtype())
    f0 = mlp_forward(config, params, x).to(torch.float64)
    r = torch.as_tensor(radii)
    mse = np.empty((n_networks, n_directions, radii.size))
    dots = np.empty((n_networks, n_directions))
    for k in range(n_networks):
        u = torch.randn((n_directions, dim), generator=network_generator(seed, k), dtype=torch.float64)
        u /= u.norm(dim=1, keepdim=True)
        dots[k] = (u @ theta[k]).numpy()
        norm = float(theta[k].norm())
        moved = theta[k] + norm * r[None, :, None] * u[:, None, :]  # (M, R, D)
        batch = unflatten(moved.reshape(-1, dim).to(compute_dtype()), params)
        out = mlp_forward(config, batch, x).to(torch.float64).reshape(n_directions, radii.size, -1)
        mse[k] = (out - f0[k]).square().mean(-1).numpy()
    variance = f0.var(dim=1, unbiased=False).numpy()
    return Profile(mse, variance, radii, theta.norm(dim=1).numpy(), dots, dim)


def star_radii(divergence: np.ndarray, radii: np.ndarray, epsilon: float) -> np.ndarray:
    """R(u) for each direction: where the divergence first reaches ``epsilon`` along the ray, (N, M).

    Between two grid radii the crossing is interpolated linearly in log(divergence) against
    log(radius); a crossing before the first radius is extrapolated with the small-step law
    divergence ~ r^2; a ray that never reaches epsilon gets the last radius (censored). Same
    units as ``radii`` (relative to ``||theta_0||`` for a ``Profile``).
    """
    if not (isinstance(epsilon, (int, float)) and epsilon > 0):
        raise ValueError(f"star_radii: epsilon must be a number > 0, got {epsilon!r}")
    div = np.asarray(divergence, dtype=np.float64)
    radii = np.asarray(radii, dtype=np.float64)
    over = div >= epsilon
    first = np.argmax(over, axis=-1)
    never = ~over.any(axis=-1)
    log_r, tiny = np.log(radii), 1e-300
    hi = np.clip(first, 1, radii.size - 1)
    lo = hi - 1
    d_lo = np.log(np.maximum(np.take_along_axis(div, lo[..., None], -1)[..., 0], tiny))
    d_hi = np.log(np.maximum(np.take_along_axis(div, hi[..., None], -1)[..., 0], tiny))
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip((math.log(epsilon) - d_lo) / (d_hi - d_lo), 0.0, 1.0)
    frac = np.where(np.isfinite(frac), frac, 1.0)
    inside = np.exp(log_r[lo] + frac * (log_r[hi] - log_r[lo]))
    d_first = np.maximum(div[..., 0], tiny)
    before = radii[0] * np.sqrt(epsilon / d_first)
    out = np.where(first == 0, np.minimum(before, radii[0]), inside)
    return np.where(never, radii[-1], out)


def _log_ray_integrals(
    radius: np.ndarray, dot: np.ndarray, norm2: np.ndarray, sigma: np.ndarray, dim: int
) -> np.ndarray:
    """log of ``int_0^R rho^(D-1) exp(-|theta_0 + rho u|^2 / (2 sigma^2)) d rho`` for every direction (any shape)."""
    v = np.concatenate([[0.0], np.geomspace(1e-8, 60.0, 4000)])  # rho = R exp(-v): dense where the integrand lives
    radius, dot, norm2, sigma = (np.asarray(a, dtype=np.float64)[..., None] for a in (radius, dot, norm2, sigma))
    rho = radius * np.exp(-v)
    log_f = dim * np.log(rho) - (rho * rho + 2.0 * rho * dot + norm2) / (2.0 * sigma * sigma)  # d rho = rho dv
    mid = np.logaddexp(log_f[..., 1:], log_f[..., :-1]) - math.log(2.0)  # trapezoid, in log space
    return logsumexp(mid + np.log(np.diff(v)), axis=-1)


def log_volume(
    radius: np.ndarray, dots: np.ndarray, norms: np.ndarray, dim: int, sigma: np.ndarray | float | None = None
) -> np.ndarray:
    """Log of the Gaussian measure of the star-shaped region, averaged over its M directions: (N,).

    ``radius`` (N, M) absolute radii along unit directions with ``dots`` = u . theta_0, ``norms``
    = ||theta_0||. The measure is N(0, sigma^2 I) in R^D (EleutherAI's: centred at the origin),
    ``sigma`` per network (default: the RMS of theta_0, ``norms / sqrt(D)``). In polar
    coordinates around theta_0 the volume is the mean over directions of
    ``S_(D-1) int_0^R(u) rho^(D-1) p(theta_0 + rho u) d rho``, with S_(D-1) the area of the unit
    sphere; the mean over directions is taken in log space (log-mean-exp). In nats.
    """
    radius, dots = np.asarray(radius, dtype=np.float64), np.asarray(dots, dtype=np.float64)
    norms = np.asarray(norms, dtype=np.float64)
    sigma = (
        norms / math.sqrt(dim) if sigma is None else np.broadcast_to(np.asarray(sigma, dtype=np.float64), norms.shape)
    )
    log_sphere = math.log(2.0) + 0.5 * dim * math.log(math.pi) - gammaln(0.5 * dim)
    log_norm = -0.5 * dim * np.log(2.0 * math.pi * sigma * sigma)
    rays = _log_ray_integrals(radius, dots, (norms * norms)[:, None], sigma[:, None], dim)
    return log_sphere + log_norm + logsumexp(rays, axis=-1) - math.log(radius.shape[-1])


def profile_log_volume(
    profile: Profile, *, divergence: str = "relative", epsilon: float = 0.01, sigma_factor: float = 1.0
) -> np.ndarray:
    """log V / D, nats per parameter, of every network of a ``Profile``: (N,).

    Star radii at ``epsilon`` of the ``divergence`` (``star_radii``), and a Gaussian of width
    ``sigma_factor`` times the RMS parameter of each network (1: EleutherAI's default). Dividing
    by D makes networks of different sizes comparable; differences of it are what chapter 6 reads.
    """
    radius = star_radii(profile.divergence(divergence), profile.radii, epsilon) * profile.norms[:, None]
    sigma = sigma_factor * profile.norms / math.sqrt(profile.dim)
    return log_volume(radius, profile.dots, profile.norms, profile.dim, sigma) / profile.dim
