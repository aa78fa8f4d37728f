"""The staff API's webhook endpoints (``/v1/staff/webhooks``): the Thotis site's receivers,
their secrets, a test message and the delivery log, with the staff API key."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide

from api import webhook_schemas as out
from api.auth import STAFF_SCHEME, StaffActor, provide_staff_actor, staff_guard
from api.convert import response
from api.deps import AppSettings, Now, Session
from scheduler.calendar import SecretBox
from scheduler.messaging import Endpoint, EndpointChange, UrlPolicy, webhook_delivery, webhooks
from scheduler.platform import Settings


def _box(settings: Settings) -> SecretBox:
    """What seals the signing secrets at rest: the deployment's token keys (``TOKEN_KEYS``)."""
    return SecretBox(settings.secrets)


def _out(endpoint: Endpoint) -> out.WebhookEndpointOut:
    return response(out.WebhookEndpointOut, endpoint, events=list(endpoint.events))


class StaffWebhooksController(Controller):
    path = "/v1/staff/webhooks"
    tags = ["staff"]
    guards = [staff_guard]
    dependencies = {"staff": Provide(provide_staff_actor, sync_to_thread=False)}
    security = [{STAFF_SCHEME: []}]
    # The answers hold signing secrets: no cache keeps them.
    cache_control = CacheControlHeader(no_store=True)

    @get("/", summary="Webhook endpoints of the Thotis site")
    async def list_endpoints(
        self, session: Session, settings: AppSettings
    ) -> list[out.WebhookEndpointOut]:
        return [_out(e) for e in await webhooks.list_endpoints(session, _box(settings))]

    @post("/", summary="Register a webhook endpoint (its signing secret is made here)")
    async def create_endpoint(
        self,
        session: Session,
        settings: AppSettings,
        staff: StaffActor,
        data: out.WebhookEndpointCreate,
    ) -> out.WebhookEndpointOut:
        change = EndpointChange(
            url=data.url,
            description=data.description,
            events=list(data.events),
            enabled=data.enabled,
            include_visitor_email=data.include_visitor_email,
        )
        created = await webhooks.create_endpoint(
            session, change, UrlPolicy.from_settings(settings), staff, _box(settings)
        )
        return _out(created)

    @get("/{endpoint_id:uuid}", summary="One webhook endpoint")
    async def endpoint(
        self, session: Session, settings: AppSettings, endpoint_id: UUID
    ) -> out.WebhookEndpointOut:
        return _out(await webhooks.get_endpoint(session, endpoint_id, _box(settings)))

    @patch("/{endpoint_id:uuid}", summary="Change a webhook endpoint (switch it on or off)")
    async def update_endpoint(
        self,
        session: Session,
        settings: AppSettings,
        staff: StaffActor,
        endpoint_id: UUID,
        data: out.WebhookEndpointUpdate,
    ) -> out.WebhookEndpointOut:
        change = EndpointChange(
            url=data.url,
            description=data.description,
            events=None if data.events is None else list(data.events),
            enabled=data.enabled,
            include_visitor_email=data.include_visitor_email,
        )
        updated = await webhooks.update_endpoint(
            session, endpoint_id, change, UrlPolicy.from_settings(settings), staff, _box(settings)
        )
        return _out(updated)

    @post(
        "/{endpoint_id:uuid}/rotate-secret",
        summary="Replace the signing secret (the old one stops at once)",
        status_code=200,
    )
    async def rotate_secret(
        self, session: Session, settings: AppSettings, staff: StaffActor, endpoint_id: UUID
    ) -> out.WebhookEndpointOut:
        updated = await webhooks.update_endpoint(
            session,
            endpoint_id,
            EndpointChange(),
            UrlPolicy.from_settings(settings),
            staff,
            _box(settings),
            rotate_secret=True,
        )
        return _out(updated)

    @delete("/{endpoint_id:uuid}", summary="Delete a webhook endpoint and its delivery log")
    async def delete_endpoint(self, session: Session, staff: StaffActor, endpoint_id: UUID) -> None:
        await webhooks.delete_endpoint(session, endpoint_id, staff)

    @post(
        "/{endpoint_id:uuid}/test",
        summary="Send a signed webhook.test message to the endpoint",
        status_code=202,
    )
    async def send_test(self, session: Session, now: Now, endpoint_id: UUID) -> out.WebhookTestOut:
        msg_id = await webhook_delivery.send_test(session, endpoint_id, now)
        return out.WebhookTestOut(message_id=msg_id)

    @get("/{endpoint_id:uuid}/deliveries", summary="The endpoint's delivery log, newest first")
    async def deliveries(
        self, session: Session, settings: AppSettings, endpoint_id: UUID
    ) -> list[out.WebhookDeliveryOut]:
        await webhooks.get_endpoint(session, endpoint_id, _box(settings))
        return [
            response(out.WebhookDeliveryOut, m)
            for m in await webhooks.delivery_log(session, endpoint_id)
        ]
