"""Watch the optimizers move on a 2-D surface: run, plot, animate, write.

The optimizers are the very classes training uses (:data:`optimlab.optim.OPTIMIZERS`, built by
:func:`optimlab.optim.make_optimizer`); a landscape point is just a parameter array of shape ``(2,)``
updated in place by ``opt.update(point, grad, state)``. No update rule is written here.

Default learning rates (``note`` presets, per surface; see :mod:`optimlab.viz.functions`):

========== ===== ======== ======= ======= =====  ======
surface    SGD   Momentum AdaGrad RMSProp Adam   steps
========== ===== ======== ======= ======= =====  ======
bowl       0.95  0.1      1.5     0.1     0.3    40
saddle     0.05  0.02     0.01    0.01    0.01   150
rosenbrock 2e-3  5e-4     1.0     3e-3    0.02   3000
himmelblau 0.01  2e-3     0.3     0.03    0.1    300
beale      0.03  3e-3     1.0     0.01    0.1    1000
========== ===== ======== ======= ======= =====  ======

Why: on the bowl (L = 2 along y) SGD's 0.95 lies between 1/L and 2/L, so y flips sign every step yet
stays stable; Momentum 0.1, AdaGrad 1.5 and Adam 0.3 are the values of the classic picture. AdaGrad's
``note`` preset is the note's formula, whose first step is about lr·sign(∇E) where the gradient is large;
the note's code (``preset={'adagrad': 'note-code'}``) skips accumulating at the first step, so its first
step is lr/√1e-4 = 100·lr times the gradient, and on surfaces with large gradients it is thrown off the plot
or, at a tiny lr, stalls.
On the saddle the three adaptive methods share lr 0.01 so they differ only in their accumulators.

Divergence: a run stops at the first step whose point or value is not finite or whose coordinates exceed
:data:`DIVERGENCE_BOUND`; the result records that step in ``Track.diverged_at``.
"""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from .._io import (atomic_path, atomic_paths, exclusive_lock, left_for, made_folder, mark_written, write_json,
                   write_text)
from ..errors import ConfigError, did_you_mean
from ..nn.network import machine_memory, process_memory_limit
from ..optim import OPTIMIZERS, PRESETS, Optimizer, by_name, display_name, make_optimizer, optimizer_names
from ..optim.base import field_defaults
from ..optim.checks import check_moves
from .colors import RUN_COLORS, colors_by_label, markers_by_label, styles_by_label
from .functions import SURFACES, Surface, get_surface
from .i18n import check_lang, t as i18n_text, use_font
from .notebook import inline_in_jupyter

DEFAULT_OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
PATH_COLORS = RUN_COLORS[:-1]   # the palette but yellow: faint on the light maps, and the colour of the minima's ✕
MAX_PATHS = len(PATH_COLORS)    # one colour each; more paths on one map are hard to tell apart
DIVERGENCE_BOUND = 1e12     # |x| or |y| beyond this counts as diverged
MAX_STEPS = 100_000         # 100,000 steps of five optimizers: about 25 s and a 26 MB trajectories_<function>.csv
MAX_FRAMES = 60             # animation frames (steps are subsampled beyond this)


TEXT = {
    "en": {"start": "start", "start at": "{start} ({x}, {y})", "minimum": "minimum", "saddle": "saddle point",
           "step": "step",
           "step_size": "step size ‖Δw‖", "diverged": "diverged at step {k}",
           "off map": "leaves the map at step {k}", "off map back": "leaves the map at step {k} and comes back",
           "start off map": "off the map", "never on map": "never on the map",
           "frame": "step {t} / {n}"},
    "ja": {"start": "開始点", "start at": "{start}（{x}, {y}）", "minimum": "最小点", "saddle": "鞍点",
           "step": "ステップ",
           "step_size": "ステップ幅 ‖Δw‖", "diverged": "{k} ステップ目で発散",
           "off map": "{k} ステップ目で図の外へ", "off map back": "{k} ステップ目で図の外に出て、また戻る",
           "start off map": "図の外", "never on map": "ずっと図の外",
           "frame": "ステップ {t} / {n}"},
}
SURFACE_EN = {"bowl": "elongated bowl", "saddle": "saddle point", "rosenbrock": "Rosenbrock function",
              "himmelblau": "Himmelblau's function", "beale": "Beale's function"}
SURFACE_JA = {"bowl": "細長いお椀", "saddle": "鞍点のある曲面", "rosenbrock": "Rosenbrock 関数",   # 鞍点 alone: the point
              "himmelblau": "Himmelblau 関数", "beale": "Beale 関数"}


# -- the run ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Track:
    """One optimizer's walk. ``points`` has shape ``(n + 1, 2)``: the start and one row per step taken
    (``n`` = steps, or fewer when the run diverged at step ``diverged_at``, whose point is dropped).

    ``label`` names the path: the optimizer's name, or, when one optimizer has several paths on the map, the name
    and the settings in which they differ (``'sgd (lr=0.1)'``); ``differs`` lists those settings."""

    label: str
    name: str                       # the optimizer's name (sgd, momentum …)
    optimizer: Optimizer            # the instance that moved the point
    points: np.ndarray              # (n + 1, 2)
    values: np.ndarray              # (n + 1,) f at each point
    step_sizes: np.ndarray          # (n,) ‖w_t − w_{t−1}‖
    effective_lrs: np.ndarray       # (n,) ‖w_t − w_{t−1}‖ / ‖∇f(w_{t−1})‖ (nan where the gradient is 0)
    diverged_at: int | None         # first step with a non-finite or out-of-bound point, else None
    preset: str = "note"            # the conventions it moved with
    differs: tuple[str, ...] = ()   # what tells it from the other paths of its optimizer: hyperparameters, 'preset'

    def shown(self) -> list[str]:
        """What the legend and the table show besides the lr: the preset when it is not the note's or tells this path
        from another, then the other settings that do (``momentum=0.5``). (The label writes the same as
        ``preset=torch momentum=0.5``.)"""
        shown = [self.preset] if self.preset != "note" or "preset" in self.differs else []
        shown += [f"{k}={setting_text(getattr(self.optimizer, k))}" for k in self.differs if k not in ("lr", "preset")]
        return shown

    @property
    def lr(self) -> float:
        return float(self.optimizer.lr)

    @property
    def final(self) -> np.ndarray:
        return self.points[-1]


