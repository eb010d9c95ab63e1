"""Policy streams: the rule file, its validation, and recommendations from cluster evidence.

The interventions are those of the policy-streams table of Anbumozhi's IGES talk on
eco-industrial clusters and of the implications for policy makers (Section 6) of the 2007
Red River Delta study. Recommendations are computed for the three clusters of the bundled
red-river-2007 example, whose evidence differs (Bat Trang exports and its foreign buyers
press it; Dong Ky learns from its trade association; Van Phuc is small, domestic and half
outside any knowledge network), and for the four published profiles.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ecocluster.analysis import SurveyAnalysis
from ecocluster.eic import compute_cluster_evidence, indicators, published_profiles
from ecocluster.errors import InputError
from ecocluster.examples import get_example
from ecocluster.policy import (
    OPERATORS,
    STREAMS,
    Condition,
    assess,
    read_rules,
    recommend,
    rules_table,
)

EXAMPLE = get_example("red-river-2007")
CLUSTERS = ("bat_trang", "dong_ky", "van_phuc")
DATA = Path(__file__).parent / "data" / "policy"
GOOD = """[[rule]]
id = "ok"
stream = "industrial"
intervention = "Do something."
source = "somewhere"
all = [{ indicator = "loan_share", op = "<", value = 25 }]
"""


@pytest.fixture(scope="module")
def recommended(evidence: pd.DataFrame) -> pd.DataFrame:
    return recommend(evidence)


def fired(table: pd.DataFrame, cluster: str) -> set[str]:
    return set(table.loc[table["cluster"] == cluster, "rule"])


# --------------------------------------------------------------------- bundled rules
def test_bundled_rules_cover_the_streams_and_both_papers() -> None:
    rules = read_rules()
    assert {r.stream for r in rules} == set(STREAMS)
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert "Anbumozhi" in rule.source or "Konstadakopulos" in rule.source, rule.id
        assert rule.why, rule.id
        assert rule.line is not None and rule.file == "rules.toml (bundled)"
    by_stream = {s: [r for r in rules if r.stream == s] for s in STREAMS}
    for stream, chosen in by_stream.items():
        assert any("Anbumozhi" in r.source for r in chosen), stream
    # The implications of the 2007 study, Section 6.
    implications = {r.id for r in rules if "Section 6" in r.source}
    assert {
        "partner-with-buyers",
        "credit-with-enforcement",
        "demonstrations-through-central-actor",
        "inform-unconnected-firms",
        "work-through-association",
        "collaborative-rnd",
        "standards-and-charges",
    } <= implications


def test_rules_table_writes_conditions_out() -> None:
    table = rules_table().set_index("rule")
    assert table.loc["credit-with-enforcement", "all"] == (
        "constraint_capital >= 50; loan_share < 25"
    )
    assert table.loc["social-capital", "all"] == "factor major_constraint contains 'social capital'"
    pd.testing.assert_frame_equal(rules_table(read_rules()), rules_table())


def test_condition_prints_itself() -> None:
    assert str(Condition("loan_share", "<", 25.0)) == "loan_share < 25"


# --------------------------------------------------------------------- red river clusters
def test_recommendations_differ_where_the_evidence_differs(recommended: pd.DataFrame) -> None:
    bat_trang, dong_ky, van_phuc = (fired(recommended, c) for c in CLUSTERS)
    assert bat_trang != dong_ky != van_phuc != bat_trang
    # Foreign buyers press 87% of Bat Trang's firms, 19% of Dong Ky's and none in Van Phuc.
    assert "partner-with-buyers" in bat_trang
    assert "partner-with-buyers" not in dong_ky | van_phuc
    # Dong Ky's trade association informs 31% of its firms.
    assert "work-through-association" in dong_ky
    assert "work-through-association" not in bat_trang | van_phuc
    # 45% of Van Phuc's firms name no source of knowledge; its water is rated 9.15.
    assert {"inform-unconnected-firms", "common-wastewater-plant", "umbrella-permit"} <= van_phuc
    assert not {"inform-unconnected-firms", "common-wastewater-plant"} & (bat_trang | dong_ky)
    # Universities already advise 20% of Bat Trang's firms: no call for them there.
    assert "collaborative-rnd" in dong_ky & van_phuc
    assert "collaborative-rnd" not in bat_trang
    # Shared evidence, shared recommendation: capital is short and loans rare everywhere.
    assert "credit-with-enforcement" in bat_trang & dong_ky & van_phuc


def test_each_recommendation_cites_its_evidence(
    recommended: pd.DataFrame, evidence: pd.DataFrame
) -> None:
    assert set(recommended["cluster"]) == set(CLUSTERS)
    shown = evidence.set_index(["cluster", "indicator"])["display"]
    for _, row in recommended.iterrows():
        assert row["evidence"] and row["indicators"], row["rule"]
        for indicator in row["indicators"].split(", "):
            assert shown[(row["cluster"], indicator)] in row["evidence"], (row["rule"], indicator)
        assert "threshold" in row["evidence"]


def test_same_rule_cites_each_clusters_own_values(recommended: pd.DataFrame) -> None:
    credit = recommended[recommended["rule"] == "credit-with-enforcement"].set_index("cluster")
    assert credit.loc["bat_trang", "evidence"].startswith(
        "Firms naming shortage of capital: 53% of 15 firms (threshold: at least 50%)"
    )
    assert "88% of 16 firms" in credit.loc["dong_ky", "evidence"]
    assert "0% of 20 firms (threshold: below 25%)" in credit.loc["van_phuc", "evidence"]
    demo = recommended[recommended["rule"] == "demonstrations-through-central-actor"]
    demo = demo.set_index("cluster")["intervention"]
    assert demo["bat_trang"].endswith("most central actor: Buyers (origin not stated).")
    assert demo["van_phuc"].endswith("most central actor: Media (television, newspapers, radio).")


def test_recommendations_come_by_cluster_then_stream(recommended: pd.DataFrame) -> None:
    assert list(pd.unique(recommended["cluster"])) == list(CLUSTERS)
    for cluster in CLUSTERS:
        streams = recommended.loc[recommended["cluster"] == cluster, "stream"].tolist()
        assert streams == sorted(streams, key=STREAMS.index)
    assert {"cluster_label", "intervention", "source"} <= set(recommended.columns)


def test_assess_says_what_was_not_assessed(analysis: SurveyAnalysis) -> None:
    """Without the answers there are no constraint indicators: rules on them are not
    assessed, and never fired."""
    evidence = compute_cluster_evidence(analysis)
    table = assess(evidence)
    credit = table[table["rule"] == "credit-with-enforcement"]
    assert (credit["status"] == "not assessed").all()
    assert (credit["missing"] == "constraint_capital").all()
    assert "credit-with-enforcement" not in set(recommend(evidence)["rule"])
    assert set(table["status"]) == {"fired", "not fired", "not assessed"}


# --------------------------------------------------------------------- profiles
def test_published_profiles_get_their_streams() -> None:
    table = recommend(None, profiles=published_profiles())
    got = dict(zip(table["cluster"], table["rule"], strict=True))
    assert got == {
        "hosur_sericulture": "social-capital",
        "maniwa_wood": "integrated-policy",
        "chachoengsao_rice": "enabling-technology",
        "an_giang_fish": "integrated-policy",
    }
    hosur = table[table["cluster"] == "hosur_sericulture"].iloc[0]
    assert hosur["evidence"] == (
        "Major constraint (published): 'Social Capital' (rule: contains 'social capital')"
    )
    assert hosur["cluster_label"] == "Sericulture, Hosur"


def test_custom_rules_on_text_indicators_and_placeholders(
    evidence: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        """
