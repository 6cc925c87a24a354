"""The sweep report's words in English and Japanese; anything not here falls back to :mod:`.report_text`.

Conclusion templates only phrase facts computed from ``summary.json`` (see
:func:`optimlab.viz.report_sweep.compute_sweep_conclusions`).
"""

from __future__ import annotations

import re

from ..console import setting_text
from .i18n import check_lang
from .report_text import rt

SWEEP_TEXT = {
    "en": {
        "sweep title": "Learning-rate sweep", "sweep": "sweep",
        "grid meta": "{opts} optimizer setting{s_opts} × {lrs} learning rate{s_lrs} × {seeds} tuning seed{s_seeds}; "
                     "{tests} test seed{s_tests}",
        "runs meta": "{runs} runs, {wall} s",
        "sensitivity help": "Mean final validation accuracy over the tuning seeds at each learning rate (log axis); "
                            "with 3 or more seeds, bands are 95% confidence intervals (Student t); rings mark the tuned lr "
                            "(of settings that learned). Hover for "
                            "values; click a legend entry to hide or show an optimizer; drag to zoom, double-click "
                            "to reset. From the keyboard, Tab reaches a row of buttons, one per line (← → between them, Enter to hide or show).",
        "curves": "Validation accuracy at the tuned learning rates",
        "curves help": "Mean over the tuning seeds at each optimizer's tuned lr, read from the run folders; "
                       "with 3 or more seeds, bands are 95% confidence intervals; markers show the evaluations when there "
                       "are few.",
        "val accuracy": "validation accuracy", "final val accuracy": "final validation accuracy",
        "defaults": "The note's defaults vs tuned",
        "defaults help": "Test accuracy on fresh seeds (mean [95% CI]) at the note's default lr and at the lr tuned on "
                         "validation accuracy. ⚠ marks a tuned lr at the edge of the grid (for a setting that learned); † a setting at "
                         "chance on the validation split at every lr (best at most chance + 0.1, or + half the room above a chance over 0.8): its tuned lr and gain "
                         "are noise. An interval that reached past 0 or 1 is cut there (an accuracy lies in [0, 1]), a gain's past -1 or +1 "
                         "likewise. "
                         "Click a column header to sort.",
        "ttt": "Time to target", "ttt help": "At the tuned lr, over the fresh seeds: how many reached the validation "
                                              "accuracy target, and the median iterations and seconds to it. A model's "
                                              "seconds are its training time: an equal share of the forward and backward "
                                              "passes it shares with the models trained beside it (every fresh-seed run "
                                              "of a seed trains in one task) plus its own optimizer's updates; "
                                              "evaluation is not counted. ? : not comparable, because the fresh-seed runs "
                                              "trained in tasks of different sizes (a resumed sweep, or one from an "
                                              "earlier version).",
        "grid table": "Validation accuracy at every learning rate",
        "setting": "optimizer", "note lr": "note lr", "test note": "test acc (note lr)", "tuned lr": "tuned lr",
        "val tuned": "val acc (tuning)", "test tuned": "test acc (tuned)", "gain col": "gain [paired 95% CI]", "not ok": "diverged/failed", "nav defaults": "Defaults vs tuned",
        "reached": "reached {t}", "iters to": "iterations to {t}", "s to": "s to {t}",
        "sensitivity png": "Sensitivity figure",
        "no script": "JavaScript is off, so the interactive charts are not drawn; the tables below give the same "
                     "results, and the figures too where the run drew them.",
        "sensitivity alt": "Mean final validation accuracy over the tuning seeds at each learning rate", "no png": "No sensitivity figure in this folder (made with --no-plots).",
        "no sweep toml": "sweep.toml is missing from this folder.",
        "optimizers used": "Optimizers as trained (every setting but the tuned lr)", "class": "class",
        "settings": "settings", "code sha": "code SHA-256",
        "executor": "executor", "generated with": "Report generated with (the sweep did not record its environment)",
        "selection": "selection", "split": "validation split", "val size": "validation size", "notice": "notice",
        "runs": "runs", "trained skipped": "trained / already complete", "total wall": "total wall seconds",
        "selection rule": "best mean final validation accuracy over the tuning seeds; diverged/failed runs count as 0",
        "split fraction": "validation share of the training set", "split max": "validation at most",
        "split seed": "split seed", "split strat": "stratified by class", "yes": "yes", "no": "no",
        "ex workers": "workers", "ex threads": "threads", "ex how": "cluster", "ex start": "process start method",
        "ex blas": "BLAS threads per worker", "ex restarts": "pool restarts (a worker died)",
        "ex chunks": "tasks per seed's tuning runs", "ex scheduler": "scheduler", "ex dashboard": "dashboard",
        # conclusions ----------------------------------------------------------------------------------------
        "best": "After tuning, {label} has the highest mean test accuracy: {acc} [{lo}, {hi}] at lr {lr}, {margin} "
                "ahead of {runner} ({runner_acc} [{runner_lo}, {runner_hi}]).",
        "best few": "After tuning, {label} has the highest mean test accuracy: {acc} at lr {lr} (a mean of {n} seeds; "
                    "a 95% CI needs {k} or more), {margin} ahead of {runner} ({runner_acc}).",
        "best level": "After tuning, {label} and {runner} have the highest mean test accuracy, level at the precision "
                      "shown: {acc} [{lo}, {hi}] at lr {lr}, and {runner_acc} [{runner_lo}, {runner_hi}].",
        "best level more": " Level with them at the precision shown too: {items}.",
        "best level item": "{label} ({acc} at lr {lr})",
        "best few level": "After tuning, {label} and {runner} have the highest mean test accuracy, level at the "
                          "precision shown: {acc} at lr {lr}, and {runner_acc} (means of {n} seeds; a 95% CI needs {k} "
                          "or more).",
        "best only": "{label} is the only optimizer; after tuning its test accuracy is {acc} at lr {lr}.",
        "best only learned": "{label} is the only setting that learned; after tuning its test accuracy is {acc} at lr "
                             "{lr}.",
        "best only ranked": "{label} is the only setting with a tuned result to rank (the others never learned, or "
                            "every run at their tuned lr diverged or failed); its test accuracy is {acc} at lr {lr}.",
        "best ci yes": " The 95% CIs do not overlap, so the lead exceeds the seed spread.",
        "best ci no": " The 95% CIs overlap, so the lead is within the seed spread and the order is not settled.",
        "best ci none": " With one test seed there is no spread to compare the lead against.",
        "best paired few": " {n} test seeds are too few to judge the lead against its spread (at least 3 are needed).",
        "best paired yes": " Seed by seed (the same fresh seeds, so the same starts and minibatches) the 95% CI of "
                           "its lead is {lo} to {hi}, and it is ahead on {wins} of {n} seeds, so the lead exceeds the spread "
                           "between seeds (all scored on one test set, whose own sampling error the interval leaves "
                           "out).",
        "best paired no": " Seed by seed (the same fresh seeds, so the same starts and minibatches) the 95% CI of "
                          "the difference is {lo} to {hi} (ahead on {wins} of {n} seeds), so the order is not settled.",
        "best paired holm": " Seed by seed (the same fresh seeds) the 95% CI of the difference is {lo} to {hi} (ahead on "
                            "{wins} of {n} seeds), but not after Holm's correction for the {k} pairs of settings compared "
                            "(the top two were picked from them), so the order is not settled.",
        "best holm kept": " It stays so after Holm's correction for the {k} pairs of settings compared.",
        "best others level": " But its lead over {runs} is not settled: seed by seed, that difference is within its "
                             "spread after Holm's correction for the {k} pairs of settings compared, so which setting "
                             "is best is not settled.",
        "best others few": " But its lead over {runs} is not settled: fewer than {n} fresh seeds have a value for both, "
                           "too few to judge it, so which setting is best is not settled.",
        "paired cut": " The interval reached below -1 or above +1 and is cut there, as a difference of accuracies "
                      "lies in [-1, 1]; the seeds differ too much, or are too few, to say more.",
        "gain": "Tuning gained most for {label}: {gain} test accuracy ({default} at the note's lr {default_lr} → "
                "{tuned} at lr {tuned_lr}).",
        "gain tied": "Tuning gained most for {label}, each {gain} test accuracy.",
        "gain others": " Others: {others}.",
        "gain spread yes": " Seed by seed over the {n} fresh seeds, the gain is larger than its spread between seeds "
                           "(95% CI {lo} to {hi}; all scored on one test set, whose own sampling error the interval "
                           "leaves out).",
        "gain holm kept": " It stays so after Holm's correction for the {k} gains tested.",
        "gain spread holm": " Seed by seed over the {n} fresh seeds, the 95% CI of the gain ({lo} to {hi}) excludes 0, "
                            "but not after Holm's correction for the {k} gains tested (it was picked as the largest), "
                            "so it is not settled.",
        "gain spread no": " Seed by seed over the {n} fresh seeds, the gain is within its spread (95% CI {lo} to {hi}): "
                          "not shown to be a real gain, nor shown to be none.",
        "gain few": " {n} fresh seeds are too few to judge the gain against its spread (at least 3 are needed).",
        "gain small": "Tuning gained little: the largest gain is {gain} ({label}); the note's default lrs were "
                      "already close to the best of the grid.",
        "gain none": "Tuning gained nothing on the fresh seeds: the largest gain is {gain} ({label}); no lr chosen on "
                     "validation beat the note's default there.",
        "one evaluation": "Every run was evaluated once, after its last iteration ({iters}): the evaluation interval, "
                          "{every}, is not shorter than the run, so the validation curves are one point each and the "
                          "iterations to a target say only whether a run reached it by the end.",
        "small validation": "The lrs were chosen on {n_val} validation examples: one is {step} of accuracy, and an "
                            "accuracy on so few has a sampling error of up to about ±{half} (95%), so an lr chosen may "
                            "be the best on these examples only (--val-fraction holds out more).",
        "gain all note": "Tuning chose the note's default lr for every setting that learned ({label}): the tuned runs "
                         "are the note's, so there is no gain to measure, and the note's lrs were the best of the grid "
                         "on the validation split.",
        "gain not counted": " Not counted: {labels}, at chance on the validation split at every lr († in the table), "
                            "whose tuned lr and gain are noise.",
        "added default": " (its default: not one of the note's optimizers)",
        "note lr outside": "{label}'s note lr {lr} lies outside the grid ({lo} to {hi}), so tuning could not choose "
                           "it; its gain compares the note's lr with the grid's best.",
        "sensitivity def": "Tolerance to the lr is counted as the grid lrs whose mean validation accuracy is within "
                           "{tol} of the optimizer's own best.",
        "near cut": " Closer to that limit than one validation example on one tuning seed moves a mean "
                    "(1/({n_val} × {seeds}) = {step}), so that one example more or less could change a count: {items}.",
        "rmsprop holds": " Checking the note's claim that RMSProp needs little tuning: {rms} stays within {tol} at "
                         "{rms_n} of {n} lrs ({rms_span}), the most of any optimizer that learned, so this sweep agrees "
                         "with the claim (a count on one grid of lrs, not a test).{others}",
        "rmsprop tied": " Checking the note's claim that RMSProp needs little tuning: {rms} stays within {tol} at "
                        "{rms_n} of {n} lrs ({rms_span}), the same count as {tied}, so this sweep does not single "
                        "RMSProp out.{others}",
        "rmsprop fails": " Checking the note's claim that RMSProp needs little tuning: {rms} stays within {tol} at "
                         "only {rms_n} of {n} lrs ({rms_span}), while {label} does at {count} ({span}), so this sweep "
                         "does not support the claim (a count on one grid of lrs, not a test).{others}",
        "rmsprop fails tied": " Checking the note's claim that RMSProp needs little tuning: {rms} stays within {tol} "
                              "at only {rms_n} of {n} lrs ({rms_span}), while {labels} each do at {count}, so this "
                              "sweep does not support the claim (a count on one grid of lrs, not a test).{others}",
        "least": "Least sensitive: {label}, within {tol} at {count} of {n} lrs ({span}).",
        "least none": "Every setting that learned is sensitive to the lr here: none stays within {tol} of its best at "
                      "any lr of the {n} but that best one.",
        "least only": "Only {label} learned; it is within {tol} at {count} of {n} lrs ({span}).",
        "rmsprop absent": " {least} RMSProp is not in this sweep, so the note's claim that it needs little tuning is not "
                          "tested.{others}",
        "rmsprop no learn": " Checking the note's claim that RMSProp needs little tuning: {rms} did not learn "
                            "(best validation accuracy {rms_best}), so the claim cannot be checked. {least}{others}",
        "none learned": " No optimizer learned (best validation accuracy at most {floor} everywhere), so sensitivity "
                        "to the lr cannot be compared.",
        "span": "lr {lo} to {hi}, {decades} decade{s}", "span one": "only lr {lo}", "near item": "{label} at lr {lr}",
        "others counts": " Others: {counts}.",
        "not learned": " Did not learn at any lr (best ≤ {floor}): {labels}; on this grid and training length only (a "
                       "wider grid of lrs or more iterations may let it learn).",
        "learned fresh only": " Not ranked: {labels}, at chance on the validation split at every lr (best ≤ {floor}) "
                              "but above it on the fresh seeds (a wider grid of lrs or more iterations may let it "
                              "learn there too).",
        "edge low": "{label}'s tuned lr {lr} is the smallest in the grid: its best lr may be smaller; extend the grid "
                    "down.",
        "edge high": "{label}'s tuned lr {lr} is the largest in the grid: its best lr may be larger; extend the grid "
                     "up.",
        "diverged": "{n} tuning runs diverged or failed: {where}.",
        "diverged where": "{label} ({lrs})", "diverged lr": "lr {lr}: {n}", "diverged sep": "; ",
        "fresh diverged": "{n} runs on the fresh seeds diverged or failed, each counted as 0 in its test accuracy: "
                          "{where}.",
        "stalled": "Chosen on the validation split, a tuned lr did not learn from every start: {where}. Those runs "
                   "ended near chance (test accuracy at most {floor}, chance + {margin}) without diverging, so the "
                   "setting's mean test accuracy mixes runs that learned with runs that did not.",
        "stalled one": "{label} at lr {lr} (validation accuracy {val} while tuning) stayed near chance on {k} of its "
                       "{n} fresh seeds",
        "note lr ahead": "At the note's lr {lr}, {label}'s mean test accuracy on the fresh seeds, {acc}, is above every "
                         "setting's at its tuned lr (the highest {best}): on these seeds the lrs the validation split "
                         "chose did not do best (a comparison of means, not a test; more tuning seeds, --seeds, or a "
                         "larger validation split, --val-fraction, make the choice steadier).",
        "fresh diverged tuned": "{label} at its tuned lr {lr}, {k} of {n}",
        "fresh diverged default": "{label} at the note's lr {lr}, {k} of {n}",
        "fresh diverged both": "{label} at lr {lr} (tuned and the note's), {k} of {n}",
        "best left out": " Not ranked: {labels}, whose every run on the fresh seeds at the tuned lr diverged or failed.",
        "least tied": "Least sensitive, tied: {labels}, each within {tol} at {count} of {n} lrs.",
    },
    "ja": {
        "sweep title": "学習率スイープ", "sweep": "スイープ",
        "grid meta": "最適化手法の設定 {opts} 通り × 学習率 {lrs} 点 × 調整用シード {seeds} 個、新しいシード {tests} 個",
        "runs meta": "{runs} 本、{wall} 秒",
        "sensitivity help": "各学習率での最終検証正解率の調整用シード間の平均（横軸は対数）。シードが 3 つ以上あれば帯は 95% 信頼区間（t 分布）、"
                            "丸は選ばれた学習率です（学習できた設定のみ）。カーソルを重ねると値を表示し、凡例の項目をクリックするとその手法の表示／非表示を切り替えます。"
                            "ドラッグで拡大、ダブルクリックで元に戻ります。キーボードでは Tab で線ごとのボタンの列に移り、← → で選んで Enter で表示／非表示を切り替えます。",
        "curves": "選ばれた学習率での検証正解率",
        "curves help": "各手法の選ばれた学習率での、調整用シード間の平均（実行フォルダから読み込み）。シードが 3 つ以上あれば帯は 95% 信頼区間です。評価の回数が少ないときは評価点に印を付けます。",
        "val accuracy": "検証正解率", "final val accuracy": "最終検証正解率",
        "defaults": "ノートの既定値と調整後の比較",
        "defaults help": "新しいシードでのテスト正解率（平均 [95% 信頼区間]）を、ノートの既定の学習率の場合と、検証正解率で選んだ"
                         "学習率の場合とで比べます。⚠ は選ばれた学習率がグリッドの端にあることを示します（学習できた設定のみ）。† はどの学習率でも検証正解率が"
                         "チャンスレベル + 0.1（チャンスレベルが 0.8 を超えるときはその上の余地の半分）以下だった設定で、選ばれた学習率と改善は偶然の値です。0 や 1 の外まで広がった区間は"
                         "そこで切っています（正解率は 0〜1、差は -1〜+1 の範囲の値のため）。列の見出しをクリックすると並べ替えます。",
        "ttt": "目標到達までの時間", "ttt help": "選ばれた学習率で、新しいシードのうち検証正解率の目標に達した数と、"
                                                "到達までの反復回数・秒数の中央値です。秒数はそのモデルの学習時間で、"
                                                "一緒に学習するモデルと共有する順伝播・逆伝播の時間を等分したものと、"
                                                "自身の最適化手法の更新時間の和です。評価の時間は含みません。新しいシードでの実行は、"
                                                "同じシードのものがすべて一緒に学習します。? は、新しいシードでの実行が大きさの違うタスクで"
                                                "学習されたため（再開したスイープや以前の版のスイープ）比べられないことを示します。",
        "grid table": "すべての学習率での検証正解率",
        "setting": "最適化手法", "note lr": "ノートの学習率", "test note": "テスト正解率（ノート）",
        "tuned lr": "選ばれた学習率", "val tuned": "検証正解率（調整時）", "test tuned": "テスト正解率（調整後）",
        "gain col": "差（調整後 − ノート、対応のある 95% 信頼区間）", "not ok": "発散・失敗", "nav defaults": "既定値と調整後",
        "reached": "{t} 到達数", "iters to": "{t} までの反復回数", "s to": "{t} までの秒数",
        "sensitivity png": "感度の図",
        "no script": "JavaScript が無効なため、インタラクティブなグラフは表示されません。同じ結果は下の表にあります（図を描いた実行では図にも）。",
        "sensitivity alt": "各学習率での最終検証正解率の調整用シード間の平均", "no png": "このフォルダには感度の図がありません（--no-plots を付けて実行したため）。",
        "no sweep toml": "このフォルダには sweep.toml がありません。",
        "optimizers used": "学習に使った最適化手法（調整した学習率以外のすべての設定）", "class": "クラス",
        "settings": "設定", "code sha": "コードの SHA-256",
        "executor": "実行方式", "generated with": "レポート作成時の環境（スイープは実行環境を記録していません）",
        "selection": "選び方", "split": "検証データの分割", "val size": "検証データ数", "notice": "注記",
        "runs": "実行数", "trained skipped": "今回学習／前回までの結果を使用", "total wall": "全体の経過秒数",
        "selection rule": "調整用シードでの最終検証正解率の平均が最も高い学習率（発散・失敗した実行は 0 とする）",
        "split fraction": "訓練データから検証に回す割合", "split max": "検証データの上限",
        "split seed": "分割のシード", "split strat": "クラスごとに層化", "yes": "はい", "no": "いいえ",
        "ex workers": "ワーカー数", "ex threads": "スレッド数", "ex how": "クラスター", "ex start": "プロセスの起動方式",
        "ex blas": "ワーカーあたりの BLAS スレッド数", "ex restarts": "プールの再起動（ワーカーの停止）",
        "ex chunks": "シードごとの調整用実行のタスク数", "ex scheduler": "スケジューラー", "ex dashboard": "ダッシュボード",
        "best": "調整後に平均テスト正解率が最も高いのは {label} で、学習率 {lr} で {acc} [{lo}, {hi}]、"
                "{runner} の {runner_acc} [{runner_lo}, {runner_hi}] を {margin} 上回りました。",
        "best few": "調整後に平均テスト正解率が最も高いのは {label} で、学習率 {lr} で {acc}（{n} シードの平均。95% 信頼区間は "
                    "{k} シード以上で表示）、{runner} の {runner_acc} を {margin} 上回りました。",
        "best level": "調整後に平均テスト正解率が最も高いのは {label} と {runner} で、表示の桁では同じです（{label} は学習率 {lr} "
                      "で {acc} [{lo}, {hi}]、{runner} は {runner_acc} [{runner_lo}, {runner_hi}]）。",
        "best level more": "{items} も表示の桁では同じです。",
        "best level item": "学習率 {lr} で {acc} の {label}",
        "best few level": "調整後に平均テスト正解率が最も高いのは {label} と {runner} で、表示の桁では同じです（{label} は学習率 "
                          "{lr} で {acc}、{runner} は {runner_acc}。{n} シードの平均で、95% 信頼区間は {k} シード以上で表示）。",
        "best only": "最適化手法は {label} のみで、調整後のテスト正解率は学習率 {lr} で {acc} です。",
        "best only learned": "学習できたのは {label} だけで、調整後のテスト正解率は学習率 {lr} で {acc} です。",
        "best only ranked": "調整後の結果を比べられるのは {label} だけで（ほかは学習できなかったか、選ばれた学習率での実行がすべて"
                            "発散・失敗しました）、テスト正解率は学習率 {lr} で {acc} です。",
        "best ci yes": "95% 信頼区間は重ならず、この差はシード間のばらつきを超えています。",
        "best ci no": "95% 信頼区間が重なっており、この差はばらつきの範囲内で、順位は確定しません。",
        "best ci none": "新しいシードが 1 つのため、差をばらつきと比べることはできません。",
        "best paired few": "新しいシード {n} 個では、差をばらつきと比べて判断するには足りません（3 個以上必要です）。",
        "best paired yes": "同じ新しいシード（同じ初期値・同じミニバッチ）どうしで比べると差の 95% 信頼区間は {lo}〜{hi} で、"
                           "{n} シード中 {wins} シードで上回っており、この差はシード間のばらつきを超えています（どのシードも同じ"
                           "テストデータで評価しているため、テストデータ自体の標本誤差はこの区間に含まれません）。",
        "best paired no": "同じ新しいシード（同じ初期値・同じミニバッチ）どうしで比べると差の 95% 信頼区間は {lo}〜{hi}（"
                          "{n} シード中 {wins} シードで上回る）で、順位は確定しません。",
        "best paired holm": "同じ新しいシードどうしで比べると差の 95% 信頼区間は {lo}〜{hi}（{n} シード中 {wins} シードで上回る）"
                            "ですが、比べた {k} 組について Holm 法で多重比較の補正をすると有意ではなく、順位は確定しません"
                            "（上位 2 つはこれらの組から選んだものだからです）。",
        "best holm kept": "比べた {k} 組について Holm 法で多重比較の補正をしても同じです。",
        "best others level": "ただし {runs} との差は、同じシードどうしで比べると、比べた {k} 組について Holm 法で"
                             "補正したうえでばらつきの範囲内です。そのため、どの設定が最も良いかは確定しません。",
        "best others few": "ただし {runs} との差は、両方に値のある新しいシードが {n} 個未満で判断できません。そのため、"
                           "どの設定が最も良いかは確定しません。",
        "paired cut": "区間は -1 より下や +1 より上まで広がったので、そこで切っています（正解率の差は -1〜+1 の範囲の値のため）。"
                      "区間がここまで広いのは、シード間のばらつきが大きいかシードが少ないためで、これ以上のことは言えません。",
        "gain": "調整による改善が最も大きいのは {label} で、テスト正解率の差は {gain} でした（ノートの学習率 {default_lr} で "
                "{default} → 学習率 {tuned_lr} で {tuned}）。",
        "gain tied": "調整による改善が最も大きいのは {label} で、いずれもテスト正解率の差は {gain} でした。",
        "gain others": "他：{others}。",
        "gain spread yes": "新しいシード {n} 個で同じシードどうしの差を見ると、この改善はシード間のばらつきを超えています（95% 信頼区間 "
                           "{lo}〜{hi}。どのシードも同じテストデータで評価しているため、テストデータ自体の標本誤差はこの区間に含まれません）。",
        "gain holm kept": "調べた {k} 個の改善について Holm 法で補正しても同じです。",
        "gain spread holm": "新しいシード {n} 個で同じシードどうしの差を見ると、改善の 95% 信頼区間（{lo}〜{hi}）は 0 を含みませんが、"
                            "調べた {k} 個の改善について Holm 法で補正すると（最大のものを選んでいるため）有意ではなく、確定しません。",
        "gain spread no": "新しいシード {n} 個で同じシードどうしの差を見ると、この改善はばらつきの範囲内です（95% 信頼区間 {lo}〜{hi}）。"
                          "本当の改善とも、改善がないとも言えません。",
        "gain few": "新しいシード {n} 個では、改善をばらつきと比べて判断するには足りません（3 個以上必要です）。",
        "gain small": "調整による改善はわずかです：最大でも {gain}（{label}）で、ノートの既定の学習率はすでにグリッド内で最良の学習率に近い値でした。",
        "one evaluation": "どの実行も評価は {iters} 回目の反復の後の 1 回だけです。評価の間隔 {every} が反復回数以上のためで、"
                          "検証正解率の曲線は 1 点になり、目標までの反復回数は最後までに達したかどうかしか示しません。",
        "small validation": "学習率は {n_val} 件の検証データで選びました：1 件で正解率が {step} 変わり、これだけの件数での"
                            "正解率には最大で約 ±{half}（95%）の標本誤差があるため、選ばれた学習率はこの検証データでだけ"
                            "最良なのかもしれません（--val-fraction で検証データを増やせます）。",
        "gain all note": "学習したすべての設定（{label}）で、調整はノートの既定の学習率を選びました。調整後の実行はノートの"
                         "実行そのものなので測る改善はなく、検証データではノートの学習率がグリッドの中で最良でした。",
        "gain none": "調整による改善は新しいシードでは見られません：最大でも {gain}（{label}）で、検証データで選んだ学習率が"
                     "ノートの既定の学習率を上回った設定はありません。",
        "gain not counted": "{labels} は数えていません：どの学習率でも検証正解率がチャンスレベル程度で（表の †）、選ばれた学習率と改善は偶然の値です。",
        "added default": "（ノートにない手法のため、その既定値）",
        "note lr outside": "{label} のノートの学習率 {lr} はグリッド（{lo}〜{hi}）の外にあるため、調整では選べません。"
                           "差はノートの学習率とグリッド内の最良の学習率の比較です。",
        "sensitivity def": "学習率への許容度は、平均検証正解率がその手法自身の最高値から {tol} 以内に収まる、グリッド上の学習率の数とします。",
        "near cut": "その境目との差が、調整用シード 1 つで検証データ 1 件の正誤が変わったときの平均の動き（1/({n_val} × {seeds}) = {step}）"
                    "より小さく、1 件の違いで数が変わりうるもの：{items}。",
        "rmsprop holds": "「RMSpropはハイパーパラメータの調整が必要な場合が少ない」というノートの主張の確認：{rms} は {n} 個中 {rms_n} 個"
                         "（{rms_span}）で {tol} 以内に収まり、学習できた手法の中で最多で、このスイープの結果は主張と合っています（1 つの学習率グリッドでの数え上げで、検定ではありません）。{others}",
        "rmsprop tied": "「RMSpropはハイパーパラメータの調整が必要な場合が少ない」というノートの主張の確認：{rms} は {n} 個中 {rms_n} 個"
                        "（{rms_span}）で {tol} 以内に収まりますが、{tied} も同じ数なので、このスイープでは RMSProp だけが"
                        "調整いらずとは言えません。{others}",
        "rmsprop fails": "「RMSpropはハイパーパラメータの調整が必要な場合が少ない」というノートの主張の確認：{rms} が {tol} 以内に収まるのは {n} 個中 "
                         "{rms_n} 個（{rms_span}）だけで、{label} は {count} 個（{span}）なので、このスイープの結果は主張を支持しません（1 つの学習率グリッドでの数え上げで、検定ではありません）。{others}",
        "rmsprop fails tied": "「RMSpropはハイパーパラメータの調整が必要な場合が少ない」というノートの主張の確認：{rms} が {tol} 以内に収まるのは {n} 個中 "
                              "{rms_n} 個（{rms_span}）だけで、{labels} はいずれも {count} 個なので、このスイープの結果は主張を支持しません"
                              "（1 つの学習率グリッドでの数え上げで、検定ではありません）。{others}",
        "least": "最も感度が低いのは {label} で、{n} 個中 {count} 個（{span}）で {tol} 以内です。",
        "least none": "学習できた設定はどれも学習率に敏感です。{n} 個の学習率のうち、最良のもの以外で最良から {tol} 以内に入る"
                      "設定はありません。",
        "least only": "学習できたのは {label} だけで、{n} 個中 {count} 個（{span}）で {tol} 以内です。",
        "rmsprop absent": "{least}このスイープに RMSProp はないため、「RMSpropはハイパーパラメータの調整が必要な場合が少ない」というノートの主張は確かめていません。{others}",
        "rmsprop no learn": "「RMSpropはハイパーパラメータの調整が必要な場合が少ない」というノートの主張の確認：{rms} は学習できなかった"
                            "（最高検証正解率 {rms_best}）ため確かめられません。{least}{others}",
        "none learned": "どの手法も学習できなかった（検証正解率が常に {floor} 以下）ため、学習率への感度は比べられません。",
        "span": "学習率 {lo}〜{hi}、{decades} 桁の幅", "span one": "学習率 {lo} のみ", "near item": "学習率 {lr} の {label}",
        "others counts": "他：{counts}。",
        "not learned": "どの学習率でも学習できなかった手法（最高 {floor} 以下）：{labels}。ただし、これはこの学習率グリッドと反復"
                       "回数での結果です（グリッドを広げるか反復回数を増やせば、学習できるかもしれません）。",
        "learned fresh only": "順位に入れていない手法：{labels}（検証正解率はどの学習率でも {floor} 以下でしたが、新しいシードでのテスト正解率は {floor} を上回りました。"
                              "学習率のグリッドを広げるか反復回数を増やせば、検証データでもチャンスレベルを上回るかもしれません）。",
        "edge low": "{label} の選ばれた学習率 {lr} はグリッドの最小値です。最良の学習率はさらに小さいかもしれません。グリッドを下に広げてください。",
        "edge high": "{label} の選ばれた学習率 {lr} はグリッドの最大値です。最良の学習率はさらに大きいかもしれません。グリッドを上に広げてください。",
        "diverged": "調整用の実行のうち {n} 本が発散または失敗しました：{where}。",
        "diverged where": "{label}（{lrs}）", "diverged lr": "学習率 {lr} で {n} 本", "diverged sep": "、",
        "fresh diverged": "新しいシードでの実行のうち {n} 本が発散または失敗しました（テスト正解率の平均ではそれぞれ 0 として数えています）："
                          "{where}。",
        "stalled": "検証データで選んだ学習率で、どの初期値からでも学習できたわけではありません。{where}、チャンスレベル付近"
                   "（テスト正解率 {floor} 以下＝チャンスレベル + {margin}）から抜け出せませんでした。これらは発散扱いに"
                   "ならないため、その設定のテスト正解率の平均には、学習できた実行とできなかった実行が両方含まれています。",
        "stalled one": "{label}（学習率 {lr}、調整時の検証正解率 {val}）は新しいシード {n} 個中 {k} 個で",
        "note lr ahead": "{label} をノートの学習率 {lr} で学習すると、新しいシードでの平均テスト正解率は {acc} で、"
                         "調整後のどの設定（最高 {best}）よりも高くなりました。これらのシードでは、検証データで選んだ"
                         "学習率が最も良かったわけではありません（平均の比較で、検定ではありません。調整用のシード（--seeds）"
                         "や検証データ（--val-fraction）を増やすと、選び方が安定します）。",
        "fresh diverged tuned": "{label}（選ばれた学習率 {lr} で {n} 本中 {k} 本）",
        "fresh diverged default": "{label}（ノートの学習率 {lr} で {n} 本中 {k} 本）",
        "fresh diverged both": "{label}（選ばれた学習率がノートの学習率と同じ {lr} で、{n} 本中 {k} 本）",
        "best left out": "順位に入れていない手法：{labels}（選ばれた学習率での新しいシードの実行がすべて発散・失敗しました）。",
        "least tied": "最も感度が低いのは {labels}（同数）で、いずれも {n} 個中 {count} 個で {tol} 以内です。",
    },
}


def st(key: str, lang: str = "en", **values) -> str:
    """The sweep report's text for ``key`` in ``lang`` (falling back to the run report's words)."""
    check_lang(lang)
    # the settings of a label in a value, 「SGD（BN なし）」 in Japanese; the template's own words untouched (a review)
    values = {k: setting_text(v, lang) if isinstance(v, str) else v for k, v in values.items()}
    text = SWEEP_TEXT[lang].get(key)
    text = rt(key, lang, **values) if text is None else text.format(**values) if values else text
    # "{label} で" spaces a label that ends in Latin; after 「…）」 no space (Japanese sets none after a bracket)
    return re.sub(r"(?<=）) (?=[^\x00-\x7f])", "", text) if lang == "ja" else text
