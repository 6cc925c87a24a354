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
           "seed note": " (seed {seed})", "lr note": " (lr={lr})", "diverged note": " (diverged at {k})",
           "seed": "seed {seeds}", "seeds": "seeds {seeds}", "seed count": "{n} seeds", "context sep": " · ",
           "band note": "mean, 95% CI band", "mean note": "mean", "window note": "moving average of {window}"},
    "ja": {"accuracy": "正解率", "training set": "訓練データ（ミニバッチ）", "test set": "テストデータ",
           "count": "反復回数", "loss": "損失", "test accuracy": "テストデータの正解率",
           "training loss": "訓練損失（ミニバッチ、移動平均）", "mean": "平均", "band": "95% 信頼区間",
           "learning rate": "学習率", "validation accuracy": "検証正解率", "colon": "：",
           "list sep": CONSOLE["ja"]["list sep"],
           "seed note": "（シード {seed}）", "lr note": "（学習率 {lr}）", "diverged note": "（{k} 回目で発散）",
           "seed": "シード {seeds}", "seeds": "シード {seeds}", "seed count": "シード {n} 個", "context sep": "・",
           "band note": "平均と 95% 信頼区間の帯", "mean note": "平均", "window note": "{window} 回の移動平均"},
}


def t(key: str, lang: str = "en") -> str:
    return TEXT[check_lang(lang)].get(key, key)


_base_family: list[str] | None = None     # matplotlib's font family, as the user has it
_set_family: list[str] | None = None      # the family optimlab set last


def use_font(lang: str) -> None:
    """The font for a figure in ``lang``, set before it is made and drawn: for Japanese, IPAex Gothic (from
    matplotlib-fontja) with DejaVu Sans for the glyphs it lacks; for English, the family in use before optimlab
    first set one, with IPAex Gothic for the glyphs that lacks (a run labelled in Japanese, in an English figure).
    English figures made after Japanese ones in one process (a notebook, a report in the other language) are
    drawn as they would be alone. A family the user sets in between becomes the one English figures start from."""
    import matplotlib

    global _base_family, _set_family
    rc = matplotlib.rcParams
    if _base_family is None or list(rc["font.family"]) != _set_family:
        _base_family = list(rc["font.family"])        # the first call, or the user changed it since
    import matplotlib_fontja  # registers the font (and sets it as the family: set again just below)

    ja = matplotlib_fontja.matplotlib_fontja.FONT_NAME
    _set_family = [ja, "DejaVu Sans"] if check_lang(lang) == "ja" else \
        [*_base_family, *([] if ja in _base_family else [ja])]
    rc["font.family"] = _set_family
