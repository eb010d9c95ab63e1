"""Reading survey exports (CSV, XLSX) into canonical `Responses`, in bounded memory.

A file is read in two steps. The header row is decoded once into a column plan
(`ecocluster.survey.headers`); then the rows are streamed in chunks and every column is
normalised through its distinct values (`ecocluster.survey.values`), so a million-row
export costs little more than pandas' own parsing.

CSV files must be UTF-8 (with or without BOM) or UTF-16 with a BOM. Anything else is
refused with the byte and line where decoding failed: silently guessing a legacy
Vietnamese encoding (Windows-1258, VNI, TCVN3) would corrupt the names of places.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ecocluster.errors import ReadError
from ecocluster.instrument import Instrument
from ecocluster.normalize import normalize_text
from ecocluster.survey.headers import ColumnPlan, HeaderIndex, plan_columns
from ecocluster.survey.responses import Responses
from ecocluster.survey.values import (
    BLANK,
    INVALID,
    SELECTED,
    ChoiceResolver,
    RawChunk,
    already_normalized,
    map_column,
    option_flag,
    take,
)
from ecocluster.survey.xlsx import XlsxTable

__all__ = ["CSV_SUFFIXES", "XLSX_SUFFIXES", "concat_responses", "iter_responses", "read_responses"]

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
DELIMITERS = (",", ";", "\t")
_BLOCK = 1 << 22
_HEAD_START = 1 << 16
_HEAD_LIMIT = 1 << 20
_SAVE_AS_UTF8 = (
    "save the file as UTF-8 and read it again (Excel: 'CSV UTF-8 (Comma delimited)'; "
    "LibreOffice: character set 'Unicode (UTF-8)')"
)
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED = re.compile(r"EOF inside string starting at row (\d+)")
_LINE = re.compile(r"(?:line|row) (\d+)")


class _Table(Protocol):
    headers: list[str]

    def chunks(self) -> Iterator[RawChunk]: ...

    def unnamed(self, position: int) -> str: ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- CSV
@dataclass
class _Layout:
    encoding: str
    data_start: int
    header_row: int
    delimiter: str
    headers: list[str]


def _detect_encoding(head: bytes, file: str) -> tuple[str, int]:
    """Codec name and BOM length; UTF-32 and BOM-less UTF-16 are refused outright."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ReadError(f"the file is UTF-32; {_SAVE_AS_UTF8}", file=file, rule="encoding")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if head.startswith(b"PK\x03\x04"):
        raise ReadError(
            "this is an Excel workbook (XLSX), not a CSV file; give it the .xlsx suffix",
            file=file,
            rule="format",
        )
    return "utf-8", 0


def _line_at(path: Path, offset: int) -> int:
    """1-based line of a byte offset, counted on newline bytes."""
    lines = 1
    with path.open("rb") as handle:
        remaining = offset
        while remaining > 0:
            block = handle.read(min(_BLOCK, remaining))
            if not block:
                break
            lines += block.count(b"\n")
            remaining -= len(block)
    return lines


def _check_encoding(path: Path, file: str, encoding: str, bom: int) -> None:
    """Decode the whole file once so that a bad byte is reported where it is."""
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = bom
    with path.open("rb") as handle:
        handle.seek(bom)
        while True:
            block = handle.read(_BLOCK)
            final = not block
            pending = len(decoder.getstate()[0])
            if encoding == "utf-8" and not pending and block.isascii():
                text = ""
                nul = block.find(b"\x00")
                position = consumed + nul if nul >= 0 else -1
            else:
                try:
                    text = decoder.decode(block, final)
                except UnicodeDecodeError as error:
                    offset = max(consumed - pending + error.start, 0)
                    with path.open("rb") as again:
                        again.seek(offset)
                        bad = again.read(1)
                    name = "UTF-8" if encoding == "utf-8" else "UTF-16"
                    raise ReadError(
                        f"byte {offset} (0x{bad.hex() or '??'}, line {_line_at(path, offset)}) "
                        f"is not valid {name}: the file is probably in a legacy encoding "
                        f"(Windows-1258, VNI, TCVN3, Latin-1); {_SAVE_AS_UTF8}",
                        file=file,
                        rule="encoding",
                    ) from None
                nul = text.find("\x00")
                position = consumed - pending + (nul if encoding == "utf-8" else 2 * nul)
            if nul >= 0:
                raise ReadError(
                    f"byte {position} (line {_line_at(path, position)}) is a NUL byte: this is "
                    f"not a text file, or it is UTF-16 without a byte-order mark; {_SAVE_AS_UTF8}",
                    file=file,
                    rule="encoding",
                )
            consumed += len(block)
            if final:
                return


