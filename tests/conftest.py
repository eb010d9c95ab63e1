"""Shared fixtures: a database URL for each backend, synthetic survey responses, and the
bundled 2007 example analysed (`instrument`, `wide`, `analysis`, `evidence`; a module's own
fixture of the same name wins).

`store_url` runs a test on SQLite (a file in the test's temporary folder) and on
PostgreSQL when ``ECOCLUSTER_TEST_POSTGRES_URL`` names a server (``.ci/postgres.sh``
starts one and sets it). Each PostgreSQL test gets its own schema, dropped afterwards.
On CI (``CI=true``) a missing server is a failure, not a skip, so that PostgreSQL
support cannot silently go untested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from ecocluster.analysis import SurveyAnalysis

from ecocluster.instrument import Instrument, load_instrument
from ecocluster.survey.responses import Responses

POSTGRES_URL_VARIABLE = "ECOCLUSTER_TEST_POSTGRES_URL"


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _postgres_admin_url(server: str) -> sa.URL:
    url = sa.make_url(server)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of an empty database: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'test.sqlite'}"
        return
    server = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if not server:
        message = f"{POSTGRES_URL_VARIABLE} is not set (source .ci/postgres.sh to start a server)"
        if _on_ci():
            pytest.fail(f"CI must test PostgreSQL: {message}")
        pytest.skip(message)
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin_url = _postgres_admin_url(server)
    admin = sa.create_engine(admin_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    # search_path puts every table (and alembic_version) in the test's schema; the
    # application name lets teardown end connections a failed test left open.
    url = admin_url.update_query_dict(
        {"options": f"-csearch_path={name}", "application_name": name}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """An opened (migrated) store on each backend, disposed after the test."""
    from ecocluster.store import open_store

    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.dispose()


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load_instrument("red-river-2007")


SyntheticResponses = Callable[..., Responses]


def synthetic_responses(
    instrument: Instrument,
    firms: int,
    *,
    seed: int = 0,
    prefix: str = "E",
    blank: float = 0.1,
    file: str = "synthetic.csv",
) -> Responses:
    """Plausible answers for every question, built column-wise with numpy.

    Not validated against the form's rules (the store does not check them); about
    `blank` of the answers are left empty. Enterprise codes are `prefix` + a number.
    """
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    # Text that COPY and SQL must carry unchanged: tabs, line breaks, backslashes, \N.
    texts = np.array(["", "Lò gas", "Đồng Kỵ đồ gỗ", "tab\there", "line\nbreak\r\n", "\\N"])
    for question in instrument.questions.values():
        if question.name == instrument.concepts.get("enterprise_id"):
            columns[question.name] = np.char.add(prefix, np.arange(firms).astype(str)).astype(
                object
            )
            continue
        if question.is_select:
            names = np.array(instrument.choice_names(question), dtype=object)
            values = names[rng.integers(0, len(names), firms)]
        elif question.is_numeric:
            values = rng.integers(0, 11, firms).astype(str).astype(object)
        else:
            values = texts[rng.integers(0, len(texts), firms)].astype(object)
        values[rng.random(firms) < blank] = ""
        columns[question.name] = values
    data = pd.DataFrame(columns, dtype=str)
    meta = pd.DataFrame(
        {
            "_uuid": [f"{prefix}-{seed}-{index}" for index in range(firms)],
            "_submission_time": "2007-09-12T10:00:00",
        },
        dtype=str,
    )
    return Responses(
        data=data, meta=meta, source_row=np.arange(2, firms + 2, dtype=np.int64), file=file
    )


@pytest.fixture
def synthetic(instrument: Instrument) -> SyntheticResponses:
    """Factory: ``synthetic(firms, seed=..., prefix=...)`` for the bundled instrument."""

    def make(firms: int, **options: object) -> Responses:
        return synthetic_responses(instrument, firms, **options)  # type: ignore[arg-type]

    return make


# --------------------------------------------------------------------- the 2007 example
@pytest.fixture(scope="module")
def wide(instrument: Instrument) -> pd.DataFrame:
    from ecocluster.examples import get_example
    from ecocluster.survey.read import read_responses

    return read_responses(get_example("red-river-2007").responses, instrument).data


@pytest.fixture(scope="module")
def analysis(wide: pd.DataFrame, instrument: Instrument) -> SurveyAnalysis:
    from ecocluster.analysis import Study, analyse_survey

    study = Study(title="red-river-2007", wave="red-river-2007", instrument="red-river-2007")
    return analyse_survey(wide, instrument, study=study, fit_models=False)


@pytest.fixture(scope="module")
def evidence(analysis: SurveyAnalysis, wide: pd.DataFrame) -> pd.DataFrame:
    from ecocluster.eic import compute_cluster_evidence

    return compute_cluster_evidence(analysis, wide=wide)
