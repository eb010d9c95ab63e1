"""Streaming the first worksheet of an Excel workbook, row by row.

A formula cell carries the value the spreadsheet program last computed. openpyxl writes
formulas without that value, and such a cell must not silently read as empty, so cells
are parsed with a small extension of openpyxl's cell parser that sees both the formula
and its cached value in one pass.

openpyxl's read-only mode is slow on large sheets: it parses a sheet without a
``<dimension>`` element twice, and parses XML through defusedxml's pure-Python parser.
The fast path therefore opens the package with openpyxl's reader (shared strings,
styles, date formats) but streams the sheet with the C XML parser; expat (2.4.1 and
later) refuses entity-expansion bombs and a sheet with a DTD is refused outright. Should
openpyxl's internals change, the same answer comes from two public read-only passes
(values, then formulas) instead.
"""

from __future__ import annotations

import pyexpat
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, iterparse

import numpy as np
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ecocluster.errors import ReadError
from ecocluster.normalize import normalize_text
from ecocluster.survey.values import RawChunk, cell_text

Row = tuple[int, list[Any]]
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _VALUE, _FORMULA = f"{_MAIN}row", f"{_MAIN}v", f"{_MAIN}f"
_INLINE, _TEXT, _RUN = f"{_MAIN}is", f"{_MAIN}t", f"{_MAIN}r"
_SAFE_EXPAT = pyexpat.version_info >= (2, 4, 1)


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell that was never calculated."""

    formula: str


def _cached(element: Element) -> bool:
    """Whether a formula cell holds a computed value.

    openpyxl writes ``<v/>`` for formulas it cannot compute; an empty value is a real
    result only for a text formula (``t="str"``), as spreadsheet programs write it.
    """
    value = element.find(_VALUE)
    if value is None:
        return False
    return bool(value.text) or element.get("t") == "str"


def _inline_to_value(element: Element) -> None:
    """Rewrite an inline string cell as a plain text cell, which parses much faster."""
    inline = element.find(_INLINE)
    if inline is None:
        return
    if len(inline) == 1 and inline[0].tag == _TEXT:
        text = inline[0].text or ""
    else:  # rich text: plain part and runs, without phonetic hints
        parts = [inline.findtext(_TEXT) or ""]
        parts.extend(run.findtext(_TEXT) or "" for run in inline.findall(_RUN))
        text = "".join(parts)
    inline.clear()
    inline.tag, inline.text = _VALUE, text
    element.set("t", "str")


def _cell_parser(source: Any, strings: Any, workbook: Any) -> Any:
    from openpyxl.worksheet._reader import WorkSheetParser

    class CellParser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            if element.get("t") == "inlineStr":
                _inline_to_value(element)
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None:
                formula = element.find(_FORMULA)
                if formula is not None and not _cached(element):
                    cell["value"] = Uncomputed("=" + (formula.text or ""))
            return cell

    return CellParser(
        source,
        strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )


def _open_fast(path: Path) -> tuple[Iterator[Row], Callable[[], None]] | None:
    """Rows of the first worksheet and a function that closes the file; None: no fast path."""
    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.worksheet import _reader
    except ImportError:
        return None
    needed = ("read_manifest", "read_strings", "read_workbook")
    if not _SAFE_EXPAT or not all(hasattr(ExcelReader, name) for name in needed):
        return None
    if not hasattr(_reader, "WorkSheetParser"):
        return None
    reader = ExcelReader(str(path), read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        if not all(hasattr(reader.wb, name) for name in ("_date_formats", "_timedelta_formats")):
            reader.archive.close()
            return None
        sheets = [
            rel.target
            for _, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
        if not sheets:
            raise ReadError("the workbook has no worksheet", file=str(path), rule="empty-file")
        with reader.archive.open(sheets[0]) as source:
            if b"<!DOCTYPE" in source.read(4096):
                raise ReadError(
                    "the worksheet declares a DTD, which Excel never writes",
                    file=str(path),
                    rule="format",
                )
    except BaseException:
        reader.archive.close()
        raise
    rows = _fast_rows(reader, sheets[0])
    return rows, reader.archive.close


def _fast_rows(reader: Any, sheet: str) -> Iterator[Row]:
    with reader.archive.open(sheet) as source:
        parser = _cell_parser(source, reader.shared_strings, reader.wb)
        for _, element in iterparse(source):
            if element.tag != _ROW:
                continue
            number, cells = parser.parse_row(element)
            parser.row_dimensions.clear()
            # A cleared row stays as an empty element (under 100 bytes): memory grows
            # by that much per row at most, up to Excel's limit of 1,048,576 rows.
            element.clear()
            if not cells:
                continue
            values: list[Any] = [None] * max(cell["column"] for cell in cells)
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            yield number, values


def _open_public(path: Path) -> tuple[Iterator[Row], Callable[[], None]]:
    values = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        formulas = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except BaseException:
        values.close()
        raise

    def close() -> None:
        values.close()
        formulas.close()

    if not values.worksheets or not formulas.worksheets:
        close()
        raise ReadError("the workbook has no worksheet", file=str(path), rule="empty-file")
    return _public_rows(values.worksheets[0], formulas.worksheets[0]), close


def _public_rows(values_sheet: Any, formula_sheet: Any) -> Iterator[Row]:
    values_sheet.reset_dimensions()
    formula_sheet.reset_dimensions()
    pairs = zip(values_sheet.iter_rows(), formula_sheet.iter_rows(values_only=True), strict=False)
    for number, (cells, formulas) in enumerate(pairs, start=1):
        row = [cell.value for cell in cells]
        for position, cell in enumerate(cells):
            # An empty text result (t="str") is a computed value; see `_cached`.
            if cell.value is None and cell.data_type != "str" and position < len(formulas):
                formula = formulas[position]
                if formula is not None:
                    row[position] = Uncomputed(str(getattr(formula, "text", formula)))
        if any(value is not None for value in row):
            yield number, row


class XlsxTable:
    """Header and chunks of rows of the first worksheet, as text."""

    #: Stream with the fast path when openpyxl allows it; tests turn it off.
    fast = True

    def __init__(self, path: Path, file: str, chunksize: int) -> None:
        self.file, self.chunksize = file, chunksize
        self.last_row = 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opened = _open_fast(path) if self.fast else None
                self.rows, self._close = opened or _open_public(path)
        except ReadError:
            raise
        except Exception as error:
            raise ReadError(
                f"this is not a readable Excel workbook ({type(error).__name__}: {error}); "
                "open it in a spreadsheet program and save it as .xlsx",
                file=file,
                rule="format",
            ) from None
        try:
            self.header_row, self.headers = self._header()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.rows.close()  # type: ignore[attr-defined]
        self._close()

    def unnamed(self, position: int) -> str:
        return f"column {get_column_letter(position + 1)} (no header)"

    def _take(self, count: int) -> list[Row]:
        batch: list[Row] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                for number, values in self.rows:
                    self.last_row = number
                    batch.append((number, values))
                    if len(batch) >= count:
                        break
            except ReadError:
                raise
            except Exception as error:
                raise ReadError(
                    f"the worksheet cannot be read ({type(error).__name__}: {error})",
                    file=self.file,
                    row=self.last_row + 1,
                    rule="format",
                ) from None
        return batch

    def _texts(self, number: int, values: list[Any], headers: list[str] | None) -> list[str]:
        texts: list[str] = []
        for position, value in enumerate(values):
            if value.__class__ is str:
                texts.append(value)
            elif value is None:
                texts.append("")
            elif isinstance(value, Uncomputed):
                column = get_column_letter(position + 1)
                if headers is not None and position < len(headers) and headers[position]:
                    column = headers[position]
                raise ReadError(
                    f"formula {value.formula} has no computed value; open and save the file "
                    "in a spreadsheet program",
                    file=self.file,
                    row=number,
                    column=column,
                    rule="formula",
                )
            else:
                texts.append(cell_text(value))
        return texts

    def _header(self) -> tuple[int, list[str]]:
        while True:
            batch = self._take(1)
            if not batch:
                raise ReadError(
                    "the first worksheet is empty: no header row", file=self.file, rule="empty-file"
                )
            number, values = batch[0]
            texts = self._texts(number, values, None)
            if texts[0].startswith("#") or not any(normalize_text(text) for text in texts):
                continue
            while texts and not normalize_text(texts[-1]):
                texts.pop()
            return number, texts

    def chunks(self) -> Iterator[RawChunk]:
        width = len(self.headers)
        while True:
            batch = self._take(self.chunksize)
            if not batch:
                return
            rows: list[list[str]] = []
            overflow: dict[str, None] = {}
            for number, values in batch:
                texts = self._texts(number, values, self.headers)
                if len(texts) > width:
                    for position in range(width, len(texts)):
                        if normalize_text(texts[position]):
                            overflow[self.unnamed(position)] = None
                    del texts[width:]
                elif len(texts) < width:
                    texts.extend([""] * (width - len(texts)))
                rows.append(texts)
            table = np.empty((len(rows), width), dtype=object)
            table[:] = rows
            numbers = np.array([number for number, _ in batch], dtype=np.int64)
            yield RawChunk([table[:, position] for position in range(width)], numbers, [*overflow])
