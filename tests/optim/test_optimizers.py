"""The parametrized suite over every optimizer (STYLE habit 8): hand-computed steps from the note's
formulas, known equivalences, convergence on a quadratic, parameter trees and dtypes.

The references below are written the way the note's code writes them (NumPy, one line per equation), not by
calling the library, so a wrong h₀, ε, bias correction or first-step quirk shows as a mismatch.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.optim import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, RMSProp, make_optimizer

from .conftest import GRADS, NAMES, W0, quadratic


def test_the_suite_covers_every_registered_optimizer():
    assert set(NAMES) == {"sgd", "momentum", "adagrad", "rmsprop", "adam"}


def run(opt, w0, grads):
    """Apply ``opt`` to a copy of ``w0`` for each gradient in ``grads``; returns the list of iterates."""
    w = w0.copy()
    state = opt.init(w)
    out = []
    for g in grads:
        opt.update(w, g, state)
        out.append(w.copy())
    assert state.count == len(grads)
    return out


# -- 1. hand-computed steps (the note's code, literally) ---------------------------------------------------

def note_sgd(w, grads):
    out = []
    for g in grads:
        w = w - 0.01 * g                                   # learning_rate = 0.01
        out.append(w)
    return out


def note_momentum(w, grads):
    v = np.zeros_like(w)
    out = []
    for g in grads:
        v = 0.9 * v - 0.3 * g                              # momentum = 0.9, learning_rate = 0.3
        w = w + v
        out.append(w)
    return out


def note_adagrad_code(w, grads):
    out = []
    for i, g in enumerate(grads):
        if i == 0:
            h = np.full_like(w, 1e-4)                      # step 1: h = 1e-4, no g² added
        else:
            h = h + np.square(g)                           # later: h += g²
        w = w - 0.1 * g / np.sqrt(h)                       # no ε in the denominator
        out.append(w)
    return out


def note_adagrad_formula(w, grads):
    theta = 1e-4
    h = np.full_like(w, theta)                             # h₀ = θ
    out = []
    for g in grads:
        h = h + g ** 2                                     # h_t = h_{t-1} + (∇E)²
        w = w - 0.1 * g / (np.sqrt(h) + theta)             # w − ε ∇E / (√h_t + θ)
        out.append(w)
    return out


def note_rmsprop(w, grads):
    h = np.zeros_like(w)
    out = []
    for g in grads:
        h = 0.99 * h + (1 - 0.99) * np.square(g)           # decay_rate = 0.99
        w = w - 0.01 * g / (np.sqrt(h) + 1e-7)
        out.append(w)
    return out


def note_adam(w, grads):
    beta1, beta2 = 0.9, 0.999
    m, v = np.zeros_like(w), np.zeros_like(w)
    out = []
    for i, g in enumerate(grads):
        lr_t = 0.01 * np.sqrt(1.0 - beta2 ** (i + 1)) / (1.0 - beta1 ** (i + 1))   # bias correction folded in
        m = m + (1 - beta1) * (g - m)
        v = v + (1 - beta2) * (g ** 2 - v)
        w = w - lr_t * m / (np.sqrt(v) + 1e-7)
        out.append(w)
    return out


HAND = {"sgd": note_sgd, "momentum": note_momentum, "adagrad": note_adagrad_formula, "rmsprop": note_rmsprop,
        "adam": note_adam}


@pytest.mark.parametrize("via", ["class", "make_optimizer", "preset"])
def test_default_settings_follow_the_note_for_three_steps(name, via):
    """The note's formulas; for all but AdaGrad its code computes the same."""
    opt = {"class": lambda: OPTIMIZERS[name](), "make_optimizer": lambda: make_optimizer(name),
           "preset": lambda: OPTIMIZERS[name].preset("note")}[via]()
    got = run(opt, W0, GRADS)
    want = HAND[name](W0.copy(), GRADS)
    for t, (a, b) in enumerate(zip(got, want), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"{name} step {t}")


