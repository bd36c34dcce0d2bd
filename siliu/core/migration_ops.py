"""Operations shared by migrations."""

from typing import Any

from django.db import migrations


def postgresql_only(forward: str, backward: str) -> migrations.RunPython:
    """Run ``forward`` SQL on PostgreSQL (``backward`` to reverse); nothing on other databases.

    For what only PostgreSQL has — triggers, PL/pgSQL engines — beside the Python code that does the
    same on SQLite.
    """

    def install(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward, params=None)

    def remove(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward, params=None)

    return migrations.RunPython(install, remove)
