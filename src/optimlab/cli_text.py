"""What a student types, read as meant; what went wrong, said in Japanese too.

A Japanese input method types full-width characters: ``０．０１``, ``adam＝0.001``, ``sgd，adam``, ``0〜4``, and
an ideographic space (U+3000) that looks like a space but joins two words into one (``--lang　ja``). Every one
was refused, in an English line that quoted what looked right. :func:`half_width` reads them as ASCII, except in
the values of options that name files (a folder may be called ``実験　１``). Under ``--lang ja``,
:func:`japanese_error` puts a Japanese line before the English one for the errors a student meets first.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from .errors import did_you_mean  # noqa: F401 - the CLI's, with the rest of what it says

PATH_OPTIONS = frozenset({"--out", "--data-dir", "--recipe", "--mirror", "--scheduler-file", "--cluster", "--name"})
FLAGS = frozenset({"-h", "--help", "--version", "--no-plots", "--no-report", "--no-progress", "--no-gif",
                   "--telemetry"})
RANGE_OPTIONS = frozenset({"--seeds", "--test-seeds"})
LANG_WORDS = {"ja": "ja", "jp": "ja", "jpn": "ja", "japanese": "ja", "日本語": "ja", "en": "en", "eng": "en",
              "english": "en", "英語": "en"}
ON_OFF_WORDS = {"true": "on", "yes": "on", "1": "on", "false": "off", "no": "off", "0": "off"}
_LEADING_DASH = ("—", "–", "―")         # a word processor's or a slide's '--' (autocorrected into one dash)


def half_width(argv: Sequence[str]) -> list[str]:
    """``argv`` with its options read as ASCII (NFKC: full-width letters, digits, ．，＝－ and U+3000; then 、 → ,
    and 。 → .), the values of file options (:data:`PATH_OPTIONS`) and positional words (a report's folder) as
    typed. ``--lang　ja`` (U+3000) is two words; ``—lang`` is ``--lang``; ``〜``, ``～`` and ``ー`` in seed ranges
    are ``-``; the words of ``--lang``, ``--activation``, ``--dtype`` and ``--batchnorm`` are lower-cased, with
    ``jp`` for ``ja`` and true/yes/false/no for on/off."""
    out: list[str] = []
    value_of: str | None = None
    for word in argv:
        if value_of is not None:                # the value of the option before it
            out.append(word if value_of in PATH_OPTIONS else _value(word, value_of))
            value_of = None
            continue
        if word.startswith(_LEADING_DASH):
            word = "--" + word[1:]
        if not word.startswith(("-", "－")) or word in ("-", "－"):
            out.append(word)
            continue
        name, sep, value = re.fullmatch(r"([^=＝]*)([=＝]?)(.*)", word, re.S).groups()
        name = unicodedata.normalize("NFKC", name)
        if sep == "" and " " in name.strip():       # an ideographic space inside one word: two words
            raw = re.split(r"[\s\u3000]+", word.strip(), maxsplit=1)
            name, value = unicodedata.normalize("NFKC", raw[0]), raw[1]
            out.append(name)
            out.append(value if name in PATH_OPTIONS else _value(value, name))
            continue
        name = name.strip()
        if sep:
            out.append(f"{name}={value if name in PATH_OPTIONS else _value(value, name)}")
        else:
            out.append(name)
            if name not in FLAGS:
                value_of = name
    return out


def _value(value: str, option: str) -> str:
    v = unicodedata.normalize("NFKC", value).replace("、", ",").replace("。", ".").replace("−", "-").strip()
    if option in RANGE_OPTIONS:
        v = re.sub("[〜~ー―—–]", "-", v)
    if option == "--lang":
        v = LANG_WORDS.get(v.lower(), v.lower())
    elif option == "--batchnorm":
        v = ON_OFF_WORDS.get(v.lower(), v.lower())
    elif option in ("--activation", "--dtype"):
        v = v.lower()
    return v


def lang_of(argv: Sequence[str]) -> str:
    """The language ``--lang`` asks for in ``argv`` (read as :func:`half_width` reads it), ``en`` when none does:
    for an error that comes before the options are parsed, or from parsing them."""
    words = half_width(argv)
    for i, w in enumerate(words):
        if w == "--lang" and i + 1 < len(words):
            return "ja" if words[i + 1] == "ja" else "en"
        if w.startswith("--lang="):
            return "ja" if w.split("=", 1)[1] == "ja" else "en"
    return "en"


_JA: list[tuple[str, str]] = [
    (r"unknown optimizer: '(?P<v>[^']*)'.*?\(accepted: (?P<a>[^;)]*)",
     "最適化手法 '{v}' はありません。使えるのは {a} です"),
    (r"unknown dataset '(?P<v>[^']*)'; accepted: (?P<a>[^;]*)",
     "データセット '{v}' はありません。使えるのは {a} です"),
    (r"invalid --lr: '(?P<v>[^']*)'", "--lr の値 '{v}' を学習率として読めません。--lr 0.01 や --lr adam=0.001 のように書いてください"),
    (r"invalid (?:--)?(?:test-)?seeds: '(?P<v>[^']*)'",
     "シードの指定 '{v}' を読めません。5（個数）、0-4（範囲）、0,3,7（一覧）のように書いてください"),
    (r"unrecognized arguments: (?P<v>.*?) \(accepted",
     "{v} はこのコマンドのオプションではありません。使えるオプションは --help で見られます"),
    (r"invalid (?:command|COMMAND): '(?P<v>[^']*)' \(accepted: (?P<a>[^;)]*)", "コマンド '{v}' はありません。使えるのは {a} です"),
    (r"invalid (?P<o>--[\w-]+): '?(?P<v>[^' ]*)'? \(accepted: (?P<a>[^;)]*)", "{o} の値 '{v}' は使えません（使えるもの：{a}）"),
    (r"refusing to replace '(?P<v>[^']*)'",
     "'{v}' は optimlab の結果のフォルダではないので、上書きしません（中身はそのままです）。--out で別のフォルダを指定してください"),
    (r"run directory not found: '(?P<v>[^']*)'", "結果のフォルダ '{v}' が見つかりません"),
    (r"could not download (?P<v>\S+)",
     "{v} をダウンロードできませんでした。インターネットにつながらないときは --dataset mnist-5k（同梱の MNIST 5,000 枚）や "
     "fashion-mnist が使えます"),
]


def japanese_error(message: str) -> str:
    """A Japanese line for an error ``message`` (printed before the English one under ``--lang ja``): what went
    wrong and what to type instead for the errors a student meets first, else that the next line says it."""
    for pattern, text in _JA:
        m = re.search(pattern, message)
        if m:
            near = re.search(r"did you mean '([^']*)'\?", message)
            return text.format(**m.groupdict()) + (f"（もしかして {near[1]}？）" if near else "")
    return "エラーです（内容は次の行に英語で書いてあります）"
