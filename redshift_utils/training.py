"""Train many small MLPs at once: one batched matrix product per layer for all models (chapter 4).

Why batched: chapter 4 trains hundreds of tiny networks (activation x prefactor x task x seed).
A Python loop over ``nn.Module`` instances spends its time in per-call overhead; stacking the
models on a leading dimension and training them as one set of leaf tensors does the same
arithmetic in a few large ``bmm`` calls. The models stay independent: the total loss is the sum
of per-model mean losses (so model i's gradient is its own loss's gradient), and SGD / Adam act
elementwise, so each model follows exactly the trajectory it would follow alone.

Parameters follow the sampler's conventions (``LayerParams``: weight (N, out, in), bias (N, out))
and initialisation (``sample_mlp_params``), and the forward pass is the layer-by-layer definition
of the conventions page (book/conventions.md, sections "Random MLPs, layer by layer" and
"Training many small networks at once"), with a per-model ``prefactor`` so one batch can sweep it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

from redshift_utils.activations import ACTIVATIONS
from redshift_utils.configs import MLPConfig
from redshift_utils.device import compute_device
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import LayerParams, sample_mlp_params
from redshift_utils.validation import check_choice, check_float, check_int

OPTIMIZERS = ("adam", "sgd")
LOSSES = ("bce", "mse")


@dataclass(frozen=True)
class TrainConfig:
    """Training hyper-parameters shared by every model of a batch (chapter 4).

    ``batch_size=None`` means full batch. ``loss="bce"`` takes 0/1 targets and the network's
    output as a logit; ``"mse"`` regresses the output onto the targets. ``seed`` fixes the
    mini-batch order (shared by all models, so a model's run never depends on its batch mates).
    """

    optimizer: str = "adam"
    lr: float = 1e-3
    steps: int = 1000
    batch_size: int | None = None
    loss: str = "bce"
    momentum: float = 0.0
    weight_decay: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        name = type(self).__name__
        check_choice(name, "optimizer", self.optimizer, OPTIMIZERS)
        check_float(name, "lr", self.lr, minimum=0.0, strict=True)
        check_int(name, "steps", self.steps, 0)
        if self.batch_size is not None:
            check_int(name, "batch_size", self.batch_size, 1)
        check_choice(name, "loss", self.loss, LOSSES)
        check_float(name, "momentum", self.momentum, minimum=0.0, strict=False)
        check_float(name, "weight_decay", self.weight_decay, minimum=0.0, strict=False)
        check_int(name, "seed", self.seed, 0)

    def as_dict(self) -> dict[str, object]:
        """Field name -> value, for cache keys and the page's hyper-parameter table."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _prefactors(config: MLPConfig, n_models: int, prefactors: torch.Tensor | None) -> torch.Tensor:
    """Per-model prefactors (N,) in the compute dtype: the given ones or ``config.prefactor`` for all."""
    if prefactors is None:
        return torch.full((n_models,), float(config.prefactor), dtype=compute_dtype())
    p = torch.as_tensor(prefactors, dtype=compute_dtype())
    if p.shape != (n_models,) or not bool(torch.isfinite(p).all()) or not bool((p > 0).all()):
        raise ValueError(f"prefactors must be {n_models} finite positive numbers, got shape {tuple(p.shape)}")
    return p


def _check_params(config: MLPConfig, params: list[LayerParams]) -> int:
    if not isinstance(config, MLPConfig):
        raise ValueError(f"config must be an MLPConfig, got {type(config).__name__}")
    if len(params) != config.depth + 1:
        raise ValueError(f"params must hold depth + 1 = {config.depth + 1} layers, got {len(params)}")
    return params[0].weight.shape[0]


def _inputs(x: torch.Tensor, n_models: int, in_dim: int) -> torch.Tensor:
    """Inputs in the compute dtype: (P, in_dim) shared by every model, kept 2-D, or (N, P, in_dim).

    Why keep shared inputs 2-D: the first layer of all models is then one matrix product
    (``_scaled_linear``) and a mini-batch is gathered once, not once per model.
    """
    x = torch.as_tensor(x, dtype=compute_dtype())
    if (x.ndim == 2 and x.shape[1] == in_dim) or (x.ndim == 3 and x.shape[0] == n_models and x.shape[2] == in_dim):
        return x
    raise ValueError(f"x must be (points, {in_dim}) or ({n_models}, points, {in_dim}), got {tuple(x.shape)}")


def _batched_inputs(x: torch.Tensor, n_models: int, in_dim: int) -> torch.Tensor:
    """Inputs as (N, P, in_dim): shared (P, in_dim) points are broadcast to every model."""
    x = _inputs(x, n_models, in_dim)
    return x.unsqueeze(0).expand(n_models, -1, -1) if x.ndim == 2 else x


def batched_forward(
    config: MLPConfig,
    params: list[LayerParams],
    x: torch.Tensor,
    prefactors: torch.Tensor | None = None,
) -> torch.Tensor:
    """Outputs (N, points) of N MLPs at ``x`` ((points, in_dim) shared, or (N, points, in_dim)).

    Same definition as ``mlp_forward`` (which it equals when ``prefactors`` is None), but
    differentiable (no in-place ops) and with one prefactor per model. Explained in chapter 4.
    """
    n_models = _check_params(config, params)
    p = _prefactors(config, n_models, prefactors).to(params[0].weight.device)[:, None, None]
    h = _inputs(x, n_models, config.in_dim).to(params[0].weight.device)  # (P, in) shared or (N, P, in)
    activation = ACTIVATIONS[config.activation]
    # Chapter 3's variant readings (fields that older configs may lack), as in sampler.mlp_forward.
    norm_before = config.layernorm and getattr(config, "layernorm_position", "before") == "before"
    norm_after = config.layernorm and not norm_before
    mode = getattr(config, "residual_mode", "around_phi")
    skip_z = config.residual and mode in ("around_phi", "scaled")
    gate_p = p if getattr(config, "gate_magnitude", True) else None  # None: the gate at magnitude 1
    for index, layer in enumerate(params[:-1]):
        z = _scaled_linear(h, layer.weight, layer.bias, p)
        if norm_before:
            z = config.ln_gain * F.layer_norm(z, (z.shape[-1],), eps=1e-5)
        a = activation(z)
        if norm_after:
            a = config.ln_gain * F.layer_norm(a, (a.shape[-1],), eps=1e-5)
        if config.gating and gate_p is not None:
            a = a * torch.sigmoid(_scaled_linear(h, layer.gate_weight, layer.gate_bias, gate_p))
        elif config.gating:  # undo alpha in the gate's draws, as sampler._gate_scales does
            bias_alpha = config.alpha if config.bias_scales_with_alpha else 1.0
            weight, bias = layer.gate_weight / config.alpha, layer.gate_bias / bias_alpha
            a = a * torch.sigmoid(_scaled_linear(h, weight, bias, torch.ones_like(p)))
        if skip_z:
            h = z + a if mode == "around_phi" else (z + a) * (0.5**0.5)
        elif config.residual and index > 0:  # "around_layer": the first layer changes the width
            h = h + a
        else:
            h = a
    out = params[-1]
    if config.depth == 0:  # a perceptron: the prefactor scales its only pre-activation, as in sampler.mlp_forward
        return _scaled_linear(h, out.weight, out.bias, p).squeeze(-1)
    return torch.baddbmm(out.bias.unsqueeze(1), h, out.weight.transpose(1, 2)).squeeze(-1)


def _scaled_linear(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """``p (h W^T + b)`` per model, with p (N, 1, 1) folded into W and b: cheaper than scaling (N, P, width).

    ``h`` is (N, P, in), or (P, in) shared by every model: then all models' rows of W are
    stacked into one (N out, in) matrix and the layer is one ``addmm`` (and its gradient one
    more), which runs at the machine's full matrix rate where N small ``bmm`` products do not.
    """
    if h.ndim == 2:
        n, out, fan_in = weight.shape
        z = torch.addmm((p[:, :, 0] * bias).reshape(n * out), h, (p * weight).reshape(n * out, fan_in).t())
        return z.view(h.shape[0], n, out).transpose(0, 1)  # (N, P, out), a view
    return torch.baddbmm((p[:, :, 0] * bias).unsqueeze(1), h, (p * weight).transpose(1, 2))


def _loss_per_model(output: torch.Tensor, target: torch.Tensor, loss: str) -> torch.Tensor:
    """Mean loss of each model over its points: (N, P) -> (N,)."""
    target = target.expand_as(output)  # (P,) targets shared by every model
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(output, target, reduction="none").mean(1)
    return (output - target).square().mean(1)


def _map_layer(layer: LayerParams, fn: Callable[[torch.Tensor], torch.Tensor]) -> LayerParams:
    """``fn`` applied to every tensor of a layer (the gating ones may be None)."""
    apply = lambda t: None if t is None else fn(t)  # noqa: E731
    return LayerParams(apply(layer.weight), apply(layer.bias), apply(layer.gate_weight), apply(layer.gate_bias))


def _leaves(params: list[LayerParams], device: torch.device | None = None) -> list[LayerParams]:
    """Fresh leaf copies in the compute dtype (on ``device``) that require grad; the caller's stay untouched."""
    dtype = compute_dtype()
    copy = lambda t: t.detach().to(device=device, dtype=dtype, copy=True).requires_grad_(True)  # noqa: E731
    return [_map_layer(layer, copy) for layer in params]


def _tensors(params: list[LayerParams]) -> list[torch.Tensor]:
    out = []
    for layer in params:
        out += [t for t in (layer.weight, layer.bias, layer.gate_weight, layer.gate_bias) if t is not None]
    return out


def _optimizer(tensors: list[torch.Tensor], train: TrainConfig) -> torch.optim.Optimizer:
    if train.optimizer == "adam":
        return torch.optim.Adam(tensors, lr=train.lr, weight_decay=train.weight_decay)
    return torch.optim.SGD(tensors, lr=train.lr, momentum=train.momentum, weight_decay=train.weight_decay)


def batch_indices(n_points: int, train: TrainConfig) -> list[torch.Tensor | None]:
    """The mini-batch of every step (None = full batch): epochs of a seeded permutation.

    Shared by the batched trainer and the per-model reference, so both see the same data order.
    """
    if train.batch_size is None or train.batch_size >= n_points:
        return [None] * train.steps
    gen = torch.Generator().manual_seed(train.seed)
    order: list[torch.Tensor] = []
    perm = torch.empty(0, dtype=torch.long)
    while len(order) < train.steps:
        if perm.numel() < train.batch_size:
            perm = torch.randperm(n_points, generator=gen)
        order.append(perm[: train.batch_size])
        perm = perm[train.batch_size :]
    return order


@dataclass
class TrainResult:
    """Trained parameters (detached) and the loss of every model before each step, (steps, N).

    ``steps_run`` (N,) is how many steps each model took: ``train.steps``, or fewer for a model
    that ``until_fit`` retired (its later losses are NaN).
    """

    params: list[LayerParams]
    losses: torch.Tensor
    steps_run: torch.Tensor | None = None


def _fits(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Which models classify every point correctly (a 0/1 target, the output as a logit): (N,) bool."""
    return ((output > 0) == (target > 0.5)).all(1)


def _compact(
    leaves: list[LayerParams], optimizer: torch.optim.Optimizer, keep: torch.Tensor, train: TrainConfig
) -> tuple[list[LayerParams], torch.optim.Optimizer]:
    """The models ``keep`` of a batch as new leaves, with their optimiser state carried over.

    Why: a model that has fitted stops training, and dropping it from the batch makes the
    remaining steps cheaper. Adam and SGD keep elementwise state per model (moments, momentum),
    so indexing that state keeps every remaining model on exactly its own trajectory.
    """
    old = _tensors(leaves)
    new_leaves = [_map_layer(layer, lambda t: t.detach()[keep].clone().requires_grad_(True)) for layer in leaves]
    new = _tensors(new_leaves)
    new_optimizer = _optimizer(new, train)
    for a, b in zip(old, new, strict=True):
        state = optimizer.state.get(a)
        if state:
            new_optimizer.state[b] = {
                key: value[keep].clone() if torch.is_tensor(value) and value.ndim and value.shape[0] == len(keep)
                else (value.clone() if torch.is_tensor(value) else value)
                for key, value in state.items()
            }
    return new_leaves, new_optimizer


def train_mlps(
    config: MLPConfig,
    params: list[LayerParams],
    x: torch.Tensor,
    y: torch.Tensor,
    train: TrainConfig,
    *,
    prefactors: torch.Tensor | None = None,
    until_fit: bool = False,
    check_every: int = 25,
) -> TrainResult:
    """Train N MLPs at once from ``params`` on their data; returns new parameters and losses.

    ``x`` is (P, in_dim) shared or (N, P, in_dim) per model; ``y`` is (P,) or (N, P) targets
    (0/1 for ``bce``). Equals training each model alone with ``torch.optim`` (see
    ``train_reference``), in a few batched matrix products per step. Explained in chapter 4.

    ``until_fit`` (``bce`` only): every ``check_every`` steps (and after the last), a model that
    classifies all its training points correctly stops there ("train until training accuracy
    is 1, or ``train.steps``"); it is left out of the batch from then on, which makes the rest
    cheaper without changing any other model's trajectory.
    """
    return fit(config, params, x, y, train, prefactors=prefactors, until_fit=until_fit, check_every=check_every)


def fit(
    config: MLPConfig,
    params: list[LayerParams],
    x: torch.Tensor,
    y: torch.Tensor,
    train: TrainConfig,
    *,
    prefactors: torch.Tensor | None = None,
    before_step: Callable[[int, list[LayerParams]], None] | None = None,
    until_fit: bool = False,
    check_every: int = 25,
) -> TrainResult:
    """``train_mlps``, calling ``before_step(step, parameters)`` before every step and after the last.

    The one training loop of the library: ``dynamics.train_with_snapshots`` records functions
    through ``before_step`` (which must not change the parameters), so both train identically.
    Training runs on ``REDSHIFT_DEVICE`` (``before_step`` sees the parameters there); the
    result is on the CPU.
    """
    device = compute_device()  # a bad REDSHIFT_DEVICE is refused before any work
    n_models = _check_params(config, params)
    if not isinstance(train, TrainConfig):
        raise ValueError(f"train must be a TrainConfig, got {type(train).__name__}")
    x = _inputs(x, n_models, config.in_dim)
    y = torch.as_tensor(y, dtype=compute_dtype())
    points = x.shape[-2]
    if y.shape not in ((points,), (n_models, points)):
        raise ValueError(f"y must be (points,) or (n_models, points) matching x {tuple(x.shape)}, got {tuple(y.shape)}")
    if not bool(torch.isfinite(x).all()) or not bool(torch.isfinite(y).all()):
        raise ValueError("x and y must be finite")
    if train.loss == "bce" and not bool(((y == 0) | (y == 1)).all()):
        raise ValueError("loss 'bce' needs targets in {0, 1}")
    if until_fit and train.loss != "bce":
        raise ValueError(f"until_fit needs loss 'bce' (training accuracy), got {train.loss!r}")
    if until_fit and before_step is not None:
        raise ValueError("until_fit and before_step cannot be combined (retired models leave the batch)")
    check_int("train_mlps", "check_every", check_every, 1)
    x, y, p = x.to(device), y.to(device), _prefactors(config, n_models, prefactors).to(device)
    leaves = _leaves(params, device)
    optimizer = _optimizer(_tensors(leaves), train)
    losses = torch.full((train.steps, n_models), float("nan"), dtype=x.dtype, device=device)

    def rows(t: torch.Tensor, shared_ndim: int, active: torch.Tensor | None) -> torch.Tensor:
        """The active models' rows of a per-model tensor; a shared one (P, ...) as it is."""
        return t if active is None or t.ndim == shared_ndim else t[active.to(t.device)]

    def step_once(step: int, index: torch.Tensor | None, active: torch.Tensor | None) -> None:
        # The mini-batch: rows ``index`` of the shared (P, in) inputs, or of every model's own.
        index = index if index is None or device.type == "cpu" else index.to(device)
        xa, ya = rows(x, 2, active), rows(y, 1, active)
        pa = p if active is None else p[active.to(device)]
        xb = xa if index is None else xa[..., index, :]
        yb = ya if index is None else ya[..., index]
        loss = _loss_per_model(batched_forward(config, leaves, xb, pa), yb, train.loss)
        optimizer.zero_grad(set_to_none=True)
        loss.sum().backward()
        optimizer.step()
        if active is None:
            losses[step] = loss.detach()
        else:
            losses[step, active.to(device)] = loss.detach()

    if not until_fit:
        for step, index in enumerate(batch_indices(points, train)):
            if before_step is not None:
                before_step(step, leaves)
            step_once(step, index, None)
        if before_step is not None:
            before_step(train.steps, leaves)
        trained = [_map_layer(layer, lambda t: t.detach().cpu()) for layer in leaves]
        return TrainResult(params=trained, losses=losses.cpu(), steps_run=torch.full((n_models,), train.steps))
    done = [_map_layer(layer, lambda t: t.detach().clone()) for layer in leaves]  # filled as models retire
    steps_run = torch.full((n_models,), train.steps)
    active = torch.arange(n_models)

    def retire(step: int) -> torch.Tensor:
        """Store the fitted models' parameters, return the mask (CPU) of those that go on."""
        on = active.to(device)
        with torch.no_grad():
            fit = _fits(batched_forward(config, leaves, rows(x, 2, active), p[on]), rows(y, 1, active))
        fit_cpu = fit.cpu()
        for stored, layer in zip(done, leaves, strict=True):
            for s_t, l_t in zip(_tensors([stored]), _tensors([layer]), strict=True):
                s_t[on[fit]] = l_t.detach()[fit]
        steps_run[active[fit_cpu]] = step
        return ~fit_cpu

    for step, index in enumerate(batch_indices(points, train)):
        if step % check_every == 0:
            keep = retire(step)
            if not bool(keep.any()):
                active = active[keep]
                break
            if not bool(keep.all()):
                leaves, optimizer = _compact(leaves, optimizer, keep.to(device), train)
                active = active[keep]
        step_once(step, index, active)
    else:
        if len(active):
            retire(train.steps)
            on = active.to(device)
            for stored, layer in zip(done, leaves, strict=True):  # the unfitted ones: their last parameters
                for s_t, l_t in zip(_tensors([stored]), _tensors([layer]), strict=True):
                    s_t[on] = l_t.detach()
    trained = [_map_layer(layer, lambda t: t.cpu()) for layer in done]
    return TrainResult(params=trained, losses=losses.cpu(), steps_run=steps_run)


@torch.no_grad()
def predict(
    config: MLPConfig,
    params: list[LayerParams],
    x: torch.Tensor,
    prefactors: torch.Tensor | None = None,
    *,
    chunk_points: int = 8192,
) -> torch.Tensor:
    """``batched_forward`` without gradients, in chunks of points: (N, points), on the CPU. Chapter 4.

    Computes on ``REDSHIFT_DEVICE`` (parameters on the CPU are copied there once).
    """
    device = compute_device()
    x = torch.as_tensor(x, dtype=compute_dtype())
    if params and params[0].weight.device != device:
        params = [_map_layer(layer, lambda t: t.to(device)) for layer in params]
    axis = x.ndim - 2
    parts = [
        batched_forward(config, params, x.narrow(axis, s, min(chunk_points, x.shape[axis] - s)), prefactors).cpu()
        for s in range(0, x.shape[axis], chunk_points)
    ]
    return torch.cat(parts, dim=1)


def init_mlps(config: MLPConfig, n_models: int, *, seed: int = 0) -> list[LayerParams]:
    """The paper's uniform prior for N models, model i from its own stream (``sample_mlp_params``).

    Training starts from the same draws that chapters 1-3 measure. Explained in chapter 4.
    """
    return sample_mlp_params(config, n_models, seed=seed)


# ------------------------------------------------------------------------ the slow reference


class ReferenceMLP(nn.Module):
    """One MLP as ``nn.Linear`` layers: the obviously-correct per-model version of the trainer."""

    def __init__(self, config: MLPConfig, prefactor: float) -> None:
        super().__init__()
        if config.gating or config.layernorm or config.residual:
            raise ValueError("ReferenceMLP covers the plain MLP only")
        sizes = [config.in_dim] + [config.width] * config.depth + [1]
        linears = (nn.Linear(i, o, dtype=compute_dtype()) for i, o in zip(sizes[:-1], sizes[1:], strict=True))
        self.layers = nn.ModuleList(linears)
        self.activation = ACTIVATIONS[config.activation]
        self.prefactor = float(prefactor)

    def load_from(self, params: list[LayerParams], index: int) -> ReferenceMLP:
        with torch.no_grad():
            for linear, layer in zip(self.layers, params, strict=True):
                linear.weight.copy_(layer.weight[index])
                linear.bias.copy_(layer.bias[index])
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for linear in self.layers[:-1]:
            x = self.activation(self.prefactor * linear(x))
        out = self.layers[-1](x) * (self.prefactor if len(self.layers) == 1 else 1.0)
        return out.squeeze(-1)


def train_reference(
    config: MLPConfig,
    params: list[LayerParams],
    x: torch.Tensor,
    y: torch.Tensor,
    train: TrainConfig,
    *,
    prefactors: torch.Tensor | None = None,
) -> TrainResult:
    """The same training as ``train_mlps``, one ``nn.Module`` at a time (tests and benchmarks).

    Why keep it: it is what one would write without batching, so it defines what the batched
    trainer must reproduce and the baseline its speed is measured against. Chapter 4.
    """
    n_models = _check_params(config, params)
    x = _batched_inputs(x, n_models, config.in_dim)
    y = torch.as_tensor(y, dtype=compute_dtype())
    y = y.unsqueeze(0).expand(n_models, -1) if y.ndim == 1 else y
    p = _prefactors(config, n_models, prefactors)
    order = batch_indices(x.shape[1], train)
    losses = torch.empty(train.steps, n_models, dtype=x.dtype)
    trained: list[list[tuple[torch.Tensor, torch.Tensor]]] = []
    for i in range(n_models):
        model = ReferenceMLP(config, float(p[i])).load_from(params, i)
        optimizer = _optimizer(list(model.parameters()), train)
        for step, index in enumerate(order):
            xb, yb = (x[i], y[i]) if index is None else (x[i, index], y[i, index])
            loss = _loss_per_model(model(xb).unsqueeze(0), yb.unsqueeze(0), train.loss)[0]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses[step, i] = loss.detach()
        trained.append([(lin.weight.detach(), lin.bias.detach()) for lin in model.layers])
    stacked = [
        LayerParams(torch.stack([m[k][0] for m in trained]), torch.stack([m[k][1] for m in trained]))
        for k in range(len(params))
    ]
    return TrainResult(params=stacked, losses=losses)
