"""What the command line prints in Japanese (``--lang ja``): every text exists in both languages with the same
placeholders, the tables stay aligned with wide characters, and the commands print them."""

import string
import subprocess
import sys

import pytest

from optimlab._io import _display_width
from optimlab.console import TEXT, say
from optimlab.errors import ConfigError


def _fields(text):
    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)


def test_every_text_is_in_both_languages_with_the_same_placeholders():
    assert TEXT["en"].keys() == TEXT["ja"].keys()
    for key in TEXT["en"]:
        assert _fields(TEXT["en"][key]) == _fields(TEXT["ja"][key]), key


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(ConfigError, match=r"unknown language: 'fr' \(accepted: en, ja\)"):
        say("run", "fr")


def _summary(values, statuses=None):
    runs = []
    for label, vals in values.items():
        for seed, v in enumerate(vals):
            runs.append({"label": label, "optimizer": label.lower(), "seed": seed, "hyperparameters": {"lr": 0.01},
                         "final_test_accuracy": v, "best_test_accuracy": v, "final_train_accuracy": v,
                         "wall_seconds": 1.0, "status": (statuses or {}).get((label, seed), "ok")})
    return {"runs": runs, "seeds": list(range(len(next(iter(values.values())))))}


def test_the_compare_table_and_seed_report_in_japanese():
    from optimlab.results import format_seed_report, summary_table

    s = _summary({"SGD": [0.1, 0.2, 0.15], "Adam + BatchNorm": [0.9, 0.92, None]},
                 statuses={("Adam + BatchNorm", 2): "diverged"})
    ja, en = summary_table(s, "ja"), summary_table(s, "en")
    head = ja.splitlines()[0].split()
    assert head == ["実行", "最適化手法", "学習率", "最終テスト正答率", "最高テスト正答率", "最終ミニバッチ正答率",
                    "所要時間（秒）", "状態"]
    assert ja.splitlines()[3].endswith("  発散/完了") and en.splitlines()[3].endswith("  diverged/ok")
    assert ja.splitlines()[-1].startswith("（値のあるシードでの平均±標準偏差。")
    report = format_seed_report(s, "ja")
    assert report.splitlines()[0].startswith("シード間の最終テスト正答率（平均 ± 95% 信頼区間。")
    assert "（3 シード、発散・失敗 1）" in report
    assert "SGD − Adam + BatchNorm：" in report and "（3 シード中 1 シードで SGD が上）" in report
    assert "better" not in report and "seeds" not in report


def test_the_header_columns_line_up_in_terminal_columns():
    """Wide characters count two columns: each column starts where its rule starts, in the header too."""
    from optimlab.results import summary_table

    table = summary_table(_summary({"SGD": [0.1]}), "ja").splitlines()
    rule = table[1]
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]

    def column_starts(line):
        out, col, prev = [], 0, " "
        for ch in line:
            if ch != " " and prev == " ":
                out.append(col)
            col += _display_width(ch)
            prev = ch
        return out

    assert column_starts(table[0]) == starts
    assert column_starts(table[2]) == starts


def test_compare_prints_japanese_with_lang_ja(tmp_path):
    r = subprocess.run([sys.executable, "-m", "optimlab", "compare", "--dataset", "digits", "--iters", "20",
                        "--optimizers", "sgd,adam", "--seeds", "3", "--lang", "ja", "--out", str(tmp_path / "ja"),
                        "--no-progress", "--no-plots", "--no-report"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0].split()[:3] == ["実行", "最適化手法", "学習率"] and "（シード間の平均±標準偏差）" in out
    assert any(line.startswith("同じシードどうしの差（a − b、") for line in out)
    assert out[-1].startswith("学習 ") and f"結果：{tmp_path / 'ja'}/" in out[-1]
    assert "データセット：digits（訓練 1,438 件 / テスト 359 件、入力 64 次元、10 クラス、" in r.stderr
    en = subprocess.run([sys.executable, "-m", "optimlab", "compare", "--dataset", "digits", "--iters", "20",
                         "--optimizers", "sgd", "--out", str(tmp_path / "en"), "--no-progress", "--no-plots",
                         "--no-report"], capture_output=True, text=True, timeout=300)
    assert en.returncode == 0 and en.stdout.splitlines()[0].startswith("run  ") and "dataset: digits (1,438 train" \
        in en.stderr and en.stdout.splitlines()[-1].startswith("training ")


def test_landscape_and_report_print_japanese(tmp_path, capsys):
    from optimlab.cli import main

    assert main(["landscape", "--function", "saddle", "--optimizers", "sgd,adam", "--lr", "sgd=50", "--steps", "30",
                 "--out", str(tmp_path / "l"), "--no-gif", "--lang", "ja"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["最適化手法", "学習率", "最終", "x", "最終", "y", "最終", "f", "最小点までの距離",
                              "ステップ数"]
    assert "ステップ目で発散）" in out[2] and out[-1].startswith("書き出したファイル：") and "、" in out[-1]
    assert main(["compare", "--dataset", "digits", "--iters", "10", "--optimizers", "sgd", "--out",
                 str(tmp_path / "c"), "--no-progress", "--no-plots", "--no-report"]) == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "c"), "--lang", "ja", "--out", str(tmp_path / "r.html")]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"レポート：{tmp_path / 'r.html'}（") and line.endswith(" MB）")
