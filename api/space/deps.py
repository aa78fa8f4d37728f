"""What the space's handlers are given, as Litestar dependencies registered on the space router
by ``create_space_router``: the page renderer (``web``) and the mailer. The calendar service is
the app's dependency ``calendar_service`` (built once by ``create_app`` from the parts).

They were values captured by closures; as dependencies, a controller is a plain class and a test
or another deployment swaps a part by providing another value under the same name.
"""

from __future__ import annotations

from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from api.space.web import Web
from scheduler.calendar import CalendarService
from scheduler.messaging import Mailer

Pages = NamedDependency[Web]
# A Protocol: Litestar cannot check a value against it, so it takes the mailer as it is given.
Outgoing = NamedDependency[SkipValidation[Mailer]]
# None when the deployment has no Google OAuth client (the pages then say so).
MaybeCalendar = NamedDependency[CalendarService | None]


def space_dependencies(web: Web, mailer: Mailer) -> dict[str, Provide]:
    def provide_web() -> Web:
        return web

    def provide_mailer() -> Mailer:
        return mailer

    return {
        "web": Provide(provide_web, use_cache=True, sync_to_thread=False),
        "mailer": Provide(provide_mailer, use_cache=True, sync_to_thread=False),
    }
