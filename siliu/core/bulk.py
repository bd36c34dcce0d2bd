"""Many rows in one statement, for hot paths where ``bulk_create``/``bulk_update`` cost too much.

Django's bulk methods compile an expression per value (``bulk_update`` a ``CASE WHEN`` per field and
row); for a batch of a thousand rows that is most of the batch's time. These helpers send plain
values, already validated by the caller, in one ``INSERT … VALUES`` or ``UPDATE … FROM (VALUES …)``.
They work on PostgreSQL and on SQLite (3.35+ for ``RETURNING``, 3.33+ for ``UPDATE … FROM``).
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


def _fields(model: type[models.Model], field_names: Sequence[str]) -> list[models.Field]:
    fields = []
    for name in field_names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column, f"{name} is not a concrete column"
        fields.append(field)
    return fields


def insert_rows(
    model: type[models.Model], field_names: Sequence[str], instances: Sequence[models.Model]
) -> None:
    """Insert ``instances`` in one statement, setting their primary keys from ``RETURNING``."""
    if not instances:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = _fields(model, field_names)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = model._meta.pk
    assert pk is not None
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([placeholders] * len(instances))} RETURNING {quote(pk.column)}"
    )
    params = [
        field.get_db_prep_save(getattr(instance, field.attname), connection)
        for instance in instances
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    # Both databases return the rows of a multi-row VALUES insert in the order given.
    for instance, key in zip(instances, keys, strict=True):
        mark_saved(instance, key, alias=connection.alias)


def update_rows(
    model: type[models.Model], field_names: Sequence[str], instances: Sequence[models.Model]
) -> None:
    """Write ``field_names`` of ``instances`` (matched by primary key) in one statement."""
    if not instances:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    fields = [pk, *_fields(model, field_names)]
    casts = [f"CAST(%s AS {field.cast_db_type(connection)})" for field in fields]  # type: ignore[attr-defined]
    row = "(" + ", ".join(casts) + ")"
    table = quote(model._meta.db_table)
    assignments = ", ".join(
        f"{quote(field.column)} = new.column{index}" for index, field in enumerate(fields[1:], start=2)
    )
    sql = (
        f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(instances))}) AS new "
        f"WHERE {table}.{quote(pk.column)} = new.column1"
    )
    params = [
        field.get_db_prep_save(getattr(instance, field.attname), connection)
        for instance in instances
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def row_json(instance: models.Model) -> dict[str, Any]:
    """``instance``'s columns but the primary key, as JSON values by column name (times as ISO 8601),
    for a database function that inserts rows with ``jsonb_populate_record``."""
    row: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(instance, field.attname)
        row[field.column] = value.isoformat() if isinstance(value, datetime.date) else value
    return row


def mark_saved(instance: models.Model, pk: int, *, alias: str) -> None:
    """Record that ``instance`` was written as row ``pk`` by something other than the ORM."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = alias
