"""The database: schema and migrations, imports, refusals, rollback, reading back."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from conftest import SyntheticResponses, synthetic_responses
from ecocluster import schema
from ecocluster.errors import ImportRefused
from ecocluster.instrument import Instrument, build_instrument
from ecocluster.store import (
    DB_ENVIRONMENT_VARIABLE,
    ImportWriter,
    StoreError,
    dump_content,
    list_imports,
    list_waves,
    load_wave_instrument,
    open_store,
    read_long,
    read_wide,
    resolve_url,
)
from ecocluster.survey.responses import Responses, make_problems


def store_file(
    engine: Engine,
    instrument: Instrument,
    responses: Responses,
    *,
    wave: str = "red-river-2007",
    content: bytes | None = None,
    allow_duplicate: bool = False,
    problems: pd.DataFrame | None = None,
) -> int:
    """Import `responses` as if read from a file whose bytes are `content` (default: data)."""
    if content is None:
        content = pd.util.hash_pandas_object(responses.data).to_numpy().tobytes()
    with engine.begin() as connection:
        writer = ImportWriter(
            connection,
            instrument=instrument,
            wave=wave,
            file_name=responses.file,
            sha256=hashlib.sha256(content).hexdigest(),
            size_bytes=len(content),
            allow_duplicate=allow_duplicate,
        )
        writer.write(responses)
        if problems is not None:
            writer.write_problems(problems)
        return writer.finish(len(responses))


def with_data(responses: Responses, data: pd.DataFrame, **changes: object) -> Responses:
    return replace(responses, data=data.reset_index(drop=True), **changes)  # type: ignore[arg-type]


def other_instrument(instrument: Instrument, title: str) -> Instrument:
    sheets = dict(instrument.sheets)
    settings = sheets["settings"].copy()
    settings.loc[0, "form_title"] = title
    sheets["settings"] = settings
    return build_instrument(sheets, source="changed")


# ------------------------------------------------------------------- schema
def test_migration_creates_exactly_the_metadata(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, schema.metadata) == []
        assert context.get_current_heads() == ("0001",)
        if connection.dialect.name == "sqlite":
            ddl = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE name IN ('response', 'submission')"
            ).all()
            assert all("WITHOUT ROWID" in sql for _, sql in ddl) and len(ddl) == 2
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"


def test_reopening_is_idempotent(store_url: str) -> None:
    for _ in range(2):
        engine = open_store(store_url)
        engine.dispose()
    engine = open_store(store_url, upgrade=False)
    assert list_waves(engine).empty
    engine.dispose()


def test_resolve_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DB_ENVIRONMENT_VARIABLE, raising=False)
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'ecocluster.sqlite'}"
    assert resolve_url("data/villages.db") == f"sqlite:///{tmp_path / 'data' / 'villages.db'}"
    url = "postgresql+psycopg://user:secret@db.example:5432/surveys"
    assert resolve_url(url) == url
    monkeypatch.setenv(DB_ENVIRONMENT_VARIABLE, "env.sqlite")
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.sqlite'}"
    assert resolve_url("other.sqlite") == f"sqlite:///{tmp_path / 'other.sqlite'}"


def test_open_without_upgrade_never_creates_or_migrates(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(StoreError, match="no database"):
        open_store(str(missing), upgrade=False)
    assert not missing.exists()
    empty = tmp_path / "empty.sqlite"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    with pytest.raises(StoreError, match="schema revision none"):
        open_store(str(empty), upgrade=False)


def test_a_database_in_a_missing_folder_is_refused_clearly(tmp_path: Path) -> None:
    from clirun import run

    target = tmp_path / "out" / "demo.sqlite"
    with pytest.raises(StoreError, match=f"the folder {tmp_path / 'out'} does not exist"):
        open_store(str(target))
    code, _, stderr = run("init", "--db", str(target))
    assert code == 1 and "does not exist" in stderr and "Traceback" not in stderr
    assert not target.parent.exists()


def test_migrations_render_as_sql_for_a_database_administrator() -> None:
    from alembic import command

    from ecocluster.schema import alembic_config

    config = alembic_config()
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://admin@db.example/surveys")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE response" in sql and "CONSTRAINT pk_response PRIMARY KEY" in sql


# ---------------------------------------------------------------- round trip
def test_round_trip(engine: Engine, instrument: Instrument, synthetic: SyntheticResponses) -> None:
    responses = synthetic(300, seed=1)
    problems = make_problems(
        [
            {"file": responses.file, "row": 4, "column": "Turnover", "question": "turnover",
             "value": "-1", "rule": "constraint", "severity": "warning", "message": "negative"},
            {"file": responses.file, "row": None, "column": "", "question": "",
             "value": "", "rule": "extra-column", "severity": "warning", "message": "x"},
        ]
    )  # fmt: skip
    import_id = store_file(engine, instrument, responses, problems=problems)

    wide = read_wide(engine, "red-river-2007")
    assert list(wide.columns) == ["_cluster", *instrument.questions]
    assert list(wide.index) == list(responses.data["enterprise_id"])
    pd.testing.assert_frame_equal(
        wide.drop(columns="_cluster").reset_index(drop=True),
        responses.data[list(instrument.questions)].reset_index(drop=True),
        check_dtype=False,
    )
    expected = responses.data["cluster"].map({"bat_trang": "bat_trang", "dong_ky": "dong_ky"})
    assert (wide["_cluster"].to_numpy()[expected.notna()] == expected.dropna()).all()

    long = read_long(engine, "red-river-2007")
    assert list(long.columns) == ["enterprise", "cluster", "question", "value"]
    assert len(long) == int((responses.data != "").to_numpy().sum())
    assert (long["value"] != "").all()

    waves = list_waves(engine)
    assert waves.to_dict("records") == [
        {
            "wave": "red-river-2007",
            "instrument": "red_river_2007 2007.1",
            "firms": 300,
            "imports": 1,
        }
    ]
    imports = list_imports(engine)
    assert imports.loc[0, "id"] == import_id
    assert (imports.loc[0, "firms"], imports.loc[0, "problems"]) == (300, 2)
    assert imports.loc[0, "status"] == schema.COMPLETE
    dumped = dump_content(engine, provenance=True)["problem"]
    assert [row[4:6] for row in dumped] == [(None, ""), (4, "Turnover")]  # missing first
    assert load_wave_instrument(engine, "red-river-2007").sha256 == instrument.sha256
    with pytest.raises(StoreError, match="no wave 'nope'"):
        read_wide(engine, "nope")


def test_two_batches_equal_one(
    store_url: str, instrument: Instrument, synthetic: SyntheticResponses, tmp_path: Path
) -> None:
    responses = synthetic(200, seed=2)
    engine = open_store(store_url)
    try:
        with engine.begin() as connection:
            writer = ImportWriter(
                connection, instrument=instrument, wave="w", file_name="f.csv",
                sha256="0" * 64, size_bytes=1,
            )  # fmt: skip
            for part in (slice(0, 120), slice(120, 200)):
                writer.write(
                    with_data(
                        responses,
                        responses.data.iloc[part],
                        meta=responses.meta.iloc[part].reset_index(drop=True),
                        source_row=responses.source_row[part],
                    )
                )
            with pytest.raises(ImportRefused, match="already has enterprise"):
                writer.write(with_data(responses, responses.data.iloc[5:6]))
            writer.finish(200)
        batched = dump_content(engine)
    finally:
        engine.dispose()
    single = open_store(f"sqlite:///{tmp_path / 'single.sqlite'}")
    store_file(single, instrument, responses, wave="w")
    assert dump_content(single) == batched
    single.dispose()


def test_missing_values_are_not_stored_and_inputs_are_left_alone(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    responses = synthetic(30, seed=16, blank=0.0)
    data = responses.data.astype(object)
    data.loc[0, "turnover"] = None
    data.loc[1, "turnover"] = np.nan
    data.loc[[2, 3], "enterprise_id"] = ""  # codes come from _uuid
    meta = responses.meta.copy()
    meta.loc[3, "_uuid"] = ""  # and from the row
    responses = with_data(responses, data, meta=meta)
    data_before, meta_before = responses.data.copy(), responses.meta.copy()
    store_file(engine, instrument, responses)
    pd.testing.assert_frame_equal(responses.data, data_before)
    pd.testing.assert_frame_equal(responses.meta, meta_before)
    wide = read_wide(engine, "red-river-2007")
    assert wide["turnover"].iloc[:2].tolist() == ["", ""]
    assert wide["turnover"].iloc[2:].tolist() == data["turnover"].iloc[2:].tolist()
    assert wide.index[2:4].tolist() == [meta.loc[2, "_uuid"], "red-river-2007:5"]


def test_forms_too_wide_for_one_statement(
    tmp_path: Path, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    """Above SQLite's compound-select limit, answers go in three-value rows instead."""
    responses = synthetic(40, seed=17)
    engine = open_store(str(tmp_path / "wide.sqlite"))
    try:
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            driver.setlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 10)  # type: ignore[union-attr]
            connection.begin()
            writer = ImportWriter(
                connection, instrument=instrument, wave="w", file_name="f.csv",
                sha256="2" * 64, size_bytes=1,
            )  # fmt: skip
            writer.write(responses)
            writer.finish(len(responses))
            connection.commit()
            wide = read_wide(connection, "w")
        pd.testing.assert_frame_equal(
            wide.drop(columns="_cluster").reset_index(drop=True), responses.data
        )
    finally:
        engine.dispose()