@dataclass(frozen=True)
class LandscapeResult:
    """Trajectories of several optimizers on one surface from one start, keyed by :attr:`Track.label`."""

    surface: Surface
    start: tuple[float, float]
    steps: int
    tracks: Mapping[str, Track]

    def __repr__(self) -> str:              # the paths' arrays ran to 17,798 characters in a notebook cell
        ends = ", ".join(f"{r['label']} " + (f"diverged at step {r['diverged_at']}" if r["diverged_at"] is not None
                                             else f"f {r['f']:.4g} after {r['steps']} steps") for r in self.summary())
        return f"LandscapeResult({self.surface.name!r} from ({self.start[0]:g}, {self.start[1]:g}): {ends})"

    @property
    def trajectories(self) -> dict[str, np.ndarray]:
        return {k: t.points for k, t in self.tracks.items()}

    @property
    def presets(self) -> dict[str, str]:
        return {k: t.preset for k, t in self.tracks.items()}

    @property
    def optimizers(self) -> dict[str, Optimizer]:
        return {k: t.optimizer for k, t in self.tracks.items()}

    def config(self) -> dict[str, Any]:
        """What made this result, JSON-ready."""
        return {"function": self.surface.name, "formula": self.surface.formula, "start": list(self.start),
                "steps": self.steps,
                "optimizers": {k: {"optimizer": t.name, "preset": t.preset,
                                   "hyperparameters": t.optimizer.hyperparameters()}
                               for k, t in self.tracks.items()}}

    def summary(self) -> list[dict[str, Any]]:
        """One row per path (``label``, ``optimizer``, ``lr``, ``settings``: the preset and settings its name shows
        besides the lr): final point, final f, distance to the nearest known minimum, steps taken."""
        rows = []
        for k, t in self.tracks.items():
            x, y = (float(v) for v in t.final)
            _, dist = self.surface.nearest_minimum(t.final)
            rows.append({"label": k, "optimizer": t.name, "lr": t.lr, "settings": t.shown(), "x": x, "y": y,
                         "f": float(t.values[-1]), "distance": dist, "steps": len(t.step_sizes),
                         "diverged_at": t.diverged_at})
        return rows


def _start(start, surface: Surface) -> tuple[float, float]:
    if start is None:
        return surface.start
    try:
        xy = tuple(float(v) for v in start)
    except (TypeError, ValueError):
        raise ConfigError(f"invalid start: {start!r} (accepted: two finite numbers x, y)") from None
    if len(xy) != 2 or not all(math.isfinite(v) and abs(v) <= DIVERGENCE_BOUND for v in xy):
        raise ConfigError(f"invalid start: {start!r} (accepted: two finite numbers x, y with |x|, |y| <= "
                          f"{DIVERGENCE_BOUND:g})")
    return xy


def _steps(steps, surface: Surface, what: str = "steps") -> int:
    if steps is None:
        return surface.steps
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 < steps <= MAX_STEPS:
        raise ConfigError(f"invalid {what}: {steps!r} (accepted: an integer from 1 to {MAX_STEPS:,})")
    return int(steps)


def _lr(name: str, value) -> float:
    """``value`` as a learning rate: a finite number > 0; a string ("0.1") is refused, as compare() refuses it."""
    try:
        lr = float("nan") if isinstance(value, (str, bytes, bool, np.bool_)) else float(value)
    except (TypeError, ValueError):
        lr = float("nan")
    if not (math.isfinite(lr) and lr > 0):
        raise ConfigError(f"invalid lr for {name}: {value!r} (accepted: a finite number > 0)")
    return lr


def _per_name(kind: str, given: Mapping[str, Any] | None, names: tuple[str, ...],
              objects: Iterable[str] = ()) -> dict[str, Any]:
    if given is not None and not isinstance(given, Mapping):     # "sgd=0.1", the command line's spelling
        param, example = ("lrs", "{'sgd': 0.1} or {'sgd': [0.1, 0.5]}") if kind == "lr" else \
            ("preset", "{'adam': 'torch'}")
        raise ConfigError(f"invalid {param}: {given!r} (accepted: a dict of optimizer name to value, e.g. {example})")
    given = by_name(given or {}, "lrs" if kind == "lr" else "preset")
    for name in given:
        if name in objects and name not in names:
            example = f"{display_name(name)}(lr=0.5)" if kind == "lr" else f"{display_name(name)}.preset('torch')"
            raise ConfigError(f"{kind} given for {name!r}, which is run as an optimizer object (accepted: the object's "
                              f"own, e.g. {example})")
        if name not in names:
            raise ConfigError(f"{kind} given for {name!r}, which is not run (accepted: {', '.join(names)}"
                              f"{did_you_mean(name, names)})")
    return given


