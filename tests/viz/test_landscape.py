"""The note's claims about how the optimizers move, checked on 2-D landscapes; plus the landscape API.

Every number asserted here was measured with the ``note`` presets of :mod:`optimlab.optim`; the comments
give the measured values beside the thresholds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

from optimlab.errors import ConfigError
from optimlab.optim import OPTIMIZERS
from optimlab.viz.functions import SURFACES
from optimlab.viz.landscape import run_landscape, plot_landscape, write_landscape
from optimlab.viz.landscape_cli import add_landscape_parser, run_landscape_cli


def sign_changes(v: np.ndarray) -> int:
    return int(np.sum(np.sign(v[1:]) != np.sign(v[:-1])))


def exit_step(points: np.ndarray, radius: float = 0.5) -> float:
    """First step with |y| > radius (the saddle region is |y| <= radius); inf if never."""
    out = np.nonzero(np.abs(points[:, 1]) > radius)[0]
    return float(out[0]) if out.size else float("inf")


# -- the surfaces -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(SURFACES))
def test_gradient_matches_finite_differences_and_vanishes_at_minima(name):
    s = SURFACES[name]
    rng = np.random.default_rng(0)
    x0, x1, y0, y1 = s.window
    x, y = rng.uniform(x0, x1, 64), rng.uniform(y0, y1, 64)
    h = 1e-6
    gx, gy = s.grad(x, y)
    nx = (s.value(x + h, y) - s.value(x - h, y)) / (2 * h)
    ny = (s.value(x, y + h) - s.value(x, y - h)) / (2 * h)
    np.testing.assert_allclose(gx, nx, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(gy, ny, rtol=1e-5, atol=1e-4)
    for m in s.minima + s.saddles:
        assert np.hypot(*s.grad(np.float64(m[0]), np.float64(m[1]))) < 1e-3
    assert s.value(np.zeros((3, 4)), np.zeros((3, 4))).shape == (3, 4)  # vectorised for contour grids


# -- "SGD zigzags; Momentum moves like a moving average" ------------------------------------------------

def test_sgd_zigzags_in_y_while_momentum_moves_smoothly_on_the_bowl():
    # f = x²/20 + y²: L = 2 along y. SGD at lr 0.95 (> 1/L, < 2/L) multiplies y by 1 − 2·0.95 = −0.9:
    # the sign flips at every step. Momentum (lr 0.1, μ 0.9) turns in y only every ~7 steps.
    r = run_landscape("bowl", ("sgd", "momentum"), steps=40)
    sgd, mom = (sign_changes(r.trajectories[k][:, 1]) for k in ("sgd", "momentum"))
    assert sgd >= 38          # measured 40 of 40
    assert mom <= 8           # measured 6
    # the zigzag also shows as direction reversals: consecutive steps pointing against each other
    def reversals(p):
        d = np.diff(p, axis=0)
        return int(np.sum(np.einsum("ij,ij->i", d[1:], d[:-1]) < 0))
    assert reversals(r.trajectories["sgd"]) >= 35      # measured 39 of 39
    assert reversals(r.trajectories["momentum"]) <= 8  # measured 4


def test_momentum_damps_the_y_oscillation_faster_only_when_sgd_is_near_its_stability_limit():
    # Momentum's y oscillation has complex roots for any lr here, so its envelope shrinks by √μ = 0.949 per
    # step whatever the lr; SGD's shrinks by |1 − 2 lr|. So "Momentum's oscillation decays faster" holds
    # only for SGD lr > 0.974 (within 2.6 % of the 2/L = 1 limit), the lr that SGD would want for speed
    # along the shallow x. Measured max |y| over steps 30..60:
    near_limit = run_landscape("bowl", ("sgd", "momentum"), lrs={"sgd": 0.99}, steps=60)
    sgd, mom = (np.abs(near_limit.trajectories[k][30:, 1]).max() for k in ("sgd", "momentum"))
    assert mom < 0.5 * sgd    # measured 0.335 vs 1.091
    # ... while at the classic lr 0.95 SGD's zigzag is the one that dies out first (0.085 vs 0.335).
    classic = run_landscape("bowl", ("sgd", "momentum"), lrs={"sgd": 0.95}, steps=60)
    sgd, mom = (np.abs(classic.trajectories[k][30:, 1]).max() for k in ("sgd", "momentum"))
    assert sgd < mom


# -- "AdaGrad can stall at a saddle point; Adam gets past it" -----------------------------------------

def test_rmsprop_and_adam_leave_the_saddle_region_faster_than_adagrad():
    # f = x² − y² + y⁴/4 from (−1.5, 1e-3); the three adaptive methods at the same lr 0.01 (the note's
    # lr for RMSProp and Adam), AdaGrad as the note writes it. Saddle region: |y| <= 0.5.
    r = run_landscape("saddle", ("adagrad", "rmsprop", "adam"), lrs={"adagrad": 0.01}, steps=300)
    steps = {k: exit_step(p) for k, p in r.trajectories.items()}
    assert steps["rmsprop"] <= 10     # measured 6
    assert steps["adam"] <= 60        # measured 44
    assert steps["adagrad"] > 300     # measured 335: its effective lr keeps shrinking
    eff = r.tracks["adagrad"].effective_lrs
    # per coordinate AdaGrad's lr ε/(√h_t + θ) only shrinks (h_t grows); the norm ratio ‖Δw‖/‖∇f‖ mixes the two
    # coordinates and rises for two steps while y's share of the gradient grows, then only shrinks (measured)
    assert np.all(np.diff(eff[3:]) <= 1e-12)


def test_sgd_and_momentum_wait_at_the_saddle_point_while_the_adaptive_methods_go_around_it():
    """What the default saddle figure shows (README): SGD and Momentum run to the saddle point and wait there for
    the tiny y to grow; RMSProp and Adam head for the minimum at once, never near the saddle point; AdaGrad is slow
    everywhere (at 150 steps it is still far from both the saddle point and the minima)."""
    r = run_landscape("saddle", steps=400)
    near = {k: np.linalg.norm(np.asarray(t.points), axis=1) for k, t in r.tracks.items()}
    assert near["sgd"].min() < 0.05 and near["momentum"].min() < 0.06         # measured 0.046 (step 37), 0.053 (24)
    assert exit_step(r.trajectories["sgd"]) == 66 and exit_step(r.trajectories["momentum"]) == 42
    assert min(near["rmsprop"].min(), near["adam"].min(), near["adagrad"].min()) > 1.1    # measured 1.18
    assert np.allclose(r.tracks["adagrad"].points[150], (-1.276, 0.332), atol=1e-3)
    for k in ("sgd", "momentum"):                      # both end on a minimum (0, ±√2)
        assert np.allclose(np.abs(r.tracks[k].final), (0, np.sqrt(2)), atol=1e-3)


@pytest.mark.parametrize("lr", [0.003, 0.03])
def test_saddle_ordering_holds_at_other_shared_lrs(lr):
    # measured exits (rmsprop, adam, adagrad): lr 0.003 → 40, 119, none in 1000; lr 0.03 → 2, 17, 43
    r = run_landscape("saddle", ("adagrad", "rmsprop", "adam"), lrs=dict.fromkeys(("adagrad", "rmsprop", "adam"), lr),
                      steps=400)
    steps = {k: exit_step(p) for k, p in r.trajectories.items()}
    assert steps["rmsprop"] < steps["adagrad"] and steps["adam"] < steps["adagrad"]


def test_adagrad_at_the_notes_own_lr():
    # At the note's AdaGrad lr 0.1 the note's formula (the default) takes a first step of about lr·sign(∇E)
    # (x: −1.5 → −1.4) and leaves |y| <= 0.5 at step 7; the note's code (preset note-code) takes a first step
    # of lr/√1e-4 = 10 × ∇E instead, which sends x from −1.5 to 28.5, far off the plot (measured).
    r = run_landscape("saddle", ("adagrad",), lrs={"adagrad": 0.1}, steps=20)
    p = r.trajectories["adagrad"]
    assert p[1, 0] == pytest.approx(-1.4, abs=1e-4)
    assert exit_step(p) == 7 and np.abs(p[:, 0]).max() <= 1.5
    code = run_landscape("saddle", ("adagrad",), lrs={"adagrad": 0.1}, preset={"adagrad": "note-code"}, steps=20)
    assert code.trajectories["adagrad"][1, 0] == pytest.approx(28.5)


# -- Rosenbrock: every optimizer reaches (1, 1) with a suitable lr --------------------------------------

def test_every_optimizer_reaches_the_rosenbrock_minimum():
    # 5000 steps from (−1.2, 1); measured distances to (1, 1): SGD (2e-3) 0.0165, Momentum (5e-4) < 1e-6,
    # AdaGrad (1.0) 0.0185, RMSProp (3e-3) 0.0080, Adam (0.02) < 1e-6.
    r = run_landscape("rosenbrock", steps=5000)
    dist = {row["optimizer"]: row["distance"] for row in r.summary()}
    assert max(dist.values()) < 0.03, dist
    assert dist["momentum"] < 1e-3 and dist["adam"] < 1e-3
    # AdaGrad as the note's code computes it cannot: its first step is 100·lr·∇E (∇E ≈ (−216, −88) at the
    # start); every lr in 1e-5..1 either stays put or is thrown away, then h is huge. lr 1e-4: 0.867.
    stuck = run_landscape("rosenbrock", ("adagrad",), lrs={"adagrad": 1e-4}, preset={"adagrad": "note-code"},
                          steps=5000)
    assert stuck.summary()[0]["distance"] > 0.5


# -- same classes as training -----------------------------------------------------------------------

def test_landscape_uses_the_training_registry_classes(monkeypatch):
    r = run_landscape("bowl", steps=3)
    for name, opt in r.optimizers.items():
        assert type(opt) is OPTIMIZERS[name]
    calls = []
    rule = OPTIMIZERS["adam"].rule
    monkeypatch.setattr(OPTIMIZERS["adam"], "rule", lambda self, *a: (calls.append(1), rule(self, *a)))
    run_landscape("bowl", ("adam",), steps=5)
    assert len(calls) == 1 + 5    # the point is moved by the registry class's own rule (1: the check that it moves)


# -- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, needle", [
    ({"function": "banana"}, "'banana'"),
    ({"optimizers": ("sgd", "lion")}, "'lion'"),
    ({"optimizers": ()}, "no optimizers"),
    ({"start": (float("nan"), 0.0)}, "nan"),
    ({"start": (0.0, float("inf"))}, "inf"),
    ({"start": (1.0,)}, "start"),
    ({"steps": 0}, "0"),
    ({"steps": -3}, "-3"),
    ({"steps": 2.5}, "2.5"),
    ({"lrs": {"sgd": 0.0}}, "0.0"),
    ({"lrs": {"adam": -1}}, "-1"),
    ({"lrs": {"sgd": float("nan")}}, "nan"),
    ({"optimizers": ("sgd",), "lrs": {"adam": 0.1}}, "'adam'"),
])
def test_bad_input_raises_a_one_line_config_error(kwargs, needle):
    with pytest.raises(ConfigError) as e:
        run_landscape(**kwargs)
    msg = str(e.value)
    assert "\n" not in msg and needle in msg and "accepted" in msg


def test_divergence_is_stopped_and_reported():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = run_landscape("bowl", ("sgd", "adam"), lrs={"sgd": 1.5}, steps=200)  # y ← −2y each step
    t = r.tracks["sgd"]
    assert t.diverged_at is not None and 30 < t.diverged_at < 60
    assert len(t.points) == t.diverged_at and np.all(np.isfinite(t.points))
    assert r.tracks["adam"].diverged_at is None and len(r.tracks["adam"].points) == 201


def test_a_finite_point_whose_value_overflows_ends_the_walk_with_every_array_cut_alike(monkeypatch):
    """f = −10²⁹⁹·x² overflows to −inf past |x| ≈ 42,400 while x and the gradient stay finite: the walk ends before
    the first point whose value overflows, and points, values, step sizes and effective lrs are all cut there."""
    from optimlab.viz.functions import Surface
    s = Surface("cliff", "-1e299 x^2", lambda x, y: -1e299 * x * x + 0 * y, lambda x, y: (-2e299 * x, 0 * y),
                start=(2.5e4, 0.0), window=(-5e4, 5e4, -1, 1), minima=((0.0, 0.0),), lrs={"sgd": 1e-300}, steps=10)
    monkeypatch.setitem(SURFACES, "cliff", s)
    t = run_landscape("cliff", ("sgd",)).tracks["sgd"]
    # x grows 1.2× a step: 25,000, 30,000, 36,000 (f = −1.3e308), then 43,200 (f = −inf)
    assert t.diverged_at == 3 and np.allclose(t.points[:, 0], [2.5e4, 3e4, 3.6e4]) and np.all(np.isfinite(t.values))
    assert len(t.values) == 3 and np.allclose(t.step_sizes, [5e3, 6e3])
    assert np.allclose(t.effective_lrs, [1e-300, 1e-300], rtol=1e-9, atol=0)      # SGD's ‖Δw‖/‖∇f‖ is its lr


@pytest.mark.parametrize("name, lang", [("beale", "en"), ("rosenbrock", "ja")])
def test_the_legend_lies_inside_the_figure_at_the_default_size_too(name, lang):
    """Beale's English legend reached 16 px past the PNG's right edge, Rosenbrock's Japanese one 21 px."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from optimlab.viz.landscape import _fonts

    with _fonts(lang):
        fig = plot_landscape(run_landscape(name, steps=20), lang)
        box = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer())
    w, h = fig.get_size_inches()
    assert box.x0 >= -0.02 and box.y0 >= -0.02 and box.x1 <= w + 0.02 and box.y1 <= h + 0.02


