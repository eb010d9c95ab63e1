"""The zone report and the ``recp``/``zone`` commands on the bundled pilot-zone programme
and on the small hand-worked programme of tests/data/recp.

The bundled programme reproduces the published totals of Viet Nam's EIP initiative by
August 2017 (Tran, UNIDO Viet Nam, "Eco-industrial park initiatives in Vietnam"): four
pilot zones, 68 enterprises registered, 43 audited, 650 options recommended. The report
is opened in headless Chromium and a screenshot kept in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from browser import find_chromium, screenshot
from clirun import run

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
RECP = Path(__file__).parent / "data" / "recp"


def test_zone_report_of_the_bundled_programme(tmp_path: Path) -> None:
    folder = tmp_path / "zone"
    code, stdout, _ = run(
        "zone", "report", "--example", "eip-pilot-zones", "--json", "-o", str(folder)
    )
    assert code == 0, stdout
    summary = json.loads(stdout.split("\n", 1)[0])
    total = summary["programme"]
    assert total["enterprises_registered"] == 68
    assert total["enterprises_audited"] == 43
    assert total["options_recommended"] == 650
    assert summary["synthetic"] is True
    assert len(summary["zones"]) == 4
    html = (folder / "report.html").read_text(encoding="utf-8")
    for section in ('id="programme"', 'id="cost-curve"', 'id="readiness"', 'id="context"'):
        assert section in html
    assert "figure-cost-curve" in html and "Synthetic data" in html
    zones = pd.read_csv(folder / "tables" / "rollup_zones.csv", encoding="utf-8-sig")
    assert zones["options_recommended"].sum() == 650
    if find_chromium() is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        screenshot(folder / "report.html", ARTIFACTS / "zone-report.png", height=9000)


def test_recp_commands_on_a_small_programme(tmp_path: Path) -> None:
    code, stdout, _ = run("recp", "rollup", "--programme", str(RECP), "--by", "programme", "--json")
    assert code == 0, stdout
    [row] = json.loads(stdout)
    assert (row["enterprises_registered"], row["options_recommended"]) == (3, 5)
    curve = tmp_path / "curve.csv"
    code, stdout, _ = run("recp", "cost-curve", "--programme", str(RECP), "-o", str(curve))
    assert code == 0, stdout
    table = pd.read_csv(curve, encoding="utf-8-sig")
    assert table["cost_per_unit"].is_monotonic_increasing


def test_option_of_an_unknown_enterprise_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "programme"
    shutil.copytree(RECP, folder)
    options = folder / "options.csv"
    text = options.read_text(encoding="utf-8").replace("\nO2,E1,", "\nO2,E9,")
    options.write_text(text, encoding="utf-8")
    out = tmp_path / "zone"
    code, _, stderr = run("zone", "report", "--programme", str(folder), "-o", str(out))
    assert code == 1 and "options.csv" in stderr and "E9" in stderr
    assert not out.exists()
    code, _, stderr = run("recp", "rollup")
    assert code == 2 and "--programme PATH or --example NAME" in stderr
