"""pytest plugin: the SMTP sink as a fixture.

``smtp`` is a real aiosmtpd server on 127.0.0.1 per test, recording what it accepts and
answering the failures a test scripts. Listed in the root conftest's ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testkit.smtp_sink import SmtpServer, running_smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server
