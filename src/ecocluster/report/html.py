"""Render a `Report` as one self-contained HTML page, and write a report folder.

The page carries its stylesheet and its figures inline and refers to nothing outside
itself (no CDN, no web font, no script), so it opens offline, can be mailed as one file and
prints on A4 without the navigation.

A report folder holds::

    report.html          the page
    tables/<name>.csv    the numbers behind each table (UTF-8 with a byte-order mark)
    summary.json         key results for other programs (UTF-8, NaN written as null)
    .ecocluster-report   the list of files above, marking the folder as ecocluster's

The folder is written as a whole or not at all, and replaces only a folder ecocluster
wrote (`ecocluster.output.staged_folder`); CSV files carry a byte-order mark for Excel.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ecocluster import __version__
from ecocluster.json_data import to_json_data
from ecocluster.output import (
    CSV_ENCODING as CSV_ENCODING,
)
from ecocluster.output import (
    MARKER as MARKER,
)
from ecocluster.output import (
    OutputError,
    fsync_write,
    staged_folder,
    write_csv,
)
from ecocluster.report.document import (
    Block,
    Bullets,
    Callout,
    FigureBlock,
    KeyFigures,
    Paragraph,
    Report,
    Section,
    TableBlock,
    check_identifier,
)

HTML_NAME = "report.html"
SUMMARY_NAME = "summary.json"
TABLES_DIR = "tables"

# Cell texts that leave a column's alignment alone: blanks and "not applicable" marks.
_PLACEHOLDERS = frozenset({"", "-", "–", "—", ".", "..", "…", "n/a", "na", "n.a.", "nan"})
# A number as tables print it: signs (ASCII and typographic), grouping, decimals, percent,
# significance stars, and brackets for standard errors or intervals: "1,245", "−0.31**",
# "(0.12)", "83.0 %", "[0.10, 0.52]".
_NUMBER = re.compile(r"[(\[]?[+\-−–]?\d[\d.,\s%‰*/()\[\]+\-−–]*\Z")


#: The report folder cannot be written where asked; nothing was changed.
ReportOutputError = OutputError


# HTML ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    text: str
    tag: str = "td"
    scope: str = ""
    colspan: int = 1
    numeric: bool = False


@dataclass(frozen=True)
class _TableView:
    head: list[list[_Cell]]
    body: list[list[_Cell]]
    width: int


@dataclass(frozen=True)
class _BlockView:
    kind: str
    block: Block
    number: int = 0
    table: _TableView | None = None
    svg: Markup | None = None
    csv_href: str = ""


@dataclass(frozen=True)
class _Entry:
    id: str
    label: str
    title: str


@dataclass(frozen=True)
class _SectionView:
    section: Section
    number: int
    blocks: list[_BlockView]
    entries: list[_Entry] = field(default_factory=list)


def _display(value: object) -> str:
    """A cell as text; tables should hold display strings, but numbers and gaps are fine."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating) and math.isnan(value):
        return ""
    return str(value)


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def _numeric_columns(cells: list[list[str]], width: int) -> list[bool]:
    """A column is right-aligned when every cell in it that is not a blank is a number."""
    result = []
    for column in range(width):
        texts = [row[column].strip() for row in cells]
        real = [text for text in texts if text.casefold() not in _PLACEHOLDERS]
        result.append(bool(real) and all(_is_number(text) for text in real))
    return result


def _header_labels(index: pd.Index) -> list[tuple[object, ...]]:
    if isinstance(index, pd.MultiIndex):
        return [tuple(item) for item in index]
    return [(item,) for item in index]


