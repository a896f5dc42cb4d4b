"""Today's work at the desks: hot news fast-tracked, a reply cleared by the community
manager, departments' submissions, one overdue, and a post going out in two minutes."""

from __future__ import annotations

import datetime as dt

from demo.stage import Stage
from editorial import workflow as wf
from editorial.models import Category, Network


def hot_news(stage: Stage) -> None:
    """Hot news outside the plan: fast-tracked, approved within the hour; the judicial
    one is sensitive and signed off by the director."""
    cm, head, director = stage.user("cm"), stage.user("head"), stage.user("director")

    alert = stage.write(
        "cm",
        "ddsp-67",
        stage.on("ddsp-67", Network.MASTODON, Network.FACEBOOK),
        category=Category.HOT_NEWS,
        scheduled_at=stage.soon(45),
        title="Alerte — faux policiers à Strasbourg-Neudorf",
        body="⚠️ Alerte : des habitants de Neudorf reçoivent en ce moment des appels de "
        "faux policiers. Un policier ne vous demande jamais vos bijoux ni votre "
        "carte bancaire. Au moindre doute, composez le 17.",
    )
    wf.fast_track(alert, cm)
    wf.approve(alert, head)

    dealing = stage.write(
        "cm",
        "ddsp-13",
        stage.on("ddsp-13", Network.MASTODON, Network.FACEBOOK),
        category=Category.HOT_NEWS,
        scheduled_at=stage.soon(120),
        title="Démantèlement d'un point de deal à Marseille",
        body="Point de deal démantelé dans le 13e arrondissement : après des mois "
        "d'investigations, six personnes ont été placées en garde à vue. Drogue, "
        "armes et 40 000 € saisis. Bravo aux effectifs mobilisés.",
    )
    wf.fast_track(dealing, cm)
    wf.approve(dealing, head)  # sensitive ("garde à vue"): on to the director
    wf.comment(dealing, director, "Communication validée avec le parquet de Marseille.")
    wf.sign_off(dealing, director)


def conversation(stage: Stage) -> None:
    """A reply the CM clears on their own judgement, as the note-cadre allows."""
    cm = stage.user("cm")
    reply = stage.write(
        "cm",
        "national",
        stage.on("national", Network.MASTODON),
        category=Category.CONVERSATION,
        scheduled_at=stage.soon(30),
        title="Réponse — pré-plainte en ligne",
        body="@marie.l@mastodon.example Bonjour, pour un vol sans auteur identifié, "
        "faites une pré-plainte sur https://www.pre-plainte-en-ligne.gouv.fr puis "
        "signez-la au commissariat de votre choix. Bonne journée.",
    )
    wf.self_approve(reply, cm)


def department_submissions(stage: Stage) -> None:
    """Departments at work: a draft, a submission awaiting the CM, one sent back."""
    contrib67, contrib13 = stage.user("contrib67"), stage.user("contrib13")
    local67 = stage.on("ddsp-67", Network.MASTODON, Network.FACEBOOK, Network.ATOM)
    local13 = stage.on("ddsp-13", Network.MASTODON, Network.FACEBOOK)

    stage.write(
        "contrib67",
        "ddsp-67",
        local67,
        category=Category.PREVENTION,
        scheduled_at=stage.in_days(5, 10),
        title="Opération Tranquillité Vacances",
        body="Vous partez ? Signalez votre absence au commissariat : des patrouilles "
        "passeront devant votre domicile. Inscription en ligne ou à l'accueil. "
        "#Strasbourg #OTV",
    )
    toys = stage.write(
        "contrib67",
        "ddsp-67",
        local67,
        category=Category.INSTITUTIONAL,
        scheduled_at=stage.in_days(3, 14),
        title="Collecte de jouets au commissariat central",
        body="Le commissariat central de Strasbourg collecte des jouets neufs pour les "
        "enfants hospitalisés. Déposez vos dons à l'accueil jusqu'à la fin du mois. "
        "Merci pour eux ! #Strasbourg",
    )
    wf.submit(toys, contrib67)

    desk = stage.write(
        "contrib13",
        "ddsp-13",
        local13,
        category=Category.INSTITUTIONAL,
        scheduled_at=stage.in_days(2, 10),
        title="Permanence d'aide aux démarches à Marseille Nord",
        body="Besoin d'aide pour une pré-plainte ou une procuration ? Une permanence "
        "d'aide aux démarches en ligne vous accueille au commissariat de Marseille "
        "Nord tous les mardis.",
    )
    wf.submit(desk, contrib13)
    wf.return_submission(
        desk,
        stage.user("cm"),
        "Merci ! Précisez les horaires et l'adresse exacte, puis renvoyez-le.",
    )


def overdue_submission(stage: Stage) -> None:
    """A department's submission nobody accepted before its time: submitted two and a
    half hours ago for two hours ago, and marked overdue by the sweep that runs every
    half minute."""
    due = stage.ago(120)
    with stage.clock(due - dt.timedelta(minutes=30)) as clock:
        meeting = stage.write(
            "contrib13",
            "ddsp-13",
            stage.on("ddsp-13", Network.MASTODON, Network.FACEBOOK),
            category=Category.INSTITUTIONAL,
            scheduled_at=due,
            title="Réunion publique de sécurité à Aubagne",
            body="Réunion publique de sécurité à Aubagne ce soir à 18 h 30, salle des fêtes : "
            "venez échanger avec les policiers de votre quartier.",
        )
        wf.submit(meeting, stage.user("contrib13"))
        clock.move_to(due + dt.timedelta(seconds=30))
        wf.mark_overdue_posts()


def going_out_in_two_minutes(stage: Stage) -> None:
    """Approved now, due in two minutes, on the national Atom feed and the server log:
    watch it go out once, at that minute, while `make run` is running."""
    cm, head = stage.user("cm"), stage.user("head")
    due = (stage.now + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    if due - stage.now < dt.timedelta(minutes=1, seconds=30):
        due += dt.timedelta(minutes=1)
    post = stage.write(
        "cm",
        "national",
        stage.on("national", Network.ATOM, Network.LOG),
        category=Category.HOT_NEWS,
        scheduled_at=due,
        title="Démo — publication dans deux minutes",
        body="Vols à la fausse qualité : un policier ne vous demandera jamais vos "
        "codes bancaires ni vos bijoux. Au moindre doute, composez le 17.",
    )
    wf.fast_track(post, cm)
    wf.approve(post, head)
