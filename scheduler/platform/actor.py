"""Who makes a change, for the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

ActorKind = Literal["visitor", "mentor", "staff", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, for the audit trail."""

    kind: ActorKind
    id: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @classmethod
    def staff(cls, who: str | None = None) -> Actor:
        return cls("staff", who)

    @classmethod
    def mentor(cls, mentor_id: UUID) -> Actor:
        return cls("mentor", str(mentor_id))