def _table_view(frame: pd.DataFrame) -> _TableView:
    """Header rows (one per column level, equal neighbours merged) and body rows whose
    first cells are row headers (a repeated outer label is shown once)."""
    row_levels = frame.index.nlevels
    column_levels = frame.columns.nlevels
    columns = _header_labels(frame.columns)
    rows = _header_labels(frame.index)
    cells = [[_display(value) for value in row] for row in frame.itertuples(index=False)]
    numeric = _numeric_columns(cells, len(columns))

    head: list[list[_Cell]] = []
    for level in range(column_levels):
        last = level == column_levels - 1
        row: list[_Cell] = []
        if last:
            names = [_display(name) for name in frame.index.names]
            row.extend(_Cell(name, tag="th", scope="col") if name else _Cell("") for name in names)
        else:
            row.append(_Cell("", tag="td", colspan=row_levels))
        position = 0
        while position < len(columns):
            end = position + 1
            while (
                not last
                and end < len(columns)
                and columns[end][: level + 1] == columns[position][: level + 1]
            ):
                end += 1
            span = end - position
            row.append(
                _Cell(
                    _display(columns[position][level]),
                    tag="th",
                    scope="col" if last or span == 1 else "colgroup",
                    colspan=span,
                    numeric=last and numeric[position],
                )
            )
            position = end
        head.append(row)

    body: list[list[_Cell]] = []
    previous: tuple[object, ...] | None = None
    for labels, values in zip(rows, cells, strict=True):
        row = []
        for level, label in enumerate(labels):
            repeated = (
                level < row_levels - 1
                and previous is not None
                and previous[: level + 1] == labels[: level + 1]
            )
            row.append(_Cell("" if repeated else _display(label), tag="th", scope="row"))
        row.extend(
            _Cell(text, numeric=is_numeric)
            for text, is_numeric in zip(values, numeric, strict=True)
        )
        body.append(row)
        previous = labels
    return _TableView(head=head, body=body, width=row_levels + len(columns))


_SVG_ID = re.compile(r"""(\sid=)(["'])(.*?)\2""")
_SVG_LOCAL_HREF = re.compile(r"""(\s(?:xlink:)?href=)(["'])#(.*?)\2""")
_SVG_URL = re.compile(r"url\(#([^)]+)\)")
_SVG_ANY_HREF = re.compile(r"""\s(?:xlink:)?href=(["'])(.*?)\1""")
_SVG_ACTIVE = re.compile(r"<script|<foreignObject|\son[a-z]+\s*=", re.IGNORECASE)


def _inline_svg(figure: FigureBlock) -> Markup:
    """The figure's SVG ready to sit in the page: self-contained, ids made unique.

    Matplotlib names elements ``patch_1``, ``axes_1``, glyphs ``DejaVuSans-44``: several
    charts on one page would repeat these ids, so each is prefixed with the figure's id.
    """
    svg = figure.svg
    start = svg.find("<svg")
    if start < 0:
        raise ValueError(f"figure {figure.id!r}: the svg text has no <svg> element")
    svg = svg[start:].strip()
    if _SVG_ACTIVE.search(svg):
        raise ValueError(f"figure {figure.id!r}: scripts and event handlers are not allowed")
    for match in _SVG_ANY_HREF.finditer(svg):
        if not match.group(2).startswith("#"):
            raise ValueError(
                f"figure {figure.id!r}: the SVG refers to {match.group(2)!r}; "
                "figures must be self-contained"
            )
    prefix = f"{figure.id}--"
    svg = _SVG_ID.sub(lambda m: f"{m.group(1)}{m.group(2)}{prefix}{m.group(3)}{m.group(2)}", svg)
    svg = _SVG_LOCAL_HREF.sub(
        lambda m: f"{m.group(1)}{m.group(2)}#{prefix}{m.group(3)}{m.group(2)}", svg
    )
    svg = _SVG_URL.sub(lambda m: f"url(#{prefix}{m.group(1)})", svg)
    label = escape(unicodedata.normalize("NFC", figure.alt))
    svg = f'<svg role="img" aria-label="{label}"' + svg[len("<svg") :]
    return Markup(svg)