def test_adagrad_note_code_preset_follows_the_notes_code():
    opt = make_optimizer("adagrad", "note-code")
    assert opt == AdaGrad.preset("note-code")
    got = run(opt, W0, GRADS)
    for t, (a, b) in enumerate(zip(got, note_adagrad_code(W0.copy(), GRADS)), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {t}")
    # and it is not the formula, the default: the formula's step 1 already accumulates g²
    assert not np.allclose(got[0], run(AdaGrad(), W0, GRADS[:1])[0])


def test_adagrad_note_code_first_step_is_ten_gradients():
    """The quirk, in numbers: h = 1e-4 without g², so w₁ = w₀ − 0.1·g/0.01 = w₀ − 10 g."""
    code = AdaGrad.preset("note-code")
    w1 = run(code, W0, GRADS[:1])[0]
    np.testing.assert_allclose(w1, W0 - 10.0 * GRADS[0], rtol=1e-12, atol=1e-12)
    # step 2 then divides by √(1e-4 + g₂²): g₁ never enters the accumulator
    w2 = run(code, W0, GRADS[:2])[1]
    np.testing.assert_allclose(w2, w1 - 0.1 * GRADS[1] / np.sqrt(1e-4 + GRADS[1] ** 2), rtol=1e-12, atol=1e-14)


def test_adam_first_step_has_size_lr_per_coordinate():
    """With ε_t = ε√(1−β₂)/(1−β₁) folded in, the first step is ≈ ε·sign(g) wherever g ≠ 0."""
    w1 = run(Adam(), W0, GRADS[:1])[0]
    g = GRADS[0]
    nz = g != 0
    np.testing.assert_allclose((W0 - w1)[nz], 0.01 * np.sign(g[nz]), rtol=1e-2)
    assert np.all(w1[~nz] == W0[~nz])
    # the exact value: ε₁ m₁ / (√v₁ + θ̂) with m₁ = 0.1g, v₁ = 0.001g², ε₁ = 0.01·√0.001/0.1
    lr1 = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    np.testing.assert_allclose(w1, W0 - lr1 * 0.1 * g / (np.sqrt(0.001 * g * g) + 1e-7), rtol=1e-13, atol=1e-15)


def test_rmsprop_first_step_is_about_ten_lr():
    """h₁ = 0.01 g², so the first step is ε g/(0.1|g| + θ) ≈ 10 ε sign(g) = 0.1 sign(g)."""
    w1 = run(RMSProp(), W0, GRADS[:1])[0]
    g = GRADS[0]
    nz = g != 0
    np.testing.assert_allclose((W0 - w1)[nz], 0.1 * np.sign(g[nz]), rtol=1e-3)


def test_note_defaults_are_the_notes_numbers():
    assert SGD().lr == 0.01
    assert (Momentum().lr, Momentum().momentum) == (0.3, 0.9)
    assert (AdaGrad().lr, AdaGrad().initial_accumulator, AdaGrad().eps) == (0.1, 1e-4, 1e-4)
    assert AdaGrad().accumulate_first_step and not AdaGrad().eps_inside_sqrt
    assert (RMSProp().lr, RMSProp().decay, RMSProp().eps) == (0.01, 0.99, 1e-7)
    assert (Adam().lr, Adam().beta1, Adam().beta2, Adam().eps) == (0.01, 0.9, 0.999, 1e-7)


# -- 2. known equivalences -----------------------------------------------------------------------------------

def trajectory(opt, w0, grad_fn, steps, state=None):
    w = w0.copy()
    state = opt.init(w) if state is None else state
    out = []
    for _ in range(steps):
        opt.update(w, grad_fn(w), state)
        out.append(w.copy())
    return np.array(out)


A5, GRAD5, W5 = quadratic(5, 30.0, seed=1)
NOISE = np.random.default_rng(7).standard_normal((200, 5))


def noisy_grad():
    """Gradient of a fixed quadratic plus a fixed noise sequence: depends on w and on the step."""
    t = iter(range(len(NOISE)))
    return lambda w: A5 @ w + NOISE[next(t)]


@pytest.mark.parametrize("lr_in_buffer", [True, False])
def test_momentum_with_zero_mu_is_sgd_exactly(lr_in_buffer):
    a = trajectory(Momentum(lr=0.02, momentum=0.0, lr_in_buffer=lr_in_buffer), W5, noisy_grad(), 50)
    b = trajectory(SGD(lr=0.02), W5, noisy_grad(), 50)
    if lr_in_buffer:
        np.testing.assert_array_equal(a, b)          # w + (0·V − εg) is w − εg, bit for bit
    else:
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)


