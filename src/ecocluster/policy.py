"""Policy streams: cluster-focused interventions fired by a cluster's evidence and profile.

The interventions come from the three policy streams of Anbumozhi's IGES work on
eco-industrial clusters (industrial, environmental, regional development) and from the
implications for policy makers of the 2007 Red River Delta study (partner with overseas
buyers, link credit to enforcement, demonstrations through the most significant networks,
inform the firms outside them, work with knowledge institutions). The rules are data, a
TOML file a policy analyst edits (``data/policy/rules.toml``, which documents the format
and its threshold conventions); code never decides which intervention fits which cluster.

Why TOML and not CSV: a rule has a list of conditions, and the reasons for its thresholds
belong next to them as comments; a CSV would need one row per condition, ids repeated and
no comments. ``tomllib`` reads it (standard library), and nothing in a rule is executed:
a condition is an indicator or profile factor, an operator from a fixed table and a value.

API (pure):

* ``read_rules(path=None) -> tuple[Rule, ...]``: the bundled rules, or a file. Every problem
  (TOML syntax, missing or unknown field, unknown stream, indicator, factor or operator, a
  value of the wrong kind, a percentage outside 0-100, an unknown ``{placeholder}``, a
  duplicate id) is listed in one `InputError` naming the file, the rule's id and line and
  the rule broken.
* ``rules_table(rules) -> DataFrame``: one row per rule, conditions written out.
* ``assess(evidence, rules=None, profiles=None) -> DataFrame``: one row per (cluster, rule):
  ``status`` fired, not fired or not assessed (an indicator or factor it needs is missing),
  with ``evidence`` citing each condition that held and ``missing``.
* ``recommend(evidence, rules=None, profiles=None) -> DataFrame``: one row per (cluster,
  rule fired): cluster, cluster_label, stream, rule, intervention, source, evidence,
  indicators. `evidence` is `ecocluster.eic.compute_cluster_evidence`'s table (may be
  empty); `profiles` (``compute_eic_profiles``, ``published_profiles``, or both
  concatenated) feed the factor conditions and add clusters without evidence, such as
  the published four. Without `profiles` they are derived from the evidence.

A rule fires for a cluster when all its ``all`` conditions hold and, if it has ``any``
conditions, at least one of them holds. Each fired rule's evidence reads like "Firms
naming shortage of capital: 85% of 20 firms (threshold: at least 50%)".
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.eic import (
    EVIDENCE_COLUMNS,
    KEY_FACTORS,
    NOT_KNOWN,
    evidence_by_cluster,
    format_indicator,
    indicators,
)
from ecocluster.errors import InputError
from ecocluster.normalize import normalize_text, read_utf8_text

__all__ = [
    "OPERATORS",
    "STREAMS",
    "Condition",
    "Rule",
    "assess",
    "read_rules",
    "recommend",
    "rules_table",
]

STREAMS: Final = ("industrial", "environmental", "regional_development")
_NUMERIC: Final[dict[str, Callable[[float, float], bool]]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_TEXT: Final[dict[str, Callable[[str, str], bool]]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "contains": lambda a, b: b in a,
}
#: Every operator a condition may use; numbers take the first six, text ==, != and contains.
OPERATORS: Final = (*_NUMERIC, "contains")
_WORDS: Final = {
    ">": "above",
    ">=": "at least",
    "<": "below",
    "<=": "at most",
    "==": "equal to",
    "!=": "not",
    "contains": "contains",
}
_RULE_FIELDS: Final = ("id", "stream", "intervention", "source", "why", "all", "any")
_CONDITION_FIELDS: Final = ("indicator", "factor", "op", "value")
_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z0-9_]+)\}")
RESULT_COLUMNS: Final = (
    *("cluster", "cluster_label", "stream", "rule", "intervention", "source"),
    *("evidence", "indicators"),
)


@dataclass(frozen=True)
class Condition:
    """``subject op value`` over an evidence indicator or (``factor``) a profile factor."""

    subject: str
    op: str
    value: float | str
    factor: bool = False

    def __str__(self) -> str:
        value = f"{self.value!r}" if isinstance(self.value, str) else f"{self.value:g}"
        return f"{'factor ' if self.factor else ''}{self.subject} {self.op} {value}"


@dataclass(frozen=True)
class Rule:
    """One intervention and the conditions that call for it; `line` is its line in `file`."""

    id: str
    stream: str
    intervention: str
    source: str
    all_of: tuple[Condition, ...]
    any_of: tuple[Condition, ...] = ()
    why: str = ""
    file: str = ""
    line: int | None = None


# --------------------------------------------------------------------- reading rules
@dataclass
class _Checker:
    """Problems of one rule file, each located by the rule's line and the field."""

    file: str
    lines: list[str]
    problems: list[Any]

    def add(self, line: int | None, column: str, rule: str, message: str) -> None:
        from ecocluster.problems import Problem

        self.problems.append(Problem(self.file, line, column, rule, message))

    def line_of(self, start: int | None, needle: str) -> int | None:
        """The line of the rule starting at `start` that sets the field `needle` (or, when
        quoted, that names it); the rule's first line if none does."""
        if start is None:
            return None
        for number in range(start, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > start and _HEADER.match(text):
                break
            found = needle in text if needle.startswith('"') else text.lstrip().startswith(needle)
            if found:
                return number
        return start


_HEADER: Final = re.compile(r"^\s*\[\[\s*rule\s*\]\]")


def _condition(
    raw: Any, label: str, field: str, check: _Checker, start: int | None, units: Mapping[str, str]
) -> Condition | None:
    """One condition (`field`, such as ``all[2]``, of rule `label`) checked against the
    indicators, factors and operators."""
    before = len(check.problems)
    subject = raw.get("indicator", raw.get("factor")) if isinstance(raw, dict) else None
    line = check.line_of(start, f'"{subject}"') if isinstance(subject, str) else start

    def problem(rule: str, message: str) -> None:
        check.add(line, field, rule, f"{label} {field}: {message}")

    if not isinstance(raw, dict) or ("indicator" in raw) == ("factor" in raw):
        problem("bad-condition", "write { indicator = ..., op = ..., value = ... } (or factor)")
        return None
    for key in sorted(set(raw) - set(_CONDITION_FIELDS)):
        problem("unknown-field", f"unknown field {key!r}")
    factor, op, value = "factor" in raw, raw.get("op"), raw.get("value")
    unit = "text" if factor else units.get(str(subject), "")
    if not factor and subject not in units:
        close = difflib.get_close_matches(str(subject), list(units), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see ecocluster.eic.indicators()"
        problem("unknown-indicator", f"unknown indicator {subject!r}; {hint}")
    if factor and subject not in KEY_FACTORS:
        problem("unknown-factor", f"unknown factor {subject!r}; factors: {', '.join(KEY_FACTORS)}")
    allowed = tuple(_TEXT) if unit == "text" else tuple(_NUMERIC)
    if op not in OPERATORS:
        problem("unknown-operator", f"unknown operator {op!r}; operators: {', '.join(OPERATORS)}")
    elif unit and op not in allowed:
        problem(
            "unknown-operator", f"{op!r} does not apply to {subject!r}; use {', '.join(allowed)}"
        )
    if unit == "text" and not isinstance(value, str):
        problem("bad-value", f"{subject!r} needs a text value, not {value!r}")
    elif unit and unit != "text":
        if isinstance(value, bool) or not isinstance(value, int | float):
            problem("bad-value", f"{subject!r} needs a number, not {value!r}")
        elif unit == "percent" and not 0 <= value <= 100:
            problem("bad-value", f"{subject!r} is a percentage (0-100), not {value}")
    if len(check.problems) > before or not isinstance(subject, str):
        return None
    if isinstance(value, str):
        return Condition(subject, str(op), normalize_text(value).casefold(), factor)
    return Condition(subject, str(op), float(value) if isinstance(value, int | float) else 0.0)


def _rule(
    raw: Any, index: int, check: _Checker, start: int | None, units: Mapping[str, str]
) -> Rule | None:
    if not isinstance(raw, dict):
        check.add(start, "rule", "bad-rule", f"rule {index} is not a table")
        return None
    name = raw.get("id")
    label = f"rule {name!r}" if isinstance(name, str) and name else f"rule {index}"
    before = len(check.problems)
    for key in sorted(set(raw) - set(_RULE_FIELDS)):
        line = check.line_of(start, key)
        check.add(line, key, "unknown-field", f"{label} has an unknown field {key!r}")
    for key in ("id", "stream", "intervention", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            check.add(start, key, "missing-field", f"{label} has no {key} (a text)")
    if isinstance(name, str) and name and not _ID.match(name):
        message = f"{label}: an id is letters, digits, '-' and '_'"
        check.add(start, "id", "bad-id", message)
    stream = raw.get("stream")
    if isinstance(stream, str) and stream and stream not in STREAMS:
        message = f"{label}: unknown stream {stream!r}; streams: {', '.join(STREAMS)}"
        check.add(check.line_of(start, "stream"), "stream", "unknown-stream", message)
    text = raw.get("intervention")
    for placeholder in _PLACEHOLDER.findall(text if isinstance(text, str) else ""):
        if placeholder not in units:
            message = f"{label}: unknown placeholder {{{placeholder}}} in the intervention"
            check.add(
                check.line_of(start, "intervention"), "intervention", "bad-placeholder", message
            )
    groups: dict[str, list[Condition]] = {"all": [], "any": []}
    for key in groups:
        items = raw.get(key, [])
        if not isinstance(items, list):
            check.add(
                check.line_of(start, key), key, "bad-condition", f"{label}: {key} is not a list"
            )
            continue
        for number, item in enumerate(items, start=1):
            found = _condition(item, label, f"{key}[{number}]", check, start, units)
            if found is not None:
                groups[key].append(found)
    if not raw.get("all") and not raw.get("any"):
        check.add(start, "all", "missing-field", f"{label} has no conditions (all or any)")
    if len(check.problems) > before:
        return None
    return Rule(
        id=str(name),
        stream=str(stream),
        intervention=normalize_text(str(text)),
        source=normalize_text(str(raw["source"])),
        all_of=tuple(groups["all"]),
        any_of=tuple(groups["any"]),
        why=normalize_text(str(raw.get("why", ""))),
        file=check.file,
        line=start,
    )


def read_rules(path: str | Path | None = None) -> tuple[Rule, ...]:
    """The rules of a TOML file (the bundled ``data/policy/rules.toml`` by default)."""
    from ecocluster.problems import refuse

    if path is None:
        bundled = resources.files("ecocluster").joinpath("data", "policy", "rules.toml")
        file, text = "rules.toml (bundled)", bundled.read_text(encoding="utf-8")
    else:
        file, text = str(path), read_utf8_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at = re.search(r"line (\d+)", str(error))
        line = int(at.group(1)) if at else None
        raise InputError(
            f"the file is not valid TOML: {error}", file=file, row=line, rule="toml"
        ) from None
    lines = text.splitlines()
    starts = [number for number, line in enumerate(lines, start=1) if _HEADER.match(line)]
    check = _Checker(file, lines, [])
    for key in sorted(set(data) - {"rule"}):
        check.add(
            None, key, "unknown-field", f"unknown top-level key {key!r}; rules go in [[rule]]"
        )
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        hint = " (write [[rule]], not [rule])" if isinstance(raw_rules, dict) else ""
        check.add(None, "rule", "no-rules", f"the file has no [[rule]] tables{hint}")
        raw_rules = []
    units = {str(k): str(v) for k, v in indicators()["unit"].items()}
    rules: list[Rule] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(raw_rules, start=1):
        start = starts[index - 1] if len(starts) == len(raw_rules) else None
        name = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(name, str) and name in seen:
            first = seen[name]
            where = f"line {first}" if first else "an earlier rule"
            message = f"rule {name!r}: the id is used again (first at {where})"
            check.add(start, "id", "duplicate-rule", message)
        elif isinstance(name, str):
            seen[name] = start
        found = _rule(raw, index, check, start, units)
        if found is not None:
            rules.append(found)
    if check.problems:
        raise refuse(check.problems, "the rule file was")
    return tuple(rules)


def rules_table(rules: Sequence[Rule] | None = None) -> pd.DataFrame:
    """One row per rule: id, stream, intervention, source, conditions written out, why."""
    chosen = read_rules() if rules is None else rules
    rows = [
        {
            "rule": r.id,
            "stream": r.stream,
            "intervention": r.intervention,
            "source": r.source,
            "all": "; ".join(map(str, r.all_of)),
            "any": "; ".join(map(str, r.any_of)),
            "why": r.why,
        }
        for r in chosen
    ]
    return pd.DataFrame(
        rows, columns=["rule", "stream", "intervention", "source", "all", "any", "why"]
    )


# --------------------------------------------------------------------- evaluation
def _threshold(value: float, unit: str) -> str:
    return (
        format_indicator(value, unit)
        if unit in ("percent", "score", "per firm", "ratio")
        else f"{value:g}"
    )


class _Cluster:
    """What the rules can ask of one cluster: its evidence rows and its profile."""

    def __init__(
        self, rows: Mapping[str, Mapping[str, Any]], profile: Mapping[str, Any] | None
    ) -> None:
        self.rows = rows
        self.profile = profile or {}

    def test(self, condition: Condition) -> tuple[bool | None, str]:
        """Whether it holds (None: cannot tell) and the sentence citing the evidence."""
        rule = f"{_WORDS[condition.op]} {{}}"
        if condition.factor:
            text = str(self.profile.get(condition.subject, "") or "")
            if not text or text == NOT_KNOWN:
                return None, ""
            origin = self.profile.get(f"{condition.subject}_provenance", "")
            held = _TEXT[condition.op](normalize_text(text).casefold(), str(condition.value))
            label = KEY_FACTORS[condition.subject]
            return (
                held,
                f"{label} ({origin}): {text!r} (rule: {rule.format(repr(condition.value))})",
            )
        row = self.rows.get(condition.subject)
        if row is None:
            return None, ""
        unit = str(row["unit"])
        if isinstance(condition.value, str):
            code = str(row["code"]).casefold()
            shown = str(row["display"]).casefold()
            held = _TEXT[condition.op](code, condition.value) or (
                condition.op == "contains" and condition.value in shown
            )
            return (
                held,
                f"{row['label']}: {row['display']} (rule: {rule.format(repr(condition.value))})",
            )
        value = float(row["value"])
        if not np.isfinite(value):
            return None, ""
        of = f" of {int(row['n'])} firms" if unit == "percent" else ""
        threshold = rule.format(_threshold(float(condition.value), unit))
        return _NUMERIC[condition.op](value, float(condition.value)), (
            f"{row['label']}: {row['display']}{of} (threshold: {threshold})"
        )

    def fill(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            row = self.rows.get(match.group(1))
            return str(row["display"]) if row is not None else "(not measured)"

        return _PLACEHOLDER.sub(value, text)


def _assess_rule(cluster: _Cluster, rule: Rule) -> tuple[str, list[str], list[str], list[str]]:
    """Status, cited evidence, subjects cited and subjects missing."""
    cited: list[str] = []
    used: list[str] = []
    missing: list[str] = []
    verdicts: dict[str, list[bool | None]] = {"all": [], "any": []}
    for group, conditions in (("all", rule.all_of), ("any", rule.any_of)):
        for condition in conditions:
            held, sentence = cluster.test(condition)
            verdicts[group].append(held)
            if held is None:
                missing.append(condition.subject)
            elif held:
                cited.append(sentence)
                used.append(condition.subject)
    all_ok = all(v is True for v in verdicts["all"])
    any_ok = not verdicts["any"] or any(v is True for v in verdicts["any"])
    if all_ok and any_ok:
        return "fired", cited, used, missing
    failed = any(v is False for v in verdicts["all"]) or (
        verdicts["any"] and all(v is False for v in verdicts["any"])
    )
    return ("not fired" if failed else "not assessed"), cited, used, missing


def _inputs(
    evidence: pd.DataFrame | None,
    rules: Sequence[Rule] | str | Path | None,
    profiles: pd.DataFrame | None,
) -> tuple[pd.DataFrame, tuple[Rule, ...], dict[str, str], dict[str, Mapping[str, Any]]]:
    from ecocluster.eic import compute_eic_profiles

    if evidence is None:
        evidence = pd.DataFrame(columns=list(EVIDENCE_COLUMNS))
    missing = [c for c in EVIDENCE_COLUMNS if c not in evidence.columns]
    if missing:
        message = f"the evidence table has no column {missing[0]!r} (compute_cluster_evidence)"
        raise InputError(message, rule="evidence-columns")
    chosen = (
        tuple(rules)
        if isinstance(rules, Sequence) and not isinstance(rules, str)
        else read_rules(rules)
    )
    if profiles is None and len(evidence):
        profiles = compute_eic_profiles(None, evidence=evidence)
    clusters = dict(
        zip(evidence["cluster"].astype(str), evidence["cluster_label"].astype(str), strict=True)
    )
    by_id: dict[str, Mapping[str, Any]] = {}
    if profiles is not None:
        for _, row in profiles.iterrows():
            by_id[str(row["id"])] = {str(k): v for k, v in row.items()}
            clusters.setdefault(str(row["id"]), str(row.get("name", row["id"])))
    return evidence, chosen, clusters, by_id


def assess(
    evidence: pd.DataFrame | None,
    rules: Sequence[Rule] | str | Path | None = None,
    profiles: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every (cluster, rule): fired, not fired, or not assessed for lack of evidence."""
    evidence, chosen, clusters, by_id = _inputs(evidence, rules, profiles)
    grouped = evidence_by_cluster(evidence)
    rows: list[dict[str, str]] = []
    for key, label in clusters.items():
        cluster = _Cluster(grouped.get(key, {}), by_id.get(key))
        for rule in chosen:
            status, cited, used, missing = _assess_rule(cluster, rule)
            rows.append(
                {"cluster": key, "cluster_label": label, "stream": rule.stream, "rule": rule.id}
                | {"intervention": cluster.fill(rule.intervention), "source": rule.source}
                | {"evidence": "; ".join(cited), "indicators": ", ".join(used)}
                | {"status": status, "missing": ", ".join(dict.fromkeys(missing))}
            )
    return pd.DataFrame(rows, columns=[*RESULT_COLUMNS, "status", "missing"])


def recommend(
    evidence: pd.DataFrame | None,
    rules: Sequence[Rule] | str | Path | None = None,
    profiles: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The interventions each cluster's evidence calls for, each citing that evidence.

    Rows come cluster by cluster, then by stream (industrial, environmental, regional
    development), then in the rule file's order.
    """
    table = assess(evidence, rules, profiles)
    fired = table[table["status"] == "fired"]
    order = {stream: i for i, stream in enumerate(STREAMS)}
    fired = fired.assign(_s=fired["stream"].map(order), _c=pd.factorize(fired["cluster"])[0])
    fired = fired.sort_values(["_c", "_s"], kind="stable")
    return fired[list(RESULT_COLUMNS)].reset_index(drop=True)