def test_each_path_has_a_head_at_its_current_point_in_every_frame_and_at_its_end_in_the_png():
    """Over 200 steps a path is a plain line: in a GIF frame one could not tell where AdaGrad was (under RMSProp)
    or which path moved. A marker shows each optimizer's current point; in the PNG, where each path ended."""
    from optimlab.viz.landscape import _fonts, _new_figure, _show_until

    r = run_landscape("saddle", steps=400)
    with _fonts("en"):
        fig, ax, lines, _, _ = _new_figure(r, "en", with_steps=False)
    for upto in (0, 46, 400):
        _show_until(r, lines, {}, upto)
        for k, (path, head) in lines.items():
            assert np.array_equal(np.column_stack(head.get_data()), r.tracks[k].points[upto:upto + 1])
            assert len(path.get_xdata()) == upto + 1
    assert len(ax.get_legend().get_texts()) == 5 + 3           # the five paths, start, minimum, saddle: no heads
    png = plot_landscape(r)
    heads = [a for a in png.axes[0].lines if a.get_linestyle() == "None" and a.get_zorder() == 4.5]
    assert sorted(tuple(np.ravel(h.get_data())) for h in heads) == sorted(tuple(t.final) for t in r.tracks.values())
    # each in its run's marker, as its path: every end was the same circle, told apart by colour alone (an
    # accessibility review)
    from optimlab.viz.colors import line_markers

    assert [h.get_marker() for h in heads] == line_markers([h.get_color() for h in heads])
    assert len({h.get_marker() for h in heads}) == len(heads) == 5


def test_steps_shrinking_to_subnormal_sizes_draw_without_a_warning(monkeypatch):
    """At 100,000 steps on the saddle the smallest step was subnormal (1e-323); half of it is 0, and the log axis
    of step sizes warned in two lines ("Attempt to set non-positive ylim") under the one-line promise."""
    from optimlab.viz.functions import Surface
    s = Surface("halving", "x^2", lambda x, y: x * x + y * y, lambda x, y: (2 * x, 2 * y), start=(1.0, 1.0),
                window=(-1, 1, -1, 1), minima=((0.0, 0.0),), lrs={"sgd": 0.25}, steps=1100)
    monkeypatch.setitem(SURFACES, "halving", s)
    r = run_landscape("halving", ("sgd",))          # w halves every step: 2^-1074, the smallest float, at ~1075
    assert r.tracks["sgd"].step_sizes[r.tracks["sgd"].step_sizes > 0].min() < 1e-320
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_landscape(r)
    assert fig.axes[1].get_ylim()[0] == 5e-301


