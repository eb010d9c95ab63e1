"""The database itself: its tables, how it is opened and migrated, how rows reach it.

One schema serves SQLite (a single file a researcher can copy and archive) and
PostgreSQL (a shared server for a team), given as an SQLAlchemy URL. Opening a database
migrates it to this schema with the Alembic revisions in ``ecocluster/migrations``
(which create exactly these tables; a test compares the two), so users never run
migrations by hand.

Answers are stored long (one row per enterprise, wave and question) so that a new
instrument needs no new columns. Only non-empty answers are stored: an absent row means
"no answer". The ``response`` table is the big one (tens of millions of rows), so it is
clustered on its primary key (``WITHOUT ROWID`` on SQLite) and carries no foreign key:
SQLite and PostgreSQL check a foreign key with one lookup per inserted row, which costs
a quarter of the import speed for ``question`` and half of it for ``submission``.
`ecocluster.store.ImportWriter` inserts a submission and its answers together, in one
transaction, with question ids it has just read from ``question``.

Secondary indexes are few for the same reason: each one costs a third of the insert
speed of its table, while the queries they would serve scan a few million rows at most.

Constraint names follow a fixed convention so that later migrations (which on SQLite
rebuild tables) can refer to them by name.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ecocluster.errors import EcoclusterError

#: Environment variable naming the database when none is given.
DB_ENVIRONMENT_VARIABLE = "ECOCLUSTER_DB"
#: Database used when neither an argument nor the environment names one.
DEFAULT_DB = "ecocluster.sqlite"
MIGRATIONS = Path(__file__).with_name("migrations")
#: SQLite page cache per connection, in KiB (the pragma takes a negative number).
SQLITE_CACHE_KIB = 200_000
#: Rows per multi-row INSERT on SQLite; measured fastest between 100 and 300.
SQLITE_ROWS_PER_STATEMENT = 200
#: Answers per statement in `insert_answers` on SQLite (and SQLite's default limit).
SQLITE_TERMS_PER_STATEMENT = 500
_SQLITE_MAX_VARIABLES = 32_766

ObjectArray = npt.NDArray[np.object_]
Bind = Engine | Connection


class StoreError(EcoclusterError):
    """The database cannot be used as asked (no such file, wave or schema revision)."""


#: Status of an import in ``import_log``.
RUNNING = "running"
COMPLETE = "complete"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

instrument = sa.Table(
    "instrument",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("form_id", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    # The XLSForm sheets and concept mapping as JSON, so that a database alone is
    # enough to rebuild the instrument its data was read with.
    sa.Column("definition", sa.Text, nullable=False),
    sa.UniqueConstraint("form_id", "version", "sha256"),
)

question = sa.Table(
    "question",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("instrument_id", sa.Integer, sa.ForeignKey("instrument.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("list_name", sa.Text, nullable=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.UniqueConstraint("instrument_id", "name"),
)

cluster = sa.Table(
    "cluster",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # fold_key of the display name: "Bát Tràng", "Bat Trang", "bat_trang" -> bat_trang.
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("name_vi", sa.Text, nullable=True),
)

enterprise = sa.Table(
    "enterprise",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("cluster.id"), nullable=True),
    sa.Column("province", sa.Text, nullable=True),
)

wave = sa.Table(
    "wave",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("instrument_id", sa.Integer, sa.ForeignKey("instrument.id"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

import_log = sa.Table(
    "import_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("wave_id", sa.Integer, sa.ForeignKey("wave.id"), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("rows", sa.Integer, nullable=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("form_id", sa.Text, nullable=False),
    sa.Column("form_version", sa.Text, nullable=False),
    sa.Column("ecocluster_version", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
)

submission = sa.Table(
    "submission",
    metadata,
    sa.Column("wave_id", sa.Integer, sa.ForeignKey("wave.id"), primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("import_log.id"), nullable=False),
    sa.Column("uuid", sa.Text, nullable=True),
    sa.Column("submitted_at", sa.DateTime, nullable=True),
    sa.Column("source_row", sa.Integer, nullable=False),
    sqlite_with_rowid=False,
)

response = sa.Table(
    "response",
    metadata,
    sa.Column("wave_id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, primary_key=True),
    sa.Column("question_id", sa.Integer, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sqlite_with_rowid=False,
)

problem = sa.Table(
    "problem",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("import_log.id"), nullable=False, index=True),
    sa.Column("row", sa.Integer, nullable=True),
    sa.Column("column", sa.Text, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)


# ------------------------------------------------------------------------- opening
def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """SQLAlchemy URL for a database named on the command line, in the environment or not.

    A value containing ``://`` is an SQLAlchemy URL; anything else is an SQLite file.
    """
    value = os.fspath(db) if db is not None else ""
    value = value or os.environ.get(DB_ENVIRONMENT_VARIABLE, "") or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def create_store_engine(url: str) -> Engine:
    """An engine with the settings ecocluster relies on, without touching the schema.

    ``postgresql://`` URLs use psycopg 3 (the ``postgres`` extra), not SQLAlchemy's
    default psycopg2.
    """
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(parsed)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, a large page cache, and real transactions (DDL included).

    Python's sqlite3 module (before 3.12) opens transactions itself, lazily and only
    before data changes; it is told to keep out so that BEGIN is issued when SQLAlchemy
    begins, and a migration or an import is atomic as a whole. The journal stays the
    default rollback journal: a WAL would write a large import twice.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic configuration for ecocluster's migrations, built in code (no alembic.ini).

    With a `connection`, migrations run on it (inside its transaction). Without one,
    they use the ``sqlalchemy.url`` option if set, else ``ECOCLUSTER_DB``, else
    ``ecocluster.sqlite``; developers write a new revision with
    ``alembic.command.revision(alembic_config(), message, autogenerate=True)``.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_store(engine: Engine) -> None:
    """Migrate the database to the schema of this version of ecocluster, atomically."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def _schema_revisions(engine: Engine) -> tuple[set[str], set[str]]:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
        heads = set(ScriptDirectory.from_config(alembic_config(connection)).get_heads())
    return current, heads


