"""Initial schema: instruments, clusters, enterprises, waves, imports and answers.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instrument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instrument"),
        sa.UniqueConstraint(
            "form_id", "version", "sha256", name="uq_instrument_form_id_version_sha256"
        ),
    )
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("list_name", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instrument.id"], name="fk_question_instrument_id_instrument"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_question"),
        sa.UniqueConstraint("instrument_id", "name", name="uq_question_instrument_id_name"),
    )
    op.create_table(
        "cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cluster"),
        sa.UniqueConstraint("key", name="uq_cluster_key"),
    )
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("province", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["cluster.id"], name="fk_enterprise_cluster_id_cluster"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_enterprise"),
        sa.UniqueConstraint("code", name="uq_enterprise_code"),
    )
    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instrument.id"], name="fk_wave_instrument_id_instrument"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_wave"),
        sa.UniqueConstraint("name", name="uq_wave_name"),
    )
    op.create_table(
        "import_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("form_id", sa.Text(), nullable=False),
        sa.Column("form_version", sa.Text(), nullable=False),
        sa.Column("ecocluster_version", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name="fk_import_log_wave_id_wave"),
        sa.PrimaryKeyConstraint("id", name="pk_import_log"),
    )
    op.create_index("ix_import_log_sha256", "import_log", ["sha256"], unique=False)
    op.create_table(
        "submission",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name="fk_submission_wave_id_wave"),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name="fk_submission_enterprise_id_enterprise"
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_log.id"], name="fk_submission_import_id_import_log"
        ),
        sa.PrimaryKeyConstraint("wave_id", "enterprise_id", name="pk_submission"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "response",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("wave_id", "enterprise_id", "question_id", name="pk_response"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("column", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_log.id"], name="fk_problem_import_id_import_log"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_problem"),
    )
    op.create_index("ix_problem_import_id", "problem", ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_problem_import_id", table_name="problem")
    op.drop_table("problem")
    op.drop_table("response")
    op.drop_table("submission")
    op.drop_index("ix_import_log_sha256", table_name="import_log")
    op.drop_table("import_log")
    op.drop_table("wave")
    op.drop_table("enterprise")
    op.drop_table("cluster")
    op.drop_table("question")
    op.drop_table("instrument")