def _cli(argv):
    parser = argparse.ArgumentParser(prog="optimlab")
    add_landscape_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.mark.parametrize("argv, needle", [
    (["--function", "nope"], "'nope'"),
    (["--optimizers", "sgd,lion"], "'lion'"),
    (["--start", "1,nan"], "'1,nan'"),
    (["--start", "1"], "'1'"),
    (["--steps", "0"], "invalid --steps: 0 (accepted: an integer from 1 to"),
    (["--optimizers", "sgd,"], "empty optimizer name in 'sgd,' (accepted: names separated by single commas"),
    (["--lr", "sgd"], "invalid --lr: 'sgd' (accepted: a number, or NAME=NUMBER like adam=0.001)"),
    (["--lr", "sgd=fast"], "invalid --lr: 'sgd=fast'"),
    (["--lr", "sgd=-0.1"], "-0.1"),
    (["--preset", "adagrad=nonsense"], "'nonsense'"),
    (["--preset", "tourch"], "unknown preset: 'tourch' (accepted: note, torch, optax, or NAME=PRESET"),
    (["--optimizers", "sgd", "--lr", "0.1", "--lr", "0.1"], "the same SGD path twice: lr=0.1 (accepted: paths of one "
                                                           "optimizer that differ"),
    (["--lr", "sgd=0.1,sgd=0.1"], "the same SGD path twice: lr=0.1 (accepted: paths of one optimizer"),
    (["--lr", "0.1", "--lr", "0.2"], "too many paths for one map: 10 (SGD 2, Momentum 2, AdaGrad 2, RMSProp 2, Adam 2) "
                                     "(accepted: at most 7, one colour each: fewer optimizers, lrs or presets)"),
    (["--lr", "sgd=0.1", "--lr", "0.5", "--optimizers", "sgd"], "--lr 0.5 applies to no optimizer: each has its own "
                                                                "NAME= value"),
    (["--optimizers", "adagrad", "--preset", "adagrad=note", "--preset", "adagrad=note"],
     "the same AdaGrad path twice: lr=1.5, initial_accumulator=0.0001, eps=0.0001"),
    (["--preset", "adagrad="], "invalid --preset: 'adagrad=' (accepted: PRESET or NAME=PRESET"),
    (["--optimizers", "sgd", "--lr", "sgd=0.1", "--lr", "sgd=0.1"], "the same SGD path twice: lr=0.1"),
    (["--lr", "0"], "invalid --lr: 0 (accepted: a finite number > 0)"),
    (["--lr=-1"], "invalid --lr: -1 (accepted: a finite number > 0)"),
    (["--font-scale", "0.5"], "invalid --font-scale: 0.5 (accepted: a number from 1 to 3; 1 is the default"),
    (["--font-scale", "nan"], "invalid --font-scale: nan"),
])
def test_cli_bad_input_is_a_clean_one_line_error(argv, needle, tmp_path):
    args = _cli(["landscape", "--out", str(tmp_path), "--no-gif", *argv])
    with pytest.raises(ConfigError) as e:
        args.func(args)
    assert "\n" not in str(e.value) and needle in str(e.value)
    assert not any(tmp_path.iterdir())  # nothing written


# -- outputs ------------------------------------------------------------------------------------------

def test_font_scale_grows_the_text_and_the_figure_so_that_every_label_stays_in_the_png_and_the_gif(tmp_path):
    """--font-scale (as compare's and sweep's, for slides): the PNG's and the GIF's text grows and the figure with it.
    At 3× Rosenbrock's title, centred on the map, reached past both sides of the fixed canvas; the GIF's frames have
    no tight box to save them, so the figure itself grows. At 1 the files are byte for byte what they were."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from optimlab.viz.figures import font_scale
    from optimlab.viz.landscape import _fonts, _new_figure

    r = run_landscape("rosenbrock", steps=20)
    with font_scale(3), _fonts("ja"):
        fig, ax, *_ = _new_figure(r, "ja", with_steps=False)             # what every GIF frame is drawn on
    assert ax.title.get_fontsize() == 33
    box = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer())
    w, h = fig.get_size_inches()
    assert box.x0 >= -0.02 and box.y0 >= -0.02 and box.x1 <= w + 0.02 and box.y1 <= h + 0.02
    sizes = {}
    for scale in (1, 1.6):
        write_landscape(r, tmp_path / str(scale), "ja", dpi=100, font_scale=scale)
        sizes[scale] = [Image.open(tmp_path / str(scale) / f"landscape_rosenbrock.{x}").size for x in ("png", "gif")]
    write_landscape(r, tmp_path / "plain", "ja", dpi=100)
    for x in ("png", "gif"):
        name = f"landscape_rosenbrock.{x}"
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
    assert all(b[0] > a[0] and b[1] > a[1] for a, b in zip(sizes[1], sizes[1.6]))
    with pytest.raises(ConfigError, match=r"invalid font_scale: 4 \(accepted: a number from 1 to 3"):
        write_landscape(r, tmp_path / "bad", font_scale=4)
    assert not (tmp_path / "bad").exists()


def test_write_landscape_files(tmp_path):
    r = run_landscape("saddle", steps=20)
    paths = write_landscape(r, tmp_path, max_frames=12)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["landscape_saddle.png", "landscape_saddle.gif", "trajectories_saddle.csv", "landscape_saddle.json"])
    with Image.open(paths["gif"]) as gif:
        assert gif.n_frames == 12 and gif.is_animated
    with Image.open(paths["png"]) as png:
        assert png.format == "PNG"
    with open(paths["csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["optimizer", "step", "x", "y", "f"]
    assert len(rows) == 5 * 21
    last_adam = [row for row in rows if row["optimizer"] == "adam"][-1]
    assert int(last_adam["step"]) == 20
    np.testing.assert_allclose([float(last_adam["x"]), float(last_adam["y"])], r.trajectories["adam"][-1])
    meta = json.loads(paths["json"].read_text())
    assert meta["config"]["function"] == "saddle" and meta["config"]["optimizers"]["adagrad"]["preset"] == "note"


def test_a_folder_in_the_way_stops_before_anything_is_written_and_no_stale_gif_stays(tmp_path):
    """A folder named landscape_bowl.png made the command fail after the GIF, CSV and JSON were renamed into place
    (not all or nothing); --no-gif after a run with one left the old GIF beside the new PNG."""
    from optimlab.errors import ConfigError

    r = run_landscape("bowl", steps=5)
    (tmp_path / "a" / "landscape_bowl.png").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"landscape_bowl\.png': a folder has its name"):
        write_landscape(r, tmp_path / "a", max_frames=3)
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["landscape_bowl.png"]
    write_landscape(r, tmp_path / "b", max_frames=3)
    write_landscape(run_landscape("bowl", steps=3), tmp_path / "b", gif=False)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["landscape_bowl.json", "landscape_bowl.png",
                                                                  "trajectories_bowl.csv"]


@pytest.mark.parametrize("links", [True, False])
def test_a_rename_that_fails_leaves_the_earlier_landscape_whole(tmp_path, monkeypatch, links):
    """A fuzzing review: with trajectories_bowl.csv immutable (chattr +i) a rerun renamed the new JSON into place and
    then failed on the CSV: the folder held a JSON of 7 steps beside a PNG and CSV of 5. All four go together now:
    a failed move leaves the earlier files as they were, and no new or hidden file."""
    out = tmp_path / "l"
    write_landscape(run_landscape("bowl", steps=5), out, max_frames=3)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    refused = []

    def refusing(real):
        def move(src, dst):
            moving_new = Path(dst).name == "trajectories_bowl.csv" and Path(src).suffix == ".tmp"     # the new one
            if not refused and moving_new:
                refused.append(src)
                raise PermissionError(1, "Operation not permitted", os.fspath(src), None, os.fspath(dst))
            return real(src, dst)
        return move

    with monkeypatch.context() as m:                    # either way of moving a file
        m.setattr(os, "rename", refusing(os.rename))
        m.setattr(os, "replace", refusing(os.replace))
        if not links:                                   # as for an immutable file, which may not be linked either
            m.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(PermissionError(1, "Operation not permitted")))
        with pytest.raises(PermissionError) as e:
            write_landscape(run_landscape("bowl", steps=7, lrs={"sgd": 0.05}), out, max_frames=3)
    assert refused and e.value.filename == os.fspath(out / "trajectories_bowl.csv") and e.value.filename2 is None
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    write_landscape(run_landscape("bowl", steps=7), out, max_frames=3)           # and the next run replaces them all
    assert json.loads((out / "landscape_bowl.json").read_text())["config"]["steps"] == 7
    assert sorted(p.name for p in out.iterdir()) == sorted(before)


def test_an_animation_too_big_for_this_machine_is_refused_before_a_frame_is_drawn(tmp_path, monkeypatch):
    """--dpi 600 --font-scale 3 (both accepted) made a GIF of 60 frames of 8222×3326 pixels that took 10.7 GB and
    ended in a MemoryError traceback: frames that cannot fit are a one-line error, and nothing is written. The GIF is
    built from a byte a pixel per frame (its palette indices), not from every RGB frame kept until the end."""
    calls = []
    real = os.sysconf

    def small(name):
        calls.append(name)
        return 256 if name == "SC_PHYS_PAGES" else real(name)      # 1 MiB of memory (4 KiB pages)

    monkeypatch.setattr(os, "sysconf", small)
    args = _cli(["landscape", "--out", str(tmp_path / "a"), "--steps", "5"])
    with pytest.raises(ConfigError) as e:
        args.func(args)
    assert re.fullmatch(r"the animation's 6 frames of \d+×\d+ pixels need about [\d.]+ GiB, this machine has "
                        r"0\.000977 GiB \(accepted: a lower dpi or font scale, or no GIF: --no-gif\)", str(e.value))
    assert not (tmp_path / "a").exists() and "SC_PHYS_PAGES" in calls
    args = _cli(["landscape", "--out", str(tmp_path / "b"), "--steps", "5", "--no-gif"])
    args.func(args)                                                     # no GIF: nothing to refuse
    assert (tmp_path / "b" / "landscape_bowl.png").exists()


def test_a_process_limit_counts_as_the_memory_and_a_memoryerror_is_one_line(tmp_path, monkeypatch):
    """A review under `ulimit -v 2000000`: the estimate compared with the machine's memory, not the process's limit,
    and the MemoryError that followed was a traceback. The limit counts; a MemoryError past the estimate is one line,
    with nothing written. `--out runs/c2/x/..` (a compare run) made x and wrote into the run: it is refused."""
    import resource

    from optimlab.nn.network import process_memory_limit
    from optimlab.viz import landscape_cli

    with monkeypatch.context() as m:
        m.setattr(resource, "getrlimit", lambda what: (2 ** 20, resource.RLIM_INFINITY))   # 1 MiB for this process
        assert process_memory_limit() == 2 ** 20
        args = _cli(["landscape", "--out", str(tmp_path / "l"), "--steps", "5"])
        with pytest.raises(ConfigError, match=r"^the animation's 6 frames of .* GiB, this process may use \(its memory "
                                              r"limit\) 0\.000977 GiB"):
            args.func(args)

    def short(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(landscape_cli, "write_landscape", short)
    args = _cli(["landscape", "--out", str(tmp_path / "m"), "--steps", "5"])
    with pytest.raises(ConfigError, match=r"^not enough memory to draw the landscape at --dpi 100 --font-scale 1 "
                                          r"\(MemoryError; nothing was written to .*; accepted: a lower --dpi or "
                                          r"--font-scale, or --no-gif\)$"):
        args.func(args)
    run = tmp_path / "c2"
    run.mkdir()
    (run / "summary.json").write_text("{}")
    (run / "metrics.csv").write_text("run,iteration,metric,value\n")
    args = _cli(["landscape", "--out", str(run / "x" / ".."), "--steps", "5", "--no-gif"])
    with pytest.raises(ConfigError, match=r"it holds an optimlab compare run"):
        args.func(args)
    assert sorted(p.name for p in run.iterdir()) == ["metrics.csv", "summary.json"]


def test_a_path_that_leaves_the_map_is_drawn_under_the_others():
    """A figure review: SGD at lr 1.02 on the bowl swung across the minimum in a solid bar drawn over lr 0.95's end."""
    r = run_landscape("bowl", "sgd", lrs={"sgd": [0.95, 1.02]}, steps=40)
    fig = plot_landscape(r)
    paths = {line.get_label(): line.get_zorder() for line in fig.axes[0].get_lines() if line.get_label().startswith("SGD")}
    low = [k for k, z in paths.items() if z < 3]
    assert len(paths) == 2 and len(low) == 1 and "leaves the map" in low[0], paths