[[rule]]
id = "media-campaign"
stream = "environmental"
intervention = "Brief {central_actor} on clean kilns and dyes ({province})."
source = "test"
all = [{ indicator = "central_actor", op = "==", value = "MEDIA" }]

[[rule]]
id = "association-among-key-players"
stream = "regional_development"
intervention = "Work with {key_players}."
source = "test"
all = [{ indicator = "key_players", op = "contains", value = "trade association" }]
""",
        encoding="utf-8",
    )
    table = recommend(evidence, str(path))
    assert fired(table, "van_phuc") == {"media-campaign"}
    assert fired(table, "dong_ky") == {"association-among-key-players"}
    media = table[table["rule"] == "media-campaign"].iloc[0]
    assert media["intervention"] == (
        "Brief Media (television, newspapers, radio) on clean kilns and dyes (Ha Tay)."
    )
    assert media["evidence"] == (
        "Most central actor: Media (television, newspapers, radio) (rule: equal to 'media')"
    )


def test_placeholder_without_evidence_says_so(analysis: SurveyAnalysis, tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    text = GOOD.replace("Do something.", "Start with {top_constraint}.")
    path.write_text(text, encoding="utf-8")
    table = recommend(compute_cluster_evidence(analysis), path)
    assert (table["intervention"] == "Start with (not measured).").all()


def test_thresholds_are_inclusive_as_written(evidence: pd.DataFrame, tmp_path: Path) -> None:
    """Dong Ky's 25% poor-market share (4 of 16) meets ">= 25" and fails "> 25"."""
    rules = []
    for op, name in ((">=", "at-least"), (">", "above")):
        rules.append(
            GOOD.replace('"ok"', f'"{name}"').replace(
                '{ indicator = "loan_share", op = "<", value = 25 }',
                f'{{ indicator = "constraint_market", op = "{op}", value = 25 }}',
            )
        )
    path = tmp_path / "rules.toml"
    path.write_text("\n".join(rules), encoding="utf-8")
    table = recommend(evidence, path)
    assert fired(table, "dong_ky") == {"at-least"}
    assert fired(table, "van_phuc") == {"at-least", "above"}
    assert fired(table, "bat_trang") == set()


