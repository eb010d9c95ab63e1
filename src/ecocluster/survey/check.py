"""Checking a batch of responses against its instrument, before anything is stored.

Two kinds of rule produce rows of one problems table (see `PROBLEM_COLUMNS`):

* errors implied by the XLSForm itself, exactly as a phone running ODK would have
  enforced them: answer types, choice lists, required answers, skip logic (`relevant`),
  `constraint` and `choice_filter` expressions; plus duplicate enterprise ids and
  submission uuids, within the batch and against earlier batches (`DuplicateTracker`);
* warnings from cross-field plausibility rules that the form cannot express
  (`PLAUSIBILITY_RULES`), written on analysis concepts so that they work for any
  instrument with a concept mapping.

Every rule works on whole columns; Python only touches the rows that fail, so that a
million submissions check in seconds. Problems come sorted by file row, then by the order
of the questions in the form.

Rule ids: ``type``, ``choice``, ``required``, ``relevant``, ``constraint``,
``choice_filter``, ``duplicate-id``, ``duplicate-uuid`` (errors); ``unknown-column``,
``unchecked`` (a rule of the form reads a question the file lacks, so it was skipped) and
the ids of `PLAUSIBILITY_RULES` (warnings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InstrumentError
from ecocluster.instrument import Instrument, Question
from ecocluster.survey.expression import (
    BoolArray,
    Context,
    Expression,
    FloatArray,
    IntArray,
    ObjectArray,
    compile_expression,
    parse_dates,
    parse_numbers,
)
from ecocluster.survey.responses import (
    ERROR,
    PROBLEM_COLUMNS,
    WARNING,
    Responses,
    make_problems,
)

#: Order of rules within one cell, for a stable, readable problems table.
RULES: Final = (
    "unknown-column",
    "unchecked",
    "duplicate-id",
    "duplicate-uuid",
    "type",
    "choice",
    "relevant",
    "required",
    "constraint",
    "choice_filter",
)
ENTERPRISE_ID: Final = "enterprise_id"
UUID_COLUMN: Final = "_uuid"
_NUMERIC_TYPES: Final = frozenset({"integer", "decimal", "range"})
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?")
_DATETIME_SHAPE = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"


# ------------------------------------------------------------------ duplicates
class DuplicateTracker:
    """Enterprise ids and submission uuids already seen, across the chunks of an import.

    Seed it with the ids and uuids already in the database; `check_responses` reports a
    batch's repeats of them and then remembers the batch's own.
    """

    def __init__(self, ids: Iterable[str] = (), uuids: Iterable[str] = ()) -> None:
        self._ids: set[str] = set()
        self._uuids: set[str] = set()
        self.add(ids=ids, uuids=uuids)

    def __len__(self) -> int:
        return len(self._ids) + len(self._uuids)

    def add(self, *, ids: Iterable[str] = (), uuids: Iterable[str] = ()) -> None:
        """Remember more ids and uuids (empty values are ignored)."""
        self._ids.update(ids)
        self._ids.discard("")
        self._uuids.update(uuids)
        self._uuids.discard("")

    def known_ids(self, values: Sequence[str] | ObjectArray) -> BoolArray:
        """For each value, whether it was seen before (cost grows with `values` only)."""
        return _members(values, self._ids)

    def known_uuids(self, values: Sequence[str] | ObjectArray) -> BoolArray:
        return _members(values, self._uuids)


def _members(values: Sequence[str] | ObjectArray, known: set[str]) -> BoolArray:
    if not known:
        return np.zeros(len(values), dtype=bool)
    items = values.tolist() if isinstance(values, np.ndarray) else values
    return np.fromiter((value in known for value in items), bool, len(items))


# ------------------------------------------------------------------ plausibility
class ConceptView:
    """Answers looked up by analysis concept, for the plausibility rules."""

    def __init__(self, context: Context, instrument: Instrument) -> None:
        self.context = context
        self.instrument = instrument

    def available(self, concept: str) -> bool:
        question = self.instrument.concepts.get(concept)
        return question is not None and self.context.has(question)

    def question(self, concept: str) -> str:
        return self.instrument.concept(concept)

    def text(self, concept: str) -> ObjectArray:
        return self.context.strings(self.question(concept))

    def number(self, concept: str) -> FloatArray:
        return self.context.numbers(self.question(concept))

    def any_selected(self, concept: str, accept: Callable[[str], bool]) -> BoolArray:
        """Rows where some chosen option of a select question satisfies `accept`."""

        def test(uniques: ObjectArray) -> BoolArray:
            return np.fromiter(
                (any(accept(name) for name in str(u).split()) for u in uniques), bool, len(uniques)
            )

        return np.asarray(self.context.map_unique(self.question(concept), test), dtype=bool)


@dataclass(frozen=True)
class PlausibilityRule:
    """A cross-field warning: rows where `test` holds look implausible.

    The problem is reported on the question of the first concept; the rule is skipped
    when the instrument maps no question (or the file has no column) for any concept.
    """

    id: str
    concepts: tuple[str, ...]
    description: str
    test: Callable[[ConceptView], BoolArray]


def _letters_without_inspection(view: ConceptView) -> BoolArray:
    """``letters-without-inspection``: a warning letter but no inspection that year.

    Letters follow a monitoring visit, so a letter with zero visits usually means one of
    the two answers is wrong (or the letter is older than a year).
    """
    letters = view.any_selected("warning_letters", lambda name: name != "none")
    return np.asarray(letters & (view.number("inspections") == 0), dtype=np.bool_)


def _spending_without_equipment(view: ConceptView) -> BoolArray:
    """``spending-without-equipment``: pollution control spending but no equipment.

    Capital or running costs of pollution control imply some equipment; the enterprise
    answered that it installed none.
    """
    spending = (view.number("pollution_capex") > 0) | (view.number("pollution_opex") > 0)
    return np.asarray(spending & (view.text("clean_technology") == "no"), dtype=np.bool_)


#: The plausibility rules applied by default; extend with more `PlausibilityRule`s.
PLAUSIBILITY_RULES: Final[tuple[PlausibilityRule, ...]] = (
    PlausibilityRule(
        "letters-without-inspection",
        ("warning_letters", "inspections"),
        "warning letters reported, but no government inspection in the past year",
        _letters_without_inspection,
    ),
    PlausibilityRule(
        "spending-without-equipment",
        ("clean_technology", "pollution_capex", "pollution_opex"),
        "spending on pollution control reported, but no pollution control equipment",
        _spending_without_equipment,
    ),
)


# ------------------------------------------------------------------ value rules
def _type_failures(question: Question, context: Context) -> tuple[BoolArray, str] | None:
    """Which distinct answers do not parse as the question's type, and why."""
    kind = question.type
    uniques = context.factorized(question.name)[1]
    if kind in _NUMERIC_TYPES:
        numbers = context.unique_numbers(question.name)
        if kind == "integer":
            bad = np.isnan(numbers) | (numbers != np.trunc(numbers))
            return bad, "not a whole number"
        return np.isnan(numbers), "not a number (use a decimal point, no thousands separators)"
    if kind == "date":
        return np.isnan(parse_dates(uniques)), "not a date (YYYY-MM-DD)"
    if kind == "datetime":
        shaped = pd.Series(uniques, dtype=object).str.match(_DATETIME_SHAPE).to_numpy(bool)
        bad = ~shaped | np.isnan(parse_dates(uniques, time=True))
        return bad, "not a date and time (ISO 8601)"
    if kind == "time":
        bad = np.fromiter((_TIME.fullmatch(str(u)) is None for u in uniques), bool, len(uniques))
        return bad, "not a time (HH:MM or HH:MM:SS)"
    if kind == "geopoint":
        return np.fromiter(map(_bad_geopoint, uniques), bool, len(uniques)), (
            "not a location (latitude longitude [altitude accuracy])"
        )
    return None