def test_a_path_or_a_start_off_the_map_is_said_in_the_legend():
    """The map widens by at most half its span: SGD at lr 1.2 on the bowl (growing 1.4x a step, below the divergence
    bound) and a start at (500, 500) on Himmelblau ran off it with no sign; the legend now says from which step."""
    ax = plot_landscape(run_landscape("bowl", lrs={"sgd": 1.2}, steps=40)).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "SGD (lr=1.2), leaves the map at step 3" and labels[1] == "Momentum (lr=0.1)"
    ax = plot_landscape(run_landscape("himmelblau", start=(500, 500), steps=5)).axes[0]
    assert "start (500, 500), off the map" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_path_from_a_start_off_the_map_says_if_it_never_comes_on_or_where_it_leaves_again():
    """From (5, 5) on the saddle (off its map) AdaGrad never came onto the map, so no line of it was drawn, and its
    legend entry said nothing (a teacher's review); Momentum came on and left again at step 5, unsaid. The start's
    coordinates have the axes' minus sign."""
    labels = {lang: [t.get_text() for t in plot_landscape(run_landscape("saddle", start=(5, 5)), lang).axes[0]
                     .get_legend().get_texts()] for lang in ("en", "ja")}
    assert labels["en"][:5] == ["SGD (lr=0.05)", "Momentum (lr=0.02), leaves the map at step 5 and comes back",
                                "AdaGrad (lr=0.01), never on the map", "RMSProp (lr=0.01)", "Adam (lr=0.01)"]
    # Momentum ends on a minimum, on the map: 「5 ステップ目で図の外へ」 read as where it ended (a Japanese review)
    assert labels["ja"][1:3] == ["Momentum（学習率 0.02、5 ステップ目で図の外に出て、また戻る）", "AdaGrad（学習率 0.01、ずっと図の外）"]
    start = [t.get_text() for t in plot_landscape(run_landscape("bowl", steps=3)).axes[0].get_legend().get_texts()]
    assert "start (\N{MINUS SIGN}7, 2)" in start


def test_the_view_takes_in_paths_that_leave_the_window():
    """Momentum overshoots below Beale's window (y < -1.5): the map widens to show its whole path, but by at most
    half the window's span, so a path that runs far away does not shrink the map to a dot."""
    r = run_landscape("beale")
    x0, x1, y0, y1 = r.surface.window
    assert r.trajectories["momentum"][:, 1].min() < y0
    ax = plot_landscape(r).axes[0]
    lo_x, hi_x = ax.get_xlim()
    lo_y, hi_y = ax.get_ylim()
    for p in r.trajectories.values():
        assert lo_x <= p[:, 0].min() and p[:, 0].max() <= hi_x and lo_y <= p[:, 1].min() and p[:, 1].max() <= hi_y
    assert (lo_x, hi_x, hi_y) == (x0, x1, y1) and y0 - 0.5 * (y1 - y0) <= lo_y < y0
    far = run_landscape("bowl", ["sgd"], lrs={"sgd": 1.01}, steps=400)           # |y| grows without bound
    lo_y, hi_y = plot_landscape(far).axes[0].get_ylim()
    span = far.surface.window[3] - far.surface.window[2]
    assert hi_y - lo_y <= (1 + 2 * (0.5 + 0.03)) * span + 1e-9                  # half a span more each side, and a pad


def test_cli_runs_and_prints_a_summary(tmp_path, capsys):
    args = _cli(["landscape", "--function", "bowl", "--optimizers", "sgd,adam", "--lr", "adam=0.2",
                 "--steps", "5", "--start=-5,1", "--out", str(tmp_path / "o"), "--no-gif"])
    assert run_landscape_cli(args) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()[2:4]]
    assert [r[:2] for r in rows] == [["SGD", "0.95"], ["Adam", "0.2"]]      # the figure's names; --lr adam=0.2
    assert (tmp_path / "o" / "landscape_bowl.png").exists() and not (tmp_path / "o" / "landscape_bowl.gif").exists()
    rows = list(csv.DictReader(open(tmp_path / "o" / "trajectories_bowl.csv")))
    assert rows[0]["x"] == "-5.0" and len(rows) == 2 * 6
    # each number to its significant digits, zeros too: SGD at the saddle's valley floor ends at -1.0000, not -1
    # beside RMSProp's -0.99837 (a newcomer's review)
    assert run_landscape_cli(_cli(["landscape", "--function", "saddle", "--optimizers", "sgd", "--out",
                                   str(tmp_path / "s"), "--no-gif"])) == 0
    assert capsys.readouterr().out.splitlines()[2].split()[4] == "-1.0000"