def _values(kind: str, name: str, value) -> list:
    """The values given for one optimizer: one, or a list of them (a path each)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        values = value.ravel().tolist() if isinstance(value, np.ndarray) else list(value)
        if not values:
            one = "a finite number > 0" if kind == "lr" else "a preset's name"
            raise ConfigError(f"invalid {kind} for {name}: {value!r} (accepted: {one}, or a list of them)")
        return values
    return [value]


def _preset_of(opt: Optimizer) -> str:
    """The preset an optimizer object was made with: the one :meth:`Optimizer.preset` was asked for while the object
    keeps its conventions (``Adam.preset('optax')``; torch's values are the same), else the first preset whose every
    value it has, else the first whose conventions it has (``AdaGrad(eps=1)`` is the note's), else ``'custom'``."""
    cls, names = type(opt), type(opt).preset_names()

    defaults = field_defaults(cls)

    def has(preset: str, keys) -> bool:        # every value the preset names, as the preset makes it
        made = {**defaults, **cls.preset_values(preset)}
        return all(getattr(opt, k) == made[k] for k in cls.presets.get(preset, {}) if k in keys)

    if opt.made_with_preset in names and has(opt.made_with_preset, cls.conventions):
        return opt.made_with_preset
    every = {f.name for f in fields(cls)}
    for p in names:
        if has(p, every):
            return p
    for p in names:
        if has(p, cls.conventions):
            return p
    return "custom"


def setting_text(value) -> str:
    """A setting as labels and tables show it: ``:g`` when that is exact (0.1, 1e-07, 1 for 1.0), else in full
    (0.1000001), so that two values never look alike."""
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
        short = f"{float(value):g}"
        return short if float(short) == float(value) else repr(float(value))
    return str(value)


def _shown_settings(opt: Optimizer) -> dict[str, str]:
    return {k: setting_text(v) for k, v in opt.hyperparameters().items()}


def _differs(group: list[tuple[Optimizer, str]]) -> tuple[str, ...]:
    """The settings in which the paths of one optimizer (``(object, preset)`` each) differ: ``'preset'`` when their
    presets do, and each hyperparameter whose values do — except one whose every value is what its path's preset
    gives (AdaGrad note-code's eps 0 beside the note's 1e-4: the preset says it)."""
    if len(group) < 2:
        return ()
    cls = type(group[0][0])
    defaults = field_defaults(cls)
    settings = [(_shown_settings(o), p) for o, p in group]
    by_preset = len({p for _, p in settings}) > 1
    differs = ["preset"] if by_preset else []
    for k in dict.fromkeys(k for h, _ in settings for k in h):
        if len({h.get(k) for h, _ in settings}) < 2:
            continue
        from_preset = by_preset and all(h.get(k) == setting_text(cls.preset_values(p).get(k, defaults.get(k)))
                                        for h, p in settings)
        if not from_preset:
            differs.append(k)
    return tuple(differs)


def setting_labels(items: list[tuple[str, Optimizer, str]], what: str = "path") -> list[tuple[str, tuple[str, ...]]]:
    """``(label, differs)`` for each ``(name, object, preset)`` in ``items``: an optimizer with one path is labelled
    by its name, one with several by the settings in which they differ (``sgd (lr=0.1)``); the same path twice is a
    one-line error."""
    groups: dict[str, list[int]] = {}
    for i, (name, _, _) in enumerate(items):
        groups.setdefault(name, []).append(i)
    out: list = [None] * len(items)
    for name, members in groups.items():
        seen: dict[tuple, str] = {}          # settings → preset: two presets with the same values move alike
        for i in members:
            _, opt, preset = items[i]
            key = tuple(_shown_settings(opt).items())
            if key in seen:
                shown = ", ".join(f"{k}={v}" for k, v in key)
                alike = "" if seen[key] == preset else f"; presets {seen[key]} and {preset} move it alike"
                raise ConfigError(f"the same {display_name(name)} {what} twice: {shown}{alike} (accepted: {what}s of "
                                  "one optimizer that differ in a setting)")
            seen[key] = preset
        differs = _differs([(items[i][1], items[i][2]) for i in members])
        for i in members:
            _, opt, preset = items[i]
            settings = _shown_settings(opt)
            parts = [f"preset={preset}" if k == "preset" else f"{k}={settings.get(k)}" for k in differs]
            out[i] = (f"{name} ({' '.join(parts)})" if parts else name, differs)
    return out


def _objects(given: list) -> list[Optimizer]:
    """The optimizer objects among ``given``; a class instead of an object, or an object of an added class without
    a name of its own (it would pass for the optimizer it derives from), is a one-line error."""
    for o in given:
        if isinstance(o, type) and issubclass(o, Optimizer):
            raise ConfigError(f"an optimizer class, not an object: {o.__name__} (accepted: an object such as "
                              f"{o.__name__}(lr=0.1), or the name {o.name!r})")
        if isinstance(o, Optimizer) and OPTIMIZERS.get(o.name) is not type(o) and "name" not in vars(type(o)):
            raise ConfigError(f"{type(o).__name__} has no name of its own, so it would be drawn and labelled as "
                              f"{display_name(o.name)} (accepted: name = {type(o).__name__.lower()!r} in the class, "
                              "as in README's Adding an optimizer)")
    return [o for o in given if isinstance(o, Optimizer)]


def run_landscape(function: str = "bowl", optimizers: str | Iterable[str | Optimizer] = DEFAULT_OPTIMIZERS,
                  lrs: Mapping[str, float | Iterable[float]] | None = None, steps: int | None = None,
                  start: Iterable[float] | None = None,
                  preset: str | Mapping[str, str | Iterable[str]] = "note") -> LandscapeResult:
    """Move each optimizer ``steps`` times down ``function`` from ``start``.

    ``optimizers``: names (``"sgd,adam"`` or a list), optimizer objects, each moving with its own hyperparameters
    (``[Momentum(lr=0.05, momentum=0.5), Momentum(lr=0.05)]``), or both; at most :data:`MAX_PATHS` paths.
    ``lrs`` overrides the surface's default learning rate per optimizer name, with a number or a list of them, one
    path each (``{'sgd': [0.1, 0.5, 0.95]}``); ``preset`` is one preset for all (``'note'``, ``'torch'``,
    ``'optax'``) or a mapping name → preset or list of presets (``{'adagrad': ['note', 'note-code']}``: a path each,
    at each lr; unnamed ones use ``'note'``). The result's tracks are keyed by name, or, for an optimizer with
    several paths, by name and the settings in which they differ (``'sgd (lr=0.1)'``). Bad input raises
    :class:`~optimlab.errors.ConfigError`.
    """
    surface = get_surface(function)
    given = [optimizers] if isinstance(optimizers, (str, Optimizer)) else list(optimizers)
    objects = _objects(given)
    entries = [o for g in given for o in ([g] if isinstance(g, Optimizer) else str(g).split(","))]
    names = optimizer_names([e for e in entries if not isinstance(e, Optimizer)]) if len(objects) < len(entries) or \
        not entries else ()
    xy0 = _start(start, surface)
    n_steps = _steps(steps, surface)
    of_objects = {o.name for o in objects}
    overrides = _per_name("lr", lrs, names, of_objects)
    if isinstance(preset, str):
        if not any(preset in cls.preset_names() for cls in OPTIMIZERS.values()):
            raise ConfigError(f"unknown preset: {preset!r} (accepted: {', '.join(PRESETS)}, or NAME=PRESET for one "
                              "optimizer, e.g. adagrad=note-code)")
        presets = {n: [preset] for n in names}
    else:
        named = _per_name("preset", preset, names, of_objects)
        presets = {n: [str(p) for p in _values("preset", n, named.get(n, "note"))] for n in names}
    items = []                                        # (name, object, preset), a path each, in the order given
    for e in entries:
        if isinstance(e, Optimizer):
            items.append((e.name, e, _preset_of(e)))
            continue
        name = e.strip().lower()
        default_lr = surface.lrs.get(name, OPTIMIZERS[name].lr)
        for p in presets[name]:
            for lr in _values("lr", name, overrides.get(name, default_lr)):
                items.append((name, make_optimizer(name, p, lr=_lr(name, lr)), p))
    if len(items) > MAX_PATHS:
        counts = ", ".join(f"{display_name(n)} {k}" for n, k in Counter(n for n, _, _ in items).items())
        raise ConfigError(f"too many paths for one map: {len(items)} ({counts}) (accepted: at most {MAX_PATHS}, one "
                          "colour each: fewer optimizers, lrs or presets)")
    for _, opt, _ in items:          # a rule that moves nothing (w = w - lr * g) drew a path resting at its start
        check_moves(opt)
    tracks = {}
    for (name, opt, p), (label, differs) in zip(items, setting_labels(items)):
        tracks[label] = _walk(surface, label, name, opt, xy0, n_steps, p, differs)
    return LandscapeResult(surface, xy0, n_steps, tracks)


def _walk(surface: Surface, label: str, name: str, opt: Optimizer, start: tuple[float, float], steps: int,
          preset: str = "note", differs: tuple[str, ...] = ()) -> Track:
    w = np.array(start, dtype=float)
    state = opt.init(w)
    points = [w.copy()]
    eff = []
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            g = np.array(surface.grad(w[0], w[1]), dtype=float)
            opt.update(w, g, state)
            if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > DIVERGENCE_BOUND or not np.all(np.isfinite(g)):
                diverged_at = t
                break
            gnorm = float(np.hypot(*g))
            eff.append(float(np.hypot(*(w - points[-1]))) / gnorm if gnorm > 0 else float("nan"))
            points.append(w.copy())
        pts = np.array(points)
        values = np.asarray(surface.value(pts[:, 0], pts[:, 1]), dtype=float)
    if not np.isfinite(values[-1]) and diverged_at is None:  # finite point, overflowing value
        cut = int(np.argmax(~np.isfinite(values)))
        diverged_at, pts, values, eff = cut, pts[:cut], values[:cut], eff[:cut - 1]
    sizes = np.hypot(*np.diff(pts, axis=0).T) if len(pts) > 1 else np.zeros(0)
    return Track(label, name, opt, pts, values, sizes, np.array(eff, dtype=float), diverged_at, preset, differs)


# -- drawing ----------------------------------------------------------------------------------------

@contextmanager
def _fonts(lang: str):
    """The figures' font (:func:`optimlab.viz.i18n.use_font`) inside this block only: a landscape leaves
    matplotlib's settings as it found them."""
    import matplotlib

    with matplotlib.rc_context():
        use_font(lang)
        yield


def _title(surface: Surface, lang: str) -> str:
    if lang == "ja":
        return f"{SURFACE_JA[surface.name]}（{surface.name}）：{surface.formula}"
    name = SURFACE_EN.get(surface.name, surface.name)
    return f"{name}{'' if name == surface.name else f' ({surface.name})'}: {surface.formula}"


# the note's presets in Japanese, in legends and the console's table (a teacher's review: 「AdaGrad（学習率 0.01、
# note-code）」); the frameworks' names and the data (CSV, JSON) stay as written
PRESETS_JA = {"note": "ノートの式", "note-text": "ノートの式", "note-code": "ノートのコード"}


def preset_text(setting: str, lang: str) -> str:
    """A path's setting as its legend shows it in ``lang``: a note preset's name in Japanese, anything else as is."""
    return PRESETS_JA.get(setting, setting) if lang == "ja" else setting


def _label(track: Track, lang: str, view: tuple[float, float, float, float]) -> str:
    """The legend's name for a path: optimizer, lr and a preset other than the note's (on a slide a torch or
    note-code run looked like the note's), and where it diverged or left the map (a path that runs off the drawn
    window — the map widens only so far — was drawn without a sign of it)."""
    shown = [setting_text(track.lr), *(preset_text(x, lang) for x in track.shown())]
    off = None if track.diverged_at is not None else _off_map(track.points, view)
    never = False
    if off == 0:    # a start off the map (the start's legend entry says so): where the path leaves it after coming on,
        on = _off_map(track.points, view, inside=True)   # or that it never comes on (AdaGrad from (5, 5) on the saddle
        never = on is None                               # was not drawn, and its entry said nothing: a teacher's review)
        later = None if never else _off_map(track.points[on:], view)
        off = None if later is None else on + later
    back = off is not None and _off_map(track.points[-1:], view) is None     # it ends on the map again: 「5 ステップ目
    fate = (TEXT[lang]["diverged"].format(k=track.diverged_at) if track.diverged_at is not None   # で図の外へ」 read
            else TEXT[lang]["never on map"] if never                                               # as where it ended
            else TEXT[lang]["off map back" if back else "off map"].format(k=off) if off is not None else None)
    if fate is not None and lang == "ja":      # 「SGD（学習率 1.02、25 ステップ目で図の外へ）」, not 「…）、25 …」
        return display_name(track.name) + i18n_text("lr note", lang).format(lr="、".join(shown + [fate]))
    label = display_name(track.name) + i18n_text("lr note", lang).format(lr=i18n_text("list sep", lang).join(shown))
    return label if fate is None else label + i18n_text("list sep", lang) + fate


def _colors(result: LandscapeResult) -> dict[str, str]:
    """Each path's colour, as in optimlab compare's figures and report: an optimizer's first path in its colour, its
    other paths in colours no optimizer on the map has."""
    return colors_by_label({k: t.name for k, t in result.tracks.items()}, PATH_COLORS)


def _off_map(xy: np.ndarray, view: tuple[float, float, float, float], inside: bool = False) -> int | None:
    """The first step (0 = the start) at which a path is outside ``view`` (x0, x1, y0, y1), if it ever is; with
    ``inside``, the first at which it is inside."""
    x0, x1, y0, y1 = view
    out = ~((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1))
    out = ~out if inside else out
    return int(np.argmax(out)) if out.any() else None


def _view(result: LandscapeResult, grow: float = 0.5) -> tuple[float, float, float, float]:
    """The surface's window, widened to take in the paths that leave it (Momentum overshooting on Beale was cut off),
    by at most ``grow`` of its span on each side, so a diverging path does not shrink everything else to a dot."""
    x0, x1, y0, y1 = result.surface.window
    pts = [p[np.all(np.isfinite(p), axis=1)] for p in result.trajectories.values()]
    pts = np.concatenate([p for p in pts if len(p)] or [np.zeros((0, 2))])
    if not len(pts):
        return x0, x1, y0, y1
    w, h = x1 - x0, y1 - y0
    lo = np.maximum(pts.min(axis=0), (x0 - grow * w, y0 - grow * h))
    hi = np.minimum(pts.max(axis=0), (x1 + grow * w, y1 + grow * h))
    pad_x, pad_y = 0.03 * w, 0.03 * h                 # a path at the edge is not drawn on the frame
    return (x0 if lo[0] >= x0 else lo[0] - pad_x, x1 if hi[0] <= x1 else hi[0] + pad_x,
            y0 if lo[1] >= y0 else lo[1] - pad_y, y1 if hi[1] <= y1 else hi[1] + pad_y)


def _new_figure(result: LandscapeResult, lang: str, with_steps: bool):
    """Figure with the contour map (and optionally the step-size panel), the start, minima, saddles and
    one empty line per optimizer, with a head marker for its current point; returns ``(fig, ax, lines, step_lines,
    markers)``, ``lines[k]`` a (path, head) pair."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    inline_in_jupyter()
    s, txt = result.surface, TEXT[lang]
    fs = matplotlib.rcParams["font.size"] / 10       # > 1 inside figures.font_scale: text and margins grow with it
    x0, x1, y0, y1 = _view(result)
    aspect = (y1 - y0) / (x1 - x0)
    ax_w = 6.5                                       # inches of map, legend to its right
    ax_h = ax_w * aspect
    if ax_h > 5.0:
        ax_h, ax_w = 5.0, 5.0 / aspect
    fig = Figure(figsize=(ax_w + 3.2 * fs, ax_h + 0.9 * fs + (2.0 * fs if with_steps else 0.0)), dpi=100,
                 layout="constrained")
    FigureCanvasAgg(fig)
    if with_steps:
        ax, ax2 = fig.subplots(2, 1, height_ratios=(3.2, 1.0))
    else:
        ax, ax2 = fig.subplots(), None

    gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    z = s.value(gx, gy)
    z = np.log1p(z - s.f_min) if s.log_levels else z
    ax.contourf(gx, gy, z, levels=24, cmap="Greys_r", alpha=0.35)     # grey: no path's colour is the background's
    ax.contour(gx, gy, z, levels=24, colors="0.45", linewidths=0.5)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y", aspect="equal")
    ax.set_title(_title(s, lang), fontsize=11 * fs)

    lines, colors = {}, _colors(result)
    # each colour's own line style and marker, as in every figure (a teacher's review: on a projector Momentum's
    # orange and RMSProp's vermillion, both solid with round markers, were hard to tell apart)
    styles, marks = styles_by_label(colors), markers_by_label(colors)
    per_step = result.steps <= 200                   # beyond, the markers of the last path drawn hide the others
    for k, t in result.tracks.items():
        # a path that leaves the map or diverges goes under the others: SGD at lr 1.02 on the bowl, its late
        # swings a solid bar across the minimum, hid where lr 0.95 ended
        escapes = t.diverged_at is not None or _off_map(t.points, (x0, x1, y0, y1)) is not None
        (path,) = ax.plot([], [], marker=marks[k] if per_step else None, linestyle=styles[k], color=colors[k], lw=1.4,
                          ms=3.2, alpha=PATH_ALPHA, label=_label(t, lang, (x0, x1, y0, y1)),
                          zorder=2.5 if escapes else 3)
        # where the point is now: in a GIF frame, or at the end of a path drawn without a marker per step
        # in the run's own marker: every end point was the same black-rimmed circle, told apart by its fill alone
        # (an accessibility review: in grey, or under deuteranopia, AdaGrad's and Adam's ends looked alike)
        (head,) = ax.plot([], [], marker=marks[k], ls="none", color=colors[k], ms=8.5, mec="black", mew=0.8,
                          zorder=4.5)                                                    # over the ✕ it reached
        lines[k] = (path, head)
    # the start's coordinates in the legend: the saddle's (−1.5, 0.001) looks like y = 0 on the map
    # with the minus sign the axes' numbers have (the hyphen of "(-7, 2)" beside the axes' "−8": a teacher's review)
    x, y = (f"{v:g}".replace("-", "\N{MINUS SIGN}") for v in result.start)
    markers = ax.plot(*result.start, marker="*", ms=15, color="black", ls="none", zorder=4,
                      label=txt["start at"].format(start=txt["start"], x=x, y=y)
                      + ("" if _off_map(np.array([result.start]), (x0, x1, y0, y1)) is None
                         else i18n_text("list sep", lang) + txt["start off map"]))
    mins = np.array(s.minima)
    markers += ax.plot(mins[:, 0], mins[:, 1], marker="X", ms=11, color="gold", mec="black", ls="none",
                       label=txt["minimum"], zorder=4)
    if s.saddles:
        sad = np.array(s.saddles)
        markers += ax.plot(sad[:, 0], sad[:, 1], marker="D", ms=8, mfc="white", mec="black", ls="none",
                           label=txt["saddle"], zorder=4)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9 * fs, framealpha=0.95, borderaxespad=0)

    step_lines = {}
    if ax2 is not None:
        for k, t in result.tracks.items():
            (step_lines[k],) = ax2.plot([], [], color=colors[k], lw=1.3, linestyle=styles[k],   # one step: a dot
                                        marker="o" if result.steps < 3 else None, ms=3)
        sizes = np.concatenate([t.step_sizes for t in result.tracks.values()] + [np.zeros(0)])
        sizes = sizes[np.isfinite(sizes) & (sizes > 0)]
        ax2.set(xlim=(0, result.steps), xlabel=txt["step"], ylabel=txt["step_size"], yscale="log")
        if sizes.size:
            # from 1e-300 at least: a subnormal step (1e-323 at 100,000 steps on the saddle) halved is 0, which a
            # log axis refuses with a two-line warning
            ax2.set_ylim(max(sizes.min(), 1e-300) / 2, sizes.max() * 2)
        else:                                        # every run diverged at its first step: nothing to show
            ax2.set_ylim(0.1, 10.0)
        ax2.grid(True, which="major", alpha=0.3)
    _grow_to_fit(fig, ax, ax_w)  # a long legend (Beale's, Japanese Rosenbrock's) reached past the canvas at 1× too
    return fig, ax, lines, step_lines, markers


def _grow_to_fit(fig, ax, map_width: float, tries: int = 6) -> None:
    """Grow ``fig`` until its title, labels and legend lie inside it and the map ``ax`` keeps ``map_width`` inches:
    scaled text can reach past the canvas (the title, centred on the map, did at 3×; Beale's legend by 16 px at 1×),
    which the PNG's tight box would fix but the GIF's fixed frames not, and a long legend (eight Adam and AdaGrad
    settings in Japanese at 1.6×) took its width from the map, drawn a sixth of the figure's height."""
    for _ in range(tries):
        fig.draw_without_rendering()                # the layout, without rasterizing the contours
        renderer = fig.canvas.get_renderer()
        box = fig.get_tightbbox(renderer)                               # inches
        w, h = fig.get_size_inches()
        over_w = max(0.0, -box.x0) + max(0.0, box.x1 - w)
        over_h = max(0.0, -box.y0) + max(0.0, box.y1 - h)
        map_box = ax.get_window_extent(renderer)
        short = max(0.0, map_width - map_box.width / fig.dpi)          # the map squeezed by the legend
        if over_w < 0.02 and over_h < 0.02 and short < 0.05 * map_width:
            return
        fig.set_size_inches(w + 2 * over_w + short, h + 2 * over_h)   # its cell keeps its height: wider is enough


def _show_until(result: LandscapeResult, lines, step_lines, upto: int) -> None:
    for k, t in result.tracks.items():
        n = min(upto, len(t.points) - 1)
        path, head = lines[k]
        path.set_data(t.points[: n + 1, 0], t.points[: n + 1, 1])
        head.set_data(t.points[n : n + 1, 0], t.points[n : n + 1, 1])
        if k in step_lines:
            step_lines[k].set_data(np.arange(1, n + 1), t.step_sizes[:n])


def plot_landscape(result: LandscapeResult, lang: str = "en", *, show_steps: bool = True):
    """A :class:`matplotlib.figure.Figure`: contours, each optimizer's path (a marker per step), the start,
    the known minima (and saddle points), a legend; below, the step size ‖Δw‖ per step (``show_steps``)."""
    with _fonts(lang):
        fig, _, lines, step_lines, _ = _new_figure(result, lang, show_steps)
        _show_until(result, lines, step_lines, result.steps)
        fig.canvas.draw()  # lay out with the Japanese font while it is active
    return fig


def _frame_steps(steps: int, max_frames: int) -> list[int]:
    """The steps the animation shows: every one when they fit in ``max_frames``, else ``max_frames`` of them
    spaced as i² — dense at the start, where the paths change most (evenly spaced, Rosenbrock's 3000 steps began
    at step 51, after AdaGrad's big first jumps), and every ~100 steps by the end."""
    n = max(2, min(steps + 1, max_frames))
    if steps + 1 <= n:
        return list(range(steps + 1))
    t = [0]
    for i in range(1, n):
        t.append(max(t[-1] + 1, round(steps * (i / (n - 1)) ** 2)))
    t[-1] = steps
    for i in range(n - 2, -1, -1):         # distinct and never past the last step
        t[i] = min(t[i], t[i + 1] - 1)
    return t


def _frames(result: LandscapeResult, lang: str, steps: list[int], dpi: int, bytes_per_pixel: float = 3.0):
    """Yield an RGB frame (a PIL image) of the paths up to each of ``steps`` (:func:`_frame_steps`), in that order.
    The contours are drawn once; each frame restores them and redraws only the paths, the markers and the step
    counter (blitting). Before the first, a :class:`ConfigError` if the distinct frames at ``bytes_per_pixel``
    (what the caller keeps of each) would not fit in this machine's memory: a GIF at --dpi 600 --font-scale 3 took
    10.7 GB in a review and ended in a MemoryError traceback (or the out-of-memory killer)."""
    from PIL import Image

    fig, ax, lines, _, markers = _new_figure(result, lang, with_steps=False)
    # top left, near where the paths start (a GIF frame stores the box around what changed: a counter far from the
    # paths made every frame three times larger) — or bottom left when the start itself is there (the bowl's)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    sx, sy = (result.start[0] - x0) / (x1 - x0), (result.start[1] - y0) / (y1 - y0)
    top = not (sx < 0.3 and sy > 0.75)
    counter = ax.text(0.015, 0.97 if top else 0.03, "", transform=ax.transAxes, ha="left", va="top" if top else "bottom",
                      fontsize=ax.title.get_fontsize(), zorder=5,    # the title's size, scaled as it is
                      bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
    fig.set_dpi(dpi)
    canvas = fig.canvas
    w, h = canvas.get_width_height()
    n = len(set(steps))                      # the GIF's palette asks for its last frame first, then for all
    need = n * w * h * bytes_per_pixel
    have, limit = machine_memory(), process_memory_limit()      # one process draws it: its limit counts too
    where = "this machine has" if limit is None or (have is not None and have <= limit) else \
        "this process may use (its memory limit)"
    have = limit if have is None else have if limit is None else min(have, limit)
    if have is not None and need > have:                    # None: pillow's MemoryError decides
        raise ConfigError(f"the animation's {n} frames of {w}×{h} pixels need about {need / 2**30:.3g} GiB, "
                          f"{where} {have / 2**30:.3g} GiB (accepted: a lower dpi or font scale, or no "
                          "GIF: --no-gif)")
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    for t in steps:
        canvas.restore_region(background)
        _show_until(result, lines, {}, t)
        counter.set_text(TEXT[lang]["frame"].format(t=t, n=result.steps))
        # in z-order, as a whole draw does: the heads over the minimum's ✕ they reached (drawn in list order, the ✕
        # hid every head that had arrived, in each GIF's last frame — a teacher's review)
        for artist in sorted((*(a for pair in lines.values() for a in pair), *markers, counter), key=lambda a: a.zorder):
            ax.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba())
        yield Image.fromarray(rgba[..., :3].copy(), "RGB")


PATH_ALPHA = 0.85     # the paths' opacity over the grey map


def gif_palette(frames: list, colors: list[str]):
    """A GIF palette (a PIL "P" image) for ``frames`` that keeps every path's colour: each colour as it looks at
    :data:`PATH_ALPHA` over 8 greys of the map, and pure, before 256 median-cut colours of the last frame (which
    has every colour). Median cut alone merged small paths into their neighbours' colours (RMSProp's vermillion
    came out as Momentum's orange on Rosenbrock)."""
    from PIL import Image, ImageColor

    lum = np.asarray(frames[0].convert("L"), dtype=float)
    fixed = [(0, 0, 0), (255, 255, 255), ImageColor.getrgb("gold")]
    for c in dict.fromkeys(colors):
        rgb = np.asarray(ImageColor.getrgb(c), dtype=float)
        fixed.append(tuple(int(v) for v in rgb))
        for g in np.linspace(lum.min(), lum.max(), 8):
            fixed.append(tuple(int(round(v)) for v in PATH_ALPHA * rgb + (1 - PATH_ALPHA) * g))
    fixed = list(dict.fromkeys(fixed))[:128]
    rest = frames[-1].quantize(colors=256 - len(fixed), method=Image.Quantize.MEDIANCUT).getpalette()
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for c in fixed for v in c] + rest[:3 * (256 - len(fixed))])
    return palette


def animate_landscape(result: LandscapeResult, path, lang: str = "en", *, max_frames: int = MAX_FRAMES,
                      frame_ms: int = 120, dpi: int = 72, fmt: str | None = None) -> Path:
    """Write the paths growing step by step as an animated GIF (pillow) or, for a ``.mp4`` path, an MP4
    (needs ``ffmpeg`` on PATH). At most ``max_frames`` frames; the last one is held for 2 s. ``fmt``
    (``'gif'`` or ``'mp4'``) overrides the format the path's suffix gives (e.g. for a temporary file)."""
    path = Path(path)
    suffix = f".{fmt.lower()}" if fmt else path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ConfigError(f"unknown animation format: {path.name!r} (accepted: .gif, .mp4)")
    if suffix == ".mp4" and shutil.which("ffmpeg") is None:
        raise ConfigError(f"cannot write {path.name!r}: ffmpeg is not on PATH (accepted: a .gif path)")
    if max_frames < 2:
        raise ConfigError(f"invalid max_frames: {max_frames!r} (accepted: an integer >= 2)")
    steps = _frame_steps(result.steps, max_frames)
    if suffix == ".mp4":
        with _fonts(lang):
            frames = list(_frames(result, lang, steps, dpi, bytes_per_pixel=6))    # estimated, not measured (no
                                                                                   # ffmpeg here): RGB frames, joined
        _write_mp4(frames, path, fps=max(1, round(1000 / frame_ms)))
        return path
    from PIL import Image

    with _fonts(lang):
        # the palette needs the first and the last frame; then each frame is kept only as its palette indices (a
        # byte a pixel): all RGB frames kept until the end took 6.7 bytes a pixel of the GIF (2.76 GB at --dpi 300
        # --font-scale 3 on Rosenbrock), this way 3.0 (1.23 GB)
        frames = _frames(result, lang, [steps[-1], *steps], dpi)
        last, first = next(frames), next(frames)
        palette = gif_palette([first, last], list(_colors(result).values()))
        del last
        pal = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in itertools.chain([first], frames)]
    del first
    durations = [frame_ms] * (len(pal) - 1) + [2000]
    with atomic_path(path) as tmp:
        pal[0].save(tmp, format="GIF", save_all=True, append_images=pal[1:], duration=durations, loop=0,
                    optimize=False, disposal=1)
    return path


