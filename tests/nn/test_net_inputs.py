"""MultiLayerNet, called as in the note, checks what it is given: one clear line, never a silent wrong result."""

import numpy as np
import pytest

from optimlab.errors import ConfigError
from optimlab.nn import MultiLayerNet

X = np.random.default_rng(0).random((5, 8))
T = np.array([0, 1, 2, 3, 2])


def net():
    return MultiLayerNet(8, [6], 4, dtype="float64", rng=np.random.default_rng(1))


def refused(match, fn):
    with pytest.raises(ConfigError, match=match) as e:
        fn()
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("method", ["loss", "gradient", "accuracy"])
def test_labels_and_inputs_are_checked(method):
    n = net()
    call = getattr(n, method)
    refused(r"invalid t: label -1 \(accepted: 0 to 3\)", lambda: call(X, [0, 1, 2, 3, -1]))   # was class 3, silently
    refused(r"invalid t: label 4 \(accepted: 0 to 3\)", lambda: call(X, [0, 1, 2, 3, 4]))
    refused(r"invalid t: an array of float64 with shape \(5,\)", lambda: call(X, T.astype(float)))
    refused(r"invalid t: 4 labels for 5 images", lambda: call(X, T[:4]))
    refused(r"invalid x: an array of float64 with shape \(5, 7\) \(accepted: numbers, \(batch, 8\)\)", lambda: call(X[:, 1:], T))


def test_predict_checks_its_input_as_loss_does():
    """net.predict(x[0]) raised NumPy's "non-broadcastable output operand"; 64-wide digits into an 8-input net a raw
    matmul error. One line naming the shape; one image is x[None]."""
    n = net()
    refused(r"invalid x: an array of float64 with shape \(8,\) \(accepted: numbers, \(batch, 8\)\)",
            lambda: n.predict(X[0]))
    refused(r"invalid x: an array of float64 with shape \(5, 64\)", lambda: n.predict(np.zeros((5, 64))))
    refused(r"invalid x: an array of <U1 with shape \(1, 8\)", lambda: n.predict(np.array([list("abcdefgh")])))
    assert n.predict(X[0][None]).shape == (1, 4) and np.allclose(n.predict(X)[:1], n.predict(X[:1]), rtol=1e-12)


def test_one_hot_labels_as_in_the_note_give_the_same_results():
    a, b = net(), net()
    one_hot = np.eye(4)[T]
    assert a.loss(X, T) == b.loss(X, one_hot) and a.accuracy(X, T) == b.accuracy(X, one_hot)
    ga, gb = a.gradient(X, T), b.gradient(X, one_hot)
    assert all(np.array_equal(ga[k], gb[k]) for k in ga)


@pytest.mark.parametrize("hidden", [40, "40", [40.5], [True], None])
def test_hidden_sizes_are_a_list_of_integers(hidden):
    refused(r"invalid hidden_size_list: .*\(accepted: positive integers in a list, e.g. \[40, 20\]\)",
            lambda: MultiLayerNet(8, hidden, 4))
    refused(r"invalid layer sizes: 8 inputs, 0 outputs", lambda: MultiLayerNet(8, [3], 0))
    assert MultiLayerNet(8, (np.int64(5),), 4).sizes == [8, 5, 4]


def test_hidden_sizes_may_be_any_iterable_of_integers():
    assert MultiLayerNet(8, np.array([5, 3]), 4).sizes == MultiLayerNet(8, range(5, 2, -2), 4).sizes == [8, 5, 3, 4]


def test_k_models_take_one_batch_each_in_loss_and_gradient():
    net = MultiLayerNet(8, [6], 4, n_models=3, dtype="float64", rng=np.random.default_rng(1))
    shared = net.loss(X, T)
    assert np.array_equal(net.loss(np.stack([X] * 3), T), shared)
    refused(r"invalid x: an array of float64 with shape \(2, 5, 8\) \(accepted: numbers, \(batch, 8\), or "
            r"\(3, batch, 8\)\)",
            lambda: net.loss(np.stack([X] * 2), T))
    refused(r"invalid x: an array of float64 with shape \(3, 5, 8\) \(accepted: numbers, \(batch, 8\)\)",
            lambda: net.accuracy(np.stack([X] * 3), T))


