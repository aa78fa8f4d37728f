"""The themes of the visitors' questions over HTTP: the staff routes (themes per filière and
month, drill-down, approval, the anonymised JSONL dataset) and the public list of approved
themes a filière page shows ("Ce que les lycéens demandent souvent")."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api import admin_schemas as out
from api import schemas
from api.auth import STAFF_SCHEME, StaffActor, provide_staff_actor, staff_guard
from api.convert import response
from api.deps import Session
from api.public import Slug
from scheduler import catalog
from scheduler.catalog import SLUG_PATTERN
from scheduler.platform import ValidationFailed
from scheduler.staff import question_dataset, question_themes

PERIOD_PATTERN = r"^2\d{3}-(0[1-9]|1[0-2])$"
Period = Annotated[
    str | None,
    Parameter(
        description="Mois / Month, YYYY-MM (default: the newest computed)", pattern=PERIOD_PATTERN
    ),
]
FiliereFilter = Annotated[
    str | None, Parameter(description="Slug of a filière", max_length=60, pattern=SLUG_PATTERN)
]
ThemeId = Annotated[int, Parameter(ge=1, le=2**62)]


def theme_out(theme: question_themes.StoredTheme) -> out.QuestionTheme:
    return response(
        out.QuestionTheme,
        theme,
        period=theme.period.strftime("%Y-%m"),
        question=theme.representative,
        trend=theme.trend,
        examples=list(theme.examples),
    )


def dataset_line(line: question_dataset.DatasetLine) -> bytes:
    return msgspec.json.encode(line) + b"\n"


def parse_period(value: str | None) -> date | None:
    if value is None:
        return None
    year, month = value.split("-")
    try:
        return date(int(year), int(month), 1)
    except ValueError as error:  # the pattern already holds; a second guard costs nothing
        raise ValidationFailed("period must be YYYY-MM") from error


async def dataset_body(session: AsyncSession) -> bytes:
    """The whole dataset, read before answering: the request's session closes with the handler,
    so it is not streamed from the database."""
    parts = [
        dataset_line(line) async for batch in question_dataset.dataset(session) for line in batch
    ]
    return b"".join(parts)


class StaffThemesController(Controller):
    path = "/v1/staff"
    tags = ["staff"]
    guards = [staff_guard]
    dependencies = {"staff": Provide(provide_staff_actor, sync_to_thread=False)}
    security = [{STAFF_SCHEME: []}]
    cache_control = CacheControlHeader(no_store=True)

    @get("/question-themes", summary="Themes of the visitors' questions per filière and month")
    async def themes(
        self, session: Session, filiere: FiliereFilter = None, period: Period = None
    ) -> list[out.QuestionTheme]:
        found = await question_themes.stored_themes(
            session, filiere=filiere, period=parse_period(period)
        )
        return [theme_out(t) for t in found]

    @get("/question-themes/{theme_id:int}", summary="A theme with all its scrubbed questions")
    async def theme(self, session: Session, theme_id: ThemeId) -> out.QuestionThemeDetail:
        theme, questions = await question_themes.get_theme(session, theme_id)
        return out.QuestionThemeDetail(theme=theme_out(theme), questions=questions)

    @post(
        "/question-themes/{theme_id:int}/approval",
        summary="Show a theme to visitors on its filière page, or stop showing it",
        status_code=200,
    )
    async def approve(
        self,
        session: Session,
        staff: StaffActor,
        theme_id: ThemeId,
        data: out.ThemeApprovalRequest,
    ) -> out.QuestionTheme:
        theme = await question_themes.approve_theme(session, theme_id, data.approved, staff)
        return theme_out(theme)

    @get(
        "/questions/dataset.jsonl",
        summary="The anonymised questions (JSONL: filière, month, question, theme)",
        media_type="application/x-ndjson",
    )
    async def dataset(self, session: Session) -> Response[bytes]:
        return Response(
            await dataset_body(session),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": 'attachment; filename="thotis-questions.jsonl"'},
        )


class FrequentQuestionsController(Controller):
    path = "/v1"
    tags = ["public"]

    @get(
        "/filieres/{slug:str}/frequent-questions",
        summary="What lycéens often ask about a filière (themes approved by the team)",
        cache_control=CacheControlHeader(max_age=300, public=True),
    )
    async def frequent(self, session: Session, slug: Slug) -> list[schemas.FrequentQuestion]:
        await catalog.get_filiere(session, slug)
        return [
            schemas.FrequentQuestion(label=t.label, question=t.representative, count=t.count)
            for t in await question_themes.public_themes(session, slug)
        ]
