"""``MultiLayerNet``: the note's network, for one model or K models in lockstep."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError
from . import inference
from .layers import Affine, BatchNormalization, ReLU, Sigmoid, SoftmaxWithLoss

ACTIVATIONS = {"sigmoid": Sigmoid, "relu": ReLU}
INITS = ("xavier", "he")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class ParamSpec:
    """Where one parameter lives in the flat buffer: name, shape (without the model axis), offset."""

    name: str
    shape: tuple[int, ...]
    offset: int
    trainable: bool

    @property
    def size(self) -> int:
        return math.prod(self.shape)            # Python's integers: np.prod wrapped round at 2**63 (hidden = [2**62])


class ParamViews(dict):
    """Named views into a network's flat buffer (``net.params``, ``net.grads``).

    The network computes with the buffer, so assigning an entry copies the value into it: ``net.params['W1'] = W``
    loads weights, as in the note's code (``params[k] -= lr * g`` updates in place as before). A name the network
    does not have, another shape, something not numbers, or adding and removing entries is a :class:`ConfigError`
    — replacing the array would leave the network computing with the old one, silently."""

    def __init__(self, views: dict[str, np.ndarray], what: str):
        super().__init__(views)
        self._what = what

    def _checked(self, key: str, value: Any) -> np.ndarray | None:
        """``value`` as an array for entry ``key`` (None: it is the entry itself), or a ConfigError."""
        if key not in self:
            raise ConfigError(f"invalid name in net.{self._what}: {key!r} (accepted: {', '.join(self)})")
        target = dict.__getitem__(self, key)
        if value is target:                    # params[k] -= lr * g: already updated in place
            return None
        arr = np.asarray(value) if not isinstance(value, str) else None
        if arr is None or arr.dtype.kind not in "iuf":
            raise ConfigError(f"invalid net.{self._what}[{key!r}]: {type(value).__name__} {value!r:.60} "
                              f"(accepted: numbers of shape {target.shape})")
        course_bias = target.ndim == 2 and target.shape[0] == 1 and arr.shape == target.shape[1:]   # (n,) → (1, n)
        if arr.shape != target.shape and arr.ndim and not course_bias:       # a number fills the entry
            raise ConfigError(f"invalid net.{self._what}[{key!r}]: shape {arr.shape} (accepted: {target.shape})")
        return arr

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, other=(), **more) -> None:
        """Copy every entry in — after checking them all, so a refused one leaves the network as it was."""
        checked = {k: self._checked(k, v) for k, v in dict(other, **more).items()}
        for k, arr in checked.items():
            if arr is not None:
                dict.__getitem__(self, k)[...] = arr

    def __ior__(self, other):
        self.update(other)
        return self

    # copies are plain dicts: of these views (copy.copy), or of new arrays (copy.deepcopy, pickle)
    def __copy__(self) -> dict[str, np.ndarray]:
        return dict(self)

    def __deepcopy__(self, memo) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self.items()}

    def __reduce__(self):
        return dict, (self.__deepcopy__({}),)

    def _fixed(self, *args, **kwargs):
        raise ConfigError(f"net.{self._what} has a fixed set of entries (accepted: assigning an existing one, e.g. "
                          f"net.{self._what}['W1'] = W)")

    __delitem__ = pop = popitem = clear = setdefault = _fixed


MAX_INIT_STD = 1000.0   # far past full saturation already; 1e39 overflowed float32 with a NumPy warning
MIN_INIT_STD = 1e-30    # 1e-50 became all-zero float32 weights: every unit alike, learning nothing, without a word


def init_scale(weight_init_std, n_in: int, what: str = "weight_init_std") -> float:
    """Standard deviation of a layer's initial weights: a number, ``'xavier'`` (√(1/n)) or ``'he'`` (√(2/n)),
    or, as the course code's ``MultiLayerNet`` also accepts, ``'sigmoid'`` (= xavier) or ``'relu'`` (= he).
    ``what``: the name an error gives the value (``init`` in a recipe or on the command line)."""
    if isinstance(weight_init_std, str):
        key = weight_init_std.lower()
        if key in ("xavier", "sigmoid"):
            return float(np.sqrt(1.0 / n_in))
        if key in ("he", "relu"):
            return float(np.sqrt(2.0 / n_in))
        try:                # "0.01" from Python, where the command line's --init 0.01 is a number (a review)
            as_number = float(weight_init_std)
        except ValueError:
            as_number = None
        if as_number is not None and MIN_INIT_STD <= as_number <= MAX_INIT_STD:
            raise ConfigError(f"invalid {what}: {weight_init_std!r} is text (accepted: the number {as_number:g} "
                              f"without quotes, from {MIN_INIT_STD:g} to {MAX_INIT_STD:g}; xavier, he)")
        raise ConfigError(f"unknown {what}: {weight_init_std!r} (accepted: a number from {MIN_INIT_STD:g} to "
                          f"{MAX_INIT_STD:g}, xavier, he)")
    std = math.nan if isinstance(weight_init_std, (bool, np.bool_)) else float(weight_init_std)   # True is no std
    if not (np.isfinite(std) and MIN_INIT_STD <= std <= MAX_INIT_STD):
        raise ConfigError(f"invalid {what}: {weight_init_std!r} (accepted: a number from {MIN_INIT_STD:g} to "
                          f"{MAX_INIT_STD:g}, xavier, he)")
    return std


def layout(sizes: Sequence[int], batchnorm: bool, freeze_bn_affine: bool = False) -> list[ParamSpec]:
    """Where each parameter lives in a network's flat buffer (layers of ``sizes``, γ and β with ``batchnorm``):
    trainable parameters first."""
    specs: list[tuple[str, tuple[int, ...], bool]] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        specs += [(f"W{i}", (n_in, n_out), True), (f"b{i}", (1, n_out), True)]
    if batchnorm:
        specs += [(f"{p}{i}", (1, sizes[i]), not freeze_bn_affine) for i in range(1, len(sizes) - 1)
                  for p in ("gamma", "beta")]
    specs.sort(key=lambda s: not s[2])            # stable: trainable first
    out, offset = [], 0
    for name, shape, trainable in specs:
        out.append(ParamSpec(name, shape, offset, trainable))
        offset += math.prod(shape)
    return out


def machine_memory(free_only: bool = False) -> int | None:
    """This machine's memory in bytes (``free_only``: what is free now), or None where the system cannot say (no
    ``sysconf``, as on Windows: a MemoryError then decides)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES" if free_only else "SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def process_memory_limit() -> int | None:
    """This process's address-space limit in bytes (``ulimit -v``, a batch system's), or None when there is none.
    Each process has its own: a check of several worker processes together compares with the machine's memory."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, ValueError, OSError):
        return None
    return None if limit == resource.RLIM_INFINITY or limit <= 0 else int(limit)


def check_memory(hidden: Sequence[int], n_models: int, n_params: int, dtype: Any, free_only: bool = False,
                 accepted: str = "smaller hidden layers, or fewer runs") -> None:
    """A :class:`ConfigError` when ``n_models`` networks of ``n_params`` parameters would not fit: their weights,
    gradients and an optimizer's two state slots (4 copies) beyond this machine's memory. ``free_only``: called
    after NumPy's MemoryError, it always raises, saying what is free now (a ``ulimit``, other processes). hidden =
    [100000000, 40, 20] asked NumPy for 78 GiB (2 models), raised MemoryError inside training, and the failed runs
    replaced the previous run's folder."""
    need = 4 * n_models * n_params * np.dtype(dtype).itemsize
    have = machine_memory(free_only)
    if have is None:                                        # NumPy's MemoryError decides
        return
    if free_only or need > have:
        what = f"{n_models} model{'s' * (n_models > 1)} of {n_params:,} parameters"
        fits = (f"could not be allocated ({have / 2**30:.3g} GiB free now)" if free_only else
                f"this machine has {have / 2**30:.3g} GiB")
        raise ConfigError(f"invalid hidden sizes: {list(hidden)}: {what} need about {need / 2**30:.3g} GiB for "
                          f"weights, gradients and optimizer state, {fits} (accepted: {accepted})")


