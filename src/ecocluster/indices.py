"""Firm-level indices and simple aggregates of one survey wave.

Analyses never name a questionnaire's questions: they ask the instrument which question
answers a concept (``instrument.concept("loan")``), so a team with its own XLSForm and
``concepts.csv`` gets the same indices. The input is a wide table of strings (one row per
enterprise, one column per question, ``""`` for no answer), as `ecocluster.store.read_wide`
and `ecocluster.survey.read.read_responses` give it.

Everything is vectorised: each column is factorised once and per-value work (splitting a
select_multiple answer, parsing a number) runs on its distinct values only.

Reading rules, the same for every index:

* **Yes/no.** ``yes`` (also ``true``, ``1``) is 1 and ``no`` (``false``, ``0``) is 0;
  anything else, a blank included, is NaN.
* **Missing answers stay NaN**, never a silent 0. The exception is skip logic: where a
  question's ``relevant`` expression is false the question was not asked, and for the
  questions whose not being asked means "none" (a complaint about the firm itself when it
  knows of no complaint in the village, buyers pressing the firm, pollution spending,
  subsidised loans, inspections and warning letters) the blank reads as 0. Other skipped
  questions keep NaN: a firm that names no innovation partner has no partner importance.
* **A blank select_multiple** means "named none" when the question is optional and its
  choice list has no ``none`` choice (the form offers no other way to name none); with a
  ``none`` choice or a required question a blank is a missing answer. The same rule gives
  the base of shares: the firms that answered.
* **Sought support** is 1 for ``yes`` or any frequency other than ``never``
  (``often``, ``occasionally``), 0 for ``no``/``never``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.instrument import Instrument, Question
from ecocluster.normalize import fold_key, normalize_text
from ecocluster.survey.columns import BoolArray, Context, FloatArray, IntArray, ObjectArray
from ecocluster.survey.expression import compile_expression

__all__ = [
    "COLUMN_CONCEPTS",
    "PRESSURE_RULES",
    "TOTAL",
    "Grouping",
    "compute_constraint_scores",
    "compute_firm_indices",
    "compute_group_means",
    "compute_initiators",
    "compute_knowledge_sources",
    "compute_mentions",
    "compute_partner_locations",
    "firm_groups",
    "group_labels",
    "group_mean",
    "group_ratio",
    "group_share",
    "group_sizes",
    "group_tally",
    "group_values",
    "ordered_labels",
    "stored_labels",
]

YES: Final = frozenset({"yes", "true", "1"})
NO: Final = frozenset({"no", "false", "0"})
NEVER: Final = frozenset({"no", "false", "0", "never"})
NONE: Final = "none"
OTHER: Final = "other"
#: How CP and EMP combine the indirect (weight 1) and direct (weight 2) levels.
PRESSURE_RULES: Final = ("max", "sum")
#: Concepts whose blank answer, where the question was not asked, means "none" (0).
ZERO_WHEN_SKIPPED: Final = frozenset(
    {
        "community_pressure_own",
        "market_pressure_own",
        "pollution_capex",
        "pollution_opex",
        "loan",
        "inspections",
        "warning_letters",
    }
)
#: Text columns of the firm table: concept, read as the answer's choice name.
CATEGORICAL: Final = (
    "ownership",
    "province",
    "area",
    "main_resource",
    "equipment_introducer",
    "initiator",
)
#: Numeric firm columns read directly from one concept.
NUMERIC: Final = {
    "YEARS": "years_in_operation",
    "EMPL": "employees",
    "TURN": "turnover",
    "export_share": "export_share",
    "pollution_capex": "pollution_capex",
    "pollution_opex": "pollution_opex",
    "inspections": "inspections",
    "seriousness_noise": "seriousness_noise",
    "seriousness_air": "seriousness_air",
    "seriousness_water": "seriousness_water",
    "resource_sustainability": "resource_sustainability",
    "partner_importance": "partner_importance",
    "owner_age": "owner_age",
    "owner_education": "owner_education",
    "land_area": "land_area",
}
#: 0/1 firm columns read from one yes/no concept.
YES_NO: Final = {
    "complaint_others": "community_pressure_others",
    "complaint_own": "community_pressure_own",
    "agreement": "pollution_agreement",
    "buyers_others": "market_pressure_others",
    "buyers_own": "market_pressure_own",
    "buyer_help": "buyer_help",
    "LOAN": "loan",
    "ENVTECH": "clean_technology",
    "aware_clean_technology": "aware_clean_technology",
    "has_telephone": "has_telephone",
    "has_computer_email": "has_computer_email",
    "has_website": "has_website",
    "collaborates": "collaborates",
}
#: Counts of the choices named in one select_multiple concept.
SELECTED_COUNTS: Final = {
    "warning_letters": "warning_letters",
    "n_knowledge_sources": "knowledge_sources",
    "n_constraints": "constraints",
    "n_expansion_constraints": "constraints_expansion",
}
#: The concepts behind each firm column (to say what an analysis lacks).
COLUMN_CONCEPTS: Final[dict[str, tuple[str, ...]]] = {
    "cluster": ("cluster",),
    **{name: (name,) for name in CATEGORICAL},
    **{column: (concept,) for column, concept in NUMERIC.items()},
    "EXPT": ("turnover", "export_share"),
    "exporter": ("export_share",),
    "CLUSTER": ("cluster",),
    "CP": ("community_pressure_others", "community_pressure_own"),
    "EMP": ("market_pressure_others", "market_pressure_own"),
    "GMS": ("inspections", "warning_letters"),
    "inspected": ("inspections",),
    "ENVEXP": ("pollution_capex", "pollution_opex"),
    "ENVEXP_million": ("pollution_capex", "pollution_opex"),
    "spending_share": ("pollution_capex", "pollution_opex", "turnover"),
    "spender": ("pollution_capex", "pollution_opex"),
    **{column: (concept,) for column, concept in YES_NO.items()},
    **{column: (concept,) for column, concept in SELECTED_COUNTS.items()},
    "owner_male": ("owner_gender",),
}
_LABELS_ATTR: Final = "ecocluster_labels"
TOTAL: Final = "Total"


# --------------------------------------------------------------------- answers
def english_label(instrument: Instrument, labels: Mapping[str, str], fallback: str) -> str:
    """The English label when the form has one, else the default language's."""
    return labels.get("en") or labels.get(instrument.default_language) or fallback


