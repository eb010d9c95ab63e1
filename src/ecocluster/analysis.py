"""One survey wave analysed end to end: indices, tables, models, audit and findings.

The report, the command line and the benchmarks all call `analyse_survey`, so that what a
reader sees in the HTML, in the CSV files and in the JSON summary is one computation.
Everything here is pure: the wide answer table and the instrument go in, a frozen
`SurveyAnalysis` comes out; loading from a database or a bundled example is done by the
two small entry points at the bottom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ecocluster import __version__
from ecocluster.errors import InputError
from ecocluster.instrument import Instrument
from ecocluster.json_data import to_json_data

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ecocluster.adoption import AdoptionModels
    from ecocluster.audit import AuditFinding
    from ecocluster.network import Network
    from ecocluster.symbiosis_analysis import SymbiosisAnalysis
    from ecocluster.tables import SurveyTable

#: Called with a short description of each step, for progress display.
Step = Callable[[str], None]

#: Concepts without which the adoption models of Table 5 cannot be specified.
MODEL_CONCEPTS = (
    "clean_technology",
    "pollution_capex",
    "pollution_opex",
    "employees",
    "years_in_operation",
    "export_share",
    "turnover",
    "loan",
)


@dataclass(frozen=True)
class Study:
    """What was surveyed and where the answers come from, as a report's front matter."""

    title: str
    wave: str
    instrument: str
    source: str = ""
    synthetic: bool = False
    data_note: str = ""


@dataclass(frozen=True)
class MonitoringAnalysis:
    """A measurement campaign judged against the limits in force, beside the survey."""

    campaign: str
    synthetic: bool
    assessed: pd.DataFrame = field(repr=False)
    worst: pd.DataFrame = field(repr=False)
    trends: pd.DataFrame = field(repr=False)
    sites: pd.DataFrame = field(repr=False)
    perception: pd.DataFrame | None = field(repr=False)

    def summary(self) -> dict[str, Any]:
        counts = self.assessed["compliance"].value_counts()
        return {
            "campaign": self.campaign,
            "synthetic": self.synthetic,
            "samples": len(self.assessed),
            "with_limit": len(self.assessed) - int(counts.get("no-limit", 0)),
            "exceeding": int(counts.get("exceeds", 0)),
            "worst": _records(self.worst[["cluster", "rank", "description", "share"]]),
            "perception": _records(self.perception),
        }


def analyse_campaign(
    samples: pd.DataFrame,
    *,
    firms: pd.DataFrame | None = None,
    limits: pd.DataFrame | None = None,
    classes: Mapping[str, str] | None = None,
    campaign: str = "",
    synthetic: bool = False,
) -> MonitoringAnalysis:
    """Assess a campaign's samples (`ecocluster.monitoring.read_samples`), summarise them by
    site and cluster and, given a survey's firm table, set them beside perceived pollution."""
    from ecocluster.assessment import assess_samples, compute_trends, worst_parameters
    from ecocluster.monitoring_figures import summarise_sites
    from ecocluster.perception import compare_perception

    assessed = assess_samples(samples, limits, classes=classes)
    perception = None
    if firms is not None and "cluster" in firms.columns:
        perception = compare_perception(firms, assessed)
    return MonitoringAnalysis(
        campaign=campaign or str(samples.attrs.get("campaign", samples.attrs.get("file", ""))),
        synthetic=synthetic,
        assessed=assessed,
        worst=worst_parameters(assessed, "cluster", n=5),
        trends=compute_trends(assessed),
        sites=summarise_sites(assessed),
        perception=perception,
    )


