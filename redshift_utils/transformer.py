"""A GPT-2-style decoder, sampled at random and decoded greedily, many models at once (chapter 5).

One file to read from top to bottom, in the spirit of nanoGPT: the configuration, the
parameters with GPT-2's initialisation, the forward pass with a key/value cache, and greedy
decoding. The one twist is a leading *model* dimension ``M`` on every parameter: the paper
draws fresh random weights for every sequence it generates, so ``M`` independent models, each
writing one sequence, run in one batched forward pass (``torch.bmm`` over models) instead of
a Python loop over models.

Shapes below: ``M`` models, ``T`` positions, ``W`` width, ``H`` heads, ``D = W / H`` per head,
``V`` vocabulary size, ``C`` context (the number of position embeddings).
See the conventions page, book/conventions.md, section "The random Transformer".
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

import torch
import torch.nn.functional as F

from redshift_utils.activations import ACTIVATIONS
from redshift_utils.device import resolve_device
from redshift_utils.precision import compute_dtype
from redshift_utils.sampler import network_generator
from redshift_utils.validation import as_bool, as_float, as_int, check_bool, check_choice, check_int, set_field

INIT_STD = 0.02  # GPT-2: every weight matrix and embedding ~ N(0, 0.02^2)
LN_EPS = 1e-5  # GPT-2's layer-norm epsilon
# Models decoded together: parameters + key/value cache + activations of one chunk stay under
# this. 32 MiB keeps a chunk's weights near the CPU caches: decoding one token per model is a
# batch of matrix-vector products that reads every weight once per step, so it is bound by
# memory traffic (benchmarks/bench_transformer.py measured 16-64 MiB best on 2 cores).
CHUNK_BYTES = 2**25
# On a GPU a step is a few dozen kernel launches whatever the chunk, so chunks are as large as
# memory comfortably allows: 1 GiB.
GPU_CHUNK_BYTES = 2**30
# Decoding runs on one thread: each step is a few dozen small operations (a batch of
# matrix-vector products), too small to split across threads. On the shared 2-core machine
# two intra-op threads made generate_sequences 5 to 10 times slower than one.
DECODE_THREADS = 1


# ----------------------------------------------------------------------------- configuration


# Sanity limits of TransformerConfig's sizes, far above GPT-2 small (12 blocks, width 768, 12
# heads, 50,257 tokens, context 1,024) and the book's parameters (up to 48 blocks, width 2,048,
# a 100,000-token vocabulary, context 4,096): a typo such as width=10**9 is refused at
# construction instead of failing as an out-of-memory error inside torch.
MAX_DEPTH = 1024
MAX_WIDTH = 65536
MAX_HEADS = 1024
MAX_VOCAB_SIZE = 2**20  # 1,048,576
MAX_CONTEXT = 2**17  # 131,072


@dataclass(frozen=True)
class TransformerConfig:
    """A decoder-only Transformer in the shape of GPT-2, small enough for a CPU by default.

    ``depth`` blocks of width ``width`` with ``heads`` attention heads; MLPs of width
    ``4 * width`` with ``activation`` (any of ``ru.ACTIVATIONS``; GPT-2 uses GELU);
    ``ln_gain`` is the weight of the layer norms *inside* the blocks (the paper's knob for the
    magnitude of the activations; the final layer norm keeps weight 1); ``tie_head`` reuses the
    token embedding as the output layer, as GPT-2 does. ``gpt2_small()`` gives GPT-2 small's
    dimensions. Explained in chapter 5 (``notebooks/05_transformers.md``).
    """

    activation: str = "gelu"
    depth: int = 4
    width: int = 64
    heads: int = 4
    vocab_size: int = 512
    context: int = 128
    ln_gain: float = 1.0
    tie_head: bool = True

    def __post_init__(self) -> None:
        # numpy scalars (np.int64(4), np.float32(2.0)) are stored as Python numbers.
        name = type(self).__name__
        check_choice(name, "activation", self.activation, tuple(ACTIVATIONS))
        for field, minimum, maximum in (
            ("depth", 1, MAX_DEPTH),
            ("width", 1, MAX_WIDTH),
            ("heads", 1, MAX_HEADS),
            ("vocab_size", 2, MAX_VOCAB_SIZE),
            ("context", 1, MAX_CONTEXT),
        ):
            set_field(self, field, as_int(name, field, getattr(self, field), minimum, maximum))
        if self.width % self.heads:
            raise ValueError(f"{name}.heads must divide width={self.width}, got {self.heads!r}")
        set_field(self, "ln_gain", as_float(name, "ln_gain", self.ln_gain, minimum=0.0, strict=True))
        set_field(self, "tie_head", as_bool(name, "tie_head", self.tie_head))

    @classmethod
    def gpt2_small(cls, **overrides: object) -> TransformerConfig:
        """GPT-2 small (124M parameters): 12 blocks, width 768, 12 heads, 50,257 tokens, context 1,024."""
        dims = {"depth": 12, "width": 768, "heads": 12, "vocab_size": 50257, "context": 1024}
        return cls(**{**dims, **overrides})

    @property
    def head_dim(self) -> int:
        return self.width // self.heads

    def n_parameters(self) -> int:
        """Parameters of one model (biases and layer norms included, a tied head counted once)."""
        w, v = self.width, self.vocab_size
        block = 2 * 2 * w + (w * 3 * w + 3 * w) + (w * w + w) + (w * 4 * w + 4 * w) + (4 * w * w + w)
        head = 0 if self.tie_head else v * w
        return v * w + self.context * w + self.depth * block + 2 * w + head

    def as_dict(self) -> dict[str, object]:
        """Field name -> value, for results records and cache keys."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# ------------------------------------------------------------------------------ parameters


