"""What the command line prints in Japanese (``--lang ja``): every text exists in both languages with the same
placeholders, the tables stay aligned with wide characters, and the commands print them."""

import string
import subprocess
import sys

import pytest

from optimlab._io import display_width
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
            runs.append({"label": label, "optimizer": label.split()[0].lower(), "seed": seed,
                         "hyperparameters": {"lr": 0.01}, "final_test_accuracy": v, "best_test_accuracy": v,
                         "final_train_accuracy": v, "wall_seconds": 1.25,
                         "status": (statuses or {}).get((label, seed), "ok")})
    return {"runs": runs, "seeds": list(range(len(next(iter(values.values())))))}


def compare_summary():
    """Three seeds; a run with a diverged seed, and one with no value at all (failed, diverged, an unknown status)."""
    return _summary({"SGD": [0.1, 0.2, 0.15], "Adam + BatchNorm": [0.9, 0.92, None], "RMSProp": [None, None, None]},
                    {("Adam + BatchNorm", 2): "diverged", ("RMSProp", 0): "failed", ("RMSProp", 1): "diverged",
                     ("RMSProp", 2): "weird"})


def sweep_summary():
    return {
        "targets": [0.8, 0.9],
        "defaults_vs_tuned": {
            "SGD": {"default_lr": 0.01, "default_test_acc": 0.1, "default_lo": 0.1, "default_hi": 0.1,
                    "default_not_ok": 0, "tuned_lr": 1.0, "at_grid_edge": True, "tuned_val_acc": 0.6927,
                    "tuned_test_acc": 0.6899, "tuned_lo": 0.6659, "tuned_hi": 0.7139, "tuned_not_ok": 1,
                    "gain": 0.5899},
            "Adam": {"default_lr": 0.01, "default_test_acc": None, "default_lo": None, "default_hi": None,
                     "default_not_ok": 3, "tuned_lr": 0.001, "at_grid_edge": False, "tuned_val_acc": None,
                     "tuned_test_acc": 0.8, "tuned_lo": None, "tuned_hi": None, "tuned_not_ok": 0, "gain": None}},
        "time_to_target": {
            "SGD": {"lr": 1.0, "seconds_comparable": True,
                    "targets": {"0.8": {"reached": 2, "n": 3, "iters_median": 450.0, "seconds_median": 0.214},
                                "0.9": {"reached": 0, "n": 3, "iters_median": None, "seconds_median": None}}},
            "Adam": {"lr": 0.001, "seconds_comparable": False,
                     "targets": {"0.8": {"reached": 3, "n": 3, "iters_median": 700.0, "seconds_median": 0.49},
                                 "0.9": {"reached": 1, "n": 3, "iters_median": 900.0, "seconds_median": None}}}},
    }