def _line_end(text: str, position: int, final: bool) -> tuple[int, int] | None:
    """End of the physical line at `position` and start of the next; None: read more."""
    newline = text.find("\n", position)
    carriage = text.find("\r", position)
    if carriage >= 0 and (newline < 0 or carriage < newline):
        if carriage + 1 < len(text):
            return carriage, carriage + (2 if text[carriage + 1] == "\n" else 1)
        return (carriage, carriage + 1) if final else None
    if newline >= 0:
        return newline, newline + 1
    return (len(text), len(text)) if final else None


def _record_end(text: str, position: int, final: bool) -> tuple[int, int] | None:
    """Like `_line_end`, but a quoted field may span lines."""
    quoted = False
    for match in re.finditer(r'["\r\n]', text[position:]):
        if match.group() == '"':
            quoted = not quoted
        elif not quoted:
            return _line_end(text, position + match.start(), final)
    return (len(text), len(text)) if final else None


def _scan_head(text: str, final: bool) -> tuple[int, int, int, int] | None:
    """(header row, header start, header end, data start), (0, ...) if there is no header.

    Comment lines (starting with ``#``) and blank lines before the header are skipped but
    counted, so that row numbers stay those a person sees.
    """
    position, row = 0, 1
    while position < len(text):
        line = _line_end(text, position, final)
        if line is None:
            return None
        content = text[position : line[0]]
        if content.startswith("#") or not content.strip(" \t,;"):
            position, row = line[1], row + 1
            continue
        record = _record_end(text, position, final)
        if record is None:
            return None
        return row, position, record[0], record[1]
    return (0, 0, 0, 0) if final else None


def _split_header(text: str, delimiter: str, file: str) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as error:
        raise ReadError(f"the header row cannot be parsed: {error}", file=file, row=1) from None
    return rows[0] if rows else []


def _sniff(text: str, index: HeaderIndex, file: str) -> tuple[str, list[str]]:
    """The delimiter that makes the header name the most questions, then the most columns."""
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    candidates = [d for d in DELIMITERS if counts[d]] or [","]
    best: tuple[int, int] = (-1, -1)
    chosen = (candidates[0], [text])
    for delimiter in candidates:
        headers = _split_header(text, delimiter, file)
        known = 0
        for header in headers:
            try:
                known += index.match(header, file) is not None
            except ReadError:
                known += 1
        score = (known, len(headers))
        if score > best:
            best, chosen = score, (delimiter, headers)
    return chosen


def _layout(path: Path, file: str, index: HeaderIndex) -> _Layout:
    with path.open("rb") as handle:
        encoding, bom = _detect_encoding(handle.read(4), file)
    _check_encoding(path, file, encoding, bom)
    size = _HEAD_START
    while True:
        with path.open("rb") as handle:
            handle.seek(bom)
            head = handle.read(size)
            final = len(head) < size
        if encoding == "utf-8":
            text = head.decode("latin-1")
        else:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final)
        scanned = _scan_head(text, final)
        if scanned is not None:
            break
        if size >= _HEAD_LIMIT:
            raise ReadError(
                "the header row is longer than 1 MiB: is this really a CSV file?",
                file=file,
                rule="format",
            )
        size *= 4
    row, start, end, after = scanned
    if row == 0:
        raise ReadError("the file is empty: no header row", file=file, rule="empty-file")
    if encoding == "utf-8":
        header_text = head[start:end].decode("utf-8")
        data_start = bom + after
    else:
        header_text = text[start:end]
        data_start = bom + len(text[:after].encode(encoding))
    delimiter, headers = _sniff(header_text, index, file)
    return _Layout(encoding, data_start, row, delimiter, headers)


