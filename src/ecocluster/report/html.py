"""Render a `Report` as one self-contained HTML page, and write a report folder.

The page carries its stylesheet and its figures inline and refers to nothing outside
itself (no CDN, no web font, no script), so it opens offline, can be mailed as one file and
prints on A4 without the navigation.

A report folder holds::

    report.html          the page
    tables/<name>.csv    the numbers behind each table (UTF-8 with a byte-order mark)
    summary.json         key results for other programs (UTF-8, NaN written as null)
    .ecocluster-report   the list of files above, marking the folder as ecocluster's

CSV files start with a byte-order mark because Excel, which many readers of these reports
use, reads a CSV without one in the system's legacy code page and garbles "Đồng Kỵ";
pandas (``encoding="utf-8-sig"``), R's readr and LibreOffice skip the mark.

The folder is written as a whole or not at all: everything goes into a temporary sibling
folder, which is renamed into place once complete. An existing folder is replaced only when
it is empty or was written by ecocluster and holds nothing but the files it listed, so
rerunning a report is easy and a mistyped ``-o`` never deletes someone's files.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ecocluster import __version__
from ecocluster.errors import EcoclusterError
from ecocluster.json_data import to_json_data
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

MARKER = ".ecocluster-report"
HTML_NAME = "report.html"
SUMMARY_NAME = "summary.json"
TABLES_DIR = "tables"
CSV_ENCODING = "utf-8-sig"

# Cell texts that leave a column's alignment alone: blanks and "not applicable" marks.
_PLACEHOLDERS = frozenset({"", "-", "–", "—", ".", "..", "…", "n/a", "na", "n.a.", "nan"})
# A number as tables print it: signs (ASCII and typographic), grouping, decimals, percent,
# significance stars, and brackets for standard errors or intervals: "1,245", "−0.31**",
# "(0.12)", "83.0 %", "[0.10, 0.52]".
_NUMBER = re.compile(r"[(\[]?[+\-−–]?\d[\d.,\s%‰*/()\[\]+\-−–]*\Z")


class ReportOutputError(EcoclusterError):
    """The report folder cannot be written where asked; nothing was changed."""


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


def _fsync_write(path: Path, text: str, encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    """One table as CSV: "\\n" line ends, NaN as an empty cell, full float precision.

    The index is written when it carries information (a name, labels or several levels);
    a plain 0, 1, 2 ... row number is left out.
    """
    plain = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    text = frame.to_csv(index=not plain, lineterminator="\n")
    _fsync_write(path, text, encoding=CSV_ENCODING)


def _manifest(directory: Path) -> set[str] | None:
    """The files a previous report listed in its marker, or None without a marker."""
    marker = directory / MARKER
    if not marker.is_file():
        return None
    lines = marker.read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _check_target(directory: Path) -> None:
    """Refuse a target we could not replace without losing someone else's files."""
    if not directory.exists():
        return
    if not directory.is_dir():
        raise ReportOutputError(f"{directory} exists and is not a folder")
    cwd = Path.cwd().resolve()
    if cwd == directory or directory in cwd.parents:
        raise ReportOutputError(
            f"{directory} is the current folder or contains it; write the report to a new folder"
        )
    entries = {path.relative_to(directory).as_posix() for path in directory.rglob("*")}
    if not entries:
        return
    listed = _manifest(directory)
    if listed is None:
        raise ReportOutputError(
            f"{directory} is not empty and was not written by ecocluster; "
            "choose a new or empty folder"
        )
    allowed = {MARKER} | listed
    allowed |= {parent.as_posix() for name in listed for parent in PurePath(name).parents}
    foreign = sorted(entries - allowed)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise ReportOutputError(
            f"{directory} holds files the previous report did not write ({shown}); "
            "move them or choose another folder"
        )


def _sibling(directory: Path, suffix: str) -> Path:
    return directory.with_name(f".{directory.name}.{secrets.token_hex(6)}.{suffix}")


def _new_staging(directory: Path) -> Path:
    """A fresh hidden sibling folder (same file system, so the final rename is atomic),
    made with the usual permissions rather than a temporary folder's private ones."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = _sibling(directory, "tmp")
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def _sync_folder(directory: Path) -> None:
    """Make a rename durable (POSIX; other systems have no folder handles to sync)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _move_into_place(staging: Path, directory: Path) -> None:
    """Put the finished folder where it belongs; on failure the old one stays."""
    if not directory.exists():
        staging.rename(directory)
    else:
        old = _sibling(directory, "old")
        directory.rename(old)
        try:
            staging.rename(directory)
        except BaseException:
            old.rename(directory)
            raise
        shutil.rmtree(old, ignore_errors=True)
    _sync_folder(directory.parent)


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
    directory = Path(out_dir).resolve()
    _check_target(directory)
    links = {name: f"{TABLES_DIR}/{name}.csv" for name in tables}
    page = render_html(report, table_links=links, files=True)
    summary_text = summary_json(summary)

    try:
        staging = _new_staging(directory)
    except OSError as error:
        raise ReportOutputError(
            f"could not create a folder next to {directory}: {error}"
        ) from error
    try:
        _fsync_write(staging / HTML_NAME, page)
        (staging / TABLES_DIR).mkdir()
        for name, frame in tables.items():
            _write_table(frame, staging / TABLES_DIR / f"{name}.csv")
        _fsync_write(staging / SUMMARY_NAME, summary_text)
        written = [HTML_NAME, SUMMARY_NAME, *(links[name] for name in tables)]
        _fsync_write(
            staging / MARKER,
            f"# Written by ecocluster {__version__}. Writing a report here again replaces\n"
            "# this folder; it is refused while the folder holds files not listed below.\n"
            + "".join(f"{name}\n" for name in written),
        )
        _move_into_place(staging, directory)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise ReportOutputError(
                f"could not write the report to {directory}: {error}"
            ) from error
        raise
    return ReportFiles(
        directory=directory,
        html=directory / HTML_NAME,
        summary=directory / SUMMARY_NAME,
        tables={name: directory / TABLES_DIR / f"{name}.csv" for name in tables},
    )