# The English output, byte for byte as it was before the texts moved into optimlab.console (generated with the
# earlier code from the same summaries), but for two deliberate changes: a label with an operator is bracketed in
# a difference ("SGD − (Adam + BatchNorm)"), the note under the table says train s is the sum over the seeds, and a
# cell with no value is "—" (as in the report and the seed statistics) instead of "nan"; "wall s" became "train s",
# each run's measured share of the training steps (it was an equal share of the wall time), said under the table.
# The heading of the paired differences also says what ** means (Holm's correction), and no pair here has it.
# A last line under the table says the best test accuracy was picked on the test set. The sweep table's gain column
# says it has the paired 95 % interval (none here: no per-seed values). Under the time-to-target table, a line says
# what "450 (2/3)" is: the median over the seeds that reached the target (a review read it as the median of all three).
# A pair of runs whose means are both at most chance + 0.1 (SGD at 0.15, RMSProp diverged: 0) says so.
ENGLISH = {
    "summary_table": 'run               optimizer  lr    final test acc       best test acc        final batch acc      train s  status\n----------------  ---------  ----  -------------------  -------------------  -------------------  -------  ---------------------\nSGD               sgd        0.01  0.1500±0.0500        0.1500±0.0500        0.1500±0.0500        3.75     ok\nAdam + BatchNorm  adam       0.01  0.9100±0.0141 (2/3)  0.9100±0.0141 (2/3)  0.9100±0.0141 (2/3)  3.75     diverged/ok\nRMSProp           rmsprop    0.01  —                    —                    —                    3.75     diverged/failed/weird\n(mean±sd over the seeds that have a value; (k/n): k of n seeds have one — a run that diverged or failed has none, and the statistics below count it as 0; train s: the sum over the seeds)\n(train s: each run\'s share of the training steps — the passes it shares with the runs beside it split equally, plus its own optimizer\'s updates; evaluation not counted)\n(best test acc: the highest of the test-set evaluations, so picked on the test set and optimistic; compare runs by the final one)\n(diverged: its weights or outputs stopped being finite numbers, most often because the learning rate is too large for it; try a smaller one, e.g. --lr adam=0.001,rmsprop=0.001)',
    "format_seed_report": 'final test accuracy over seeds (mean ± 95% CI; a seed that diverged or failed counts as 0):\n  SGD                      0.1500 ± 0.1242  (n=3)\n  Adam + BatchNorm         0.6067 ± 1.3054 (an accuracy lies in [0, 1]: 0.0000–1.0000)  (n=3, 1 diverged or failed)\n  RMSProp                  0.0000 ± 0.0000  (n=3, 3 diverged or failed)\npaired differences, same seeds (a − b, mean ± 95% CI; * = CI excludes 0 over >= 3 seeds; ** = still so after Holm\'s correction for the 3 pairs compared over that many seeds):\n  SGD − (Adam + BatchNorm): -0.4567 ± 1.3089  (SGD better on 1 of 3 seeds)\n  SGD − RMSProp: +0.1500 ± 0.1242  (SGD better on 3 of 3 seeds) *  (both means at most 0.20, chance + 0.1: neither learned on average, so this says nothing of the optimizers)\n  (Adam + BatchNorm) − RMSProp: +0.6067 ± 1.3054  (Adam + BatchNorm better on 2 of 3 seeds, 1 tied)',
    "defaults_table": 'optimizer  note lr  test acc (note lr)        tuned lr  val acc (tuning)  test acc (tuned)                                gain [paired 95% CI]\n---------  -------  ------------------------  --------  ----------------  ----------------------------------------------  --------------------\nSGD        0.01     0.1000 [0.1000, 0.1000]   1*        0.6927            0.6899 [0.6659, 0.7139] (1 diverged or failed)  +0.5899\nAdam       0.01     — (3 diverged or failed)  0.001     —                 0.8000                                          —\n* at the edge of the grid: the best lr may lie outside it',
    "time_to_target_table": 'optimizer  tuned lr  iters to 0.8  s to 0.8  iters to 0.9  s to 0.9\n---------  --------  ------------  --------  ------------  --------\nSGD        1         450 (2/3)     0.21      never         -\nAdam       0.001     700           ?         900 (1/3)     ?\n(450 (2/3): 2 of the 3 fresh seeds reached the target, the median of them at iteration 450; the other 1 never did)\n? seconds not comparable: the fresh-seed runs trained in tasks of different sizes (a resumed sweep, or one from an earlier version); compare iterations',
}


def test_the_english_tables_are_unchanged():
    from optimlab.experiment.sweep import defaults_table, time_to_target_table
    from optimlab.results import format_seed_report, summary_table

    assert summary_table(compare_summary()) == ENGLISH["summary_table"]
    assert format_seed_report(compare_summary()) == ENGLISH["format_seed_report"]
    assert defaults_table(sweep_summary()) == ENGLISH["defaults_table"]
    assert time_to_target_table(sweep_summary()) == ENGLISH["time_to_target_table"]