def test_momentum_lr_in_buffer_gives_the_same_trajectory_with_constant_lr():
    a = trajectory(Momentum(lr=0.01, momentum=0.9, lr_in_buffer=True), W5, noisy_grad(), 100)
    b = trajectory(Momentum(lr=0.01, momentum=0.9, lr_in_buffer=False), W5, noisy_grad(), 100)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert np.abs(a[-1] - W5).max() > 0.1  # it moved


def test_momentum_lr_in_buffer_differs_once_lr_changes():
    """V_t = −ε b_t holds only for a constant ε: halve ε after 10 steps and the conventions part."""
    finals = []
    for inside in (True, False):
        g = noisy_grad()
        w = W5.copy()
        state = Momentum(lr_in_buffer=inside).init(w)
        for lr in [0.01] * 10 + [0.005] * 10:
            Momentum(lr=lr, momentum=0.9, lr_in_buffer=inside).update(w, g(w), state)
        finals.append(w)
    assert np.abs(finals[0] - finals[1]).max() > 1e-4


@pytest.mark.parametrize("beta2", [0.999, 0.9])
def test_adam_beta1_zero_without_bias_correction_is_rmsprop_exactly(beta2):
    a = trajectory(Adam(lr=0.01, beta1=0.0, beta2=beta2, eps=1e-7, bias_correction="none"), W5, noisy_grad(), 60)
    b = trajectory(RMSProp(lr=0.01, decay=beta2, eps=1e-7), W5, noisy_grad(), 60)
    np.testing.assert_array_equal(a, b)


def test_adam_beta1_zero_with_lr_correction_is_rmsprop_with_lr_times_sqrt_one_minus_beta2_t():
    beta2, lr = 0.999, 0.01
    adam = Adam(lr=lr, beta1=0.0, beta2=beta2, eps=1e-7, bias_correction="lr")
    a = trajectory(adam, W5, noisy_grad(), 60)
    g = noisy_grad()
    w = W5.copy()
    state = RMSProp().init(w)
    b = []
    for t in range(1, 61):
        RMSProp(lr=lr * np.sqrt(1 - beta2 ** t), decay=beta2, eps=1e-7).update(w, g(w), state)
        b.append(w.copy())
    np.testing.assert_allclose(a, np.array(b), rtol=1e-14, atol=1e-15)
    # and without that factor they are not the same: the first step is √(1−β₂) ≈ 0.03 times smaller
    c = trajectory(RMSProp(lr=lr, decay=beta2, eps=1e-7), W5, noisy_grad(), 1)
    np.testing.assert_allclose(W5 - a[0], np.sqrt(1 - beta2) * (W5 - c[0]), rtol=1e-6)


def test_adam_lr_and_moments_corrections_agree_when_eps_is_tiny():
    a = trajectory(Adam(eps=1e-30, bias_correction="lr"), W5, noisy_grad(), 100)
    b = trajectory(Adam(eps=1e-30, bias_correction="moments"), W5, noisy_grad(), 100)
    np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


def test_adam_lr_and_moments_corrections_differ_in_the_first_steps_when_eps_is_large():
    """The 'lr' form divides by √v + θ, i.e. by √v̂ + θ/√(1−β₂^t) in moment terms: with one θ for both
    forms its ε is ≈ 32× larger at t = 1 and about the same after many steps."""
    g = np.ones(3)
    steps = {}
    for form in ("lr", "moments"):
        opt = Adam(eps=0.1, bias_correction=form)
        w = np.zeros(3)
        state = opt.init(w)
        d = []
        for _ in range(5000):
            before = w.copy()
            opt.update(w, g, state)
            d.append(before[0] - w[0])
        steps[form] = np.array(d)
    np.testing.assert_allclose(steps["lr"][0], 0.01 / (1 + 0.1 / np.sqrt(1 - 0.999)), rtol=1e-12)   # ≈ 0.0024
    np.testing.assert_allclose(steps["moments"][0], 0.01 / (1 + 0.1), rtol=1e-12)                  # ≈ 0.0091
    rel = np.abs(steps["lr"] - steps["moments"]) / steps["moments"]
    assert rel[0] > 0.5
    assert rel[-1] < 1e-3                      # √(1−0.999⁵⁰⁰⁰) ≈ 0.997
    assert np.all(np.diff(rel[:100]) < 0)      # and the gap closes steadily


