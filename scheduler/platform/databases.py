"""Databases on a PostgreSQL server (the embedded one or any other): create, drop, and the
libpq parameters of a URL. Used by the command line, the tests and the benches."""

from __future__ import annotations

from sqlalchemy.engine import URL


def create_database(admin_url: URL, name: str, template: str | None = None) -> None:
    """CREATE DATABASE ``name`` (from ``template``) unless it exists; psycopg, autocommit."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_conninfo(admin_url), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists:
            return
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        connection.execute(statement)


def drop_database(admin_url: URL, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_conninfo(admin_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _conninfo(url: URL) -> str:
    # One conninfo string rather than connect(**libpq_params(url)): psycopg.connect's keyword
    # arguments include typed options (autocommit, row_factory, ...) that a dict[str, str]
    # cannot be checked against; connect() builds the same string from keywords anyway.
    from psycopg.conninfo import make_conninfo

    return make_conninfo(**libpq_params(url))


def libpq_params(url: URL) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[0]
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.password:
        params["password"] = url.password
    params["dbname"] = url.database or "postgres"
    return params
