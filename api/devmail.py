"""The dev outbox page: with no SMTP server configured (the `make run` default), mail is written
as .eml files and listed here, so a newcomer sees exactly what would be sent. Not mounted when
SMTP is configured: in production nobody reads other people's mail through the service."""

from __future__ import annotations

from html import escape

from litestar import Response, Router, get
from litestar.exceptions import NotFoundException

from integrations.mail import list_messages, read_message
from scheduler.platform import Settings

_STYLE = """<style>body{font-family:system-ui,sans-serif;margin:0;background:#f5f7fb;color:#14213d}
header{background:#1d3a8a;color:#fff;padding:1rem 1.5rem}main{padding:1.5rem;max-width:70rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.5rem;
border-bottom:1px solid #dde3f0;font-size:.95rem}a{color:#1d3a8a}iframe{width:100%;height:70vh;
border:1px solid #dde3f0;background:#fff}pre{white-space:pre-wrap;background:#fff;padding:1rem}</style>"""


def _page(title: str, body: str) -> Response[str]:
    html = (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{_STYLE}</head>'
        f"<body><header><strong>Thotis</strong> — courriels de développement</header>"
        f"<main>{body}</main></body></html>"
    )
    return Response(html, media_type="text/html", headers={"Cache-Control": "no-store"})


def create_devmail_router(settings: Settings) -> Router:
    folder = settings.smtp.mail_dir

    @get("/dev/mail", include_in_schema=False)
    async def outbox_page() -> Response[str]:
        rows = "".join(
            f"<tr><td>{escape(m.date.isoformat(sep=' ', timespec='seconds') if m.date else '')}</td>"
            f"<td>{escape(m.to)}</td><td><a href='/dev/mail/{escape(m.file_name)}'>"
            f"{escape(m.subject)}</a></td></tr>"
            for m in list_messages(folder)
        )
        body = (
            f"<h1>Courriels écrits dans <code>{escape(str(folder))}</code></h1>"
            "<p>Aucun serveur SMTP n'est configuré (SMTP_HOST) : chaque courriel est écrit "
            "dans ce dossier au lieu d'être envoyé. <em>No SMTP server is configured: each "
            "message is written to this folder instead of being sent.</em></p>"
            "<table><thead><tr><th>Date</th><th>À / To</th><th>Objet / Subject</th></tr></thead>"
            f"<tbody>{rows or '<tr><td colspan=3>Aucun courriel pour l’instant.</td></tr>'}"
            "</tbody></table>"
        )
        return _page("Courriels — Thotis", body)

    @get("/dev/mail/{name:str}", include_in_schema=False)
    async def message_page(name: str) -> Response[str]:
        try:
            message = read_message(folder, name)
        except (FileNotFoundError, OSError) as error:
            raise NotFoundException("no such message") from error
        html_part = message.get_body(("html",))
        text_part = message.get_body(("plain",))
        attachments = [
            f"<li>{escape(part.get_filename() or '—')} "
            f"<code>{escape(part.get_content_type())}</code></li>"
            for part in message.iter_attachments()
        ]
        # Both parts are shown: the text one is what many readers (and screen readers) get.
        shown = ""
        if html_part is not None:
            shown += (
                "<h2>HTML</h2>"
                f'<iframe title="HTML" sandbox="" srcdoc="{escape(html_part.get_content())}">'
                "</iframe>"
            )
        if text_part is not None:
            shown += f"<h2>Texte / Text</h2><pre>{escape(text_part.get_content())}</pre>"
        body = (
            "<p><a href='/dev/mail'>← tous les courriels</a></p>"
            f"<h1>{escape(str(message['Subject']))}</h1>"
            f"<p>De : {escape(str(message['From']))}<br>À : {escape(str(message['To']))}</p>"
            f"<h2>Pièces jointes / Attachments</h2><ul>{''.join(attachments) or '<li>—</li>'}"
            f"</ul>{shown}"
        )
        return _page(str(message["Subject"]), body)

    return Router(path="/", route_handlers=[outbox_page, message_page])
