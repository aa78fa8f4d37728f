"""« Webhooks »: the Thotis site's endpoints, their signing secrets, a "send a test" button and
each endpoint's delivery log (``scheduler.messaging`` webhooks)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Now, Session
from api.space import forms
from api.space.deps import Pages
from api.space.staff.common import actor, page
from api.space.web import Web, error_text, language
from scheduler.calendar import SecretBox
from scheduler.messaging import EVENTS, EndpointChange, UrlPolicy, webhook_delivery, webhooks
from scheduler.platform import NotFound, SchedulingError


def _change(form: Any) -> EndpointChange:
    return EndpointChange(
        url=forms.field(form, "url", webhooks.MAX_URL),
        description=forms.field(form, "description", webhooks.MAX_DESCRIPTION),
        events=[str(e) for e in form.getall("events", [])],
        enabled=form.get("enabled") == "on",
        include_visitor_email=form.get("include_visitor_email") == "on",
    )


async def _list_page(
    web: Web, request: Request[Any, Any, Any], session: AsyncSession, **context: Any
) -> Response[str]:
    return page(
        web,
        request,
        "staff/webhooks.html",
        endpoints=await webhooks.list_endpoints(session, SecretBox(web.settings.secrets)),
        events=EVENTS,
        **context,
    )


async def _endpoint_page(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    endpoint_id: UUID,
    **context: Any,
) -> Response[str]:
    return page(
        web,
        request,
        "staff/webhook.html",
        endpoint=await webhooks.get_endpoint(session, endpoint_id, SecretBox(web.settings.secrets)),
        log=await webhooks.delivery_log(session, endpoint_id),
        events=EVENTS,
        **context,
    )


class WebhooksController(Controller):
    path = "/webhooks"

    @get("/")
    async def endpoints(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        return await _list_page(web, request, session)

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], session: Session, web: Pages
    ) -> Response[str]:
        form = await request.form()
        try:
            created = await webhooks.create_endpoint(
                session,
                _change(form),
                UrlPolicy.from_settings(web.settings),
                actor(request),
                SecretBox(web.settings.secrets),
            )
        except SchedulingError as error:
            text = error_text(error, language(request))
            return await _list_page(web, request, session, http_status=422, error=text)
        return web.redirect(f"/staff/webhooks/{created.id}?ok=saved")

    @get("/{endpoint_id:uuid}")
    async def endpoint(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, endpoint_id: UUID
    ) -> Response[str]:
        return await _endpoint_page(web, request, session, endpoint_id)

    @post("/{endpoint_id:uuid}")
    async def update(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, endpoint_id: UUID
    ) -> Response[str]:
        form = await request.form()
        return await _act(
            web,
            request,
            session,
            endpoint_id,
            lambda: webhooks.update_endpoint(
                session,
                endpoint_id,
                _change(form),
                UrlPolicy.from_settings(web.settings),
                actor(request),
                SecretBox(web.settings.secrets),
            ),
        )

    @post("/{endpoint_id:uuid}/test")
    async def send_test(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        web: Pages,
        now: Now,
        endpoint_id: UUID,
    ) -> Response[str]:
        return await _act(
            web,
            request,
            session,
            endpoint_id,
            lambda: webhook_delivery.send_test(session, endpoint_id, now),
            flash="test_queued",
        )

    @post("/{endpoint_id:uuid}/rotate")
    async def rotate(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, endpoint_id: UUID
    ) -> Response[str]:
        return await _act(
            web,
            request,
            session,
            endpoint_id,
            lambda: webhooks.update_endpoint(
                session,
                endpoint_id,
                EndpointChange(),
                UrlPolicy.from_settings(web.settings),
                actor(request),
                SecretBox(web.settings.secrets),
                rotate_secret=True,
            ),
        )

    @post("/{endpoint_id:uuid}/delete")
    async def remove(
        self, request: Request[Any, Any, Any], session: Session, web: Pages, endpoint_id: UUID
    ) -> Response[str]:
        await webhooks.delete_endpoint(session, endpoint_id, actor(request))
        return web.redirect("/staff/webhooks?ok=saved")


async def _act(
    web: Web,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    endpoint_id: UUID,
    change: Callable[[], Awaitable[object]],
    flash: str = "saved",
) -> Response[str]:
    """Make ``change``; a refusal shows the endpoint again with the reason (an unknown endpoint
    stays a 404), a success comes back to it with a flash message."""
    try:
        await change()
    except NotFound:
        raise
    except SchedulingError as error:
        text = error_text(error, language(request))
        return await _endpoint_page(web, request, session, endpoint_id, http_status=422, error=text)
    return web.redirect(f"/staff/webhooks/{endpoint_id}?ok={flash}")