def test_default_out_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = _cli(["landscape", "--function", "saddle", "--optimizers", "adam", "--steps", "2", "--no-gif"])
    run_landscape_cli(args)
    assert (tmp_path / "runs" / "landscape-saddle" / "landscape_saddle.png").exists()


def test_japanese_labels_do_not_leak_font_settings():
    before = list(matplotlib.rcParams["font.family"])
    fig = plot_landscape(run_landscape("saddle", ("adam",), steps=3), lang="ja", show_steps=False)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "開始点（\N{MINUS SIGN}1.5, 0.001）" in texts and "鞍点" in texts and "Adam（学習率 0.01）" in texts
    assert fig.axes[0].get_title().startswith("鞍点のある曲面（saddle）：")
    assert list(matplotlib.rcParams["font.family"]) == before
    with pytest.raises(ConfigError):
        plot_landscape(run_landscape("saddle", ("adam",), steps=3), lang="fr")


def test_cli_a_bare_lr_is_every_optimizers_and_a_named_one_wins(tmp_path):
    args = _cli(["landscape", "--optimizers", "sgd,momentum,adam", "--lr", "0.05", "--lr", "adam=0.2", "--steps", "3",
                 "--out", str(tmp_path / "o"), "--no-gif"])
    assert args.func(args) == 0
    meta = json.loads((tmp_path / "o" / "landscape_bowl.json").read_text())["config"]["optimizers"]
    assert {k: v["hyperparameters"]["lr"] for k, v in meta.items()} == {"sgd": 0.05, "momentum": 0.05, "adam": 0.2}
    args = _cli(["landscape", "--optimizers", "sgd,momentum,adam", "--lr", "0.05,adam=0.2", "--steps", "3",
                 "--out", str(tmp_path / "c"), "--no-gif"])                           # the same, comma-separated
    assert args.func(args) == 0
    assert json.loads((tmp_path / "c" / "landscape_bowl.json").read_text())["config"]["optimizers"] == meta


def test_in_the_last_gif_frame_the_heads_that_reached_the_minimum_are_drawn_over_its_mark(monkeypatch):
    """The frames drew the start and minimum marks after the paths' heads, whatever their z-order: in every GIF's last
    frame the gold ✕ hid each head that had arrived (SGD, Momentum and RMSProp on the saddle: the 7×7 pixels around
    the minimum all gold; a teacher's review), while the PNG showed them. Now no pixel there is gold, and the heads'
    colours are."""
    from PIL import ImageColor

    from optimlab.viz import landscape as L

    made, new_figure = {}, L._new_figure

    def keep(*a, **k):
        made["fig"] = new_figure(*a, **k)
        return made["fig"]

    monkeypatch.setattr(L, "_new_figure", keep)
    result = run_landscape("saddle")
    last = np.asarray(next(L._frames(result, "en", [result.steps], 72)), dtype=int)
    fig, ax, lines, _, _ = made["fig"]
    h = fig.canvas.get_width_height()[1]
    px = ax.transData.transform(result.surface.minima[0])
    arrived = [k for k, t in result.tracks.items() if np.abs(ax.transData.transform(t.final) - px).max() < 4]
    assert set(arrived) == {"sgd", "momentum", "rmsprop"}
    x, y = (int(round(v)) for v in px)
    around = last[h - y - 4: h - y + 3, x - 3: x + 4].reshape(-1, 3)
    near = {c: (np.abs(around - ImageColor.getrgb(c)).sum(axis=1) < 30).sum()
            for c in ["gold", *(lines[k][1].get_color() for k in arrived)]}
    assert near["gold"] == 0 and sum(near.values()) >= 10, near


