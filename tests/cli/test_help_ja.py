"""``--help --lang ja``: every command's help in Japanese, wrapped by display width."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from optimlab.cli import _subparsers, build_parser, main
from optimlab.cli_help import HELP_JA, display_width, missing, wrap

COMMANDS = [[], ["compare"], ["sweep"], ["landscape"], ["report"], ["data"], ["data", "list"], ["data", "fetch"],
            ["data", "verify"]]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """argparse wraps at the terminal's width (COLUMNS, else the real terminal's): the tests that look for a phrase
    must not find it broken across two lines in a narrow pane; those that test the wrapping set their own."""
    monkeypatch.setenv("COLUMNS", "200")


def _help(argv) -> int:
    """main() on a --help line: argparse ends it with SystemExit, which the ``optimlab`` command turns into its status."""
    with pytest.raises(SystemExit) as e:
        main(argv)
    return e.value.code


def _parsers(parser, words=""):
    yield words, parser
    for name, sub in _subparsers(parser).items():
        yield from _parsers(sub, f"{words} {name}".strip())


def test_every_option_and_command_has_its_japanese_help():
    assert missing(build_parser("en")) == []


def test_no_japanese_help_is_for_an_option_that_is_gone():
    """A renamed option keeps no stale entry (it would hide that the new name has none)."""
    parsers = dict(_parsers(build_parser("en")))
    assert set(HELP_JA) == set(parsers)
    for words, entries in HELP_JA.items():
        p = parsers[words]
        names = {"description"} | {o for a in p._actions for o in a.option_strings} \
            | {a.dest for a in p._actions if not a.option_strings} | set(_subparsers(p))
        assert set(entries) <= names, (words, set(entries) - names)


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "optimlab")
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_help_is_japanese_and_fits_the_terminal(words, columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(columns))
    english = build_parser("en")
    for w in words:
        english = _subparsers(english)[w]
    assert _help(words + ["--help", "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"使い方: optimlab {' '.join(words)}".rstrip())
    assert "オプション:" in out and "このヘルプを表示して終了します" in out
    assert "usage:" not in out and "show this help message" not in out and "options:" not in out
    japanese = build_parser("ja")
    for w in words:
        japanese = _subparsers(japanese)[w]
    for en, ja in zip(english._actions, japanese._actions):      # no English help line is left
        if en.help and not isinstance(en, argparse._SubParsersAction):
            assert ja.help != en.help and any(ord(c) > 0x3000 for c in ja.help), en.help
    for line in out.splitlines():
        # a line over the width is one word, or a group of exclusive options, that argparse does not break (in its
        # English help too)
        whole = " " not in line.strip() or line.strip().startswith("[") and line.count("[") == 1 and " | " in line
        assert display_width(line) <= columns - 2 or whole, line


def test_the_usage_lines_stay_aligned_under_the_longer_prefix(monkeypatch, capsys):
    """使い方: is one column wider than usage:, and the usage's continuation lines are moved with it."""
    monkeypatch.setenv("COLUMNS", "80")
    _help(["compare", "-h", "--lang=ja"])
    lines = capsys.readouterr().out.split("\n\n")[0].splitlines()
    assert len(lines) > 2
    start = display_width("使い方: optimlab compare ")
    for line in lines[1:]:
        assert display_width(line) - display_width(line.lstrip()) == start, line


def test_lang_anywhere_on_the_line_and_as_typed_with_an_input_method(capsys):
    _help(["--help", "--lang", "ja"])
    top = capsys.readouterr().out
    assert "ノートの最適化手法の比較" in top and "位置引数:" in top
    _help(["sweep", "--lang", "日本語", "-h"])
    assert "学習率" in capsys.readouterr().out


def test_values_argparse_fills_in_are_filled(capsys):
    _help(["data", "fetch", "--help", "--lang", "ja"])
    out = capsys.readouterr().out
    assert "%(default)" not in out and "（既定 " in out
    _help(["landscape", "--help", "--lang", "ja"])
    out = capsys.readouterr().out
    assert "{functions}" not in out and "{optimizers}" not in out and "rosenbrock" in out and "100,000 まで" in out and "72%" in out and "%%" not in out


