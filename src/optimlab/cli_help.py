"""``--help`` in Japanese: ``optimlab compare --help --lang ja`` (``--lang ja`` anywhere on the line).

The parsers are built in English, as each command's module writes them; :func:`localize` then puts the Japanese
text of :data:`HELP_JA` in place of every help line and description, and a formatter wraps it by display width (a
Japanese character takes two columns of a terminal, and a line of it has no spaces to break at). An option without
a Japanese line keeps its English one (``tests/cli/test_help_ja.py`` checks that none is missing).

:data:`HELP_JA` is keyed by the command's words (``""`` for ``optimlab`` itself, ``"data fetch"``), then by the
option's first long name, a positional's name, ``description``, or a command's name for the line that lists it.
``{optimizers}`` becomes the registered optimizers' names, plugins' too, as in the English help."""

from __future__ import annotations

import argparse
import re

from ._io import display_width

HELP_JA: dict[str, dict[str, str]] = {
    "": {
        "description": "学習率の最適化手法（SGD・Momentum・AdaGrad・RMSProp・Adam など）を動かし、その様子を見て、公平に比べます。",
        "--version": "バージョンを表示して終了します",
        "compare": "ノートの最適化手法の比較を実行します（またはレシピを実行）",
        "data": "データセットの一覧表示・ダウンロード・照合",
        "sweep": "検証データで手法ごとに学習率を調整し、複数のシードで比べます",
        "landscape": "2 次元のテスト関数の上で最適化手法が動く様子を描きます",
        "report": "実行フォルダの report.html を作成します",
    },
    "compare": {
        "description": "ノートのネットワークを最適化手法ごとに学習させて比べます。",
        "--recipe": "ノートの実験の代わりに実行する TOML レシピ",
        "--dataset": "mnist、fashion-mnist、mnist-5k、digits、idx、npz、auto（既定：レシピの指定、なければ auto）",
        "--data-dir": "IDX ファイルのあるフォルダ（MNIST や Fashion-MNIST。--dataset idx ならどのデータでも）、"
                      "または --dataset npz で読む自分の配列の .npz ファイル",
        "--optimizers": "使う最適化手法をカンマ区切りで：{optimizers}（選んだ手法について、レシピにある実行をすべて"
                        "行います。adam を選ぶと Adam + BatchNorm も含まれ、--batchnorm off で外れます）",
        "--lr": "学習率の変更。例：adam=0.001 や rmsprop=0.02,adam=0.005",
        "--iters": "学習の反復回数（ノート：1000）",
        "--batch-size": "ミニバッチのサイズ（ノート：100）",
        "--eval-interval": "何反復ごとに評価するか（ノート：10）",
        "--seed": "乱数のシード（既定 0）",
        "--seeds": "複数のシード：個数（5）、範囲（0-4）、リスト（0,3,7）",
        "--activation": "隠れ層の活性化関数（ノート：sigmoid）",
        "--init": "重みの初期値の標準偏差（weight_init_std）：数値、xavier、he のどれか",
        "--batchnorm": "すべての実行でバッチ正規化を使うか（on / off）",
        "--dtype": "計算の精度（既定 float32。ノートは float64 で計算）",
        "--out": "出力フォルダ（既定 runs/<レシピ名>）",
        "--lang": "図・レポート・表示する表と --help の言語",
        "--no-plots": "図を描きません",
        "--dpi": "PNG の図の解像度、50〜600（既定 100。スライドには 200）",
        "--font-scale": "図の文字の大きさ、既定の 1〜3 倍（例：スライドには 1.6）",
        "--no-report": "report.html を作成しません",
        "--telemetry": "最適化手法の内部の値を層ごとに記録して図にします",
        "--no-progress": "進捗バーを表示しません",
    },
    "data": {
        "description": "データセットの一覧を表示し、MNIST / Fashion-MNIST をダウンロードし、固定した SHA-256 と照合します。",
        "list": "データセットごとに使えるかどうかと場所を表示します",
        "fetch": "mnist か fashion-mnist をダウンロードします（固定した SHA-256 と照合）",
        "verify": "データセットのファイル（またはデータ）を固定した SHA-256 と照合します",
    },
    "data list": {
        "--data-dir": "DIR の中も探します（既定：$OPTIMLAB_DATA、次にキャッシュ）",
        "--lang": "一覧の見出しと説明（データ読み込みのエラーの行は英語のまま）と --help の言語",
    },
    "data fetch": {
        "name": "ダウンロードするデータセット",
        "--data-dir": "キャッシュではなく DIR にダウンロードします",
        "--mirror": "組み込みのミラーの代わりに試すベース URL（何度でも指定できます）",
        "--timeout": "ミラーが何も送ってこないまま待つ秒数（接続まで、または 2 回の読み込みの間。ダウンロード全体の制限ではありません）。"
                     "過ぎたら次のミラーを試します（既定 %(default)g）",
        "--no-progress": "進捗バーを表示しません",
        "--lang": "表示する行と --help の言語",
    },
    "data verify": {
        "name": "照合するデータセット",
        "--data-dir": "DIR の中のファイルを照合します",
        "--lang": "表示する行と --help の言語",
    },
    "sweep": {
        "description": "最適化手法 × 学習率 × シード（とネットワークの設定）のグリッド。各手法の学習率を検証データの正解率で選び、"
                       "そのあと新しいシードでテストします。",
        "--recipe": "スイープの TOML（既定：同梱の recipes/sweep.toml）",
        "--name": "スイープの名前：出力フォルダ runs/<名前>（既定：レシピの指定、なければ sweep）",
        "--dataset": "データセット：mnist、fashion-mnist、mnist-5k、digits、idx、npz、auto",
        "--data-dir": "IDX ファイルのあるフォルダ、または --dataset npz の .npz ファイル",
        "--optimizers": "カンマ区切りで一部だけ：{optimizers}",
        "--val-fraction": "訓練データのうち学習率の調整用に取り分ける割合（最大 5,000 件。既定：レシピの [split] の fraction、"
                          "なければ 0.1）",
        "--lrs": "下限:上限:点数 で対数に等間隔（例：1e-4:1:9 は 1e-4〜1 の 9 点）か、リスト（0.001,0.01）",
        "--seeds": "調整用のシード：個数（3）、範囲（0-2）、リスト（0,3,7）",
        "--test-seeds": "テスト正解率のための新しいシード、--seeds と同じ書き方（調整用のシードが 3 つなら既定 1000-1002）",
        "--iters": "学習の反復回数（ノート：1000）",
        "--batch-size": "ミニバッチのサイズ（ノート：100）",
        "--eval-interval": "何反復ごとに評価するか（既定 100）",
        "--batchnorm": "バッチ正規化：on か off。両方なら both（グリッドの軸）",
        "--activation": "sigmoid か relu。両方なら sigmoid,relu と指定します（グリッドの軸）",
        "--init": "重みの初期値の標準偏差（weight_init_std）：数値、xavier、he のどれか。複数なら 0.01,he（グリッドの軸）",
        "--targets": "目標到達時間を測る検証正解率。例：0.8,0.9",
        "--chunks": "シードとネットワーク設定の組ごとの調整用の実行をいくつのタスクに分けるか（既定：ワーカー数から）。"
                    "新しいシードでの実行は、シードごとにいつも 1 タスク",
        "--jobs": "このマシンのワーカープロセス数（既定：このプロセスが使えるコアの数。0 なら並列にせずこのプロセスで実行）",
        "--workers": "シングルスレッドのワーカー N 個の Dask LocalCluster を起動します",
        "--cluster": "実行中の Dask スケジューラーに接続します",
        "--scheduler-file": "このファイルの Dask スケジューラーに接続します",
        "--out": "出力フォルダ（既定 runs/<名前>）。同じ設定でもう一度実行すると続きから再開します",
        "--lang": "図・レポート・表示する表と --help の言語",
        "--no-plots": "図を描きません",
        "--dpi": "PNG の図の解像度、50〜600（既定 100。スライドには 200）",
        "--font-scale": "図の文字の大きさ、既定の 1〜3 倍（例：スライドには 1.6）",
        "--no-report": "report.html（オフラインで動く対話的なページ）を作成しません",
        "--no-progress": "進捗バーを表示しません",
    },
    "landscape": {
        "description": "2 次元のテスト関数の上で最適化手法を動かし、等高線の図（PNG）、アニメーション（GIF）、軌跡（CSV）を出力します。",
        "--function": "テスト関数：{functions}（既定：bowl）",
        "--optimizers": "カンマ区切り、{optimizers} から（既定：ノートの 5 つ）",
        "--lr": "すべての手法の学習率（--lr 0.1）か 1 つの手法の学習率（--lr sgd=0.5）。既定は関数ごとに決めた値。"
                "何度でも指定でき、--lr sgd=0.1 --lr sgd=0.5（または --lr sgd=0.1,0.5）で SGD の経路を 2 本描きます",
        "--preset": "最適化手法のプリセット：note（既定）、torch、optax と、AdaGrad だけの note-code（ノートのコードのとおり）。"
                    "NAME=PRESET で 1 つの手法だけ、例：--preset "
                    "adagrad=note-code。何度でも指定できます：--preset adagrad=note,note-code で AdaGrad を 2 本描きます",
        "--steps": "ステップ数、{max_steps} まで（既定：関数ごと）",
        "--start": "出発点、例：--start -7,2（既定：関数ごと）",
        "--out": "出力フォルダ（既定：runs/landscape-<関数名>）",
        "--lang": "図・表示する表・--help の言語（既定：en）",
        "--no-gif": "アニメーションを作りません",
        "--dpi": "PNG の解像度、50〜600（既定 100。スライドには 200）。GIF はその 72%%",
        "--font-scale": "PNG と GIF の文字を F 倍に、1〜3（図もそれに合わせて大きくなります。既定 1。例：スライドには 1.6）",
    },
    "report": {
        "description": "optimlab compare か optimlab sweep が書いたフォルダから、それだけで開ける report.html を 1 つ作成します"
                       "（対話的なグラフ、表、図、設定、データから計算した結論）。オフラインで見られます。",
        "run_dir": "optimlab compare か optimlab sweep のフォルダ（summary.json のあるもの）",
        "--lang": "レポートと --help の言語（レポートの既定：その実行で指定した言語、なければ en）",
        "--out": "report.html の出力先（既定：RUN_DIR/report.html）",
    },
}
HELP_OPTION_JA = "このヘルプを表示して終了します"      # argparse's own -h, in every command
TITLES_JA = {"positional arguments": "位置引数", "options": "オプション"}
USAGE_JA = "使い方: "