def _no_train_flg(method: str, train_flg: Any) -> None:
    """The book's ``train_flg=`` is ``train=`` here: a one-line error saying so (it was a bare TypeError)."""
    if train_flg is not None:
        raise ConfigError(f"{method}() takes train=, not the book's train_flg= (accepted: "
                          f"{method}(..., train={bool(train_flg)}))")


class MultiLayerNet:
    """Fully connected network: (Affine → [BatchNorm] → activation) × hidden layers → Affine → SoftmaxWithLoss.

    Called as in the note: ``MultiLayerNet(784, [40, 20], 10, activation='sigmoid', weight_init_std=0.01)``; its
    weights are drawn from NumPy's global generator as in the course code (``np.random.seed(0)`` before makes them the
    same every time), or from ``rng=0`` (a seed or a Generator) without touching the global one. Biases are
    ``(1, n)`` rows; a course-code ``(n,)`` bias may be assigned to ``net.params['b1']``.
    It computes in float32 by default (twice as fast); the note computes in float64: pass ``dtype='float64'``
    to match it, and for a gradient check (central differences need float64's precision). ``loss``,
    ``gradient`` and ``accuracy`` take ``x`` as ``(batch, input_size)`` and ``t`` as class indices or one-hot rows.

    ``n_models=K`` stacks K independent models that share every input batch; their parameters carry a
    leading model axis. ``None`` (default) is one model without that axis. Every parameter of every model
    lives in one flat buffer ``theta`` (``(P,)`` or ``(K, P)``), its gradient in ``grad``; ``params`` and
    ``grads`` give named views into them. Trainable parameters come first, so an optimizer updates
    ``theta[..., :n_trainable]``. BatchNorm's running statistics are buffers, not parameters.

    ``freeze_bn_affine=True`` keeps γ = 1 and β = 0 fixed, reproducing the course code behind the note, whose
    training loop updates only W and b. By default γ and β are trained like every other parameter.

    With K models, ``use_batchnorm`` may also be a list of K booleans: models with ``False`` pass their
    activations through the BatchNorm layers unchanged (their γ, β get zero gradients and never move), so
    runs with and without batch normalization share one stack, one minibatch matmul and one test-set matmul.
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "sigmoid",
                 weight_init_std: float | str = 0.01, use_batchnorm: bool = False, *, n_models: int | None = None,
                 dtype: str = "float32", rng: int | np.random.Generator | Sequence[np.random.Generator] | None = None,
                 freeze_bn_affine: bool = False, bn_momentum: float = 0.9, bn_eps: float = 1e-6,
                 weight_decay_lambda: float | None = None):
        if weight_decay_lambda not in (None, 0):   # the book's MultiLayerNet takes it: said, not a bare TypeError
            raise ConfigError(f"invalid weight_decay_lambda: {weight_decay_lambda!r} (accepted: 0 or left out; "
                              "optimlab's network has no weight decay, as the note's experiment uses none)")
        if activation not in ACTIVATIONS:
            raise ConfigError(f"unknown activation: {activation!r} (accepted: {', '.join(ACTIVATIONS)})")
        flag = lambda b: isinstance(b, (bool, np.bool_))      # noqa: E731
        if not (flag(use_batchnorm) or isinstance(use_batchnorm, (list, tuple, np.ndarray))
                and all(flag(b) for b in use_batchnorm)):      # the book's sixth positional is weight_decay_lambda:
            raise ConfigError(f"invalid use_batchnorm: {use_batchnorm!r} (accepted: True or False, or one per model; "
                              "the book's sixth argument, weight_decay_lambda, is a keyword here)")  # 0.1 turned BN on
        if str(dtype) not in DTYPES:
            raise ConfigError(f"unknown dtype: {dtype!r} (accepted: {', '.join(DTYPES)})")
        hidden = hidden_sizes(hidden_size_list, "hidden_size_list")
        if not all(_positive_int(s) for s in (input_size, output_size)):
            raise ConfigError(f"invalid layer sizes: {input_size!r} inputs, {output_size!r} outputs (accepted: "
                              "positive integers)")
        sizes = [int(input_size), *hidden, int(output_size)]
        if n_models is not None and int(n_models) < 1:
            raise ConfigError(f"invalid n_models: {n_models!r} (accepted: None or an integer >= 1)")
        bn_mask = None
        if isinstance(use_batchnorm, (list, tuple, np.ndarray)):
            flags = [bool(b) for b in use_batchnorm]
            if n_models is None or len(flags) != int(n_models):
                raise ConfigError(f"use_batchnorm has {len(flags)} flags for n_models={n_models} "
                                  "(accepted: one bool, or one per model)")
            if any(flags) and not all(flags):
                on = [k for k, f in enumerate(flags) if f]
                contiguous = on == list(range(on[0], on[-1] + 1))
                bn_mask = slice(on[0], on[-1] + 1) if contiguous else np.array(flags).reshape(-1, 1, 1)
            use_batchnorm = any(flags)
        self.sizes, self.activation, self.use_batchnorm = sizes, activation, bool(use_batchnorm)
        self.bn_mask = bn_mask            # None (all or none), a slice of the model axis, or a (K, 1, 1) mask
        self.weight_init_std, self.n_models, self.dtype = weight_init_std, n_models, np.dtype(dtype)
        self.freeze_bn_affine = bool(freeze_bn_affine)
        self.bn_eps, self.bn_momentum = bn_eps, bn_momentum
        self.scales = [init_scale(weight_init_std, n) for n in sizes[:-1]]

        n_hidden = len(sizes) - 2
        self.specs = layout(sizes, self.use_batchnorm, self.freeze_bn_affine)
        self.n_params = sum(s.size for s in self.specs)
        self.n_trainable = sum(s.size for s in self.specs if s.trainable)

        lead = () if n_models is None else (int(n_models),)
        check_memory(hidden, int(n_models or 1), self.n_params, self.dtype)
        try:
            self.theta = np.zeros(lead + (self.n_params,), dtype=self.dtype)
            self.grad = np.zeros_like(self.theta)
        except MemoryError:
            check_memory(hidden, int(n_models or 1), self.n_params, self.dtype, free_only=True)
            raise
        self._params = ParamViews({s.name: self._view(self.theta, s) for s in self.specs}, "params")
        self._grads = ParamViews({s.name: self._view(self.grad, s) for s in self.specs}, "grads")
        self.buffers: dict[str, np.ndarray] = {}

        # -- layers ---------------------------------------------------------------------------------------
        P, G = self.params, self.grads
        self.layers: list = []
        for i in range(1, n_hidden + 2):
            cancelled = (True if bn_mask is None else bn_mask) if self.use_batchnorm and i <= n_hidden else None
            self.layers.append(Affine(P[f"W{i}"], P[f"b{i}"], G[f"W{i}"], G[f"b{i}"], need_dx=i > 1,
                                      cancelled=cancelled))
            if i == n_hidden + 1:
                break
            if self.use_batchnorm:
                shape = lead + (1, sizes[i])
                rm = self.buffers[f"running_mean{i}"] = np.zeros(shape, dtype=self.dtype)
                rv = self.buffers[f"running_var{i}"] = np.zeros(shape, dtype=self.dtype)
                self.layers.append(BatchNormalization(P[f"gamma{i}"], P[f"beta{i}"], G[f"gamma{i}"], G[f"beta{i}"],
                                                      rm, rv, momentum=bn_momentum, eps=bn_eps, active=bn_mask))
            self.layers.append(ACTIVATIONS[activation]())
        self.last_layer = SoftmaxWithLoss()
        self.initialize(rng)

    def __repr__(self) -> str:              # as it would be built (a notebook cell showed <… object at 0x…>)
        config = self.__reduce__()[1][0]
        init = config["weight_init_std"]
        init = init if isinstance(init, str) else float(init)          # np.float64(0.05) as 0.05
        more = {k: config[k] for k, default in (("use_batchnorm", False), ("n_models", None),
                                                ("freeze_bn_affine", False), ("bn_momentum", 0.9), ("bn_eps", 1e-6))
                if config[k] != default}
        return (f"MultiLayerNet({self.sizes[0]}, {list(self.sizes[1:-1])}, {self.sizes[-1]}, "
                f"activation={self.activation!r}, weight_init_std={init!r}"
                + "".join(f", {k}={v!r}" for k, v in more.items()) + f", dtype={self.dtype.name!r})")

    # -- copies: a new network with the same layout and its own buffer (its params are views into that) --
    def __reduce__(self):
        flags = self.use_batchnorm if self.bn_mask is None else \
            [k in set(self.batchnorm_models().tolist()) for k in range(self.n_models)]
        config = dict(input_size=self.sizes[0], hidden_size_list=list(self.sizes[1:-1]), output_size=self.sizes[-1],
                      activation=self.activation, weight_init_std=self.weight_init_std, use_batchnorm=flags,
                      n_models=self.n_models, dtype=self.dtype.name, freeze_bn_affine=self.freeze_bn_affine,
                      bn_momentum=self.bn_momentum, bn_eps=self.bn_eps)
        return _restore_net, (config, self.theta, self.grad, dict(self.buffers))

    @property
    def params(self) -> ParamViews:
        """Named views of the parameters; ``net.params = {...}`` copies every entry in (same names and shapes)."""
        return self._params

    @params.setter
    def params(self, values) -> None:
        self._assign(self._params, values)

    @property
    def grads(self) -> ParamViews:
        """Named views of the gradients that the last backward pass wrote."""
        return self._grads

    @grads.setter
    def grads(self, values) -> None:
        self._assign(self._grads, values)

    @staticmethod
    def _assign(views: ParamViews, values) -> None:
        if not hasattr(values, "keys") or set(values.keys()) != set(views):
            shown = sorted(values.keys()) if hasattr(values, "keys") else type(values).__name__
            raise ConfigError(f"invalid net.{views._what}: {shown} (accepted: a dict with exactly the names "
                              f"{', '.join(views)})")
        views.update(values)

    def batchnorm_models(self) -> np.ndarray:
        """Indices of the models that use batch normalization."""
        K = 1 if self.n_models is None else self.n_models
        if not self.use_batchnorm:
            return np.zeros(0, dtype=np.int64)
        if self.bn_mask is None:
            return np.arange(K)
        if isinstance(self.bn_mask, slice):
            return np.arange(K)[self.bn_mask]
        return np.flatnonzero(np.reshape(self.bn_mask, -1))

    def _view(self, flat: np.ndarray, spec: ParamSpec) -> np.ndarray:
        block = flat[..., spec.offset:spec.offset + spec.size]
        return block.reshape(flat.shape[:-1] + spec.shape)

    # -- initialisation ---------------------------------------------------------------------------------
    def initialize(self, rng=None) -> None:
        """Draw the weights (float64, then cast, so float32 and float64 runs start alike); biases 0, γ 1, β 0.

        ``rng`` is a seed (``rng=0``), one ``np.random.Generator`` or, for K models, a list of K (model k draws from
        ``rng[k]`` alone, so a model's start does not depend on which other models share its stack). ``None`` draws
        from NumPy's global generator, as the course code's ``np.random.randn`` does: ``np.random.seed(0)`` first
        makes the start the same every time.
        """
        K = self.n_models

        def one(r):
            return np.random if r is None else r if isinstance(r, np.random.Generator) else np.random.default_rng(r)

        if K is None:
            rngs = [one(rng)]
        elif isinstance(rng, (np.random.Generator, int, np.integer)) or rng is None:   # a seed: np.int64 too
            rngs = [one(rng)] * K
        else:
            rngs = list(rng)
            if len(rngs) != K:
                raise ConfigError(f"got {len(rngs)} random generators for {K} models (accepted: exactly {K})")
        for k, r in enumerate(rngs):
            theta = self.theta if K is None else self.theta[k]
            for i, scale in enumerate(self.scales, start=1):
                spec = next(s for s in self.specs if s.name == f"W{i}")
                theta[spec.offset:spec.offset + spec.size] = scale * r.standard_normal(spec.size)
            for s in self.specs:
                if s.name.startswith("gamma"):
                    theta[s.offset:s.offset + s.size] = 1
        for buf in self.buffers.values():
            buf[...] = 0

    # -- forward and backward --------------------------------------------------------------------------------
    def predict(self, x: np.ndarray, train: bool = False, *, train_flg: Any = None) -> np.ndarray:
        """Logits ``(..., B, C)``; BatchNorm uses batch statistics when ``train`` else running statistics. ``x`` is
        checked as :meth:`loss` checks it (one image is ``x[None]``, a batch of one). ``train_flg``: the book's name,
        refused with the one to use."""
        _no_train_flg("predict", train_flg)
        return self._forward(self._x(np.asarray(x), stacked=True), train)

    def _forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def loss(self, x: np.ndarray, t: np.ndarray, train: bool = False, checked: bool = False, *,
             train_flg: Any = None) -> np.ndarray:
        """Mean cross-entropy over the batch, per model (``()`` or ``(K,)``). ``t``: labels or one-hot.

        Eval mode by default, like the course code's ``loss(x, t, train_flg=False)``: BatchNorm normalizes with
        its running statistics and leaves them as they are. ``train=True`` uses the batch's statistics and
        moves the running statistics toward them (what a training step does). ``checked=True``: ``x`` and ``t``
        (class indices) were checked already — the trainer checks its data once, not at every step."""
        _no_train_flg("loss", train_flg)
        x, labels = (x, t) if checked else self._inputs(x, t, stacked=True)
        return self.last_layer.forward(self._forward(x, train), labels)

    def loss_and_grad(self, x: np.ndarray, t: np.ndarray, checked: bool = False) -> np.ndarray:
        """Forward in train mode, then backward; gradients land in ``self.grad``. Returns the loss."""
        loss = self.loss(x, t, train=True, checked=checked)
        dout = self.last_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return loss

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients by backpropagation, as a dict of new named arrays, as the note's ``gradient`` returns (the next
        call does not change them). :meth:`loss_and_grad` leaves them in ``self.grad`` without copying."""
        self.loss_and_grad(x, t)
        return {k: v.copy() for k, v in self.grads.items()}

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch: int = 2000) -> np.ndarray:
        """Fraction of correct predictions per model (eval mode), ``batch`` examples at a time.

        Runs the folded eval-mode path of :mod:`optimlab.nn.inference` on a snapshot of the weights."""
        x, labels = self._inputs(x, t)
        data = inference.eval_set(x, labels, self.dtype)
        acc = inference.accuracy(self, inference.snapshot(self), data, chunk=batch)
        return acc if self.n_models is not None else acc[0]

    def _inputs(self, x: np.ndarray, t: np.ndarray, stacked: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``x`` and ``t`` as class indices, checked: ``x`` is ``(B, input_size)`` (or, with ``stacked`` and K
        models, one batch per model ``(K, B, input_size)``), ``t`` has B labels in [0, output_size) or B one-hot
        rows (the note's ``one_hot_label=True``)."""
        x = self._x(np.asarray(x), stacked)
        return x, check_labels(t, "t", x.shape[-2], self.sizes[-1])

    def _x(self, x: np.ndarray, stacked: bool) -> np.ndarray:
        per_model = stacked and self.n_models is not None and x.ndim == 3 and len(x) == self.n_models
        if not (x.ndim == 2 or per_model) or x.shape[-1] != self.sizes[0] or x.dtype.kind not in "biuf":
            each = f", or ({self.n_models}, batch, {self.sizes[0]})" if stacked and self.n_models else ""
            raise ConfigError(f"invalid x: an array of {x.dtype} with shape {x.shape} (accepted: numbers, (batch, "
                              f"{self.sizes[0]}){each})")
        return x

    def trainable(self, flat: np.ndarray | None = None) -> np.ndarray:
        """The trainable part of ``flat`` (default ``theta``): ``flat[..., :n_trainable]``, a view."""
        flat = self.theta if flat is None else flat
        return flat[..., :self.n_trainable]


def _restore_net(config: dict[str, Any], theta: np.ndarray, grad: np.ndarray,
                 buffers: dict[str, np.ndarray]) -> MultiLayerNet:
    """The network ``config`` describes, holding copies of ``theta``, ``grad`` and ``buffers`` (copy, deepcopy)."""
    net = MultiLayerNet(**config, rng=0)
    net.theta[...], net.grad[...] = theta, grad
    for k, v in buffers.items():
        net.buffers[k][...] = v
    return net


def _positive_int(s: Any) -> bool:
    return isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0


def hidden_sizes(value: Any, what: str = "hidden") -> tuple[int, ...]:
    """Hidden layer sizes as a tuple of positive ints (a list, an array or a range is one), or a ConfigError."""
    try:
        sizes = None if isinstance(value, (str, bytes)) else tuple(value)
    except TypeError:                         # not iterable (40)
        sizes = None
    if sizes is None or not all(_positive_int(s) for s in sizes):
        raise ConfigError(f"invalid {what}: {value!r} (accepted: positive integers in a list, e.g. [40, 20])")
    return tuple(int(s) for s in sizes)


MAX_CLASSES = 2**20       # classes (outputs) a network may have: a label of 10**9 is a mistake, not a class


def check_labels(y: Any, what: str, n_rows: int, n_classes: int | None) -> np.ndarray:
    """``y`` as checked class indices: one per row of its images, integers in [0, n_classes), or one-hot rows
    ``(n_rows, n_classes)`` (the note's ``one_hot_label=True``), turned into indices by argmax."""
    y = np.asarray(y)
    one_hot = (y.ndim == 2 and y.dtype.kind in "iufb" and bool(np.all((y == 0) | (y == 1)))
               and bool(np.all(y.sum(axis=1) == 1)))         # rows of exactly one 1
    if one_hot and len(y) == n_rows and y.shape[1] > 1 and (n_classes is None or y.shape[1] == n_classes):
        y = y.argmax(axis=1)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        # what to do about the likely causes (a reviewer's (N, 1) column was told one-hot rows (N, 1) are accepted)
        hint = ("; a column of labels: pass y.ravel()" if y.ndim == 2 and y.shape[1:] == (1,) else
                "; one-hot rows hold a single 1 and 0 elsewhere" if y.ndim == 2 and not one_hot else
                "; whole-number floats: pass y.astype(int)" if y.ndim == 1 and y.dtype.kind == "f" and y.size
                and bool(np.all(np.isfinite(y) & (y == np.round(y)))) else "")
        raise ConfigError(f"invalid {what}: an array of {y.dtype} with shape {y.shape} (accepted: class indices, "
                          f"a 1-D integer array, or one-hot rows ({n_rows}, {n_classes or 'C'}){hint})")
    if len(y) != n_rows:
        raise ConfigError(f"invalid {what}: {len(y)} labels for {n_rows} images (accepted: one label per image)")
    if len(y) and (y.min() < 0 or (n_classes is not None and y.max() >= n_classes)):
        bad = y.min() if y.min() < 0 else y.max()
        raise ConfigError(f"invalid {what}: label {bad} (accepted: 0 to {n_classes - 1 if n_classes else 'C-1'})")
    if len(y) and n_classes is None and int(y.max()) >= MAX_CLASSES:    # one output per number up to the largest:
        raise ConfigError(f"invalid {what}: label {int(y.max())} would give the network {int(y.max()) + 1:,} outputs "
                          f"(accepted: class indices 0 to K-1, K at most {MAX_CLASSES:,}; renumber them: "
                          "np.unique(y, return_inverse=True)[1])")    # 2**63 filled the machine's memory (a review)
    return y
