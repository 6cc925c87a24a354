"""The colours every figure, animation and report page gives runs and layers, in the order they are listed.

Okabe & Ito's palette (Color Universal Design, https://jfly.uni-koeln.de/color/): its colours stay apart for
readers with red-green colour blindness (about 1 in 20 men), where matplotlib's default cycle puts the note's
AdaGrad (green) and RMSProp (red), or SGD (blue) and Adam (purple), close together. Yellow comes last: it is
faint on white.
"""

from collections import Counter
from typing import Sequence

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


def run_colors(optimizers, palette: Sequence[str] = RUN_COLORS) -> list[str]:
    """A colour for each run of a comparison, given its optimizer's name, in order: the first run of each of the
    note's five has that optimizer's colour (as in the note's experiment and the landscapes: ``--optimizers sgd,adam``
    drew Adam in Momentum's orange), every other run the palette's next colour none of those has, in turn. The
    note's six runs get :data:`RUN_COLORS` in order. ``palette``: :data:`RUN_COLORS` or part of it (landscapes leave
    out yellow, the colour of their minima)."""
    optimizers = list(optimizers)
    owners = {o: i for i, o in reversed(list(enumerate(optimizers))) if o in OPTIMIZER_COLORS}   # first run of each
    taken = {OPTIMIZER_COLORS[o] for o in owners}
    # the colours no optimizer has first (sky blue, black, yellow), then those of the five not in this comparison;
    # another run of one of the five (Adam + BatchNorm) takes them in that order, an added optimizer from black on
    # and sky blue last: it keeps its colour with or without Adam + BatchNorm beside it (an accessibility review: an
    # added optimizer was black in a comparison, sky blue in a sweep of the same optimizers)
    spare = [c for c in palette if c not in OPTIMIZER_COLORS.values()]       # sky blue, black, yellow
    unused = [c for c in OPTIMIZER_COLORS.values() if c not in taken]
    free = spare + unused
    added_order = (spare[1:] + spare[:1] if spare and spare[0] == RUN_COLORS[5] else spare) + unused
    used: list[str] = []
    out = []
    for i, o in enumerate(optimizers):
        if owners.get(o) == i:
            out.append(OPTIMIZER_COLORS[o])
            continue
        if len(used) == len(free):          # every spare colour has a run: round again
            used = []
        order = free if o in OPTIMIZER_COLORS else added_order
        c = next(c for c in order if c not in used)
        used.append(c)
        out.append(c)
    return out


def colors_by_label(optimizer_of: dict[str, str], palette: Sequence[str] = RUN_COLORS) -> dict[str, str]:
    """Each label's colour given its optimizer (``{label: optimizer name}``, in the order drawn), as
    :func:`run_colors` gives runs: a sweep of ``sgd,adam`` draws Adam in Adam's colour, as ``optimlab compare`` does."""
    return dict(zip(optimizer_of, run_colors(optimizer_of.values(), palette)))


def layer_colors(n: int) -> list[str]:
    """A colour for each of ``n`` layers, input side first: cividis from dark navy to khaki, a sequential map that
    readers with colour blindness see in the same order, and none of :data:`RUN_COLORS` — telemetry drew ``W1``,
    ``W2``, ``W3`` in SGD's, Momentum's and AdaGrad's colours, in figures where the runs have them too."""
    import matplotlib as mpl
    cmap = mpl.colormaps["cividis"]
    return [mpl.colors.to_hex(cmap(0.8 * i / (n - 1) if n > 1 else 0.0)) for i in range(n)]


