"""The audit trail: who changed what. Details carry ids and settings, never personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.models import AuditEntry
from scheduler.records import Actor


def audit_values(
    actor: Actor, action: str, entity: str, entity_id: object, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "details": details or {},
    }


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    await session.execute(
        insert(AuditEntry).values(**audit_values(actor, action, entity, entity_id, details))
    )