def _bad_geopoint(value: object) -> bool:
    parts = str(value).split()
    if not 2 <= len(parts) <= 4:
        return True
    numbers = parse_numbers(parts)
    return bool(np.isnan(numbers).any() or abs(numbers[0]) > 90 or abs(numbers[1]) > 180)


def _choice_failures(
    question: Question, names: frozenset[str], uniques: ObjectArray
) -> tuple[BoolArray, ObjectArray | str]:
    """Which distinct answers are not valid choices, with the message(s) why."""
    where = f"choice list {question.list_name!r}"
    if question.type == "select_one":
        bad = ~pd.Index(uniques).isin(list(names)) & (uniques != "")
        return np.asarray(bad, dtype=bool), f"not a choice of {where}"
    bad = np.zeros(len(uniques), dtype=bool)
    messages = np.full(len(uniques), "", dtype=object)
    for index, value in enumerate(uniques):
        tokens = str(value).split()
        distinct = dict.fromkeys(tokens)
        unknown = [token for token in distinct if token not in names]
        repeated = [token for token in distinct if tokens.count(token) > 1]
        parts = []
        if unknown:
            parts.append(f"not in {where}: {', '.join(unknown)}")
        if repeated:
            parts.append(f"chosen more than once: {', '.join(repeated)}")
        if parts:
            bad[index] = True
            messages[index] = "; ".join(parts)
    return bad, messages