def test_without_lang_the_help_is_english(capsys):
    _help(["compare", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: optimlab compare") and "show this help message and exit" in out
    assert not any(ord(c) > 0x3000 for c in out)


def test_the_japanese_help_lists_a_plugins_optimizer(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "my_optims.py").write_text(
        "from dataclasses import dataclass\nfrom optimlab.optim import Optimizer\n\n\n@dataclass(frozen=True)\n"
        "class Sign(Optimizer):\n    name = 'signsgd'\n    lr: float = 0.01\n\n"
        "    def rule(self, w, g, s, t):\n        w -= self.lr * (g > 0) - self.lr * (g < 0)\n", encoding="utf-8")
    env = {**os.environ, "OPTIMLAB_PLUGINS": "my_optims.py", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "optimlab", "compare", "--help", "--lang", "ja"], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert "使う最適化手法をカンマ区切りで：sgd,momentum,adagrad,rmsprop,adam,signsgd（" in done.stdout


@pytest.mark.parametrize("width", [10, 20, 37])
def test_wrap_keeps_width_and_japanese_line_breaking_rules(width):
    text = ("使う最適化手法をカンマ区切りで：sgd,momentum,adagrad,rmsprop,adam（それぞれのレシピの実行をすべて行います。"
            "adam は Adam + BatchNorm も含み、--batchnorm off で外れます）")
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert display_width(line) <= width or " " not in line and not any(ord(c) > 0x2000 for c in line)
        assert line[0] not in "、。）：" and line[-1] not in "（"
        assert line == line.strip()


@pytest.mark.parametrize("text, width, bad", [
    ("次にキャッシュ）の中", 11, "ュ"),                  # a small kana does not start a line
    ("optimlab sweep のフォルダ（summary.json）", 20, "ォ"),
    ("GIF はその 72 % です", 13, "%"),                # nor a percent sign, the number going down with it
])
def test_wrap_keeps_small_kana_and_percent_with_what_is_before(text, width, bad):
    lines = wrap(text, width)
    assert len(lines) > 1 and not any(line.startswith(bad) for line in lines), lines


def test_wrap_keeps_a_placeholder_folder_whole():
    for width in range(14, 40):
        assert any("runs/<レシピ名>" in line for line in wrap("出力フォルダ（既定 runs/<レシピ名>）", width)), width


@pytest.mark.parametrize("argv", [["--lang", "ja", "--help"], ["--lang", "ja", "-h"], ["--lang=ja", "--help"],
                                  ["--lang", "ja", "compare", "--help"], ["compare", "-h", "--lang", "en", "--lang", "ja"],
                                  ["--lang", "ja", "compare", "--help", "--lang=ja"]])
def test_help_in_japanese_whatever_the_order(argv, capsys):
    """A student's `optimlab --lang ja --help` was the error "--lang goes after the command"; and with --lang given
    twice the help followed the first while argparse took the last."""
    assert _help(argv) == 0
    assert capsys.readouterr().out.startswith("使い方: optimlab")


@pytest.mark.parametrize("argv, usage", [(["--lang", "-h", "compare"], "usage: optimlab [-h]"),
                                         (["--lang", "--help"], "usage: optimlab [-h]"),
                                         (["--lang", "compare", "--help"], "usage: optimlab compare")])
def test_a_lang_without_its_value_takes_nothing_after_it(argv, usage, capsys, tmp_path, monkeypatch):
    """A review: `optimlab --lang -h compare` took -h for --lang's value, dropped both and trained the comparison."""
    monkeypatch.chdir(tmp_path)             # where that comparison would write runs/note
    assert _help(argv) == 0
    assert capsys.readouterr().out.startswith(usage)


def test_lang_before_the_command_is_still_an_error_without_help(capsys):
    assert main(["--lang", "ja", "compare"]) == 2
    assert "--lang はコマンドの後に書いてください" in capsys.readouterr().err


def test_the_help_uses_the_words_of_readme_ja():
    """One word for one thing, as README.ja.md says it (a student read 検証 in `data`'s line as validation data)."""
    readme = (Path(__file__).resolve().parents[2] / "README.ja.md").read_text(encoding="utf-8")
    text = "".join(v for entries in HELP_JA.values() for v in entries.values())
    for ours, theirs in [("グリッド", "格子"), ("進捗バー", "進み具合"), ("バッチサイズ", "ミニバッチの大きさ")]:
        assert theirs not in text
    assert "グリッド" in readme and "進捗バー" in readme and "バッチサイズ" in readme
    assert "検証" not in HELP_JA[""]["data"] and "照合" in HELP_JA[""]["data"]


def test_a_missing_name_says_what_to_type(capsys):
    """`data fetch` without a dataset (and `report` without a folder) said only argparse's words, and under --lang ja
    the Japanese line pointed to the English one."""
    assert main(["data", "fetch", "--lang", "ja"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "optimlab: エラー：データセットの名前を指定してください（例：optimlab data fetch mnist）",
        "optimlab: error: the following arguments are required: name (accepted: mnist, fashion-mnist; e.g. optimlab "
        "data fetch mnist)"]
    assert main(["report"]) == 2
    assert capsys.readouterr().err == ("optimlab: error: the following arguments are required: RUN_DIR (accepted: "
                                       "e.g. optimlab report runs/note)\n")
    assert main(["report", "--lang", "ja"]) == 2       # the variable's name said as what it is (a Japanese review)
    assert capsys.readouterr().err.splitlines()[0] == ("optimlab: エラー：結果のフォルダ（RUN_DIR）を指定してください"
                                                       "（例：optimlab report runs/note）")
    assert main(["data"]) == 2              # a command's missing command is named so, not {list,fetch,verify}
    assert capsys.readouterr().err == ("optimlab: error: the following arguments are required: command (accepted: "
                                       "list, fetch, verify; e.g. optimlab data list)\n")
