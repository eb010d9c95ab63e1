"""Alembic environment.

`ecocluster.store.upgrade_store` passes an open connection in
``config.attributes["connection"]`` so that the migration runs inside the caller's
transaction with the engine's settings (SQLite pragmas included). Without one (a
developer running ``alembic`` by hand), the database comes from the ``sqlalchemy.url``
option, else from ``ECOCLUSTER_DB``, else ``ecocluster.sqlite``, as for the CLI.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ecocluster.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    from ecocluster.store import resolve_url

    context.configure(
        url=resolve_url(config.get_main_option("sqlalchemy.url") or None),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from ecocluster.store import create_store_engine, resolve_url

    engine = create_store_engine(resolve_url(config.get_main_option("sqlalchemy.url") or None))
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