def test_the_gif_keeps_every_paths_colour():
    """Median cut alone gave RMSProp's path Momentum's orange in the Rosenbrock GIF. Every path colour, as drawn
    over any grey of the map, now maps to a palette colour nearer its own than any other path's."""
    from PIL import ImageColor

    from optimlab.viz.colors import OPTIMIZER_COLORS as COLORS
    from optimlab.viz.landscape import PATH_ALPHA, _frame_steps, _frames, gif_palette, run_landscape

    result = run_landscape("rosenbrock", steps=300)
    frames = list(_frames(result, "en", _frame_steps(result.steps, 4), 72))
    palette = gif_palette(frames, [COLORS[k] for k in result.tracks])
    rgb = {k: np.asarray(ImageColor.getrgb(c), dtype=float) for k, c in COLORS.items()}
    for grey in np.linspace(60, 250, 20):
        drawn = {k: PATH_ALPHA * c + (1 - PATH_ALPHA) * grey for k, c in rgb.items()}
        patch = Image.fromarray(np.stack([np.full((4, 4, 3), v) for v in drawn.values()]).reshape(-1, 4, 3)
                                .astype(np.uint8), "RGB")
        got = np.asarray(patch.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB"), dtype=float)
        for i, k in enumerate(drawn):
            mapped = got[4 * i, 0]
            nearest = min(drawn, key=lambda j: np.abs(drawn[j] - mapped).sum())
            assert nearest == k, (k, grey, mapped)


def test_the_animation_shows_the_first_steps():
    """3000 steps in 60 frames: evenly spaced, the first frame after the start was step 51 (AdaGrad's big early
    jumps never shown one by one); now the first frames are the first steps, and all frames are distinct."""
    from optimlab.viz.landscape import _frame_steps

    t = _frame_steps(3000, 60)
    assert len(t) == 60 and t[0] == 0 and t[-1] == 3000 and all(a < b for a, b in zip(t, t[1:]))
    assert t[1:4] == [1, 3, 8] and max(b - a for a, b in zip(t, t[1:])) < 110
    assert _frame_steps(40, 60) == list(range(41)) and len(_frame_steps(20, 12)) == 12


def test_an_optimizer_you_add_gets_its_class_name_and_a_colour_of_its_own(monkeypatch):
    """A sixth optimizer registered in OPTIMIZERS was drawn in a colour matplotlib picked (SGD's blue) and named by
    its code name in the legend and the table; now it is named as compare names it, in a palette colour none of the
    five has (not Momentum's, though Momentum is not drawn), as compare would colour it: black, the first of those an
    added optimizer takes."""
    from dataclasses import dataclass

    from optimlab.optim import OPTIMIZERS, Momentum
    from optimlab.viz.colors import OPTIMIZER_COLORS, RUN_COLORS, run_colors
    from optimlab.viz.landscape import plot_landscape, run_landscape

    @dataclass(frozen=True)
    class HeavyBall(Momentum):
        name = "heavyball"

    monkeypatch.setitem(OPTIMIZERS, "heavyball", HeavyBall)
    result = run_landscape("bowl", optimizers="sgd,heavyball,adam", steps=20)
    ax = plot_landscape(result).axes[0]
    named = [line for line in ax.get_lines() if not line.get_label().startswith("_")][:3]      # not the heads
    paths = {line.get_label().split(" ")[0]: line.get_color() for line in named}
    assert paths == {"SGD": OPTIMIZER_COLORS["sgd"], "HeavyBall": RUN_COLORS[6], "Adam": OPTIMIZER_COLORS["adam"]}
    colors = run_colors([*OPTIMIZER_COLORS, "a", "b", "c", "d"])
    assert colors[5:] == [*RUN_COLORS[6:], RUN_COLORS[5], RUN_COLORS[6]]      # black, yellow, sky blue, then again
    # an added optimizer keeps its colour with or without Adam + BatchNorm beside it (an accessibility review: black
    # in a comparison, sky blue in a sweep of the same optimizers), and in a landscape, whose palette has no yellow
    note = list(OPTIMIZER_COLORS)
    with_bn = run_colors([*note, "adam", "slowadam", "nesterov"])
    assert with_bn[5:] == [RUN_COLORS[5], RUN_COLORS[6], RUN_COLORS[7]]
    assert run_colors([*note, "slowadam", "nesterov"])[5:] == with_bn[6:]
    assert run_colors([*note, "slowadam", "nesterov"], RUN_COLORS[:7])[5] == with_bn[6]
    # the spare colours before the unused ones of the five (a code review: a third added optimizer beside SGD took
    # Momentum's orange while sky blue was free)
    assert run_colors(["sgd", "x", "y", "z"]) == [OPTIMIZER_COLORS["sgd"], *RUN_COLORS[6:], RUN_COLORS[5]]


def test_slides_say_the_surface_the_preset_and_a_single_step():
    """English titles gave the bare code name ("beale: …") where Japanese ones name the surface; a note-code or torch
    run looked like the note's in the legend; with --steps 1 the step-size panel was empty (a line of one point)."""
    r = run_landscape("beale", preset={"adagrad": "note-code"}, optimizers="sgd,adagrad", steps=1)
    fig = plot_landscape(r)
    assert fig.axes[0].get_title().startswith("Beale's function (beale): ")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[1].startswith("AdaGrad (lr=1, note-code)") and "note" not in legend[0]
    assert all(line.get_marker() == "o" for line in fig.axes[1].get_lines())


def test_a_point_on_the_edge_of_the_map_is_on_it():
    """_off_map: the view's edges belong to the map (a path along its left edge was said to leave it)."""
    from optimlab.viz.landscape import _off_map

    view = (-2.0, 2.0, -2.0, 2.0)
    assert _off_map(np.array([[-2.0, 0.0], [2.0, 2.0], [0.0, -2.0]]), view) is None
    assert _off_map(np.array([[0.0, 0.0], [-2.0001, 0.0]]), view) == 1


# -- several paths of one optimizer -------------------------------------------------------------------

def test_one_optimizer_at_several_learning_rates_draws_a_path_each_the_lesson_on_the_bowl(tmp_path, capsys):
    """A class's first landscape: SGD on the bowl at a small, a good and a too-large lr (``--lr sgd=0.1 --lr sgd=0.5
    --lr sgd=0.95``). It was refused ('--lr given twice'); now each lr is a path of its own, labelled by its lr, each the
    same as SGD alone at that lr."""
    args = _cli(["landscape", "--optimizers", "sgd,momentum", "--lr", "sgd=0.1", "--lr", "sgd=0.5", "--lr", "sgd=0.95",
                 "--out", str(tmp_path), "--no-gif"])
    assert args.func(args) == 0
    rows = [line.split()[:2] for line in capsys.readouterr().out.splitlines()[2:6]]
    assert rows == [["SGD", "0.1"], ["SGD", "0.5"], ["SGD", "0.95"], ["Momentum", "0.1"]]   # the lr has its column
    r = run_landscape("bowl", "sgd,momentum", lrs={"sgd": [0.1, 0.5, 0.95]})
    assert list(r.tracks) == ["sgd (lr=0.1)", "sgd (lr=0.5)", "sgd (lr=0.95)", "momentum"]
    for lr in (0.1, 0.5, 0.95):
        alone = run_landscape("bowl", "sgd", lrs={"sgd": lr}).tracks["sgd"]
        assert np.array_equal(r.tracks[f"sgd (lr={lr:g})"].points, alone.points)
    y = {lr: r.tracks[f"sgd (lr={lr:g})"].points[:, 1] for lr in (0.1, 0.5, 0.95)}
    assert sign_changes(y[0.95]) >= 38                          # y ← −0.9 y: a zigzag (measured 40 of 40)
    assert np.all(y[0.5][1:] == 0)                              # y ← 0 · y: straight down the valley at once
    x = {lr: r.tracks[f"sgd (lr={lr:g})"].final[0] for lr in (0.1, 0.5, 0.95)}
    assert x[0.1] < -4.5 and abs(x[0.95]) < 0.2                 # too small: 40 steps went 2.3 of 7 (−4.68; −0.13)
    big = run_landscape("bowl", "sgd", lrs={"sgd": [0.95, 1.02]})    # past 2/L = 1: y ← −1.04 y, README's fourth path
    assert abs(big.tracks["sgd (lr=1.02)"].final[1]) > 9        # measured 9.60
    assert "SGD (lr=1.02), leaves the map at step 25" in [line.get_label() for line in plot_landscape(big).axes[0].get_lines()]
    rows = list(csv.DictReader(open(tmp_path / "trajectories_bowl.csv")))
    assert {row["optimizer"] for row in rows} == set(r.tracks)
    config = json.loads((tmp_path / "landscape_bowl.json").read_text())
    assert config["config"]["optimizers"]["sgd (lr=0.5)"] == {"optimizer": "sgd", "preset": "note",
                                                               "hyperparameters": {"lr": 0.5}}
    assert [row["label"] for row in config["summary"]] == list(r.tracks)
    ax = plot_landscape(r).axes[0]
    named = [line for line in ax.get_lines() if not line.get_label().startswith("_")][:4]
    assert [line.get_label() for line in named] == ["SGD (lr=0.1)", "SGD (lr=0.5)", "SGD (lr=0.95)", "Momentum (lr=0.1)"]
    assert len({line.get_color() for line in named}) == 4       # a colour each, SGD's blue for its first path
    assert named[0].get_color() == "#0072B2"


def test_optimizer_objects_move_with_their_own_hyperparameters_and_are_labelled_by_what_differs():
    """The notebook's way to show momentum's coefficient or another framework's convention on one map: optimizer
    objects. ``run_landscape`` took names only (no momentum or β other than the presets')."""
    from optimlab.optim import AdaGrad, Momentum, SGD

    r = run_landscape("bowl", [Momentum(lr=0.1, momentum=0.5), Momentum(lr=0.1), "sgd"], steps=40)
    assert list(r.tracks) == ["momentum (momentum=0.5)", "momentum (momentum=0.9)", "sgd"]
    assert np.array_equal(r.tracks["momentum (momentum=0.9)"].points,
                          run_landscape("bowl", "momentum", steps=40).tracks["momentum"].points)
    assert r.tracks["sgd"].lr == 0.95                            # a name keeps the surface's lr
    mixed = run_landscape("bowl", [SGD(lr=0.3), "adam"], steps=5)        # README's mix of an object and a name
    assert list(mixed.tracks) == ["sgd", "adam"] and mixed.tracks["sgd"].lr == 0.3 and mixed.tracks["adam"].lr == 0.3
    # along the shallow valley μ = 0.9 builds up speed and overshoots the minimum; μ = 0.5 is still on its way
    assert r.tracks["momentum (momentum=0.5)"].final[0] < -3        # measured −3.13
    assert r.tracks["momentum (momentum=0.9)"].final[0] > 0.5       # measured +0.96, past the minimum at 0
    for lang, want in (("en", "Momentum (lr=0.1, momentum=0.5)"), ("ja", "Momentum（学習率 0.1、momentum=0.5）")):
        labels = [line.get_label() for line in plot_landscape(r, lang).axes[0].get_lines()]
        assert want in labels
    presets = run_landscape("saddle", [AdaGrad(lr=0.1), AdaGrad.preset("note-code", lr=0.1), AdaGrad.preset("torch", lr=0.1)],
                            steps=5)
    assert presets.presets == {"adagrad (preset=note)": "note", "adagrad (preset=note-code)": "note-code",
                               "adagrad (preset=torch)": "torch"}
    assert "AdaGrad (lr=0.1, note)" in [line.get_label() for line in plot_landscape(presets).axes[0].get_lines()]
    eps = run_landscape("saddle", [AdaGrad(lr=0.1), AdaGrad(lr=0.1, eps=1.0)], steps=5)
    assert list(eps.tracks) == ["adagrad (eps=0.0001)", "adagrad (eps=1)"]
    assert [t.shown() for t in eps.tracks.values()] == [["eps=0.0001"], ["eps=1"]]


@pytest.mark.parametrize("kwargs, needle", [
    (dict(optimizers=["sgd", "sgd"]), "optimizer listed more than once: 'sgd'"),
    (dict(optimizers="sgd", lrs={"sgd": [0.1, 0.1]}), "the same SGD path twice: lr=0.1 (accepted: paths of one optimizer"),
    (dict(optimizers="sgd", lrs={"sgd": []}), "invalid lr for sgd: [] (accepted: a finite number > 0, or a list of them)"),
    (dict(optimizers="sgd", lrs={"sgd": [0.1, -1]}), "invalid lr for sgd: -1"),
    (dict(optimizers=[]), "no optimizers given"),
    (dict(optimizers="sgd", preset={"sgd": ["torch", "optax"]}, lrs={"sgd": 0.1}),
     "the same SGD path twice: lr=0.1; presets torch and optax move it alike"),
    (dict(optimizers="sgd", lrs={"sgd": [0.1 * i for i in range(1, 9)]}), "too many paths for one map: 8 (SGD 8)"),
])
def test_several_paths_bad_input_is_one_line(kwargs, needle):
    with pytest.raises(ConfigError) as e:
        run_landscape("bowl", steps=3, **kwargs)
    assert "\n" not in str(e.value) and needle in str(e.value)


def test_an_object_s_settings_are_its_own_and_a_class_is_not_an_object():
    from optimlab.optim import SGD

    with pytest.raises(ConfigError, match=re.escape("the same SGD path twice: lr=0.1")):
        run_landscape("bowl", [SGD(lr=0.1), SGD(lr=0.1)], steps=3)
    with pytest.raises(ConfigError, match=re.escape("lr given for 'sgd', which is run as an optimizer object (accepted: "
                                                    "the object's own, e.g. SGD(lr=0.5))")):
        run_landscape("bowl", [SGD(lr=0.1)], lrs={"sgd": 0.2}, steps=3)
    with pytest.raises(ConfigError, match=re.escape("preset given for 'sgd', which is run as an optimizer object")):
        run_landscape("bowl", ["adam", SGD()], preset={"sgd": "torch"}, steps=3)
    with pytest.raises(ConfigError, match=re.escape("an optimizer class, not an object: SGD (accepted: an object such "
                                                    "as SGD(lr=0.1), or the name 'sgd')")):
        run_landscape("bowl", [SGD], steps=3)


def test_a_landscape_is_not_written_into_a_compare_or_sweep_run_folder(tmp_path):
    """`landscape --out <a compare run folder>` mixed its files into the run (exit 0), and the next compare into that
    folder refused it for holding 'landscape_saddle.gif'. Refused before anything is written; other folders as before."""
    from optimlab.api import compare

    compare(dataset="digits", optimizers=["sgd"], iters=10, out=tmp_path / "run", plots=False, report=False)
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "sweep.toml").write_text("")
    for folder, what in (("run", "compare run"), ("sweep", "sweep")):
        before = sorted(p.name for p in (tmp_path / folder).iterdir())
        with pytest.raises(ConfigError, match=re.escape(f"refusing to write into '{tmp_path / folder}': it holds an "
                                                        f"optimlab {what} (accepted: a folder you can write to")):
            write_landscape(run_landscape("bowl", "sgd", steps=3), tmp_path / folder, gif=False)
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == before
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "summary.json").write_text("{}")            # someone's own summary.json: not a run
    write_landscape(run_landscape("bowl", "sgd", steps=3), tmp_path / "mine", gif=False)