def test_assigning_parameters_loads_them_into_the_network():
    """The network computes with its flat buffer: ``net.params['W1'] = W`` (how the note's code loads weights) and
    ``net.params = {...}`` copy into it; replacing the array instead would leave the network on the old one."""
    a = MultiLayerNet(8, [6], 4, dtype="float64", weight_init_std=1.0)
    a.params = {k: np.zeros_like(v) for k, v in a.params.items()}
    assert a.loss(X, T) == pytest.approx(np.log(4))                  # all-zero weights: a uniform softmax
    b = net()
    a.params["W1"] = b.params["W1"]
    np.testing.assert_array_equal(a.theta[:48], b.params["W1"].ravel())
    w = a.params["W1"]
    a.params["W1"] -= 0.5                                           # the note's SGD step: in place, as before
    assert a.params["W1"] is w and np.array_equal(w, b.params["W1"] - 0.5)
    refused(r"invalid name in net.params: 'W9' \(accepted: W1, b1, W2, b2\)", lambda: a.params.__setitem__("W9", 1))
    refused(r"invalid net.params\['W1'\]: shape \(3,\) \(accepted: \(8, 6\)\)",
            lambda: a.params.__setitem__("W1", np.ones(3)))
    refused(r"invalid net.params\['b1'\]: str 'x'", lambda: a.params.__setitem__("b1", "x"))
    refused(r"net.params has a fixed set of entries", lambda: a.params.pop("W1"))
    refused(r"invalid net.params: \['W1'\] \(accepted: a dict with exactly the names W1, b1, W2, b2\)",
            lambda: setattr(a, "params", {"W1": b.params["W1"]}))
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"] - 0.5)    # the refusals changed nothing


def test_gradient_returns_new_arrays_as_the_notes_does():
    a = net()
    g1 = a.gradient(X[:3], T[:3])
    kept = {k: v.copy() for k, v in g1.items()}
    g2 = a.gradient(X[3:], T[3:])
    assert all(np.array_equal(g1[k], kept[k]) and not np.shares_memory(g1[k], g2[k]) for k in g1)


def test_a_refused_assignment_changes_nothing_and_copies_keep_their_views():
    """``net.params = {...}`` checks every entry before copying any; ``|=`` copies in as ``[k] =`` does; a copy of
    a network has its own buffer, with params that are views into it (copy.deepcopy of the views alone would
    break them apart)."""
    import copy

    a = MultiLayerNet(8, [6], 4, dtype="float64", rng=np.random.default_rng(1), n_models=3,
                      use_batchnorm=[True, False, True])
    a.loss(X, T, train=True)                                     # running statistics away from 0
    before = a.theta.copy()
    bad = {**{k: np.zeros_like(v) for k, v in a.params.items()}, "W2": np.ones(2)}
    refused(r"invalid net.params\['W2'\]: shape \(2,\)", lambda: setattr(a, "params", bad))
    np.testing.assert_array_equal(a.theta, before)              # W1 and b1 were not written first
    a.params |= {"b1": 1.0}
    assert np.all(a.params["b1"] == 1) and np.shares_memory(a.params["b1"], a.theta)
    for clone in (copy.copy(a), copy.deepcopy(a)):
        assert not np.shares_memory(clone.theta, a.theta) and np.shares_memory(clone.params["W1"], clone.theta)
        assert np.array_equal(clone.loss(X, T), a.loss(X, T))
        assert all(np.array_equal(clone.buffers[k], a.buffers[k]) for k in a.buffers)
        clone.params["W1"] = 0.0
        assert not np.array_equal(clone.loss(X, T), a.loss(X, T))
    kept = copy.deepcopy(a.params)                               # a plain dict of new arrays
    assert type(kept) is dict and not np.shares_memory(kept["W1"], a.theta)


