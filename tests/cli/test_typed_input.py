"""What a Japanese student types (a review typed it): full-width options read as meant, typos answered with the
closest name, and under --lang ja a Japanese line before each error."""

import json

import pytest

from optimlab import cli
from optimlab.cli import main
from optimlab.cli_text import half_width, japanese_error, lang_of

SMALL = ["--dataset", "digits", "--iters", "20", "--eval-interval", "10", "--no-plots", "--no-report", "--no-progress"]


@pytest.mark.parametrize("typed, read", [
    (["--lr", "０．０１"], ["--lr", "0.01"]),                    # every one of these was refused
    (["--lr", "0。01"], ["--lr", "0.01"]),
    (["--lr", "adam＝0.001"], ["--lr", "adam=0.001"]),
    (["--optimizers", "sgd，adam"], ["--optimizers", "sgd,adam"]),
    (["--optimizers", "sgd、adam"], ["--optimizers", "sgd,adam"]),
    (["--seeds", "0〜4"], ["--seeds", "0-4"]),                 # as README.ja writes a range
    (["--seeds", "0～4"], ["--seeds", "0-4"]),
    (["--seeds", "0ー4"], ["--seeds", "0-4"]),
    (["--seeds", "０－４"], ["--seeds", "0-4"]),
    (["--lang\u3000ja"], ["--lang", "ja"]),                    # an ideographic space: one word that looked like two
    (["—lang", "ja"], ["--lang", "ja"]),                       # a slide's autocorrected '--'
    (["－－ｌａｎｇ", "ｊａ"], ["--lang", "ja"]),
    (["--lang", "JP"], ["--lang", "ja"]),
    (["--lang", "日本語"], ["--lang", "ja"]),
    (["--activation", "ReLU"], ["--activation", "relu"]),
    (["--batchnorm", "yes"], ["--batchnorm", "on"]),
    (["--no-plots", "--lang", "ja"], ["--no-plots", "--lang", "ja"]),
    (["--start", "-1.2,1"], ["--start", "-1.2,1"]),
    (["--out", "実験\u3000１"], ["--out", "実験\u3000１"]),       # a folder's name is as typed
    (["--out=実験\u3000１"], ["--out=実験\u3000１"]),
    (["--out\u3000実験\u3000１"], ["--out", "実験\u3000１"]),
    (["report", "結果\u3000１"], ["report", "結果\u3000１"]),     # a positional word: a folder
])
def test_full_width_options_are_read_as_ascii_and_paths_as_typed(typed, read):
    assert half_width(typed) == read


def test_a_full_width_command_line_trains_as_the_ascii_one(tmp_path, capsys):
    out = tmp_path / "実験\u3000１"
    assert main(["compare", *SMALL, "--optimizers", "ｓｇｄ、ａｄａｍ", "--lr", "０．０５", "--seeds", "０〜１",
                 "--lang\u3000JP", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {(r["label"], r["seed"], r["hyperparameters"]["lr"]) for r in summary["runs"]} == \
        {(label, s, 0.05) for label in ("SGD", "Adam", "Adam + BatchNorm") for s in (0, 1)}
    assert "最適化手法" in capsys.readouterr().out and summary["lang"] == "ja"


@pytest.mark.parametrize("argv, ja, en", [
    (["compare", "--optimizers", "adma"], "最適化手法 'adma' はありません。使えるのは sgd, momentum, adagrad, rmsprop, adam "
     "です（もしかして adam？）", "unknown optimizer: 'adma' (accepted: sgd, momentum, adagrad, rmsprop, adam; did you "
     "mean 'adam'?)"),
    (["compare", "--dataset", "mnist5k"], "データセット 'mnist5k' はありません", "did you mean 'mnist-5k'?"),
    (["compare", "--datset", "digits"], "--datset digits はこのコマンドのオプションではありません",
     "unrecognized arguments: --datset digits (accepted: the options that --help lists, each value one word, e.g. "
     "--seeds 0,3,7 or --lr adam=0.05; did you mean '--dataset'?)"),
    (["compair"], "コマンド 'compair' はありません。使えるのは compare, data, sweep, landscape, report です（もしかして "
     "compare？）", "invalid COMMAND: 'compair' (accepted: compare, data, sweep, landscape, report; did you mean "
     "'compare'?)"),
    (["compare", "--lr", "0,01"], "--lr の値 '0,01' を学習率として読めません", "invalid --lr"),
    (["compare", "--seeds", "0〜x"], "シードの指定 '0-x' を読めません", "invalid seeds: '0-x'"),
    (["compare", "--activation", "tanh"], "--activation の値 'tanh' は使えません（使えるもの：sigmoid, relu）",
     "invalid --activation: 'tanh' (accepted: sigmoid, relu)"),
])
def test_an_error_under_lang_ja_has_a_japanese_line_first_and_a_close_name(argv, ja, en, capsys, tmp_path):
    assert main([*argv, "--lang", "ja", "--out", str(tmp_path / "x")]) == 2
    first, second = capsys.readouterr().err.strip().splitlines()
    assert first.startswith("optimlab: エラー：") and ja in first, first
    assert second.startswith("optimlab: error: ") and en in second, second
    assert main([*argv, "--out", str(tmp_path / "x")]) == 2         # in English: the one line, with the close name
    (only,) = capsys.readouterr().err.strip().splitlines()
    assert only == second and not (tmp_path / "x").exists()


def test_a_name_far_from_every_one_gets_no_guess_and_any_other_error_a_pointer_to_the_english_line():
    assert "did you mean" not in cli._accepted_style("argument COMMAND: invalid choice: 'xyz' (choose from "
                                                     "'compare', 'data')")
    assert japanese_error("invalid hidden sizes: [0] (accepted: ...)") == "エラーです（内容は次の行に英語で書いてあります）"
    assert lang_of(["compare", "--lang=ja"]) == "ja" and lang_of(["compare"]) == "en"


def test_an_interruption_is_said_in_japanese_too(monkeypatch, capsys):
    monkeypatch.setattr(cli, "_lang", "ja")
    assert cli._stopped(False) == 130
    assert capsys.readouterr().err.splitlines() == ["optimlab: 中断しました", "optimlab: interrupted"]


def test_a_diverged_run_is_explained_under_the_table(tmp_path, capsys):
    # a review: a row of "—" marked 発散, nothing said of why or what to try
    args = ["compare", "--dataset", "digits", "--iters", "30", "--optimizers", "sgd", "--lr", "1e30", "--activation",
            "relu", "--init", "1", "--no-plots", "--no-report", "--no-progress", "--out", str(tmp_path / "d")]
    assert main([*args, "--lang", "ja"]) == 0
    assert "（発散：重みや出力が有限の数でなくなりました。多くは学習率が大きすぎるためです。小さくしてみてください。例：--lr sgd=1e+29）" \
        in capsys.readouterr().out
    assert main(args) == 0
    assert "(diverged: its weights or outputs stopped being finite numbers, most often because the learning rate is " \
           "too large for it; try a smaller one, e.g. --lr sgd=1e+29)" in capsys.readouterr().out
    assert main(args[:8] + ["1e-3", *args[9:]]) == 0 and "diverged:" not in capsys.readouterr().out