@dataclass
class BlockParams:
    """One Transformer block of ``M`` models. Linear weights are stored (in, out), as GPT-2's
    ``Conv1D``, so a layer is ``x @ weight + bias``."""

    ln_1_weight: torch.Tensor  # (M, W)
    ln_1_bias: torch.Tensor  # (M, W)
    attn_weight: torch.Tensor  # (M, W, 3W): queries, keys and values in one product
    attn_bias: torch.Tensor  # (M, 3W)
    attn_proj_weight: torch.Tensor  # (M, W, W): a residual projection
    attn_proj_bias: torch.Tensor  # (M, W)
    ln_2_weight: torch.Tensor  # (M, W)
    ln_2_bias: torch.Tensor  # (M, W)
    fc_weight: torch.Tensor  # (M, W, 4W)
    fc_bias: torch.Tensor  # (M, 4W)
    mlp_proj_weight: torch.Tensor  # (M, 4W, W): a residual projection
    mlp_proj_bias: torch.Tensor  # (M, W)


@dataclass
class TransformerParams:
    """All parameters of ``M`` models, leading dimension = model."""

    wte: torch.Tensor  # (M, V, W) token embeddings (also the output layer when tied)
    wpe: torch.Tensor  # (M, C, W) position embeddings
    blocks: list[BlockParams]
    ln_f_weight: torch.Tensor  # (M, W)
    ln_f_bias: torch.Tensor  # (M, W)
    head: torch.Tensor | None  # (M, V, W), None when tied to wte

    @property
    def n_models(self) -> int:
        return self.wte.shape[0]

    def to(self, target: str | torch.device | torch.dtype) -> TransformerParams:
        """The same parameters on another device (e.g. a GPU) or in another dtype."""
        move = lambda t: None if t is None else t.to(target)  # noqa: E731
        blocks = [BlockParams(**{f.name: move(getattr(b, f.name)) for f in fields(b)}) for b in self.blocks]
        return TransformerParams(
            move(self.wte), move(self.wpe), blocks, move(self.ln_f_weight), move(self.ln_f_bias), move(self.head)
        )