def test_the_compare_table_and_seed_report_in_japanese():
    from optimlab.results import format_seed_report, summary_table

    ja = summary_table(compare_summary(), "ja").splitlines()
    assert ja[0].split() == ["実行", "最適化手法", "学習率", "最終テスト正解率", "最高テスト正解率", "最終ミニバッチ正解率",
                             "学習時間（秒）", "状態"]
    assert ja[3].endswith("  発散/完了") and ja[4].endswith("  発散/失敗/weird")     # an unknown status as it is
    assert ja[-4].startswith("（値のあるシードでの平均 ± 標準偏差。") and ja[-3].startswith("（学習時間：")
    assert ja[-2].startswith("（最高テスト正解率：テストデータでの評価のうち最も高い値。")
    assert ja[-1] == "（発散：重みや出力が有限の数でなくなりました。多くは学習率が大きすぎるためです。小さくしてみてください。例：--lr adam=0.001,rmsprop=0.001）"
    report = format_seed_report(compare_summary(), "ja").splitlines()
    assert report[0] == "シード間の最終テスト正解率（平均 ± 95% 信頼区間。発散・失敗したシードは 0 として数えます）："
    assert report[2] == "  Adam + BatchNorm         0.6067 ± 1.3054（3 シード、うち 1 シードが発散・失敗。正解率は 0〜1 なので区間は 0.0000〜1.0000）"
    assert report[4].startswith("対応のある差（同じシードどうし、a − b、平均 ± 95% 信頼区間。* は信頼区間が 0 を含まない差で、3 シード")
    assert report[5] == "  SGD − (Adam + BatchNorm)：-0.4567 ± 1.3089（SGD が上回ったのは 3 シード中 1 シード）"
    assert report[7].endswith("（Adam + BatchNorm が上回ったのは 3 シード中 2 シード、1 シードで同点）")
    none = format_seed_report(_summary({"a": [0.6, 0.7], "b": [None, None]}, {("b", 0): "ok", ("b", 1): "ok"}), "ja")
    assert "  b                        —（値があるのは 2 シード中 0 シード）" in none.splitlines()
    assert "  a − b：両方に値のあるシードがありません" in none.splitlines()


def test_the_sweep_tables_in_japanese():
    from optimlab.experiment.sweep import defaults_table, time_to_target_table

    d = defaults_table(sweep_summary(), "ja").splitlines()
    assert d[0].endswith("  差 [対応あり 95% 信頼区間]")      # gain [paired 95% CI], as wide as its values
    # a Japanese student's terminal: the last header made the table 20 columns wider than its rows (162 against 142
    # on digits), so it wrapped where the rows did not; now it is no wider than a gain with its interval
    from optimlab._io import display_width
    assert display_width(d[0].split("  ")[-1].strip()) <= len("+0.5899 [+0.5659, +0.6139]"), d[0]
    assert "0.6899 [0.6659, 0.7139]（1 シードで発散・失敗）" in d[2] and "—（3 シードで発散・失敗）" in d[3]
    assert d[-1] == "* グリッドの端：最良の学習率はグリッドの外にあるかもしれません"
    t = time_to_target_table(sweep_summary(), "ja").splitlines()
    assert t[0].split() == ["最適化手法", "選ばれた学習率", "0.8", "までの反復回数", "0.8", "までの秒数", "0.9",
                            "までの反復回数", "0.9", "までの秒数"]
    assert t[2].split() == ["SGD", "1", "450", "(2/3)", "0.21", "未到達", "-"]
    assert t[-1].startswith("? の秒数は比べられません。新しいシードでの実行が大きさの違うタスクで学習されたためです")
    assert t[-2] == ("（450 (2/3)：新しいシード 3 個のうち目標に達したのは 2 個で、その中央値が反復 450 回です。"
                     "残りの 1 個は達しませんでした）")


def test_numbers_can_be_flush_right():
    from optimlab._io import text_table

    assert text_table(["name", "value"], [["a", "1.5"], ["最適化", "-10"]], right=[1]).splitlines() == [
        "name    value", "------  -----", "a         1.5", "最適化    -10"]


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
            col += display_width(ch)
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
    assert out[0].split()[:3] == ["実行", "最適化手法", "学習率"] and "（シード間の平均 ± 標準偏差。学習時間はシードの合計）" in out
    assert any(line.startswith("対応のある差（同じシードどうし、a − b、") for line in out)
    assert out[-1].startswith("学習と評価 ") and out[-1].endswith(f" 秒。結果の保存先：{tmp_path / 'ja'}/")
    assert "図の描画" not in out[-1]                                     # --no-plots: no figures were drawn
    assert "データセット：digits（訓練 1,438 枚 / テスト 359 枚、入力 64 次元、10 クラス、" in r.stderr
    en = subprocess.run([sys.executable, "-m", "optimlab", "compare", "--dataset", "digits", "--iters", "20",
                         "--optimizers", "sgd", "--out", str(tmp_path / "en"), "--no-progress", "--no-plots",
                         "--no-report"], capture_output=True, text=True, timeout=300)
    assert en.returncode == 0 and en.stdout.splitlines()[0].startswith("run  ") and "dataset: digits (1,438 train" \
        in en.stderr and en.stdout.splitlines()[-1].startswith("training and evaluation ")