@dataclass(frozen=True)
class SurveyAnalysis:
    """Everything computed from one wave; renderers only format it."""

    study: Study
    instrument: Instrument = field(repr=False)
    firms: pd.DataFrame = field(repr=False)
    tables: Mapping[str, SurveyTable] = field(repr=False)
    item_response: pd.DataFrame = field(repr=False)
    problems: pd.DataFrame = field(repr=False)
    published: AdoptionModels | None = field(repr=False)
    recommended: AdoptionModels | None = field(repr=False)
    audit: tuple[AuditFinding, ...]
    findings: tuple[str, ...]
    network: Network | None = field(repr=False)
    network_metrics: pd.DataFrame | None = field(repr=False)
    network_summary: Mapping[str, Any] = field(repr=False)
    outreach: pd.DataFrame | None = field(repr=False)
    evidence: pd.DataFrame | None = field(repr=False)
    profiles: pd.DataFrame | None = field(repr=False)
    recommendations: pd.DataFrame | None = field(repr=False)
    monitoring: MonitoringAnalysis | None = field(repr=False)
    group_by: str | None
    k: int | None
    pressure: str
    computed_at: str
    #: The cluster's exchange plan (`ecocluster.symbiosis_analysis`), when streams are given.
    symbiosis: SymbiosisAnalysis | None = field(default=None, repr=False)

    @property
    def n_firms(self) -> int:
        return len(self.firms)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready digest: the study, key figures, models, audit and findings."""
        from ecocluster.findings import compute_key_figures

        models: dict[str, Any] = {}
        for label, fitted in (("published", self.published), ("recommended", self.recommended)):
            if fitted is not None:
                models[label] = fitted.to_dict()
        digest: dict[str, Any] = to_json_data(
            {
                "study": {
                    "title": self.study.title,
                    "wave": self.study.wave,
                    "instrument": self.study.instrument,
                    "source": self.study.source,
                    "synthetic": self.study.synthetic,
                    "data_note": self.study.data_note,
                },
                "ecocluster_version": __version__,
                "computed_at": self.computed_at,
                "firms": self.n_firms,
                "group_by": self.group_by,
                "suppression_k": self.k,
                "pressure_weights": self.pressure,
                "key_figures": dict(compute_key_figures(self.firms)),
                "tables": {name: table.to_dict() for name, table in self.tables.items()},
                "problems": {
                    "total": len(self.problems),
                    "by_rule": self.problems["rule"].value_counts().to_dict()
                    if len(self.problems)
                    else {},
                },
                "models": models,
                "network": dict(self.network_summary),
                "eic_profiles": _records(self.profiles),
                "recommendations": _records(self.recommendations),
                "monitoring": self.monitoring.summary() if self.monitoring else None,
                "symbiosis": self.symbiosis.summary() if self.symbiosis else None,
                "audit": [item.to_dict() for item in self.audit],
                "findings": list(self.findings),
            },
            "summary",
        )
        return digest


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None else frame.to_dict(orient="records")  # type: ignore[return-value]


def compute_item_response(wide: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Answered firms per question: blanks include questions skipped by design."""
    names = [name for name in instrument.questions if name in wide.columns]
    answered = (wide[names] != "").sum(axis=0) if len(wide) else pd.Series(0, index=names)
    total = len(wide)
    return pd.DataFrame(
        {
            "question": names,
            "label": [instrument.label(instrument.questions[name], "en") for name in names],
            "answered": [int(answered[name]) for name in names],
            "share": [
                (100.0 * int(answered[name]) / total) if total else float("nan") for name in names
            ],
        }
    )


def supports_models(instrument: Instrument) -> bool:
    """Whether the instrument maps everything the Table 5 specifications need."""
    return all(concept in instrument.concepts for concept in MODEL_CONCEPTS)


def analyse_survey(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    study: Study,
    problems: pd.DataFrame | None = None,
    by: str | None = None,
    k: int | None = None,
    pressure: str = "max",
    fit_models: bool = True,
    network: bool = True,
    hand: pd.DataFrame | None = None,
    rules: str | Path | None = None,
    samples: pd.DataFrame | None = None,
    step: Step | None = None,
) -> SurveyAnalysis:
    """Indices, tables, both model specifications, the methods audit, the network, the
    clusters' eco-industrial profiles and policy recommendations, and the findings.

    `hand` is a hand profile (`ecocluster.eic.read_hand_profiles`) for the factors the survey
    cannot measure; `rules` a policy rule file instead of the bundled one; `samples` a
    monitoring campaign (`ecocluster.monitoring.read_samples`) to judge against the
    national standards and set beside the firms' perception (``attrs["synthetic"]`` marks
    a synthetic one).
    """
    from ecocluster.findings import compute_findings
    from ecocluster.indices import compute_firm_indices
    from ecocluster.tables import compute_tables

    if len(wide) == 0:
        raise InputError(f"wave {study.wave!r} has no enterprises to analyse", rule="empty-wave")
    if k is not None and k < 1:
        raise InputError(f"the suppression threshold k must be at least 1, not {k}", rule="k")
    announce = step or (lambda _message: None)
    announce("indices")
    firms = compute_firm_indices(wide, instrument, pressure=pressure)
    if by is not None and by not in firms.columns:
        available = [c for c in ("cluster", "ownership", "area", "province") if c in firms.columns]
        raise InputError(
            f"cannot group by {by!r}: choose one of {', '.join(available)}",
            column=by,
            rule="group-by",
        )
    announce("tables")
    tables = compute_tables(wide, instrument, by=by, k=k, pressure=pressure, firms=firms)
    published = recommended = None
    audit: tuple[AuditFinding, ...] = ()
    if fit_models and supports_models(instrument):
        from ecocluster.adoption import fit_published, fit_recommended
        from ecocluster.audit import audit_methods

        announce("published model specification")
        published = fit_published(firms)
        announce("recommended model specification")
        recommended = fit_recommended(firms)
        audit = tuple(audit_methods(firms, published, recommended))
    built = metrics = outreach = None
    summary: dict[str, Any] = {}
    if network and "knowledge_sources" in instrument.concepts:
        from ecocluster.network import (
            build_network,
            compute_network_summary,
            compute_node_metrics,
            rank_outreach,
        )

        announce("innovation network")
        # The firms' own indices ride along on their nodes (for the GraphML/GEXF exports).
        carried = [
            c for c in ("ENVTECH", "ENVEXP", "EMPL", "YEARS", "CP", "EMP", "GMS") if c in firms
        ]
        built = build_network(wide, instrument, firms[carried])
        metrics = compute_node_metrics(built)
        summary = compute_network_summary(built)
        outreach = rank_outreach(built, k=10)
    evidence = profiles = recommendations = None
    if "cluster" in firms.columns:
        from ecocluster.eic import cluster_evidence, compute_eic_profiles
        from ecocluster.policy import recommend

        announce("cluster profiles and policy recommendations")
        evidence = cluster_evidence(firms, network=built, wide=wide, instrument=instrument)
        profiles = compute_eic_profiles(None, hand, evidence=evidence)
        recommendations = recommend(evidence, rules, profiles=profiles)
    monitoring = None
    if samples is not None:
        announce("monitoring campaign")
        monitoring = analyse_campaign(
            samples, firms=firms, synthetic=bool(samples.attrs.get("synthetic", False))
        )
    announce("findings")
    findings = compute_findings(firms, wide, instrument, recommended=recommended, audit=audit, k=k)
    return SurveyAnalysis(
        study=study,
        instrument=instrument,
        firms=firms,
        tables=tables,
        item_response=compute_item_response(wide, instrument),
        problems=problems if problems is not None else pd.DataFrame(columns=["rule"]),
        published=published,
        recommended=recommended,
        audit=audit,
        findings=tuple(findings),
        network=built,
        network_metrics=metrics,
        network_summary=summary,
        outreach=outreach,
        evidence=evidence,
        profiles=profiles,
        recommendations=recommendations,
        monitoring=monitoring,
        group_by=by,
        k=k,
        pressure=pressure,
        computed_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )


