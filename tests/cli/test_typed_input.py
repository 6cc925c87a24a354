"""What a Japanese student types (a review typed it): full-width options read as meant, typos answered with the
closest name, and under --lang ja a Japanese line before each error."""

import json
import re

import pytest

from optimlab import cli
from optimlab.cli import main
from optimlab.cli_text import accepted_ja, half_width, japanese_error, lang_of

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
    (["compare", "--optimizers", "adma"], "最適化手法 'adma' はありません。使えるのは sgd、momentum、adagrad、rmsprop、adam "
     "です（もしかして adam？）", "unknown optimizer: 'adma' (accepted: sgd, momentum, adagrad, rmsprop, adam; did you "
     "mean 'adam'?)"),
    (["compare", "--dataset", "mnist5k"], "データセット 'mnist5k' はありません", "did you mean 'mnist-5k'?"),
    (["compare", "--datset", "digits"], "--datset というオプションはこのコマンドにありません",
     "unrecognized arguments: --datset digits (accepted: the options that --help lists, each value one word, e.g. "
     "--seeds 0,3,7 or --lr adam=0.05; did you mean '--dataset'?)"),
    (["compair"], "コマンド 'compair' はありません。使えるのは compare、data、sweep、landscape、report です（もしかして "
     "compare？）", "invalid COMMAND: 'compair' (accepted: compare, data, sweep, landscape, report; did you mean "
     "'compare'?)"),
    (["compare", "--lr", "0,01"], "--lr の値 '0,01' を学習率として読めません", "invalid --lr"),
    (["compare", "--seeds", "0〜x"], "シードの指定 '0-x' を読めません", "invalid seeds: '0-x'"),
    (["compare", "--activation", "tanh"], "--activation の値 'tanh' は使えません（使えるのは sigmoid、relu です）",
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
    assert japanese_error("invalid hidden sizes: [0] (accepted: ...)") == "入力に誤りがあります（詳しくは次の英語の行を見てください）"
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
    # several optimizers diverged: each gets its example (a Japanese student's review: only SGD's was given)
    assert main([*args[:6], "sgd,adam", *args[7:]]) == 0
    assert "e.g. --lr sgd=1e+29,adam=1e+29)" in capsys.readouterr().out


def test_ideographic_spaces_between_every_word_unknown_options_and_the_end_of_options(tmp_path, capsys):
    # a code review: 'ja　--seeds　３' became one value, a flag took the words after it, '--ou 実験　２' wrote to
    # '実験 2' (argparse took it for --out), and after '--' a folder's name was read as an option's value
    from optimlab.cli import _command_parser, _option_kinds, build_parser

    parser = build_parser()

    def read(argv):
        return half_width(argv, _option_kinds(_command_parser(parser, argv)))

    assert read(["compare", "--lang\u3000ja\u3000--seeds\u3000３"]) == ["compare", "--lang", "ja", "--seeds", "3"]
    assert read(["compare", "--lang", "ja\u3000--seeds\u3000３"]) == ["compare", "--lang", "ja", "--seeds", "3"]
    assert read(["compare", "--no-plots\u3000--lang\u3000ja"]) == ["compare", "--no-plots", "--lang", "ja"]
    assert read(["compare", "--lang\u3000ja\u3000--out\u3000実験\u3000１"]) == ["compare", "--lang", "ja", "--out", "実験\u3000１"]
    assert read(["compare", "--ou", "実験\u3000２"]) == ["compare", "--ou", "実験\u3000２"]     # no option: no value
    assert read(["compare", "--no-plot", "--lr", "０．０１"]) == ["compare", "--no-plot", "--lr", "0.01"]
    assert main(["compare", "--ou", str(tmp_path / "実験\u3000２")]) == 2                         # no abbreviations
    assert "did you mean '--out'?" in capsys.readouterr().err and not list(tmp_path.iterdir())
    assert read(["report", "--", "実験\u3000１"]) == ["report", "--", "実験\u3000１"]
    assert read(["report", "—x"]) == ["report", "--x"]          # option-like: an option (a typo gets its name)
    assert read(["report", "—実験"]) == ["report", "—実験"]        # no option: a word that began with a dash
    assert read(["report", "--", "—x"]) == ["report", "--", "—x"]


def test_the_closest_option_is_the_commands_own_and_case_counts(capsys):
    assert main(["landscape", "--iter", "100"]) == 2            # was offered --iters, which landscape has not
    assert "did you mean" not in capsys.readouterr().err
    assert main(["compare", "--Dataset", "digits"]) == 2
    assert "did you mean '--dataset'?" in capsys.readouterr().err


@pytest.mark.parametrize("message, ja", [
    ("refusing to replace '.': it is the current folder or one above it (accepted: …)", "今いるフォルダかその上"),
    ("refusing to replace 'l': it is a symbolic link (accepted: …)", "シンボリックリンク"),
    ("refusing to replace 's': it is an optimlab sweep folder (accepted: …)", "optimlab sweep の結果のフォルダ"),
    ("refusing to replace 'm': it holds 'memo.txt', which is not an output of optimlab compare (accepted: …)",
     "optimlab が書いたものではない 'memo.txt' がある"),
    ("could not download fashion-mnist file t10k (…)", "--dataset mnist-5k（MNIST の 5,000 枚）や --dataset digits"),
])
def test_each_refusal_and_a_failed_download_get_their_own_japanese_line(message, ja):
    # a code review: every refusal said 'not an optimlab results folder', and a failed fashion-mnist download
    # suggested fashion-mnist as bundled
    assert ja in japanese_error(message)


def test_data_list_in_japanese(capsys):
    assert main(["data", "list", "--lang", "ja"]) == 0          # it was "unrecognized arguments: --lang ja"
    out = capsys.readouterr().out
    assert "digits         同梱" in out and out.splitlines()[-1].startswith("キャッシュ：")


def test_a_second_japanese_review_of_typed_commands(tmp_path, capsys):
    # hiragana mode types '--' as 'ーー'; ideographic spaces after the command word; a full-width command word
    for argv in (["compare", "--lang", "ja", "ーーiters", "5"], ["compare\u3000--lang\u3000ja\u3000--iters\u30005"],
                 ["ｃｏｍｐａｒｅ", "--lang", "ja", "−−iters", "5"]):
        out = tmp_path / "r"
        assert main([*argv, "--dataset", "digits", "--optimizers", "sgd", "--no-plots", "--no-report", "--no-progress",
                     "--out", str(out)]) == 0, capsys.readouterr().err
        assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["train"]["iters"] == 5
    capsys.readouterr()
    # an abbreviation is no option: 'sweep --seed 3' was '--seeds 3', seeds 0 to 2, without a word
    assert main(["sweep", "--dataset", "digits", "--seed", "3", "--out", str(tmp_path / "s")]) == 2
    assert "did you mean '--seeds'?" in capsys.readouterr().err and not (tmp_path / "s").exists()
    for argv, ja in [(["compare", "--optimizers", "sgd", "adam"], "'adam' は余分な語です。値はスペースを入れずに 1 語で書いてください"),
                     (["--lang", "ja", "compare"], "--lang はコマンドの後に書いてください"),
                     (["compare", "--iters", "1,000"], "--iters の値 '1,000' は整数ではありません（例：--iters 1000）"),
                     (["compare", "--seed", "0-4"], "複数のシードは --seeds 0-4 のように書いてください"),
                     (["compare", "--lr", "adma=0.001"], "使えるのは sgd、momentum、adagrad、rmsprop、adam です（もしかして adam？）"),
                     (["report", str(tmp_path / "実験\u3000５")], "実験\u3000５' が見つかりません（名前に全角スペースがあります）")]:
        assert main([*argv, "--lang", "ja"] if argv[0] != "--lang" else argv) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert ja in first, first
    (tmp_path / "runs" / "adagrad-code").mkdir(parents=True)      # optimlab's own, but no compare run folder
    assert main(["compare", "--dataset", "digits", "--out", str(tmp_path / "runs"), "--lang", "ja"]) == 2
    assert "は空ではなく（'adagrad-code' などがあります）、optimlab compare の結果のフォルダでもない" in capsys.readouterr().err
    assert half_width(["--optimizers", "sgd・adam", "--batchnorm", "オン", "--lang", "じゃ", "--init", "He"]) == \
        ["--optimizers", "sgd,adam", "--batchnorm", "on", "--lang", "ja", "--init", "he"]


def test_an_interrupted_sweeps_note_is_said_in_japanese_too(tmp_path, monkeypatch, capsys):
    from optimlab.experiment import sweep

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "run_sweep", stopped)
    assert main(["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--jobs", "0",
                 "--no-progress", "--out", str(tmp_path / "スイープ\u3000２"), "--lang", "ja"]) == 130
    err = capsys.readouterr().err.splitlines()
    assert "optimlab: 注記：終わった実行はありません。同じコマンドで最初から始めます" in err and err[-1] == "optimlab: interrupted"