_NO_LINE_START = set("、。，．）」』】・：；？！ー%ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ")
_NO_LINE_END = set("（「『【")
# a word of ASCII (runs/<レシピ名> whole), a space, or one other character
_TOKENS = re.compile(r"[!-~]*<[^<>\s]*>[!-~]*|[!-~]+| |[^ -~]")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a longer word keeps its own line): breaking at spaces and
    between Japanese characters, and where it can not before a closing bracket, a punctuation mark or a small kana,
    nor after an opening bracket (禁則: the character before such a mark goes down with it; after a word that
    fills a line alone, a closing mark starts the next)."""
    lines: list[list[str]] = [[]]
    for token in _TOKENS.findall(" ".join(text.split())):
        line = lines[-1]
        if display_width("".join(line + [token]).rstrip()) > width and "".join(line).strip() and token != " ":
            moved, follows = [], token[0] in _NO_LINE_START     # the next token may not start a line
            while len(line) > 1 and (follows or line[-1][-1] in _NO_LINE_END):
                moved.insert(0, line.pop())
                follows = moved[0] == " " or moved[0][0] in _NO_LINE_START
            lines.append(moved)
        if lines[-1] or token != " ":
            lines[-1].append(token)
    return [text for text in ("".join(line).strip() for line in lines) if text]


class JapaneseHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with lines wrapped by display width (:func:`wrap`) and ``使い方:`` for ``usage:``."""

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _format_usage(self, usage, actions, groups, prefix):
        if prefix is not None:
            return super()._format_usage(usage, actions, groups, prefix)
        self._width -= 1                    # 使い方 is one column wider than usage: its continuation lines too
        try:
            text = super()._format_usage(usage, actions, groups, "usage: ")
        finally:
            self._width += 1
        first, *rest = text.split("\n")      # (Python 3.14 may colour the prefix: replaced, not cut by length)
        return "\n".join([first.replace("usage: ", USAGE_JA, 1)] + [" " + r if r.strip() else r for r in rest])


