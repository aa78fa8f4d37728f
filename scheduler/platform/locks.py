"""Cluster-wide mutual exclusion for start-up work that replicas would otherwise do together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import make_conninfo

from scheduler.platform.databases import libpq_params
from scheduler.platform.db import normalize_url

# Seeding the demo on an empty database: two replicas starting together would both find it
# empty and insert the same filières and mentors.
SEED_LOCK = 0x74686F746973_01


@contextmanager
def advisory_lock(url: str, key: int) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock ``key`` on the database at ``url`` (waiting for
    it); released when the block ends, or when this process dies and its connection closes."""
    conninfo = make_conninfo("", **libpq_params(normalize_url(url)))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (key,))
