"""Suite-wide configuration: hypothesis profiles and the shared fixtures' plugins.

Profiles bound the examples so that `make test` stays within CI's budget; `bench/` holds the
longer soak (HYPOTHESIS_PROFILE=soak).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

pytest_plugins = [
    "tests.database",
    "tests.live",
    "testkit.pytest_google",
    "testkit.pytest_smtp",
]

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
    print_blob=True,
)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=60)
settings.register_profile("soak", parent=settings.get_profile("ci"), max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
