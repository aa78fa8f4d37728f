"""What the space's handlers are given, as Litestar dependencies registered on the space router
by ``create_space_router``: the page renderer (``web``), the mailer and the calendar service.

They were values captured by closures; as dependencies, a controller is a plain class and a test
or another deployment swaps a part by providing another value under the same name.
"""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from api.google import calendar_service as find_calendar_service
from api.space.web import Web
from scheduler.calendar import CalendarService
from scheduler.messaging import Mailer

Pages = NamedDependency[Web]
# A Protocol: Litestar cannot check a value against it, so it takes the mailer as it is given.
Outgoing = NamedDependency[SkipValidation[Mailer]]
# None when the deployment has no Google OAuth client (the pages then say so).
MaybeCalendar = NamedDependency[CalendarService | None]


def provide_calendar_service(state: State) -> CalendarService | None:
    # The service locator of api/google.py, until the composition root provides the service.
    return find_calendar_service(state)


def space_dependencies(web: Web, mailer: Mailer) -> dict[str, Provide]:
    def provide_web() -> Web:
        return web

    def provide_mailer() -> Mailer:
        return mailer

    return {
        "web": Provide(provide_web, use_cache=True, sync_to_thread=False),
        "mailer": Provide(provide_mailer, use_cache=True, sync_to_thread=False),
        "calendar_service": Provide(provide_calendar_service, sync_to_thread=False),
    }
