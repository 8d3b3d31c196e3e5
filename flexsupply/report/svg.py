"""Matplotlib figures as inline SVG text: deterministic, self-contained, ids unique per chart."""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flexsupply.errors import FlexsupplyError
from flexsupply.report.html import Markup, text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INSTALL_HINT = 'pip install "flexsupply[report]"'


class ReportExtraError(FlexsupplyError):
    """The plotting library of the HTML report is not installed (the message says how)."""

    exit_code = 1


def require_matplotlib() -> None:
    """Returns None when matplotlib can be imported; raises ``ReportExtraError`` naming the extra."""
    try:
        importlib.import_module("matplotlib")
    except ImportError:
        raise ReportExtraError(
            f"the HTML report draws its charts with matplotlib, which is not installed: {INSTALL_HINT}"
        ) from None


def style(svg_id: str) -> dict[str, Any]:
    """Returns the matplotlib settings every chart is drawn with.

    The hash salt makes the SVG's internal ids (clip paths, markers) the same on every run and
    different between charts, so several SVGs can share one HTML page. Text stays text
    (``svg.fonttype: none``): small files, and the browser's fonts show any script. Labels are
    never read as mathtext or TeX: a style id such as ``$x_1$`` is shown as written instead
    of failing to parse.
    """
    return {
        "svg.hashsalt": f"flexsupply-{svg_id}",
        "svg.id": svg_id,
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.size": 8.0,
        "axes.titlesize": 8.5,
        "axes.labelsize": 8.0,
        "xtick.labelsize": 7.5,
        "ytick.labelsize": 7.5,
        "legend.fontsize": 7.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#e3e3e3",
        "grid.linewidth": 0.6,
        "path.simplify": False,
        "text.parse_math": False,
        "text.usetex": False,
    }


@contextlib.contextmanager
def chart_context(svg_id: str) -> Iterator[None]:
    """Yields with the style of the SVG ``svg_id`` set and missing-glyph warnings muted.

    Layout measures text with matplotlib's own font; a glyph it lacks (say Chinese in a product
    id) still shows in the browser, which renders the text, so that warning is noise here.
    """
    import matplotlib

    params: Any = style(svg_id)  # typed as plain strings; matplotlib types its keys as literals
    with matplotlib.rc_context(params), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
        yield


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_GROUP_ID = re.compile(r'<g id="')
_HASHED_ID = re.compile(r"(?<=[\"#])([pmh])([0-9a-f]{10})(?=[\")])")


def figure_svg(figure: Figure, svg_id: str, label: str) -> Markup:
    """Returns ``figure`` as an ``<svg>`` element for inline HTML (no XML prologue, no metadata).

    Matplotlib numbers its groups from 1 in every file (``axes_1``); ``svg_id`` prefixes them
    so that several SVGs on one page keep their ids unique. ``label`` becomes the SVG's
    accessible name. Same figure, same text: no dates are written.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1), count=1)
    svg = _GROUP_ID.sub(f'<g id="{svg_id}-', svg)
    svg = _renumber_hashed_ids(svg, svg_id)
    # Matplotlib escapes the text it writes into the SVG, so the drawing is trusted markup.
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{text(label)}" ', 1).strip())


def _renumber_hashed_ids(text: str, svg_id: str) -> str:
    """Returns ``text`` with matplotlib's hashed ids (clip paths, markers, hatches) numbered.

    Matplotlib hashes a clip rectangle's float bounds into its id, and layout can move those
    bounds in the last bits from one run to the next; numbering the ids in order of first use
    keeps the page byte-identical.
    """
    numbers: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in numbers:
            numbers[key] = f"{svg_id}-{match.group(1)}{len(numbers) + 1}"
        return numbers[key]

    return _HASHED_ID.sub(number, text)