def _key(action: argparse.Action) -> str:
    """The name :data:`HELP_JA` knows ``action`` by: its first long option, else its short one, else its name."""
    return next((o for o in action.option_strings if o.startswith("--")),
                action.option_strings[0] if action.option_strings else action.dest)


def localize(parser: argparse.ArgumentParser, words: str = "", fill: dict[str, str] | None = None) -> None:
    """Put the Japanese help of :data:`HELP_JA` into ``parser`` (the command ``words``) and its commands', in
    place; ``fill``: the values of ``{optimizers}`` and the like."""
    text = HELP_JA.get(words, {})
    fill = fill or {}
    parser.formatter_class = JapaneseHelpFormatter
    if "description" in text:
        parser.description = text["description"].format(**fill)
    for group in parser._action_groups:
        group.title = TITLES_JA.get(group.title, group.title)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for listed in action._choices_actions:
                if listed.dest in text:
                    listed.help = text[listed.dest].format(**fill)
            for name, sub in action.choices.items():
                localize(sub, f"{words} {name}".strip(), fill)
            continue
        key = _key(action)
        if key in text:
            action.help = text[key].format(**fill)
        elif isinstance(action, argparse._HelpAction):
            action.help = HELP_OPTION_JA


def missing(parser: argparse.ArgumentParser, words: str = "") -> list[str]:
    """Every help line of ``parser`` and its commands that :data:`HELP_JA` has no Japanese for (``command option``)."""
    text = HELP_JA.get(words, {})
    out = [] if parser.description is None or "description" in text else [f"{words or 'optimlab'} description"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            out += [f"{words} {a.dest}".strip() for a in action._choices_actions if a.dest not in text]
            for name, sub in action.choices.items():
                out += missing(sub, f"{words} {name}".strip())
            continue
        if action.help in (None, argparse.SUPPRESS) or isinstance(action, argparse._HelpAction):
            continue
        key = _key(action)
        if key not in text:
            out.append(f"{words} {key}".strip())
    return out
