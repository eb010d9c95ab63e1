"""The questionnaire as data.

An instrument is an XLSForm (survey, choices and settings sheets) plus a mapping from its
questions to the analysis concepts ecocluster computes with. The same object drives the
field form (via pyxform), the readers, the validation rules and the database schema, so a
team that brings its own XLSForm and concept mapping gets the whole pipeline for free.

Bundled instruments are kept as one CSV file per sheet (reviewable in a diff); `to_xlsx`
writes the spreadsheet a field team uploads to KoboToolbox or ODK Central.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ecocluster.errors import InstrumentError
from ecocluster.normalize import fold_key, normalize_text

SHEETS = ("survey", "choices", "settings")
#: XLSForm types that carry an answer in an export but are filled by the device.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "phonenumber",
        "simserial",
        "subscriberid",
        "username",
        "email",
        "audit",
        "start-geopoint",
    }
)
#: Answer types ecocluster validates; other XLSForm types are refused with a clear message.
DATA_TYPES = frozenset(
    {
        "integer",
        "decimal",
        "text",
        "select_one",
        "select_multiple",
        "date",
        "datetime",
        "time",
        "geopoint",
        "calculate",
        "barcode",
        "range",
    }
)
_LAYOUT_TYPES = frozenset({"note", "begin_group", "end_group"})
_LANGUAGE = re.compile(r"^(?P<column>[a-z_]+)::(?P<language>.+)$")
_LANGUAGE_CODE = re.compile(r"\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")


@dataclass(frozen=True)
class Choice:
    """One option of a choice list, with its label in every language of the form."""

    name: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Question:
    """A question that carries an answer (no notes, no groups)."""

    name: str
    type: str
    list_name: str | None
    labels: Mapping[str, str]
    required: bool
    relevant: str | None
    constraint: str | None
    constraint_message: Mapping[str, str]
    choice_filter: str | None
    group: tuple[str, ...]
    position: int

    @property
    def is_select(self) -> bool:
        return self.type in ("select_one", "select_multiple")

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "decimal", "range")


@dataclass(frozen=True)
class Group:
    name: str
    labels: Mapping[str, str]


@dataclass
class Instrument:
    """An XLSForm questionnaire with its concept mapping.

    `languages` maps a short code (``en``, ``vi``) to the XLSForm language name
    (``English (en)``); labels everywhere are keyed by the short code.
    """

    form_id: str
    version: str
    title: str
    default_language: str
    languages: dict[str, str]
    questions: dict[str, Question]
    groups: dict[str, Group]
    choices: dict[str, list[Choice]]
    metadata_fields: list[str]
    concepts: dict[str, str]
    concept_descriptions: dict[str, str]
    sheets: dict[str, pd.DataFrame] = field(repr=False)
    source: str = ""

    # ----------------------------------------------------------------- lookups
    def question(self, name: str) -> Question:
        try:
            return self.questions[name]
        except KeyError:
            raise InstrumentError(
                f"question {name!r} is not in instrument {self.form_id!r}", rule="unknown-question"
            ) from None

    def concept(self, concept: str) -> str:
        """Name of the question that answers an analysis concept."""
        try:
            return self.concepts[concept]
        except KeyError:
            raise InstrumentError(
                f"instrument {self.form_id!r} maps no question to concept {concept!r}; "
                "add it to the concept mapping (concepts.csv)",
                rule="unknown-concept",
            ) from None

    def choice_names(self, question: Question) -> list[str]:
        if question.list_name is None:
            return []
        return [choice.name for choice in self.choices[question.list_name]]

    def choice_label(self, question: Question, name: str, language: str | None = None) -> str:
        language = language or self.default_language
        for choice in self.choices.get(question.list_name or "", []):
            if choice.name == name:
                return choice.labels.get(language) or choice.name
        return name

    def label(self, question: Question, language: str | None = None) -> str:
        language = language or self.default_language
        return question.labels.get(language) or question.name

    def iter_questions(self, *types: str) -> Iterator[Question]:
        for question in self.questions.values():
            if not types or question.type in types:
                yield question

    @property
    def sha256(self) -> str:
        """Content hash of the sheets and the concept mapping, for provenance."""
        digest = hashlib.sha256()
        for name in (*SHEETS, "concepts"):
            frame = self.sheets.get(name)
            if frame is not None:
                digest.update(name.encode())
                digest.update(frame.to_csv(index=False).encode())
        return digest.hexdigest()

    # ----------------------------------------------------------------- writers
    def to_xlsx(self, path: str | Path | io.BytesIO) -> None:
        """Write the XLSForm spreadsheet (survey, choices, settings) for KoboToolbox/ODK."""
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.remove(workbook.active)  # type: ignore[arg-type]
        for name in SHEETS:
            sheet = workbook.create_sheet(name)
            frame = self.sheets[name]
            sheet.append(list(frame.columns))
            for row in frame.itertuples(index=False):
                sheet.append([None if value == "" else value for value in row])
        # A fixed timestamp keeps the file byte-stable for the same content.
        stamp = pd.Timestamp("2007-09-01").to_pydatetime()
        workbook.properties.created = stamp
        workbook.properties.modified = stamp
        workbook.properties.creator = "ecocluster"
        workbook.save(path)

    def to_xform(self, *, validate: bool = False) -> str:
        """Convert to an ODK XForm (XML) with pyxform; both languages become translations."""
        from pyxform.xls2xform import convert

        buffer = io.BytesIO()
        self.to_xlsx(buffer)
        warnings: list[str] = []
        try:
            result = convert(
                xlsform=buffer.getvalue(),
                warnings=warnings,
                validate=validate,
                pretty_print=True,
                file_type=".xlsx",
            )
        except Exception as error:  # pyxform raises its own PyXFormError and others
            raise InstrumentError(
                f"pyxform rejected the form: {error}", file=self.source, rule="xlsform"
            ) from error
        return str(result.xform)


# --------------------------------------------------------------------- reading
def _split_type(raw: str) -> tuple[str, str | None]:
    parts = raw.split()
    if not parts:
        return "", None
    head = parts[0].replace(" ", "_")
    if head in ("begin", "end") and len(parts) > 1:  # "begin group" spelling
        return f"{head}_{parts[1]}", None
    if head in ("select_one", "select_multiple"):
        if len(parts) != 2:
            raise ValueError(f"{head} needs exactly one choice list name")
        return head, parts[1]
    if head.startswith("select_one_") or head.startswith("select_multiple_"):
        raise ValueError(f"{head} (choices from a file) is not supported")
    if head == "or_other":
        raise ValueError("'or_other' is not supported; add an 'other' choice and a text question")
    return head, None


def _language_columns(columns: list[str], base: str) -> dict[str, str]:
    """Map XLSForm language names to the columns that hold them, for one base column."""
    found: dict[str, str] = {}
    for column in columns:
        if column == base:
            found["default"] = column
            continue
        match = _LANGUAGE.match(column)
        if match and match.group("column") == base:
            found[match.group("language").strip()] = column
    return found


def _language_code(name: str) -> str:
    match = _LANGUAGE_CODE.search(name)
    return match.group("code").lower() if match else name


def _cell(row: Mapping[Any, Any], column: str | None) -> str:
    if column is None:
        return ""
    value = row.get(column, "")
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return normalize_text(str(value))


def _labels(
    row: Mapping[Any, Any], columns: dict[str, str], languages: dict[str, str]
) -> dict[str, str]:
    labels: dict[str, str] = {}
    for language_name, column in columns.items():
        text = _cell(row, column)
        if text:
            code = _language_code(language_name) if language_name != "default" else "default"
            labels[code] = text
    if "default" in labels:
        text = labels.pop("default")
        for code in languages:
            labels.setdefault(code, text)
    return labels


def _is_yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "true()", "1")


def _read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    if path.is_dir():
        sheets = {}
        for name in (*SHEETS, "concepts"):
            file = path / f"{name}.csv"
            if file.exists():
                sheets[name] = pd.read_csv(file, dtype=str, keep_default_na=False)
        return sheets
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            book = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
        except Exception as error:
            raise InstrumentError(
                f"cannot read the XLSForm: {error}", file=str(path), rule="xlsform"
            ) from error
        return {str(name).strip().lower(): frame for name, frame in book.items()}
    raise InstrumentError(
        "an instrument is an XLSForm (.xlsx) or a folder with survey.csv, choices.csv and "
        "settings.csv",
        file=str(path),
        rule="xlsform",
    )


def read_concepts(path: str | Path) -> pd.DataFrame:
    """Read a concept mapping (CSV with columns concept, question[, description])."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as error:
        raise InstrumentError(f"cannot read concept mapping: {error}", file=str(path)) from error
    missing = {"concept", "question"} - set(frame.columns)
    if missing:
        raise InstrumentError(
            f"concept mapping lacks column(s) {sorted(missing)}", file=str(path), rule="concepts"
        )
    return frame


