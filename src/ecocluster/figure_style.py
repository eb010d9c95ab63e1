"""The house style of every figure, and writing figures whole or not at all.

Library modules that draw (maps, cost curves, site maps, supply curves) and the report's
charts share this style, so that a figure looks the same wherever it is made:

- text is drawn as paths (``svg.fonttype = "path"``) in DejaVu Sans, which ships with
  matplotlib and covers Vietnamese, so a chart looks the same in every browser and printer,
  with or without fonts installed;
- ids are derived from a fixed hash salt and no date or creator is written, so the same data
  give byte-identical SVG (reports can be diffed and tested);
- colours come from the Okabe-Ito palette, which stays distinguishable with the common
  colour-vision deficiencies, and series also differ by marker where points are drawn;
- figures are 160 mm wide, the text column of an A4 page with 18-25 mm margins.

Only the object-oriented API is used (``matplotlib.figure.Figure``, no ``pyplot``): the
process-wide backend is left alone, which matters when the library runs inside a notebook
or a web server.
"""

from __future__ import annotations

import io
import math
import textwrap
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.text import Text

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe & Ito (2008), "Color Universal Design", ordered for contrast between neighbours.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
WIDTH_INCHES = 160 / 25.4
REFERENCE_COLOUR = "#555555"
GRID_COLOUR = "#DDDDDD"
# Behind value labels, so that a reference line or grid line does not run through them.
LABEL_BOX: dict[str, Any] = {
    "boxstyle": "square,pad=0.15",
    "facecolor": "white",
    "edgecolor": "none",
    "alpha": 0.85,
}
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "ecocluster",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.8,
    "axes.axisbelow": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
}
# None removes the entry: no date (reproducible output), no creator or format boilerplate.
METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}


@contextmanager
def new_figure(height: float, title: str = "") -> Iterator[Figure]:
    """A figure of the report's width, drawn and saved under the report's style."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
        if title:
            figure.suptitle(plain_text(title), fontsize=10, fontweight="bold")
        yield figure


def svg_text(figure: Figure) -> str:
    """The figure as an ``<svg>`` element (call inside `new_figure`, which sets the style)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=METADATA)
    text = buffer.getvalue()
    return text[text.index("<svg") :].strip() + "\n"


def figure_svg(draw: Callable[[], Figure]) -> str:
    """``draw()`` under the report's style, as an ``<svg>`` element for a `FigureBlock`."""
    with matplotlib.rc_context(STYLE):
        return svg_text(draw())


def write_figure(draw: Callable[[], Figure], path: str | Path) -> Path:
    """Write ``draw()`` to ``.svg`` or ``.png`` (150 dpi) by the suffix of `path`, whole or
    not at all; any other suffix is refused before anything is drawn."""
    from ecocluster.errors import InputError
    from ecocluster.output import write_file

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InputError(
            f"cannot write a figure as {suffix or 'a file without suffix'!r}; use .svg or .png",
            file=str(target),
            rule="format",
        )
    with matplotlib.rc_context(STYLE):
        figure = draw()
        if suffix == ".svg":
            text = svg_text(figure)

            def save(temporary: Path) -> None:
                temporary.write_text(text, encoding="utf-8")

        else:

            def save(temporary: Path) -> None:
                with matplotlib.rc_context(STYLE):
                    figure.savefig(temporary, format="png", dpi=150, metadata={"Software": None})

        return write_file(target, save)


def plain_text(value: object) -> str:
    """A label as matplotlib should draw it: NFC (composed letters place their marks
    correctly when drawn as glyph paths) and with ``$`` shown literally, not as math."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return unicodedata.normalize("NFC", str(value)).replace("$", r"\$")


def wrapped_text(value: object, width: int) -> str:
    return "\n".join(textwrap.wrap(plain_text(value), width=width, break_long_words=False)) or " "


def legend_above(axes: Axes, count: int) -> None:
    axes.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncols=min(count, 4),
        handlelength=1.2,
        columnspacing=1.2,
        borderaxespad=0.2,
    )


def value_axis(axis: Axis, integers: bool = False) -> None:
    """Plain tick labels with thousands separators (no offset or 1e6 notation); whole
    numbers only when the data are counts."""
    if integers:
        axis.set_major_locator(ticker.MaxNLocator(integer=True))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.10g}"))


class PlainLogLocator(ticker.Locator):
    """Ticks for a log axis that always leave a few labels to read.

    Decades (1, 10, 100) over a wide range; over a narrow one the multiples 1, 2, 5 of a
    decade, then 1, 2, 3, 5, then every digit; over a range too narrow for those (150 to
    190, say), evenly spaced round numbers as on a linear axis.
    """

    _SUBS = ((1.0,), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0), tuple(float(d) for d in range(1, 10)))

    def __call__(self) -> Any:
        if self.axis is None:
            return []
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> Any:
        low, high = sorted((float(vmin), float(vmax)))
        if not (math.isfinite(low) and math.isfinite(high)) or high <= 0:
            return np.array([])
        low = low if low > 0 else high / 10
        slack = 1e-9
        decades = np.arange(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for subs in self._SUBS:
            ticks = np.array([sub * 10.0**k for k in decades for sub in subs])
            inside = ticks[(ticks >= low * (1 - slack)) & (ticks <= high * (1 + slack))]
            if len(inside) >= 3:
                # No more than about eight labels: every second (third, ...) decade.
                return inside[:: math.ceil(len(inside) / 8)] if len(subs) == 1 else inside
        steps = [1, 2, 2.5, 5, 10]
        linear = np.asarray(ticker.MaxNLocator(nbins=5, steps=steps).tick_values(low, high))
        return linear[(linear > 0) & (linear >= low * (1 - slack)) & (linear <= high * (1 + slack))]


def plain_log_axis(axes: Axes, axis: str = "x") -> None:
    """Log scale with plain tick labels (1,000 rather than 10³), easier for most readers,
    and at least two or three of them however narrow the range (`PlainLogLocator`)."""
    target = axes.xaxis if axis == "x" else axes.yaxis
    if axis == "x":
        axes.set_xscale("log")
    else:
        axes.set_yscale("log")
    target.set_major_locator(PlainLogLocator())
    value_axis(target)
    target.set_minor_formatter(ticker.NullFormatter())


def label_room(height: float) -> float:
    """Inches a vertical axis label may take in a figure `height` inches tall: the height
    less the title, legend and tick labels' share, which it must not run into."""
    return max(0.8, 0.85 * height - 0.2)


def fit_axis_label(figure: Figure, label: Text, room: float) -> None:
    """Wrap an axis label (at most 40 characters a line) and, if it is still longer than
    `room` (its axis's length in the figure, in inches), wrap it narrower and then shrink
    it, so that it is never cut off at the figure's edges."""
    text = label.get_text()
    if not text.strip():
        return
    vertical = label.get_rotation() % 180 == 90
    length = 0.0
    for width in (40, 32, 26, 20):
        label.set_text(wrapped_text(text, width))
        extent = label.get_window_extent()
        length = (extent.height if vertical else extent.width) / figure.dpi
        if length <= room:
            return
    label.set_fontsize(float(label.get_fontsize()) * max(0.6, room / length))
