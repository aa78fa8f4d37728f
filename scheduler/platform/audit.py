"""The audit trail: who changed what. Details carry ids and settings, never personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Index,
    Text,
    insert,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.platform.actor import Actor
from scheduler.platform.models import Base, server_now


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


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    actor_kind: Mapped[str] = mapped_column(Text)  # visitor, mentor, staff, system
    actor_id: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    at: Mapped[datetime] = server_now()