def _write_mp4(frames, path: Path, fps: int) -> None:
    w, h = frames[0].size
    w2, h2 = w - w % 2, h - h % 2  # yuv420p needs even sizes
    with atomic_path(path) as tmp:
        cmd = ["ffmpeg", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w2}x{h2}",
               "-r", str(fps), "-i", "-", "-pix_fmt", "yuv420p", "-vcodec", "libx264", "-f", "mp4", str(tmp)]
        data = b"".join(f.crop((0, 0, w2, h2)).tobytes() for f in frames + [frames[-1]] * (2 * fps))
        proc = subprocess.run(cmd, input=data, capture_output=True)
        if proc.returncode != 0:
            raise OSError(f"ffmpeg failed: {proc.stderr.decode(errors='replace').strip()}")


# -- files ------------------------------------------------------------------------------------------

def trajectories_csv(result: LandscapeResult) -> str:
    """Long format: one row per path and step, ``optimizer,step,x,y,f``, where ``optimizer`` is the path's label
    (``sgd``, or ``sgd (lr=0.5)`` when SGD has several paths)."""
    rows = ["optimizer,step,x,y,f"]
    for k, t in result.tracks.items():
        for i, ((x, y), f) in enumerate(zip(t.points, t.values)):
            rows.append(f"{k},{i},{float(x)!r},{float(y)!r},{float(f)!r}")
    return "\n".join(rows) + "\n"