def test_several_paths_from_a_teacher_s_review_none_lost_none_alike(tmp_path, capsys):
    """A teacher's review: `--lr sgd=0.1,0.5` drew SGD once (0.5 went to the other optimizers); lrs 0.1 and 0.1000001
    were one label, so one path was lost; a fourth path was drawn in the minima's yellow; a long legend shrank the
    map to a strip; `--preset adagrad=note --preset adagrad=note-code` drew only note-code; Momentum.preset('optax')
    was called torch (their values are the same)."""
    from optimlab.optim import AdaGrad, Adam, Momentum
    from optimlab.viz.colors import RUN_COLORS
    from optimlab.viz.landscape import MAX_PATHS, _colors, _fonts, _new_figure

    args = _cli(["landscape", "--optimizers", "sgd", "--lr", "sgd=0.1,0.5", "--out", str(tmp_path / "a"), "--no-gif"])
    args.func(args)
    assert [line.split()[:2] for line in capsys.readouterr().out.splitlines()[2:4]] == [["SGD", "0.1"], ["SGD", "0.5"]]
    close = run_landscape("bowl", "sgd", lrs={"sgd": [0.1, 0.1000001]}, steps=3)
    assert list(close.tracks) == ["sgd (lr=0.1)", "sgd (lr=0.1000001)"]
    same = run_landscape("bowl", [Momentum(lr=1, momentum=0.5), Momentum(lr=1.0)], steps=3)
    assert list(same.tracks) == ["momentum (momentum=0.5)", "momentum (momentum=0.9)"]    # lr 1 is lr 1.0
    seven = run_landscape("bowl", "sgd,momentum,rmsprop,adam", lrs={"sgd": [0.1, 0.5, 0.95], "adam": [0.1, 0.3]}, steps=3)
    colors = list(_colors(seven).values())
    assert len(set(colors)) == MAX_PATHS == 7 and RUN_COLORS[-1] not in colors        # no yellow, like the minima
    args = _cli(["landscape", "--function", "saddle", "--optimizers", "adagrad", "--preset", "adagrad=note",
                 "--preset", "adagrad=note-code", "--lang", "ja", "--out", str(tmp_path / "b"), "--no-gif"])
    args.func(args)
    rows = capsys.readouterr().out.splitlines()[2:4]
    assert [r.split()[0] for r in rows] == ["AdaGrad（ノートの式）", "AdaGrad（ノートのコード）"]
    assert run_landscape("bowl", [Momentum.preset("optax", lr=0.1)], steps=3).presets == {"momentum": "optax"}
    assert run_landscape("bowl", [Adam.preset("optax", lr=0.1, eps=1e-3)], steps=3).presets == {"adam": "optax"}
    args = _cli(["landscape", "--function", "saddle", "--optimizers", "adagrad", "--preset", "adagrad=note,note-code",
                 "--lr", "0.1,0.1000001", "--out", str(tmp_path / "c"), "--no-gif"])
    args.func(args)                                      # a comma list as --lr's; every preset at every lr
    rows = [re.split(r"\s{2,}", line.strip())[:2] for line in capsys.readouterr().out.splitlines()[2:6]]
    assert rows == [["AdaGrad (note)", "0.1"], ["AdaGrad (note)", "0.1000001"], ["AdaGrad (note-code)", "0.1"],
                    ["AdaGrad (note-code)", "0.1000001"]]
    assert run_landscape("bowl", [AdaGrad.preset("note-text")], steps=3).presets == {"adagrad": "note-text"}
    long = run_landscape("bowl", [Adam(lr=0.1), Adam(lr=0.1, beta1=0.5), Adam(lr=0.1, beta1=0.5, beta2=0.9),
                                  Adam(lr=0.1, beta1=0.5, beta2=0.9, eps=1e-3), AdaGrad(lr=0.5),
                                  AdaGrad.preset("note-code", lr=0.5), AdaGrad(lr=0.5, eps=1e-3)], steps=5)
    from optimlab.viz.figures import font_scale
    with font_scale(1.6), _fonts("ja"):
        fig, ax, *_ = _new_figure(long, "ja", with_steps=True)
    width = ax.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
    assert width > 6.5 * 0.95                                   # the map keeps its 6.5 inches (was about 2)


def test_an_added_optimizer_without_its_own_name_is_refused_on_a_landscape():
    """A subclass that does not set `name` inherits its parent's: it was grouped with it and failed with a KeyError."""
    from dataclasses import dataclass

    from optimlab.optim import Momentum

    @dataclass(frozen=True)
    class Heavy(Momentum):
        heavy: float = 1.0

    with pytest.raises(ConfigError, match=re.escape("Heavy has no name of its own, so it would be drawn and labelled as "
                                                    "Momentum (accepted: name = 'heavy' in the class")):
        run_landscape("bowl", [Heavy(lr=0.1), Momentum(lr=0.2)], steps=3)


def test_a_landscape_result_shows_in_one_line():
    """A notebook cell showed run_landscape's result as 17,798 characters of arrays."""
    from optimlab.viz.landscape import run_landscape

    r = run_landscape("bowl", "sgd", steps=3)
    assert repr(r) == f"LandscapeResult('bowl' from (-7, 2): sgd f {r.summary()[0]['f']:.4g} after 3 steps)"


