"""Importing survey responses into the database and reading them back.

An import happens in ONE transaction opened by the caller::

    engine = open_store("villages.sqlite")
    with engine.begin() as connection:
        writer = ImportWriter(connection, instrument=instrument, wave="red-river-2007",
                              file_name=..., sha256=..., size_bytes=...)
        writer.write(responses)
        writer.write_problems(problems)
        writer.finish(rows=len(responses))

If anything raises before the block ends, the database is left exactly as it was; this
is what makes `ImportRefused` a promise rather than a hope.

Speed matters (a benchmark imports a million firms with about forty answers each):
rows are built with numpy, new enterprise ids are assigned in one block by the writer
(no round trip per firm), and rows reach the database through the driver
(`ecocluster.schema.bulk_insert`).

The functions that open a database and list its contents live in `ecocluster.schema`
and are re-exported here, so that ``ecocluster.store`` is the one module to import.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecocluster import schema
from ecocluster.errors import ImportRefused
from ecocluster.instrument import Choice, Instrument, Question, build_instrument
from ecocluster.normalize import fold_key, normalize_text
from ecocluster.schema import (
    DB_ENVIRONMENT_VARIABLE,
    DEFAULT_DB,
    Bind,
    ObjectArray,
    StoreError,
    bulk_insert,
    connect,
    create_store_engine,
    dump_content,
    insert_answers,
    insert_ignoring,
    list_imports,
    list_waves,
    open_store,
    read_problems,
    resolve_url,
    upgrade_store,
)
from ecocluster.survey.responses import Responses

#: Firms per block when building response rows; bounds memory on large imports.
FIRMS_PER_BLOCK = 20_000
#: Name of the choice that means "not in the list" (XLSForm convention).
OTHER = "other"

IntArray = npt.NDArray[np.int64]

__all__ = [
    "DB_ENVIRONMENT_VARIABLE",
    "DEFAULT_DB",
    "ImportWriter",
    "StoreError",
    "create_store_engine",
    "dump_content",
    "list_imports",
    "list_waves",
    "load_wave_instrument",
    "open_store",
    "read_long",
    "read_problems",
    "read_wide",
    "resolve_url",
    "upgrade_store",
]


# ------------------------------------------------------------------------ helpers
def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _strings(series: pd.Series) -> ObjectArray:
    """Values of a column as a new object array of str (safe to modify), missing as ""."""
    # Not to_numpy(na_value=..., copy=True): pandas 3.1 returns a view for object dtype.
    values = series.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = ""
    return values


def _object_ints(values: npt.ArrayLike) -> ObjectArray:
    """Python ints in an object array: drivers bind them, not numpy scalars."""
    integers = np.asarray(values, dtype=np.int64)
    out = np.empty(integers.shape, dtype=object)
    out[...] = integers.tolist()
    return out


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -------------------------------------------------------------------------- import
def _definition(instrument: Instrument) -> str:
    """The sheets as JSON: enough to rebuild the instrument with `build_instrument`."""
    sheets = {
        name: {
            "columns": [str(column) for column in frame.columns],
            "rows": frame.fillna("").astype(str).to_numpy(dtype=object).tolist(),
        }
        for name, frame in instrument.sheets.items()
    }
    return json.dumps(
        {"form_id": instrument.form_id, "version": instrument.version, "sheets": sheets},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _submission_times(meta: pd.DataFrame) -> ObjectArray:
    """``_submission_time`` as UTC text in SQLAlchemy's SQLite format; None if absent."""
    rows = len(meta)
    if "_submission_time" not in meta.columns:
        return np.full(rows, None, dtype=object)
    parsed = pd.to_datetime(
        pd.Series(_strings(meta["_submission_time"]), dtype=object).replace("", None),
        errors="coerce",
        utc=True,
        format="ISO8601",
    )
    stamps = parsed.dt.tz_convert(None).to_numpy(dtype="datetime64[us]")
    text = np.strings.replace(np.datetime_as_string(stamps, unit="us"), "T", " ")
    out = text.astype(object)
    out[np.isnat(stamps)] = None
    return out


