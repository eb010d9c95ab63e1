"""Eco-industrial park assessment: the criteria sets as data, park files, and the verdicts.

Parks are built from each bundled set's own template, so that every criterion is exercised:
a park meeting every criterion, parks failing exactly one category, parks with data
missing, and values derived from ecocluster data. Bad input is refused with every problem
named (file, line or row, column, rule).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from ecocluster.eip import (
    CATEGORIES,
    KINDS,
    STATUSES,
    CriteriaSet,
    Criterion,
    assess_park,
    assess_parks,
    criteria_in_force,
    criteria_sets,
    indicators,
    park_template,
    read_criteria,
    read_park,
)
from ecocluster.errors import InputError

DATA = Path(__file__).parent / "data" / "eip"
SETS = ("intl-eip-framework-2.0", "vn-decree-35-2022", "vn-decree-82-2018")
CITATION = {
    "vn": re.compile(r"^Decree (35/2022|82/2018)/ND-CP, Article \d+, clause \d+"),
    "intl": re.compile(
        r"^International EIP Framework v2\.0, (prerequisites|[a-z ]+ performance): "
    ),
}
GOOD = """name = "mine"
title = "My criteria"
issuer = "me"
version = "1"
valid_from = 2024-01-01
source = "a test"

[[criterion]]
id = "recp"
category = "environmental"
kind = "performance"
indicator = "recp_applying_share"
op = ">="
threshold = 20
citation = "Article 1"
description = "x"
action = "x"
weight = 2
"""


def passing(c: Criterion) -> float:
    """A value that meets `c`."""
    step = {">": 1.0, "<": -1.0, "!=": 1.0}.get(c.op, 0.0)
    return c.threshold + step if c.unit != "yes/no" else c.threshold


def failing(c: Criterion) -> float:
    """A value that does not meet `c`, inside the indicator's range."""
    if c.unit == "yes/no":
        return 1.0 - c.threshold
    return c.threshold + (1.0 if c.op in ("<", "<=") else -1.0) if c.op != "!=" else c.threshold


def write_park(path: Path, criteria: CriteriaSet, values: dict[str, float | None]) -> Path:
    """Fill the set's template with `values` (yes/no as words) and save it as CSV."""
    template = park_template(criteria)
    units = dict(zip(template["indicator"], template["unit"], strict=True))

    def cell(name: str) -> str:
        value = values.get(name)
        if value is None:
            return ""
        return ("yes" if value else "no") if units[name] == "yes/no" else f"{value:g}"

    template["value"] = [cell(n) for n in template["indicator"]]
    template["source"] = "management board, 2024 return"
    template.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------- criteria as data
@pytest.mark.parametrize("name", SETS)
def test_every_criterion_cites_its_article_or_section(name: str) -> None:
    chosen = read_criteria(name)
    pattern = CITATION["intl" if name.startswith("intl") else "vn"]
    assert chosen.name == name and chosen.source and chosen.family
    assert chosen.criteria
    for c in chosen.criteria:
        assert c.citation.strip(), c.id
        assert pattern.match(c.citation), (c.id, c.citation)
        assert c.sourcing in ("quoted", "paraphrased", "unconfirmed"), c.id
        assert c.category in CATEGORIES and c.kind in KINDS and c.weight > 0
        assert c.description and c.action
        assert c.line is not None


@pytest.mark.parametrize("name", SETS)
def test_criteria_files_are_nfc_and_tables_list_every_field(name: str) -> None:
    path = Path(__file__).parents[1] / "src/ecocluster/data/eip/criteria" / f"{name}.toml"
    assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))
    table = read_criteria(name).table()
    assert list(table.columns[:3]) == ["id", "category", "kind"]
    assert "citation" in table.columns and "line" not in table.columns
    assert len(table) == len(read_criteria(name).criteria)


def test_criteria_sets_list_editions_with_dates() -> None:
    sets = criteria_sets().set_index("name")
    assert tuple(sets.index) == SETS
    assert sets.at["vn-decree-82-2018", "valid_from"] == dt.date(2018, 7, 10)
    assert sets.at["vn-decree-82-2018", "valid_to"] == dt.date(2022, 7, 15)
    assert sets.at["vn-decree-35-2022", "valid_from"] == dt.date(2022, 7, 15)
    assert sets.at["vn-decree-35-2022", "valid_to"] is None
    assert sets.at["intl-eip-framework-2.0", "categories"] == ", ".join(CATEGORIES)


