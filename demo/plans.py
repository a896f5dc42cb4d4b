"""The weeks' plans: next week's, approved by the head of communication in one action
with one item returned, and the one after, still being drawn up."""

from __future__ import annotations

from demo.stage import SOCIAL, Stage, fresh
from editorial import workflow as wf
from editorial.content import compute_content_hashes
from editorial.models import Category, Network, PostState


def next_week_plan(stage: Stage) -> None:
    """The CM's plan for next week, approved by the head of communication in one
    action with one item returned; a sensitive item goes on to the director; one
    item is called off and one added late."""
    cm, head = stage.user("cm"), stage.user("head")
    national = stage.on("national", *SOCIAL, Network.ATOM)

    scams = stage.write(
        "cm",
        "national",
        national,
        category=Category.PREVENTION,
        scheduled_at=stage.next_week(0, 9, 30),
        title="Prévention — arnaques en ligne : les bons réflexes",
        body="Faux conseiller bancaire, faux colis, fausse amende : ne communiquez jamais "
        "vos codes et vérifiez l'expéditeur. Vous êtes victime ? Signalez-le sur "
        "https://www.masecurite.interieur.gouv.fr #Prévention",
    )
    # "victime" trips the note-cadre; generic advice is not sensitive, so the director
    # lifts the flag with a reason, as the product expects a person to (and the head,
    # a second person, approves it with the plan).
    wf.lift_sensitivity(
        scams,
        stage.user("director"),
        "Conseil de prévention générique : aucune affaire ni victime réelle n'est évoquée.",
    )

    contest = stage.write(
        "cm",
        "national",
        national,
        category=Category.INSTITUTIONAL,
        campaign=stage.campaign,
        scheduled_at=stage.next_week(1, 11),
        title="Recrutement — ouverture du concours de gardien de la paix",
        body="Devenez gardien de la paix ! Les inscriptions au concours 2027 sont "
        "ouvertes : conditions, épreuves et calendrier sur "
        "https://www.devenirpolicier.fr #RecrutementPolice",
        # Facebook takes a longer text than X or Bluesky.
        variants={
            stage.channels["national", Network.FACEBOOK]: (
                "👮 Devenez gardien de la paix !\n\nLes inscriptions au concours 2027 sont "
                "ouvertes. Le concours est accessible dès 17 ans, avec le baccalauréat, et "
                "la formation est rémunérée dès le premier jour en école.\n\nConditions, "
                "épreuves et calendrier : https://www.devenirpolicier.fr\n\n"
                "#RecrutementPolice"
            )
        },
    )
    live = stage.write(
        "cm",
        "national",
        national,
        category=Category.INSTITUTIONAL,
        campaign=stage.campaign,
        scheduled_at=stage.next_week(2, 12),
        title="Recrutement — annonce du live questions-réponses",
        body="Live recrutement ce soir à 19 h : nos recruteurs répondent en direct à "
        "toutes vos questions sur le métier de policier. Posez-les dès maintenant "
        "en commentaire ! #RecrutementPolice",
    )
    open_day = stage.write(
        "cm",
        "national",
        national,
        category=Category.INSTITUTIONAL,
        campaign=stage.campaign,
        scheduled_at=stage.next_week(3, 10),
        title="Recrutement — portes ouvertes de l'école de police de Nîmes",
        body="Portes ouvertes à l'École nationale de police de Nîmes samedi, de 9 h à "
        "17 h : rencontrez élèves et formateurs, découvrez la formation. Entrée "
        "libre. #RecrutementPolice",
    )
    match = stage.write(
        "cm",
        "ddsp-13",
        stage.on("ddsp-13", Network.MASTODON, Network.FACEBOOK),
        category=Category.PREVENTION,
        scheduled_at=stage.next_week(4, 14),
        title="Match à haut risque au Vélodrome : dispositif de sécurité",
        body="Match au Vélodrome samedi : 1 200 policiers mobilisés. Périmètre de "
        "sécurité dès 15 h, palpations à l'entrée. Fumigènes et bouteilles en verre "
        "interdits. Arrivez tôt ! #Marseille",
    )
    # No keyword catches this one: the CM flags it by hand.
    wf.mark_sensitive(
        match,
        cm,
        "Match classé à haut risque : communication coordonnée avec la préfecture de police.",
    )

    car_thefts = stage.write(
        "contrib67",
        "ddsp-67",
        stage.on("ddsp-67", Network.MASTODON, Network.FACEBOOK),
        category=Category.PREVENTION,
        scheduled_at=stage.next_week(1, 8, 30),
        title="Vols dans les véhicules à Strasbourg",
        body="Vols dans les véhicules : à Strasbourg, la plupart visent des voitures où "
        "un sac ou un téléphone était visible. Ne laissez rien en vue, même quelques "
        "minutes, et verrouillez toujours. #Strasbourg",
    )
    # A department's post reaches the plan through the CM, who accepts it.
    wf.submit(car_thefts, stage.user("contrib67"))
    wf.accept(car_thefts, cm)

    for post in (scams, contest, live, open_day, match):
        wf.plan_into_week(post, cm)
    plan = fresh(scams).plan
    wf.submit_plan(plan, cm)
    # The head looked at every item of the week: he approves what he saw.
    pending = plan.posts.filter(state=PostState.PENDING_APPROVAL).values_list("pk", flat=True)
    wf.approve_plan(
        plan,
        head,
        shown=compute_content_hashes(list(pending)),
        returns={
            live.pk: "Ajoutez le lien vers le live et le hashtag #DevenezPolicier, puis "
            "replanifiez-le.",
        },
    )

    wf.cancel(
        fresh(open_day),
        cm,
        "L'école a reporté la journée portes ouvertes ; nouvelle date à annoncer.",
    )

    late = stage.write(
        "cm",
        "national",
        stage.on("national", *SOCIAL),
        category=Category.PREVENTION,
        scheduled_at=stage.next_week(2, 17, 30),
        title="Rappel — faux policiers au téléphone",
        body="Rappel : un policier ne vous demandera jamais vos coordonnées bancaires, "
        "ni de lui remettre bijoux ou carte. Au moindre doute, raccrochez et "
        "composez le 17. #FauxPolicier",
    )
    # The week is already approved: a late item joins the review on its own.
    wf.plan_into_week(late, cm)