LANDSCAPE_ACCEPTED = ("a folder you can write to, new or existing, other than a compare or sweep run's; only the "
                      "landscape's own files are replaced")


def _run_folder(path: Path) -> str | None:
    """Why a landscape may not write into ``path``: it holds an optimlab compare or sweep run, which a later
    compare or sweep into it replaces as a whole (the landscape's files mixed in made that compare refuse it)."""
    if (path / "sweep.toml").is_file():
        return "it holds an optimlab sweep"
    if (path / "summary.json").is_file() and (path / "metrics.csv").is_file():
        return "it holds an optimlab compare run"
    return None


def check_landscape_dir(out_dir) -> Path:
    """Raise a one-line ConfigError unless ``out_dir`` is (or can become) a folder we can write files into.

    Other files in it are left alone: a landscape writes only ``landscape_<function>.png``/``.gif``,
    ``trajectories_<function>.csv`` and ``landscape_<function>.json``, so several functions can share a folder; a
    compare or sweep run's folder is refused."""
    from ..results.store import check_output_dir

    return check_output_dir(out_dir, foreign=_run_folder, accepted=LANDSCAPE_ACCEPTED, replace=False)


def landscape_files(out: Path, function: str) -> dict[str, Path]:
    """The four files a landscape of ``function`` writes into ``out``: ``png``, ``csv``, ``json`` and ``gif``."""
    stem = f"landscape_{function}"
    return {"png": out / f"{stem}.png", "csv": out / f"trajectories_{function}.csv", "json": out / f"{stem}.json",
            "gif": out / f"{stem}.gif"}


