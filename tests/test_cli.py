"""The ``ecocluster`` command end to end: help, exit codes, forms, examples, check, synth."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ecocluster import load_instrument, read_instrument
from ecocluster.cli import main
from ecocluster.examples import get_example

COMMANDS = [
    [],
    ["init"],
    ["form"],
    ["form", "list"],
    ["form", "export"],
    ["check"],
    ["import"],
    ["examples"],
    ["examples", "list"],
    ["examples", "load"],
    ["waves"],
    ["synth"],
    ["fit"],
    ["report"],
    ["network"],
    ["network", "metrics"],
    ["network", "outreach"],
    ["network", "map"],
    ["network", "export"],
    ["network", "import"],
    ["network", "published"],
    ["eic"],
    ["eic", "profile"],
    ["eic", "compare"],
    ["policy"],
    ["policy", "recommend"],
    ["policy", "rules"],
    ["monitor"],
    ["monitor", "assess"],
    ["monitor", "limits"],
    ["monitor", "campaigns"],
    ["monitor", "map"],
    ["monitor", "series"],
    ["monitor", "perception"],
    ["eip"],
    ["eip", "criteria"],
    ["eip", "template"],
    ["eip", "assess"],
    ["recp"],
    ["recp", "examples"],
    ["recp", "rollup"],
    ["recp", "cost-curve"],
    ["zone"],
    ["zone", "report"],
    ["symbiosis"],
    ["symbiosis", "materials"],
    ["symbiosis", "facility"],
    ["symbiosis", "match"],
    ["symbiosis", "recall"],
    ["symbiosis", "examples"],
    ["benchmark"],
    ["benchmark", "benchmarks"],
    ["benchmark", "examples"],
    ["benchmark", "plants"],
    ["benchmark", "measures"],
    ["benchmark", "progress"],
    ["benchmark", "report"],
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_the_command_line_starts_without_heavy_imports() -> None:
    """`ecocluster --help` must stay fast: no pandas, SQLAlchemy, statsmodels or matplotlib."""
    code = (
        "import sys, ecocluster.cli; "
        "heavy = ('pandas', 'sqlalchemy', 'statsmodels', 'matplotlib', 'scipy', 'sklearn'); "
        "print(' '.join(sorted(m for m in heavy if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_usage_error_exits_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["import"]).exit_code == 2
    assert runner.invoke(main, ["form", "export", "--format", "pdf"]).exit_code == 2
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2


def test_form_export_xform_has_both_languages(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "form.xml"
    result = runner.invoke(main, ["form", "export", "--format", "xform", "-o", str(target)])
    assert result.exit_code == 0, result.output
    root = ET.parse(target).getroot()
    languages = {
        element.get("lang") for element in root.iter() if element.tag.endswith("translation")
    }
    assert languages == {"English (en)", "Tiếng Việt (vi)"}
    text = target.read_text(encoding="utf-8")
    # Question 10's "choose three only" and question 4's skip logic survive the conversion.
    assert "count-selected( . ) &lt;= 3" in text or "count-selected(.) &lt;= 3" in text
    assert "/q03_complaint_others" in text


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_both_instruments_pass_odk_validate() -> None:
    for name in ("red-river-2007", "red-river-2003"):
        xform = load_instrument(name).to_xform(validate=True)
        assert "<h:html" in xform


def test_form_export_xlsx_round_trips(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "form.xlsx"
    for name in ("red-river-2007", "red-river-2003"):
        result = runner.invoke(
            main, ["form", "export", "--instrument", name, "--format", "xlsx", "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
        again = read_instrument(target)
        original = load_instrument(name)
        assert list(again.questions) == list(original.questions)
        assert again.questions == original.questions
        assert again.choices == original.choices


def test_the_2007_form_has_all_22_questions() -> None:
    form = load_instrument("red-river-2007")
    numbers = {int(name[1:3]) for name in form.questions if name[0] == "q" and name[1:3].isdigit()}
    assert numbers == set(range(1, 23))
    assert all(set(q.labels) == {"en", "vi"} for q in form.questions.values())


def test_examples_list_and_load(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite")
    listing = runner.invoke(main, ["examples", "list"])
    assert listing.exit_code == 0
    assert "red-river-2007" in listing.output and "red-river-2003" in listing.output
    for name, firms in (("red-river-2007", 51), ("red-river-2003", 56)):
        result = runner.invoke(main, ["examples", "load", name, "--db", db])
        assert result.exit_code == 0, result.output
        assert f"{firms} enterprises" in result.output
    again = runner.invoke(main, ["examples", "load", "red-river-2007", "--db", db])
    assert again.exit_code == 1
    assert "already" in again.output
    waves = runner.invoke(main, ["waves", "--db", db])
    assert waves.exit_code == 0 and "red-river-2003" in waves.output


def test_check_example_is_clean(runner: CliRunner) -> None:
    example = get_example("red-river-2007")
    result = runner.invoke(main, ["check", str(example.responses), "--strict"])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_check_lists_every_problem_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    example = get_example("red-river-2007")
    frame = pd.read_csv(
        example.responses,
        dtype=str,
        keep_default_na=False,
        comment=None,
        skiprows=_comment_lines(example.responses),
    )
    frame.loc[0, "q01_noise"] = "11"
    frame.loc[3, "q16_warning_letters"] = "maybe"
    frame.loc[5, "employees"] = "many"
    broken = tmp_path / "broken.csv"
    frame.to_csv(broken, index=False)
    result = runner.invoke(main, ["check", str(broken), "--json"])
    assert result.exit_code == 1
    assert '"rule": "constraint"' in result.output
    found = runner.invoke(main, ["check", str(broken)])
    assert found.exit_code == 1
    assert "row 2, column 'q01_noise'" in found.output
    assert "row 5, column 'q16_warning_letters'" in found.output
    assert "row 7, column 'employees'" in found.output
    assert "[constraint]" in found.output


def test_unreadable_file_is_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    result = runner.invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    assert "bad.xlsx" in result.output
    assert "Traceback" not in result.output


def test_synth_then_import(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "national.csv"
    result = runner.invoke(
        main, ["synth", "--firms", "500", "--clusters", "7", "--seed", "3", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# SYNTHETIC")
    db = str(tmp_path / "s.sqlite")
    imported = runner.invoke(main, ["import", str(target), "--wave", "national", "--db", db])
    assert imported.exit_code == 0, imported.output
    assert "imported 500 rows" in imported.output


def _comment_lines(path: Path) -> int:
    with open(path, encoding="utf-8") as handle:
        return sum(1 for line in handle if line.startswith("#"))


def test_import_of_a_broken_file_exits_1_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    from ecocluster.store import dump_content, open_store

    db = str(tmp_path / "x.sqlite")
    assert runner.invoke(main, ["examples", "load", "red-river-2003", "--db", db]).exit_code == 0
    before = dump_content(open_store(db), provenance=True)
    example = get_example("red-river-2007")
    frame = pd.read_csv(
        example.responses,
        dtype=str,
        keep_default_na=False,
        skiprows=_comment_lines(example.responses),
    )
    frame.loc[8, "q19_partner_importance"] = "12"
    frame.loc[9, "cluster"] = "Bát Tràng"  # a label with diacritics is fine
    broken = tmp_path / "broken.csv"
    frame.to_csv(broken, index=False)
    result = runner.invoke(main, ["import", str(broken), "--wave", "w", "--db", db])
    assert result.exit_code == 1
    assert "row 10, column 'q19_partner_importance'" in result.output
    assert "[constraint]" in result.output
    assert "row 11" not in result.output
    assert "database is unchanged" in result.output
    assert dump_content(open_store(db), provenance=True) == before


def test_network_metrics_json_agrees_with_networkx(runner: CliRunner) -> None:
    import json

    import networkx as nx

    edges = Path(__file__).parent / "data" / "network" / "edges.csv"
    args = ["network", "metrics", "--edges", str(edges), "--source", "from", "--target", "to"]
    result = runner.invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    metrics = {row["node"]: row for row in json.loads(result.stdout)}
    frame = pd.read_csv(edges)
    graph = nx.from_pandas_edgelist(frame, "from", "to", create_using=nx.DiGraph)
    expected = nx.betweenness_centrality(graph, normalized=False)
    assert {node: metrics[node]["betweenness"] for node in expected} == pytest.approx(expected)
    assert {node: metrics[node]["out_degree"] for node in graph} == dict(graph.out_degree())


def test_network_metrics_bad_column_is_one_clear_error(runner: CliRunner) -> None:
    edges = Path(__file__).parent / "data" / "network" / "edges.csv"
    result = runner.invoke(main, ["network", "metrics", "--edges", str(edges)])
    assert result.exit_code == 1
    assert "the header has no 'source' column" in result.output
    assert "Traceback" not in result.output
