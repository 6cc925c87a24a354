"""The colours every figure, animation and report page gives runs and layers, in the order they are listed.

Okabe & Ito's palette (Color Universal Design, https://jfly.uni-koeln.de/color/): its colours stay apart for
readers with red-green colour blindness (about 1 in 20 men), where matplotlib's default cycle puts the note's
AdaGrad (green) and RMSProp (red), or SGD (blue) and Adam (purple), close together. Yellow comes last: it is
faint on white.
"""

RUN_COLORS = ("#0072B2",   # blue             SGD
              "#E69F00",   # orange           Momentum
              "#009E73",   # bluish green     AdaGrad
              "#D55E00",   # vermillion       RMSProp
              "#CC79A7",   # reddish purple   Adam
              "#56B4E9",   # sky blue         Adam + BatchNorm
              "#000000",   # black
              "#F0E442")   # yellow

# the note's optimizers, each in the colour it has in optimlab compare's figures (the note's order)
OPTIMIZER_COLORS = dict(zip(("sgd", "momentum", "adagrad", "rmsprop", "adam"), RUN_COLORS))


def optimizer_colors(names) -> dict[str, str]:
    """A colour for each optimizer in ``names``: the note's five keep theirs (:data:`OPTIMIZER_COLORS`), any other
    (an optimizer you added) takes the palette's next colour that none of ``names`` has, in turn."""
    names = list(dict.fromkeys(names))
    taken = {OPTIMIZER_COLORS[n] for n in names if n in OPTIMIZER_COLORS}
    free = [c for c in RUN_COLORS if c not in taken] or list(RUN_COLORS)
    others = iter(free * (1 + len(names) // len(free)))
    return {n: OPTIMIZER_COLORS[n] if n in OPTIMIZER_COLORS else next(others) for n in names}


RUN_LINESTYLES = ("-", "--", ":")          # past the eighth run the colours come again, dashed, then dotted
RUN_DASHES = ("solid", "dash", "dot")      # the same in Plotly's words


def run_linestyle(i: int) -> str:
    """The matplotlib line style of the ``i``-th run (0-based): solid for the first eight, then dashed, dotted."""
    return RUN_LINESTYLES[(i // len(RUN_COLORS)) % len(RUN_LINESTYLES)]


def run_dash(i: int) -> str:
    """The Plotly dash of the ``i``-th run's line, as :func:`run_linestyle`."""
    return RUN_DASHES[(i // len(RUN_COLORS)) % len(RUN_DASHES)]


def use_run_colors(*axes) -> None:
    """Matplotlib axes draw their lines in :data:`RUN_COLORS`, in turn (matplotlib's own settings untouched)."""
    for ax in axes:
        ax.set_prop_cycle(color=list(RUN_COLORS))