def check_landscape_files(out: Path, function: str) -> None:
    """A one-line ConfigError when ``out`` holds a file of a landscape of ``function``'s names that optimlab did not
    write: its ``landscape_<function>.json`` beside, of that function, is what marks the four files as a landscape's
    (a review: a user's landscape_bowl.png and trajectories_bowl.csv were replaced without a word, where compare,
    sweep and report keep what they did not write)."""
    paths = landscape_files(out, function)
    there = [p for p in paths.values() if p.is_symlink() or p.exists() and not p.is_dir()]  # a FIFO too (a review)
    if not there:
        return
    from ..results.store import small_json      # a regular file, not too large (a FIFO would hang the read)

    doc = small_json(paths["json"])
    ours = isinstance(doc, dict) and isinstance(doc.get("config"), dict) and doc["config"].get("function") == \
        function and all(p.is_file() and not p.is_symlink() for p in there)
    if not ours:
        shown = ", ".join(repr(str(p)) for p in there)         # all of them: one at a time took as many runs
        raise ConfigError(f"refusing to replace {shown}: not files optimlab landscape wrote (no {paths['json'].name} "
                          f"of a {function} landscape beside them) (accepted: --out another folder, or move them "
                          "away)")


def write_landscape(result: LandscapeResult, out_dir, lang: str = "en", *, gif: bool = True,
                    max_frames: int = MAX_FRAMES, dpi: int = 100, font_scale: float = 1.0) -> dict[str, Path]:
    """Write ``landscape_<function>.png``, ``landscape_<function>.gif`` (unless ``gif=False``),
    ``trajectories_<function>.csv`` and ``landscape_<function>.json`` (config and summary) into ``out_dir``.

    All or nothing: each file is written to a temporary file beside its name, and only when every one is
    complete are they renamed into place together (:func:`optimlab._io.atomic_paths`: replacing files of the same
    names, all or none; nothing else in ``out_dir`` is touched). A failure leaves no new file or folder behind and
    the old files as they were; a folder with one of the names is refused before anything is written. With ``gif=False`` a GIF of
    the same function left by an earlier run is removed with the rest replaced: it showed other paths than the new
    PNG. ``dpi``: the PNG's resolution (the GIF's is 72 % of it); ``font_scale``: the text of both, 1 to 3 × the
    default, the figure grown to hold it (e.g. 1.6 for slides; :func:`optimlab.viz.figures.font_scale`)."""
    from .figures import check_dpi, check_font_scale

    check_lang(lang)
    dpi = check_dpi(dpi)
    scale = check_font_scale(font_scale)
    out = check_landscape_dir(out_dir)
    stem = f"landscape_{result.surface.name}"
    paths = landscape_files(out, result.surface.name)
    for p in paths.values():
        if p.is_dir() and not p.is_symlink():
            raise ConfigError(f"cannot write {str(p)!r}: a folder has its name (accepted: remove or rename it, or "
                              "--out another folder)")
    stale = None if gif else paths.pop("gif")

    def busy(who: str) -> ConfigError:
        return ConfigError(f"{out / stem}.* are being written by another optimlab landscape ({who}) (accepted: wait "
                           "until it ends, or --out another folder)")

    # one landscape of a function at a time into a folder (two at once left one's PNG beside the other's CSV and
    # JSON, a review), and what a killed one left of these four files (their temporaries, nothing else) removed
    with made_folder(out), exclusive_lock(out / f".{stem}.optimlab-lock", busy):
        check_landscape_files(out, result.surface.name)        # under the lock: another landscape may have written
        names = {p.name for p in landscape_files(out, result.surface.name).values()}    # the GIF's too, if not drawn
        for left in out.glob(".*"):
            if left_for(left.name) in names and left.is_file():
                left.unlink(missing_ok=True)
        try:
            _write_landscape_files(result, paths, lang, gif, max_frames, dpi, scale)
        except KeyboardInterrupt as e:  # it came as the files were put in place, and waited for them
            if mark_written(e, list(paths.values())) and stale is not None:
                stale.unlink(missing_ok=True)
            raise
        if stale is not None and stale.is_file():      # under the lock: another landscape's new GIF is not lost
            stale.unlink()
    return paths


def _write_landscape_files(result: LandscapeResult, paths: dict[str, Path], lang: str, gif: bool, max_frames: int,
                           dpi: int, scale: float) -> None:
    from .figures import font_scale as scaled_text
    from .figures import png_options

    with atomic_paths(list(paths.values())) as tmps, scaled_text(scale):   # all renamed, or none
        tmp = dict(zip(paths, tmps))
        fig = plot_landscape(result, lang)
        with _fonts(lang):
            fig.savefig(tmp["png"], **png_options(dpi))
        if gif:
            animate_landscape(result, tmp["gif"], lang, max_frames=max_frames, fmt="gif", dpi=round(dpi * 0.72))
        write_text(tmp["csv"], trajectories_csv(result))
        write_json(tmp["json"], {"config": result.config(), "summary": result.summary()})


__all__ = ["DEFAULT_OPTIMIZERS", "SURFACES", "LandscapeResult", "Track", "run_landscape", "plot_landscape",
           "animate_landscape", "write_landscape", "trajectories_csv"]