def test_adam_lr_form_with_eps_hat_equal_to_eps_sqrt_one_minus_beta2_t_is_the_moments_form():
    """The docstring's (and Kingma & Ba's) correspondence θ̂_t = θ√(1−β₂^t), one step at a time."""
    theta, beta2 = 0.05, 0.999
    a = trajectory(Adam(eps=theta, beta2=beta2, bias_correction="moments"), W5, noisy_grad(), 60)
    g = noisy_grad()
    w = W5.copy()
    state = Adam().init(w)
    b = []
    for t in range(1, 61):
        Adam(eps=theta * np.sqrt(1 - beta2 ** t), beta2=beta2, bias_correction="lr").update(w, g(w), state)
        b.append(w.copy())
    np.testing.assert_allclose(np.array(b), a, rtol=1e-12, atol=1e-13)


# -- 4. convergence on an ill-conditioned quadratic ------------------------------------------------------------

# (preset, hyperparameters, relative distance to the minimum to reach). RMSProp with a constant ε keeps
# taking steps of about ε·sign(g) near the minimum, so it only gets near it. AdaGrad's note-code preset
# (first step 10·∇E) overshoots on an ill-conditioned quadratic and then freezes, so AdaGrad's convergence is
# checked with the note's formula (the default) and the torch conventions.
CONVERGENCE = {
    "sgd": [("note", {"lr": 0.015}, 1e-6)],
    "momentum": [("note", {"lr": 0.003}, 1e-6), ("torch", {"lr": 0.003}, 1e-6)],
    "adagrad": [("torch", {"lr": 0.5}, 1e-6), ("note", {"lr": 1.0}, 1e-6)],
    "rmsprop": [("note", {"lr": 0.003}, 2e-2)],
    "adam": [("note", {"lr": 0.05}, 1e-6), ("torch", {"lr": 0.05}, 1e-6)],
}


@pytest.mark.parametrize("dim, cond, steps", [(2, 25.0, 1000), (10, 100.0, 2000)])
def test_converges_on_an_ill_conditioned_quadratic(name, dim, cond, steps):
    A, grad, w0 = quadratic(dim, cond)
    for preset, hp, tol in CONVERGENCE[name]:
        opt = make_optimizer(name, preset, **hp)
        w = w0.copy()
        state = opt.init(w)
        for _ in range(steps):
            opt.update(w, grad(w), state)
        dist = np.linalg.norm(w) / np.linalg.norm(w0)   # the minimum is w* = 0
        assert dist < tol, f"{name} ({preset}, {hp}) after {steps} steps: |w − w*|/|w₀ − w*| = {dist:.2e}"


def test_adagrad_note_code_overshoots_on_a_stiff_quadratic():
    """Pins the documented consequence of the quirk: the first step multiplies the gradient by ε/√1e-4."""
    A, grad, w0 = quadratic(2, 25.0)
    w = w0.copy()
    opt = AdaGrad.preset("note-code")
    state = opt.init(w)
    opt.update(w, grad(w), state)
    np.testing.assert_allclose(w, w0 - 10 * grad(w0), rtol=1e-12)
    assert np.linalg.norm(w) > 10 * np.linalg.norm(w0)


# -- 8. one array, a dict of arrays, float32 -------------------------------------------------------------------

@pytest.mark.parametrize("preset", ["note", "torch", "optax"])
def test_dict_of_arrays_equals_each_array_alone(name, preset):
    opt = make_optimizer(name, preset)
    rng = np.random.default_rng(3)
    params = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4), "W2": rng.standard_normal((4, 2))}
    grads = [{k: rng.standard_normal(v.shape) for k, v in params.items()} for _ in range(4)]
    tree = {k: v.copy() for k, v in params.items()}
    state = opt.init(tree)
    assert set(state.slots) == set(opt.slots)
    for s in state.slots.values():
        assert set(s) == set(params)
    for g in grads:
        opt.update(tree, g, state)
    for k in params:
        alone = run(opt, params[k], [g[k] for g in grads])[-1]
        np.testing.assert_array_equal(tree[k], alone, err_msg=k)