def test_a_start_off_the_map_and_a_bare_optimizer_preset_are_said_once_and_plainly(tmp_path):
    """A review: with the start far off the map every path was also said to leave it "at step 0", and a bare
    `--preset note-code` was "unknown preset for sgd" without saying it is AdaGrad's own."""
    r = run_landscape("beale", ["sgd", "adam"], steps=5, start=(-1e12, 1e12))
    labels = [line.get_label() for line in plot_landscape(r).axes[0].get_lines()]
    assert not any("leaves the map at step 0" in s for s in labels), labels
    assert any(s.endswith("off the map") for s in labels), labels
    args = _cli(["landscape", "--preset", "note-code", "--out", str(tmp_path / "p")])
    with pytest.raises(ConfigError, match=r"^invalid --preset: 'note-code' for every optimizer \(accepted: note, torch, "
                                          r"optax for every optimizer; note-code is adagrad's own: --preset "
                                          r"adagrad=note-code\)$"):
        args.func(args)
    args = _cli(["landscape", "--optimizers", "adagrad", "--preset", "note-code", "--steps", "5", "--no-gif",
                 "--out", str(tmp_path / "a")])                 # every optimizer listed has it: fine (a review)
    assert args.func(args) == 0 and (tmp_path / "a" / "landscape_bowl.png").is_file()
    # link/.. is the folder above the link's target, as the system resolves it (a review: normpath took the link's)
    target = tmp_path / "elsewhere" / "deep"
    target.mkdir(parents=True)
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "link").symlink_to(target)
    args = _cli(["landscape", "--steps", "5", "--no-gif", "--out", str(tmp_path / "here" / "link" / "..")])
    assert args.func(args) == 0
    assert (tmp_path / "elsewhere" / "landscape_bowl.png").is_file() and not (tmp_path / "here" / "landscape_bowl.png").exists()


def test_a_rule_that_moves_nothing_and_a_string_lr_are_refused():
    """An extensibility review: a rule that rebinds w (``w = w - lr * g``) drew a path resting at its start, where
    compare and sweep refuse it; a teacher's review: lrs={"sgd": "0.1"} ran, where compare() refuses the string."""
    from dataclasses import dataclass

    from optimlab.optim import Optimizer

    @dataclass(frozen=True)
    class Rebinds(Optimizer):
        name = "rebinds"

        def rule(self, w, g, s, t):
            w = w - self.lr * g                                  # noqa: F841 - the mistake under test

    with pytest.raises(ConfigError, match=r"^Rebinds\.rule moved no weight in 20 steps with nonzero gradients"):
        run_landscape("bowl", [Rebinds(lr=0.1)])
    with pytest.raises(ConfigError, match=r"^invalid lr for sgd: '0\.1' \(accepted: a finite number > 0\)$"):
        run_landscape("bowl", "sgd", lrs={"sgd": "0.1"})
    assert run_landscape("bowl", "sgd", lrs={"sgd": 0.1}).tracks      # a number is fine


def test_each_path_has_its_runs_line_style_and_marker_as_in_every_figure():
    """A teacher's review: every landscape path was solid with round markers, so on a projector Momentum's orange and
    RMSProp's vermillion looked alike, while the README says each colour has its own style in every figure."""
    from optimlab.viz.colors import RUN_LINESTYLES, RUN_MARKERS

    fig = plot_landscape(run_landscape("saddle", steps=20))
    ax, steps_ax = fig.axes[:2]
    paths = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_label().split(" (")[0] in
             ("SGD", "Momentum", "AdaGrad", "RMSProp", "Adam")}
    assert len(paths) == 5
    from matplotlib.lines import Line2D
    want = [Line2D([], [], linestyle=s).get_linestyle() for s in RUN_LINESTYLES[:5]]
    assert [ln.get_linestyle() for ln in paths.values()] == want          # SGD solid, Momentum dashed, AdaGrad dotted …
    assert [ln.get_marker() for ln in paths.values()] == list(RUN_MARKERS[:5])
    assert [ln.get_linestyle() for ln in steps_ax.get_lines()][:5] == want   # the step sizes below, too
    many = plot_landscape(run_landscape("saddle", steps=400))              # no marker per step past 200
    assert {ln.get_marker() for ln in many.axes[0].get_lines() if ln.get_label().startswith("SGD")} == {"None"}


def test_no_path_ends_in_the_starts_black_star_with_added_optimizers():
    """A teacher's review: the first added optimizer (the seventh colour, black) took the star marker, so its path
    ended in the black star the legend calls the start."""
    from dataclasses import dataclass

    from optimlab.viz.colors import RUN_MARKERS, RUN_SYMBOLS

    assert "*" not in RUN_MARKERS and "star" not in RUN_SYMBOLS and len(set(RUN_MARKERS)) == len(RUN_MARKERS)
    from optimlab.optim import SGD

    @dataclass(frozen=True)
    class Slow(SGD):
        name = "slowsgd"

    @dataclass(frozen=True)
    class Slower(SGD):
        name = "slowersgd"

    fig = plot_landscape(run_landscape("bowl", ["momentum", Slow(lr=0.05), Slower(lr=0.02)], steps=5))
    ax = fig.axes[0]
    starts = [ln for ln in ax.get_lines() if ln.get_label().startswith("start")]
    assert len(starts) == 1 and starts[0].get_marker() == "*"
    others = [ln for ln in ax.get_lines() if ln is not starts[0] and ln.get_marker() not in ("None", "X", None)]
    assert len(others) >= 3 and all(ln.get_marker() != "*" for ln in others)


def test_a_landscape_written_again_says_it_replaced_the_earlier_files(tmp_path, capsys):
    # a student's review: compare says it replaced the run, a landscape into the same folder said nothing
    from optimlab.cli import main

    args = ["landscape", "--function", "bowl", "--optimizers", "sgd", "--steps", "5", "--no-gif", "--out",
            str(tmp_path / "ls")]
    assert main([*args, "--lang", "ja"]) == 0 and "置き換えました" not in capsys.readouterr().out
    assert main([*args, "--lang", "ja"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("（この関数の前のファイルを置き換えました。残すには --out で別のフォルダを指定）")
    assert main(args) == 0
    assert capsys.readouterr().out.rstrip().endswith("(replacing this function's earlier files; --out DIR keeps them apart)")


def test_the_notes_presets_are_named_in_japanese_in_the_legend_and_the_table():
    """A teacher's review: 「AdaGrad（学習率 0.01、note-code）」 — "note" and "note-code" unexplained on a Japanese slide.
    The data (summary rows, CSV, JSON) keep the names as written."""
    from optimlab.viz.landscape_cli import format_summary

    r = run_landscape("bowl", "adagrad,adam", preset={"adagrad": ["note", "note-code"]}, steps=5)
    ja = [t.get_text() for t in plot_landscape(r, "ja").axes[0].get_legend().get_texts()]
    assert ja[:2] == ["AdaGrad（学習率 1.5、ノートの式）", "AdaGrad（学習率 1.5、ノートのコード、1 ステップ目で図の外へ）"]
    en = [t.get_text() for t in plot_landscape(r, "en").axes[0].get_legend().get_texts()]
    assert en[:2] == ["AdaGrad (lr=1.5, note)", "AdaGrad (lr=1.5, note-code), leaves the map at step 1"]
    table = format_summary(r.summary(), "ja")
    assert "AdaGrad（ノートの式）" in table and "AdaGrad（ノートのコード）" in table
    assert [row["settings"] for row in r.summary()][:2] == [["note"], ["note-code"]]


def test_an_optimizer_given_an_lr_in_two_cases_is_refused_as_compare_refuses_it():
    """The landscape read {"SGD": 0.1, "sgd": 0.2} as the last one, silently; compare's lrs and a recipe's
    [optimizer_code] refused it. One rule (optim.by_name) for the three."""
    with pytest.raises(ConfigError, match=r"^lrs gives the optimizer 'sgd' 2 times \('SGD', 'sgd': names are read in "
                                          r"any case\) \(accepted: each optimizer once\)$"):
        run_landscape("bowl", "sgd", lrs={"SGD": 0.1, "sgd": 0.2}, steps=3)
    assert run_landscape("bowl", "sgd", lrs={"SGD": 0.1}, steps=3).tracks["sgd"].lr == 0.1
    from optimlab.cli_text import japanese_error
    assert japanese_error("lrs gives the optimizer 'sgd' 2 times ('SGD', 'sgd': names are read in any case) "
                          "(accepted: each optimizer once)").startswith("lrs に手法 'sgd' が 2 回あります")
