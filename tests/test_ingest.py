"""The import pipeline: all or nothing, whatever the export style or the interruption."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from ecocluster.errors import ImportRefused
from ecocluster.examples import get_example
from ecocluster.ingest import check_file, import_file
from ecocluster.store import dump_content, open_store, read_wide
from ecocluster.survey.export import to_kobo_export
from ecocluster.survey.read import read_responses
from ecocluster.synth import synthesize, to_synthetic_csv

EXAMPLE = get_example("red-river-2007")
FORM = EXAMPLE.load_instrument()

STYLES = [
    (style, multiple, separator, suffix)
    for style, multiple, separator, suffix in itertools.product(
        ("xml", "labels"), ("joined", "columns", "both"), ("/", ":", None), (".csv", ".xlsx")
    )
    # Keep the matrix quick: every style and multiple in both formats, separators on CSV.
    if suffix == ".csv" or separator == "/"
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[object, ...]]]:
    engine = open_store(str(tmp_path_factory.mktemp("ref") / "ref.sqlite"))
    import_file(engine, EXAMPLE.responses, FORM, wave="w")
    return dump_content(engine)


@pytest.mark.parametrize(("style", "multiple", "separator", "suffix"), STYLES, ids=lambda v: str(v))
def test_every_kobo_style_imports_to_the_same_content(
    tmp_path: Path,
    reference: dict[str, list[tuple[object, ...]]],
    style: str,
    multiple: str,
    separator: str | None,
    suffix: str,
) -> None:
    responses = read_responses(EXAMPLE.responses, FORM)
    export = tmp_path / f"export{suffix}"
    to_kobo_export(
        responses, FORM, export, style=style, multiple=multiple, group_separator=separator
    )
    engine = open_store(str(tmp_path / "db.sqlite"))
    result = import_file(engine, export, FORM, wave="w")
    assert result.imported, result.problems
    assert dump_content(engine) == reference


def test_broken_file_is_refused_whole_and_database_unchanged(
    store_url: str, tmp_path: Path
) -> None:
    engine = open_store(store_url)
    import_file(
        engine,
        get_example("red-river-2003").responses,
        get_example("red-river-2003").load_instrument(),
        wave="earlier",
    )
    before = dump_content(engine, provenance=True)

    responses = read_responses(EXAMPLE.responses, FORM)
    data = responses.data
    data.loc[0, "q01_air"] = "0"  # out of the 1-10 range
    data.loc[10, "q10_constraints"] = "capital workers knowledge market"  # four, not three
    data.loc[20, "cluster"] = "Ha Long"  # not a cluster of the form
    data.loc[30, "enterprise_id"] = data.loc[31, "enterprise_id"]  # duplicate id
    broken = tmp_path / "broken.csv"
    to_kobo_export(responses, FORM, broken, style="xml", multiple="joined")

    result = import_file(engine, broken, FORM, wave="w")
    assert not result.imported
    found = set(
        zip(
            result.problems["row"],
            result.problems["question"],
            result.problems["rule"],
            strict=True,
        )
    )
    assert (2, "q01_air", "constraint") in found
    assert (12, "q10_constraints", "constraint") in found
    assert (22, "cluster", "choice") in found
    assert any(rule == "duplicate-id" for _, _, rule in found)
    assert dump_content(engine, provenance=True) == before


def test_same_file_twice_is_refused_unless_asked(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "db.sqlite"))
    import_file(engine, EXAMPLE.responses, FORM, wave="w")
    before = dump_content(engine, provenance=True)
    with pytest.raises(ImportRefused, match="already"):
        import_file(engine, EXAMPLE.responses, FORM, wave="w2")
    assert dump_content(engine, provenance=True) == before
    again = import_file(engine, EXAMPLE.responses, FORM, wave="w2", allow_duplicate=True)
    assert again.imported
    assert len(read_wide(engine, "w2")) == 51


def test_warnings_are_stored_with_the_data(tmp_path: Path) -> None:
    responses = read_responses(EXAMPLE.responses, FORM)
    installed = responses.data["q06_installed"] == "no"
    row = int(installed.to_numpy().nonzero()[0][0])
    responses.data.loc[row, "q08_opex"] = "5"  # spending without equipment: plausible? flag it
    path = tmp_path / "warn.csv"
    to_kobo_export(responses, FORM, path, style="xml", multiple="joined")
    engine = open_store(str(tmp_path / "db.sqlite"))
    strict = import_file(engine, path, FORM, wave="w", strict=True)
    assert not strict.imported
    result = import_file(engine, path, FORM, wave="w")
    assert result.imported and result.warnings == 1 and result.errors == 0
    problems = dump_content(engine, provenance=True)["problem"]
    assert any("spending-without-equipment" in map(str, record) for record in problems)


def test_check_file_matches_import_problems(tmp_path: Path) -> None:
    result = check_file(EXAMPLE.responses, FORM)
    assert result.rows == 51
    assert len(result.problems) == 0


@pytest.mark.slow
def test_killed_import_leaves_no_partial_wave(tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    to_synthetic_csv(synthesize(200_000, 40, seed=7), source, note="SYNTHETIC test data")
    db = tmp_path / "killed.sqlite"
    engine = open_store(str(db))
    before = dump_content(engine, provenance=True)
    engine.dispose()
    command = [
        sys.executable,
        "-m",
        "ecocluster.cli",
        "import",
        str(source),
        "--wave",
        "big",
        "--db",
        str(db),
        "--chunksize",
        "10000",
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    written = 0
    for line in process.stderr:
        if line.startswith("importing") and line.rstrip().endswith("rows"):
            written = int(line.rsplit(" ", 2)[-2])
            if written >= 30_000:
                break
        assert time.monotonic() < deadline, "import made no progress"
    assert process.poll() is None, "the import finished before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert written >= 30_000
    engine = open_store(str(db))
    assert dump_content(engine, provenance=True) == before
    assert read_wide(engine, "big").empty if _wave_exists(engine, "big") else True


def _wave_exists(engine: object, wave: str) -> bool:
    from ecocluster.store import list_waves

    frame = list_waves(engine)  # type: ignore[arg-type]
    return bool((frame["wave"] == wave).any()) if len(frame) else False


def test_progress_is_reported_per_chunk(tmp_path: Path) -> None:
    seen: list[int] = []
    engine = open_store(str(tmp_path / "db.sqlite"))
    import_file(engine, EXAMPLE.responses, FORM, wave="w", chunksize=20, progress=seen.append)
    assert seen == [20, 20, 11]
    assert pd.Series(seen).sum() == 51
