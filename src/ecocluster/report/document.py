"""What a report says, as plain data: sections of paragraphs, tables and figures.

The analysis modules build a `Report`; `ecocluster.report.html` turns it into files. Keeping
the description free of markup means the same report can be checked in tests, rendered to
HTML today and to other formats later, and that no analysis code writes HTML by hand.

Text is plain text (the renderer escapes it). Identifiers become HTML ids and file names,
so they are restricted to lower-case ASCII letters, digits, ``-`` and ``_``; the checks
happen here, when the report is built, not halfway through writing it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeAlias

import pandas as pd

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_-]*\Z")
CalloutKind: TypeAlias = Literal["note", "warning"]
CALLOUT_KINDS: tuple[CalloutKind, ...] = ("note", "warning")
# Ids the HTML page itself uses (the header and the table of contents).
RESERVED_IDS = frozenset({"top", "contents"})


def check_identifier(value: str, what: str) -> None:
    """Refuse a name that cannot serve as an HTML id and a portable file name."""
    if not _IDENTIFIER.match(value):
        raise ValueError(
            f"{what} {value!r} must start with a lower-case letter and contain only "
            "lower-case ASCII letters, digits, '-' and '_' (it becomes an HTML id or file name)"
        )


def slug(key: str) -> str:
    """An identifier-safe form of a name ("Bát Tràng" -> "bat-trang"), for ids and files."""
    from ecocluster.normalize import fold_key

    text = "".join(c if c.isascii() and c.isalnum() else "-" for c in fold_key(key))
    return "-".join(part for part in text.split("-") if part) or "item"


def _tuple_of_str(values: object, what: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, tuple | list):
        raise TypeError(f"{what} must be a tuple of strings, not {type(values).__name__}")
    if not all(isinstance(item, str) for item in values):
        raise TypeError(f"{what} must contain only strings")
    return tuple(values)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """An unordered list; lists are given as tuples (a list is accepted and frozen)."""

    items: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", _tuple_of_str(self.items, "Bullets.items"))


@dataclass(frozen=True)
class Callout:
    """A boxed remark: ``note`` for context, ``warning`` for what a reader must not miss."""

    text: str
    kind: CalloutKind = "note"

    def __post_init__(self) -> None:
        if self.kind not in CALLOUT_KINDS:
            raise ValueError(f"Callout.kind must be one of {CALLOUT_KINDS}, not {self.kind!r}")


@dataclass(frozen=True, eq=False)
class TableBlock:
    """A table as the reader sees it.

    `frame` holds display strings (already rounded and formatted); its index gives the row
    labels and its columns the headers (a two-level column index becomes two header rows).
    `name` is the table's identifier: its HTML id is ``table-<name>`` and the machine-readable
    numbers belong in ``tables/<name>.csv``. Compared by identity, as data frames have no
    single truth value.
    """

    name: str
    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        check_identifier(self.name, "TableBlock.name")
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(f"TableBlock.frame must be a DataFrame, not {type(self.frame)}")
        object.__setattr__(self, "notes", _tuple_of_str(self.notes, "TableBlock.notes"))

    @property
    def html_id(self) -> str:
        return f"table-{self.name}"


def collect_table(
    tables: dict[str, pd.DataFrame],
    name: str,
    title: str,
    display: pd.DataFrame,
    data: pd.DataFrame,
    *,
    note: str = "",
    source: str = "",
) -> TableBlock:
    """A table as shown, with its machine-readable `data` kept in `tables` under its name
    (for ``tables/<name>.csv``)."""
    tables[name] = data
    return TableBlock(name, title, display, notes=(note,) if note else (), source=source)


@dataclass(frozen=True)
class FigureBlock:
    """A chart: trusted SVG markup (from `ecocluster.report.figures`) with its texts.

    `alt` describes what the chart shows for readers who cannot see it; `caption` says how
    to read it (scale, reference lines, data source).
    """

    id: str
    title: str
    svg: str
    alt: str
    caption: str = ""

    def __post_init__(self) -> None:
        check_identifier(self.id, "FigureBlock.id")
        if not self.alt.strip():
            raise ValueError(f"FigureBlock {self.id!r} needs an alt text")


@dataclass(frozen=True)
class KeyFigures:
    """A "study at a glance" strip: a few (label, value) pairs shown large."""

    items: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        items = tuple(tuple(item) for item in self.items)
        if not all(
            len(item) == 2 and all(isinstance(part, str) for part in item) for item in items
        ):
            raise TypeError("KeyFigures.items must be (label, value) pairs of strings")
        object.__setattr__(self, "items", items)


Block: TypeAlias = Paragraph | Bullets | Callout | TableBlock | FigureBlock | KeyFigures
BLOCK_TYPES = (Paragraph, Bullets, Callout, TableBlock, FigureBlock, KeyFigures)


@dataclass(frozen=True)
class Section:
    """A numbered part of the report, with an optional lead (a one-sentence summary)."""

    id: str
    title: str
    blocks: tuple[Block, ...]
    lead: str = ""

    def __post_init__(self) -> None:
        check_identifier(self.id, "Section.id")
        blocks = tuple(self.blocks)
        for block in blocks:
            if not isinstance(block, BLOCK_TYPES):
                raise TypeError(f"section {self.id!r}: {type(block).__name__} is not a block")
        object.__setattr__(self, "blocks", blocks)


@dataclass(frozen=True)
class Report:
    """The whole document.

    `meta` is shown as a list of facts under the title, in the given order (study, data
    source, generated at, ecocluster version ...). `synthetic` puts a warning banner at the
    top of every rendering: reports on the bundled examples must never be mistaken for
    findings about real enterprises; `synthetic_note` says what was invented, where the
    survey's wording does not fit.
    """

    title: str
    subtitle: str
    meta: Mapping[str, str]
    sections: tuple[Section, ...]
    synthetic: bool = False
    synthetic_note: str = (
        "The responses behind this report were generated to reproduce published aggregates; "
        "they are not the answers of real enterprises. Use it to try the methods, not to "
        "learn about the clusters."
    )

    def __post_init__(self) -> None:
        meta = dict(self.meta)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
            raise TypeError("Report.meta must map strings to strings")
        object.__setattr__(self, "meta", MappingProxyType(meta))
        sections = tuple(self.sections)
        if not all(isinstance(section, Section) for section in sections):
            raise TypeError("Report.sections must contain Section objects")
        object.__setattr__(self, "sections", sections)
        ids = self.ids
        duplicates = sorted({item for item in ids if ids.count(item) > 1})
        if duplicates:
            raise ValueError(f"ids must be unique in a report; repeated: {', '.join(duplicates)}")
        reserved = sorted(RESERVED_IDS.intersection(ids))
        if reserved:
            raise ValueError(f"ids reserved for the page itself: {', '.join(reserved)}")

    @property
    def ids(self) -> tuple[str, ...]:
        """Every HTML id the rendering gives a section, figure or table, in reading order."""
        ids: list[str] = []
        for section in self.sections:
            ids.append(section.id)
            for block in section.blocks:
                if isinstance(block, FigureBlock):
                    ids.append(block.id)
                elif isinstance(block, TableBlock):
                    ids.append(block.html_id)
        return tuple(ids)

    def tables(self) -> tuple[TableBlock, ...]:
        """The tables in reading order."""
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, TableBlock))

    def figures(self) -> tuple[FigureBlock, ...]:
        """The figures in reading order."""
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, FigureBlock))