def _empty_params(config: TransformerConfig, m: int) -> TransformerParams:
    """Allocate; biases are zero and layer norms have GPT-2's init with ``ln_gain`` inside blocks."""
    w, v, gain = config.width, config.vocab_size, float(config.ln_gain)
    full = lambda value, *shape: torch.full((m, *shape), value)  # noqa: E731
    blocks = [
        BlockParams(
            ln_1_weight=full(gain, w),
            ln_1_bias=full(0.0, w),
            attn_weight=torch.empty(m, w, 3 * w),
            attn_bias=full(0.0, 3 * w),
            attn_proj_weight=torch.empty(m, w, w),
            attn_proj_bias=full(0.0, w),
            ln_2_weight=full(gain, w),
            ln_2_bias=full(0.0, w),
            fc_weight=torch.empty(m, w, 4 * w),
            fc_bias=full(0.0, 4 * w),
            mlp_proj_weight=torch.empty(m, 4 * w, w),
            mlp_proj_bias=full(0.0, w),
        )
        for _ in range(config.depth)
    ]
    return TransformerParams(
        wte=torch.empty(m, v, w),
        wpe=torch.empty(m, config.context, w),
        blocks=blocks,
        ln_f_weight=full(1.0, w),
        ln_f_bias=full(0.0, w),
        head=None if config.tie_head else torch.empty(m, v, w),
    )


def sample_params(config: TransformerConfig, indices: range, seed: int) -> tuple[TransformerParams, torch.Tensor]:
    """Parameters and one prompt token for models ``indices``, each from its own stream ``(seed, i)``.

    GPT-2's initialisation (Hugging Face ``_init_weights``): embeddings and weight matrices
    ``N(0, 0.02^2)``; the two residual projections of each block ``N(0, (0.02 / sqrt(2 depth))^2)``
    so the residual stream's variance does not grow with depth; biases 0; layer norms weight 1,
    bias 0 (weight ``ln_gain`` inside the blocks). Model ``i`` draws its prompt token first,
    then embeddings, head and blocks in order, so its weights do not depend on the activation
    or the gain, and a deeper model extends a shallower one by extra blocks.
    Explained in chapter 5 (``notebooks/05_transformers.md``).
    """
    params = _empty_params(config, len(indices))
    prompts = torch.empty(len(indices), dtype=torch.long)
    proj_std = INIT_STD / math.sqrt(2 * config.depth)
    for row, index in enumerate(indices):
        gen = network_generator(seed, index)
        prompts[row] = torch.randint(config.vocab_size, (1,), generator=gen)[0]
        params.wte[row].normal_(0.0, INIT_STD, generator=gen)
        params.wpe[row].normal_(0.0, INIT_STD, generator=gen)
        if params.head is not None:
            params.head[row].normal_(0.0, INIT_STD, generator=gen)
        for block in params.blocks:
            block.attn_weight[row].normal_(0.0, INIT_STD, generator=gen)
            block.attn_proj_weight[row].normal_(0.0, proj_std, generator=gen)
            block.fc_weight[row].normal_(0.0, INIT_STD, generator=gen)
            block.mlp_proj_weight[row].normal_(0.0, proj_std, generator=gen)
    return params, prompts


# ----------------------------------------------------------------------------- forward pass