def test_edition_by_name_and_by_date() -> None:
    assert read_criteria("VN-Decree-82-2018").name == "vn-decree-82-2018"
    assert criteria_in_force("vn-eip", dt.date(2020, 5, 1)).name == "vn-decree-82-2018"
    assert criteria_in_force("vn-eip", dt.date(2022, 7, 14)).name == "vn-decree-82-2018"
    assert criteria_in_force("vn-eip", dt.date(2022, 7, 15)).name == "vn-decree-35-2022"
    assert criteria_in_force("vn-eip", dt.date(2025, 3, 1)).name == "vn-decree-35-2022"
    with pytest.raises(InputError, match=r"vn-decree-82-2018: 2018-07-10 to 2022-07-15") as info:
        criteria_in_force("vn-eip", dt.date(2017, 1, 1))
    assert info.value.rule == "no-edition"
    with pytest.raises(InputError, match="families: intl-eip-framework, vn-eip"):
        criteria_in_force("eu-eip", dt.date(2024, 1, 1))
    with pytest.raises(InputError, match=r"bundled sets: intl-eip-framework-2\.0") as info:
        read_criteria("vn-decree-99-2030")
    assert info.value.rule == "unknown-criteria"


def test_indicators_say_which_ecocluster_can_derive() -> None:
    table = indicators()
    assert set(table["unit"]) == {"percent", "count", "yes/no"}
    derivable = set(table.index[table["derivable"]])
    assert {
        "recp_applying_share",
        "symbiosis_participation_share",
        "wastewater_treated_share",
        "firms_aware_recp_share",
    } <= derivable
    used = {c.indicator for name in SETS for c in read_criteria(name).criteria}
    assert used <= set(table.index)


# --------------------------------------------------------------------- assessments
@pytest.mark.parametrize("name", SETS)
def test_park_meeting_everything_is_ready(name: str, tmp_path: Path) -> None:
    chosen = read_criteria(name)
    values = {c.indicator: passing(c) for c in chosen.criteria}
    result = assess_park(write_park(tmp_path / "park.csv", chosen, values), chosen)
    assert result.ready
    assert set(result.results["status"]) == {"met"}
    assert result.results["provenance"].eq("template").all()
    assert result.readiness["ready"].all() and result.readiness["prerequisites_met"].all()
    assert tuple(result.readiness["category"]) == chosen.categories
    assert result.actions.empty
    assert result.park == "park"


@pytest.mark.parametrize(
    ("name", "category"),
    [(name, category) for name in SETS for category in read_criteria(name).categories],
)
def test_park_failing_one_category_is_not_ready_there(
    name: str, category: str, tmp_path: Path
) -> None:
    chosen = read_criteria(name)
    values = {
        c.indicator: failing(c) if c.category == category else passing(c) for c in chosen.criteria
    }
    result = assess_park(write_park(tmp_path / "park.csv", chosen, values), chosen)
    readiness = result.readiness.set_index("category")
    assert not result.ready
    assert not readiness.at[category, "ready"]
    assert readiness.drop(index=category)["ready"].all()
    failed = result.results[result.results["status"] == "not met"]
    assert set(failed["category"]) == {category}
    assert len(failed) == readiness.at[category, "not_met"] == readiness.at[category, "criteria"]
    assert set(result.actions["criterion"]) == set(failed["criterion"])
    assert failed["gap_text"].str.len().gt(0).all()


def test_gaps_are_in_the_indicators_unit(tmp_path: Path) -> None:
    chosen = read_criteria("vn-decree-35-2022")
    values = {c.indicator: passing(c) for c in chosen.criteria}
    values |= {"recp_applying_share": 15.0, "symbiosis_support_services": 0.0}
    result = assess_park(write_park(tmp_path / "p.csv", chosen, values), chosen)
    rows = result.results.set_index("criterion")
    assert rows.at["recp-application", "gap"] == 5
    assert rows.at["recp-application", "gap_text"] == "5 percentage points short"
    assert rows.at["recp-application", "threshold_text"] == "at least 20%"
    assert rows.at["symbiosis-services", "gap_text"] == "missing"
    assert math.isnan(rows.at["symbiosis-services", "gap"])
    assert "Firms applying resource efficiency" in rows.at["recp-application", "evidence"]
    assert "management board, 2024 return" in rows.at["recp-application", "evidence"]
    assert rows.at["recp-application", "citation"].startswith("Decree 35/2022/ND-CP, Article 37")