def _section_views(report: Report, table_links: Mapping[str, str]) -> list[_SectionView]:
    """Number sections, tables and figures in reading order and prepare what they show."""
    views = []
    tables = figures = 0
    for number, section in enumerate(report.sections, start=1):
        blocks: list[_BlockView] = []
        entries: list[_Entry] = []
        for block in section.blocks:
            if isinstance(block, TableBlock):
                tables += 1
                view = _BlockView(
                    "table",
                    block,
                    number=tables,
                    table=_table_view(block.frame),
                    csv_href=table_links.get(block.name, ""),
                )
                entries.append(_Entry(block.html_id, f"Table {tables}.", block.title))
            elif isinstance(block, FigureBlock):
                figures += 1
                view = _BlockView("figure", block, number=figures, svg=_inline_svg(block))
                entries.append(_Entry(block.id, f"Figure {figures}.", block.title))
            elif isinstance(block, Paragraph):
                view = _BlockView("paragraph", block)
            elif isinstance(block, Bullets):
                view = _BlockView("bullets", block)
            elif isinstance(block, Callout):
                view = _BlockView("callout", block)
            elif isinstance(block, KeyFigures):
                view = _BlockView("key_figures", block)
            else:  # pragma: no cover - Section refuses other types
                raise TypeError(f"cannot render {type(block).__name__}")
            blocks.append(view)
        views.append(_SectionView(section, number, blocks, entries))
    return views


def _nfc(value: object) -> object:
    """Every text printed by the template in NFC, the form Vietnamese is compared in."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def _template_source(name: str) -> str:
    return (resources.files("ecocluster.report") / "templates" / name).read_text("utf-8")


def _sentence(text: str) -> str:
    """A title followed by more text ends with a full stop, unless it has punctuation."""
    text = text.rstrip()
    return text if not text or text[-1] in ".?!:…" else f"{text}."


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_nfc,
    )
    environment.filters["sentence"] = _sentence
    return environment


@functools.cache
def _stylesheet() -> Markup:
    css = _template_source("report.css")
    if "</" in css:
        raise ValueError("report.css must not contain '</' (it is inlined in a <style>)")
    return Markup(css.strip())


def render_html(
    report: Report, *, table_links: Mapping[str, str] | None = None, files: bool = False
) -> str:
    """The report as one HTML page.

    `table_links` maps a table's name to the (relative) address of its CSV, shown under
    the table; `files` says the page will sit next to ``tables/`` and ``summary.json``.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        sections=_section_views(report, table_links or {}),
        css=_stylesheet(),
        version=__version__,
        files=files,
    )


# Files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFiles:
    """Where `write_report` put each file."""

    directory: Path
    html: Path
    summary: Path
    tables: Mapping[str, Path]


def summary_json(summary: Mapping[str, Any]) -> str:
    """The summary as indented UTF-8 JSON text (Vietnamese kept readable, not escaped)."""
    data = to_json_data(summary, "summary")
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


_write_table = write_csv


def write_report(
    report: Report,
    out_dir: Path,
    *,
    tables: Mapping[str, pd.DataFrame],
    summary: Mapping[str, Any],
) -> ReportFiles:
    """Write the report folder (page, one CSV per table, summary) all at once.

    `tables` holds the machine-readable numbers, keyed by table name; each `TableBlock`
    of the report needs one (its page links to it), and more may be given. The folder
    is created, or replaced when it is empty or holds only a previous report's files;
    otherwise `ReportOutputError` is raised and nothing is touched.
    """
    for name in tables:
        check_identifier(name, "table name")
    missing = [block.name for block in report.tables() if block.name not in tables]
    if missing:
        raise ValueError(f"no CSV data for the report's tables: {', '.join(missing)}")
    links = {name: f"{TABLES_DIR}/{name}.csv" for name in tables}
    page = render_html(report, table_links=links, files=True)
    summary_text = summary_json(summary)
    directory = Path(out_dir).resolve()
    with staged_folder(directory, "report") as staging:
        fsync_write(staging / HTML_NAME, page)
        (staging / TABLES_DIR).mkdir()
        for name, frame in tables.items():
            _write_table(frame, staging / TABLES_DIR / f"{name}.csv")
        fsync_write(staging / SUMMARY_NAME, summary_text)
    return ReportFiles(
        directory=directory,
        html=directory / HTML_NAME,
        summary=directory / SUMMARY_NAME,
        tables={name: directory / TABLES_DIR / f"{name}.csv" for name in tables},
    )