def test_the_notes_seeding_and_bias_shapes_work():
    """As in the course code, np.random.seed(0) before MultiLayerNet(...) gives the same start every time (each net
    drew from a fresh unseeded generator); rng=0 does so without the global generator; a course-code bias of shape
    (40,) may be assigned to the (1, 40) row (it was refused); a note's hyperparameter name gets a hint."""
    from optimlab.optim import make_optimizer

    starts = []
    for _ in range(2):
        np.random.seed(0)
        starts.append(MultiLayerNet(784, [40, 20], 10).params["W1"].copy())
    np.testing.assert_array_equal(*starts)
    np.random.seed(1)
    assert not np.array_equal(MultiLayerNet(784, [40, 20], 10).params["W1"], starts[0])
    state = np.random.get_state()[1].copy()
    a, b = MultiLayerNet(784, [40, 20], 10, rng=0), MultiLayerNet(784, [40, 20], 10, rng=0)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    np.testing.assert_array_equal(np.random.get_state()[1], state)          # the global generator untouched
    a.params["b1"] = np.arange(40.0)
    np.testing.assert_array_equal(a.params["b1"], np.arange(40.0)[None])
    with pytest.raises(ConfigError, match=r"shape \(39,\) \(accepted: \(1, 40\)\)"):
        a.params["b1"] = np.zeros(39)
    with pytest.raises(ConfigError, match=r"the note's decay_rate is decay here\)$"):
        make_optimizer("rmsprop", decay_rate=0.99)


def test_a_network_prints_as_it_would_be_built():
    """A notebook cell showed <optimlab.nn.network.MultiLayerNet object at 0x…>."""
    assert repr(MultiLayerNet(784, [40, 20], 10)) == ("MultiLayerNet(784, [40, 20], 10, activation='sigmoid', "
                                                      "weight_init_std=0.01, dtype='float32')")
    net = MultiLayerNet(8, [6], 4, activation="relu", weight_init_std="he", use_batchnorm=True, n_models=2)
    assert repr(net) == ("MultiLayerNet(8, [6], 4, activation='relu', weight_init_std='he', use_batchnorm=True, "
                         "n_models=2, dtype='float32')")
    per_model = MultiLayerNet(8, [6], 4, weight_init_std=np.float64(0.05), use_batchnorm=[True, False, True],
                              n_models=3, freeze_bn_affine=True)
    assert repr(per_model) == ("MultiLayerNet(8, [6], 4, activation='sigmoid', weight_init_std=0.05, use_batchnorm=[True, "
                               "False, True], n_models=3, freeze_bn_affine=True, dtype='float32')")


def test_the_books_positional_weight_decay_is_not_taken_for_batchnorm():
    """The book's MultiLayerNet(784, [100], 10, 'relu', 'relu', 0.1) passes weight_decay_lambda sixth; here the sixth
    is use_batchnorm, and 0.1 turned batch normalization on without a word."""
    refused(r"^invalid use_batchnorm: 0\.1 \(accepted: True or False, or one per model; the book's sixth argument, "
            r"weight_decay_lambda, is a keyword here\)$", lambda: MultiLayerNet(8, [6], 4, "relu", "relu", 0.1))
    refused(r"invalid use_batchnorm: \[1, 0\]", lambda: MultiLayerNet(8, [6], 4, use_batchnorm=[1, 0], n_models=2))
    assert MultiLayerNet(8, [6], 4, "relu", "relu", True).use_batchnorm
    assert not MultiLayerNet(8, [6], 4, use_batchnorm=np.bool_(False)).use_batchnorm
    assert MultiLayerNet(8, [6], 4, use_batchnorm=[True, False], n_models=2).use_batchnorm


def test_a_numpy_integer_seeds_stacked_models_as_an_int_does():
    # a code review: np.int64(0) went to list(rng), a bare "'numpy.int64' object is not iterable" (one model took it)
    a = MultiLayerNet(8, [6], 4, n_models=2, rng=np.int64(3))
    b = MultiLayerNet(8, [6], 4, n_models=2, rng=3)
    assert np.array_equal(a.theta, b.theta) and a.theta.any()


@pytest.mark.parametrize("std", [True, np.True_])
def test_a_bool_is_not_a_weight_scale(std):
    refused(r"^invalid weight_init_std: (True|np.True_) \(accepted: a number", lambda: MultiLayerNet(8, [6], 4, weight_init_std=std))


def test_memory_refused_after_numpys_memory_error_says_what_is_free(monkeypatch):
    from optimlab.nn import network

    monkeypatch.setattr(network, "machine_memory", lambda free_only=False: 3 * 2**30)
    with pytest.raises(ConfigError) as e:       # called after a MemoryError: it said "this machine has 3 GiB free"
        network.check_memory([40], 2, 2**20, "float32", free_only=True)      # of a need of 0.03 GiB
    assert "could not be allocated (3 GiB free now)" in str(e.value) and "machine has" not in str(e.value)
    network.check_memory([40], 2, 2**20, "float32")         # fits: no error
