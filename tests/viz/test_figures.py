"""The comparison's figures: every text inside the canvas with the fixed margins, in both languages."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from optimlab.train import History
from optimlab.viz.figures import accuracy_figure, loss_figure, overlay_figure

LABELS = ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "Adam + BatchNorm"]


def _histories(seeds=3):
    rng = np.random.default_rng(0)
    out = {}
    for label in LABELS:
        hs = []
        for _ in range(seeds):
            h = History(label)
            h.eval_iters = list(range(10, 1001, 10))
            h.test_acc = list(rng.random(100))
            h.train_acc = list(rng.random(100))
            h.loss = list(rng.random(1000) * 3 + 1e-3)
            hs.append(h)
        out[label] = hs
    return out


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("kind", ["accuracy", "overlay", "loss"])
def test_every_text_is_inside_the_figure(lang, kind):
    hs = _histories()
    fig = {"accuracy": lambda: accuracy_figure(hs["Adam + BatchNorm"][0], title="Adam + BatchNorm (seed 0)",
                                               lang=lang),
           "overlay": lambda: overlay_figure(hs, lang=lang),
           "loss": lambda: loss_figure(hs, lang=lang)}[kind]()
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    canvas = fig.bbox
    ax = fig.axes[0]
    assert ax.title.get_text() and ax.xaxis.label.get_text() and ax.yaxis.label.get_text()
    box = ax.get_tightbbox(renderer)             # what is drawn: title, axis labels, tick labels, legend
    assert (box.x0 >= canvas.x0 - 0.5 and box.y0 >= canvas.y0 - 0.5 and box.x1 <= canvas.x1 + 0.5
            and box.y1 <= canvas.y1 + 0.5), f"{kind}/{lang}: texts reach {box.bounds}, the canvas is {canvas.bounds}"