def _choice_lookup(instrument: Instrument, question: Question) -> dict[str, tuple[int, str]]:
    """Position (1-based) and English label of each choice, under every spelling of its key.

    Keys come as choice names (``bat_trang``) from a file and as folded labels from the
    store (``hanoi_city_(urban_districts)``); both find the choice.
    """
    lookup: dict[str, tuple[int, str]] = {}
    options = instrument.choices.get(question.list_name or "", [])
    for position, choice in enumerate(options, start=1):
        entry = (position, english_label(instrument, choice.labels, choice.name))
        aliases = [choice.name, fold_key(choice.name), *map(fold_key, choice.labels.values())]
        for alias in aliases:
            lookup.setdefault(alias, entry)
    return lookup


class _Answers:
    """The wide table seen through the instrument: concepts in, arrays out."""

    def __init__(self, wide: pd.DataFrame, instrument: Instrument) -> None:
        self.wide = wide
        self.instrument = instrument
        numeric = [q.name for q in instrument.questions.values() if q.is_numeric]
        self.context = Context(wide, numeric=numeric)
        self.size = len(wide)
        self._skipped: dict[str, BoolArray] = {}

    def question(self, concept: str) -> Question | None:
        """The question of a concept, if the instrument maps it and the data have it."""
        name = self.instrument.concepts.get(concept)
        if name is None or name not in self.wide.columns:
            return None
        return self.instrument.questions.get(name)

    def has(self, *concepts: str) -> bool:
        return all(self.question(concept) is not None for concept in concepts)

    def require(self, concept: str) -> Question:
        question = self.question(concept)
        if question is None:
            raise _missing(self.instrument, [concept])
        return question

    def skipped(self, question: Question) -> BoolArray:
        """Rows where the question's `relevant` is false: it was not asked."""
        if question.relevant is None:
            return np.zeros(self.size, dtype=bool)
        if question.name not in self._skipped:
            expression = compile_expression(
                question.relevant, question=question.name, kind="relevant"
            )
            self._skipped[question.name] = ~expression.evaluate(self.context)
        return self._skipped[question.name]

    def _zero_when_skipped(self, concept: str, values: FloatArray) -> FloatArray:
        question = self.require(concept)
        if concept in ZERO_WHEN_SKIPPED:
            blank = ~self.context.answered(question.name) & self.skipped(question)
            values = np.where(blank, 0.0, values)
        return values

    def strings(self, concept: str) -> ObjectArray:
        return self.context.strings(self.require(concept).name)

    def numbers(self, concept: str) -> FloatArray:
        values = np.array(self.context.numbers(self.require(concept).name), dtype=np.float64)
        return self._zero_when_skipped(concept, values)

    def yes(self, concept: str) -> FloatArray:
        """1 for yes, 0 for no, NaN otherwise (0 where skipping means no)."""
        question = self.require(concept)
        values = self.context.map_unique(question.name, _yes_values).astype(np.float64)
        return self._zero_when_skipped(concept, values)

    def sought(self, concept: str) -> FloatArray:
        """1 when support was sought (yes, or any frequency but never), 0 when not."""
        question = self.require(concept)
        frequency = "never" in self.instrument.choice_names(question)

        def read(uniques: ObjectArray) -> FloatArray:
            keys = [str(u).strip().lower() for u in uniques]
            return np.array(
                [
                    1.0 if k in YES else 0.0 if k in NEVER else 1.0 if frequency and k else np.nan
                    for k in keys
                ],
                dtype=np.float64,
            )

        return self.context.map_unique(question.name, read).astype(np.float64)

    def blank_is_none(self, question: Question) -> bool:
        """Whether a blank select_multiple answer says "named none" (see module doc)."""
        return not question.required and NONE not in self.instrument.choice_names(question)

    def answered(self, concept: str) -> BoolArray:
        """Firms whose answer counts (the base of shares of a select question)."""
        question = self.require(concept)
        answered = self.context.answered(question.name)
        if question.type == "select_multiple" and self.blank_is_none(question):
            return np.ones(self.size, dtype=bool)
        return answered | (self.skipped(question) & (concept in ZERO_WHEN_SKIPPED))

    def count_selected(self, concept: str) -> FloatArray:
        """Number of distinct choices named, ``none`` not counted."""
        question = self.require(concept)
        counts = self.context.map_unique(question.name, _count_names).astype(np.float64)
        blank = ~self.context.answered(question.name)
        if self.blank_is_none(question):
            counts = np.where(blank, 0.0, counts)
        return self._zero_when_skipped(concept, counts)

    def cluster_keys(self) -> tuple[ObjectArray, dict[str, str]] | None:
        """Cluster key per firm (None: no cluster) and the spelling of unlisted clusters.

        ``_cluster`` (the store's key) wins; otherwise the cluster answer, where ``other``
        is replaced by the folded name given in ``cluster_other`` (as the store keys it).
        """
        if "_cluster" in self.wide.columns:
            keys = Context(self.wide[["_cluster"]]).strings("_cluster")
            return _blank_to_none(keys), {}
        question = self.question("cluster")
        if question is None:
            return None
        codes, uniques = self.context.factorized(question.name)
        keys = np.array([u if u else None for u in uniques], dtype=object)
        spelling: dict[str, str] = {}
        other = self.question("cluster_other")
        if other is not None and OTHER in uniques:
            texts = self.context.strings(other.name)
            is_other = uniques[codes] == OTHER
            text_codes, text_uniques = pd.factorize(texts[is_other])
            folded = np.array([fold_key(str(t)) or OTHER for t in text_uniques], dtype=object)
            for text, key in zip(text_uniques, folded, strict=True):
                if key != OTHER:
                    spelling.setdefault(key, normalize_text(str(text)))
            values = keys[codes]
            values[is_other] = folded[text_codes]
            return values, spelling
        return keys[codes], spelling