# ------------------------------------------------------------------ the table
@dataclass
class _Part:
    positions: IntArray  # row positions in the batch, -1 for a problem without a row
    column: str
    question: str
    value: Any  # one per position, or a scalar
    rule: str
    severity: str
    message: Any  # one per position, or a scalar
    order: int  # position of the question in the form


class _Collector:
    """Failing rows per rule and question; the table is built once, at the end."""

    def __init__(self, responses: Responses) -> None:
        self.responses = responses
        self.parts: list[_Part] = []

    def add(
        self,
        positions: IntArray,
        *,
        question: Question | None,
        column: str,
        rule: str,
        severity: str,
        message: Any,
        values: Any = "",
    ) -> None:
        if len(positions):
            name = question.name if question is not None else ""
            order = question.position if question is not None else -1
            self.parts.append(
                _Part(positions, column, name, values, rule, severity, message, order)
            )

    def table(self) -> pd.DataFrame:
        if not self.parts:
            return make_problems()

        def spread(field: str) -> ObjectArray:
            pieces = []
            for part in self.parts:
                value = getattr(part, field)
                if np.ndim(value) == 0:
                    value = np.full(len(part.positions), value, dtype=object)
                pieces.append(np.asarray(value, dtype=object))
            return np.concatenate(pieces)

        positions = np.concatenate([part.positions for part in self.parts])
        order = np.concatenate([np.full(len(p.positions), p.order) for p in self.parts])
        ranks = {rule: rank for rank, rule in enumerate(RULES)}
        rank = np.concatenate(
            [np.full(len(p.positions), ranks.get(p.rule, len(RULES))) for p in self.parts]
        )
        sort = np.lexsort((rank, order, positions))
        source_row = np.asarray(self.responses.source_row, dtype=np.int64)
        has_row = positions[sort] >= 0
        rows = np.zeros(len(sort), dtype=np.int64)
        rows[has_row] = source_row[positions[sort][has_row]]
        columns: dict[str, Any] = {
            "file": np.full(len(sort), self.responses.file, dtype=object),
            "row": pd.arrays.IntegerArray(rows, ~has_row),
            **{field: spread(field)[sort] for field in PROBLEM_COLUMNS[2:]},
        }
        return pd.DataFrame(
            {
                name: pd.Series(data, dtype="Int64" if name == "row" else object)
                for name, data in columns.items()
            }
        )


