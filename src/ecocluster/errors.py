"""Exceptions that carry enough context for a person to fix their input.

Every error a user can cause names the file and, where it applies, the row, the column
and the rule that was broken, so the command line can print it without a traceback.
"""

from __future__ import annotations


class EcoclusterError(Exception):
    """Base class: a problem the user can act on (bad input, bad configuration)."""


class InputError(EcoclusterError):
    """Input that cannot be read or used, located as precisely as possible."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.rule = rule
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{prefix}: {self.message}{rule}" if prefix else f"{self.message}{rule}"


class ReadError(InputError):
    """A data file could not be parsed (encoding, structure, headers, formulas)."""


class InstrumentError(InputError):
    """A questionnaire definition (XLSForm) is malformed or unsupported."""


class ImportRefused(EcoclusterError):
    """An import was refused; the database was left exactly as it was."""