class _CsvTable:
    def __init__(self, path: Path, file: str, index: HeaderIndex, chunksize: int) -> None:
        self.path, self.file, self.chunksize = path, file, chunksize
        self.layout = _layout(path, file, index)
        self.headers = self.layout.headers

    def unnamed(self, position: int) -> str:
        return f"column {position + 1} (no header)"

    def close(self) -> None:
        return None

    def _error(self, error: Exception) -> ReadError:
        message = str(error).strip().replace("Error tokenizing data. C error: ", "")
        header_row = self.layout.header_row
        fields = _FIELDS.search(message)
        if fields:
            expected, record, seen = (int(value) for value in fields.groups())
            return ReadError(
                f"this row has {seen} fields but the header has {expected}; a value that "
                f"contains {self.layout.delimiter!r} must be in double quotes",
                file=self.file,
                row=header_row + record,
                rule="csv-structure",
            )
        unclosed = _UNCLOSED.search(message)
        if unclosed:
            return ReadError(
                "a double quote opened in this row is never closed",
                file=self.file,
                row=header_row + 1 + int(unclosed.group(1)),
                rule="csv-structure",
            )
        line = _LINE.search(message)
        return ReadError(
            f"the CSV file cannot be parsed ({type(error).__name__}: {message})",
            file=self.file,
            row=header_row + int(line.group(1)) if line else None,
            rule="csv-structure",
        )

    def chunks(self) -> Iterator[RawChunk]:
        layout = self.layout
        width = len(layout.headers)
        with self.path.open("rb") as raw:
            raw.seek(layout.data_start)
            if not raw.read(1):
                return
            raw.seek(layout.data_start)
            handle: Any = raw
            if layout.encoding != "utf-8":
                handle = io.TextIOWrapper(raw, encoding=layout.encoding, newline="")
            try:
                reader = pd.read_csv(
                    handle,
                    sep=layout.delimiter,
                    header=None,
                    names=list(range(width)),
                    index_col=False,
                    dtype=object,  # text as given, without pandas' slower str conversion
                    keep_default_na=False,
                    na_filter=False,
                    skip_blank_lines=False,
                    quotechar='"',
                    engine="c",
                    encoding=layout.encoding,
                    chunksize=self.chunksize,
                )
            except Exception as error:
                raise self._error(error) from None
            first = layout.header_row + 1
            with reader:
                while True:
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            frame = next(reader)
                    except StopIteration:
                        return
                    except Exception as error:
                        raise self._error(error) from None
                    count = len(frame)
                    rows = np.arange(first, first + count, dtype=np.int64)
                    first += count
                    columns = [frame[position].to_numpy() for position in range(width)]
                    yield RawChunk(columns, rows)


# -------------------------------------------------------------------- assembling
def _join_selected(selected: list[np.ndarray], names: list[str], count: int) -> np.ndarray:
    """Space-joined names of the chosen options, via one integer bit set per row."""
    if len(names) <= 62:
        bits = np.zeros(count, dtype=np.int64)
        for position, mask in enumerate(selected):
            bits |= mask.astype(np.int64) << position
    else:
        bits = np.zeros(count, dtype=object)
        for position, mask in enumerate(selected):
            bits = bits | np.where(mask, 1 << position, 0).astype(object)
    codes, uniques = pd.factorize(bits)
    joined = [
        " ".join(name for position, name in enumerate(names) if int(value) >> position & 1)
        for value in uniques
    ]
    return take(joined, codes)


class _Builder:
    """Turns raw chunks into `Responses`, remembering distinct values between chunks."""

    def __init__(self, plan: ColumnPlan, instrument: Instrument, table: _Table, file: str):
        self.plan, self.instrument, self.table, self.file = plan, instrument, table, file
        self.caches: dict[int, dict[str, Any]] = {}
        #: How the answers of each choice question are resolved to choice names.
        self.functions: dict[str, Callable[[str], str]] = {}
        for name in plan.questions:
            question = instrument.questions[name]
            if question.is_select:
                resolver = ChoiceResolver(instrument.choices.get(question.list_name or "", []))
                many = question.type == "select_multiple"
                self.functions[name] = resolver.many if many else resolver.one
        named_extra = set(plan.extra)
        self.extra_positions = [
            position for position, header in enumerate(plan.headers) if header in named_extra
        ]

    def _map(
        self, raw: RawChunk, position: int, function: Callable[[str], Any]
    ) -> tuple[np.ndarray, list[Any]]:
        return map_column(raw.columns[position], function, self.caches.setdefault(position, {}))

    def _text(
        self, raw: RawChunk, position: int, function: Callable[[str], str], filled: np.ndarray
    ) -> np.ndarray:
        codes, mapped = self._map(raw, position, function)
        filled |= np.asarray([value != "" for value in mapped], dtype=bool)[codes]
        return take(mapped, codes)

    def _plain(self, raw: RawChunk, position: int, filled: np.ndarray) -> np.ndarray:
        """Free text and numbers: most columns need no change, which is checked in bulk."""
        values = raw.columns[position]
        if already_normalized(values):
            filled |= values != ""
            return values
        # Not cached between chunks: free text rarely repeats, and memory must stay flat.
        codes, mapped = map_column(values, normalize_text, {})
        filled |= np.asarray([value != "" for value in mapped], dtype=bool)[codes]
        return take(mapped, codes)

    def _selected(self, raw: RawChunk, name: str, filled: np.ndarray) -> np.ndarray:
        columns = self.plan.questions[name]
        masks: list[np.ndarray] = []
        for _, position in columns.options:
            codes, mapped = self._map(raw, position, option_flag)
            flags = np.asarray(mapped, dtype=np.int8)[codes]
            invalid = np.flatnonzero(flags == INVALID)
            if len(invalid):
                value = normalize_text(str(raw.columns[position][invalid[0]]))
                raise ReadError(
                    f"{value!r} in a column per option: use 1 when the option was chosen, 0 "
                    "when it was not, and leave it empty when the question was not asked",
                    file=self.file,
                    row=int(raw.rows[invalid[0]]),
                    column=self.plan.headers[position],
                    rule="option-column",
                )
            filled |= flags != BLANK
            masks.append(flags == SELECTED)
        if columns.joined is not None:
            self._plain(raw, columns.joined, filled)
        names = [choice for choice, _ in columns.options]
        return _join_selected(masks, names, len(raw.rows))

    def build(self, raw: RawChunk) -> Responses:
        count = len(raw.rows)
        filled = np.zeros(count, dtype=bool)
        data: dict[str, np.ndarray] = {}
        for name, columns in self.plan.questions.items():
            if columns.options:
                data[name] = self._selected(raw, name, filled)
            elif name in self.functions:
                assert columns.joined is not None
                data[name] = self._text(raw, columns.joined, self.functions[name], filled)
            else:
                assert columns.joined is not None
                data[name] = self._plain(raw, columns.joined, filled)
        meta = {
            name: self._plain(raw, position, filled) for name, position in self.plan.meta.items()
        }
        for position in self.extra_positions:
            self._plain(raw, position, filled)
        unnamed = []
        for position in self.plan.unnamed:
            used = np.zeros(count, dtype=bool)
            self._plain(raw, position, used)
            if used.any():
                unnamed.append(self.table.unnamed(position))
            filled |= used
        keep = filled if not filled.all() else slice(None)
        size = int(filled.sum())
        index = pd.RangeIndex(size)
        return Responses(
            data=pd.DataFrame(
                {name: pd.array(values[keep], dtype="str") for name, values in data.items()},
                index=index,
            ),
            meta=pd.DataFrame(
                {name: pd.array(values[keep], dtype="str") for name, values in meta.items()},
                index=index,
            ),
            source_row=np.asarray(raw.rows[keep], dtype=np.int64),
            file=self.file,
            columns={name: columns.header for name, columns in self.plan.questions.items()},
            extra_columns=[*self.plan.extra, *unnamed, *raw.overflow],
        )


