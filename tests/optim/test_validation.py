"""Bad hyperparameters and names raise ConfigError at construction, with a message naming the bad value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab.errors import ConfigError
from optimlab.optim import OPTIMIZERS, PRESETS, AdaGrad, Adam, Momentum, RMSProp, make_optimizer

from .conftest import NAMES

NAN = float("nan")


def raises_naming(what, fn, *, value=None):
    """``fn()`` raises ConfigError whose message names ``what`` and the bad ``value``."""
    with pytest.raises(ConfigError) as info:
        fn()
    msg = str(info.value)
    assert what in msg, msg
    if value is not None:
        assert repr(value) in msg or str(value) in msg, msg
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize("lr", [0.0, -0.1, NAN, math.inf, -math.inf])
@pytest.mark.parametrize("preset", ["note", "torch", "optax"])
def test_bad_learning_rate(name, preset, lr):
    raises_naming("lr", lambda: make_optimizer(name, preset, lr=lr), value=lr)
    raises_naming("lr", lambda: OPTIMIZERS[name](lr=lr), value=lr)
    raises_naming("lr", lambda: OPTIMIZERS[name].preset(preset, lr=lr), value=lr)


def test_bad_learning_rate_inside_a_stack(name):
    raises_naming("lr", lambda: OPTIMIZERS[name](lr=np.array([[0.1], [-0.2]])), value="-0.2")


@pytest.mark.parametrize("mu", [1.0, 1.5, -0.1, NAN])
def test_bad_momentum(mu):
    raises_naming("momentum", lambda: Momentum(momentum=mu), value=mu)
    raises_naming("momentum", lambda: make_optimizer("momentum", "torch", momentum=mu), value=mu)


@pytest.mark.parametrize("field", ["beta1", "beta2"])
@pytest.mark.parametrize("beta", [1.0, 1.01, -0.5, NAN, math.inf])
def test_bad_adam_beta(field, beta):
    raises_naming(field, lambda: Adam(**{field: beta}), value=beta)
    raises_naming(field, lambda: make_optimizer("adam", "torch", **{field: beta}), value=beta)


@pytest.mark.parametrize("decay", [1.0, -0.01, NAN])
def test_bad_rmsprop_decay(decay):
    raises_naming("decay", lambda: RMSProp(decay=decay), value=decay)


@pytest.mark.parametrize("cls, eps", [(Adam, 0.0), (Adam, -1e-8), (RMSProp, 0.0), (RMSProp, NAN), (AdaGrad, -1e-10)])
def test_bad_eps(cls, eps):
    raises_naming("eps", lambda: cls(eps=eps), value=eps)


def test_bad_initial_accumulator():
    raises_naming("initial_accumulator", lambda: AdaGrad(initial_accumulator=-1.0), value=-1.0)
    raises_naming("initial_accumulator", lambda: RMSProp(initial_accumulator=NAN), value=NAN)


@pytest.mark.parametrize("preset", ["note", "torch", "optax", "note-code"])
def test_adagrad_without_any_floor_is_refused(preset):
    """eps = 0 and h₀ = 0 would divide 0 by 0 on a zero gradient."""
    msg = raises_naming("AdaGrad eps and initial_accumulator",
                        lambda: make_optimizer("adagrad", preset, eps=0.0, initial_accumulator=0.0))
    assert "(0.0, 0.0)" in msg
    # either floor alone is enough
    AdaGrad(eps=0.0, initial_accumulator=1e-4)
    AdaGrad(eps=1e-10, initial_accumulator=0.0)
    make_optimizer("adagrad", "torch")  # h₀ = 0, eps = 1e-10


@pytest.mark.parametrize("field, value", [("bias_correction", "both"), ("bias_correction", None)])
def test_bad_adam_convention(field, value):
    raises_naming(field, lambda: Adam(**{field: value}), value=value)


@pytest.mark.parametrize("cls, field", [(Momentum, "lr_in_buffer"), (RMSProp, "eps_inside_sqrt"),
                                        (AdaGrad, "eps_inside_sqrt"), (AdaGrad, "accumulate_first_step")])
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_convention_flags_must_be_bools(cls, field, value):
    raises_naming(field, lambda: cls(**{field: value}), value=value)


def test_unknown_optimizer():
    msg = raises_naming("unknown optimizer", lambda: make_optimizer("adamw"), value="adamw")
    for n in NAMES:
        assert n in msg


def test_optimizer_names_are_case_insensitive():
    assert make_optimizer("Adam") == make_optimizer("adam")


def test_unknown_preset(name):
    unknown = ["pytorch", "keras", "", "NOTE"] + (["note-code"] if name != "adagrad" else [])
    for preset in unknown:
        raises_naming("preset", lambda: make_optimizer(name, preset), value=preset)
        raises_naming("preset", lambda: OPTIMIZERS[name].preset(preset), value=preset)


def test_the_error_for_an_unknown_preset_lists_the_optimizers_own_presets():
    with pytest.raises(ConfigError, match="accepted: note, torch, optax, note-text, note-code"):
        make_optimizer("adagrad", "note-txt")


def test_adagrad_note_text_is_the_note_preset():
    assert AdaGrad.preset("note-text") == AdaGrad.preset("note") == AdaGrad() == make_optimizer("adagrad", "note-text")


def test_every_optimizer_has_the_three_framework_presets(name):
    """``Cls.preset(p)`` and ``make_optimizer(name, p)`` agree for note / torch / optax."""
    cls = OPTIMIZERS[name]
    for p in PRESETS:
        assert cls.preset(p) == make_optimizer(name, p)
    assert cls.preset("note") == cls()


@pytest.mark.parametrize("bad", ["learning_rate", "beta", "weight_decay", "nesterov"])
def test_unknown_hyperparameter(name, bad):
    raises_naming("hyperparameter", lambda: make_optimizer(name, **{bad: 0.1}), value=bad)
    raises_naming("hyperparameter", lambda: OPTIMIZERS[name].preset("torch", **{bad: 0.1}), value=bad)


def test_hyperparameters_of_another_optimizer_are_unknown():
    raises_naming("hyperparameter", lambda: make_optimizer("sgd", momentum=0.9), value="momentum")
    raises_naming("hyperparameter", lambda: make_optimizer("rmsprop", beta2=0.9), value="beta2")
    raises_naming("hyperparameter", lambda: make_optimizer("momentum", eps=1e-8), value="eps")


def test_config_error_is_a_value_error():
    with pytest.raises(ValueError):
        Adam(lr=-1.0)


def test_optimizers_are_frozen(name):
    opt = make_optimizer(name)
    with pytest.raises(AttributeError):
        opt.lr = 1.0  # type: ignore[misc]


def test_preset_may_be_passed_by_keyword(name):
    assert make_optimizer(name, preset="torch", lr=0.5) == make_optimizer(name, "torch", lr=0.5)


@pytest.mark.parametrize("field", ["lr", "beta1"])
def test_an_empty_array_is_not_a_hyperparameter(field):
    raises_naming(field, lambda: make_optimizer("adam", **{field: []}), value=[])


def _update_refused(opt, params, grads, state, what):
    before = {k: v.copy() for k, v in params.items()} if isinstance(params, dict) else params.copy()
    raises_naming(what, lambda: opt.update(params, grads, state))
    assert state.count == 0                                  # nothing updated, the step not counted
    if isinstance(params, dict):
        assert all(np.array_equal(params[k], before[k]) for k in params)
    else:
        assert np.array_equal(params, before)


def test_update_refuses_gradients_and_state_of_other_shapes(name):
    opt = make_optimizer(name)
    w = np.ones((3, 4))
    _update_refused(opt, w, np.ones((4, 3)), opt.init(w), "gradient has shape (4, 3), the parameter (3, 4)")
    _update_refused(opt, w, np.ones(4), opt.init(w), "gradient has shape (4,)")     # would broadcast silently
    params = {"W": np.ones((3, 4)), "b": np.ones(4)}
    _update_refused(opt, params, {"W": np.ones((3, 4))}, opt.init(params), "gradients ['W'] do not match")
    _update_refused(opt, params, {"W": np.ones((3, 4)), "b": np.ones(3)}, opt.init(params),
                    "gradient of 'b' has shape (3,)")
    if opt.slots:
        _update_refused(opt, w, np.ones((3, 4)), opt.init(np.ones(4)), f"state {opt.slots[0]!r} has shape (4,)")
        _update_refused(opt, params, params, opt.init(w), f"state {opt.slots[0]!r} does not match")


def test_update_takes_a_list_or_a_float_as_the_gradient(name):
    opt = make_optimizer(name)
    a, b = np.ones(2), np.ones(2)
    opt.update(a, [0.1, -0.2], opt.init(a))
    opt.update(b, np.array([0.1, -0.2]), opt.init(b))
    w0, w1 = np.array(1.0), np.array(1.0)
    opt.update(w0, 0.5, opt.init(w0))
    opt.update(w1, np.array(0.5), opt.init(w1))
    assert np.array_equal(a, b) and w0 == w1 != 1.0
    raises_naming("gradient has shape (1,), the parameter (2,)", lambda: opt.update(a, [0.1], opt.init(a)))


def test_a_gradient_that_is_not_numbers_changes_nothing():
    opt = make_optimizer("adam", lr=0.1)
    params = {"W": np.ones(2), "b": np.ones(2)}
    state = opt.init(params)
    for bad, says in ((["x", "y"], "is not numbers"), ([1, [2, 3]], "is not numbers"),
                      (np.array(["x", "y"]), "is an array of <U1")):
        raises_naming(f"gradient of 'b' {says}", lambda: opt.update(params, {"W": np.ones(2), "b": bad}, state))
    assert state.count == 0 and np.array_equal(params["W"], np.ones(2)) and not state.slots["m"]["W"].any()


@pytest.mark.parametrize("name", NAMES)
def test_update_without_state_says_how_to_call_it(name):
    """The note calls ``optimizer.update(params, grads)``; here the caller keeps the state, and the error says so."""
    opt = make_optimizer(name)
    params = {"W1": np.ones((2, 3), dtype=np.float32)}
    grads = {"W1": np.full((2, 3), 0.5, dtype=np.float32)}
    with pytest.raises(ConfigError, match=r"update needs the optimizer's state, got None: state = opt.init\(params\) "
                                          r"once, then state = opt.update\(params, grads, state\) at every step"):
        opt.update(params, grads)
    np.testing.assert_array_equal(params["W1"], 1.0)             # nothing changed
    with pytest.raises(ConfigError, match=r"state, got a dict: "):
        opt.update(params, grads, {"m": 1})
    state = opt.update(params, grads, opt.init(params))
    assert state.count == 1 and not np.array_equal(params["W1"], 1.0)


@pytest.mark.parametrize("name", NAMES)
def test_update_refuses_another_optimizers_state(name):
    """RMSProp's ``h`` is not AdaGrad's, nor Adam's ``v`` Momentum's velocity: the state says who made it."""
    opt = make_optimizer(name)
    w = np.zeros(3)
    for other in NAMES:
        if other == name:
            continue
        state = make_optimizer(other).init(w)
        _update_refused(opt, w, np.ones(3), state, f"{type(opt).__name__}.update got {other}'s state")
    assert opt.update(w, np.ones(3), opt.init(w)).count == 1


@pytest.mark.parametrize("name", NAMES)
def test_update_refuses_parameters_it_cannot_change_in_place(name):
    """A list, a float or an integer array would be left as it was (or fail deep in NumPy)."""
    opt = make_optimizer(name)
    for params, got in (([0.0, 1.0], "a list"), (1.0, "a float"), (np.zeros(3, dtype=int), "an array of int64"),
                        ({"w": [0.0, 1.0]}, "a list")):
        grads = {"w": [1.0, 1.0]} if isinstance(params, dict) else np.ones(np.shape(params))
        raises_naming(f"is {got}, which cannot be updated in place", lambda: opt.update(params, grads, opt.init(params)))


@pytest.mark.parametrize("given, message", [("adam,ADAM", "optimizer listed more than once: 'adam'"),
                                            (" , ", "no optimizers given"), ("sgd,lion", "unknown optimizer: 'lion'")])
def test_compare_sweep_and_landscape_read_optimizer_names_alike(given, message):
    """One parser for a list of optimizer names: compare took 'adam,adam' (two identical runs), the sweep called
    it 'invalid optimizers' and the landscape 'listed twice'; all three now say the same, and all accept spaces
    and capitals."""
    from optimlab.experiment.recipe import apply_overrides, default_recipe
    from optimlab.experiment.sweep import SweepSpec
    from optimlab.optim import optimizer_names
    from optimlab.viz.landscape import run_landscape

    assert optimizer_names(" SGD, Adam ") == optimizer_names(["sgd", "adam"]) == ("sgd", "adam")
    note = default_recipe()
    for fn in (lambda: apply_overrides(note, optimizers=given), lambda: SweepSpec(optimizers=given.split(",")),
               lambda: run_landscape(optimizers=given, steps=3)):
        raises_naming(message, fn)


def test_a_class_and_its_name_refuse_an_unknown_hyperparameter_or_preset_in_the_same_words():
    # a code review: make_optimizer said "unknown hyperparameter ...", the class's preset() "invalid hyperparameter ..."
    for args, kwargs, match in [(("note",), {"decay_rate": 0.9}, r"^unknown hyperparameter for rmsprop: 'decay_rate' "
                                 r"\(accepted: lr, decay, eps, initial_accumulator, eps_inside_sqrt; the note's "
                                 r"decay_rate is decay here\)$"),
                                (("keras",), {}, r"^unknown preset for rmsprop: 'keras' \(accepted: note, torch, optax")]:
        with pytest.raises(ConfigError, match=match):
            RMSProp.preset(*args, **kwargs)
        with pytest.raises(ConfigError, match=match):
            make_optimizer("RMSProp", *args, **kwargs)