def test_evidence_must_be_an_evidence_table() -> None:
    with pytest.raises(InputError) as caught:
        recommend(pd.DataFrame({"cluster": ["x"]}))
    assert caught.value.rule == "evidence-columns"


# --------------------------------------------------------------------- bad rule files
def _refused(tmp_path: Path, text: str) -> InputError:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_rules(path)
    assert caught.value.file == str(path)
    return caught.value


def _condition(text: str) -> str:
    return GOOD.replace('{ indicator = "loan_share", op = "<", value = 25 }', text)


@pytest.mark.parametrize(
    ("text", "rule", "line", "column"),
    [
        (_condition('{ indicator = "loans", op = "<", value = 25 }'), "unknown-indicator", 6, None),
        (
            _condition('{ indicator = "loan_share", op = "=>", value = 25 }'),
            "unknown-operator",
            6,
            None,
        ),
        (
            _condition('{ indicator = "loan_share", op = "contains", value = 25 }'),
            "unknown-operator",
            6,
            None,
        ),
        (
            _condition('{ indicator = "central_actor", op = ">", value = "media" }'),
            "unknown-operator",
            6,
            None,
        ),
        (_condition('{ indicator = "loan_share", op = "<", value = "25" }'), "bad-value", 6, None),
        (_condition('{ indicator = "loan_share", op = "<", value = true }'), "bad-value", 6, None),
        (_condition('{ indicator = "loan_share", op = "<", value = 250 }'), "bad-value", 6, None),
        (
            _condition('{ factor = "market", op = "contains", value = "export" }'),
            "unknown-factor",
            6,
            None,
        ),
        (
            _condition('{ factor = "key_players", op = ">", value = "x" }'),
            "unknown-operator",
            6,
            None,
        ),
        (
            _condition('{ indicator = "loan_share", factor = "key_players", op = "<", value = 1 }'),
            "bad-condition",
            6,
            None,
        ),
        (
            _condition('{ indicator = "loan_share", op = "<", value = 25, unit = "%" }'),
            "unknown-field",
            6,
            None,
        ),
        (_condition('"loan_share < 25"'), "bad-condition", 1, None),
        (
            GOOD.replace('stream = "industrial"', 'stream = "economic"'),
            "unknown-stream",
            3,
            "stream",
        ),
        (GOOD.replace('source = "somewhere"\n', ""), "missing-field", 1, "source"),
        (GOOD.replace('id = "ok"', 'id = "my rule!"'), "bad-id", 1, "id"),
        (GOOD.replace("all = [", "when = ["), "unknown-field", 6, "when"),
        (
            GOOD.replace("Do something.", "Tell {the_village}."),
            "bad-placeholder",
            4,
            "intervention",
        ),
        (GOOD + "\n" + GOOD, "duplicate-rule", 8, "id"),
        ('title = "mine"\n' + GOOD, "unknown-field", None, "title"),
        ("# nothing here\n", "no-rules", None, "rule"),
        (GOOD.replace('op = "<"', 'op "<"'), "toml", 6, None),
    ],
)
def test_bad_rule_refused(
    tmp_path: Path, text: str, rule: str, line: int | None, column: str | None
) -> None:
    error = _refused(tmp_path, text)
    assert (error.rule, error.row) == (rule, line)
    if column is not None:
        assert error.column == column
    if rule not in ("toml", "no-rules", "unknown-field") or column == "when":
        assert "'ok'" in error.message or "'my rule!'" in error.message