def test_missing_data_is_not_enough_data_with_a_collect_action(tmp_path: Path) -> None:
    chosen = read_criteria("vn-decree-35-2022")
    values: dict[str, float | None] = {c.indicator: passing(c) for c in chosen.criteria}
    values["symbiosis_participation_share"] = None
    result = assess_park(write_park(tmp_path / "p.csv", chosen, values), chosen)
    row = result.results.set_index("criterion").loc["symbiosis-participation"]
    assert row["status"] == "not enough data" and math.isnan(row["value"])
    assert row["gap_text"] == "no data" and row["provenance"] == ""
    environmental = result.readiness.set_index("category").loc["environmental"]
    assert (environmental["assessed"], environmental["criteria"]) == (1, 2)
    assert environmental["not_enough_data"] == 1 and not environmental["ready"]
    assert not result.ready
    (action,) = result.actions["action"]
    assert action.startswith("collect: Firms taking part in industrial symbiosis (percent)")


def test_empty_template_asks_to_collect_everything(tmp_path: Path) -> None:
    chosen = read_criteria("intl-eip-framework-2.0")
    path = tmp_path / "template.csv"
    park_template(chosen).to_csv(path, index=False)
    result = assess_park(path, chosen)
    assert set(result.results["status"]) == {"not enough data"}
    assert result.actions["action"].str.startswith("collect: ").all()
    assert result.actions["criterion"].iloc[0] == "compliance"  # the prerequisite first
    assert result.readiness["assessed"].eq(0).all()


def test_derived_values_fill_empty_cells_and_say_so(tmp_path: Path) -> None:
    chosen = read_criteria("vn-decree-35-2022")
    values: dict[str, float | None] = {c.indicator: passing(c) for c in chosen.criteria}
    values |= {"recp_applying_share": None, "symbiosis_participation_share": 12.0}
    path = write_park(tmp_path / "p.csv", chosen, values)
    derived = {
        "recp_applying_share": (35.0, "RECP audits of 2024"),
        "symbiosis_participation_share": 40.0,  # the template's 12% wins
    }
    result = assess_park(path, chosen, derived=derived)
    rows = result.results.set_index("criterion")
    assert rows.at["recp-application", "status"] == "met"
    assert rows.at["recp-application", "provenance"] == "derived"
    assert rows.at["recp-application", "evidence"].endswith("(derived from RECP audits of 2024)")
    assert rows.at["symbiosis-participation", "provenance"] == "template"
    assert rows.at["symbiosis-participation", "value"] == 12
    assert result.derived_used == ("recp_applying_share",)


def test_derived_yes_no_and_bad_derived_values(tmp_path: Path) -> None:
    chosen = read_criteria("intl-eip-framework-2.0")
    path = tmp_path / "empty.csv"
    park_template(chosen).to_csv(path, index=False)
    result = assess_park(path, chosen, derived={"park_ems": True, "community_dialogue": 0})
    rows = result.results.set_index("criterion")
    assert rows.at["environmental-management", "status"] == "met"
    assert rows.at["community", "status"] == "not met"
    with pytest.raises(InputError) as info:
        assess_park(path, chosen, derived={"recp_share": 10, "wastewater_treated_share": 140})
    message = str(info.value)
    assert "unknown indicator 'recp_share'; did you mean recp_applying_share" in message
    assert "[unknown-indicator]" in message and "[bad-value]" in message
    assert "0-100" in message


def test_actions_put_unmet_prerequisites_first(tmp_path: Path) -> None:
    chosen = read_criteria("vn-decree-82-2018")
    values = {c.indicator: failing(c) for c in chosen.criteria}
    result = assess_park(write_park(tmp_path / "p.csv", chosen, values), chosen)
    actions = result.actions
    assert list(actions["priority"]) == list(range(1, len(chosen.criteria) + 1))
    assert actions.iloc[0]["kind"] == "prerequisite"
    weights = list(actions["weight"].iloc[1:])
    assert weights == sorted(weights, reverse=True)
    assert not result.readiness.set_index("category").at["park_management", "prerequisites_met"]


