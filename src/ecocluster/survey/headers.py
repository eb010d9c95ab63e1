"""Which column of an export answers which question.

Exports name the same question in many ways: its XLSForm name, its label in any language
of the form, behind any chain of group names or labels joined by whatever separator the
export tool was set to, and a select_multiple option column appends the option name or
label. Headers are compared on a normalised key (NFC, casefolded, spaces collapsed) and
decoded by trying, in order: the whole header, a question followed by one of its options,
then a group prefix stripped before trying again. Nothing is guessed: a header that fits
two questions, or two headers that fit one question, stop the read.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ecocluster.errors import ReadError
from ecocluster.instrument import Instrument, Question
from ecocluster.normalize import normalize_text

#: KoboToolbox and ODK Central submission metadata, in the order a canonical `meta` keeps.
EXPORT_META = (
    "instanceID",
    "deprecatedID",
    "formhub_uuid",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
    "_parent_index",
    "_attachments",
    "_geolocation",
    "SubmissionDate",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
)
#: Group names that only ever hold metadata (``meta/instanceID``, ``formhub/uuid``).
META_GROUPS = ("meta", "formhub")
#: Deepest group nesting decoded; deeper prefixes are not a real form.
_MAX_DEPTH = 16


def header_key(text: str) -> str:
    """Comparison key of a header or label: NFC, casefolded, inner spaces collapsed."""
    return unicodedata.normalize("NFC", normalize_text(text).casefold())


def meta_order(instrument: Instrument) -> list[str]:
    """Canonical order of metadata columns: the form's own fields, then export metadata."""
    return [*instrument.metadata_fields, *EXPORT_META]


@dataclass(frozen=True)
class _Match:
    kind: str  # "question", "option" or "meta"
    target: str
    option: str = ""
    #: Length of the option part of the key, to recover the question part of the header.
    option_length: int = 0
    groups: tuple[str, ...] = ()
    #: Whether the header spells names rather than labels (names win a tie).
    by_name: bool = True

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.kind, self.target, self.option)


@dataclass
class QuestionColumns:
    """Where a question's answers are: one joined column and/or one column per option."""

    header: str
    joined: int | None = None
    #: (choice name, column index), in the instrument's choice order.
    options: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ColumnPlan:
    """What every column of a file is, decided once from its header row."""

    headers: list[str]
    questions: dict[str, QuestionColumns]
    meta: dict[str, int]
    extra: list[str]
    #: Columns whose header cell is empty.
    unnamed: list[int]


class _Tokens:
    """Names and labels by key, names taking precedence over labels."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.labels: dict[str, set[str]] = {}

    def add(self, name: str, labels: Iterable[str]) -> None:
        self.names.setdefault(header_key(name), name)
        for label in labels:
            if label:
                self.labels.setdefault(header_key(label), set()).add(name)

    def lookup(self, key: str) -> list[tuple[str, bool]]:
        """(name, whether the key is the name itself) for every token with this key."""
        found = [(self.names[key], True)] if key in self.names else []
        found.extend((name, False) for name in sorted(self.labels.get(key, ())))
        return found

    def keys(self) -> set[str]:
        return set(self.names) | set(self.labels)


class HeaderIndex:
    """Every spelling of every question, option, group and metadata column of a form."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.questions = _Tokens()
        self.options: dict[str, _Tokens] = {}
        for question in instrument.questions.values():
            self.questions.add(question.name, question.labels.values())
            if question.type == "select_multiple":
                tokens = _Tokens()
                for choice in instrument.choices.get(question.list_name or "", []):
                    tokens.add(choice.name, choice.labels.values())
                self.options[question.name] = tokens
        self.multiple_keys = sorted(
            ((key, name) for name in self.options for key in self._question_keys(name)),
            key=lambda item: -len(item[0]),
        )
        groups = _Tokens()
        for group in instrument.groups.values():
            groups.add(group.name, group.labels.values())
        self.group_keys_of: dict[str, set[str]] = {}
        for question in instrument.questions.values():
            keys: set[str] = set()
            for name in question.group:
                keys.add(header_key(name))
                owner = instrument.groups.get(name)
                if owner is not None:
                    keys.update(header_key(label) for label in owner.labels.values() if label)
            self.group_keys_of[question.name] = keys
        self.group_keys = sorted(
            groups.keys() | {header_key(name) for name in META_GROUPS}, key=lambda k: -len(k)
        )
        self.meta = {header_key(name): name for name in meta_order(instrument)}
        self.meta[header_key("uuid")] = "formhub_uuid"

    def _question_keys(self, name: str) -> set[str]:
        question = self.instrument.questions[name]
        return {header_key(name)} | {header_key(label) for label in question.labels.values()}

    # ------------------------------------------------------------------ decoding
    def resolve(self, key: str, groups: tuple[str, ...] = ()) -> list[_Match]:
        """All readings of a header key, most specific first."""
        whole = [
            _Match("question", name, groups=groups, by_name=by_name)
            for name, by_name in self.questions.lookup(key)
        ]
        if whole:
            return whole
        if key in self.meta:
            return [_Match("meta", self.meta[key], groups=groups)]
        options: list[_Match] = []
        for question_key, name in self.multiple_keys:
            if len(key) > len(question_key) + 1 and key.startswith(question_key):
                if key[len(question_key)].isalnum():
                    continue
                rest = key[len(question_key) + 1 :]
                for choice, by_name in self.options[name].lookup(rest):
                    options.append(_Match("option", name, choice, len(rest), groups, by_name))
        if options:
            return options
        if len(groups) >= _MAX_DEPTH:
            return []
        found: list[_Match] = []
        for group_key in self.group_keys:
            if len(key) > len(group_key) + 1 and key.startswith(group_key):
                if key[len(group_key)].isalnum():
                    continue
                found.extend(self.resolve(key[len(group_key) + 1 :], (*groups, group_key)))
        return found

    def _fits_groups(self, match: _Match) -> bool:
        if match.kind == "meta":
            return True
        own = self.group_keys_of.get(match.target, set())
        return all(group in own for group in match.groups)

    def match(self, header: str, file: str) -> _Match | None:
        """The one reading of a header, None if it names nothing in the form."""
        matches = self.resolve(header_key(header))
        for narrower in (self._fits_groups, lambda match: match.by_name):
            if len({match.identity for match in matches}) > 1:
                matches = [match for match in matches if narrower(match)] or matches
        distinct = {match.identity: match for match in matches}
        if len(distinct) > 1:
            readings = ", ".join(
                f"{kind} {target}" + (f" option {option}" if option else "")
                for kind, target, option in sorted(distinct)
            )
            raise ReadError(
                f"header {header!r} is ambiguous: it could be {readings}; rename the column "
                "to the question name",
                file=file,
                column=header,
                rule="ambiguous-header",
            )
        return next(iter(distinct.values()), None)