# ---------------------------------------------------------------------- public
def _open_table(path: Path, file: str, index: HeaderIndex, chunksize: int) -> _Table:
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        hint = "; save it as .xlsx" if suffix in (".xls", ".ods") else ""
        raise ReadError(
            f"cannot read {suffix or 'files without a suffix'}: survey data must be CSV (.csv) "
            f"or Excel (.xlsx, .xlsm){hint}",
            file=file,
            rule="format",
        )
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise ReadError(f"the file {what}", file=file, rule="no-such-file")
    try:
        if suffix in XLSX_SUFFIXES:
            return XlsxTable(path, file, chunksize)
        return _CsvTable(path, file, index, chunksize)
    except OSError as error:
        raise ReadError(f"cannot read the file: {error.strerror or error}", file=file) from None


def iter_responses(
    path: str | Path, instrument: Instrument, *, chunksize: int = 50_000
) -> Iterator[Responses]:
    """Read an export chunk by chunk, so that memory stays bounded for any file size.

    Each chunk is a `Responses` of at most `chunksize` rows (blank rows are skipped);
    `source_row` keeps the row numbers of the file. Raises `ReadError` for every problem
    the file can have, including a file without data rows.
    """
    if chunksize < 1:
        raise ValueError("chunksize must be at least 1")
    path = Path(path)
    file = str(path)
    index = HeaderIndex(instrument)
    table = _open_table(path, file, index, chunksize)
    produced = 0
    try:
        plan = plan_columns(table.headers, instrument, file, index=index)
        builder = _Builder(plan, instrument, table, file)
        try:
            for raw in table.chunks():
                responses = builder.build(raw)
                if len(responses):
                    produced += len(responses)
                    yield responses
        except OSError as error:
            raise ReadError(f"cannot read the file: {error.strerror or error}", file=file) from None
    finally:
        table.close()
    if not produced:
        raise ReadError("the file has a header row but no data rows", file=file, rule="no-data")


def concat_responses(parts: list[Responses]) -> Responses:
    """One `Responses` from consecutive chunks of the same file."""
    if len(parts) == 1:
        return parts[0]
    extra: dict[str, None] = {}
    for part in parts:
        extra.update(dict.fromkeys(part.extra_columns))
    return Responses(
        data=pd.concat([part.data for part in parts], ignore_index=True),
        meta=pd.concat([part.meta for part in parts], ignore_index=True),
        source_row=np.concatenate([part.source_row for part in parts]),
        file=parts[0].file,
        columns=dict(parts[0].columns),
        extra_columns=list(extra),
    )


def read_responses(path: str | Path, instrument: Instrument) -> Responses:
    """Read a whole export (CSV or XLSX, any KoboToolbox/ODK style) into one `Responses`."""
    return concat_responses(list(iter_responses(path, instrument)))
