"""Benchmark: the survey analysis at national scale, the report, and the CLI's start-up.

Each measurement runs in a fresh subprocess, so wall time includes nothing of the driver
and peak memory (VmHWM) is that run's own. Compared in the same run, on the same machine:

* analysis: `ecocluster.analysis.analyse_survey` (indices, every table, both model
  specifications of the adoption models, the methods audit and the findings) on a
  synthetic survey of `--firms` enterprises drawn by `ecocluster.synth.synthesize`
  (3 clusters, seed 1: the three template clusters, so that the categorical cluster term
  of the recommended specification has the bundled example's shape). Drawing the firms is
  timed separately and not counted;
* the naive baseline: the firm-level indices (CP, EMP, GMS, LOAN, ENVTECH, ENVEXP, the
  spending share) and the mention counts computed the obvious way, one firm at a time in
  Python, against the vectorised `compute_firm_indices` on the same `--naive-firms` firms;
* report: `ecocluster report --example red-river-2007` from a cold process, against the
  floor of importing pandas, statsmodels and matplotlib in a cold process;
* start-up: `ecocluster --help`, against a bare `python -c pass`.

Usage::

    python benchmarks/bench_analysis.py [--firms 1000000] [--naive-firms 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ECOCLUSTER = Path(sys.executable).with_name("ecocluster")


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _synthetic(firms: int) -> tuple[Any, Any]:
    from ecocluster.instrument import load_instrument
    from ecocluster.synth import synthesize

    return synthesize(firms, 3, seed=1).data, load_instrument("red-river-2007")


def _child_analysis(firms: int) -> dict[str, Any]:
    from ecocluster.analysis import Study, analyse_survey

    start = time.perf_counter()
    wide, instrument = _synthetic(firms)
    drawn = time.perf_counter() - start
    steps: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def step(name: str) -> None:
        now = time.perf_counter()
        if last[1]:
            steps[str(last[1])] = now - float(last[0])
        last[0], last[1] = now, name

    start = time.perf_counter()
    analysis = analyse_survey(
        wide,
        instrument,
        study=Study(title="benchmark", wave="bench", instrument="rr07"),
        network=False,  # the innovation network has its own benchmark target
        step=step,
    )
    step("")
    return {
        "firms": firms,
        "draw_seconds": drawn,
        "seconds": time.perf_counter() - start,
        "steps": steps,
        "tables": len(analysis.tables),
        "recommended_logit": analysis.recommended.logit.model if analysis.recommended else "",
    }


def _naive_indices(wide: Any) -> dict[str, Any]:
    """Firm by firm in plain Python: what a first script would do."""
    rows = wide.to_dict("records")
    firms = {}
    mentions: dict[str, dict[str, int]] = {}
    for row in rows:
        cp = max(1 if row["q03_complaint_others"] == "yes" else 0,
                 2 if row["q04_complaint_own"] == "yes" else 0)  # fmt: skip
        emp = max(1 if row["q11_buyers_ask_others"] == "yes" else 0,
                  2 if row["q12_buyers_consider_own"] == "yes" else 0)  # fmt: skip
        letters = [x for x in row["q16_warning_letters"].split() if x != "none"]
        inspections = float(row["q15_inspections"]) if row["q15_inspections"] else 0.0
        capex = float(row["q07_capex"]) if row["q07_capex"] else 0.0
        opex = float(row["q08_opex"]) if row["q08_opex"] else 0.0
        turnover = float(row["turnover"]) if row["turnover"] else float("nan")
        firms[row["enterprise_id"]] = {
            "CP": cp,
            "EMP": emp,
            "GMS": inspections + 2 * len(letters),
            "LOAN": 1 if row["q14_loan"] == "yes" else 0,
            "ENVTECH": 1 if row["q06_installed"] == "yes" else 0,
            "ENVEXP": (capex + opex) * 1e6,
            "spending_share": 100 * (capex + opex) / turnover if turnover else float("nan"),
        }
        for question in ("q10_constraints", "q18_knowledge_sources", "q21_partner_location"):
            counts = mentions.setdefault(question, {})
            for choice in row[question].split():
                counts[choice] = counts.get(choice, 0) + 1
    return {"firms": len(firms), "mentions": mentions}


def _child_indices(kind: str, firms: int) -> dict[str, Any]:
    wide, instrument = _synthetic(firms)
    start = time.perf_counter()
    if kind == "naive":
        _naive_indices(wide)
    else:
        from ecocluster.indices import compute_firm_indices, compute_mentions

        compute_firm_indices(wide, instrument)
        for concept in ("constraints", "knowledge_sources", "partner_location"):
            compute_mentions(wide, instrument, concept)
    return {"firms": firms, "seconds": time.perf_counter() - start}


def _run(args: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _wall(command: list[str], repeat: int) -> float:
    """Median wall time of a command started cold, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        kind = sys.argv[2]
        if kind == "analysis":
            result = _child_analysis(int(sys.argv[3]))
        else:
            result = _child_indices(kind, int(sys.argv[3]))
        result["peak_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--naive-firms", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="Cold starts per command.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ecocluster-bench-"))
    try:
        report_cmd = [str(ECOCLUSTER), "report", "--example", "red-river-2007"]
        report_cmd += ["-o", str(workdir / "report")]
        floor = [sys.executable, "-c", "import pandas, statsmodels.api, matplotlib.figure"]
        results = {
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}",
            "naive_indices": _run(["naive", str(args.naive_firms)]),
            "fast_indices": _run(["fast", str(args.naive_firms)]),
            "analysis": _run(["analysis", str(args.firms)]),
            "report_seconds": _wall(report_cmd, max(1, args.repeat // 2)),
            "import_floor_seconds": _wall(floor, max(1, args.repeat // 2)),
            "help_seconds": _wall([str(ECOCLUSTER), "--help"], args.repeat),
            "python_seconds": _wall([sys.executable, "-c", "pass"], args.repeat),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["indices_speedup_same_size"] = (
        results["naive_indices"]["seconds"] / results["fast_indices"]["seconds"]
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