def build_instrument(
    sheets: Mapping[str, pd.DataFrame], *, source: str = "", concepts: pd.DataFrame | None = None
) -> Instrument:
    """Build an instrument from XLSForm sheets given as DataFrames of strings."""
    for name in ("survey", "choices"):
        if name not in sheets:
            raise InstrumentError(f"the XLSForm has no {name!r} sheet", file=source, rule="xlsform")
    survey = sheets["survey"].fillna("").astype(str)
    survey.columns = [normalize_text(str(c)) for c in survey.columns]
    choices_sheet = sheets["choices"].fillna("").astype(str)
    choices_sheet.columns = [normalize_text(str(c)) for c in choices_sheet.columns]
    settings_sheet = sheets.get("settings", pd.DataFrame({"form_id": [""]}))
    settings_sheet = settings_sheet.fillna("").astype(str)
    settings = settings_sheet.iloc[0].to_dict() if len(settings_sheet) else {}

    label_columns = _language_columns(list(survey.columns), "label")
    languages = {_language_code(name): name for name in label_columns if name != "default"} or {
        "default": "default"
    }
    default_language_name = str(settings.get("default_language", "")).strip()
    default_language = (
        _language_code(default_language_name) if default_language_name else next(iter(languages))
    )
    if default_language not in languages:
        default_language = next(iter(languages))
    hint_ok = {"type", "name"} <= set(survey.columns)
    if not hint_ok:
        raise InstrumentError(
            "the survey sheet needs 'type' and 'name' columns", file=source, rule="xlsform"
        )
    message_columns = _language_columns(list(survey.columns), "constraint_message")

    choices: dict[str, list[Choice]] = {}
    choice_label_columns = _language_columns(list(choices_sheet.columns), "label")
    for index, row in enumerate(choices_sheet.to_dict("records"), start=2):
        list_name = _cell(row, "list_name" if "list_name" in row else "list name")
        name = _cell(row, "name")
        if not list_name and not name:
            continue
        if not list_name or not name:
            raise InstrumentError(
                "a choice needs a list_name and a name", file=source, row=index, rule="xlsform"
            )
        options = choices.setdefault(list_name, [])
        if any(option.name == name for option in options):
            raise InstrumentError(
                f"choice {name!r} appears twice in list {list_name!r}",
                file=source,
                row=index,
                rule="xlsform",
            )
        options.append(Choice(name, _labels(row, choice_label_columns, languages)))

    questions: dict[str, Question] = {}
    groups: dict[str, Group] = {}
    metadata_fields: list[str] = []
    stack: list[str] = []
    for index, row in enumerate(survey.to_dict("records"), start=2):
        raw_type = _cell(row, "type")
        name = _cell(row, "name")
        if not raw_type and not name:
            continue
        try:
            kind, choice_list = _split_type(raw_type)
        except ValueError as error:
            raise InstrumentError(
                str(error), file=source, row=index, column="type", rule="xlsform"
            ) from None
        if kind in ("begin_repeat", "end_repeat"):
            raise InstrumentError(
                "repeat groups are not supported: ecocluster expects one row per enterprise",
                file=source,
                row=index,
                column="type",
                rule="xlsform",
            )
        if kind == "begin_group":
            stack.append(name)
            groups[name] = Group(name, _labels(row, label_columns, languages))
            continue
        if kind == "end_group":
            if not stack:
                raise InstrumentError(
                    "end_group without begin_group", file=source, row=index, rule="xlsform"
                )
            stack.pop()
            continue
        if kind == "note":
            continue
        if kind in METADATA_TYPES:
            metadata_fields.append(name)
            continue
        if kind not in DATA_TYPES:
            raise InstrumentError(
                f"question type {raw_type!r} is not supported",
                file=source,
                row=index,
                column="type",
                rule="xlsform",
            )
        if not name:
            raise InstrumentError("a question needs a name", file=source, row=index, rule="xlsform")
        if name in questions:
            raise InstrumentError(
                f"question name {name!r} is used twice", file=source, row=index, rule="xlsform"
            )
        if choice_list is not None and choice_list not in choices:
            raise InstrumentError(
                f"choice list {choice_list!r} is not in the choices sheet",
                file=source,
                row=index,
                column="type",
                rule="xlsform",
            )
        questions[name] = Question(
            name=name,
            type=kind,
            list_name=choice_list,
            labels=_labels(row, label_columns, languages),
            required=_is_yes(_cell(row, "required")),
            relevant=_cell(row, "relevant") or None,
            constraint=_cell(row, "constraint") or None,
            constraint_message=_labels(row, message_columns, languages),
            choice_filter=_cell(row, "choice_filter") or None,
            group=tuple(stack),
            position=len(questions),
        )
    if stack:
        raise InstrumentError(f"group {stack[-1]!r} is never closed", file=source, rule="xlsform")

    concept_frame = concepts if concepts is not None else sheets.get("concepts")
    concept_map: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    if concept_frame is not None:
        for index, row in enumerate(concept_frame.fillna("").to_dict("records"), start=2):
            concept, question = _cell(row, "concept"), _cell(row, "question")
            if not concept:
                continue
            if question not in questions:
                raise InstrumentError(
                    f"concept {concept!r} points to question {question!r}, which the form lacks",
                    file=source,
                    row=index,
                    column="question",
                    rule="concepts",
                )
            concept_map[concept] = question
            descriptions[concept] = _cell(row, "description")

    stored = {
        "survey": survey,
        "choices": choices_sheet,
        "settings": settings_sheet,
    }
    if concept_frame is not None:
        stored["concepts"] = concept_frame.fillna("").astype(str)
    form_id = str(settings.get("form_id", "")).strip() or (Path(source).stem if source else "form")
    return Instrument(
        form_id=form_id,
        version=str(settings.get("version", "")).strip(),
        title=str(settings.get("form_title", "")).strip() or form_id,
        default_language=default_language,
        languages=languages,
        questions=questions,
        groups=groups,
        choices=choices,
        metadata_fields=metadata_fields,
        concepts=concept_map,
        concept_descriptions=descriptions,
        sheets=stored,
        source=source,
    )


def read_instrument(path: str | Path, concepts: str | Path | None = None) -> Instrument:
    """Read an XLSForm (.xlsx, or a folder of CSV sheets) and an optional concept mapping."""
    path = Path(path)
    if not path.exists():
        raise InstrumentError("no such file or folder", file=str(path))
    concept_frame = read_concepts(concepts) if concepts is not None else None
    return build_instrument(_read_sheets(path), source=str(path), concepts=concept_frame)


def bundled_instruments() -> list[str]:
    """Names of the instruments shipped with ecocluster."""
    root = resources.files("ecocluster") / "data" / "instruments"
    return sorted(entry.name for entry in root.iterdir() if entry.is_dir())


def load_instrument(name: str) -> Instrument:
    """A bundled instrument by name (``red-river-2007``, ``red-river-2003``)."""
    key = fold_key(name).replace("_", "-")
    if key not in bundled_instruments():
        raise InstrumentError(
            f"no bundled instrument {name!r}; choose one of {', '.join(bundled_instruments())}",
            rule="unknown-instrument",
        )
    with resources.as_file(resources.files("ecocluster") / "data" / "instruments" / key) as path:
        instrument = read_instrument(path)
    instrument.source = key
    return instrument