def open_store(db: str | os.PathLike[str] | None = None, *, upgrade: bool = True) -> Engine:
    """Open (and by default create or migrate) the database named by `db`.

    With ``upgrade=False`` the database must exist at the current schema revision;
    read-only commands use this so that they never create or change a database.
    """
    url = resolve_url(db)
    parsed = sa.make_url(url)
    database = parsed.database or ""
    on_disk = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if not upgrade and on_disk and not Path(database).exists():
        raise StoreError(f"no database at {database}")
    folder = Path(database).parent
    if on_disk and not folder.is_dir():
        raise StoreError(
            f"cannot create the database {database}: the folder {folder} does not exist"
        )
    engine = create_store_engine(url)
    try:
        if upgrade:
            upgrade_store(engine)
        else:
            current, heads = _schema_revisions(engine)
            if current != heads:
                raise StoreError(
                    f"the database {engine.url.render_as_string(hide_password=True)} has "
                    f"schema revision {', '.join(sorted(current)) or 'none'}; this version "
                    f"of ecocluster needs {', '.join(sorted(heads))}. Open it with upgrade "
                    "to migrate it (back it up first)."
                )
    except BaseException:
        engine.dispose()
        raise
    return engine


# ----------------------------------------------------------------- writing rows
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_escape(text: str) -> str:
    for char, escaped in _COPY_ESCAPES:
        text = text.replace(char, escaped)
    return text


def _copy_field(values: ObjectArray) -> list[str]:
    """A column in COPY's text format: escaped text, \\N for None and NaN.

    The column is converted, checked and escaped as one joined string, so the work per
    value happens in C.
    """
    missing = pd.isna(values)
    items = values[~missing].tolist() if missing.any() else values.tolist()
    texts = list(map(str, items))
    # NUL separates the values: PostgreSQL text cannot hold it, so a value with one is
    # refused by the server whatever is done here.
    joined = "\0".join(texts)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        if "\0" in "".join(texts):
            texts = [_copy_escape(text) for text in texts]
        else:
            texts = _copy_escape(joined).split("\0")
    if not missing.any():
        return texts
    out = np.full(len(values), "\\N", dtype=object)
    out[~missing] = texts
    return list(out.tolist())


