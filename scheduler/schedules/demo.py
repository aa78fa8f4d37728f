"""Demo data so that a newcomer sees a working system: a few filières and mentors with
realistic French profiles, weekday evening and Saturday availability, a sensible policy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler import catalog
from scheduler.catalog import Mentor
from scheduler.platform import Actor
from scheduler.schedules import rules as schedules

FILIERES = (
    ("droit", "Droit", "Law"),
    ("medecine", "Médecine", "Medicine"),
    ("informatique", "Informatique", "Computer science"),
    ("psychologie", "Psychologie", "Psychology"),
    ("economie-gestion", "Économie et gestion", "Economics and management"),
)


@dataclass(frozen=True, slots=True)
class DemoMentor:
    """Addresses are on demo.thotis.fr so that no demo mail reaches a real student."""

    name: str
    email: str
    university: str
    year: int
    filieres: tuple[str, ...]
    bio: str
    languages: tuple[str, ...] = ("fr",)


MENTORS = (
    DemoMentor(
        "Camille Laurent",
        "camille.laurent@demo.thotis.fr",
        "Université Paris Cité",
        3,
        ("droit",),
        "En L3 de droit, je prépare le concours d'avocat. Je peux te parler de la méthodologie "
        "du commentaire d'arrêt et de la vie en amphi.",
        ("fr", "en"),
    ),
    DemoMentor(
        "Hugo Moreau",
        "hugo.moreau@demo.thotis.fr",
        "Université Jean Moulin Lyon 3",
        2,
        ("droit", "economie-gestion"),
        "Double licence droit-économie à Lyon 3. Parlons charge de travail, partiels et "
        "associations étudiantes.",
    ),
    DemoMentor(
        "Inès Benali",
        "ines.benali@demo.thotis.fr",
        "Sorbonne Université",
        4,
        ("medecine",),
        "Externe en 4e année de médecine après un PASS. Je t'explique le PASS, la L.AS et "
        "comment j'ai organisé mes révisions.",
        ("fr", "en"),
    ),
    DemoMentor(
        "Lucas Petit",
        "lucas.petit@demo.thotis.fr",
        "Aix-Marseille Université",
        2,
        ("medecine",),
        "En deuxième année de médecine après une L.AS. Je réponds à tes questions sur les "
        "oraux et le rythme des stages.",
    ),
    DemoMentor(
        "Sarah Nguyen",
        "sarah.nguyen@demo.thotis.fr",
        "Université Grenoble Alpes",
        3,
        ("informatique",),
        "L3 informatique, passionnée de développement web. Maths, projets en équipe, stages : "
        "demande-moi tout !",
        ("fr", "en"),
    ),
    DemoMentor(
        "Thomas Girard",
        "thomas.girard@demo.thotis.fr",
        "Université de Bordeaux",
        5,
        ("informatique",),
        "En master 2 d'intelligence artificielle. J'ai commencé par un BUT puis une licence : "
        "il y a plusieurs chemins.",
    ),
    DemoMentor(
        "Manon Rousseau",
        "manon.rousseau@demo.thotis.fr",
        "Université de Lille",
        3,
        ("psychologie",),
        "L3 de psychologie. Statistiques, neurosciences, sélection en master : je te dis ce qui "
        "m'a surprise en arrivant.",
    ),
    DemoMentor(
        "Yanis Haddad",
        "yanis.haddad@demo.thotis.fr",
        "Université Toulouse Jean Jaurès",
        1,
        ("psychologie",),
        "En première année de psychologie. Je peux te raconter la rentrée, Parcoursup et "
        "l'organisation des TD.",
    ),
    DemoMentor(
        "Chloé Fontaine",
        "chloe.fontaine@demo.thotis.fr",
        "Université Paris 1 Panthéon-Sorbonne",
        4,
        ("economie-gestion",),
        "Master 1 de finance. Je t'explique la différence entre éco-gestion, MIASHS et écoles "
        "de commerce.",
        ("fr", "en"),
    ),
)

# Weekday evenings and Saturday morning, Paris time.
WEEKLY = {day: [("18:00", "21:00")] for day in range(5)} | {5: [("10:00", "13:00")]}
POLICY = schedules.PolicySettings(
    buffer_before_minutes=5,
    buffer_after_minutes=5,
    notice_minutes=120,
    horizon_days=30,
    day_cap=4,
    week_cap=None,
)


async def is_empty(session: AsyncSession) -> bool:
    return (await session.execute(select(func.count()).select_from(Mentor))).scalar_one() == 0


async def seed(session: AsyncSession) -> int:
    """Add the demo filières and mentors that are missing; returns how many mentors were
    added. Running it twice adds nothing."""
    actor = Actor.system()
    existing = {f.slug for f in await catalog.list_filieres(session)}
    for slug, name_fr, name_en in FILIERES:
        if slug not in existing:
            await catalog.create_filiere(session, slug, name_fr, name_en, actor)
    known = {m.email for m in await catalog.list_mentors(session, include_inactive=True)}
    added = 0
    for demo in MENTORS:
        if demo.email in known:
            continue
        mentor = await catalog.create_mentor(
            session,
            catalog.MentorFields(
                display_name=demo.name,
                email=demo.email,
                university=demo.university,
                year_of_study=demo.year,
                filieres=demo.filieres,
                bio=demo.bio,
                languages=demo.languages,
                timezone="Europe/Paris",
            ),
            actor,
        )
        await schedules.set_weekly_rules(session, mentor.id, WEEKLY, actor)
        await schedules.set_policy(session, mentor.id, POLICY, actor)
        added += 1
    return added