def _bundled_example_of(engine: Engine, wave: str) -> Any:
    """The bundled example whose very file every import of the wave came from, if any.

    A wave loaded with `ecocluster examples load` holds synthetic data; its report must say
    so however it is produced, so the files' hashes are compared with the bundled ones.
    """
    from ecocluster.examples import list_examples
    from ecocluster.ingest import file_sha256
    from ecocluster.store import list_imports

    imports = list_imports(engine)
    hashes = set(imports.loc[imports["wave"] == wave, "sha256"])
    if not hashes:
        return None
    for example in list_examples():
        if hashes == {file_sha256(example.responses)}:
            return example
    return None


def _example_study(example: Any, wave: str, instrument: Instrument) -> Study:
    return Study(
        title=example.title,
        wave=wave,
        instrument=f"{instrument.form_id} {instrument.version}".strip(),
        source=example.source,
        synthetic=example.synthetic,
        data_note=(
            "Synthetic data: invented enterprises calibrated to the published aggregates; "
            "not the survey's microdata. See the example's README for how it was made."
            if example.synthetic
            else ""
        ),
    )


def _bundled_hand(example: str) -> pd.DataFrame | None:
    from ecocluster.eic import bundled_hand_profiles

    return bundled_hand_profiles(example)


def analyse_wave(engine: Engine, wave: str, **options: Any) -> SurveyAnalysis:
    """Analyse a wave stored in a database, with the instrument it was imported under."""
    from ecocluster.store import load_wave_instrument, read_problems, read_wide

    announce: Step = options.get("step") or (lambda _message: None)
    announce(f"reading wave {wave}")
    instrument = load_wave_instrument(engine, wave)
    wide = read_wide(engine, wave)
    example = _bundled_example_of(engine, wave)
    if example is not None:
        study = _example_study(example, wave, instrument)
        options.setdefault("hand", _bundled_hand(example.name))
    else:
        study = Study(
            title=instrument.title or wave,
            wave=wave,
            instrument=f"{instrument.form_id} {instrument.version}".strip(),
        )
    return analyse_survey(
        wide, instrument, study=study, problems=read_problems(engine, wave), **options
    )


def analyse_example(name: str, **options: Any) -> SurveyAnalysis:
    """Analyse a bundled example, imported through the ordinary path into a memory store."""
    from ecocluster.examples import get_example, load_example
    from ecocluster.store import open_store, read_problems, read_wide

    example = get_example(name)
    announce: Step = options.get("step") or (lambda _message: None)
    announce(f"loading example {example.name}")
    engine = open_store("sqlite://")
    result = load_example(engine, example.name)
    if not result.imported:  # a broken installation, not a user mistake
        raise InputError(
            f"the bundled example {example.name!r} failed its own checks",
            file=str(example.responses),
            rule="example",
        )
    instrument = example.load_instrument()
    study = _example_study(example, example.wave, instrument)
    options.setdefault("hand", _bundled_hand(example.name))
    return analyse_survey(
        read_wide(engine, example.wave),
        instrument,
        study=study,
        problems=read_problems(engine, example.wave),
        **options,
    )