# ------------------------------------------------------------------ checking
class _Checker:
    def __init__(
        self,
        responses: Responses,
        instrument: Instrument,
        rules: Sequence[PlausibilityRule],
        tracker: DuplicateTracker | None,
    ) -> None:
        self.responses = responses
        self.instrument = instrument
        self.rules = rules
        self.tracker = tracker
        numeric = [q.name for q in instrument.questions.values() if q.type in _NUMERIC_TYPES]
        self.context = Context(responses.data, numeric=numeric)
        self.found = _Collector(responses)
        self.present = frozenset(str(column) for column in responses.data.columns)
        self.expressions = self._compile()
        self._truth: dict[tuple[str, str], BoolArray] = {}

    # -- expressions
    def _compile(self) -> dict[tuple[str, str], Expression]:
        """Every expression of the form, compiled before any data is looked at."""
        known = set(self.instrument.questions) | set(self.instrument.metadata_fields)
        choices = self.instrument.sheets.get("choices")
        choice_columns = set() if choices is None else {str(c) for c in choices.columns}
        compiled: dict[tuple[str, str], Expression] = {}
        sources: list[tuple[str, str, str | None]] = []
        for name, group in self.instrument.groups.items():
            sources.append((f"group:{name}", "relevant", getattr(group, "relevant", None)))
        for question in self.instrument.questions.values():
            sources.append((question.name, "relevant", question.relevant))
            sources.append((question.name, "constraint", question.constraint))
            sources.append((question.name, "choice_filter", question.choice_filter))
        for owner, kind, text in sources:
            if not text:
                continue
            label = owner.removeprefix("group:")
            expression = compile_expression(str(text), question=label, kind=kind)
            unknown = sorted(expression.references - known)
            lacking = sorted(expression.choice_columns - {"name"} - choice_columns)
            if unknown or lacking:
                what = (
                    f"${{{unknown[0]}}}, which is not a question of the form"
                    if unknown
                    else f"choice column {lacking[0]!r}, which the choices sheet lacks"
                )
                raise InstrumentError(
                    f"the {kind} of {label!r} ({text!r}) refers to {what}",
                    file=self.instrument.source or None,
                    column=kind,
                    rule="expression",
                )
            compiled[owner, kind] = expression
        return compiled

    def _holds(
        self, owner: str, kind: str, current: str, unreadable: list[Expression]
    ) -> BoolArray | None:
        """Truth of an expression of the form, or None when there is none or it cannot be
        evaluated because the file lacks a question it reads (then added to `unreadable`).
        """
        expression = self.expressions.get((owner, kind))
        if expression is None:
            return None
        if not expression.references <= self.present:
            unreadable.append(expression)
            return None
        key = (owner, kind)
        if key not in self._truth:
            self._truth[key] = expression.evaluate(self.context, current)
        return self._truth[key]

    def _relevance(
        self, question: Question, unreadable: list[Expression]
    ) -> tuple[BoolArray | None, str]:
        """ODK relevance: the question's own `relevant` and that of every enclosing group.

        None when some condition cannot be evaluated on this file.
        """
        relevant = np.ones(self.context.size, dtype=bool)
        conditions = []
        known = True
        for owner in [*(f"group:{g}" for g in question.group), question.name]:
            before = len(unreadable)
            holds = self._holds(owner, "relevant", question.name, unreadable)
            known &= len(unreadable) == before
            if holds is not None:
                relevant &= holds
                conditions.append(self.expressions[owner, "relevant"].text)
        return (relevant if known else None), " and ".join(conditions)

    # -- rules
    def run(self) -> None:
        for column in self.responses.extra_columns:
            self.found.add(
                np.array([-1], dtype=np.intp),
                question=None,
                column=column,
                rule="unknown-column",
                severity=WARNING,
                message="the column matches no question of the instrument and is ignored",
            )
        for question in self.instrument.questions.values():
            self._question(question)
        self._duplicates()
        self._plausibility()

    def _question(self, question: Question) -> None:
        column = self.responses.column_for(question.name)
        unreadable: list[Expression] = []
        relevant, condition = self._relevance(question, unreadable)
        if not self.context.has(question.name):
            if question.required and relevant is not None and relevant.any():
                self.found.add(
                    np.array([-1], dtype=np.intp),
                    question=question,
                    column=column,
                    rule="required",
                    severity=ERROR,
                    message="the file has no column for this required question",
                )
            return
        values = self.context.strings(question.name)
        codes, uniques = self.context.factorized(question.name)
        answered = self.context.answered(question.name)

        def report(mask: BoolArray, rule: str, message: Any) -> None:
            positions = np.flatnonzero(mask)
            if np.ndim(message):  # one message per distinct value
                message = np.asarray(message, dtype=object)[codes[positions]]
            self._report(positions, question, column, rule, message, values)

        invalid = np.zeros(self.context.size, dtype=bool)
        failures = _type_failures(question, self.context)
        if failures is not None and failures[0].any():
            invalid = failures[0][codes] & answered
            report(invalid, "type", failures[1])
        if question.is_select:
            names = frozenset(self.instrument.choice_names(question))
            bad, messages = _choice_failures(question, names, uniques)
            if bad.any():
                bad_rows = bad[codes] & answered
                report(bad_rows, "choice", messages)
                invalid |= bad_rows
        if relevant is not None:
            if condition:
                report(
                    answered & ~relevant,
                    "relevant",
                    f"answered, but the question does not apply here (relevant: {condition})",
                )
            if question.required:
                report(relevant & ~answered, "required", "a required answer is missing")
            checkable = answered & relevant & ~invalid
        else:
            checkable = answered & ~invalid
        constraint = self._holds(question.name, "constraint", question.name, unreadable)
        if constraint is not None:
            failed = checkable & ~constraint
            report(failed, "constraint", self._constraint_message(question))
            checkable &= ~failed
        choice_filter = self.expressions.get((question.name, "choice_filter"))
        if choice_filter is not None and not choice_filter.references <= self.present:
            unreadable.append(choice_filter)
        elif choice_filter is not None and question.is_select and checkable.any():
            report(
                self._filtered_out(question, choice_filter, checkable),
                "choice_filter",
                "this choice is not offered given the other answers "
                f"(choice_filter: {choice_filter.text})",
            )
        if unreadable:
            missing = sorted(set().union(*(e.references for e in unreadable)) - self.present)
            self.found.add(
                np.array([-1], dtype=np.intp),
                question=question,
                column=column,
                rule="unchecked",
                severity=WARNING,
                message=f"{', '.join(e.kind for e in unreadable)} not checked: the file has no "
                f"column for {', '.join('${' + name + '}' for name in missing)}",
            )

    def _constraint_message(self, question: Question) -> str:
        messages = question.constraint_message
        text = (
            messages.get("en")
            or messages.get(self.instrument.default_language)
            or next(iter(messages.values()), "")
        )
        expression = f"constraint: {question.constraint}"
        return f"{text} ({expression})" if text else f"the answer breaks its {expression}"

    def _filtered_out(
        self, question: Question, expression: Expression, rows: BoolArray
    ) -> BoolArray:
        """Rows whose chosen option(s) the choice_filter would not have offered."""
        positions = np.flatnonzero(rows)
        codes, uniques = self.context.factorized(question.name)
        if question.type == "select_one":
            owners, choices = positions, uniques[codes[positions]]
        else:  # one entry per chosen option
            token_lists = [str(u).split() for u in uniques]
            counts = np.array([len(t) for t in token_lists])[codes[positions]]
            owner_parts, choice_parts = [], []
            for k in range(int(counts.max(initial=0))):
                kth = np.array([t[k] if len(t) > k else "" for t in token_lists], dtype=object)
                take = positions[counts > k]
                owner_parts.append(take)
                choice_parts.append(kth[codes[take]])
            owners = np.concatenate(owner_parts)
            choices = np.concatenate(choice_parts)
        extra = {
            column: self._choice_column(question, column, choices)
            for column in expression.choice_columns - {"name"}
        }
        allowed = expression.evaluate(
            self.context.take(owners), question.name, choices, choice_columns=extra
        )
        failed = np.zeros(self.context.size, dtype=bool)
        failed[owners[~allowed]] = True
        return failed

    def _choice_column(self, question: Question, column: str, choices: ObjectArray) -> ObjectArray:
        """Another column of the choices sheet (cascading selects), per chosen option."""
        sheet = self.instrument.sheets["choices"]
        list_column = "list_name" if "list_name" in sheet.columns else "list name"
        rows = sheet[sheet[list_column] == question.list_name]
        lookup = dict(zip(rows["name"], rows[column], strict=True))
        return np.array([lookup.get(choice, "") for choice in choices], dtype=object)

    def _duplicates(self) -> None:
        tracker = self.tracker
        id_question = self.instrument.concepts.get(ENTERPRISE_ID)
        if id_question is not None and self.context.has(id_question):
            values = self.context.strings(id_question)
            remembered = self._repeats(
                values,
                self.instrument.questions[id_question],
                self.responses.column_for(id_question),
                "duplicate-id",
                tracker.known_ids if tracker else None,
            )
            if tracker is not None:
                tracker.add(ids=remembered)
        meta = self.responses.meta
        if UUID_COLUMN in meta.columns:
            values = Context(meta).strings(UUID_COLUMN)
            remembered = self._repeats(
                values,
                None,
                UUID_COLUMN,
                "duplicate-uuid",
                tracker.known_uuids if tracker else None,
            )
            if tracker is not None:
                tracker.add(uuids=remembered)

    def _repeats(
        self,
        values: ObjectArray,
        question: Question | None,
        column: str,
        rule: str,
        known: Callable[[list[str]], BoolArray] | None,
    ) -> list[str]:
        """Report values repeating an earlier row or an earlier batch; return the values."""
        codes, uniques = pd.factorize(values)
        codes = np.asarray(codes, dtype=np.intp)
        answered = np.asarray(uniques != "", dtype=bool)
        # factorize numbers values in order of first appearance, so a row is the first
        # of its value exactly when its code exceeds every code before it
        before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
        first = codes > before
        first_position = np.flatnonzero(first)[codes]
        distinct: list[str] = np.asarray(uniques, dtype=object)[answered].tolist()
        earlier_values = np.zeros(len(uniques), dtype=bool)
        if known is not None:
            earlier_values[answered] = known(distinct)
        earlier = earlier_values[codes]
        again = ~first & answered[codes] & ~earlier
        what = "enterprise id" if rule == "duplicate-id" else "submission uuid"
        source_row = np.asarray(self.responses.source_row)
        positions = np.flatnonzero(again)
        rows = source_row[first_position[positions]]
        repeats = np.array([f"{what} repeats row {row}" for row in rows], dtype=object)
        self._report(positions, question, column, rule, repeats, values)
        positions = np.flatnonzero(earlier)
        message = f"{what} already seen in an earlier batch or in the database"
        self._report(positions, question, column, rule, message, values)
        return distinct

    def _report(
        self,
        positions: IntArray,
        question: Question | None,
        column: str,
        rule: str,
        message: Any,
        values: ObjectArray,
    ) -> None:
        self.found.add(
            positions,
            question=question,
            column=column,
            rule=rule,
            severity=ERROR,
            message=message,
            values=values[positions],
        )

    def _plausibility(self) -> None:
        view = ConceptView(self.context, self.instrument)
        for rule in self.rules:
            if not all(view.available(concept) for concept in rule.concepts):
                continue
            positions = np.flatnonzero(rule.test(view))
            if not len(positions):
                continue
            names = [view.question(concept) for concept in rule.concepts]
            answers = [self.context.strings(name)[positions] for name in names]
            values = np.array(
                [
                    "; ".join(f"{n}={a}" for n, a in zip(names, row, strict=True))
                    for row in zip(*answers, strict=True)
                ],
                dtype=object,
            )
            question = self.instrument.questions[names[0]]
            self.found.add(
                positions,
                question=question,
                column=self.responses.column_for(question.name),
                rule=rule.id,
                severity=WARNING,
                message=rule.description,
                values=values,
            )


