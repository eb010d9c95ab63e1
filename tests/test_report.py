"""The main job end to end: `ecocluster report` on the bundled examples and on a stored wave.

The HTML is opened in headless Chromium (Debian's package; `.ci/chromium.sh` installs it):
the DOM the browser builds must hold every section and every figure, and a screenshot is
kept in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from browser import dump_dom, find_chromium, require_chromium, screenshot
from ecocluster.analysis import analyse_example
from ecocluster.cli import main
from ecocluster.report.survey import build_survey_report

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

#: Sections the issue asks of the 2007 report, by id.
SECTIONS_2007 = (
    "glance",
    "data-quality",
    "enterprises",
    "perception",
    "pressures",
    "adoption",
    "constraints",
    "knowledge",
    "network",
    "eic-profile",
    "recommendations",
    "models",
    "audit",
    "findings",
)
FIGURES_2007 = (
    "figure-perception",
    "figure-pressures",
    "figure-adoption",
    "figure-spending",
    "figure-constraints",
    "figure-knowledge",
    "figure-marginal-effects",
    "figure-network",
    "figure-network-bat-trang",
    "figure-network-dong-ky",
    "figure-network-van-phuc",
)


class _Ids(HTMLParser):
    """Ids of sections and figures, and whether each figure holds an inline SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.figures: dict[str, bool] = {}
        self._figure: str | None = None
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("id"):
            self.sections.append(str(values["id"]))
        if tag == "figure" and values.get("id"):
            self._figure = str(values["id"])
            self.figures[self._figure] = False
        if tag == "svg" and self._figure is not None:
            self.figures[self._figure] = True
        for name in ("src", "href"):
            value = values.get(name) or ""
            if value.startswith(("http://", "https://", "//")) and tag in ("link", "script", "img"):
                self.external.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def report_2007(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "red-river-2007"
    result = CliRunner().invoke(main, ["report", "--example", "red-river-2007", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_files(report_2007: Path) -> None:
    html = (report_2007 / "report.html").read_text(encoding="utf-8")
    ids = _parse(html)
    assert list(ids.sections) == list(SECTIONS_2007)
    assert set(FIGURES_2007) <= set(ids.figures)
    assert all(ids.figures.values()), "every figure embeds its SVG"
    assert ids.external == []
    assert "Synthetic data" in html
    summary = json.loads((report_2007 / "summary.json").read_text(encoding="utf-8"))
    assert summary["firms"] == 51
    assert summary["study"]["synthetic"] is True
    assert {"published", "recommended"} <= set(summary["models"])
    assert summary["findings"] and summary["audit"]
    assert summary["network"]["firms_without_knowledge_source"] == 11  # Table 4's 40 of 51
    assert summary["network"]["ties_by_kind"]["knowledge"] == 61  # Table 4: 61 mentions
    tables = {path.stem for path in (report_2007 / "tables").glob("*.csv")}
    assert {
        "enterprise_adoption",
        "constraints",
        "knowledge_sources",
        "pollution_perception",
        "published_vs_recomputed",
        "methods_audit",
    } <= tables
    assert {"eic_profiles", "recommendations_overview", "recommendations_van_phuc"} <= tables
    assert {p["id"] for p in summary["eic_profiles"]} == {"bat_trang", "dong_ky", "van_phuc"}
    assert all(r["evidence"] for r in summary["recommendations"])
    profiles = pd.read_csv(report_2007 / "tables" / "eic_profiles.csv", encoding="utf-8-sig")
    assert {"hosur_sericulture", "an_giang_fish", "bat_trang"} <= set(profiles["id"])
    adoption = pd.read_csv(report_2007 / "tables" / "enterprise_adoption.csv", encoding="utf-8-sig")
    cell = adoption[
        (adoption["row"] == "Average number of years in operation")
        & (adoption["column"] == "Bat Trang")
    ]
    assert cell["display"].tolist() == ["15.1"]


def test_report_findings_follow_the_numbers(report_2007: Path) -> None:
    findings = json.loads((report_2007 / "summary.json").read_text(encoding="utf-8"))["findings"]
    assert findings[0] == ("17 of 51 enterprises (33%) have installed pollution-control equipment.")
    assert "from 87% in Bat Trang (13 of 15) to 5% in Van Phuc (1 of 20)" in findings[1]
    assert any("water pollution in Van Phuc (9.15 of 10)" in item for item in findings)
    assert any("shortage of capital (39, 76% of 51 firms)" in item for item in findings)


def test_report_in_headless_chromium(report_2007: Path) -> None:
    require_chromium()
    dom = dump_dom(report_2007 / "report.html")
    ids = _parse(dom)
    assert list(ids.sections) == list(SECTIONS_2007)
    assert set(FIGURES_2007) <= {key for key, svg in ids.figures.items() if svg}
    ARTIFACTS.mkdir(exist_ok=True)
    png = screenshot(report_2007 / "report.html", ARTIFACTS / "report-red-river-2007.png")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 50_000


def test_report_with_a_monitoring_campaign(tmp_path: Path) -> None:
    out = tmp_path / "with-campaign"
    result = CliRunner().invoke(
        main,
        ["report", "--example", "red-river-2007", "--campaign", "monitoring-red-river",
         "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    ids = _parse(html)
    assert ids.sections.index("monitoring") == ids.sections.index("network") - 1
    assert ids.figures["figure-monitoring-sites"]
    assert "Synthetic measurements" in html
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["monitoring"]["samples"] == 3164
    assert summary["monitoring"]["synthetic"] is True
    perception = pd.read_csv(out / "tables" / "monitoring_perception.csv", encoding="utf-8-sig")
    assert len(perception) == 12  # four clusters x noise, air, water
    html_path = out / "report.html"
    if (chromium := find_chromium()) is not None:
        del chromium
        screenshot(html_path, ARTIFACTS / "report-with-campaign.png", height=16000)


def test_report_on_the_2003_study(tmp_path: Path) -> None:
    out = tmp_path / "rr03"
    result = CliRunner().invoke(main, ["report", "--example", "red-river-2003", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ids = _parse((out / "report.html").read_text(encoding="utf-8"))
    assert {"glance", "data-quality", "enterprises", "findings"} <= set(ids.sections)
    assert "models" not in ids.sections  # the 2003 questionnaire asks nothing to model
    assert (out / "tables" / "enterprise_characteristics_2003.csv").exists()
    assert (out / "tables" / "support_seeking.csv").exists()
    findings = json.loads((out / "summary.json").read_text(encoding="utf-8"))["findings"]
    # The text of the 2003 paper: capital 60%, knowledge 55%, workers 36% of 55 answering.
    assert any("shortage of capital (33, 60% of 55 firms)" in item for item in findings)
    assert any("45 of 56 firms (80%) disclosed their land" in item for item in findings)


def test_report_from_a_stored_wave_with_disclosure_control(tmp_path: Path) -> None:
    db = str(tmp_path / "survey.sqlite")
    runner = CliRunner()
    assert runner.invoke(main, ["examples", "load", "red-river-2007", "--db", db]).exit_code == 0
    out = tmp_path / "wave"
    args = ["report", "--db", db, "--wave", "red-river-2007", "-o", str(out), "--sdc"]
    result = runner.invoke(main, [*args, "--by", "ownership", "--no-models"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["suppression_k"] == 3
    assert summary["study"]["synthetic"] is True  # the bundled example's file, stored
    assert summary["group_by"] == "ownership"
    suppressed = sum(table["suppressed"] for table in summary["tables"].values())
    assert suppressed > 0  # one household enterprise and one co-operative
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "fewer than 3 firms" in html
    assert "models" not in _parse(html).sections


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--example", "no-such-study"], "no example named"),
        (["--wave", "no-such-wave"], "no-such-wave"),
        (["--example", "red-river-2007", "--by", "colour"], "cannot group by"),
    ],
)
def test_report_bad_input_is_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    db = ["--db", str(tmp_path / "empty.sqlite")] if "--wave" in args else []
    result = CliRunner().invoke(main, ["report", *args, *db, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_report_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    out = ["-o", str(tmp_path / "out")]
    assert runner.invoke(main, ["report", *out]).exit_code == 2
    both = ["report", "--example", "red-river-2007", "--wave", "w", *out]
    assert runner.invoke(main, both).exit_code == 2


def test_report_document_is_the_analysis() -> None:
    """The library call behind the command: every analysis table is shown in the report."""
    analysis = analyse_example("red-river-2007", fit_models=False)
    report, tables = build_survey_report(analysis)
    shown = {table.name for table in report.tables()}
    assert set(analysis.tables) <= shown
    assert set(shown) <= set(tables)


def test_disclosure_control_reaches_findings_and_figures() -> None:
    analysis = analyse_example("red-river-2007", fit_models=False, k=3)
    assert not any("(1 of 20)" in item for item in analysis.findings)  # Van Phuc's one adopter
    report, tables = build_survey_report(analysis)
    assert "figure-spending" not in {figure.id for figure in report.figures()}
    hidden = tables["enterprise_adoption"]
    assert hidden.loc[hidden["display"] == "·", "count"].isna().all()
