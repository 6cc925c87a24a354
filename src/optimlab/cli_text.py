"""What a student types, read as meant; what went wrong, said in Japanese too.

A Japanese input method types full-width characters: ``０．０１``, ``adam＝0.001``, ``sgd，adam``, ``0〜4``, and
an ideographic space (U+3000) that looks like a space but joins two words into one (``--lang　ja``). Every one
was refused, in an English line that quoted what looked right. :func:`half_width` reads them as ASCII, except in
the values of options that name files (a folder may be called ``実験　１``). Under ``--lang ja``,
:func:`japanese_error` puts a Japanese line before the English one for the errors a student meets first.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Sequence

PATH_OPTIONS = frozenset({"--out", "--data-dir", "--recipe", "--mirror", "--scheduler-file", "--cluster", "--name"})
FLAGS = frozenset({"-h", "--help", "--version", "--no-plots", "--no-report", "--no-progress", "--no-gif",
                   "--telemetry"})
RANGE_OPTIONS = frozenset({"--seeds", "--test-seeds"})
LANG_WORDS = {"ja": "ja", "jp": "ja", "jpn": "ja", "japanese": "ja", "日本語": "ja", "日本": "ja", "じゃ": "ja",
              "en": "en", "eng": "en", "english": "en", "英語": "en"}
ON_OFF_WORDS = {"true": "on", "yes": "on", "1": "on", "はい": "on", "オン": "on", "false": "off", "no": "off", "0": "off",
                "いいえ": "off", "オフ": "off"}
_LEADING_DASH = ("—", "–", "―")         # a word processor's or a slide's '--' (autocorrected into one dash)
_IME_DASHES = re.compile(r"^[ー−ｰ‐－]{2}")   # '--' typed in hiragana mode (ーー), or as minus signs


def half_width(argv: Sequence[str], options: dict[str, bool] | None = None) -> list[str]:
    """``argv`` with its options read as ASCII (NFKC: full-width letters, digits, ．，＝－ and U+3000; then 、 → ,
    and 。 → .), the values of file options (:data:`PATH_OPTIONS`), positional words (a report's folder) and all after
    ``--`` as typed. An ideographic space splits an option word (``--lang　ja　--seeds　３``: four words; what follows a
    file option stays one, ``--out　実験　１``); ``—lang`` is ``--lang``; ``〜``, ``～`` and ``ー`` in seed ranges are
    ``-``; the words of ``--lang``, ``--activation``, ``--dtype`` and ``--batchnorm`` are lower-cased, with ``jp``
    for ``ja`` and true/yes/false/no for on/off. ``options``: every option of the command and whether it takes a
    value (the parser's); without it, :data:`FLAGS` are the options that take none."""
    words, out = list(argv), []
    value_of: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if value_of is not None:                # the value of the option before it
            option, value_of = value_of, None
            if option in PATH_OPTIONS:
                out.append(word)
            elif "\u3000" in word.strip("\u3000"):  # 'ja　--seeds　３': the value, then words of their own
                pieces = _pieces(word, options)
                out.append(_value(pieces[0], option))
                words[i:i] = pieces[1:]
            else:
                out.append(_value(word, option))
            continue
        if _IME_DASHES.fullmatch(word) or word in _LEADING_DASH:     # '－－' or 'ーー' alone: the end of options
            word = "--"
        if word == "--":                        # the rest is positional, as typed
            out += ["--", *words[i:]]
            break
        dashed = "--" + word[1:] if word.startswith(_LEADING_DASH) else _IME_DASHES.sub("--", word)
        if not dashed.startswith(("-", "－")) or dashed in ("-", "－"):
            out.append(word)
            continue
        if "\u3000" in dashed.strip("\u3000") and not re.search("[=＝]", dashed.split("\u3000")[0]):
            words[i:i] = _pieces(dashed, options)      # each piece a word, read in turn
            continue
        name, sep, value = re.fullmatch(r"([^=＝]*)([=＝]?)(.*)", dashed, re.S).groups()
        name = unicodedata.normalize("NFKC", name).strip()
        full = _resolve(name, options)
        if (word.startswith(_LEADING_DASH) or _IME_DASHES.match(word)) and full is None \
                and not re.fullmatch(r"--[a-z][a-z0-9-]*", name):        # only began with dashes (an option-like
                                                                         # word is an option: a typo gets its name)
            out.append(word)
            continue
        if sep:
            out.append(f"{name}={value if full in PATH_OPTIONS else _value(value, full or name)}")
        else:
            out.append(name)
            # an option the command has not (a typo, refused by the parser) takes no word: the next is read on its own
            takes_value = options.get(name, False) if options is not None else name not in FLAGS
            if takes_value:
                value_of = full or name
    return out


def _resolve(name: str, options: dict[str, bool] | None) -> str | None:
    """``name`` if it is an option (of ``options``; without them, any word that starts with ``--``), else None: the
    parsers take no abbreviation."""
    if options is None:
        return name if name.startswith("--") else None
    return name if name in options else None


def _pieces(word: str, options: dict[str, bool] | None) -> list[str]:
    """``word`` split at its ideographic spaces, but what follows a file option is one piece, as typed."""
    parts = [p for p in word.split("\u3000") if p]
    out: list[str] = []
    for j, part in enumerate(parts):
        out.append(part)
        if _resolve(unicodedata.normalize("NFKC", part).strip(), options) in PATH_OPTIONS and j + 1 < len(parts):
            out.append("\u3000".join(parts[j + 1:]))
            break
    return out


def _value(value: str, option: str) -> str:
    v = unicodedata.normalize("NFKC", value).replace("、", ",").replace("・", ",").replace("。", ".").replace("−", "-")
    v = v.strip()
    if option in RANGE_OPTIONS:
        v = re.sub("[〜~ー―—–]", "-", v)
    if option == "--lang":
        v = LANG_WORDS.get(v.lower(), v.lower())
    elif option == "--batchnorm":
        v = ON_OFF_WORDS.get(v.lower(), v.lower())
    elif option in ("--activation", "--dtype") or option == "--init" and v.isalpha():
        v = v.lower()
    return v


LANG_ENV = "OPTIMLAB_LANG"      # the commands' language when the command line names none


def env_lang_given() -> bool:
    """Whether ``$OPTIMLAB_LANG`` says anything: set and not empty (``OPTIMLAB_LANG=`` is the usual way to unset a
    variable for one command; it was an error for every command, --help too, a review)."""
    return bool(os.environ.get(LANG_ENV, "").strip())


def check_env_lang() -> str:
    """``$OPTIMLAB_LANG`` as a language (``ja``, ``en``; full-width and case as --lang takes them), or a one-line
    ConfigError naming it."""
    from .console import LANGS
    from .errors import ConfigError

    value = os.environ.get(LANG_ENV, "")
    lang = _value(value, "--lang")
    if lang not in LANGS:
        raise ConfigError(f"invalid {LANG_ENV}: {value!r} (accepted: {', '.join(LANGS)}; or unset it)")
    return lang


def lang_of(argv: Sequence[str]) -> str:
    """The language ``--lang`` asks for in ``argv`` (read as :func:`half_width` reads it; the last one, as argparse
    takes it), else ``$OPTIMLAB_LANG``'s, ``en`` when none does: for an error that comes before the options are
    parsed, or from parsing them."""
    words = half_width([piece for w in argv for piece in w.split("\u3000")])   # 'compare　--lang　ja' as one word too
    lang = "en"
    for i, w in enumerate(words):
        if w == "--lang" and i + 1 < len(words):
            lang = "ja" if words[i + 1] == "ja" else "en"
        elif w.startswith("--lang="):
            lang = "ja" if w.split("=", 1)[1] == "ja" else "en"
    if not any(w == "--lang" or w.startswith("--lang=") for w in words) and env_lang_given():
        lang = "ja" if _value(os.environ[LANG_ENV], "--lang") == "ja" else "en"
    return lang


_JA: list[tuple[str, str]] = [
    # wrappers of another error first, anchored: the error they carry must not be taken for the user's typo
    (r"^all (?P<n>\d+) runs failed \((?P<e>.*?)\); the run in (?P<d>.+?) was kept",
     "{n} 本の実行がすべて失敗したので、{d} の以前の結果はそのまま残しました（{e}）。--out で新しいフォルダを指定すると、"
     "失敗の記録が summary.json に書かれます"),
    (r"^(?P<n>\d+) tuning runs? failed \((?P<e>.*?the data changed during the sweep)\); no learning rate is chosen "
     r"from failed runs, so the fresh-seed runs of (?P<x>.+?) were not trained; the runs are kept in (?P<d>.+?) \(accepted",
     "調整用の実行 {n} 本が失敗しました。スイープの途中でデータが変わったためです（{e}）。失敗した実行からは学習率を選ばないので、"
     "{x} の新しいシードでの実行はしていません。結果は {d} に残してあります。データを始めたときのものに戻せば同じコマンドで"
     "続きを学習します。今のデータで学習するなら --out で新しいフォルダを指定してください"),
    (r"^(?P<n>\d+) tuning runs? failed \((?P<e>.*?)\); no learning rate is chosen from failed runs, so the fresh-seed "
     r"runs of (?P<x>.+?) were not trained; the runs are kept in (?P<d>.+?) \(accepted",
     "調整用の実行 {n} 本が失敗しました（{e}）。失敗した実行からは学習率を選ばないので、{x} の新しいシードでの実行はしていません。"
     "結果は {d} に残してあり、同じコマンドで失敗した実行だけをやり直して続きを学習します"),
    (r"^lost the executor \((?P<e>.*)\); the completed runs are kept in (?P<d>.+?) \(accepted",
     "Dask のクラスターとの接続が切れました（{e}）。終わった実行は {d} に残してあり、クラスターが戻れば同じコマンドで続きを"
     "学習します"),
    (r"^(?P<n>\d+) of the Dask cluster's (?P<m>\d+) workers cannot import optimlab \((?P<w>\S+): ",
     "Dask のクラスターのワーカー {m} 台のうち {n} 台が optimlab を import できません（{w} など。理由は次の英語の行）。ワーカーを"
     "動かす環境に optimlab をインストールするか、optimlab のあるフォルダを PYTHONPATH に指定してワーカーを起動してください"),
    (r"^the sweep's worker processes run other optimlab code than this process \(source SHA-256 (?P<t>\S+) there, "
     r"(?P<h>\S+) here\), and other code for optimizer '(?P<o>[^']*)'",
     "スイープのワーカーは、このプロセスとは別の optimlab のコードで動いています（ソースの SHA-256：ワーカー {t}、ここ {h}）。"
     "最適化手法 '{o}' のコードも違います。ワーカーにも同じ optimlab（同じバージョンか、PYTHONPATH に同じフォルダ）を使うか、"
     "--jobs N でこのマシンのプロセスで学習してください"),
    (r"^cannot reach the Dask scheduler at (?P<a>.+?): ",
     "Dask のスケジューラー {a} に接続できません（理由は次の英語の行）。動いているスケジューラーのアドレスを指定してください"
     "（ポートはふつう 8786 です）"),
    (r"^cannot reach the Dask scheduler of (?P<a>.+?): ",
     "スケジューラーファイル {a} にある Dask のスケジューラーに接続できません（理由は次の英語の行）。止まったスケジューラーの"
     "ファイルが残っているのかもしれません。動いているスケジューラーのファイルを指定してください"),
    (r"^no Dask scheduler answered at (?P<a>\S+)(?: \(from .+?\))? within (?P<s>\d+) s",
     "{a} は {s} 秒待っても Dask のスケジューラーとして応答しませんでした。そこのサーバーは接続を受けますが、Dask の通信をしません"
     "（ポートはふつう 8786 で、8787 はふつうダッシュボードの Web ページです）"),
    (r"^the server at (?P<a>\S+)(?: \(from .+?\))? does not answer as a Dask scheduler",
     "{a} のサーバーは Dask のスケジューラーとして応答しません（ポートはふつう 8786 で、8787 はふつうダッシュボードの Web "
     "ページです）"),
    (r"^lost the executor \((?P<e>.*)\) before any run was trained",
     "Dask のクラスターとの接続が切れました（{e}）。学習の済んだ実行はまだありません。クラスターが戻れば同じコマンドで始めます"),
    (r"^(?P<d>.+?) holds runs trained with other settings \((?P<r>[^:]+): (?P<k>[\w.]+): (?P<a>.+?) there, "
     r"(?P<b>.+?) now\); accepted",
     "'{d}' には別の設定で学習した実行があります（{r} の {k} がそこでは {a}、今回は {b}）。同じ設定なら続きから再開したり、"
     "学習率・シード・手法を増やしたりできます。別の設定で学習するなら --out で新しいフォルダを指定してください"),
    (r"test seeds (?:\(\d+ on\) )?(?P<t>.+?) overlap the tuning seeds (?P<s>.+?) \(accepted: disjoint seeds, "
     r"e\.g\. (?P<e>--test-seeds \S+?);.*?N-1(?:; for seed (?P<one>\d+) alone write (?P<as_one>\S+?))?\)$",
     "テスト用のシード {t} が調整用のシード {s} と重なっています。重ならないシードにしてください（例：{e}）。数字を 1 つだけ "
     "N と書くとシードの個数になり、0〜N-1 のシードを使います{alone}"),
    (r"invalid lr for (?P<d>float\d+) training: (?P<v>\S+) \(accepted: a number float\d+ can hold: magnitude at most "
     r"(?P<m>\S+), a non-zero one at least (?P<n>[^)\s]+)\)",
     "学習率 {v} は {d} で表せません（絶対値が {m} 以下で、0 でなければ {n} 以上の数にしてください）"),
    (r"lr given for '(?P<o>[^']*)', which is not run \(accepted: (?P<a>[^;)]*)",
     "'{o}' は描く手法（--optimizers）にないので、学習率を指定できません（指定できるのは {a}）"),
    (r"unknown preset for (?P<o>[\w-]+): '(?P<v>[^']*)' \(accepted: (?P<a>[^;)]*)",
     "{o} にプリセット '{v}' はありません（使えるのは {a}）"),
    (r"(?P<c>\S+)\.rule moved no weight in (?P<n>\d+) steps with nonzero gradients \(accepted: .*it returned a new array",
     "{c} の更新式は、勾配が 0 でないのに {n} ステップのあいだ重みを動かしませんでした。新しい配列を返しても使われません。"
     "w -= self.lr * g のように w をその場で更新し、何も返さないでください"),
    (r"(?P<c>\S+)\.rule moved no weight in (?P<n>\d+) steps with nonzero gradients",
     "{c} の更新式は、勾配が 0 でないのに {n} ステップのあいだ重みを動かしませんでした。w = w - self.lr * g では新しい配列が"
     "できて重みは変わりません。w -= self.lr * g のようにその場で更新してください（0 から始まる状態を掛けているなら、init_slot で"
     "別の初期値にしてください）"),
    (r"^the following arguments are required: (?P<v>.*?) \(accepted: (?:.*?; )?e\.g\. (?P<e>[^)]*)\)",
     "{V}を指定してください（例：{e}）"),
    (r": --lang goes after the command",
     "--lang はコマンドの後に書いてください（例：optimlab compare --lang ja、optimlab data list --lang ja）"),
    (r"unknown optimizer(?: in --lr \(lrs\))?: '(?P<v>[^']*)'.*?\(accepted: (?P<a>[^;)]*?)(?: or a bare number)?[;)]",
     "最適化手法 '{v}' はありません。使えるのは {a} です"),
    (r"unknown dataset '(?P<v>[^']*)'; accepted: (?P<a>[^;]*)",
     "データセット '{v}' はありません。使えるのは {a} です"),
    (r"--lr given twice for every optimizer: (?P<x>\S+) and (?P<y>\S+) \(accepted",
     "--lr で全手法の学習率が 2 回（{x} と {y}）指定されています。1 つだけ指定してください。いくつもの学習率を比べるなら "
     "optimlab sweep --lrs か、レシピに [[runs]] を学習率ごとに書いてください"),
    (r"--lr given twice for (?P<o>\S+): (?P<x>\S+) and (?P<y>\S+) \(accepted",
     "--lr で {o} の学習率が 2 回（{x} と {y}）指定されています。compare では 1 つの手法に学習率は 1 つです。"
     "いくつもの学習率を比べるなら optimlab sweep --lrs か、レシピに [[runs]] を学習率ごとに書いてください（NAME= の後の値は"
     "すべてその手法のものなので、全手法の学習率は先に書いてください：--lr 0.1,adam=0.5）"),
    (r"^invalid learning rate \(lr\): (?P<v>\S+) \(accepted: a finite number > 0\)",
     "学習率 {v} は使えません（0 より大きい有限の数にしてください。例：--lr 0.01）"),
    (r"^(?P<w>.+?\.toml.*?): unknown init: '(?P<v>[^']*)' \(accepted",
     "{w} の init '{v}' は使えません。0.01 のような数（1e-30〜1000、小数点はピリオド）か、xavier、he を書いてください"),
    (r"^(?P<w>.+?\.toml.*?): unknown activation: '(?P<v>[^']*)' \(accepted: (?P<a>[^)]*)\)",
     "{w} の activation '{v}' は使えません。使えるのは {a} です"),
    (r"^(?P<w>.+?\.toml.*?): invalid dtype: '(?P<v>[^']*)' \(accepted: (?P<a>[^)]*)\)",
     "{w} の dtype '{v}' は使えません。使えるのは {a} です"),
    (r"^duplicate run label '(?P<v>[^']*)' in (?P<w>.+?) \(accepted",
     "{w} にラベル '{v}' の実行が 2 つ以上あります。実行ごとに違うラベルを label = \"…\" で書いてください（ラベルを書かない実行の"
     "ラベルは手法名です）"),
    (r"^unknown init: '(?P<v>[^']*,[^']*)' \(accepted",
     "--init の値 '{v}' は使えません。小数点はカンマでなくピリオドで書いてください（例：--init 0.01）。ほかに xavier、he が"
     "使えます"),
    (r"^invalid init: (?P<v>\S+) \(accepted: a number from 1e-30 to 1000, xavier, he\)",
     "--init の値 {v} は使えません。0.01 のような数（1e-30〜1000）か、xavier、he を指定してください"),
    (r"^invalid (?P<o>[a-z][a-z_0-9]*) in (?P<w>.+?\.toml.*?): '(?P<v>[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)' \(accepted: "
     r"a number\)", "{w} の {o} の値 '{v}' は文字列です。数値は引用符を付けずに書いてください（{o} = {v} のように）"),
    (r"^invalid (?P<o>[a-z][a-z_0-9]*) in (?P<w>.+?\.toml.*?): (?P<v>.+?) \(accepted: a number\)",
     "{w} の {o} の値 {v} は数ではありません。数値で書いてください（引用符は付けません）"),
    (r"^unknown init: '(?P<v>[^']*)' \(accepted",
     "--init の値 '{v}' は使えません。0.01 のような数（1e-30〜1000）か、xavier、he を指定してください"),
    (r"refusing to write into (?P<d>'[^']*'): it lies inside (?P<o>'[^']*'), an optimlab output folder",
     "{d} には書き込みません。optimlab の出力フォルダ {o} の中にあり、そのフォルダは全体で置き換え（または再開）される"
     "からです。そのフォルダの外を --out で指定してください"),
    (r"invalid --lr: '(?P<v>[^']*)'", "--lr の値 '{v}' を学習率として読めません。--lr 0.01 や --lr adam=0.001 のように書いてください"),
    (r"invalid (?:--)?(?:test-)?seeds: '(?P<v>[^']*)'",
     "シードの指定 '{v}' を読めません。5（個数）、0-4（範囲）、0,3,7（一覧）のように書いてください"),
    (r"unrecognized arguments: (?P<v>[^-].*?) \(accepted",
     "'{v}' は余分な語です。値はスペースを入れずに 1 語で書いてください（--optimizers sgd,adam、--lr adam=0.001、--seeds 0,1,2）。"
     "スペースを含むフォルダ名は \"runs/実験 1\" のように引用符で囲んでください"),
    (r"unrecognized arguments: (?P<v>-\S+).*? \(accepted",      # '--itres 10': the option, not its value (a review)
     "{v} というオプションはこのコマンドにありません。使えるオプションは --help で確認できます"),
    (r"unrecognized arguments: (?P<v>.*?) \(accepted",
     "{v} はこのコマンドのオプションではありません。使えるオプションは --help で確認できます"),
    (r"invalid (?:COMMAND|command): '(?:ja|en)'",
     "--lang はコマンドの後に書いてください（例：optimlab compare --lang ja、optimlab data list --lang ja）"),
    (r"invalid (?:command|COMMAND): '(?P<v>[^']*)' \(accepted: (?P<a>[^;)]*)", "コマンド '{v}' はありません。使えるのは {a} です"),
    (r"invalid --seed: '(?P<v>[^']*)'", "--seed の値 '{v}' は整数ではありません。複数のシードは --seeds 0-4 のように書いてください"),
    (r"argument --seeds?: not allowed with argument --seeds?",
     "--seed と --seeds は一緒に使えません。シードが 1 つなら --seed 3、複数なら --seeds 0-4 のどちらか一方だけを指定してください"),
    (r"invalid batch_size: (?P<v>\S+) exceeds the (?P<n>[\d,]+) training examples of (?P<d>\S+) \(accepted: "
     r"(?P<lo>\d+) to (?P<hi>\d+)\)",
     "バッチサイズ {v} は {d} の訓練データの枚数（{n}）より大きいので使えません。{lo}〜{hi} を指定してください"),
    (r"^[\w ]+ '(?P<f>[^']*)' is not valid TOML: .*; line (?P<l>\d+) has (?P<z>.*?) outside quotes \(accepted: "
     r"half-width: (?P<h>.*)\)$",
     "{f} の {l} 行目の引用符の外に全角の文字があります（{z}）。数値・記号・キーは半角で書いてください（{z} → {h}）"),
    (r"^[\w ]+ '(?P<f>[^']*)' is not valid TOML: ",
     "{f} は TOML として正しく書かれていません。どこが違うかは次の英語の行にあります（書き方は README.ja.md のレシピの例を参考に"
     "してください）"),
    (r"recipe file not found: '(?P<v>[^']*)'", "レシピのファイル '{v}' が見つかりません（.toml ファイルのパスを指定してください）"),
    (r"dataset 'idx' needs a folder",
     "データセット idx には、4 つの IDX ファイルのあるフォルダを --data-dir DIR か環境変数 OPTIMLAB_DATA=DIR で指定してください"),
    (r"data directory '(?P<v>[^']*)' not found", "データのフォルダ '{v}' が見つかりません"),
    (r"(?P<v>.+?) holds the official (?P<o>\S+) files, not (?P<d>\S+?);",
     "{v} にあるのは公式の {o} のファイルで、{d} ではありません。--dataset {o} で使えます"),
    (r"not a run directory: '(?P<v>[^']*)'",
     "'{v}' は optimlab の結果のフォルダではありません（summary.json がありません）。optimlab compare か sweep が書いた"
     "フォルダを指定してください"),
    (r"--lr (?P<o>[^=\s]+)=… .*?names '(?P<v>[^']*)', which is not among the runs \(accepted: (?P<a>.*?)(?: or a bare "
     r"number)?\)",
     "--lr で学習率を指定した '{v}' は、比べる手法に入っていません（使えるのは {a} か、手法名なしの数値だけです）"),
    (r"invalid learning-rate grid: '(?P<v>[^']*)'",
     "学習率の並び '{v}' を読めません。下限:上限:点数（例：1e-4:1:9）か、0.001,0.01 のような一覧で指定してください"),
    (r"invalid targets: '(?P<v>[^']*)'", "目標の正解率 '{v}' は使えません。0〜1 の値で書いてください（例：0.8,0.9）"),
    (r"unknown function: '(?P<v>[^']*)' \(accepted: (?P<a>[^;)]*)", "関数 '{v}' はありません。使えるのは {a} です"),
    (r"invalid --lr for (?P<o>\S+): (?P<v>\S+) \(accepted: (?P<a>.*?)(?:;[^()]*)?\)$", "{o} の学習率 {v} は使えません{A}"),
    # (a recipe's, "r.toml [train]: invalid iters …", is the pattern with its file, below)
    (r"^invalid (?P<o>[a-z][a-z_]*): (?P<v>-?[\w.,+-]+) \(accepted: (?P<a>an integer from [^;)]*)\)",
     "{o} の値 {v} は使えません{A}"),
    (r"^(?P<w>.+?) gives the optimizer '(?P<o>[^']*)' (?P<n>\d+) times \(",
     "{w} に手法 '{o}' が {n} 回あります（名前の大文字と小文字は区別しません）。1 回だけ指定してください"),
    (r"^optimizer listed more than once: '(?P<v>[^']*)'",
     "手法 '{v}' が複数回書かれています（大文字と小文字は区別しません）。それぞれの手法は 1 回だけ指定してください"),
    (r"^no optimizers given: '(?P<v>[^']*)' \(accepted: some of (?P<a>[^;)]*)",
     "手法が指定されていません。{a} から選んで、--optimizers sgd,adam のようにカンマで区切って書いてください"),
    (r"^too many paths for one map: (?P<n>\d+) \((?P<c>[^)]*)\) \(accepted: at most (?P<m>\d+),",
     "1 枚の図に描ける経路は {m} 本までです（指定は {n} 本：{C}）。色が足りなくなるので、手法・学習率・プリセットを"
     "減らしてください"),
    (r"^invalid --start: '(?P<v>[^']*)' \(accepted: two finite numbers X,Y with \|X\|, \|Y\| <= (?P<m>[^,]+), "
     r"e\.g\. (?P<e>\S+)\)",
     "--start の値 '{v}' は使えません。{e} のように、2 つの数 X,Y（絶対値 {m} 以下）をカンマで区切って書いてください"
     "（負の数で始まるときは = でつなぎます）"),
    (r"invalid (?P<o>--(?:iters|steps)): '?(?P<v>[^' ]*)'? \(accepted: a whole number\)",
     "{o} の値 '{v}' は整数ではありません（例：{o} 1000）"),
    (r"invalid (?P<o>--[\w-]+): '?(?P<v>[^' ]*)'? \(accepted: a whole number\)", "{o} の値 '{v}' は整数ではありません"),
    (r"invalid (?P<o>--[\w-]+): '?(?P<v>[^' ]*)'? \(accepted: (?P<a>.*?)(?:;[^()]*)?\)$", "{o} の値 '{v}' は使えません{A}"),
    (r"^(?P<w>\S+ \[[^]]*\][^:]*): invalid (?P<o>[a-z_0-9]+): (?P<v>\S+) \(accepted: (?P<a>.*?)(?:;[^()]*)?\)$",
     "{w} の {o} の値 {v} は使えません{A}"),
    (r"refusing to replace '(?P<v>[^']*)': it is the current folder",
     "'{v}' は今いるフォルダかその上のフォルダなので、置き換えません。--out で新しいフォルダを指定してください"),
    (r"refusing to replace '(?P<v>[^']*)': it is a symbolic link",
     "'{v}' はシンボリックリンクなので、置き換えません。--out でリンクではないフォルダを指定してください"),
    (r"refusing to (?:replace|write into) '(?P<v>[^']*)': it is an optimlab (?P<k>sweep|compare) folder",
     "'{v}' は optimlab {k} の結果のフォルダなので、このコマンドでは置き換えません（中身はそのままです）。--out で別のフォルダを"
     "指定してください"),
    (r"refusing to (?:replace|write into) '(?P<v>[^']*)': it holds '(?P<f>[^']*)' and is not an optimlab (?P<k>compare|sweep)",
     "'{v}' は空ではなく（'{f}' などがあります）、optimlab {k} の結果のフォルダでもないので、上書きしません（中身はそのまま"
     "です）。--out runs/名前 のように新しいフォルダを指定してください"),
    (r"refusing to (?:replace|write into) '(?P<v>[^']*)': it holds '(?P<f>[^']*)'",
     "'{v}' には optimlab が書いたものではない '{f}' があるので、上書きしません（中身はそのままです）。--out で別のフォルダを"
     "指定してください"),
    (r"run directory not found: '(?P<v>[^']*)'", "結果のフォルダ '{v}' が見つかりません"),
    (r"^--data-dir '(?P<v>[^']*)' not found \(accepted: an existing folder\)", "--data-dir のフォルダ '{v}' が見つかりません"),
    (r"^invalid name: '(?P<v>[^']*)' \(accepted: (?P<a>[^;)]*)", "データセット '{v}' はありません。使えるのは {a} です"),
    (r"^invalid dataset to download: '(?P<v>[^']*)' \(accepted: (?P<a>[^;)]*)",
     "'{v}' はダウンロードするデータセットではありません。ダウンロードできるのは {a} です（mnist-5k と digits は"
     "インストールしたパッケージに入っていて、ダウンロードは不要です）"),
    (r"^(?P<v>.+?): (?P<w>does not exist|is a folder|is not a regular file) \(accepted for --dataset npz",
     "--dataset npz の '{v}' は{W}（np.savez(ファイル名, x_train=…, y_train=…, x_test=…, y_test=…) で作った .npz ファイルを"
     "指定してください）"),
    (r"(?P<c>\S+)\.rule turned finite weights and gradients into NaN or inf at step (?P<t>\d+) \(in (?P<s>[^)]*)\)",
     "{c} の更新式が、有限の重みと勾配から NaN か inf を作りました（ステップ {t}、{s}）。学習率を 1e-6 にしても同じなので、"
     "学習率ではなく更新式の誤りです（負になりうる値の平方根や対数、勾配と状態が 0 のところの 0/0 など。√h + θ のように θ を足してください）"),
    (r"unknown key '(?P<v>[^']*)' in (?P<w>.+?) \(accepted: (?P<a>[^;)]*)", "{w} にキー '{v}' はありません（使えるキー：{a}）"),
    (r"(?P<w>.+?) has no optimizer \(accepted: .*?; '(?P<k>[^']*)' is not a key, 'optimizer' is\)",
     "{w} に optimizer がありません（'{k}' ではなく optimizer と書いてください）"),
    (r"(?P<w>.+?) has no optimizer \(accepted: optimizer = one of (?P<a>[^;)]*)",
     "{w} に optimizer = \"手法名\" がありません（使える手法：{a}）"),
    (r"no (?P<d>\S+) files to verify",
     "照合する {d} のファイルが見つかりません（探した場所は次の英語の行にあります）。'optimlab data fetch {d}' でダウンロード"
     "するか、--data-dir でファイルのあるフォルダを指定してください"),
    (r"^(?P<f>.+?): .*\(accepted: 'optimlab data fetch (?P<d>[^']+)' downloads the damaged file again",
     "{f} は読めません（壊れているか途中で切れています）。'optimlab data fetch {d}' でダウンロードし直すか、4 つの IDX "
     "ファイルのあるフォルダを --data-dir DIR で指定してください"),
    (r"could not download (?P<v>\S+)",
     "{v} をダウンロードできませんでした。インターネットにつながらないときは、4 つの IDX ファイルを入れたフォルダを "
     "--data-dir DIR で指定してください。同梱の --dataset mnist-5k（MNIST の 5,000 枚）や --dataset digits（8×8 の数字）"
     "も使えます"),
    (r"^invalid val_fraction: (?P<f>\S+) leaves (?P<n>[\d,]+) of the (?P<t>[\d,]+) training examples of (?P<d>.+?) to "
     r"train on, fewer than a batch of (?P<b>\d+)",
     "--val-fraction {f} では {d} の訓練データ {t} 枚のうち学習に使えるのが {n} 枚だけで、バッチサイズ {b} に足りません"
     "（--val-fraction か --batch-size を小さくしてください）"),
    (r"^(?P<w>.+?) is a sweep recipe, not one of optimlab compare \(accepted: (?P<u>[^;]+);",
     "{w} はスイープのレシピで、compare のレシピではありません（{u} で使います。compare のレシピには [[runs]] があります）"),
    (r"^(?P<w>.+?) is a recipe of optimlab compare, not a sweep recipe \(accepted: (?P<u>[^;]+);",
     "{w} は compare のレシピで、スイープのレシピではありません（{u} で使います。スイープのレシピには lrs と seeds があります）"),
    (r"^invalid output folder: (?P<v>.+?): its name is (?P<n>\d+) bytes long \(accepted: at most (?P<m>\d+) bytes",
     "出力先 {v} の名前は {n} バイトで長すぎます（{m} バイトまで。compare は結果をその横に、もっと長い隠しフォルダの名前で作って"
     "から置き換えるためです。日本語は 1 文字 3 バイトです）"),
]


# what an error's "accepted:" says, in Japanese: the phrases the value checks use
_ACCEPTED_JA = [
    (r"an integer from (\d[\d,]*\d|\d) to (\d[\d,]*\d|\d)", r"\1〜\2 の整数"),
    (r"an integer >= ([\d,]+)", r"\1 以上の整数"),
    (r"a finite number > 0", "0 より大きい有限の数"),
    (r"a finite number >= 0", "0 以上の有限の数"),
    (r"a whole number", "整数"),
    (r"a number from (\d[\d,]*(?:\.\d+)?) to (\d[\d,]*(?:\.\d+)?)", r"\1〜\2 の数"),
    (r"a number in \(0, 1\), e\.g\. ([\d.]+)", r"0 より大きく 1 より小さい数、例えば \1"),
    (r"a number in \(0, 1\)", "0 より大きく 1 より小さい数"),
    (r"a number in \[0, 1\)", "0 以上 1 未満の数"),
    (r"a number in \(0, 1\]", "0 より大きく 1 以下の数"),
    (r"a number", "数"),
    (r"true or false", "true か false"),
    (r"a path to a \.toml file", ".toml ファイルのパス"),
]
# English left in a translated "accepted:" (its words, not the names and numbers it lists): then the pointer instead
_ENGLISH = re.compile(r"\b(?:a|an|the|or|and|from|to|in|of|at|is|by|for|with|like|number|numbers|integer|integers|"
                      r"string|strings|list|value|values|default|most|least|one|each|e\.g)\b", re.IGNORECASE)


def accepted_ja(accepted: str) -> str:
    """``（使えるのは … です）`` for an error's accepted values: names and numbers as they are, the common phrases in
    Japanese; where words of English would be left, a pointer to the English line instead."""
    text = accepted.strip()
    for pattern, ja in _ACCEPTED_JA:
        text = re.sub(pattern, ja, text)
    text = text.replace(", ", "、")          # a list in a Japanese sentence (10,000,000 keeps its commas)
    if _ENGLISH.search(text):       # a phrase not translated: not half in English
        return "（使えるものは次の英語の行にあります）"
    before, after = (" " if text[:1].isascii() else ""), (" " if text[-1:].isascii() else "")   # 「使えるのは数です」
    return f"（使えるのは{before}{text}{after}です）"


PLUGIN_FILES = "OPTIMLAB_PLUGINS"      # optimlab.optim.plugins.PLUGIN_FILES_ENV, as its errors name it
_JA_WARNINGS: list[tuple[str, str]] = [
    # the options given end at the last ", " before the quoted labels (a review: "init he, batchnorm off" was split);
    # a label with an apostrophe is quoted "…" (repr)
    (r"^with (?P<g>.+), (?P<labels>(?:'[^']*'|\"[^\"]*\")(?: and (?:'[^']*'|\"[^\"]*\"))*) would train the same "
     r"numbers as (?P<k>'[^']*'|\"[^\"]*\"): trained once",
     "{g} の指定では {labels} と {k} が同じ設定になるため、{k} として 1 回だけ学習します"),
    (r"^(?P<d>\S+): the copy in (?P<a>.+?) cannot be used \(.*; using the one in (?P<b>.+?) \('optimlab data fetch",
     "{a} にある {d} は壊れていて使えないため（詳しくは次の英語の行）、{b} のものを使います。'optimlab data fetch {d}' で"
     "壊れたファイルをダウンロードし直せます"),
    (rf"^{PLUGIN_FILES} file '(?P<f>[^']*)' not found .*separated by '(?P<s>[^']*)'",
     f"{PLUGIN_FILES} のファイル '{{f}}' が見つからないので、読み込みません（.py ファイルのパスを '{{s}}' で区切って書いてください）"),
    (rf"^{PLUGIN_FILES} file '(?P<f>[^']*)' is not a \.py file",
     f"{PLUGIN_FILES} の '{{f}}' は .py ファイルではないので、読み込みません"),
    (rf"^{PLUGIN_FILES} file '(?P<f>[^']*)' cannot be loaded: (?P<e>\w+)",
     f"{PLUGIN_FILES} のファイル '{{f}}' を読み込めませんでした（{{e}}。どこで起きたかは次の英語の行にあります）"),
    (rf"^{PLUGIN_FILES} file '(?P<f>[^']*)': (?P<c>\w+)'s name '(?P<n>[^']*)' is taken",
     f"{PLUGIN_FILES} のファイル '{{f}}' のクラス {{c}} の名前 '{{n}}' はほかのクラスが使っているので、登録しません"
     "（name = 'my{n}' のように別の名前にしてください）"),
    (r"(?P<c>\S+)\.rule left its state '(?P<s>[^']*)' at 0 for (?P<n>\d+) steps",
     "{c} の更新式は、状態 '{s}' を {n} ステップのあいだ 0 のままにしました。v = μ * v - ε * g のように書くと新しい配列が"
     "できて状態は変わりません。v *= …; v -= … のようにその場で更新するか、s['{s}'] = … と代入してください（設定によって使わない"
     "状態なら、そのままで構いません）"),
    (r"optimizer '(?P<o>[^']*)' \((?P<c>[^)]*)\) is not the code (?P<w>.+?) records \(code SHA-256 "
     r"(?P<n>\S+) now, (?P<t>\S+) recorded\)",
     "最適化手法 '{o}'（{c}）のコードが、{w} に記録された学習時のコードと違います（コードの SHA-256 の先頭：今 {n}、"
     "記録 {t}）。記録した実行と同じ数値にならないことがあります"),
    (r"(?P<w>.+?) records other optimlab code \(source SHA-256 (?P<t>\S+) recorded, (?P<n>\S+) now\)",
     "{w} には、今とは違う optimlab のコードが記録されています（ソースの SHA-256 の先頭：記録 {t}、今 {n}）。記録された"
     "数値と同じにならないことがあります。同じコード（たとえば同じ git のコミット）なら同じ数値になります"),
    (r"(?P<k>\d+) of the runs already complete in (?P<d>.+?) \((?P<r>[^)]*)\) were trained by other optimlab code "
     r"\(source SHA-256 (?P<t>\S+) there, (?P<n>\S+) now\)",
     "{d} にある完了済みの実行のうち {k} 件（{r}）は、今とは違う optimlab のコードで学習したものです（ソースの SHA-256 の"
     "先頭：フォルダ {t}、今 {n}）。そのまま使うので、スイープの結果に二つの版の数値が混ざることがあります。"
     "すべてを今のコードで学習し直すには、別の --out を指定してください"),
    (r"(?P<k>\d+) of the runs already complete in (?P<d>.+?) \((?P<r>[^)]*)\) were trained by other optimlab code "
     r"\(source SHA-256 not recorded there, (?P<n>\S+) now\)",
     "{d} にある完了済みの実行のうち {k} 件（{r}）は、ソースの SHA-256 を記録しない以前の optimlab で学習したものです（今 {n}）。"
     "そのまま使うので、スイープの結果に二つの版の数値が混ざることがあります。すべてを今のコードで学習し直すには、別の --out を"
     "指定してください"),
    (r"the runs in (?P<d>.+?) were trained with different arithmetic: (?P<n1>\d+) runs? \((?:e\.g\. )?(?P<e1>[^)]+)\) "
     r"with (?P<t1>.+?); (?P<n2>\d+) runs? \((?:e\.g\. )?(?P<e2>[^)]+)\) with (?P<t2>.+?); and (?P<m>\d+) other "
     r"arithmetic setups? \((?P<k>\d+) runs?\)\. Their last bits",
     "{d} の実行には、違う演算環境で学習したものが混ざっています：{n1} 本（例：{e1}）は {t1}、{n2} 本（例：{e2}）は "
     "{t2}、ほか {m} 種類（{k} 本）。違うコードで学習した場合と同じく、下位の桁が違ったり、カオス的な実行では正解率が"
     "変わったりすることがあります。すべてを今の環境で学習し直すには、別の --out を指定してください"),
    (r"the runs in (?P<d>.+?) were trained with different arithmetic: (?P<n1>\d+) runs? \((?:e\.g\. )?(?P<e1>[^)]+)\) "
     r"with (?P<t1>.+?); (?P<n2>\d+) runs? \((?:e\.g\. )?(?P<e2>[^)]+)\) with (?P<t2>.+?)\. Their last bits",
     "{d} の実行には、違う演算環境で学習したものが混ざっています：{n1} 本（例：{e1}）は {t1}、{n2} 本（例：{e2}）は "
     "{t2}。違うコードで学習した場合と同じく、下位の桁が違ったり、カオス的な実行では正解率が変わったりすることがあります。"
     "すべてを今の環境で学習し直すには、別の --out を指定してください"),
    (r"the sweep's worker processes run other optimlab code \(source SHA-256 (?P<t>\S+) there, (?P<n>\S+) here\)",
     "スイープのワーカーは、このプロセスとは違う optimlab のコードで動いています（ソースの SHA-256 の先頭：ワーカー {t}、"
     "ここ {n}）。各実行の status.json には学習したコードが記録されます。このプロセスで学習した場合と数値が違うことがあります"),
    # the advice as the English line gives it: {3, 7} were told to subtract 1 here after the English had changed
    (r"y_train has no label (?P<l>[\d, …]+?) \(.*renumber them 0 to (?P<k>\d+)",
     "y_train にラベル {l} がありません。np.unique(y, return_inverse=True)[1] で 0〜{k} に番号を付け直してください"),
    (r"y_train has no label 0 \(.*subtract 1", "y_train にラベル 0 がありません。ラベルが 1 から始まるなら 1 を引いてください"),
    (r"x_train's column (?P<c>\d+) has a root mean square of (?P<r>\S+) after scaling",
     "x_train の列 {c} の二乗平均平方根が {r} です。1 から大きく離れた入力ではネットワークがうまく学習しません。"
     "各特徴量を訓練データの平均と標準偏差で標準化してください（x_test も同じ値で）"),
]


def japanese_warning(message: str) -> str:
    """A Japanese line for one of optimlab's warnings (printed before the English one under ``--lang ja``)."""
    for pattern, text in _JA_WARNINGS:
        m = re.search(pattern, message)
        if m:        # lists in a Japanese sentence: options 「activation relu、init he」, run ids; labels 「'A' と 'B'」
            fields = {k: v or "" for k, v in m.groupdict().items()}     # (paths and labels as they are: a review)
            for k in ("g", "r"):
                fields[k] = fields.get(k, "").replace(", ", "、")
            if "labels" in fields:
                fields["labels"] = re.sub(r"(?<=['\"]) and (?=['\"])", " と ", fields["labels"])
            return text.format(**fields)
    return "注意してください（内容は次の英語の行にあります）"


def japanese_error(message: str) -> str:
    """A Japanese line for an error ``message`` (printed before the English one under ``--lang ja``): what went
    wrong and what to type instead for the errors a student meets first, else that the next line says it."""
    for pattern, text in _JA:
        m = re.search(pattern, message)
        if m:
            near = re.search(r"did you mean '([^']*)'\?", message)
            fields = {k: (v or "").replace("\\u3000", "\u3000") for k, v in m.groupdict().items()}
            wide = "（名前に全角スペースがあります）" if any("\u3000" in v for v in fields.values()) else ""
            if "a" in fields:
                fields["A"] = accepted_ja(fields["a"])
                if 0 <= message.find("accepted") < m.start("a"):   # a list of accepted values, not a value or a path
                    fields["a"] = fields["a"].replace(", ", "、")    # 「sgd、momentum、adagrad」 (a Japanese review)
            for k in ("t", "s"):        # seeds as a list, not Python's: 「0、1」 for "[0, 1]"
                if re.fullmatch(r"\[[\d, ]*\]", fields.get(k) or ""):
                    fields[k] = fields[k][1:-1].replace(", ", "、")
            if "v" in fields:           # a positional argument argparse names by its variable (a Japanese review)
                fields["V"] = {"name": "データセットの名前", "RUN_DIR": "結果のフォルダ（RUN_DIR）"}.get(
                    fields["v"], fields["v"].replace(", ", "、") + " ")
            for k in ("z", "h"):        # a TOML line's full-width space, named: it is not seen
                if k in fields:
                    fields[k] = (fields[k].replace("a full-width space", "全角スペース").replace("a space", "半角スペース")
                                 .replace("full-width ", "").replace(", ", "、"))
            for k in ("lo", "hi"):      # 「1〜1,438」, as the counts beside it are written
                if (fields.get(k) or "").isdigit():
                    fields[k] = f"{int(fields[k]):,}"
            if "w" not in fields and re.fullmatch(r"iters|eval_interval|batch_size", fields.get("o", "")):  # typed
                fields["o"] = "--" + fields["o"].replace("_", "-")
            if "w" in fields:           # what a path is, for --dataset npz
                fields["W"] = {"does not exist": "見つかりません", "is a folder": "フォルダです",
                               "is not a regular file": "通常のファイルではありません"}.get(fields["w"], fields["w"])
            for k in ("a", "b"):        # a setting a run's record lacks (_differences says 'missing')
                if fields.get(k) == "'missing'":
                    fields[k] = "記録なし"
            if "c" in fields:           # paths per optimizer: 「SGD 8 本、Momentum 1 本」
                fields["C"] = re.sub(r" (\d+)(?=, |$)", r" \1 本", fields["c"]).replace(", ", "、")
            if "one" in fields:         # a bare count given where one seed was meant
                fields["alone"] = f"（シード {fields['one']} だけなら {fields['as_one']} と書いてください）" if fields["one"] else ""
            # an optimizer a plugin file would have registered: why it did not is in the English line
            plugin = f"。{PLUGIN_FILES} のファイルに読み込めなかったものがあります（次の英語の行）" \
                if f"; {PLUGIN_FILES} file " in message else ""
            said = text.format(**fields)
            last = said[said.rfind("（"):] if said.endswith("）") else ""
            if near and ("使える" in last or "できるのは" in last):     # the list's parentheses end the line: one pair
                said = said[:-1] + f"。もしかして {near[1]}？）"
            elif near:                  # after a note in parentheses too (what data fetch says of bundled datasets)
                said += f"（もしかして {near[1]}？）"
            return said + wide + plugin
    return "入力に誤りがあります（詳しくは次の英語の行を見てください）"