def plan_after_next(stage: Stage) -> None:
    """The CM has started the plan for the week after next: items planned, not sent,
    and one idea still to place."""
    cm = stage.user("cm")
    portrait = stage.write(
        "cm",
        "national",
        stage.on("national", *SOCIAL, Network.ATOM),
        category=Category.COLD_NEWS,
        campaign=stage.campaign,
        scheduled_at=stage.next_week(0, 10, weeks=1),
        title="Recrutement — portrait d'Inès, gardienne de la paix",
        body="Inès, 26 ans, gardienne de la paix à Strasbourg : « Aucune journée ne "
        "ressemble à la précédente. » Découvrez son parcours et rejoignez-nous sur "
        "https://www.devenirpolicier.fr #RecrutementPolice",
    )
    scooters = stage.write(
        "cm",
        "national",
        stage.on("national", *SOCIAL, Network.LOG),
        category=Category.PREVENTION,
        scheduled_at=stage.next_week(1, 17, weeks=1),
        title="Sécurité routière — trottinettes électriques",
        body="Trottinette électrique : casque conseillé, gilet réfléchissant la nuit, "
        "jamais sur le trottoir. Une seule personne par engin : c'est la loi. "
        "#SécuritéRoutière",
    )
    for post in (portrait, scooters):
        wf.plan_into_week(post, cm)
    # An idea with no time yet: it waits in the board's side list to be placed.
    stage.write(
        "cm",
        "national",
        stage.on("national", Network.MASTODON, Network.BLUESKY),
        category=Category.PREVENTION,
        title="Prévention — vols à la portière",
        body="Au feu rouge, verrouillez vos portières et gardez votre sac hors de vue. "
        "Un doute, un comportement suspect ? Composez le 17. #Prévention",
    )