# eight line styles, one to each palette colour's first line (see line_styles), and a colour's later lines the next
# ones, so that up to eight lines of one colour look apart (a sweep of the five optimizers × 4 architectures draws the
# 3 spare colours 5 times each); the seventh and eighth colours' own (black, yellow: three optimizers added to the
# note's five took SGD's and Momentum's style and marker again, an accessibility review)
RUN_LINESTYLES = ("-", "--", ":", "-.", (0, (8, 4)), (0, (8, 3, 1, 3, 1, 3)), (0, (4, 1.5)), (0, (1.5, 1.5, 6, 1.5)))
RUN_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "6px,2px", "2px,2px,9px,2px")   # Plotly's
# a reference line (chance, a step of 1, 1e-3): sparse dots in light grey, under the runs, none of the runs' styles
# (dotted, it lay as AdaGrad's dotted line on the chance line in a sweep's figure)
REFERENCE_STYLE = (0, (1, 4))
REFERENCE_GREY = "0.55"
LEGEND_HANDLE = 4.5     # a legend's line samples 4.5 font sizes long: at 2, dash-dot, long dash and long dash-dot-dot
                        # showed one piece each and looked alike (a teacher's review)


def _style_indices(colors: Sequence[str | None], n: int) -> list[int]:
    """Which of ``n`` styles each line takes (see :func:`line_styles`)."""
    palette = {c.lower(): i for i, c in enumerate(RUN_COLORS)}
    seen: Counter = Counter()
    first: dict[str, int] = {}
    out = []
    for i, c in enumerate(colors):
        if c is None:
            out.append((i // len(RUN_COLORS)) % n)
            continue
        if c not in first:
            want = palette.get(str(c).lower(), 0) % n
            free = [k % n for k in range(want, want + n) if k % n not in first.values()]
            first[c] = free[0] if free else want
        out.append((first[c] + seen[c]) % n)
        seen[c] += 1
    return out


def line_styles(colors: Sequence[str | None], styles: Sequence[str] = RUN_LINESTYLES) -> list[str]:
    """A style for each line given its colour, in the order drawn: a palette colour's first line its own style
    (SGD's blue solid, Momentum's orange dashed, AdaGrad's green dotted … in every figure, as the colours), or the
    next one no colour of the figure has taken, and a colour's later lines the next styles; so that the note's six
    runs differ without their colours (in an accessibility review Momentum's orange and RMSProp's vermillion, all
    solid, were 18 apart under deuteranopia) and no two of up to eight lines of a colour look alike (by position, a
    sweep of 16 settings drew two Momentum settings in sky blue, both dashed); a line without a colour (the axes'
    cycle of :data:`RUN_COLORS`) by position: solid for the first eight, then dashed … ``styles``: :data:`RUN_DASHES`
    for Plotly."""
    return [styles[k] for k in _style_indices(colors, len(styles))]


# a sparse marker per run, by the same rule as its style; no star: a landscape's start is the black star (a teacher's
# review: the first added optimizer's path ended in a black star, a second start on the slide)
RUN_MARKERS = ("o", "s", "^", "D", "v", "P", "<", "h")
RUN_SYMBOLS = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross", "triangle-left",
               "hexagon")   # Plotly's


def line_markers(colors: Sequence[str | None]) -> list[str]:
    """A marker for each line, as :func:`line_styles` picks a style: on a noisy curve a dash pattern breaks up
    and three of the palette's colours print as one grey (a teacher's review), a marker every so often stays."""
    return [RUN_MARKERS[k] for k in _style_indices(colors, len(RUN_MARKERS))]


def sparse_marks(n: int, i: int, marks: int = 8) -> tuple[int, int]:
    """``markevery`` for the ``i``-th of several curves of ``n`` points: about ``marks`` markers, each curve's
    shifted so that curves lying on one another do not hide each other's."""
    step = max(1, n // marks)
    return (i * step // len(RUN_MARKERS)) % step, step


def styles_by_label(colors: dict, styles: Sequence[str] = RUN_LINESTYLES) -> dict:
    """:func:`line_styles` for ``{label: colour or None}``, in order: ``{label: style}``."""
    return dict(zip(colors, line_styles(list(colors.values()), styles)))


def markers_by_label(colors: dict) -> dict:
    """:func:`line_markers` for ``{label: colour or None}``, in order: ``{label: marker}``."""
    return dict(zip(colors, line_markers(list(colors.values()))))


def use_run_colors(*axes) -> None:
    """Matplotlib axes draw their lines in :data:`RUN_COLORS`, in turn (matplotlib's own settings untouched)."""
    for ax in axes:
        ax.set_prop_cycle(color=list(RUN_COLORS))
