"""Labels in English and Japanese, shared by figures and the report."""

from __future__ import annotations

# one list of languages, one language check and one list separator for the console, the figures and the report
from ..console import LANGS, TEXT as CONSOLE, check_lang  # noqa: F401

TEXT = {
    "en": {"accuracy": "accuracy", "training set": "training set (minibatch)", "test set": "test set",
           "count": "iterations", "loss": "loss", "test accuracy": "test accuracy",
           "training loss": "training loss (minibatch, moving average)", "mean": "mean", "band": "95% CI",
           "learning rate": "learning rate", "validation accuracy": "validation accuracy", "colon": ": ",
           "list sep": CONSOLE["en"]["list sep"],
           "seed note": " (seed {seed})", "lr note": " (lr={lr})"},
    "ja": {"accuracy": "正答率", "training set": "訓練データ（ミニバッチ）", "test set": "テストデータ",
           "count": "反復回数", "loss": "損失", "test accuracy": "テストデータの正答率",
           "training loss": "訓練損失（ミニバッチ、移動平均）", "mean": "平均", "band": "95% 信頼区間",
           "learning rate": "学習率", "validation accuracy": "検証データの正答率", "colon": "：",
           "list sep": CONSOLE["ja"]["list sep"],
           "seed note": "（シード {seed}）", "lr note": "（学習率 {lr}）"},
}


def t(key: str, lang: str = "en") -> str:
    return TEXT[check_lang(lang)].get(key, key)


def use_japanese_font() -> None:
    """Make matplotlib render Japanese (IPAex Gothic from the matplotlib-fontja package), falling back to
    DejaVu Sans for the glyphs IPAex lacks (subscripts, superscripts)."""
    import matplotlib
    import matplotlib_fontja  # registers the font

    matplotlib.rcParams["font.family"] = [matplotlib_fontja.matplotlib_fontja.FONT_NAME, "DejaVu Sans"]