class ImportWriter:
    """Writes one file's responses into the database, inside the caller's transaction.

    The constructor does every check that can refuse the import before writing
    anything, then registers the instrument, the wave and the import. `write` may be
    called more than once (for a file read in chunks); `finish` marks the import
    complete. Nothing is committed here: the caller's ``engine.begin()`` block commits
    or rolls back the whole import.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        instrument: Instrument,
        wave: str,
        file_name: str,
        sha256: str,
        size_bytes: int,
        allow_duplicate: bool = False,
    ) -> None:
        if not connection.in_transaction():
            raise TypeError("ImportWriter needs a connection in a transaction (engine.begin())")
        self.connection = connection
        self.instrument = instrument
        self.wave = normalize_text(wave)
        self.file_name = file_name
        if not self.wave:
            raise ImportRefused("a wave needs a name")
        self._dialect = connection.dialect.name
        self._finished = False
        self._written: list[IntArray] = []
        self._wave_ids_before: IntArray | None = None
        self._cluster_question = self._concept_question("cluster")
        self._cluster_choices: dict[str, Choice] = {}
        self._cluster_aliases: dict[str, Choice] = {}
        if self._cluster_question and self._cluster_question.list_name:
            for choice in instrument.choices.get(self._cluster_question.list_name, []):
                self._cluster_choices[choice.name] = choice
                if choice.name != OTHER:
                    for alias in (choice.name, *choice.labels.values()):
                        self._cluster_aliases.setdefault(fold_key(alias), choice)

        if not allow_duplicate:
            self._refuse_duplicate_file(sha256)
        existing_wave = self._existing_wave()
        self.instrument_id, self.question_ids = self._register_instrument()
        if existing_wave is None:
            self.wave_id = self._insert(
                schema.wave,
                name=self.wave,
                instrument_id=self.instrument_id,
                created_at=_utcnow(),
            )
            self._wave_is_new = True
        else:
            self.wave_id = existing_wave
            self._wave_is_new = False
        from ecocluster import __version__

        self.import_id = self._insert(
            schema.import_log,
            wave_id=self.wave_id,
            file_name=file_name,
            sha256=sha256,
            size_bytes=int(size_bytes),
            started_at=_utcnow(),
            form_id=instrument.form_id,
            form_version=instrument.version,
            ecocluster_version=__version__,
            status=schema.RUNNING,
        )

    # ---------------------------------------------------------------- constructor
    def _insert(self, table: sa.Table, **values: Any) -> int:
        return int(
            self.connection.execute(
                table.insert().values(**values).returning(table.c.id)
            ).scalar_one()
        )

    def _concept_question(self, concept: str) -> Question | None:
        name = self.instrument.concepts.get(concept)
        return self.instrument.questions.get(name) if name else None

    def _refuse_duplicate_file(self, sha256: str) -> None:
        log, wave = schema.import_log, schema.wave
        earlier = self.connection.execute(
            sa.select(log.c.id, log.c.file_name, log.c.finished_at, wave.c.name)
            .join(wave, wave.c.id == log.c.wave_id)
            .where(log.c.sha256 == sha256, log.c.status == schema.COMPLETE)
            .order_by(log.c.id)
            .limit(1)
        ).first()
        if earlier is not None:
            when = earlier.finished_at.strftime("%Y-%m-%d %H:%M") if earlier.finished_at else "?"
            raise ImportRefused(
                f"{self.file_name}: this file was already imported on {when} UTC into wave "
                f"{earlier.name!r} (as {earlier.file_name!r}, import {earlier.id}); a file is "
                "imported once unless duplicates are allowed (--allow-duplicate)"
            )

    def _existing_wave(self) -> int | None:
        """Id of the wave if it exists; refuses a wave read with another instrument."""
        wave, instrument = schema.wave, schema.instrument
        row = self.connection.execute(
            sa.select(wave.c.id, instrument.c.form_id, instrument.c.version, instrument.c.sha256)
            .join(instrument, instrument.c.id == wave.c.instrument_id)
            .where(wave.c.name == self.wave)
        ).first()
        if row is None:
            return None
        ours = (self.instrument.form_id, self.instrument.version, self.instrument.sha256)
        if (row.form_id, row.version, row.sha256) != ours:
            raise ImportRefused(
                f"wave {self.wave!r} holds data read with instrument {row.form_id!r} version "
                f"{row.version!r} (sha256 {row.sha256[:12]}); {self.file_name} is read with "
                f"{ours[0]!r} version {ours[1]!r} (sha256 {ours[2][:12]}). Every file of a "
                "wave must be read with the same instrument: import it into a new wave, or "
                "read it with the wave's instrument"
            )
        return int(row.id)

    def _register_instrument(self) -> tuple[int, dict[str, int]]:
        """Id of the instrument (an identical one is reused) and of its questions."""
        instrument, question = schema.instrument, schema.question
        form = self.instrument
        found = self.connection.execute(
            sa.select(instrument.c.id).where(
                instrument.c.form_id == form.form_id,
                instrument.c.version == form.version,
                instrument.c.sha256 == form.sha256,
            )
        ).scalar()
        if found is None:
            found = self._insert(
                instrument,
                form_id=form.form_id,
                version=form.version,
                title=form.title,
                sha256=form.sha256,
                definition=_definition(form),
            )
            records = [
                {
                    "instrument_id": found,
                    "name": item.name,
                    "type": item.type,
                    "list_name": item.list_name,
                    "position": item.position,
                    "label": form.label(item),
                }
                for item in sorted(form.questions.values(), key=lambda item: item.position)
            ]
            if records:
                self.connection.execute(question.insert(), records)
        ids = self.connection.execute(
            sa.select(question.c.name, question.c.id).where(question.c.instrument_id == found)
        ).all()
        return int(found), {str(name): int(id_) for name, id_ in ids}

    # -------------------------------------------------------------------- public
    def existing_codes(self) -> set[str]:
        """Enterprise codes already in this wave, to seed duplicate checks."""
        submission, enterprise = schema.submission, schema.enterprise
        codes = self.connection.execute(
            sa.select(enterprise.c.code)
            .join(submission, submission.c.enterprise_id == enterprise.c.id)
            .where(submission.c.wave_id == self.wave_id)
        ).scalars()
        return set(codes)

    def write(self, responses: Responses) -> None:
        """Store a batch of submissions: enterprises, clusters, submissions, answers."""
        self._check_open()
        rows = len(responses)
        if rows == 0:
            return
        data = responses.data
        source_row = np.asarray(responses.source_row, dtype=np.int64)
        codes = self._codes(responses, source_row)
        self._refuse_repeated_codes(codes, source_row)
        cluster_ids = self._clusters(data)
        provinces = self._provinces(data)
        enterprise_ids = self._enterprises(codes, cluster_ids, provinces)
        bulk_insert(
            self.connection,
            schema.submission,
            ["enterprise_id", "uuid", "submitted_at", "source_row"],
            [
                _object_ints(enterprise_ids),
                self._uuids(responses.meta),
                _submission_times(responses.meta),
                _object_ints(source_row),
            ],
            {"wave_id": self.wave_id, "import_id": self.import_id},
        )
        self._responses(data, enterprise_ids)
        self._written.append(enterprise_ids)

    def write_problems(self, problems: pd.DataFrame) -> None:
        """Store the warnings found in this file alongside its data."""
        self._check_open()
        if len(problems) == 0:
            return
        columns = ["column", "question", "value", "rule", "severity", "message"]
        arrays = [
            _strings(problems[name].astype(str).where(problems[name].notna(), ""))
            if name in problems.columns
            else np.full(len(problems), "", dtype=object)
            for name in columns
        ]
        row = (
            pd.to_numeric(problems["row"], errors="coerce")
            if "row" in problems.columns
            else pd.Series(np.nan, index=problems.index)
        )
        row_values = np.array(
            [None if pd.isna(value) else int(value) for value in row.tolist()], dtype=object
        )
        bulk_insert(
            self.connection,
            schema.problem,
            ["row", *columns],
            [row_values, *arrays],
            {"import_id": self.import_id},
        )

    def finish(self, rows: int) -> int:
        """Mark the import complete (`rows`: data rows in the file); returns its id."""
        self._check_open()
        log = schema.import_log
        self.connection.execute(
            log.update()
            .where(log.c.id == self.import_id)
            .values(status=schema.COMPLETE, rows=int(rows), finished_at=_utcnow())
        )
        self._finished = True
        return self.import_id

    # ------------------------------------------------------------------- helpers
    def _check_open(self) -> None:
        if self._finished:
            raise RuntimeError(f"import {self.import_id} is already finished")

    def _codes(self, responses: Responses, source_row: IntArray) -> ObjectArray:
        """Enterprise code of each row: the enterprise_id answer, else _uuid, else wave:row."""
        data, meta = responses.data, responses.meta
        codes = np.full(len(data), "", dtype=object)
        name = self.instrument.concepts.get("enterprise_id")
        if name and name in data.columns:
            codes = _strings(data[name])
        missing = ~codes.astype(bool)
        if missing.any() and "_uuid" in meta.columns:
            codes[missing] = _strings(meta["_uuid"])[missing]
            missing = ~codes.astype(bool)
        if missing.any():
            codes[missing] = [f"{self.wave}:{row}" for row in source_row[missing].tolist()]
        return codes

    def _uuids(self, meta: pd.DataFrame) -> ObjectArray:
        if "_uuid" not in meta.columns:
            return np.full(len(meta), None, dtype=object)
        uuids = _strings(meta["_uuid"])
        uuids[~uuids.astype(bool)] = None
        return uuids

    def _refuse_repeated_codes(self, codes: ObjectArray, source_row: IntArray) -> None:
        repeated = pd.Series(codes).duplicated(keep=False).to_numpy()
        if not repeated.any():
            return
        frame = pd.DataFrame({"code": codes[repeated], "row": source_row[repeated]})
        groups = frame.groupby("code", sort=False)["row"].apply(list)
        shown = "; ".join(
            f"{code!r} in rows {', '.join(map(str, rows[:5]))}" for code, rows in groups[:5].items()
        )
        more = f" and {len(groups) - 5} more codes" if len(groups) > 5 else ""
        raise ImportRefused(
            f"{self.file_name}: enterprise codes appear more than once: {shown}{more}"
        )

    # ------------------------------------------------------------------ clusters
    def _cluster_name(self, value: str, other: str) -> tuple[str, str | None, bool] | None:
        """(display name, Vietnamese name, from the instrument) of a cluster answer."""
        choice = self._cluster_choices.get(value)
        if choice is not None and choice.name == OTHER:
            value = other
            choice = None
        text = normalize_text(value)
        if choice is None:
            choice = self._cluster_aliases.get(fold_key(text))
        if choice is not None:
            language = self.instrument.default_language
            return choice.labels.get(language) or choice.name, choice.labels.get("vi"), True
        if not fold_key(text):
            return None
        return text, None, False

    def _clusters(self, data: pd.DataFrame) -> IntArray:
        """Cluster id of each row (-1: none), registering clusters not seen before."""
        rows = len(data)
        question = self._cluster_question
        if question is None or question.name not in data.columns:
            return np.full(rows, -1, dtype=np.int64)
        values = _strings(data[question.name])
        other_name = self.instrument.concepts.get("cluster_other")
        if question.type == "select_one" and other_name and other_name in data.columns:
            is_other = values == OTHER
            values = values.copy()
            values[is_other] = values[is_other] + "\x1f" + _strings(data[other_name])[is_other]
        codes, uniques = pd.factorize(values)
        counts = np.bincount(codes, minlength=len(uniques))
        # Several spellings can fold to one key: an instrument label wins, else the
        # spelling used most often (the first one on a tie).
        best: dict[str, tuple[tuple[bool, int, int], str, str | None]] = {}
        keys: list[str | None] = []
        for index, unique in enumerate(uniques.tolist()):
            value, _, other = str(unique).partition("\x1f")
            named = self._cluster_name(value, other)
            if named is None:
                keys.append(None)
                continue
            name, name_vi, from_instrument = named
            key = fold_key(name)
            keys.append(key)
            rank = (from_instrument, int(counts[index]), -index)
            if key not in best or rank > best[key][0]:
                best[key] = (rank, name, name_vi)
        ids = self._upsert_clusters({key: (v[1], v[2], v[0][0]) for key, v in best.items()})
        lookup = np.array([ids[key] if key else -1 for key in keys], dtype=np.int64)
        return lookup[codes] if len(lookup) else np.full(rows, -1, dtype=np.int64)

    def _upsert_clusters(self, wanted: dict[str, tuple[str, str | None, bool]]) -> dict[str, int]:
        cluster = schema.cluster
        keys = sorted(wanted)
        existing: dict[str, Any] = {}
        for chunk in _chunks(keys):
            for row in self.connection.execute(sa.select(cluster).where(cluster.c.key.in_(chunk))):
                existing[row.key] = row
        new = [
            {"key": key, "name": wanted[key][0], "name_vi": wanted[key][1]}
            for key in keys
            if key not in existing
        ]
        insert_ignoring(self.connection, cluster, new, "key")
        for key, row in existing.items():
            name, name_vi, from_instrument = wanted[key]
            # The instrument's labels are authoritative; a name typed in the field never
            # replaces a name already stored.
            if from_instrument and (row.name, row.name_vi) != (name, name_vi or row.name_vi):
                self.connection.execute(
                    cluster.update()
                    .where(cluster.c.id == row.id)
                    .values(name=name, name_vi=name_vi or row.name_vi)
                )
        ids: dict[str, int] = {}
        for chunk in _chunks(keys):
            query = sa.select(cluster.c.key, cluster.c.id).where(cluster.c.key.in_(chunk))
            ids.update({str(key): int(id_) for key, id_ in self.connection.execute(query)})
        return ids

    def _provinces(self, data: pd.DataFrame) -> ObjectArray:
        """Province of each row as its label in the default language (None: unknown)."""
        question = self._concept_question("province")
        if question is None or question.name not in data.columns:
            return np.full(len(data), None, dtype=object)
        codes, uniques = pd.factorize(_strings(data[question.name]))
        labels = []
        for unique in uniques.tolist():
            text = normalize_text(str(unique))
            if question.list_name and text:
                text = self.instrument.choice_label(question, text)
            labels.append(text or None)
        return np.array([*labels, None], dtype=object)[codes]

    # --------------------------------------------------------------- enterprises
    def _existing_enterprises(self, codes: ObjectArray) -> pd.DataFrame:
        """Stored enterprises among `codes`: code, id, cluster_id, province.

        One index probe per code, through the driver: ``IN`` lists as long as SQLite
        allows, one ``= ANY(array)`` on PostgreSQL.
        """
        columns = ["code", "id", "cluster_id", "province"]
        enterprise = schema.enterprise
        records: list[tuple[Any, ...]] = []
        if self.connection.execute(sa.select(sa.func.max(enterprise.c.id))).scalar() is not None:
            unique = pd.unique(codes).tolist()
            driver = self.connection.connection.driver_connection
            select = "SELECT code, id, cluster_id, province FROM enterprise WHERE code"
            if self._dialect == "sqlite":
                size = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
                for part in _chunks(unique, size):
                    marks = ",".join("?" * len(part))
                    records += self.connection.exec_driver_sql(
                        f"{select} IN ({marks})", tuple(part)
                    ).all()
            elif self._dialect == "postgresql":
                records += self.connection.exec_driver_sql(f"{select} = ANY(%s)", (unique,)).all()
            else:
                query = sa.select(*(enterprise.c[name] for name in columns))
                for part in _chunks(unique):
                    records += self.connection.execute(
                        query.where(enterprise.c.code.in_(part))
                    ).all()
        return pd.DataFrame.from_records(
            [tuple(record) for record in records], columns=columns, coerce_float=False
        )

    def _enterprises(
        self, codes: ObjectArray, cluster_ids: IntArray, provinces: ObjectArray
    ) -> IntArray:
        """Enterprise id of each row; new enterprises are inserted, known ones updated.

        New ids are assigned here in one block after the largest id (on PostgreSQL under
        a table lock, with the sequence moved past them), so that a million firms need
        no round trip each and their answers can be built from arrays right away.
        """
        connection, enterprise = self.connection, schema.enterprise
        if self._dialect == "postgresql":
            connection.exec_driver_sql("LOCK TABLE enterprise IN SHARE ROW EXCLUSIVE MODE")
        stored = self._existing_enterprises(codes)
        position = pd.Index(stored["code"], dtype=object).get_indexer(codes)
        known = position >= 0
        ids = np.empty(len(codes), dtype=np.int64)
        if known.any():
            stored_ids = stored["id"].to_numpy(dtype=np.int64)
            ids[known] = stored_ids[position[known]]
            self._refuse_already_in_wave(ids[known], codes[known])
            self._update_enterprises(stored, position, known, cluster_ids, provinces)
        new = ~known
        if new.any():
            start = connection.execute(sa.select(sa.func.max(enterprise.c.id))).scalar() or 0
            ids[new] = np.arange(start + 1, start + 1 + int(new.sum()), dtype=np.int64)
            new_clusters = _object_ints(cluster_ids[new])
            new_clusters[cluster_ids[new] < 0] = None
            bulk_insert(
                connection,
                enterprise,
                ["id", "code", "cluster_id", "province"],
                [_object_ints(ids[new]), codes[new], new_clusters, provinces[new]],
            )
            if self._dialect == "postgresql":
                connection.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('enterprise', 'id'), "
                    "(SELECT max(id) FROM enterprise))"
                )
        return ids

    def _update_enterprises(
        self,
        stored: pd.DataFrame,
        position: npt.NDArray[np.intp],
        known: npt.NDArray[np.bool_],
        cluster_ids: IntArray,
        provinces: ObjectArray,
    ) -> None:
        """The latest import says where a known firm is; a missing answer changes nothing."""
        old = stored.iloc[position[known]]
        old_cluster = old["cluster_id"].to_numpy(dtype=object)
        old_province = old["province"].to_numpy(dtype=object)
        new_cluster = cluster_ids[known]
        new_province = provinces[known]
        cluster = np.where(new_cluster >= 0, _object_ints(new_cluster), old_cluster)
        province = np.where(pd.isna(new_province), old_province, new_province)
        changed = (cluster != old_cluster) | (province != old_province)
        if not changed.any():
            return
        enterprise = schema.enterprise
        self.connection.execute(
            enterprise.update()
            .where(enterprise.c.id == sa.bindparam("_id"))
            .values(cluster_id=sa.bindparam("_cluster"), province=sa.bindparam("_province")),
            [
                {
                    "_id": int(id_),
                    "_cluster": None if pd.isna(c) else int(c),
                    "_province": None if pd.isna(p) else p,
                }
                for id_, c, p in zip(
                    old["id"].to_numpy()[changed], cluster[changed], province[changed], strict=True
                )
            ],
        )

    def _refuse_already_in_wave(self, ids: IntArray, codes: ObjectArray) -> None:
        """Refuse firms this wave already has, from an earlier import or an earlier batch."""
        earlier = list(self._written)
        if not self._wave_is_new:
            if self._wave_ids_before is None:
                submission = schema.submission
                stored = self.connection.execute(
                    sa.select(submission.c.enterprise_id).where(
                        submission.c.wave_id == self.wave_id,
                        submission.c.import_id != self.import_id,
                    )
                ).scalars()
                self._wave_ids_before = np.fromiter(stored, dtype=np.int64)
            earlier.append(self._wave_ids_before)
        if not earlier:
            return
        repeated = np.isin(ids, np.concatenate(earlier))
        if repeated.any():
            shown = ", ".join(repr(code) for code in codes[repeated][:5].tolist())
            more = f" and {int(repeated.sum()) - 5} more" if repeated.sum() > 5 else ""
            raise ImportRefused(
                f"{self.file_name}: wave {self.wave!r} already has enterprise(s) {shown}{more}; "
                "an enterprise answers a wave once"
            )

    # ----------------------------------------------------------------- responses
    def _responses(self, data: pd.DataFrame, enterprise_ids: IntArray) -> None:
        """Insert the non-empty answers in primary-key order, a block of firms at a time."""
        columns = [name for name in data.columns if name in self.question_ids]
        if not columns:
            return
        columns.sort(key=self.question_ids.__getitem__)
        question_ids = [self.question_ids[name] for name in columns]
        # Views, not copies: missing values (NaN, None) are dropped by insert_answers.
        answers = [data[name].to_numpy(dtype=object) for name in columns]
        order = np.argsort(enterprise_ids, kind="stable")
        firm_ids = _object_ints(enterprise_ids[order])
        for start in range(0, len(order), FIRMS_PER_BLOCK):
            rows = order[start : start + FIRMS_PER_BLOCK]
            values = np.empty((len(rows), len(columns)), dtype=object)
            for index, answer in enumerate(answers):
                values[:, index] = answer[rows]
            insert_answers(
                self.connection,
                self.wave_id,
                firm_ids[start : start + len(rows)],
                question_ids,
                values,
            )


# ------------------------------------------------------------------------- reading
def _wave_row(connection: Connection, name: str) -> Any:
    wave = schema.wave
    row = connection.execute(
        sa.select(wave.c.id, wave.c.instrument_id).where(wave.c.name == normalize_text(name))
    ).first()
    if row is None:
        names = connection.execute(sa.select(wave.c.name).order_by(wave.c.name)).scalars().all()
        known = f"waves: {', '.join(names)}" if names else "the database has no waves yet"
        raise StoreError(f"no wave {name!r} in the database ({known})")
    return row


def load_wave_instrument(bind: Bind, wave: str) -> Instrument:
    """The instrument a wave was read with, rebuilt from the copy kept in the database."""
    instrument = schema.instrument
    with connect(bind) as connection:
        row = _wave_row(connection, wave)
        stored = connection.execute(
            sa.select(instrument.c.definition).where(instrument.c.id == row.instrument_id)
        ).scalar_one()
    definition = json.loads(stored)
    sheets = {
        name: pd.DataFrame(sheet["rows"], columns=sheet["columns"], dtype=object).astype(str)
        for name, sheet in definition["sheets"].items()
    }
    return build_instrument(sheets, source=f"{definition['form_id']} {definition['version']}")


def _wave_firms(connection: Connection, wave_id: int) -> pd.DataFrame:
    """Firms of a wave (id, code, cluster key or ""), in the order of their files."""
    submission, enterprise, cluster = schema.submission, schema.enterprise, schema.cluster
    rows = connection.execute(
        sa.select(enterprise.c.id, enterprise.c.code, sa.func.coalesce(cluster.c.key, ""))
        .select_from(submission)
        .join(enterprise, enterprise.c.id == submission.c.enterprise_id)
        .outerjoin(cluster, cluster.c.id == enterprise.c.cluster_id)
        .where(submission.c.wave_id == wave_id)
        .order_by(submission.c.import_id, submission.c.source_row, enterprise.c.code)
    ).all()
    return pd.DataFrame.from_records(
        [tuple(row) for row in rows], columns=["id", "code", "cluster"], coerce_float=False
    )


def _questions(connection: Connection, instrument_id: int) -> pd.DataFrame:
    question = schema.question
    rows = connection.execute(
        sa.select(question.c.id, question.c.name)
        .where(question.c.instrument_id == instrument_id)
        .order_by(question.c.position)
    ).all()
    return pd.DataFrame.from_records([tuple(row) for row in rows], columns=["id", "name"])


def _answers(connection: Connection, wave_id: int) -> tuple[IntArray, IntArray, ObjectArray]:
    """(enterprise id, question id, value) of every stored answer of a wave, in key order."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        "SELECT enterprise_id, question_id, value FROM response "
        f"WHERE wave_id = {mark} ORDER BY enterprise_id, question_id"
    )
    parts: list[ObjectArray] = []
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, (wave_id,))
        while block := cursor.fetchmany(500_000):
            parts.append(np.array(block, dtype=object).reshape(-1, 3))
    finally:
        cursor.close()
    rows = np.concatenate(parts) if parts else np.empty((0, 3), dtype=object)
    return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64), rows[:, 2]


