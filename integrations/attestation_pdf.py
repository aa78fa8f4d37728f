"""The attestation of volunteer mentoring as a one-page A4 PDF (reportlab), French first with
the English beneath, in Thotis's colours (``BrandSettings``), with the verification link as text
and as a QR code.

The logo is drawn as a wordmark rather than fetched from ``BRAND_LOGO_URL``: the request path
makes no network call, and a document a university files must not depend on an image host.
Dates are Paris dates (Thotis is a French programme and the reader is a French university).
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from integrations.when import local, month_names
from scheduler.booking import Attestation
from scheduler.platform import BrandSettings, Language

PARIS = "Europe/Paris"
_TEXT = HexColor("#1f2937")
_MUTED = HexColor("#4b5563")


def date_text(instant: datetime, language: Language) -> str:
    """``4 décembre 2026`` / ``4 December 2026`` (``1er`` for the first in French)."""
    moment = local(instant, PARIS)
    month = month_names(language)[moment.month - 1]
    day = "1er" if language == "fr" and moment.day == 1 else str(moment.day)
    return f"{day} {month} {moment.year}"


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _wrap(canvas: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if canvas.stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _paragraph(
    canvas: Canvas, text: str, x: float, y: float, width: float, font: str, size: float
) -> float:
    """Draw wrapped text from ``y`` down; the ``y`` below it."""
    canvas.setFont(font, size)
    for line in _wrap(canvas, text, font, size, width):
        canvas.drawString(x, y, line)
        y -= size * 1.4
    return y


def render_attestation(attestation: Attestation, brand: BrandSettings, verify_url: str) -> bytes:
    """The PDF's bytes."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Attestation de mentorat bénévole — {attestation.mentor_name}")
    canvas.setAuthor("Thotis")
    canvas.setSubject("Attestation of volunteer mentoring")
    width, height = A4
    primary = HexColor(brand.primary_color)
    accent = HexColor(brand.accent_color)
    margin = 20 * mm
    text_width = width - 2 * margin

    # The band: the wordmark on the primary colour, an accent rule beneath.
    canvas.setFillColor(primary)
    canvas.rect(0, height - 42 * mm, width, 42 * mm, stroke=0, fill=1)
    canvas.setFillColor(accent)
    canvas.rect(0, height - 44 * mm, width, 2 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont("Helvetica-Bold", 30)
    canvas.drawString(margin, height - 24 * mm, "Thotis")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(margin, height - 32 * mm, "Des étudiants répondent aux lycéens")

    impact = attestation.impact
    y = height - 62 * mm
    canvas.setFillColor(_TEXT)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(margin, y, "Attestation de mentorat bénévole")
    y -= 8 * mm
    canvas.setFillColor(_MUTED)
    canvas.setFont("Helvetica-Oblique", 12)
    canvas.drawString(margin, y, "Attestation of volunteer mentoring")
    y -= 14 * mm

    period_fr = period_en = ""
    if impact.first_call and impact.last_call:
        period_fr = (
            f" entre le {date_text(impact.first_call, 'fr')}"
            f" et le {date_text(impact.last_call, 'fr')}"
        )
        period_en = (
            f" between {date_text(impact.first_call, 'en')} and {date_text(impact.last_call, 'en')}"
        )
    canvas.setFillColor(_TEXT)
    y = _paragraph(
        canvas,
        f"Thotis atteste que {attestation.mentor_name}, étudiant·e à {attestation.university}, "
        f"s'est engagé·e bénévolement comme mentor auprès de lycéens{period_fr} : des échanges "
        "vidéo de 15 minutes pour répondre à leurs questions sur les études supérieures.",
        margin,
        y,
        text_width,
        "Helvetica",
        12,
    )
    y -= 2 * mm
    canvas.setFillColor(_MUTED)
    y = _paragraph(
        canvas,
        f"Thotis certifies that {attestation.mentor_name}, a student at "
        f"{attestation.university}, volunteered as a mentor to high-school students{period_en}: "
        "15-minute video calls answering their questions about higher education.",
        margin,
        y,
        text_width,
        "Helvetica-Oblique",
        10.5,
    )
    y -= 8 * mm

    figures = [
        (str(impact.calls_held), "échanges menés", "calls held"),
        (str(impact.students_helped), "lycéens accompagnés", "students helped"),
        (_hours(impact.minutes_given), "donnés bénévolement", "given as a volunteer"),
        (str(impact.feedback_received), "retours reçus", "feedback received"),
    ]
    box_width = (text_width - 3 * 4 * mm) / 4
    box_height = 30 * mm
    for index, (value, label_fr, label_en) in enumerate(figures):
        x = margin + index * (box_width + 4 * mm)
        canvas.setFillColor(HexColor("#eef2fb"))
        canvas.roundRect(x, y - box_height, box_width, box_height, 3 * mm, stroke=0, fill=1)
        canvas.setFillColor(primary)
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawCentredString(x + box_width / 2, y - 12 * mm, value)
        canvas.setFillColor(_TEXT)
        canvas.setFont("Helvetica", 9.5)
        canvas.drawCentredString(x + box_width / 2, y - 19 * mm, label_fr)
        canvas.setFillColor(_MUTED)
        canvas.setFont("Helvetica-Oblique", 8.5)
        canvas.drawCentredString(x + box_width / 2, y - 24 * mm, label_en)
    y -= box_height + 8 * mm
    if impact.feedback_received:
        canvas.setFillColor(_TEXT)
        y = _paragraph(
            canvas,
            f"{impact.feedback_helpful} des {impact.feedback_received} lycéens qui ont répondu "
            f"disent que l'échange les a aidés ({impact.feedback_helpful} of "
            f"{impact.feedback_received} who answered said the call helped them).",
            margin,
            y,
            text_width,
            "Helvetica",
            10.5,
        )
        y -= 4 * mm

    canvas.setFillColor(_TEXT)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(margin, y, f"Fait le {date_text(attestation.issued_at, 'fr')}")
    canvas.setFillColor(_MUTED)
    canvas.setFont("Helvetica-Oblique", 10.5)
    canvas.drawString(
        margin, y - 6 * mm, f"Issued on {date_text(attestation.issued_at, 'en')} — Thotis"
    )

    # Verification: the link as text and as a QR code, at the foot of the page.
    qr = QrCodeWidget(verify_url)
    left, bottom, right, top = qr.getBounds()
    side = 32 * mm
    drawing = Drawing(
        side, side, transform=[side / (right - left), 0, 0, side / (top - bottom), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, canvas, width - margin - side, margin)
    canvas.setFillColor(_TEXT)
    canvas.setFont("Helvetica-Bold", 10.5)
    canvas.drawString(
        margin, margin + 24 * mm, "Vérifier cette attestation / Verify this attestation"
    )
    canvas.setFont("Helvetica", 9)
    link_width = text_width - side - 6 * mm
    link_y = _paragraph(canvas, verify_url, margin, margin + 18 * mm, link_width, "Helvetica", 9)
    canvas.linkURL(verify_url, (margin, link_y, margin + link_width, margin + 22 * mm))
    canvas.setFillColor(_MUTED)
    canvas.setFont("Helvetica", 8.5)
    canvas.drawString(margin, margin + 4 * mm, f"N° {attestation.id}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
