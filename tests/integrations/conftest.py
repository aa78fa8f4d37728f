"""Fixtures of the integration tests: a real aiosmtpd server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testkit.smtp_sink import SmtpServer, running_smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server
