"""Drop indexes that only repeat the leading column of a constraint's index: fewer writes per transfer.

- ``finance_entry.account_id``: ``entry_account_time`` (account_id, created_at) serves it.
- ``finance_entry.transfer_id`` (and its ``varchar_pattern_ops`` twin): ``entry_one_per_side``
  (transfer_id, side) serves it.
- ``finance_transfer.pending_transfer_id`` (and twin): the unique ``transfer_pending_resolved_once``
  (pending_transfer_id, where not null) serves it.

The model says ``db_index=False``. The database side is written out by hand: Django's own
``AlterField`` would drop every single-column index on ``pending_transfer_id``, the unique
``transfer_pending_resolved_once`` included, and would drop and re-add the foreign keys. Here the
foreign keys and every constraint stay as they are; only the named plain indexes go.
"""

import django.db.models.deletion
from django.db import migrations, models

#: (index, table, column, PostgreSQL-only varchar_pattern_ops twin or None)
INDEXES = [
    ("finance_entry_account_id_c39b870c", "finance_entry", "account_id", None),
    ("finance_entry_transfer_id_5b393fa8", "finance_entry", "transfer_id", "finance_entry_transfer_id_5b393fa8_like"),
    (
        "finance_transfer_pending_transfer_id_1f0dc582",
        "finance_transfer",
        "pending_transfer_id",
        "finance_transfer_pending_transfer_id_1f0dc582_like",
    ),
]


def drop_indexes(apps, schema_editor):
    for name, _table, _column, like in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"', params=None)
        if like:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{like}"', params=None)


def create_indexes(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table, column, like in INDEXES:
        schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" ("{column}")', params=None)
        if like and postgresql:
            schema_editor.execute(
                f'CREATE INDEX "{like}" ON "{table}" ("{column}" varchar_pattern_ops)', params=None
            )


class Migration(migrations.Migration):
    dependencies = [("finance", "0004_postgres_transfer_engine")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="finance.account",
                        verbose_name="账户",
                    ),
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="transfer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="finance.transfer",
                        verbose_name="转账",
                    ),
                ),
                migrations.AlterField(
                    model_name="transfer",
                    name="pending_transfer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="resolutions",
                        to="finance.transfer",
                        verbose_name="对应的预留转账",
                    ),
                ),
            ],
        )
    ]