def check_responses(
    responses: Responses,
    instrument: Instrument,
    *,
    tracker: DuplicateTracker | None = None,
    rules: Sequence[PlausibilityRule] = PLAUSIBILITY_RULES,
) -> pd.DataFrame:
    """Problems of a batch (columns `PROBLEM_COLUMNS`), sorted by row; empty when clean.

    With a `tracker`, ids and uuids seen in earlier batches (or seeded from the
    database) count as duplicates, and this batch's are remembered afterwards. Raises
    `InstrumentError` when an expression of the form cannot be read.
    """
    checker = _Checker(responses, instrument, rules, tracker)
    checker.run()
    return checker.found.table()


def summarize_problems(problems: pd.DataFrame, *, limit: int = 20) -> str:
    """A few lines for a person: counts by severity and rule, then the first problems."""
    if problems.empty:
        return "no problems found"
    lines = []
    present = list(dict.fromkeys(problems["severity"]))
    for severity in sorted(present, key=lambda s: (s != ERROR, s != WARNING, s)):
        counts = problems.loc[problems["severity"] == severity, "rule"].value_counts()
        total = int(counts.sum())
        noun = severity if total == 1 else f"{severity}s"
        detail = ", ".join(f"{rule} {count}" for rule, count in counts.items())
        lines.append(f"{total} {noun}: {detail}")
    head = problems.head(limit)
    for file, row, column, message, rule in zip(
        head["file"], head["row"], head["column"], head["message"], head["rule"], strict=True
    ):
        parts = [str(file)] if file else []
        if row is not pd.NA:
            parts.append(f"row {row}")
        if column:
            parts.append(f"column {column!r}")
        lines.append(f"{', '.join(parts)}: {message} [{rule}]")
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n".join(lines)


def has_blocking(problems: pd.DataFrame, *, strict: bool) -> bool:
    """Whether the problems must stop an import: errors do; with `strict`, warnings too."""
    severities = set(problems["severity"])
    return ERROR in severities or (strict and WARNING in severities)