@dataclass
class KVCache:
    """Keys and values of every block for the positions decoded so far: (M, H, length, D) each.

    Why: in greedy decoding position t's keys and values never change once computed, so each
    step only needs the new token's query, key and value instead of the whole prefix again.
    """

    keys: list[torch.Tensor]
    values: list[torch.Tensor]

    @classmethod
    def empty(
        cls,
        config: TransformerConfig,
        m: int,
        length: int,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> KVCache:
        shape = (m, config.heads, length, config.head_dim)
        make = lambda: [torch.empty(shape, device=device, dtype=dtype) for _ in range(config.depth)]  # noqa: E731
        return cls(make(), make())


def _linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``x @ weight + bias`` for every model at once: (M, T, in) -> (M, T, out)."""
    return torch.baddbmm(bias.unsqueeze(1), x, weight)


def _layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """Normalise over channels, then each model's own weight and bias: (M, T, W)."""
    return torch.addcmul(bias.unsqueeze(1), F.layer_norm(x, x.shape[-1:], eps=LN_EPS), weight.unsqueeze(1))


def _attention(
    config: TransformerConfig,
    block: BlockParams,
    x: torch.Tensor,
    start: int,
    cache: tuple[torch.Tensor, torch.Tensor] | None,
) -> torch.Tensor:
    """Causal multi-head self-attention of positions ``start .. start+T-1``; ``cache`` = (keys, values)."""
    m, t, w = x.shape
    q, k, v = _linear(x, block.attn_weight, block.attn_bias).view(m, t, 3, config.heads, -1).permute(2, 0, 3, 1, 4)
    if cache is not None:  # store this step's keys and values, then attend to all of them
        keys, values = cache
        keys[:, :, start : start + t] = k
        values[:, :, start : start + t] = v
        k, v = keys[:, :, : start + t], values[:, :, : start + t]
    scores = q @ k.transpose(-1, -2) / math.sqrt(config.head_dim)  # (M, H, T, start + T)
    if t > 1:  # query i (position start + i) sees keys 0 .. start + i
        visible = torch.ones(t, start + t, dtype=torch.bool, device=x.device).tril(diagonal=start)
        scores = scores.masked_fill(~visible, float("-inf"))
    y = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(m, t, w)  # heads side by side again
    return _linear(y, block.attn_proj_weight, block.attn_proj_bias)


def _mlp(config: TransformerConfig, block: BlockParams, x: torch.Tensor) -> torch.Tensor:
    """Width -> 4 x width -> activation -> width."""
    hidden = ACTIVATIONS[config.activation](_linear(x, block.fc_weight, block.fc_bias))
    return _linear(hidden, block.mlp_proj_weight, block.mlp_proj_bias)


def next_token_logits(
    config: TransformerConfig,
    params: TransformerParams,
    tokens: torch.Tensor,
    *,
    start: int = 0,
    cache: KVCache | None = None,
) -> torch.Tensor:
    """Logits (M, V) after the last of ``tokens`` (M, T), which sit at positions ``start ..``.

    Pre-LN blocks: ``x += attention(LN_1(x))``, then ``x += MLP(LN_2(x))``; a final LN and the
    (tied) output layer. Without ``cache`` the tokens must be the whole prefix (``start = 0``).
    Explained in chapter 5 (``notebooks/05_transformers.md``).
    """
    m, t = tokens.shape
    if start + t > config.context:
        raise ValueError(f"positions up to {start + t} exceed the context of {config.context} tokens")
    if cache is None and start != 0:
        raise ValueError("without a cache the tokens must be the whole prefix (start = 0)")
    models = torch.arange(m, device=tokens.device).unsqueeze(1)
    x = params.wte[models, tokens] + params.wpe[:, start : start + t]  # (M, T, W)
    for layer, block in enumerate(params.blocks):
        kv = None if cache is None else (cache.keys[layer], cache.values[layer])
        x = x + _attention(config, block, _layer_norm(x, block.ln_1_weight, block.ln_1_bias), start, kv)
        x = x + _mlp(config, block, _layer_norm(x, block.ln_2_weight, block.ln_2_bias))
    last = _layer_norm(x[:, -1:], params.ln_f_weight, params.ln_f_bias)  # only the next token is needed
    head = params.wte if params.head is None else params.head
    return torch.bmm(last, head.transpose(1, 2)).squeeze(1)


# --------------------------------------------------------------------------------- decoding


@torch.inference_mode()
def greedy_decode(
    config: TransformerConfig,
    params: TransformerParams,
    prompts: torch.Tensor,
    length: int,
    *,
    kv_cache: bool = True,
) -> torch.Tensor:
    """Extend each model's one-token prompt to ``length`` tokens by always taking the argmax.

    With ``kv_cache`` each step feeds only the newest token; without it, the whole prefix is
    recomputed at every step (the slow reference it must agree with). Ties go to the lowest
    token id. Explained in chapter 5 (``notebooks/05_transformers.md``).
    """
    m = prompts.shape[0]
    tokens = torch.empty(m, length, dtype=torch.long, device=prompts.device)
    tokens[:, 0] = prompts
    cache = KVCache.empty(config, m, length, prompts.device, params.wte.dtype) if kv_cache else None
    for t in range(1, length):
        if kv_cache:
            logits = next_token_logits(config, params, tokens[:, t - 1 : t], start=t - 1, cache=cache)
        else:
            logits = next_token_logits(config, params, tokens[:, :t])
        tokens[:, t] = logits.argmax(dim=-1)
    return tokens


def _chunk_size(config: TransformerConfig, length: int, budget: int = CHUNK_BYTES) -> int:
    """Models per chunk: parameters, cache and the largest activations under ``budget`` bytes."""
    cache = 2 * config.depth * length * config.width
    activations = length * (8 * config.width + config.heads * length) + config.vocab_size
    return max(1, budget // (4 * (config.n_parameters() + cache + activations)))


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """Run the block with ``count`` intra-op threads, then restore the caller's setting."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def generate_sequences(
    config: TransformerConfig,
    n_sequences: int,
    *,
    length: int = 100,
    seed: int = 0,
    chunk_size: int | None = None,
    kv_cache: bool = True,
    device: str | torch.device | None = None,
) -> torch.Tensor:
    """Greedy sequences of freshly initialised models: LongTensor (n_sequences, length).

    Sequence ``i`` comes from its own model, drawn from the stream ``(seed, i)``: GPT-2's
    initialisation, one uniformly random prompt token, then greedy decoding until ``length``
    tokens (the prompt included). Models are decoded ``chunk_size`` at a time in one batched
    pass; the result does not depend on ``n_sequences`` or ``chunk_size``. ``kv_cache=False``
    recomputes the whole prefix at every step (the slow reference). Models are drawn on the
    CPU, as always, and decoded on ``device`` (default: ``REDSHIFT_DEVICE``, the CPU unless it
    says ``cuda``); the tokens come back as a CPU tensor.
    Explained in chapter 5 (``notebooks/05_transformers.md``).
    """
    if not isinstance(config, TransformerConfig):
        raise ValueError(f"config must be a TransformerConfig, got {type(config).__name__}")
    check_int("generate_sequences", "n_sequences", n_sequences, 1)
    check_int("generate_sequences", "length", length, 1)
    if length > config.context:
        raise ValueError(f"generate_sequences.length must be <= context={config.context}, got {length!r}")
    check_int("generate_sequences", "seed", seed, 0)
    device = resolve_device(device)
    if chunk_size is None:
        chunk_size = _chunk_size(config, length, CHUNK_BYTES if device.type == "cpu" else GPU_CHUNK_BYTES)
    check_int("generate_sequences", "chunk_size", chunk_size, 1)
    check_bool("generate_sequences", "kv_cache", kv_cache)
    out = torch.empty(n_sequences, length, dtype=torch.long)
    with _torch_threads(DECODE_THREADS):
        for first in range(0, n_sequences, chunk_size):
            indices = range(first, min(first + chunk_size, n_sequences))
            params, prompts = sample_params(config, indices, seed)
            params = params.to(compute_dtype())  # float32 draws, computed in REDSHIFT_DTYPE
            if device.type != "cpu":  # drawn on the CPU, then moved
                params, prompts = params.to(device), prompts.to(device)
            out[first : indices.stop] = greedy_decode(config, params, prompts, length, kv_cache=kv_cache).cpu()
    return out


# ------------------------------------------------------------------- a sweep on shared weights

# Variants (activation, gain) decoded together with one model's weights: the KV cache, the
# hidden activations and the logits of one chunk stay under this. The weights are shared by
# all the variants of a model, so each step is a matrix-matrix product (variants x width)
# instead of one matrix-vector product per variant: the weights are read once per step for
# every variant, and the per-operation overhead of torch is paid once for all of them.
SWEEP_CHUNK_BYTES = 2**26


def _variant_logits(
    config: TransformerConfig,
    params: TransformerParams,
    tokens: torch.Tensor,
    position: int,
    cache: KVCache,
    gains: torch.Tensor,
    groups: list[tuple[str, slice]],
) -> torch.Tensor:
    """Logits (M, V, vocabulary) after ``tokens`` (M, V) at ``position``, one variant per column.

    Variant ``v`` of model ``m`` is model ``m`` with layer-norm gain ``gains[v]`` inside the
    blocks and the activation of the group whose slice holds ``v``: the same pre-LN blocks as
    ``next_token_logits``, with the variants in the place of the positions of the matrix products.
    """
    m, n = tokens.shape
    models = torch.arange(m, device=tokens.device).unsqueeze(1)
    x = params.wte[models, tokens] + params.wpe[:, position : position + 1]  # (M, V, W)
    gain = gains.view(1, n, 1)

    def norm(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return torch.addcmul(bias.unsqueeze(1), F.layer_norm(h, h.shape[-1:], eps=LN_EPS), weight.unsqueeze(1) * gain)

    for layer, block in enumerate(params.blocks):
        qkv = _linear(norm(x, block.ln_1_weight, block.ln_1_bias), block.attn_weight, block.attn_bias)
        q, k, v = qkv.view(m, n, 3, config.heads, config.head_dim).unbind(2)  # (M, V, H, D) each
        keys, values = cache.keys[layer], cache.values[layer]  # (M, V, H, length, D)
        keys[:, :, :, position] = k
        values[:, :, :, position] = v
        seen = (keys[:, :, :, : position + 1].flatten(0, 1), values[:, :, :, : position + 1].flatten(0, 1))
        y = F.scaled_dot_product_attention(q.reshape(m * n, config.heads, 1, config.head_dim), *seen)
        y = y.reshape(m, n, config.width)
        x = x + _linear(y, block.attn_proj_weight, block.attn_proj_bias)
        hidden = _linear(norm(x, block.ln_2_weight, block.ln_2_bias), block.fc_weight, block.fc_bias)
        hidden = torch.cat([ACTIVATIONS[name](hidden[:, part]) for name, part in groups], dim=1)
        x = x + _linear(hidden, block.mlp_proj_weight, block.mlp_proj_bias)
    last = _layer_norm(x, params.ln_f_weight, params.ln_f_bias)
    head = params.wte if params.head is None else params.head
    return torch.bmm(last, head.transpose(1, 2))


@torch.inference_mode()
def _decode_variants(
    config: TransformerConfig,
    params: TransformerParams,
    prompts: torch.Tensor,
    variants: list[tuple[str, float]],
    length: int,
) -> torch.Tensor:
    """Greedy tokens (M, V, length) of every model in every variant (activation, gain), from its prompt."""
    m, n = prompts.shape[0], len(variants)
    names = [name for name, _ in variants]
    groups, start = [], 0
    for k in range(1, n + 1):  # runs of consecutive variants with the same activation
        if k == n or names[k] != names[start]:
            groups.append((names[start], slice(start, k)))
            start = k
    gains = torch.tensor([gain for _, gain in variants], dtype=params.wte.dtype, device=prompts.device)
    shape = (m, n, config.heads, length, config.head_dim)
    make = lambda: [torch.empty(shape, device=prompts.device, dtype=params.wte.dtype) for _ in range(config.depth)]  # noqa: E731
    cache = KVCache(make(), make())
    tokens = torch.empty(m, n, length, dtype=torch.long, device=prompts.device)
    tokens[:, :, 0] = prompts.unsqueeze(1)
    for t in range(1, length):
        logits = _variant_logits(config, params, tokens[:, :, t - 1], t - 1, cache, gains, groups)
        tokens[:, :, t] = logits.argmax(dim=-1)
    return tokens


def _sweep_chunks(config: TransformerConfig, n_variants: int, length: int) -> tuple[int, int]:
    """(models per chunk, variants per pass): a pass's parameters, cache and activations under ``SWEEP_CHUNK_BYTES``."""
    per_variant = 2 * config.depth * length * config.width + 8 * config.width + config.vocab_size  # floats
    budget = SWEEP_CHUNK_BYTES // 4
    variants = max(1, min(n_variants, budget // 2 // per_variant))
    models = max(1, budget // (config.n_parameters() + variants * per_variant))
    return models, variants


def generate_sweep(
    config: TransformerConfig,
    activations: list[str] | tuple[str, ...],
    gains: list[float] | tuple[float, ...],
    n_sequences: int,
    *,
    length: int = 100,
    seed: int = 0,
    device: str | torch.device = "cpu",
    progress: object | None = None,
) -> torch.Tensor:
    """Greedy sequences of every activation and layer-norm gain: LongTensor (activation, gain, n_sequences, length).

    Entry ``[a, g, i]`` is what ``generate_sequences`` gives for sequence ``i`` of ``config``
    with activation ``activations[a]`` and gain ``gains[g]``: model ``i`` is drawn once from the
    stream ``(seed, i)`` (its weights do not depend on the activation or the gain) and decodes
    every (activation, gain) variant in one batched pass, so the weights are drawn once instead
    of once per cell, and each step multiplies them by all the variants at once. The tokens
    equal ``generate_sequences``'s up to rounding (a different order of the same sums can flip
    an argmax between two nearly equal logits; the tests measure how often).
    ``progress``, if given, has an ``update(k)`` method called with the sequences done.
    Explained in chapter 5 (``notebooks/05_transformers.md``).
    """
    if not isinstance(config, TransformerConfig):
        raise ValueError(f"config must be a TransformerConfig, got {type(config).__name__}")
    for name in activations:
        check_choice("generate_sweep", "activations", name, tuple(ACTIVATIONS))
    gains = [as_float("generate_sweep", "gains", g, minimum=0.0, strict=True) for g in gains]
    if not activations or not gains:
        raise ValueError("generate_sweep needs at least one activation and one gain")
    check_int("generate_sweep", "n_sequences", n_sequences, 1)
    check_int("generate_sweep", "length", length, 1)
    if length > config.context:
        raise ValueError(f"generate_sweep.length must be <= context={config.context}, got {length!r}")
    check_int("generate_sweep", "seed", seed, 0)
    config = replace(config, ln_gain=1.0)  # the gain of each variant multiplies these unit weights
    variants = [(name, gain) for name in activations for gain in gains]
    per_chunk, per_pass = _sweep_chunks(config, len(variants), length)
    out = torch.empty(len(variants), n_sequences, length, dtype=torch.long)
    with _torch_threads(DECODE_THREADS):
        for first in range(0, n_sequences, per_chunk):
            indices = range(first, min(first + per_chunk, n_sequences))
            params, prompts = sample_params(config, indices, seed)
            params = params.to(compute_dtype())
            if torch.device(device).type != "cpu":
                params, prompts = params.to(device), prompts.to(device)
            for v in range(0, len(variants), per_pass):
                part = variants[v : v + per_pass]
                tokens = _decode_variants(config, params, prompts, part, length).cpu()  # (M, V, length)
                out[v : v + len(part), first : indices.stop] = tokens.transpose(0, 1)
                if progress is not None:
                    progress.update(len(indices) * len(part))
    return out.view(len(activations), len(gains), n_sequences, length)