def test_a_third_look_at_typed_commands(tmp_path, capsys, monkeypatch):
    # a review of the second round: a lone '－－' or 'ーー' is the end of options; 'ーーdatset' is an option with a
    # typo, not an extra word; '--lang　ja' joined to the command still gives the Japanese line; no example of 1000
    # for --dpi; sweep's own refusal is said of sweep; an unmarked name is never taken for a leftover
    run = tmp_path / "run"
    assert main(["compare", *SMALL, "--optimizers", "sgd", "--out", str(run)]) == 0
    for dashes in ("－－", "ーー"):
        assert main(["report", dashes, str(run)]) == 0
    capsys.readouterr()
    assert main(["compare", "ーーdatset", "digits", "--lang", "ja"]) == 2
    assert "--datset というオプションはこのコマンドにありません" in capsys.readouterr().err
    assert main(["compare\u3000--lang\u3000ja", "--iters", "x"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == "optimlab: エラー：--iters の値 'x' は整数ではありません（例：--iters 1000）"
    assert main(["compare", "--dpi", "x", "--lang", "ja"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == "optimlab: エラー：--dpi の値 'x' は整数ではありません"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "memo.txt").write_text("x")
    assert main(["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--jobs", "0",
                 "--no-progress", "--out", str(mine), "--lang", "ja"]) == 2
    assert "optimlab sweep の結果のフォルダでもない" in capsys.readouterr().err
    (run / ".report.html.abcd_123.tmp").write_text("left by an older version, or a user's: not taken for ours")
    assert main(["compare", *SMALL, "--optimizers", "sgd", "--out", str(run)]) == 2
    assert "it holds '.report.html.abcd_123.tmp'" in capsys.readouterr().err


@pytest.mark.parametrize("argv, ja", [
    # a Japanese student's review: each of these got only "エラーです（内容は次の行に英語で書いてあります）"
    (["compare", "--dataset", "digits", "--batch-size", "5000"],
     "バッチサイズ 5000 は digits の訓練データの枚数（1,438）より大きいので使えません。1〜1,438 を指定してください"),
    (["compare", "--dataset", "digits", "--iters", "-5"], "--iters の値 -5 は使えません（使えるのは 1〜10,000,000 の整数です）"),
    (["compare", "--recipe", "adagrad.toml"], "レシピのファイル 'adagrad.toml' が見つかりません"),
    (["compare", "--dataset", "idx"], "データセット idx には、4 つの IDX ファイルのあるフォルダを --data-dir DIR"),
    (["compare", "--data-dir", "nothere"], "データのフォルダ 'nothere' が見つかりません"),
    (["report", "."], "'.' は optimlab の結果のフォルダではありません（summary.json がありません）"),
    (["compare", "--seed", "3", "--seeds", "0-2"], "--seed と --seeds は一緒に使えません"),
    (["compare", "--optimizers", "sgd", "--lr", "adam=0.001"],
     "--lr で学習率を指定した 'adam' は、比べる手法に入っていません（使えるのは sgd か、手法名なしの数値だけです）"),
    (["sweep", "--lrs", "1e-4:1"], "学習率の並び '1e-4:1' を読めません。下限:上限:点数（例：1e-4:1:9）"),
    (["sweep", "--targets", "80"], "目標の正解率 '80' は使えません。0〜1 の値で書いてください（例：0.8,0.9）"),
    (["landscape", "--function", "rosenbrok"], "関数 'rosenbrok' はありません。使えるのは bowl、saddle、rosenbrock、"
     "himmelblau、beale です（もしかして rosenbrock？）"),
    (["landscape", "--lr", "adam=-1"], "adam の学習率 -1 は使えません（使えるのは 0 より大きい有限の数です）"),
    # English was left inside the Japanese line
    (["landscape", "--steps", "0"], "--steps の値 '0' は使えません（使えるのは 1〜100,000 の整数です）"),
    (["data", "--lang", "ja", "list"], "--lang はコマンドの後に書いてください（例：optimlab compare --lang ja、optimlab data list"),
    # a code review: '--lang=ja' before the command was "not an option of this command; did you mean --lang?", and
    # 'a number', '[0, 1)' and a recipe's value were left in English or not said
    (["--lang=ja", "compare"], "--lang はコマンドの後に書いてください"),
    (["data", "--lang=ja", "list"], "--lang はコマンドの後に書いてください"),
    (["landscape", "--font-scale", "abc"], "--font-scale の値 'abc' は使えません（使えるのは数です）"),
    (["compare", "--font-scale", "9"], "--font-scale の値 '9.0' は使えません（使えるのは 1〜3 の数です）"),
    (["compare", "--recipe", "b15.toml"], "b15.toml [[runs]] #1 ('adam') の beta1 の値 1.5 は使えません（使えるのは 0 以上 1 "
     "未満の数です）"),
    # a Japanese student's review: the mistakes a student makes first got only the pointer to the English line
    (["sweep", "--dataset", "digits", "--seeds", "1", "--test-seeds", "100"], "テスト用のシード 0-99 が調整用のシード 0 と"
     "重なっています。重ならないシードにしてください（例：--test-seeds 100-199）。数字を 1 つだけ N と書くとシードの個数になり、"
     "0〜N-1 のシードを使います（シード 100 だけなら 100-100 と書いてください）"),
    (["sweep", "--dataset", "digits", "--seeds", "0-2", "--test-seeds", "1-3"], "テスト用のシード 1、2、3 が調整用のシード "
     "0、1、2 と重なっています。重ならないシードにしてください（例：--test-seeds 4-6）。数字を 1 つだけ N と書くとシードの個数に"
     "なり、0〜N-1 のシードを使います"),
    (["compare", "--lr", "1e50"], "学習率 1e+50 は float32 で表せません（絶対値が 3.4e+38 以下で、0 でなければ 1.4e-45 以上の数"
     "にしてください）"),
    (["landscape", "--optimizers", "sgd", "--lr", "adam=0.05"], "'adam' は描く手法（--optimizers）にないので、学習率を指定"
     "できません（指定できるのは sgd）"),
    # a Japanese teacher's review of the landscapes: these four pointed to the English line; a typo got no guess
    (["landscape", "--optimizers", "sgd,sgd"], "手法 'sgd' が複数回書かれています（大文字と小文字は区別しません）。それぞれの"
     "手法は 1 回だけ指定してください"),
    (["compare", "--optimizers", "adam,ADAM,adam"], "手法 'adam' が複数回書かれています"),
    (["landscape", "--optimizers="], "手法が指定されていません。sgd、momentum、adagrad、rmsprop、adam から選んで、"
     "--optimizers sgd,adam のようにカンマで区切って書いてください"),
    (["landscape", "--lr", "sgd=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8"], "1 枚の図に描ける経路は 7 本までです（指定は 12 本：SGD 8 本、"
     "Momentum 1 本、AdaGrad 1 本、RMSProp 1 本、Adam 1 本）。色が足りなくなるので、手法・学習率・プリセットを減らしてください"),
    (["landscape", "--start", "3"], "--start の値 '3' は使えません。--start=-7,2 のように、2 つの数 X,Y（絶対値 1e+12 以下）を"
     "カンマで区切って書いてください（負の数で始まるときは = でつなぎます）"),
    (["landscape", "--start=x,y"], "--start の値 'x,y' は使えません。--start=-7,2 のように"),
    (["landscape", "--lr", "sdg=0.1"], "'sdg' は描く手法（--optimizers）にないので、学習率を指定できません（指定できるのは sgd、"
     "momentum、adagrad、rmsprop、adam。もしかして sgd？）"),
    (["landscape", "--preset", "adagrad=notecode"], "adagrad にプリセット 'notecode' はありません（使えるのは note、torch、"
     "optax、note-text、note-code。もしかして note-code？）"),
    (["landscape", "--optimizers", "sgd", "--preset", "sgd=note-code"], "sgd にプリセット 'note-code' はありません（使えるのは "
     "note、torch、optax）"),
    # a bad-input review: the README names these (a data folder not found, an unknown dataset) among the Japanese ones
    (["data", "list", "--data-dir", "/nonexistent-optimlab"], "--data-dir のフォルダ '/nonexistent-optimlab' が見つかりません"),
    (["data", "verify", "foo"], "データセット 'foo' はありません。使えるのは mnist、fashion-mnist、mnist-5k、digits、idx です"),
    # a code review: fetch's "データセット 'digits' はありません" said a bundled dataset did not exist; a typo's
    # "did you mean" was left in English inside the sentence
    (["data", "verify", "mnst"], "使えるのは mnist、fashion-mnist、mnist-5k、digits、idx です（もしかして mnist？）"),
    (["data", "fetch", "digits"], "'digits' はダウンロードするデータセットではありません。ダウンロードできるのは mnist、"
     "fashion-mnist です（mnist-5k と digits はインストールしたパッケージに入っていて、ダウンロードは不要です）"),
    (["compare", "--dataset", "npz", "--data-dir", "nope.npz"], "--dataset npz の 'nope.npz' は見つかりません（np.savez(ファイル名, "
     "x_train=…, y_train=…, x_test=…, y_test=…) で作った .npz ファイルを指定してください）"),
    (["compare", "--dataset", "npz", "--data-dir", "/dev/null"], "--dataset npz の '/dev/null' は通常のファイルではありません"),
    # a Japanese learner's review: these four had only the pointer to the English line, though README.ja lists them
    (["compare", "--lr", "sgd=0.01,0.1,1"], "--lr で sgd の学習率が 2 回（0.01 と 0.1）指定されています。compare では 1 つの"
     "手法に学習率は 1 つです。いくつもの学習率を比べるなら optimlab sweep --lrs か"),
    (["compare", "--lr", "0.1", "--lr", "0.2"], "--lr で全手法の学習率が 2 回（0.1 と 0.2）指定されています。"),
    (["compare", "--lr", "0"], "学習率 0.0 は使えません（0 より大きい有限の数にしてください。例：--lr 0.01）"),
    (["compare", "--init", "0,01"], "--init の値 '0,01' は使えません。小数点はカンマでなくピリオドで書いてください（例：--init 0.01）"),
    (["compare", "--init", "huge"], "--init の値 'huge' は使えません。0.01 のような数（1e-30〜1000）か、xavier、he を指定してください"),
])
def test_more_errors_are_said_in_japanese_and_none_half_in_english(argv, ja, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b15.toml").write_text('[[runs]]\noptimizer = "adam"\nbeta1 = 1.5\n', encoding="utf-8")
    lang = [] if "--lang" in argv else ["--lang", "ja"]
    assert main([*argv, *lang]) == 2
    first, second = capsys.readouterr().err.strip().splitlines()
    assert first.startswith("optimlab: エラー：") and ja in first, first
    assert not re.search(r"\b(?:an?|the|from|to|not|found|accepted|integer|number)\b", first), first   # no English words
    assert second.startswith("optimlab: error: ")
    assert [p.name for p in tmp_path.iterdir()] == ["b15.toml"]


def test_a_close_name_goes_inside_the_lists_parentheses_and_after_any_other():
    """A code review: moving 「もしかして」 into a line's last parentheses put it inside data fetch's note on the bundled
    datasets; only the parentheses of an accepted list take it."""
    fetch = japanese_error("invalid dataset to download: 'mnsit' (accepted: mnist, fashion-mnist; did you mean "
                           "'mnist'?)")
    assert fetch.endswith("ダウンロードは不要です）（もしかして mnist？）")
    preset = japanese_error("unknown preset for adagrad: 'notecode' (accepted: note, torch; did you mean 'torch'?)")
    assert preset == "adagrad にプリセット 'notecode' はありません（使えるのは note、torch。もしかして torch？）"


def test_an_accepted_phrase_not_translated_points_to_the_english_line():
    assert japanese_error("invalid --foo: 'x' (accepted: a thing that nobody wrote here)") == \
        "--foo の値 'x' は使えません（使えるものは次の英語の行にあります）"
    assert japanese_error("invalid --activation: 'tanh' (accepted: sigmoid, relu)") == \
        "--activation の値 'tanh' は使えません（使えるのは sigmoid、relu です）"


@pytest.mark.parametrize("message, ja", [
    # a re-test: these got only the pointer to the English line, or (a sweep's failed tuning) no Japanese line at all
    ("Mine.rule turned finite weights and gradients into NaN or inf at step 1 (in w), at its settings lr=0.1, and at "
     "lr 1e-6 as well (accepted: …)", "Mine の更新式が、有限の重みと勾配から NaN か inf を作りました（ステップ 1、w）"),
    ("all 2 runs failed (Boom: KeyError: 'x'); the run in runs/good was kept (accepted: …)",
     "2 本の実行がすべて失敗したので、runs/good の以前の結果はそのまま残しました（Boom: KeyError: 'x'）"),
    ("4 tuning runs failed (tune-boom-lr0.1-s0: RuntimeError: b); no learning rate is chosen from failed runs, so the "
     "fresh-seed runs of SGD, Boom were not trained; the runs are kept in 's' (accepted: …)",
     "調整用の実行 4 本が失敗しました（tune-boom-lr0.1-s0: RuntimeError: b）。失敗した実行からは学習率を選ばないので、SGD, "
     "Boom の新しいシードでの実行はしていません。結果は 's' に残してあり"),
    ("unknown key 'batch_norm' in r.toml [net] (accepted: hidden, batchnorm; did you mean 'batchnorm'?)",
     "r.toml [net] にキー 'batch_norm' はありません（使えるキー：hidden、batchnorm。もしかして batchnorm？）"),
    ("r.toml [[runs]] #1 has no optimizer (accepted: optimizer = one of sgd, adam; 'optimzer' is not a key, "
     "'optimizer' is)", "r.toml [[runs]] #1 に optimizer がありません（'optimzer' ではなく optimizer と書いてください）"),
    ("no mnist files to verify (looked in /a, /b); offline options: …", "照合する mnist のファイルが見つかりません"),
    ("refusing to write into 'a/sub': it lies inside '/tmp/a', an optimlab output folder, which is replaced or resumed "
     "as a whole (accepted: a folder outside it; …)", "'a/sub' には書き込みません。optimlab の出力フォルダ '/tmp/a' の中にあり"),
    # a Japanese student's review: a sweep resumed with other settings, a rule that moves no weight, data changed
    ("runs/s holds runs trained with other settings (test-sgd-lr0.01-s5: train.iters: 20 there, 30 now); accepted: the "
     "same settings to resume or extend that sweep (…), or a new --out",
     "'runs/s' には別の設定で学習した実行があります（test-sgd-lr0.01-s5 の train.iters がそこでは 20、今回は 30）。"),
    ("runs/s holds runs trained with other settings (tune-x: net.batchnorm: 'missing' there, True now); accepted: …",
     "（tune-x の net.batchnorm がそこでは 記録なし、今回は True）"),
    ("NoMove.rule moved no weight in 20 steps with nonzero gradients (accepted: a rule that updates w in place, w -= "
     "self.lr * g; w = w - self.lr * g makes a new array and leaves the weights as they were; …)",
     "NoMove の更新式は、勾配が 0 でないのに 20 ステップのあいだ重みを動かしませんでした。w = w - self.lr * g では新しい配列が"),
    ("Ret.rule moved no weight in 20 steps with nonzero gradients (accepted: a rule that updates w in place, w -= "
     "self.lr * g; it returned a new array, which is not used: update w in place and return nothing)",
     "Ret の更新式は、勾配が 0 でないのに 20 ステップのあいだ重みを動かしませんでした。新しい配列を返しても使われません。"),
    ("1 tuning run failed (tune-sgd-lr0.1-s1: ConfigError: dataset 'npz' on this worker has SHA-256 06deca90b64a…, not "
     "7c87608fd952… as where the sweep started: the data changed during the sweep); no learning rate is chosen from "
     "failed runs, so the fresh-seed runs of SGD were not trained; the runs are kept in 's' (accepted: the data as they "
     "were when the sweep started, then the same command (…); or a new --out for the data as they are)",
     "スイープの途中でデータが変わったためです（tune-sgd-lr0.1-s1: ConfigError: dataset 'npz' on this worker has SHA-256 "
     "06deca90b64a…, not 7c87608fd952… as where the sweep started: the data changed during the sweep）。"),
    # a Japanese student's review of README.ja: these fell back to the pointer to the English line
    ("invalid init: 0.0 (accepted: a number from 1e-30 to 1000, xavier, he)",
     "--init の値 0.0 は使えません。0.01 のような数（1e-30〜1000）か、xavier、he を指定してください"),
    ("invalid lr in q.toml [[runs]] #1: '0.01' (accepted: a number)",
     "q.toml [[runs]] #1 の lr の値 '0.01' は文字列です。数値は引用符を付けずに書いてください（lr = 0.01 のように）"),
    ("invalid beta1 in q.toml [[runs]] #1: 'abc' (accepted: a number)",
     "q.toml [[runs]] #1 の beta1 の値 'abc' は数ではありません。数値で書いてください（引用符は付けません）"),
    ("invalid --val-fraction: 10 (accepted: a number in (0, 1), e.g. 0.2)",
     "--val-fraction の値 '10' は使えません（使えるのは 0 より大きく 1 より小さい数、例えば 0.2 です）"),
])
def test_the_errors_a_re_test_found_without_japanese(message, ja):
    assert ja in japanese_error(message)


@pytest.mark.parametrize("message, ja", [
    # a code review: a wrapper's own error was read first ("unknown optimizer" inside "runs failed"), a Dask error's
    # ')' cut its text, and a cluster lost before any run said finished runs were kept
    ("all 2 runs failed (Bad: ConfigError: unknown optimizer: 'foo' (accepted: sgd, adam)); the run in r was kept "
     "(accepted: …)", "2 本の実行がすべて失敗したので、r の以前の結果はそのまま残しました"),
    ("3 tuning runs failed (tune-x: ConfigError: X.rule turned finite weights and gradients into NaN or inf at step 1 "
     "(in w)); no learning rate is chosen from failed runs, so the fresh-seed runs of X were not trained; the runs are "
     "kept in 's' (accepted: …)", "調整用の実行 3 本が失敗しました"),
    ("lost the executor (CommClosedError: in <TCP (closed) ConnectionPool.gather>: Stream is closed); the completed "
     "runs are kept in 'runs/s' (accepted: …)", "（CommClosedError: in <TCP (closed) ConnectionPool.gather>: Stream is "
     "closed）。終わった実行は 'runs/s' に残してあり"),
    ("lost the executor (CancelledError: cancelled) before any run was trained (accepted: …)",
     "学習の済んだ実行はまだありません"),
])
def test_an_error_that_carries_another_is_said_as_itself(message, ja):
    assert ja in japanese_error(message)


def test_a_sweeps_failed_runs_are_said_in_japanese_without_english_inside(capsys, monkeypatch):
    """A code review: the sweep's 'the same command trains them again' was left inside the Japanese line."""
    monkeypatch.setattr(cli, "_lang", "ja")
    runs = [{"run_id": "a", "status": "ok"}, {"run_id": "b", "status": "failed", "error": "KeyError: 'x'\n…"}]
    assert cli.failed_runs_status(runs, "run_id", "s/table.csv", retry=True) == 1
    ja, en = capsys.readouterr().err.splitlines()
    assert ja == ("optimlab: エラー：2 本のうち 1 本の実行が失敗しました（b: KeyError: 'x'）。記録は s/table.csv にあります。"
                  "同じコマンドで失敗した実行をもう一度学習します")
    assert en == ("optimlab: error: 1 of 2 runs failed (recorded in s/table.csv; the same command trains them again); "
                  "b: KeyError: 'x'")


def test_an_accepted_range_with_an_example_is_not_half_translated():
    assert accepted_ja("a number from 1.5 to 3.5, e.g. 1.6") == "（使えるものは次の英語の行にあります）"
    assert accepted_ja("a number from 1 to 3") == "（使えるのは 1〜3 の数です）"
    assert accepted_ja("an integer from 1 to 10,000,000") == "（使えるのは 1〜10,000,000 の整数です）"


def test_lang_before_the_command_is_said_in_english_too(capsys):
    assert main(["--lang=ja", "compare"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "optimlab: error: unrecognized arguments: --lang=ja: --lang goes after the command (accepted: e.g. optimlab "
        "compare --lang ja or optimlab data list --lang ja)")


def test_optimlabs_warnings_get_a_japanese_line_under_lang_ja(monkeypatch, capsys):
    import warnings

    from optimlab.errors import OptimlabWarning

    passed_on = []                      # Python's own form, as the hook finds it: a recorder here
    monkeypatch.setattr(warnings, "showwarning", lambda m, c, f, n, file=None, line=None: passed_on.append((c, str(m))))
    monkeypatch.setattr(cli, "_lang", "ja")
    cli._say_warnings()
    text = ("Mine.rule left its state 'v' at 0 for 20 steps with nonzero gradients: if the rule rebinds it …")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn_explicit(text, OptimlabWarning, "x.py", 1)
        warnings.warn_explicit(text, OptimlabWarning, "y.py", 2)                  # said once
        warnings.warn_explicit("a plugin's own", UserWarning, "p.py", 3)           # Python's form, not ours
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("optimlab: 警告：Mine の更新式は、状態 'v' を 20 ステップのあいだ 0 のままにしました")
    assert err[1] == f"optimlab: warning: {text}" and len(err) == 2
    assert passed_on == [(UserWarning, "a plugin's own")]

def test_optimlab_lang_sets_the_commands_language_once(tmp_path, capsys, monkeypatch):
    """A teacher's review: a student who forgot --lang ja got English everywhere, with no way to set it once.
    OPTIMLAB_LANG=ja does, for every command that has --lang; the command line's own --lang wins; a bad value is one
    line naming the variable."""
    monkeypatch.chdir(tmp_path)
    small = ["compare", "--dataset", "digits", "--iters", "20", "--eval-interval", "10", "--optimizers", "sgd",
             "--no-plots", "--no-report", "--no-progress"]
    monkeypatch.setenv("OPTIMLAB_LANG", "ja")
    assert main([*small, "--out", "a"]) == 0
    assert "最終テスト正解率" in capsys.readouterr().out
    assert '"lang": "ja"' in (tmp_path / "a" / "summary.json").read_text(encoding="utf-8")
    assert main([*small, "--out", "b", "--lang", "en"]) == 0 and "final test acc" in capsys.readouterr().out
    assert main(["data", "list"]) == 0 and "データセット" in capsys.readouterr().out
    assert main([*small[:3], "--iters", "x"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == ("optimlab: エラー：--iters の値 'x' は整数ではありません"
                                                        "（例：--iters 1000）")
    monkeypatch.setenv("OPTIMLAB_LANG", "fr")
    assert main([*small, "--out", "c"]) == 2
    assert capsys.readouterr().err.strip() == "optimlab: error: invalid OPTIMLAB_LANG: 'fr' (accepted: en, ja; or unset it)"
    assert not (tmp_path / "c").exists()
    # empty is unset (`OPTIMLAB_LANG= optimlab …`, the usual way; it was this error for every command, a review)
    for empty in ("", " "):
        monkeypatch.setenv("OPTIMLAB_LANG", empty)
        assert main([*small, "--out", f"d{len(empty)}"]) == 0 and "final test acc" in capsys.readouterr().out


def test_the_japanese_lines_keep_paths_labels_and_a_recipes_file_as_they_are():
    """A code review of the Japanese lists: 「、」 went into a path with ", ", a label "SGD, relu" and the old side of
    a comparison only; a recipe's iters was said as the option --iters without its file; a label with an apostrophe
    (quoted "…") lost the whole warning to the pointer line."""
    from optimlab.cli_text import japanese_warning

    assert japanese_error("r.toml [train]: invalid iters: 0 (accepted: an integer from 1 to 10,000,000)") == \
        "r.toml [train] の iters の値 0 は使えません（使えるのは 1〜10,000,000 の整数です）"
    held = japanese_error("runs/s holds runs trained with other settings (tune-a: net.hidden: [50, 50] there, [40, 40] "
                          "now); accepted: …")
    assert "そこでは [50, 50]、今回は [40, 40]" in held
    assert japanese_warning("mnist: the copy in /home/u/data, old/mnist cannot be used (bad); using the one in /b "
                            "('optimlab data fetch mnist' …)").startswith("/home/u/data, old/mnist にある mnist は")
    assert japanese_warning("with batchnorm off, 'SGD, relu' and \"Adam's\" would train the same numbers as 'SGD': "
                            "trained once, as 'SGD'") == ("batchnorm off の指定では 'SGD, relu' と \"Adam's\" と 'SGD' "
                                                          "が同じ設定になるため、'SGD' として 1 回だけ学習します")


def test_a_recipes_full_width_characters_outside_quotes_are_named(tmp_path, capsys, monkeypatch):
    """A Japanese student's review: ``lr = ０.01`` in a recipe (the command line takes ０．０１) was "入力に誤りが
    あります" and "Invalid value (at line 5, column 6)", neither naming the character; inside quotes it is a label's."""
    monkeypatch.chdir(tmp_path)
    head = 'name = "r"\ndataset = "digits"\n[[runs]]\nlabel = "Ａdam"\noptimizer = "adam"\n'
    (tmp_path / "r.toml").write_text(head + "lr = ０.01  # ０\n", encoding="utf-8")
    assert main(["compare", "--recipe", "r.toml", "--lang", "ja", "--out", "o"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["optimlab: エラー：r.toml の 6 行目の引用符の外に全角の文字があります（'０'）。数値・記号・キーは半角で"
                   "書いてください（'０' → '0'）",
                   "optimlab: error: recipe 'r.toml' is not valid TOML: Invalid value (at line 6, column 6); line 6 "
                   "has full-width '０' outside quotes (accepted: half-width: '0')"]
    assert not (tmp_path / "o").exists()
    (tmp_path / "r.toml").write_text(head + "lr\u3000= 0.01\n", encoding="utf-8")     # a space, named: it is not seen
    assert main(["compare", "--recipe", "r.toml", "--lang", "ja", "--out", "o"]) == 2
    assert "（全角スペース → 半角スペース）" in capsys.readouterr().err
    (tmp_path / "r.toml").write_text(head + "lr = 0.01 0\n", encoding="utf-8")    # no full-width character on the line
    assert main(["compare", "--recipe", "r.toml", "--lang", "ja", "--out", "o"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("optimlab: エラー：r.toml は TOML として正しく書かれていません。どこが違うかは次の英語の行にあります"
                      "（書き方は README.ja.md のレシピの例を参考にしてください）")
    assert err[1].endswith("(at line 6, column 11)")                          # the quoted Ａ is not named
    # a code review: a full-width ）, a 、 typed for ",", an escaped quote, a multi-line string, a line break TOML
    # does not count (U+2028), a number in quotes typed full-width
    for body, said in (("lr = （0.01）\n", "（'（'、'）' → '('、')'）"), ("lrs = [0.1、0.01]\n", "（'、' → ','）"),
                       ('label2 = "12\\" disk"\u3000\n', "（全角スペース → 半角スペース）"),
                       ('# a\u2028b\nlr = ０\n', "r.toml の 7 行目の引用符の外に全角の文字があります（'０'）")):
        (tmp_path / "r.toml").write_text(head + body, encoding="utf-8")
        assert main(["compare", "--recipe", "r.toml", "--lang", "ja", "--out", "o"]) == 2
        assert said in capsys.readouterr().err.splitlines()[0], body
    for body in ('desc = """\nfirst\n０．０１ \\q\n"""\n', '# ０\u2028ｘ\nlr = 0.01 0\n'):    # inside a string or comment
        (tmp_path / "r.toml").write_text(head + body, encoding="utf-8")
        assert main(["compare", "--recipe", "r.toml", "--lang", "ja", "--out", "o"]) == 2
        assert "full-width" not in capsys.readouterr().err, body
    (tmp_path / "r.toml").write_text(head + 'lr = "０.01"\n', encoding="utf-8")       # not "write lr = ０.01"
    assert main(["compare", "--recipe", "r.toml", "--lang", "ja", "--out", "o"]) == 2
    assert "のように" not in capsys.readouterr().err
    (tmp_path / "s.toml").write_text('name = "s"\ndataset = "digits"\nlrs = [０.1]\n', encoding="utf-8")
    assert main(["sweep", "--recipe", "s.toml", "--out", "o"]) == 2             # a sweep recipe's too
    assert "line 3 has full-width '０' outside quotes (accepted: half-width: '0')" in capsys.readouterr().err