def read_long(bind: Bind, wave: str) -> pd.DataFrame:
    """Answers of a wave, one row per answer: enterprise, cluster (key), question, value."""
    with connect(bind) as connection:
        row = _wave_row(connection, wave)
        firms = _wave_firms(connection, row.id)
        questions = _questions(connection, row.instrument_id)
        firm_ids, question_ids, values = _answers(connection, row.id)
    firm = pd.Index(firms["id"]).get_indexer(firm_ids)
    question = pd.Index(questions["id"]).get_indexer(question_ids)
    return pd.DataFrame(
        {
            "enterprise": firms["code"].to_numpy(dtype=object)[firm],
            "cluster": firms["cluster"].to_numpy(dtype=object)[firm],
            "question": questions["name"].to_numpy(dtype=object)[question],
            "value": values,
        },
        dtype=str,
    )


def read_wide(bind: Bind, wave: str) -> pd.DataFrame:
    """A wave as one row per enterprise (index: code) and one column per question.

    Missing answers are "", as in `Responses.data`; the ``_cluster`` column (first)
    holds the cluster key, since the instrument may have a question named ``cluster``.
    """
    with connect(bind) as connection:
        row = _wave_row(connection, wave)
        firms = _wave_firms(connection, row.id)
        questions = _questions(connection, row.instrument_id)
        firm_ids, question_ids, values = _answers(connection, row.id)
    table = np.full((len(firms), len(questions)), "", dtype=object)
    table[
        pd.Index(firms["id"]).get_indexer(firm_ids),
        pd.Index(questions["id"]).get_indexer(question_ids),
    ] = values
    frame = pd.DataFrame(table, columns=questions["name"].tolist(), dtype=str)
    frame.insert(0, "_cluster", firms["cluster"].astype(str).to_numpy())
    frame.index = pd.Index(firms["code"].astype(str), name="enterprise")
    return frame