def _question_part(header: str, match: _Match) -> str:
    """The header without its option part, as the person wrote it where possible."""
    text = normalize_text(header)
    key = header_key(text)
    kept = text if len(key) == len(text) else key
    return kept[: len(kept) - match.option_length - 1]


def _expected(instrument: Instrument, count: int = 6) -> str:
    names = [question.name for question in instrument.questions.values()][:count]
    return ", ".join(names)


def plan_columns(
    headers: Sequence[str], instrument: Instrument, file: str, *, index: HeaderIndex | None = None
) -> ColumnPlan:
    """Decide what each column holds; refuse duplicates and files that fit no question."""
    index = index or HeaderIndex(instrument)
    joined: dict[str, int] = {}
    options: dict[str, dict[str, int]] = {}
    meta: dict[str, int] = {}
    extra: list[str] = []
    unnamed: list[int] = []
    option_header: dict[str, str] = {}

    def clash(first: int, second: int, what: str) -> ReadError:
        return ReadError(
            f"columns {headers[first]!r} and {headers[second]!r} both hold {what}; "
            "keep only one of them",
            file=file,
            column=headers[second],
            rule="duplicate-column",
        )

    for position, header in enumerate(headers):
        if not normalize_text(header):
            unnamed.append(position)
            continue
        match = index.match(header, file)
        if match is None:
            extra.append(header)
        elif match.kind == "meta":
            if match.target in meta:
                raise clash(meta[match.target], position, f"metadata {match.target!r}")
            meta[match.target] = position
        elif match.kind == "question":
            if match.target in joined:
                raise clash(joined[match.target], position, f"question {match.target!r}")
            joined[match.target] = position
        else:
            chosen = options.setdefault(match.target, {})
            if match.option in chosen:
                raise clash(
                    chosen[match.option],
                    position,
                    f"option {match.option!r} of question {match.target!r}",
                )
            chosen[match.option] = position
            option_header.setdefault(match.target, _question_part(header, match))

    questions: dict[str, QuestionColumns] = {}
    for question in instrument.questions.values():
        if question.name in options:
            order = _choice_order(instrument, question)
            columns = sorted(options[question.name].items(), key=lambda item: order[item[0]])
            questions[question.name] = QuestionColumns(
                header=option_header[question.name],
                joined=joined.get(question.name),
                options=columns,
            )
        elif question.name in joined:
            position = joined[question.name]
            questions[question.name] = QuestionColumns(header=headers[position], joined=position)
    if not questions:
        raise ReadError(
            "no column header matches a question of form "
            f"{instrument.form_id!r} (is this the right form?); expected headers such as "
            f"{_expected(instrument)}",
            file=file,
            rule="no-matching-headers",
        )
    order = {name: rank for rank, name in enumerate(meta_order(instrument))}
    ordered_meta = dict(sorted(meta.items(), key=lambda item: order[item[0]]))
    return ColumnPlan(list(headers), questions, ordered_meta, extra, unnamed)


def _choice_order(instrument: Instrument, question: Question) -> dict[str, int]:
    return {name: rank for rank, name in enumerate(instrument.choice_names(question))}
