"""Benchmark: import + validate synthetic national-scale surveys into SQLite.

Runs each measurement in a fresh subprocess (so peak memory is that run's own) and
compares, in the same run on the same machine:

* fast: ``ecocluster.ingest.import_file`` — chunked reading, vectorised checks, bulk
  multi-row inserts, one transaction;
* naive: the obvious first implementation — ``csv.DictReader`` row by row, per-cell
  Python checks of type, choice and required (the XPath skip-logic and constraint rules
  are left out, so the baseline does *less* work than the fast path), and one SQLAlchemy
  ORM object per enterprise and per answer, flushed per firm, one commit at the end.

The naive path is measured on a smaller sample (it would take hours on a million firms);
the speed-up is the ratio of per-firm times on the same sample size, and the fast path is
also run on the full size. Usage::

    python benchmarks/bench_import.py [--firms 1000000] [--naive-firms 20000] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _child_fast(source: str, db: str) -> dict[str, float]:
    from ecocluster.ingest import import_file
    from ecocluster.instrument import load_instrument
    from ecocluster.store import open_store

    form = load_instrument("red-river-2007")
    engine = open_store(db)
    start = time.perf_counter()
    result = import_file(engine, source, form, wave="bench")
    elapsed = time.perf_counter() - start
    if not result.imported:
        raise SystemExit(f"fast import refused: {len(result.problems)} problems")
    return {"seconds": elapsed, "rows": result.rows, "problems": len(result.problems)}


def _naive_cell_ok(kind: str, value: str, allowed: set[str]) -> bool:
    """One cell, checked the obvious way: parse it, or look it up."""
    try:
        if kind == "integer":
            return float(value).is_integer()
        if kind == "decimal":
            float(value)
    except ValueError:
        return False
    if kind == "select_one":
        return value in allowed
    if kind == "select_multiple":
        return set(value.split()) <= allowed
    return True


def _child_naive(source: str, db: str) -> dict[str, float]:
    import csv

    from sqlalchemy import select
    from sqlalchemy.ext.automap import automap_base
    from sqlalchemy.orm import Session

    from ecocluster.instrument import load_instrument
    from ecocluster.normalize import fold_key
    from ecocluster.store import ImportWriter, open_store

    form = load_instrument("red-river-2007")
    engine = open_store(db)
    start = time.perf_counter()
    with engine.begin() as conn:  # instrument, questions, wave and import row, as the fast path
        writer = ImportWriter(
            conn,
            instrument=form,
            wave="bench",
            file_name=Path(source).name,
            sha256="naive",
            size_bytes=0,
        )
        wave_id = writer.wave_id
    base = automap_base()
    base.prepare(autoload_with=engine)
    cluster_cls = base.classes.cluster
    enterprise_cls = base.classes.enterprise
    response_cls = base.classes.response
    with Session(engine) as session:
        question_ids = dict(
            session.execute(select(base.classes.question.name, base.classes.question.id)).all()
        )
        choices = {q.name: set(form.choice_names(q)) for q in form.questions.values()}
        clusters: dict[str, object] = {}
        problems = 0
        rows = 0
        with open(source, encoding="utf-8", newline="") as handle:
            lines = (line for line in handle if not line.startswith("#"))
            for record in csv.DictReader(lines):
                rows += 1
                for question in form.questions.values():
                    value = record.get(question.name, "")
                    if value and not _naive_cell_ok(question.type, value, choices[question.name]):
                        problems += 1
                name = record.get("cluster_other") or record["cluster"]
                key = fold_key(name)
                if key not in clusters:
                    cluster = cluster_cls(key=key, name=name)
                    session.add(cluster)
                    clusters[key] = cluster
                enterprise = enterprise_cls(code=record["enterprise_id"], cluster=clusters[key])
                session.add(enterprise)
                session.flush()
                for question in form.questions.values():
                    value = record.get(question.name, "")
                    if value != "":
                        session.add(
                            response_cls(
                                wave_id=wave_id,
                                enterprise_id=enterprise.id,
                                question_id=question_ids[question.name],
                                value=value,
                            )
                        )
                session.flush()
        session.commit()
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "rows": rows, "problems": problems}


def _measure(kind: str, source: Path, workdir: Path) -> dict[str, float]:
    db = workdir / f"{kind}-{source.stem}.sqlite"
    if db.exists():
        db.unlink()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(source), str(db)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["db_mb"] = db.stat().st_size / 1e6
    db.unlink()
    return result


def _peak_rss_mb() -> float:
    """This process's own peak resident memory.

    ``getrusage`` is not used: Linux carries ``ru_maxrss`` across ``exec`` from the parent,
    so a child would report the benchmark driver's peak. VmHWM belongs to this process.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, source: str, db: str) -> None:
    run = _child_fast if kind == "fast" else _child_naive
    result = run(source, db)
    result["peak_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--clusters", type=int, default=400)
    parser.add_argument("--naive-firms", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=None, help="Folder for the data files.")
    args = parser.parse_args()

    from ecocluster.synth import synthesize, to_synthetic_csv

    workdir = args.out or Path(tempfile.mkdtemp(prefix="ecocluster-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for firms in sorted({args.naive_firms, args.firms}):
        path = workdir / f"synthetic-{firms}.csv"
        if not path.exists():
            note = f"SYNTHETIC benchmark data: {firms} firms, seed 1"
            to_synthetic_csv(synthesize(firms, args.clusters, seed=1), path, note=note)
        files[firms] = path

    small = files[args.naive_firms]
    naive = _measure("naive", small, workdir)
    fast_small = _measure("fast", small, workdir)
    fast_full = _measure("fast", files[args.firms], workdir)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        "naive_small": naive,
        "fast_small": fast_small,
        "fast_full": fast_full,
        "speedup_same_size": naive["seconds"] / fast_small["seconds"],
        "firms_full": args.firms,
        "firms_small": args.naive_firms,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
