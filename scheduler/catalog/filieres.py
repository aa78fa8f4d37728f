"""Filières (fields of study): create, update, list; and the input rules the catalog shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.catalog.models import Filiere
from scheduler.catalog.records import FiliereRecord
from scheduler.platform import Actor, NotFound, ValidationFailed, record, unit_of_work

# A filière's slug, as in its page's URL; the API's schemas state the same pattern.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


_SLUG = re.compile(SLUG_PATTERN)


_LANGUAGE = re.compile(r"^[a-z]{2}$")


def normalize_email(value: str) -> str:
    """Lower-cased, syntax-checked address (no DNS lookup: the request path stays offline)."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except (EmailNotValidError, AttributeError) as error:
        # The checker's reason, not the address: a problem detail may end up in a log.
        raise ValidationFailed(f"email: {error}") from error
    return checked.normalized.lower()


def _text(value: str, name: str, *, max_length: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be text")
    value = value.strip()
    if (not value and not allow_empty) or len(value) > max_length:
        raise ValidationFailed(f"{name} must have 1 to {max_length} characters")
    return value


def _filiere(row: Any) -> FiliereRecord:
    return FiliereRecord(row.id, row.slug, row.name_fr, row.name_en)


async def create_filiere(
    session: AsyncSession, slug: str, name_fr: str, name_en: str, actor: Actor
) -> FiliereRecord:
    if not isinstance(slug, str) or not _SLUG.match(slug) or len(slug) > 60:
        raise ValidationFailed(f"{slug!r} is not a slug (lowercase letters, digits and dashes)")
    values = {
        "slug": slug,
        "name_fr": _text(name_fr, "name_fr", max_length=120),
        "name_en": _text(name_en, "name_en", max_length=120),
    }
    async with unit_of_work(session):
        if await _filiere_id(session, slug) is not None:
            raise ValidationFailed(f"the filière {slug!r} already exists")
        row = (
            await session.execute(
                insert(Filiere)
                .values(**values)
                .returning(Filiere.id, Filiere.slug, Filiere.name_fr, Filiere.name_en)
            )
        ).one()
        await record(session, actor, "create", "filiere", row.id, {"slug": slug})
    return _filiere(row)


async def update_filiere(
    session: AsyncSession,
    slug: str,
    actor: Actor,
    *,
    name_fr: str | None = None,
    name_en: str | None = None,
) -> FiliereRecord:
    values: dict[str, str] = {}
    if name_fr is not None:
        values["name_fr"] = _text(name_fr, "name_fr", max_length=120)
    if name_en is not None:
        values["name_en"] = _text(name_en, "name_en", max_length=120)
    async with unit_of_work(session):
        statement = update(Filiere).where(Filiere.slug == slug)
        row = (
            await session.execute(
                statement.values(**values).returning(
                    Filiere.id, Filiere.slug, Filiere.name_fr, Filiere.name_en
                )
                if values
                else select(Filiere.id, Filiere.slug, Filiere.name_fr, Filiere.name_en).where(
                    Filiere.slug == slug
                )
            )
        ).first()
        if row is None:
            raise NotFound(f"no filière {slug!r}")
        await record(session, actor, "update", "filiere", row.id, {"fields": sorted(values)})
    return _filiere(row)


async def list_filieres(session: AsyncSession) -> list[FiliereRecord]:
    rows = await session.execute(
        select(Filiere.id, Filiere.slug, Filiere.name_fr, Filiere.name_en).order_by(Filiere.name_fr)
    )
    return [_filiere(row) for row in rows]


async def get_filiere(session: AsyncSession, slug: str) -> FiliereRecord:
    row = (
        await session.execute(
            select(Filiere.id, Filiere.slug, Filiere.name_fr, Filiere.name_en).where(
                Filiere.slug == slug
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"no filière {slug!r}")
    return _filiere(row)


async def _filiere_id(session: AsyncSession, slug: str) -> UUID | None:
    return (await session.execute(select(Filiere.id).where(Filiere.slug == slug))).scalar()


async def _filiere_ids(session: AsyncSession, slugs: Iterable[str]) -> list[UUID]:
    wanted = list(dict.fromkeys(slugs))
    rows = (
        await session.execute(select(Filiere.slug, Filiere.id).where(Filiere.slug.in_(wanted)))
    ).all()
    found = {row.slug: row.id for row in rows}
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        raise ValidationFailed(f"unknown filière(s): {', '.join(missing)}")
    return [found[slug] for slug in wanted]
