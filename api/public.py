"""Public routes for the Thotis site and the widget: filières, mentors, slots."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import Parameter, PathParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api import schemas
from api.cache import TtlCache
from api.convert import filiere_out, mentor_profile, public_mentor
from api.decoding import TIMEZONE_PATTERN, instant, instant_query
from api.deps import Session
from api.precompressed import PRECOMPRESSED, EncodedAnswer
from api.slot_json import slots_answer
from availability import zone
from scheduler import catalog
from scheduler.catalog import SLUG_PATTERN
from scheduler.platform import Clock, Database, ValidationFailed
from scheduler.schedules import filiere_next_free, mentor_slot_runs

DEFAULT_DAYS = 14
MAX_RANGE = timedelta(days=62)

# A filière's slug as stored (lowercase words joined by dashes): anything else is unknown, and
# never reaches the database (a NUL byte there would be a driver error, not a 404).
Slug = Annotated[str, PathParameter(max_length=60, pattern=SLUG_PATTERN)]

Timezone = Annotated[
    str,
    Parameter(
        description="IANA timezone in which to group and label the slots (the visitor's).",
        min_length=1,
        max_length=64,
        pattern=TIMEZONE_PATTERN,
    ),
]


# The window of a slot query, ``from`` and ``to`` (Python keeps those names): one pair of
# parameters and one reading of them for every slot route (this module's, api/first_free.py's).
SlotsFrom = Annotated[
    str | None, instant_query("from", "Début ; par défaut maintenant / Start; default now")
]
SlotsTo = Annotated[
    str | None,
    instant_query("to", "Fin ; par défaut from + 14 jours / End; default from + 14 days"),
]


def slot_range(now: datetime, start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """The window asked for: ``from`` (default now) to ``to`` (default 14 days on), at most 62
    days long."""
    begin = instant(start, "from") if start is not None else now
    finish = instant(end, "to") if end is not None else begin + timedelta(days=DEFAULT_DAYS)
    if finish <= begin:
        raise ValidationFailed("'to' must be after 'from'")
    if finish - begin > MAX_RANGE:
        raise ValidationFailed("the requested period cannot exceed 62 days")
    return begin, finish


async def _filiere_page(session: AsyncSession, slug: str, now: datetime) -> schemas.FiliereMentors:
    offer = await filiere_next_free(session, slug, now)
    return schemas.FiliereMentors(
        filiere=filiere_out(offer.filiere),
        mentors=[
            schemas.MentorCard(
                id=o.mentor.id,
                display_name=o.mentor.display_name,
                photo_url=o.mentor.photo_url,
                university=o.mentor.university,
                year_of_study=o.mentor.year_of_study,
                languages=list(o.mentor.languages),
                bio=o.mentor.bio,
                timezone=o.mentor.timezone,
                next_free_slot=o.next_free,
            )
            for o in offer.mentors
        ],
    )


class PublicController(Controller):
    path = "/v1"
    tags = ["public"]

    @get("/filieres", summary="Fields of study")
    async def filieres(self, session: Session) -> list[schemas.Filiere]:
        return [filiere_out(f) for f in await catalog.list_filieres(session)]

    @get(
        "/filieres/{slug:str}/mentors",
        summary="Mentors of a field of study, with their next free slot",
        opt={PRECOMPRESSED: True},
    )
    async def filiere_mentors(
        self, request: Request[Any, Any, Any], state: State, slug: Slug
    ) -> Response[schemas.FiliereMentors]:
        # No session or clock as dependencies: a cached answer (nearly every request) needs
        # neither, and opening and closing a session per request was a third of its cost.
        database: Database = state.database
        clock: Clock = state.clock
        cache: TtlCache[EncodedAnswer] = state.filiere_cache

        async def answer() -> EncodedAnswer:
            async with database.session() as session:
                page = await _filiere_page(session, slug, clock())
            return EncodedAnswer.of(msgspec.json.encode(page))

        # Encoded once per period, not per request. The annotation keeps the schema in OpenAPI.
        return (await cache.get(slug, answer)).response(request)  # type: ignore[return-value]

    @get("/mentors/{mentor_id:uuid}", summary="A mentor's public profile")
    async def mentor(self, session: Session, mentor_id: UUID) -> schemas.MentorProfile:
        return await mentor_profile(session, await public_mentor(session, mentor_id))

    @get(
        "/mentors/{mentor_id:uuid}/slots",
        summary="A mentor's free slots, by the visitor's local date",
        opt={PRECOMPRESSED: True},
    )
    async def slots(
        self,
        request: Request[Any, Any, Any],
        state: State,
        mentor_id: UUID,
        tz: Timezone = "Europe/Paris",
        start: SlotsFrom = None,
        end: SlotsTo = None,
    ) -> Response[schemas.MentorSlots]:
        zone(tz)  # an unknown zone is a 400 before anything else
        # The session is opened only to compute an answer, like the filière page's.
        database: Database = state.database
        now = state.clock()
        begin, finish = slot_range(now, start, end)
        cache: TtlCache[EncodedAnswer] = state.slots_cache

        async def answer() -> EncodedAnswer:
            async with database.session() as session:
                await public_mentor(session, mentor_id)
                runs = await mentor_slot_runs(session, mentor_id, now, begin, finish)
            return EncodedAnswer.of(slots_answer(mentor_id, tz, runs))

        # Keyed by the query as written: without 'from' the answer starts at the first request's
        # now and is reused for a second or two, like the filière page (booking re-checks).
        # Already-encoded bytes: the per-slot Structs and their encoding were most of the cost.
        found = await cache.get((mentor_id, tz, start, end), answer)
        # The body is a MentorSlots already encoded; the annotation keeps it in the OpenAPI.
        return found.response(request)  # type: ignore[return-value]