def test_assessment_as_json(tmp_path: Path) -> None:
    chosen = read_criteria("vn-decree-35-2022")
    path = tmp_path / "p.csv"
    park_template(chosen).to_csv(path, index=False)
    data = json.loads(json.dumps(assess_park(path, chosen).to_json_data()))
    assert data["criteria"]["name"] == "vn-decree-35-2022"
    assert data["criteria"]["valid_from"] == "2022-07-15" and data["criteria"]["valid_to"] is None
    assert data["ready"] is False
    assert data["results"][0]["value"] is None
    assert {r["status"] for r in data["results"]} <= set(STATUSES)


def test_several_parks_in_one_file() -> None:
    parks = read_park(DATA / "parks.csv")
    assert list(dict.fromkeys(parks["park"])) == ["Khu công nghiệp A", "Khu công nghiệp B"]
    with pytest.raises(InputError, match="holds 2 parks") as info:
        assess_park(parks, "vn-decree-35-2022")
    assert info.value.rule == "several-parks"
    results = assess_parks(DATA / "parks.csv", "vn-decree-35-2022")
    assert list(results) == ["Khu công nghiệp A", "Khu công nghiệp B"]
    a = results["Khu công nghiệp A"].results.set_index("criterion")
    b = results["Khu công nghiệp B"].results.set_index("criterion")
    assert a.at["investor-compliance", "status"] == "met"
    assert b.at["investor-compliance", "status"] == "not met"
    assert b.at["recp-application", "gap_text"] == "10 percentage points short"


def test_vietnamese_headers_in_any_unicode_form_and_xlsx(tmp_path: Path) -> None:
    text = (
        "Khu công nghiệp;Chỉ tiêu;Giá trị;Đơn vị;Nguồn;Ngày\n"
        "Hòa Khánh;recp_applying_share;22,5;%;kiểm toán RECP;31/12/2024\n"
        "Hòa Khánh;Investor Compliance 3y;có;có/không;Ban quản lý;2024-12-31\n"
    )
    path = tmp_path / "hoa_khanh.csv"
    path.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    park = read_park(path)
    assert list(park["park"]) == ["Hòa Khánh", "Hòa Khánh"]
    assert unicodedata.is_normalized("NFC", park["park"].iloc[0])
    assert list(park["value"]) == [22.5, 1.0]
    assert list(park["indicator"]) == ["recp_applying_share", "investor_compliance_3y"]
    assert list(park["date"]) == ["2024-12-31", "2024-12-31"]
    workbook = tmp_path / "park.xlsx"
    frame = pd.DataFrame(
        {"indicator": ["recp_applying_share", "park_ems"], "value": [30, "yes"]}
        | {"date": [dt.datetime(2024, 6, 30), None]}
    )
    frame.to_excel(workbook, index=False)
    read = read_park(workbook)
    assert list(read["value"]) == [30.0, 1.0] and read["date"].iloc[0] == "2024-06-30"
    assert read["park"].eq("park").all()