def test_condition_errors_name_the_rule_and_the_condition(tmp_path: Path) -> None:
    error = _refused(tmp_path, _condition('{ indicator = "loans", op = "<", value = 25 }'))
    assert error.column == "all[1]"
    assert error.message.startswith(
        "rule 'ok' all[1]: unknown indicator 'loans'; did you mean loan_share?"
    )
    assert error.message.endswith("(the rule file was refused, nothing was applied)")


def test_rule_without_conditions_refused(tmp_path: Path) -> None:
    error = _refused(tmp_path, GOOD.replace(_condition_line(), ""))
    assert (error.rule, error.row, error.column) == ("missing-field", 1, "all")


def _condition_line() -> str:
    return 'all = [{ indicator = "loan_share", op = "<", value = 25 }]\n'


def test_every_rule_problem_is_listed_at_once() -> None:
    path = DATA / "bad_rules.toml"
    with pytest.raises(InputError) as caught:
        read_rules(path)
    message = str(caught.value)
    assert "5 problems" in message
    for rule in (
        "unknown-stream",
        "unknown-indicator",
        "unknown-operator",
        "duplicate-rule",
        "bad-value",
    ):
        assert f"[{rule}]" in message
    lines = [int(n) for n in re.findall(r"row (\d+)", message)]
    assert lines == sorted(lines) and lines[0] == caught.value.row


def test_single_bracket_rule_gets_a_hint(tmp_path: Path) -> None:
    error = _refused(tmp_path, GOOD.replace("[[rule]]", "[rule]"))
    assert error.rule == "no-rules"
    assert "write [[rule]], not [rule]" in error.message


def test_rule_file_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_bytes(GOOD.replace("somewhere", "Đồng Kỵ").encode("utf-16"))
    with pytest.raises(InputError) as caught:
        read_rules(path)
    assert caught.value.rule == "encoding"


def test_operator_and_indicator_vocabularies() -> None:
    assert set(OPERATORS) == {">", ">=", "<", "<=", "==", "!=", "contains"}
    units = indicators()["unit"]
    for rule in read_rules():
        for condition in (*rule.all_of, *rule.any_of):
            if not condition.factor:
                text = units[condition.subject] == "text"
                assert isinstance(condition.value, str) == text, (rule.id, condition)