def _yes_values(uniques: ObjectArray) -> FloatArray:
    keys = [str(u).strip().lower() for u in uniques]
    return np.array([1.0 if k in YES else 0.0 if k in NO else np.nan for k in keys])


def _count_names(uniques: ObjectArray) -> FloatArray:
    counts = [len(set(str(u).split()) - {NONE}) if str(u) else np.nan for u in uniques]
    return np.array(counts, dtype=np.float64)


def _missing(instrument: Instrument, concepts: Iterable[str]) -> InputError:
    names = ", ".join(repr(c) for c in concepts)
    return InputError(
        f"instrument {instrument.form_id!r} maps no question to concept {names}, or the "
        "responses have no such column; add it to the concept mapping (concepts.csv)",
        rule="unknown-concept",
    )


# --------------------------------------------------------------------- firm table
def group_labels(
    instrument: Instrument,
    concept: str,
    keys: Iterable[str],
    spelling: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """English labels of the given keys of a select concept, in choice-list order.

    Keys the list does not know follow, alphabetically, labelled by `spelling` or
    themselves.
    """
    spelling = spelling or {}
    question = instrument.questions.get(instrument.concepts.get(concept, ""))
    lookup = _choice_lookup(instrument, question) if question is not None else {}
    ranked = sorted(
        set(keys),
        key=lambda k: (lookup[k][0], "") if k in lookup else (len(lookup) + 1, k),
    )
    return {k: lookup[k][1] if k in lookup else spelling.get(k, k) for k in ranked}


def _cluster_codes(
    instrument: Instrument, keys: ObjectArray, given: Mapping[str, float] | None
) -> FloatArray:
    """The paper's CLUSTER code: position in the cluster list; unlisted clusters follow."""
    codes, uniques = pd.factorize(keys)
    if given is not None:
        table = [float(given.get(str(u), np.nan)) for u in uniques]
    else:
        question = instrument.questions[instrument.concepts["cluster"]]
        lookup = _choice_lookup(instrument, question)
        other = lookup.get(OTHER, (0, ""))[0]
        start = max((p for p, _ in lookup.values() if p != other), default=0)
        known = {k: p for k, (p, _) in lookup.items() if p != other}
        extra = sorted(str(u) for u in uniques if str(u) not in known)
        position = {**known, **{key: start + i for i, key in enumerate(extra, start=1)}}
        table = [float(position[str(u)]) for u in uniques]
    values = np.append(np.array(table, dtype=np.float64), np.nan)
    return values[np.where(codes < 0, len(uniques), codes)]


def _pressure(weak: FloatArray, strong: FloatArray, rule: str) -> FloatArray:
    """Weight 1 for the indirect level, 2 for the direct one: larger weight or sum."""
    if rule == "sum":
        return weak + 2.0 * strong
    return np.where(strong == 1.0, 2.0, np.where(np.isnan(strong), np.nan, weak))


def compute_firm_indices(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    pressure: str = "max",
    cluster_codes: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per firm with the indices of the 2007 and 2003 studies (see module doc).

    Columns exist only for concepts the instrument maps. ``CP`` and ``EMP`` follow Rock
    and Aden: weight 1 when the firm knows of pressure on other firms, 2 when it was
    pressed itself; with ``pressure="max"`` (the default) the larger weight counts (0, 1,
    2: the paper defines a weight per level), with ``"sum"`` the weights add (0 to 3).
    ``GMS`` = inspections + 2 x warning letters (choices of the letters question other
    than ``none``). ``CLUSTER`` is the cluster's position in the instrument's choice list
    (clusters outside it follow in alphabetical order) unless `cluster_codes` gives it.
    Money is asked in VND million: ``ENVEXP`` is in VND (the paper's scale),
    ``ENVEXP_million`` and ``pollution_capex``/``pollution_opex`` in VND million, and
    ``EXPT`` = TURN x 1e6 x export_share / 100 in VND.
    """
    if pressure not in PRESSURE_RULES:
        raise InputError(
            f"pressure must be one of {', '.join(PRESSURE_RULES)}, not {pressure!r}",
            rule="pressure",
        )
    answers = _Answers(wide, instrument)
    columns: dict[str, np.ndarray] = {}
    labels: dict[str, dict[str, str]] = {}

    clusters = answers.cluster_keys()
    if clusters is not None:
        keys, spelling = clusters
        columns["cluster"] = keys
        present = [str(k) for k in pd.unique(keys) if k is not None]
        labels["cluster"] = group_labels(instrument, "cluster", present, spelling)
    for concept in CATEGORICAL:
        if answers.has(concept):
            values = answers.strings(concept)
            columns[concept] = _blank_to_none(values)
            present = [str(v) for v in pd.unique(values) if v]
            labels[concept] = group_labels(instrument, concept, present)

    for column, concept in NUMERIC.items():
        if answers.has(concept):
            columns[column] = answers.numbers(concept)
    if "TURN" in columns and "export_share" in columns:
        columns["EXPT"] = columns["TURN"] * 1e6 * columns["export_share"] / 100.0
    if "export_share" in columns:
        columns["exporter"] = _flag(columns["export_share"] > 0, columns["export_share"])
    if clusters is not None and (cluster_codes is not None or answers.has("cluster")):
        columns["CLUSTER"] = _cluster_codes(instrument, clusters[0], cluster_codes)
    for column, concept in YES_NO.items():
        if answers.has(concept):
            columns[column] = answers.yes(concept)
    if "complaint_others" in columns and "complaint_own" in columns:
        columns["CP"] = _pressure(columns["complaint_others"], columns["complaint_own"], pressure)
    if "buyers_others" in columns and "buyers_own" in columns:
        columns["EMP"] = _pressure(columns["buyers_others"], columns["buyers_own"], pressure)
    for column, concept in SELECTED_COUNTS.items():
        if answers.has(concept):
            columns[column] = answers.count_selected(concept)
    if "inspections" in columns:
        columns["inspected"] = _flag(columns["inspections"] >= 1, columns["inspections"])
        if "warning_letters" in columns:
            columns["GMS"] = columns["inspections"] + 2.0 * columns["warning_letters"]
    if "pollution_capex" in columns and "pollution_opex" in columns:
        spend = columns["pollution_capex"] + columns["pollution_opex"]
        columns["ENVEXP_million"] = spend
        columns["ENVEXP"] = spend * 1e6
        columns["spender"] = _flag(spend > 0, spend)
        if "TURN" in columns:
            turnover = np.where(columns["TURN"] > 0, columns["TURN"], np.nan)
            columns["spending_share"] = spend / turnover * 100.0
    if answers.has("owner_gender"):
        gender = answers.strings("owner_gender")
        columns["owner_male"] = np.select(
            [gender == "male", gender == "female"], [1.0, 0.0], default=np.nan
        )
    support = [c for c in instrument.concepts if c.startswith("support_") and answers.has(c)]
    for concept in sorted(support, key=lambda c: answers.require(c).position):
        columns[concept] = answers.sought(concept)

    order = [c for c in COLUMN_CONCEPTS if c in columns]
    order += [c for c in columns if c not in COLUMN_CONCEPTS]
    index = wide.index
    if isinstance(index, pd.RangeIndex) and answers.has("enterprise_id"):
        index = pd.Index(answers.strings("enterprise_id"), name="enterprise")
    firms = pd.DataFrame({name: _column(columns[name]) for name in order})
    firms.index = index
    firms.attrs[_LABELS_ATTR] = labels
    return firms


def _blank_to_none(values: ObjectArray) -> ObjectArray:
    out = values.copy()
    out[values == ""] = None
    return out


def _flag(mask: BoolArray, source: FloatArray) -> FloatArray:
    return np.where(np.isnan(source), np.nan, mask.astype(np.float64))


def _column(values: np.ndarray) -> pd.Series:
    if values.dtype == object:
        return pd.Series(np.where(pd.isna(values), np.nan, values), dtype="str")
    return pd.Series(values, dtype=np.float64)


def stored_labels(firms: pd.DataFrame, column: str) -> dict[str, str] | None:
    """Group labels that `compute_firm_indices` kept with the table, if still there."""
    kept = firms.attrs.get(_LABELS_ATTR, {})
    found = kept.get(column) if isinstance(kept, dict) else None
    return dict(found) if isinstance(found, dict) else None


def compute_group_means(
    firms: pd.DataFrame, columns: Sequence[str], by: str, *, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Means of `columns` per group of `by`, then a ``Total`` row over all firms.

    Groups come in the order of `labels` (or the labels kept by `compute_firm_indices`),
    others alphabetically; means skip missing values.
    """
    missing = [c for c in columns if c not in firms.columns]
    if missing:
        raise InputError(f"the firm table has no column {missing[0]!r}", rule="unknown-column")
    groups = firm_groups(firms, by, labels=labels)
    means = {
        c: group_mean(groups, firms[c].to_numpy(dtype=np.float64, na_value=np.nan))[0]
        for c in columns
    }
    return pd.DataFrame(means, index=pd.Index([*groups.keys, TOTAL], name=by))


# --------------------------------------------------------------------- mentions
def _group_codes(groups: pd.Series | np.ndarray | None, size: int) -> tuple[IntArray, list[str]]:
    if groups is None:
        return np.zeros(size, dtype=np.intp), [TOTAL]
    values = np.asarray(groups, dtype=object)
    if len(values) != size:
        raise InputError("groups need one value per firm", rule="groups")
    codes, uniques = pd.factorize(values)
    order = np.argsort(np.array([str(u) for u in uniques], dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    mapped = np.where(codes < 0, -1, rank[np.maximum(codes, 0)])
    return np.asarray(mapped, dtype=np.intp), [str(uniques[i]) for i in order]


def _mention_matrix(
    answers: _Answers, question: Question, codes: IntArray, n_groups: int
) -> tuple[np.ndarray, list[str]]:
    """Firms naming each choice, per group: (groups x choices) counts and the choice names.

    A firm counts once per choice however often it repeats it; the free text of
    ``other`` is not counted again. Names outside the choice list follow the list.
    """
    answer_codes, uniques = answers.context.factorized(question.name)
    names = list(answers.instrument.choice_names(question))
    sets = [set(str(u).split()) for u in uniques]
    names += sorted({n for s in sets for n in s} - set(names))
    position = {name: i for i, name in enumerate(names)}
    membership = np.zeros((len(uniques), len(names)), dtype=np.int64)
    for row, chosen in enumerate(sets):
        membership[row, [position[n] for n in chosen]] = 1
    valid = codes >= 0
    pairs = codes[valid].astype(np.int64) * len(uniques) + answer_codes[valid]
    tally = np.bincount(pairs, minlength=n_groups * len(uniques)).reshape(n_groups, -1)
    return tally @ membership, names


def compute_mentions(
    wide: pd.DataFrame,
    instrument: Instrument,
    concept: str,
    *,
    groups: pd.Series | np.ndarray | None = None,
) -> pd.Series:
    """Times each choice of a select question is named, in choice-list order.

    With `groups` (one value per firm) the result has a (group, choice) index, groups in
    alphabetical order; firms without a group are left out.
    """
    answers = _Answers(wide, instrument)
    question = answers.require(concept)
    codes, keys = _group_codes(groups, answers.size)
    matrix, names = _mention_matrix(answers, question, codes, len(keys))
    if groups is None:
        return pd.Series(matrix[0], index=pd.Index(names, name="choice"), name=concept)
    index = pd.MultiIndex.from_product([keys, names], names=["group", "choice"])
    return pd.Series(matrix.ravel(), index=index, name=concept)


def compute_knowledge_sources(wide: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """Table 4 of the 2007 study: times each knowledge source is named."""
    return compute_mentions(wide, instrument, "knowledge_sources")


def compute_initiators(wide: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """Who initiates knowledge interactions: firms per answer."""
    return compute_mentions(wide, instrument, "initiator")


def compute_partner_locations(wide: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """Where innovation partners are: times each location is named."""
    return compute_mentions(wide, instrument, "partner_location")


def compute_constraint_scores(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    concept: str = "constraints",
    ranks: Sequence[str] = ("constraint_rank_1", "constraint_rank_2", "constraint_rank_3"),
    weights: Sequence[float] = (3.0, 2.0, 1.0),
    groups: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Per constraint: mentions, share of the firms that answered (%), ranks and PCC.

    The Pollution Control Constraints index (PCC) weights a constraint ranked first,
    second and third by `weights` (3, 2, 1 in the 2007 study); its columns appear when the
    instrument maps the rank concepts. ``none`` is not a constraint and is left out. With
    `groups` the index is (group, constraint).
    """
    if len(weights) != len(ranks):
        raise InputError("give one weight per rank", rule="weights")
    answers = _Answers(wide, instrument)
    question = answers.require(concept)
    codes, keys = _group_codes(groups, answers.size)
    matrix, names = _mention_matrix(answers, question, codes, len(keys))
    answered = answers.answered(concept)
    valid = codes >= 0
    base = np.bincount(codes[valid & answered], minlength=len(keys)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100.0 * matrix / base[:, None]
    frame: dict[str, np.ndarray] = {
        "mentions": matrix.ravel(),
        "respondents": np.repeat(base, len(names)),
        "share": share.ravel(),
    }
    if ranks and answers.has(*ranks):
        pcc = np.zeros(matrix.shape, dtype=np.float64)
        position = {name: i for i, name in enumerate(names)}
        for number, (rank, weight) in enumerate(zip(ranks, weights, strict=True), start=1):
            rank_codes, chosen = answers.context.factorized(answers.require(rank).name)
            lookup = np.array([position.get(str(c), -1) for c in chosen], dtype=np.intp)
            index = lookup[rank_codes]
            keep = valid & (index >= 0)
            counts = np.bincount(
                codes[keep].astype(np.int64) * len(names) + index[keep],
                minlength=len(keys) * len(names),
            ).reshape(len(keys), -1)
            frame[f"rank_{number}"] = counts.ravel()
            pcc += weight * counts
        frame["pcc"] = pcc.ravel()
    question_labels = _choice_lookup(instrument, question)
    labels = [question_labels.get(n, (0, n))[1] for n in names]
    result = pd.DataFrame(frame, index=pd.MultiIndex.from_product([keys, names]))
    result.insert(0, "label", np.tile(np.array(labels, dtype=object), len(keys)))
    result = result.drop(index=NONE, level=1, errors="ignore")
    if groups is None:
        result = result.droplevel(0)
        result.index.name = "constraint"
    else:
        result.index.names = ["group", "constraint"]
    return result


# --------------------------------------------------------------------- groups
@dataclass(frozen=True)
class Grouping:
    """Firms split by one column: group of each firm (-1: none) and the column labels."""

    by: str
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    codes: IntArray

    @property
    def columns(self) -> list[str]:
        return [*self.labels, TOTAL]

    @property
    def size(self) -> int:
        return len(self.keys)


def _unique_labels(keys: Sequence[str], labels: Mapping[str, str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    for key in keys:
        seen[labels.get(key, key)] = seen.get(labels.get(key, key), 0) + 1
    out = []
    for key in keys:
        label = labels.get(key, key)
        out.append(f"{label} ({key})" if seen[label] > 1 or label == TOTAL else label)
    return tuple(out)


def ordered_labels(present: Sequence[str], labels: Mapping[str, str]) -> dict[str, str]:
    """The present keys in the order of `labels` (then alphabetically), with their labels."""
    wanted = set(present)
    known = [k for k in labels if k in wanted]
    rest = sorted(k for k in wanted if k not in labels)
    return {k: labels.get(k, k) for k in (*known, *rest)}


def firm_groups(
    firms: pd.DataFrame,
    by: str,
    *,
    instrument: Instrument | None = None,
    labels: Mapping[str, str] | None = None,
) -> Grouping:
    """Group the firms by a column; order and labels from `labels`, the instrument, the
    labels kept with the firm table, or else alphabetical keys."""
    if by not in firms.columns:
        choices = ", ".join(c for c in firms.columns if firms[c].dtype != np.float64)
        raise InputError(
            f"cannot group by {by!r}: the firm table has no such column (text columns: "
            f"{choices or 'none'})",
            rule="unknown-group",
        )
    codes, uniques = pd.factorize(firms[by].to_numpy(dtype=object))
    present = [str(u) for u in uniques]
    stored = stored_labels(firms, by) or {}
    if labels is not None:
        ordered = ordered_labels(present, labels)
    elif instrument is not None and by in instrument.concepts:
        ordered = group_labels(instrument, by, present, stored)
    else:
        ordered = ordered_labels(present, stored)
    keys = list(ordered)
    where = {key: i for i, key in enumerate(keys)}
    position = np.array([where[p] for p in present] + [-1], dtype=np.intp)
    firm_codes = position[np.where(codes < 0, len(present), codes)]
    return Grouping(by, tuple(keys), _unique_labels(keys, ordered), firm_codes)


def group_sizes(groups: Grouping) -> FloatArray:
    inside = groups.codes[groups.codes >= 0]
    return np.append(np.bincount(inside, minlength=groups.size), len(groups.codes)).astype(float)


def group_tally(groups: Grouping, mask: np.ndarray) -> FloatArray:
    """Firms with `mask` per group and overall."""
    inside = mask & (groups.codes >= 0)
    counts = np.bincount(groups.codes[inside], minlength=groups.size)
    return np.append(counts, mask.sum()).astype(np.float64)


def group_mean(groups: Grouping, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean per group and overall, and the number of firms with a value."""
    known = ~np.isnan(x)
    inside = known & (groups.codes >= 0)
    n = np.append(np.bincount(groups.codes[inside], minlength=groups.size), known.sum())
    sums = np.append(
        np.bincount(groups.codes[inside], weights=x[inside], minlength=groups.size),
        x[known].sum(),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, sums / n, np.nan), n.astype(float)


def group_share(groups: Grouping, flag: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Percentage of the answering firms with flag 1, and their number."""
    rate, answered = group_mean(groups, flag)
    return 100.0 * rate, np.round(rate * answered)


def group_ratio(
    groups: Grouping, top: FloatArray, bottom: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Sum of `top` over sum of `bottom` (x 100), over firms that have both."""
    both = ~np.isnan(top) & ~np.isnan(bottom)
    a, n = group_mean(groups, np.where(both, top, np.nan))
    b, _ = group_mean(groups, np.where(both, bottom, np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, 100.0 * a / b, np.nan), n


def group_values(groups: Grouping) -> np.ndarray:
    """Group key per firm (None outside any group), to hand to the aggregates."""
    keys = np.array([*groups.keys, None], dtype=object)
    return keys[np.where(groups.codes < 0, len(groups.keys), groups.codes)]