def test_export_style_does_not_change_content(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses, tmp_path: Path
) -> None:
    responses = synthetic(150, seed=3)
    store_file(engine, instrument, responses)
    # The same data exported in another order, without Kobo metadata, from another file.
    order = np.random.default_rng(0).permutation(len(responses))
    shuffled = Responses(
        data=responses.data.iloc[order].reset_index(drop=True),
        meta=pd.DataFrame(index=range(len(order))),
        source_row=np.arange(2, len(order) + 2),
        file="labels.xlsx",
    )
    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite'}")
    store_file(other, instrument, shuffled)
    assert dump_content(other) == dump_content(engine)
    assert dump_content(other, provenance=True) != dump_content(engine, provenance=True)
    other.dispose()


def test_enterprise_codes_fall_back_to_uuid_then_row(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    responses = synthetic(3, seed=4)
    data = responses.data.copy()
    data.loc[[1, 2], "enterprise_id"] = ""
    meta = responses.meta.copy()
    meta.loc[2, "_uuid"] = ""
    store_file(engine, instrument, with_data(responses, data, meta=meta), wave="w")
    codes = [row[1] for row in dump_content(engine)["submission"]]
    assert sorted(codes) == sorted(["E0", str(responses.meta.at[1, "_uuid"]), "w:4"])


# ------------------------------------------------------------------ refusals
def test_same_file_is_refused_unless_allowed(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    responses = synthetic(50, seed=5)
    store_file(engine, instrument, responses, content=b"same bytes")
    before = dump_content(engine, provenance=True)
    with pytest.raises(ImportRefused) as refused:
        store_file(engine, instrument, responses, wave="another", content=b"same bytes")
    message = str(refused.value)
    assert "already imported on 20" in message and "'red-river-2007'" in message
    assert dump_content(engine, provenance=True) == before
    # Allowed on purpose: into another wave it is a new import...
    store_file(engine, instrument, responses, wave="another", content=b"same bytes",
               allow_duplicate=True)  # fmt: skip
    assert list_waves(engine)["firms"].tolist() == [50, 50]
    # ...but a wave still holds each enterprise once.
    before = dump_content(engine, provenance=True)
    with pytest.raises(ImportRefused, match="already has enterprise"):
        store_file(engine, instrument, responses, content=b"same bytes", allow_duplicate=True)
    assert dump_content(engine, provenance=True) == before


def test_wave_read_with_another_instrument_is_refused(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    store_file(engine, instrument, synthetic(20, seed=6))
    before = dump_content(engine, provenance=True)
    changed = other_instrument(instrument, "Another title")
    assert changed.sha256 != instrument.sha256
    with pytest.raises(ImportRefused, match="wave 'red-river-2007' holds data read with"):
        store_file(engine, changed, synthetic(20, seed=7, prefix="F"), content=b"other")
    assert dump_content(engine, provenance=True) == before
    # An identical instrument (same content) is reused, not stored twice.
    store_file(engine, instrument, synthetic(20, seed=8, prefix="G"), content=b"third")
    assert len(dump_content(engine)["instrument"]) == 1


def test_writer_needs_a_transaction_and_knows_the_wave(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    responses = synthetic(5, seed=18)
    store_file(engine, instrument, responses)
    options = {"instrument": instrument, "file_name": "f", "sha256": "3" * 64, "size_bytes": 1}
    with engine.connect() as connection:
        with pytest.raises(TypeError, match="transaction"):
            ImportWriter(connection, wave="red-river-2007", **options)  # type: ignore[arg-type]
        transaction = connection.begin()
        writer = ImportWriter(connection, wave="red-river-2007", **options)  # type: ignore[arg-type]
        assert writer.existing_codes() == set(responses.data["enterprise_id"])
        assert ImportWriter(connection, wave="new", **options).existing_codes() == set()  # type: ignore[arg-type]
        transaction.rollback()
    assert len(dump_content(engine, provenance=True)["import_log"]) == 1


def test_repeated_codes_in_a_file_are_refused(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    responses = synthetic(10, seed=9)
    data = responses.data.copy()
    data.at[7, "enterprise_id"] = str(data.at[2, "enterprise_id"])
    with pytest.raises(ImportRefused, match=r"'E2' in rows 4, 9"):
        store_file(engine, instrument, with_data(responses, data))
    assert dump_content(engine, provenance=True)["import_log"] == []


def test_failure_inside_the_transaction_changes_nothing(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    store_file(engine, instrument, synthetic(40, seed=10))
    before = dump_content(engine, provenance=True)

    def import_then_fail() -> None:
        with engine.begin() as connection:
            writer = ImportWriter(
                connection, instrument=other_instrument(instrument, "new"), wave="new wave",
                file_name="x.csv", sha256="1" * 64, size_bytes=3,
            )  # fmt: skip
            writer.write(synthetic(40, seed=11, prefix="N"))
            writer.write_problems(make_problems([{"message": "m", "row": 1}]))
            writer.finish(40)
            assert len(dump_content(connection)["response"]) > len(before["response"])
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        import_then_fail()
    assert dump_content(engine, provenance=True) == before


# ------------------------------------------------------------------ clusters
def _cluster_rows(instrument: Instrument, pairs: list[tuple[str, str]]) -> Responses:
    responses = synthetic_responses(instrument, len(pairs), seed=12)
    data = responses.data.copy()
    data["cluster"] = [cluster for cluster, _ in pairs]
    data["cluster_other"] = [other for _, other in pairs]
    return with_data(responses, data)


def test_cluster_spellings_resolve_to_one_cluster(engine: Engine, instrument: Instrument) -> None:
    nfd = unicodedata.normalize("NFD", "Bát Tràng")
    assert nfd != "Bát Tràng"
    pairs = [
        ("bat_trang", ""),
        ("other", "Bát Tràng"),
        ("other", nfd),
        ("other", "Bat Trang"),
        ("other", "  BAT   TRANG "),
        ("other", "bat_trang"),
        ("other", "Làng gốm Kim Lan"),
        ("other", unicodedata.normalize("NFD", "Làng gốm Kim Lan")),
        ("other", "Lang gom Kim Lan"),
        ("other", ""),
        ("", ""),
    ]
    store_file(engine, instrument, _cluster_rows(instrument, pairs))
    content = dump_content(engine)
    assert content["cluster"] == [
        ("bat_trang", "Bat Trang", "Bát Tràng"),
        ("lang_gom_kim_lan", "Làng gốm Kim Lan", None),
    ]
    clusters = [key for _, key, _ in sorted(content["enterprise"], key=lambda row: int(row[0][1:]))]
    assert clusters == ["bat_trang"] * 6 + ["lang_gom_kim_lan"] * 3 + [None, None]

    # A cluster first typed in the field takes the instrument's names once a form lists it.
    typed_first = [("other", "Đồng Kỵ")]
    store_file(engine, instrument, _cluster_rows(instrument, typed_first), wave="w2")
    assert ("dong_ky", "Dong Ky", "Đồng Kỵ") in dump_content(engine)["cluster"]


def test_text_cluster_question(engine: Engine, instrument: Instrument) -> None:
    survey = instrument.sheets["survey"].copy()
    survey.loc[survey["name"] == "cluster", "type"] = "text"
    sheets = {**instrument.sheets, "survey": survey}
    text_form = build_instrument(sheets, source="text-cluster")
    pairs = [("Bát Tràng", ""), ("bat trang", ""), ("Bat Trang", ""), ("Vạn Phúc", "")]
    store_file(engine, text_form, _cluster_rows(text_form, pairs), wave="t")
    assert dump_content(engine)["cluster"] == [
        ("bat_trang", "Bát Tràng", None),
        ("van_phuc", "Vạn Phúc", None),
    ]


def test_later_wave_updates_known_enterprises(
    engine: Engine, instrument: Instrument, synthetic: SyntheticResponses
) -> None:
    first = synthetic(30, seed=13)
    store_file(engine, instrument, first, wave="2007")
    second = synthetic(40, seed=14)  # E0..E29 again, and ten new firms
    data = second.data.copy()
    data["cluster"] = "dong_ky"
    data.loc[0, "cluster"] = ""  # a missing answer keeps what is known
    store_file(engine, instrument, with_data(second, data), wave="2008")
    enterprises = {code: key for code, key, _ in dump_content(engine)["enterprise"]}
    assert len(enterprises) == 40
    assert enterprises["E1"] == enterprises["E35"] == "dong_ky"
    before = read_wide(engine, "2007").loc["E0", "_cluster"]
    assert enterprises["E0"] == (before or None)
    with engine.begin() as connection:  # the id sequence is past the explicit ids
        connection.execute(schema.enterprise.insert().values(code="typed by hand"))


# ---------------------------------------------------------------- throughput
def test_sqlite_throughput(
    tmp_path: Path, instrument: Instrument, capsys: pytest.CaptureFixture[str]
) -> None:
    firms = 100_000
    responses = synthetic_responses(instrument, firms, seed=15, blank=0.05)
    answers = int((responses.data != "").to_numpy().sum())
    engine = open_store(str(tmp_path / "big.sqlite"))
    started = time.perf_counter()
    store_file(engine, instrument, responses)
    seconds = time.perf_counter() - started
    engine.dispose()
    with capsys.disabled():
        print(
            f"\nSQLite import: {firms} firms, {answers} answers in {seconds:.2f} s "
            f"= {answers / seconds / 1e6:.2f} M answers/s"
        )
    assert seconds < 60