def test_landscape_and_report_print_japanese(tmp_path, capsys):
    from optimlab.cli import main

    assert main(["landscape", "--function", "saddle", "--optimizers", "sgd,adam", "--lr", "sgd=50", "--steps", "30",
                 "--out", str(tmp_path / "l"), "--no-gif", "--lang", "ja"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["最適化手法", "学習率", "最終", "x", "最終", "y", "最終", "f", "最も近い最小点までの距離",
                              "ステップ数"]
    assert "ステップ目で発散）" in out[2] and out[-1].startswith("書き出したファイル：") and "、" in out[-1]
    assert main(["compare", "--dataset", "digits", "--iters", "10", "--optimizers", "sgd", "--out",
                 str(tmp_path / "c"), "--no-progress", "--no-plots", "--no-report"]) == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "c"), "--lang", "ja", "--out", str(tmp_path / "r.html")]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"レポート：{tmp_path / 'r.html'}（") and line.endswith(" MB）")


def test_the_landscape_table_in_both_languages():
    from optimlab.viz.landscape_cli import format_summary

    rows = [{"optimizer": "sgd", "lr": 50.0, "x": 1455000.0, "y": -51250.0, "f": 1.7248e18, "distance": 1456000.0,
             "steps": 3, "diverged_at": 4},
            {"optimizer": "momentum", "lr": 0.02, "x": 0.10221, "y": 1.4481, "f": -0.987251, "distance": 0.10757,
             "steps": 50, "diverged_at": None}]
    assert format_summary(rows).splitlines() == [
        "optimizer    lr    final x     final y     final f  dist to min  steps",
        "---------  ----  ---------  ----------  ----------  -----------  -----------------",
        "SGD          50  1.455e+06  -5.125e+04  1.7248e+18    1.456e+06  3 (diverged at 4)",
        "Momentum   0.02     0.1022       1.448    -0.98725       0.1076  50"]
    ja = format_summary(rows, "ja").splitlines()
    assert ja[0].split() == ["最適化手法", "学習率", "最終", "x", "最終", "y", "最終", "f", "最も近い最小点までの距離",
                             "ステップ数"]
    assert ja[2].endswith("  3（4 ステップ目で発散）")


@pytest.mark.parametrize("label, shown", [
    ("Adam + BatchNorm", "(Adam + BatchNorm)"), ("Adam+BN", "(Adam+BN)"), ("a − b", "(a − b)"), ("a – b", "(a – b)"),
    ("(Adam + BN)", "(Adam + BN)"), ("(A) + (B)", "((A) + (B))"), ("(a) − (b)", "((a) − (b))"), ("adam-bn", "adam-bn"), ("lr=1e-3", "lr=1e-3"), ("SGD (init=he)", "SGD (init=he)")])
def test_a_label_with_an_operator_is_bracketed_in_a_difference(label, shown):
    from optimlab.console import operand

    assert operand(label) == operand(label, "ja") == shown


@pytest.mark.parametrize("lang, says", [("en", "(an interval ending at 0.0000 or 1.0000, or a gain's at -1.0000 or "
                                                "+1.0000, reached past it and is cut there: an accuracy lies in [0, 1],"),
                                        ("ja", "（0.0000 や 1.0000 で終わる区間と、差の -1.0000 や +1.0000 で終わる区間は、その外まで")])
def test_the_sweep_table_says_when_an_interval_was_cut_at_1(lang, says):
    """A review read AdaGrad's "0.9044 [0.7840, 1.0000]" as "up to 100 %": the t interval of 3 seeds reached past 1
    and was cut there without a word. A line under the table says so, only when an interval was cut."""
    from optimlab.experiment.sweep import defaults_table

    s = sweep_summary()
    assert says not in defaults_table(s, lang)
    s["defaults_vs_tuned"]["SGD"].update(tuned_test_acc=0.9044, tuned_lo=0.7840, tuned_hi=1.0)
    assert defaults_table(s, lang).splitlines()[4].startswith(says)       # right under the table, above the * line
    s["defaults_vs_tuned"]["SGD"].update(tuned_test_acc=1.0, tuned_lo=1.0, tuned_hi=1.0)   # every seed at 1: not cut
    assert says not in defaults_table(s, lang)