def bulk_insert(
    connection: Connection,
    table: sa.Table,
    columns: Sequence[str],
    arrays: Sequence[ObjectArray],
    constants: Mapping[str, int] | None = None,
) -> None:
    """Insert rows given column-wise; `constants` are the same for every row.

    SQLite gets multi-row INSERT statements on the raw driver cursor, with the
    constants written into the statement to save binding them; PostgreSQL gets COPY
    in text format, built a column at a time (psycopg's ``write_row`` per row costs
    three times as much).
    """
    constants = dict(constants or {})
    rows = len(arrays[0]) if arrays else 0
    if rows == 0:
        return
    quote = connection.dialect.identifier_preparer.quote
    names = [*constants, *columns]
    dialect = connection.dialect.name
    driver = connection.connection.driver_connection
    if dialect == "sqlite":
        width = len(columns)
        flat = np.empty((rows, width), dtype=object)
        for index, array in enumerate(arrays):
            flat[:, index] = array
        params = flat.ravel().tolist()
        row_sql = "(" + ",".join([*(str(int(v)) for v in constants.values()), *"?" * width]) + ")"
        head = f"INSERT INTO {quote(table.name)} ({','.join(map(quote, names))}) VALUES "
        per = max(1, min(SQLITE_ROWS_PER_STATEMENT, _SQLITE_MAX_VARIABLES // max(width, 1)))
        step = per * width
        full = rows // per
        statement = head + ",".join([row_sql] * per)
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, full * step, step):
                cursor.execute(statement, params[start : start + step])
            if rows > full * per:
                cursor.execute(
                    head + ",".join([row_sql] * (rows - full * per)), params[full * step :]
                )
        finally:
            cursor.close()
    elif dialect == "postgresql":
        fields = [[str(int(value))] * rows for value in constants.values()]
        fields += [_copy_field(array) for array in arrays]
        text = "\n".join(map("\t".join, zip(*fields, strict=True))) + "\n"
        sql = f"COPY {quote(table.name)} ({','.join(map(quote, names))}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            copy.write(text)
    else:  # any other database SQLAlchemy knows: slower, but correct
        records = [
            {**constants, **dict(zip(columns, values, strict=True))}
            for values in zip(*(array.tolist() for array in arrays), strict=True)
        ]
        connection.execute(table.insert(), records)


def insert_answers(
    connection: Connection,
    wave_id: int,
    enterprise_ids: ObjectArray,
    question_ids: Sequence[int],
    values: ObjectArray,
) -> None:
    """Insert the non-empty cells of `values` (firms x questions; "", None, NaN: no answer).

    On SQLite one statement takes whole firms: each firm's id is bound once and its
    question ids are written into the statement, which then keeps the non-empty
    answers (``SELECT ... WHERE ?n <> '' UNION ALL ...``; SQLite binds NaN and None as
    NULL, which the condition drops too). That binds a third fewer
    parameters and needs no masking in Python: a fifth faster than three parameters
    per answer. Elsewhere, and for forms too wide for one statement, the non-empty
    cells become rows for `bulk_insert`.
    """
    firms, questions = values.shape
    if firms == 0 or questions == 0:
        return
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        width = questions + 1
        per = min(
            max(1, SQLITE_TERMS_PER_STATEMENT // questions),
            driver.getlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT) // questions,  # type: ignore[union-attr]
            driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width,  # type: ignore[union-attr]
        )
        if per >= 1:
            table = np.empty((firms, width), dtype=object)
            table[:, 0] = enterprise_ids
            table[:, 1:] = values
            params = table.ravel().tolist()

            def statement(count: int) -> str:
                return "INSERT INTO response (wave_id, enterprise_id, question_id, value) " + (
                    " UNION ALL ".join(
                        f"SELECT {int(wave_id)},?{firm * width + 1},{int(question_id)},"
                        f"?{firm * width + column} WHERE ?{firm * width + column}<>''"
                        for firm in range(count)
                        for column, question_id in enumerate(question_ids, start=2)
                    )
                )

            step = per * width
            full = firms // per * step
            cursor = driver.cursor()  # type: ignore[union-attr]
            try:
                sql = statement(per)
                for start in range(0, full, step):
                    cursor.execute(sql, params[start : start + step])
                if full < len(params):
                    cursor.execute(statement(firms - firms // per * per), params[full:])
            finally:
                cursor.close()
            return
    present = values.astype(bool) & ~pd.isna(values)
    bulk_insert(
        connection,
        response,
        ["enterprise_id", "question_id", "value"],
        [
            np.repeat(enterprise_ids, present.sum(axis=1)),
            np.broadcast_to(np.array(list(question_ids), dtype=object), values.shape)[present],
            values[present],
        ],
        {"wave_id": wave_id},
    )


def insert_ignoring(
    connection: Connection, table: sa.Table, rows: list[dict[str, Any]], key: str
) -> None:
    """Insert rows, skipping those whose `key` exists (also if a concurrent import adds it)."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        connection.execute(sqlite_insert(table).on_conflict_do_nothing(index_elements=[key]), rows)
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        connection.execute(pg_insert(table).on_conflict_do_nothing(index_elements=[key]), rows)
    else:
        connection.execute(table.insert(), rows)


# ----------------------------------------------------------------------- contents
@contextmanager
def connect(bind: Bind) -> Iterator[Connection]:
    """A connection from an engine (closed afterwards), or the connection given."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as connection:
            yield connection


def list_waves(bind: Bind) -> pd.DataFrame:
    """Waves with their instrument, number of firms and of completed imports."""
    log = import_log
    firms = sa.select(sa.func.count()).where(submission.c.wave_id == wave.c.id).scalar_subquery()
    imports = (
        sa.select(sa.func.count())
        .where(log.c.wave_id == wave.c.id, log.c.status == COMPLETE)
        .scalar_subquery()
    )
    query = (
        sa.select(wave.c.name, instrument.c.form_id, instrument.c.version, firms, imports)
        .join(instrument, instrument.c.id == wave.c.instrument_id)
        .order_by(wave.c.name)
    )
    with connect(bind) as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(
        {
            "wave": [row[0] for row in rows],
            "instrument": [f"{row[1]} {row[2]}".strip() for row in rows],
            "firms": [int(row[3]) for row in rows],
            "imports": [int(row[4]) for row in rows],
        }
    )


def list_imports(bind: Bind) -> pd.DataFrame:
    """Every import with its file, instrument, counts, times and status, oldest first."""
    log = import_log
    firms = (
        sa.select(sa.func.count())
        .where(submission.c.import_id == log.c.id)
        .scalar_subquery()
        .label("firms")
    )
    problems = (
        sa.select(sa.func.count())
        .where(problem.c.import_id == log.c.id)
        .scalar_subquery()
        .label("problems")
    )
    query = (
        sa.select(
            log.c.id,
            wave.c.name.label("wave"),
            log.c.file_name,
            log.c.sha256,
            log.c.size_bytes,
            log.c.rows,
            firms,
            problems,
            log.c.form_id,
            log.c.form_version,
            log.c.ecocluster_version,
            log.c.started_at,
            log.c.finished_at,
            log.c.status,
        )
        .join(wave, wave.c.id == log.c.wave_id)
        .order_by(log.c.id)
    )
    with connect(bind) as connection:
        result = connection.execute(query)
        return pd.DataFrame.from_records(
            [tuple(row) for row in result], columns=list(result.keys()), coerce_float=False
        )


def read_problems(bind: Bind, wave_name: str) -> pd.DataFrame:
    """The problems stored with a wave's completed imports (warnings: errors refuse a file).

    A report shows them under data quality, so that a reader sees what the figures rest on.
    """
    log = import_log
    query = (
        sa.select(
            log.c.file_name.label("file"),
            problem.c.row,
            problem.c.column,
            problem.c.question,
            problem.c.value,
            problem.c.rule,
            problem.c.severity,
            problem.c.message,
        )
        .join(log, log.c.id == problem.c.import_id)
        .join(wave, wave.c.id == log.c.wave_id)
        .where(wave.c.name == wave_name, log.c.status == COMPLETE)
        .order_by(log.c.id, problem.c.id)
    )
    with connect(bind) as connection:
        result = connection.execute(query)
        return pd.DataFrame.from_records(
            [tuple(row) for row in result], columns=list(result.keys()), coerce_float=False
        )


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is not None, value) for value in row)


def dump_content(bind: Bind, *, provenance: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every table as sorted tuples keyed by natural keys (codes, names), never by ids.

    Two databases holding the same data give equal dumps whatever the order of the
    imports. Without `provenance` the dump is the content alone: no import log, no
    problems, no timestamps and nothing that depends on the exported file (submission
    uuids and times, source rows), so two export styles of one data set compare equal.
    With it, every table and column but the surrogate ids. Meant for tests and small
    databases: it holds everything in memory.
    """
    form = (instrument.c.form_id, instrument.c.version, instrument.c.sha256)
    log = import_log
    the_import = (log.c.file_name, log.c.sha256, log.c.started_at)
    queries: dict[str, sa.Select[Any]] = {
        "instrument": sa.select(*form, instrument.c.title, instrument.c.definition),
        "question": sa.select(
            *form,
            question.c.name,
            question.c.type,
            question.c.list_name,
            question.c.position,
            question.c.label,
        )
        .select_from(question)
        .join(instrument, instrument.c.id == question.c.instrument_id),
        "cluster": sa.select(cluster.c.key, cluster.c.name, cluster.c.name_vi),
        "enterprise": sa.select(enterprise.c.code, cluster.c.key, enterprise.c.province)
        .select_from(enterprise)
        .outerjoin(cluster, cluster.c.id == enterprise.c.cluster_id),
        "wave": sa.select(wave.c.name, *form, *([wave.c.created_at] if provenance else []))
        .select_from(wave)
        .join(instrument, instrument.c.id == wave.c.instrument_id),
        "submission": sa.select(
            wave.c.name,
            enterprise.c.code,
            *(
                [submission.c.uuid, submission.c.submitted_at, *the_import, submission.c.source_row]
                if provenance
                else []
            ),
        )
        .select_from(submission)
        .join(wave, wave.c.id == submission.c.wave_id)
        .join(enterprise, enterprise.c.id == submission.c.enterprise_id)
        .join(log, log.c.id == submission.c.import_id),
        "response": sa.select(wave.c.name, enterprise.c.code, question.c.name, response.c.value)
        .select_from(response)
        .join(wave, wave.c.id == response.c.wave_id)
        .join(enterprise, enterprise.c.id == response.c.enterprise_id)
        .join(question, question.c.id == response.c.question_id),
    }
    if provenance:
        queries["import_log"] = (
            sa.select(
                wave.c.name,
                *the_import,
                log.c.size_bytes,
                log.c.rows,
                log.c.finished_at,
                log.c.form_id,
                log.c.form_version,
                log.c.ecocluster_version,
                log.c.status,
            )
            .select_from(log)
            .join(wave, wave.c.id == log.c.wave_id)
        )
        queries["problem"] = (
            sa.select(
                wave.c.name,
                *the_import,
                *(problem.c[name] for name in ("row", "column", "question", "value")),
                *(problem.c[name] for name in ("rule", "severity", "message")),
            )
            .select_from(problem)
            .join(log, log.c.id == problem.c.import_id)
            .join(wave, wave.c.id == log.c.wave_id)
        )
    with connect(bind) as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(query)), key=_sort_key)
            for name, query in queries.items()
        }
