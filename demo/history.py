"""What went out in the weeks before yesterday, so that the Reports have a month or two
to show: a few posts a week on the national and Rhône teams' feeds, approved by the head
of communication within the hour or two it takes (one sensitive post signed off by the
director the next morning), and a conversation reply cleared by the community manager.
Played like the rest, by the real workflow and publisher at their times."""

from __future__ import annotations

import datetime as dt
from functools import partial

from demo.publishing import send_when_due
from demo.stage import Stage
from editorial import workflow as wf
from editorial.models import Category, Network

# (days before yesterday, hour written, minutes until the head approves, team, title, body)
HOT_NEWS = [
    (
        40,
        8,
        35,
        "national",
        "Alerte — faux sites de paiement d'amendes",
        "Des sites imitent l'ANTAI pour encaisser de fausses amendes. Le seul site officiel "
        "est antai.gouv.fr. #Arnaque",
    ),
    (
        33,
        9,
        80,
        "ddsp-69",
        "Circulation perturbée — marathon de Lyon",
        "Dimanche, le marathon de Lyon ferme les quais du Rhône de 7 h à 14 h. Prévoyez "
        "vos déplacements.",
    ),
    (
        26,
        10,
        45,
        "national",
        "Cambriolages — les bons réflexes avant de partir",
        "Avant de partir, signalez votre absence à l'Opération Tranquillité Vacances : des "
        "patrouilles passent devant chez vous.",
    ),
    (
        19,
        8,
        120,
        "ddsp-69",
        "Accueil du commissariat de Villeurbanne fermé samedi",
        "L'accueil du commissariat de Villeurbanne sera fermé samedi matin. Urgence : 17.",
    ),
    (
        12,
        14,
        25,
        "national",
        "Alerte — SMS « colis en attente »",
        "Les SMS « colis en attente, payez 1,99 € » sont frauduleux : ne cliquez pas et "
        "signalez-les au 33700. #Arnaque",
    ),
    (
        5,
        9,
        60,
        "ddsp-69",
        "Fête des Lumières — périmètre piéton",
        "Pendant la Fête des Lumières, le centre de Lyon est piéton de 18 h à minuit. "
        "Suivez les consignes des policiers.",
    ),
]
SENSITIVE_DAYS_BEFORE = 16
REPLY_DAYS_BEFORE = 9


def past_weeks(stage: Stage) -> None:
    """Each scene at its time, oldest first: the audit chain reads in time order."""
    scenes = [(news[0], partial(_hot_news, stage, *news)) for news in HOT_NEWS]
    scenes.append((SENSITIVE_DAYS_BEFORE, partial(_sensitive, stage)))
    scenes.append((REPLY_DAYS_BEFORE, partial(_reply, stage)))
    for _days, scene in sorted(scenes, key=lambda item: -item[0]):
        scene()


def _hot_news(stage: Stage, days: int, hour: int, wait: int, team: str, title, body) -> None:
    cm, head = stage.user("cm"), stage.user("head")
    day = stage.yesterday - dt.timedelta(days=days)
    with stage.clock(stage.at(day, hour)) as clock:
        post = stage.write(
            "cm",
            team,
            stage.on(team, Network.ATOM),
            category=Category.HOT_NEWS,
            scheduled_at=stage.at(day, hour + 3),
            title=title,
            body=body,
        )
        wf.fast_track(post, cm)
        clock.move_to(stage.at(day, hour) + dt.timedelta(minutes=wait))
        wf.approve(post, head)
        send_when_due(clock, post)


def _sensitive(stage: Stage) -> None:
    cm, head, director = stage.user("cm"), stage.user("head"), stage.user("director")
    day = stage.yesterday - dt.timedelta(days=SENSITIVE_DAYS_BEFORE)
    with stage.clock(stage.at(day, 16)) as clock:
        # "victime" is one of the demo's sensitivity rules: head, then director.
        witnesses = stage.write(
            "cm",
            "ddsp-69",
            stage.on("ddsp-69", Network.ATOM),
            category=Category.HOT_NEWS,
            scheduled_at=stage.at(day + dt.timedelta(days=1), 11),
            title="Appel à témoins — Lyon 8e",
            body="Appel à témoins après l'agression d'une victime rue Laënnec, lundi vers "
            "22 h. Toute information : 04 78 00 00 00.",
        )
        wf.fast_track(witnesses, cm)
        clock.move_to(stage.at(day, 17, 10))
        wf.approve(witnesses, head)
        clock.move_to(stage.at(day + dt.timedelta(days=1), 8, 40))
        wf.sign_off(witnesses, director)
        send_when_due(clock, witnesses)


def _reply(stage: Stage) -> None:
    cm = stage.user("cm")
    day = stage.yesterday - dt.timedelta(days=REPLY_DAYS_BEFORE)
    with stage.clock(stage.at(day, 11)) as clock:
        reply = stage.write(
            "cm",
            "national",
            stage.on("national", Network.ATOM),
            category=Category.CONVERSATION,
            scheduled_at=stage.at(day, 11, 15),
            title="Réponse — horaires des commissariats",
            body="Les horaires d'accueil de chaque commissariat sont sur "
            "masecurite.interieur.gouv.fr. Pour toute urgence, composez le 17.",
        )
        wf.self_approve(reply, cm)
        send_when_due(clock, reply)
