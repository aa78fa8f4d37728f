"""The Thotis team's routes (``/v1/staff``), called server to server with a staff API key:
filières, mentors and their tokens, the booking ledger (JSON and CSV), statistics and the
visitors' questions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api import admin_schemas as out
from api import schemas
from api.auth import STAFF_SCHEME, StaffActor, provide_staff_actor, staff_guard
from api.convert import filiere_out, response
from api.csv_cells import csv_cell
from api.decoding import instant_query, optional_instant
from api.deps import AppSettings, Now, Session
from api.mentor import mentor_account
from api.text import clean_text
from scheduler import booking as booking_service
from scheduler import catalog
from scheduler.booking import BookingRecord
from scheduler.catalog import SLUG_PATTERN
from scheduler.identity import credentials as credentials
from scheduler.platform import MentorUnavailable, ValidationFailed
from scheduler.staff import questions, reports

From = Annotated[
    str | None,
    instant_query("from", "Rendez-vous commençant à partir de / Bookings starting at or after"),
]
To = Annotated[
    str | None, instant_query("to", "Rendez-vous commençant avant / Bookings starting before")
]
FiliereFilter = Annotated[
    str | None,
    Parameter(
        description="Slug of the filière page the visitor booked from",
        max_length=60,
        pattern=SLUG_PATTERN,
    ),
]
SlugPath = Annotated[str, Parameter(max_length=60, pattern=SLUG_PATTERN)]
Limit = Annotated[int, Parameter(ge=1, le=reports.MAX_PAGE, description="Page size")]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000, description="Rows to skip")]

CSV_COLUMNS = (
    "id",
    "series_id",
    "start",
    "end",
    "status",
    "filiere",
    "mentor_id",
    "mentor_name",
    "visitor_first_name",
    "visitor_email",
    "visitor_question",
    "visitor_timezone",
    "language",
    "cancelled_by",
    "cancel_reason",
    "cancelled_at",
    "created_at",
)


def bookings_csv(lines: list[reports.BookingLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow([csv_cell(getattr(line, column)) for column in CSV_COLUMNS])
    # The BOM lets spreadsheet software read the accents of French names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def _staff_booking(line: reports.BookingLine) -> out.StaffBooking:
    return response(out.StaffBooking, line)


def _counts(counts: reports.Counts) -> out.Counts:
    return response(out.Counts, counts)


def _optional(value: str | None, *, multiline: bool = False) -> str | None:
    return None if value is None else clean_text(value, multiline=multiline)


def _url(value: str | None) -> str | None:
    """A URL is not text to tidy: one with spaces or control characters is refused."""
    if value and (clean_text(value) != value or any(c.isspace() for c in value)):
        raise ValidationFailed("photo_url: spaces and control characters are not allowed")
    return value


class StaffController(Controller):
    path = "/v1/staff"
    tags = ["staff"]
    guards = [staff_guard]
    dependencies = {"staff": Provide(provide_staff_actor, sync_to_thread=False)}
    security = [{STAFF_SCHEME: []}]
    # Staff answers carry personal data: no cache anywhere keeps them.
    cache_control = CacheControlHeader(no_store=True)

    # --- filières -------------------------------------------------------------------------

    @post("/filieres", summary="Create a filière")
    async def create_filiere(
        self, session: Session, staff: StaffActor, data: out.FiliereCreate
    ) -> schemas.Filiere:
        created = await catalog.create_filiere(
            session, data.slug, clean_text(data.name_fr), clean_text(data.name_en), staff
        )
        return filiere_out(created)

    @patch("/filieres/{slug:str}", summary="Rename a filière")
    async def update_filiere(
        self, session: Session, staff: StaffActor, slug: SlugPath, data: out.FiliereUpdate
    ) -> schemas.Filiere:
        updated = await catalog.update_filiere(
            session,
            slug,
            staff,
            name_fr=_optional(data.name_fr),
            name_en=_optional(data.name_en),
        )
        return filiere_out(updated)

    # --- mentors --------------------------------------------------------------------------

    @get("/mentors", summary="Mentors, deactivated ones included")
    async def mentors(
        self,
        session: Session,
        filiere: FiliereFilter = None,
        include_inactive: Annotated[
            bool, Parameter(description="Include deactivated mentors")
        ] = True,
    ) -> list[out.MentorAccount]:
        found = await catalog.list_mentors(session, filiere, include_inactive=include_inactive)
        return [mentor_account(m) for m in found]

    @get("/mentors/{mentor_id:uuid}", summary="One mentor")
    async def mentor(self, session: Session, mentor_id: UUID) -> out.MentorAccount:
        return mentor_account(await catalog.get_mentor(session, mentor_id))

    @post("/mentors", summary="Create a mentor")
    async def create_mentor(
        self, session: Session, staff: StaffActor, data: out.MentorCreate
    ) -> out.MentorAccount:
        created = await catalog.create_mentor(
            session,
            catalog.MentorFields(
                display_name=clean_text(data.display_name),
                email=data.email,
                university=clean_text(data.university),
                year_of_study=data.year_of_study,
                filieres=tuple(data.filieres),
                bio=clean_text(data.bio, multiline=True),
                photo_url=_url(data.photo_url),
                languages=tuple(data.languages),
                timezone=data.timezone,
                allow_reply_to=data.allow_reply_to,
            ),
            staff,
        )
        return mentor_account(created)

    @patch(
        "/mentors/{mentor_id:uuid}",
        summary="Change a mentor's profile (partial)",
    )
    async def update_mentor(
        self, session: Session, staff: StaffActor, mentor_id: UUID, data: out.MentorUpdate
    ) -> out.MentorAccount:
        changes = catalog.MentorChanges(
            display_name=_optional(data.display_name),
            email=data.email,
            university=_optional(data.university),
            year_of_study=data.year_of_study,
            filieres=tuple(data.filieres) if data.filieres is not None else None,
            bio=_optional(data.bio, multiline=True),
            photo_url=_url(data.photo_url),
            languages=tuple(data.languages) if data.languages is not None else None,
            timezone=data.timezone,
            allow_reply_to=data.allow_reply_to,
            paused=data.paused,
        )
        return mentor_account(await catalog.update_mentor(session, mentor_id, changes, staff))

    @post(
        "/mentors/{mentor_id:uuid}/deactivate",
        summary="Deactivate a mentor (offered nowhere; existing bookings stay)",
        status_code=200,
    )
    async def deactivate(
        self, session: Session, staff: StaffActor, mentor_id: UUID
    ) -> out.MentorAccount:
        return mentor_account(await catalog.set_mentor_active(session, mentor_id, False, staff))

    @post(
        "/mentors/{mentor_id:uuid}/activate",
        summary="Reactivate a mentor",
        status_code=200,
    )
    async def activate(
        self, session: Session, staff: StaffActor, mentor_id: UUID
    ) -> out.MentorAccount:
        return mentor_account(await catalog.set_mentor_active(session, mentor_id, True, staff))

    @post(
        "/mentors/{mentor_id:uuid}/tokens",
        summary="Issue a bearer token for a mentor's own routes (shown once)",
    )
    async def issue_token(
        self,
        session: Session,
        staff: StaffActor,
        settings: AppSettings,
        now: Now,
        mentor_id: UUID,
    ) -> out.MentorTokenIssued:
        mentor = await catalog.get_mentor(session, mentor_id)
        if not mentor.active:
            raise MentorUnavailable("a deactivated mentor cannot receive a token")
        # The console's lifetime: a token handed out by the API expires as one made there does.
        expires_at = now + timedelta(days=settings.access.credential_lifetime_days)
        token = await credentials.create_mentor_token(
            session, mentor_id, staff, expires_at=expires_at
        )
        return out.MentorTokenIssued(mentor_id=mentor_id, token=token, expires_at=expires_at)

    # --- bookings -------------------------------------------------------------------------

    @get("/bookings", summary="The booking ledger, by start time")
    async def bookings(
        self,
        session: Session,
        start: From = None,
        end: To = None,
        filiere: FiliereFilter = None,
        mentor: Annotated[UUID | None, Parameter(description="Mentor id")] = None,
        status: out.BookingStatus | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[out.StaffBooking]:
        flt = reports.BookingFilter(
            optional_instant(start, "from"), optional_instant(end, "to"), filiere, mentor, status
        )
        lines = await reports.list_bookings(session, flt, limit=limit, offset=offset)
        return [_staff_booking(line) for line in lines]

    @get(
        "/bookings.csv",
        summary="The booking ledger as CSV (UTF-8 with BOM, same filters)",
        media_type="text/csv",
    )
    async def bookings_csv(
        self,
        session: Session,
        start: From = None,
        end: To = None,
        filiere: FiliereFilter = None,
        mentor: Annotated[UUID | None, Parameter(description="Mentor id")] = None,
        status: out.BookingStatus | None = None,
    ) -> Response[bytes]:
        flt = reports.BookingFilter(
            optional_instant(start, "from"), optional_instant(end, "to"), filiere, mentor, status
        )
        lines = await reports.export_bookings(session, flt)
        return Response(
            bookings_csv(lines),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="thotis-bookings.csv"'},
        )

    @post(
        "/bookings/{booking_id:uuid}/cancel",
        summary="Cancel a booking on behalf of Thotis",
        status_code=200,
    )
    async def cancel_booking(
        self,
        session: Session,
        now: Now,
        staff: StaffActor,
        booking_id: UUID,
        data: out.StaffCancelRequest,
    ) -> out.StaffBooking:
        reason = _optional(data.reason, multiline=True) or None
        record = await booking_service.cancel_by_staff(session, booking_id, now, reason, staff)
        return await self._one(session, record)

    async def _one(self, session: AsyncSession, record: BookingRecord) -> out.StaffBooking:
        mentor = await catalog.get_mentor(session, record.mentor_id)
        slugs = {f.id: f.slug for f in await catalog.list_filieres(session)}
        filiere = slugs.get(record.filiere_id) if record.filiere_id else None
        return response(out.StaffBooking, record, mentor_name=mentor.display_name, filiere=filiere)

    # --- statistics and questions ---------------------------------------------------------

    @get(
        "/stats",
        summary="Bookings per filière and per mentor, cancellation and no-show rates",
    )
    async def stats(
        self, session: Session, now: Now, start: From = None, end: To = None
    ) -> out.Stats:
        found = await reports.statistics(
            session, now, optional_instant(start, "from"), optional_instant(end, "to")
        )
        return out.Stats(
            start=found.start,
            end=found.end,
            total=_counts(found.total),
            per_filiere=[
                response(out.FiliereStats, f, filiere=f.slug, counts=_counts(f.counts))
                for f in found.per_filiere
            ],
            per_mentor=[
                response(out.MentorStats, m, counts=_counts(m.counts)) for m in found.per_mentor
            ],
        )

    @get(
        "/questions",
        summary="The visitors' questions, newest first (searchable)",
    )
    async def questions(
        self,
        session: Session,
        filiere: FiliereFilter = None,
        q: Annotated[
            str | None, Parameter(description="Words the question contains", max_length=100)
        ] = None,
        start: From = None,
        end: To = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[out.VisitorQuestion]:
        search = clean_text(q) if q else None
        found = await questions.questions(
            session,
            filiere=filiere,
            search=search or None,
            start=optional_instant(start, "from"),
            end=optional_instant(end, "to"),
            limit=limit,
            offset=offset,
        )
        return [
            out.VisitorQuestion(
                booking_id=item.booking_id,
                start=item.start,
                # questions.QuestionLine types the column as str; the bookings table's CHECK
                # constraint holds it to BookingStatus (narrowing here would be a new check).
                status=item.status,  # type: ignore[arg-type]
                filiere=item.filiere,
                mentor_id=item.mentor_id,
                mentor_name=item.mentor_name,
                question=item.question,
                language=item.language,
            )
            for item in found
        ]