@pytest.mark.parametrize("preset", ["note", "torch", "optax"])
def test_float32_stays_float32(name, preset):
    opt = make_optimizer(name, preset)
    w32 = W0.astype(np.float32)
    tree32 = {"a": W0.astype(np.float32), "b": W0[0].astype(np.float32)}
    state = opt.init(w32)
    tstate = opt.init(tree32)
    for g in GRADS:
        opt.update(w32, g.astype(np.float32), state)
        opt.update(tree32, {"a": g.astype(np.float32), "b": g[0].astype(np.float32)}, tstate)
    assert w32.dtype == np.float32
    assert all(v.dtype == np.float32 for v in tree32.values())
    for slot in state.slots.values():
        assert slot.dtype == np.float32
    for slot in tstate.slots.values():
        assert all(v.dtype == np.float32 for v in slot.values())
    w64 = run(opt, W0, GRADS)[-1]
    np.testing.assert_allclose(w32, w64, rtol=1e-4, atol=1e-4)


def test_update_works_in_place_and_returns_the_state(name):
    opt = make_optimizer(name)
    w = W0.copy()
    ident = id(w)
    state = opt.init(w)
    out = opt.update(w, GRADS[0], state)
    assert out is state and state.count == 1 and id(w) == ident
    assert not np.array_equal(w, W0)


# -- the framework presets, one step each by hand ---------------------------------------------------------------

def test_momentum_torch_preset_keeps_the_lr_outside_the_buffer():
    """torch's momentum_buffer after step 1 is g itself, then μb + g; the note's V is −εg, then μV − εg."""
    for preset, buf1 in [("torch", GRADS[0]), ("optax", GRADS[0]), ("note", -0.3 * GRADS[0])]:
        opt = Momentum.preset(preset)
        w = W0.copy()
        state = opt.init(w)
        opt.update(w, GRADS[0], state)
        np.testing.assert_allclose(state.slots["v"], buf1, rtol=1e-15, err_msg=preset)
        opt.update(w, GRADS[1], state)
        np.testing.assert_allclose(state.slots["v"], 0.9 * buf1 + (GRADS[1] if preset != "note" else -0.3 * GRADS[1]),
                                   rtol=1e-14, err_msg=preset)


@pytest.mark.parametrize("preset, want", [
    ("torch", lambda g: W0 - 0.1 * g / (np.sqrt(g * g) + 1e-10)),             # h₀ = 0, ε outside
    ("optax", lambda g: W0 - 0.1 * g / np.sqrt(0.1 + g * g + 1e-7)),          # h₀ = 0.1, ε inside
])
def test_adagrad_framework_presets_first_step(preset, want):
    w1 = run(AdaGrad.preset(preset), W0, GRADS[:1])[0]
    np.testing.assert_allclose(w1, want(GRADS[0]), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("preset, want", [
    ("torch", lambda h, g: W0 - 0.01 * g / (np.sqrt(h) + 1e-8)),
    ("optax", lambda h, g: W0 - 0.01 * g / np.sqrt(h + 1e-8)),
])
def test_rmsprop_framework_presets_first_step(preset, want):
    g = GRADS[0]
    w1 = run(RMSProp.preset(preset), W0, [g])[0]
    np.testing.assert_allclose(w1, want(0.01 * g * g, g), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("preset", ["torch", "optax"])
def test_adam_framework_presets_correct_the_moments(preset):
    w = W0.copy()
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(GRADS, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(run(Adam.preset(preset), W0, GRADS)[-1], w, rtol=1e-13, atol=1e-15)


def test_an_optimizer_without_conventions_accepts_every_frameworks_preset():
    """A new optimizer class with no ``presets`` of its own (nothing to choose between frameworks) gets its defaults
    for note, torch and optax, from its class as from make_optimizer (Nesterov.preset('note') was refused with an
    empty list of accepted presets); an unknown preset names the accepted ones."""
    from dataclasses import dataclass

    from optimlab.errors import ConfigError

    @dataclass(frozen=True)
    class Plain(SGD):
        name = "plain"
        lr: float = 0.05

    assert not Plain.presets and not SGD.presets
    for preset in ("note", "torch", "optax"):
        assert Plain.preset(preset) == Plain() and Plain.preset(preset, lr=0.2).lr == 0.2
        assert make_optimizer("sgd", preset) == SGD()
    with pytest.raises(ConfigError, match=r"^unknown preset for plain: 'keras' \(accepted: note, torch, optax\)$"):
        Plain.preset("keras")
    with pytest.raises(ConfigError, match=r"^unknown preset for adagrad: 'x' \(accepted: note, torch, optax, "
                                          r"note-text, note-code\)$"):
        AdaGrad.preset("x")