# --------------------------------------------------------------------- bad input
def test_bad_criteria_file_lists_every_problem_with_line_and_rule() -> None:
    with pytest.raises(InputError) as info:
        read_criteria(DATA / "bad_criteria.toml")
    message = str(info.value)
    lines = (DATA / "bad_criteria.toml").read_text(encoding="utf-8").splitlines()

    def line(text: str, after: int = 0) -> int:
        return next(n for n, t in enumerate(lines, start=1) if n > after and t == text)

    expected = [
        (line('colour = "blue"'), "unknown-field", "unknown top-level key 'colour'"),
        (
            line('indicator = "recp_aplying_share"'),
            "unknown-indicator",
            "criterion 'unknown-indicator': unknown indicator 'recp_aplying_share'; "
            "did you mean recp_applying_share",
        ),
        (line('op = "=>"'), "unknown-operator", "criterion 'unknown-operator': unknown operator"),
        (line('category = "governance"'), "unknown-category", "unknown category 'governance'"),
        (line('kind = "mandatory"'), "unknown-kind", "unknown kind 'mandatory'"),
        (line('id = "unknown-kind"', line('id = "unknown-kind"')), "duplicate-criterion", ""),
        (line('citation = ""'), "missing-citation", "criterion 'no-citation': has no citation"),
        (line('op = ">="', line('id = "yes-no-order"')), "unknown-operator", "yes/no"),
        (line("threshold = 120"), "bad-threshold", "0-100"),
        (line("weight = 0"), "bad-weight", "not a positive number"),
        (line('remark = "not a field"'), "unknown-field", "unknown field 'remark'"),
    ]
    for number, rule, text in expected:
        pattern = rf"bad_criteria\.toml, row {number}, column '[a-z_]+': [^\n]*{re.escape(text)}"
        assert re.search(pattern + rf"[^\n]*\[{rule}\]", message), (number, rule, message)
    assert info.value.rule == "unknown-field" and info.value.file.endswith("bad_criteria.toml")
    assert "the criteria file was refused, nothing was applied; 11 problems" in message


def test_unknown_indicator_alone_names_file_line_criterion_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace("recp_applying_share", "recp_rate"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_criteria(path)
    error = info.value
    assert (error.file, error.row, error.column, error.rule) == (
        str(path),
        12,
        "indicator",
        "unknown-indicator",
    )
    assert "criterion 'recp': unknown indicator 'recp_rate'" in str(error)


def test_criteria_file_mistakes_of_structure(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert read_criteria(path).criteria[0].threshold == 20
    cases = {
        GOOD.replace('op = ">="', 'op = ">= "\n[broken'): "toml",
        GOOD.split("[[criterion]]")[0]: "no-criteria",
        GOOD.replace("valid_from = 2024-01-01", 'valid_from = "1 May"'): "bad-date",
        GOOD.replace('version = "1"\n', "valid_to = 2023-01-01\n"): "missing-field",
        GOOD.replace("threshold = 20", 'threshold = "20"'): "bad-threshold",
        GOOD.replace('kind = "performance"', 'kind = "performance"\nunit = "count"'): (
            "unit-mismatch"
        ),
        GOOD.replace('id = "recp"', 'id = "recp share"'): "bad-id",
    }
    for text, rule in cases.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as info:
            read_criteria(path)
        rules = re.findall(r"\[([a-z-]+)\]", str(info.value))
        assert rule in rules, (rule, str(info.value))


def test_bad_park_file_lists_every_problem() -> None:
    with pytest.raises(InputError) as info:
        read_park(DATA / "bad_park.csv")
    message = str(info.value)
    expected = [
        (2, "value", "bad-value", "'twenty' is not a number"),
        (3, "value", "share-range", "must lie in 0-100"),
        (4, "unit", "unit-mismatch", "wastewater_treated_share is in percent, not 'm3/day'"),
        (5, "indicator", "unknown-indicator", "did you mean recp_applying_share"),
        (6, "value", "bad-value", "'maybe' is not yes or no"),
        (7, "indicator", "duplicate-indicator", "(first at row 2)"),
        (8, "value", "bad-value", "cannot be negative"),
        (8, "date", "bad-date", "'30/02/2024' is not a date"),
    ]
    for row, column, rule, text in expected:
        pattern = rf"bad_park\.csv, row {row}, column '{column}': [^\n]*{re.escape(text)}"
        assert re.search(pattern + rf"[^\n]*\[{rule}\]", message), (row, rule, message)
    assert "8 problems" in message
    assert info.value.row == 2


def test_park_file_structure_problems(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("indicator,amount\nrecp_applying_share,20\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'value' column") as info:
        read_park(path)
    assert info.value.rule == "missing-column"
    path.write_text("park,indicator,value\nA,park_ems,yes\n,park_ems,no\n", encoding="utf-8")
    with pytest.raises(InputError, match="names no park") as info:
        read_park(path)
    assert (info.value.row, info.value.rule) == (3, "missing-park")
    path.write_text("indicator,value,giá trị\npark_ems,yes,no\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_park(path)
    assert info.value.rule == "duplicate-column"
    with pytest.raises(InputError) as info:
        read_park(tmp_path / "park.ods")
    assert info.value.rule == "format"
