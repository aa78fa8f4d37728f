"""The one model registry: every domain's tables on one metadata.

Alembic's environment and the schema tests read ``metadata`` from here, so that a table added to
any domain is seen by ``alembic check`` and autogenerate (a registry that missed a domain would
have autogenerate propose dropping its live tables).
"""

from __future__ import annotations

from scheduler.booking import attestations as attestation_models
from scheduler.booking import models as booking_models
from scheduler.calendar import models as calendar_models
from scheduler.catalog import models as catalog_models
from scheduler.identity import models as identity_models
from scheduler.messaging import delivery as messaging_models
from scheduler.messaging import webhook_models
from scheduler.platform import Base, audit, outbox, rate_limits
from scheduler.schedules import models as schedules_models
from scheduler.staff import models as staff_models

metadata = Base.metadata

# Imported for their tables; named here so that the registry says which modules hold tables.
TABLE_MODULES = (
    audit,
    outbox,
    rate_limits,
    catalog_models,
    schedules_models,
    booking_models,
    attestation_models,
    calendar_models,
    messaging_models,
    webhook_models,
    identity_models,
    staff_models,
)
