"""Privacy and moderation in the staff console and on the visitor's pages: a visitor reports a
problem from their manage page and the team handles it; the team exports then erases a
visitor's data and nothing is left of the address (read in SQL across every table); a visitor
asks for their data's erasure and it happens only once the mailed link is used."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from scheduler.schema import metadata
from tests.space.conftest import STAFF_DOMAIN, Space
from tests.space.flows import book
from tests.space.test_staff_console import link_in, shoot, wait_for_new_link

THOMAS = "thomas.girard@demo.thotis.fr"
REQUEST_LINK = re.compile(r"http://\S+/privacy/requests/\S+")
# Its own member of staff: the sign-in link tests count the links of STAFF_EMAIL.
STAFF_EMAIL = f"confidentialite@{STAFF_DOMAIN}"


def tables_holding(space: Space, email: str) -> set[str]:
    """Every table of the schema read as text (each row, every column, bytea as hex)."""
    hashed = hashlib.sha256(email.encode()).hexdigest()
    found = set()
    for table in metadata.sorted_tables:
        for needle in (email, hashed):
            if space.sql(
                f'SELECT 1 FROM "{table.name}" t WHERE t::text ILIKE %s LIMIT 1', f"%{needle}%"
            ):
                found.add(table.name)
    return found


async def sign_in(page: Page, space: Space) -> None:
    before = len(link_in(space, STAFF_EMAIL))
    await page.goto(f"{space.url}/staff/sign-in")
    await page.get_by_label("Recevoir un lien de connexion par email").fill(STAFF_EMAIL)
    await page.get_by_role("button", name="M'envoyer un lien").click()
    link = await wait_for_new_link(space, STAFF_EMAIL, before)
    await page.goto(link)
    await page.get_by_role("button", name="Me connecter").click()
    await expect(page.locator("#mentors")).to_be_visible()


@pytest.mark.browser
async def test_a_visitor_report_is_handled_then_their_data_exported_and_erased(
    console: Space, page: Page, artifacts: Path
) -> None:
    made = await book(console, THOMAS, "Noé", "Quelle prépa ?", "informatique")
    visitor = made["visitor_email"]

    # The visitor reports a problem from their manage page.
    await page.goto(f"{console.url}/manage/{made['manage_token']}")
    await expect(page.get_by_role("heading", name="Signaler un problème")).to_be_visible()
    await shoot(page, artifacts, "visitor-manage-tools")
    await page.get_by_label("Que s’est-il passé ?").fill("Le mentor m'a demandé mon numéro")
    await page.get_by_role("button", name="Envoyer à l’équipe Thotis").click()
    await expect(
        page.get_by_role("heading", name="Merci, l’équipe Thotis va regarder")
    ).to_be_visible()
    await shoot(page, artifacts, "visitor-report-sent")

    # The team sees it in the one queue, with the booking's context, and handles it.
    await sign_in(page, console)
    await page.get_by_role("link", name="Modération").click()
    report = page.locator("#reports li", has_text="Le mentor m'a demandé mon numéro")
    await expect(report).to_contain_text("Signalé par le visiteur")
    await expect(report).to_contain_text("Thomas Girard")
    await expect(report.get_by_role("link", name="Écrire au visiteur")).to_have_attribute(
        "href", f"mailto:{visitor}"
    )
    await shoot(page, artifacts, "staff-moderation-visitor-report")
    await report.get_by_role("button", name="Marquer comme traité").click()
    await expect(page.get_by_role("status")).to_contain_text("Signalement traité")
    await expect(page.locator("#audit")).to_contain_text(f"{STAFF_EMAIL} a traité un signalement")

    # Export then erase the visitor's data.
    await page.get_by_role("link", name="Données personnelles").click()
    await shoot(page, artifacts, "staff-privacy")
    await page.get_by_label("Adresse email du visiteur").fill(visitor)
    await page.get_by_role("button", name="Chercher").click()
    await expect(page.locator("#held-bookings")).to_contain_text("1")
    await shoot(page, artifacts, "staff-privacy-held")
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Exporter en JSON").click()
    saved = artifacts / "export.json"
    await (await download.value).save_as(saved)
    assert visitor in saved.read_text(encoding="utf-8")
    assert "Quelle prépa ?" in saved.read_text(encoding="utf-8")
    await page.get_by_role("button", name="Effacer…").click()
    await expect(
        page.get_by_role("heading", name="Effacer les données de cette adresse ?")
    ).to_be_visible()
    await shoot(page, artifacts, "staff-privacy-confirm")
    await page.get_by_role("button", name="Effacer les données").click()
    await expect(page.get_by_role("status")).to_contain_text("Données effacées")
    assert tables_holding(console, visitor) == set()
    await expect(page.locator("#audit")).to_have_count(0)  # the privacy page shows no trail
    await page.get_by_role("link", name="Modération").click()
    await expect(page.locator("#audit")).to_contain_text(
        f"{STAFF_EMAIL} a effacé les données d'un visiteur"
    )
    # The other new pages: the whole trail and the ledger, at both widths.
    await page.get_by_role("link", name="Tout le journal").click()
    await expect(page.get_by_role("heading", name="Journal des actions")).to_be_visible()
    await shoot(page, artifacts, "staff-audit")
    await page.get_by_role("link", name="Rendez-vous", exact=True).click()
    await expect(page.locator("#bookings")).to_contain_text("Thomas Girard")
    await shoot(page, artifacts, "staff-bookings")
    other = await book(console, THOMAS, "Léo", "Et la prépa ?", "informatique")
    await page.goto(other["join_url"])
    await expect(page.get_by_role("heading", name="Signaler un problème")).to_be_visible()
    await shoot(page, artifacts, "visitor-join-report")


@pytest.mark.browser
async def test_a_visitor_erases_their_data_through_the_link_mailed_to_them(
    console: Space, page: Page, artifacts: Path
) -> None:
    made = await book(console, THOMAS, "Inès", "Et la L1 ?", "informatique")
    visitor = made["visitor_email"]
    await page.goto(f"{console.url}/manage/{made['manage_token']}")
    await page.get_by_role("button", name="Effacer mes données").click()
    await expect(page.get_by_role("heading", name="Regarde tes e-mails")).to_be_visible()
    assert console.sql("SELECT count(*) FROM bookings WHERE visitor_email = %s", visitor) == [
        (1,)
    ]  # nothing happens before the link is used
    mail = await console.wait_for_mail(visitor, "privacy_request")
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    match = REQUEST_LINK.search(body.get_content())
    assert match is not None
    await page.goto(match.group(0))
    await expect(page.get_by_role("heading", name="Confirme ta demande")).to_be_visible()
    await shoot(page, artifacts, "visitor-privacy-confirm")
    await page.get_by_role("button", name="Effacer mes données").click()
    await expect(page.get_by_role("heading", name="Tes données ont été effacées")).to_be_visible()
    await shoot(page, artifacts, "visitor-privacy-erased")
    assert tables_holding(console, visitor) == set()
    # The manage link now answers "gone".
    await page.goto(f"{console.url}/manage/{made['manage_token']}")
    async with console.api() as api:
        gone = await api.get(f"/v1/bookings/manage/{made['manage_token']}")
    assert (gone.status_code, gone.json()["code"]) == (410, "booking_gone")
