"""Demo data for trying Cadence on one machine: a national team, three departments, one
user per role and a week of posts in every state of the workflow.

Every post is moved through the real workflow functions by the user who would act in
real life, so the demo's audit trail, approvals and four-eyes checks are the real thing.
Only the publishing transitions are taken directly, as the publisher will take them.

`manage.py seed_demo` calls `build_demo` inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import add_member, create_department, give_role
from editorial import audit
from editorial import workflow as wf
from editorial.channels import adapter_for
from editorial.channels.base import Outgoing
from editorial.content import (
    approved_hash,
    channel_publish_problem,
    compute_content_hashes,
    text_for,
)
from editorial.messages import message, store
from editorial.models import (
    Campaign,
    Category,
    Channel,
    Network,
    Post,
    PostState,
    Publication,
    PublicationState,
    SensitivityRule,
)
from editorial.publishing.outcomes import LAST_ERROR_LENGTH

PASSWORD = "demo"
# The demo team works in Paris time whatever the server's zone: hours below are local.
PARIS = ZoneInfo("Europe/Paris")
SOCIAL = (Network.MASTODON, Network.BLUESKY, Network.X, Network.FACEBOOK)


# --- who and where ----------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    name: str
    code: str
    is_national: bool = False


TEAMS = (
    Team("Équipe nationale de communication", "national", is_national=True),
    Team("DDSP 67 Bas-Rhin", "ddsp-67"),
    Team("DDSP 13 Bouches-du-Rhône", "ddsp-13"),
    Team("DDSP 69 Rhône", "ddsp-69"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    team: str
    superuser: bool = False


DEMO_USERS = (
    DemoUser("cm", "Camille", "Martin", Role.COMMUNITY_MANAGER, "national"),
    DemoUser("head", "Hélène", "Dubois", Role.HEAD_OF_COMMUNICATION, "national"),
    DemoUser("director", "Laurent", "Mercier", Role.DIRECTOR, "national"),
    DemoUser("contrib67", "Lucas", "Schmitt", Role.CONTRIBUTOR, "ddsp-67"),
    DemoUser("contrib13", "Nadia", "Benali", Role.CONTRIBUTOR, "ddsp-13"),
    DemoUser("admin", "Paul", "Girard", Role.ADMINISTRATOR, "national", superuser=True),
)

# (team, network, channel name, handle). Handles are made up: nothing here can post.
CHANNELS = (
    ("national", Network.MASTODON, "Police nationale", "@policenationale@social.example"),
    ("national", Network.BLUESKY, "Police nationale", "policenationale.social.example"),
    ("national", Network.X, "Police nationale", "@PoliceNat_Demo"),
    ("national", Network.FACEBOOK, "Police nationale", "facebook.com/policenationale.demo"),
    ("national", Network.ATOM, "Actualités de la Police nationale", "national"),
    ("national", Network.LOG, "Journal du serveur (démo)", "demo-national"),
    ("ddsp-67", Network.MASTODON, "Police 67", "@police67@social.example"),
    ("ddsp-67", Network.FACEBOOK, "Police nationale du Bas-Rhin", "facebook.com/police67.demo"),
    ("ddsp-67", Network.ATOM, "Actualités DDSP 67", "ddsp-67"),
    ("ddsp-13", Network.MASTODON, "Police 13", "@police13@social.example"),
    (
        "ddsp-13",
        Network.FACEBOOK,
        "Police nationale des Bouches-du-Rhône",
        "facebook.com/police13.demo",
    ),
    ("ddsp-13", Network.ATOM, "Actualités DDSP 13", "ddsp-13"),
    ("ddsp-69", Network.MASTODON, "Police 69", "@police69@social.example"),
    ("ddsp-69", Network.FACEBOOK, "Police nationale du Rhône", "facebook.com/police69.demo"),
    ("ddsp-69", Network.ATOM, "Actualités DDSP 69", "ddsp-69"),
)

# The note-cadre: (kind, pattern, topic).
RULES = (
    (SensitivityRule.Kind.KEYWORD, "attentat", "Terrorisme"),
    (SensitivityRule.Kind.KEYWORD, "terroriste", "Terrorisme"),
    (SensitivityRule.Kind.KEYWORD, "garde à vue", "Judiciaire"),
    (SensitivityRule.Kind.KEYWORD, "enquête judiciaire", "Judiciaire"),
    (SensitivityRule.Kind.KEYWORD, "mis en examen", "Judiciaire"),
    (SensitivityRule.Kind.KEYWORD, "crise", "Crise"),
    (SensitivityRule.Kind.KEYWORD, "victime", "Victimes"),
    (SensitivityRule.Kind.REGEX, r"morte?s? en service", "Deuil"),
)


def existing_demo_data() -> list[str]:
    """The demo users and teams already in the database, by name: seeding would clash."""
    users = User.objects.filter(username__in=[u.username for u in DEMO_USERS])
    teams = Department.objects.filter(
        Q(code__in=[t.code for t in TEAMS])
        | Q(name__in=[t.name for t in TEAMS])
        | Q(is_national=True)
    )
    return [*users.values_list("username", flat=True), *teams.values_list("name", flat=True)]


def build_demo(now: dt.datetime | None = None) -> None:
    """Create the whole demo. Call it inside a transaction: it is all or nothing."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("build_demo must run inside a transaction.")
    _Demo(now or timezone.now()).build()


# --- the demo, scene by scene -------------------------------------------------------------


class _Demo:
    def __init__(self, now: dt.datetime):
        self.now = now
        self.today = timezone.localdate(now, timezone=PARIS)
        self.next_monday = self.today + dt.timedelta(days=7 - self.today.weekday())

    def build(self) -> None:
        self.teams = {
            t.code: create_department(t.name, t.code, is_national=t.is_national) for t in TEAMS
        }
        self.users = {u.username: self._create_user(u) for u in DEMO_USERS}
        self.channels = {
            (team, network): Channel.objects.create(
                department=self.teams[team], network=network, name=name, handle=handle
            )
            for team, network, name, handle in CHANNELS
        }
        self.campaign = self._create_campaign()
        self._create_rules()
        # Scenes in the order they would happen; each leaves posts in given states.
        self.next_week_plan()
        self.plan_after_next()
        self.hot_news()
        self.conversation()
        self.department_submissions()
        self.recent_publications()
        self.going_out_in_two_minutes()
        self.overdue_submission()

    # --- set-up ---------------------------------------------------------------------

    def _create_user(self, person: DemoUser) -> User:
        create = User.objects.create_superuser if person.superuser else User.objects.create_user
        user = create(
            username=person.username,
            email=f"{person.username}@cadence.example",
            password=PASSWORD,
            first_name=person.first_name,
            last_name=person.last_name,
            # The Django admin is for administrators only: the team works in the pages.
            is_staff=person.role == Role.ADMINISTRATOR,
        )
        give_role(user, person.role)
        add_member(self.teams[person.team], user)
        return user

    def _create_campaign(self) -> Campaign:
        return Campaign.objects.create(
            name="Campagne de recrutement 2027",
            description=(
                "Concours de gardien de la paix 2027 : portraits de policiers, cinq lives "
                "avec des recruteurs, portes ouvertes des écoles de police."
            ),
            starts_on=self.today,
            ends_on=self.today + dt.timedelta(days=90),
            department=self.teams["national"],
        )

    def _create_rules(self) -> None:
        # Before any post: create_post applies the rules, so flags in the demo are real.
        for kind, pattern, topic in RULES:
            SensitivityRule.objects.create(
                kind=kind, pattern=pattern, topic=topic, created_by=self.users["head"]
            )

    # --- time: local Paris hours, always in the future unless said otherwise -----------

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)

    def in_days(self, days: int, hour: int, minute: int = 0) -> dt.datetime:
        return self.at(self.today + dt.timedelta(days=days), hour, minute)

    def next_week(self, weekday: int, hour: int, minute: int = 0, *, weeks: int = 0) -> dt.datetime:
        """A time in next week (0 = Monday), or `weeks` after it."""
        return self.at(self.next_monday + dt.timedelta(days=weekday, weeks=weeks), hour, minute)

    def soon(self, minutes: int) -> dt.datetime:
        """`minutes` from now, rounded up to five minutes (hot news and replies)."""
        when = (self.now + dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)
        return when + dt.timedelta(minutes=-when.minute % 5)

    # --- helpers --------------------------------------------------------------------

    def on(self, team: str, *networks: str) -> list[Channel]:
        """The team's channels on `networks` that can publish today. The social networks
        have no connector yet, so a post aimed only at them goes to the team's Atom feed:
        every demo post can then be approved and go out, as the review requires."""
        wanted = [self.channels[team, network] for network in networks]
        usable = [channel for channel in wanted if channel_publish_problem(channel) is None]
        return usable or [self.channels[team, Network.ATOM]]

    def write(self, author: str, team: str, channels: list[Channel], **fields) -> Post:
        # A variant written for a channel the post no longer targets (see `on`) is dropped.
        variants = fields.pop("variants", None)
        if variants is not None:
            fields["variants"] = {c: text for c, text in variants.items() if c in channels}
        return wf.create_post(
            self.users[author], department=self.teams[team], channels=channels, **fields
        )

    def user(self, username: str) -> User:
        return self.users[username]

    # --- scenes ---------------------------------------------------------------------

    def next_week_plan(self) -> None:
        """The CM's plan for next week, approved by the head of communication in one
        action with one item returned; a sensitive item goes on to the director; one
        item is called off and one added late."""
        cm, head = self.user("cm"), self.user("head")
        national = self.on("national", *SOCIAL, Network.ATOM)

        scams = self.write(
            "cm",
            "national",
            national,
            category=Category.PREVENTION,
            scheduled_at=self.next_week(0, 9, 30),
            title="Prévention — arnaques en ligne : les bons réflexes",
            body="Faux conseiller bancaire, faux colis, fausse amende : ne communiquez jamais "
            "vos codes et vérifiez l'expéditeur. Vous êtes victime ? Signalez-le sur "
            "https://www.masecurite.interieur.gouv.fr #Prévention",
        )
        # "victime" trips the note-cadre; generic advice is not sensitive, so the head
        # lifts the flag with a reason, as the product expects a person to.
        wf.lift_sensitivity(
            scams,
            head,
            "Conseil de prévention générique : aucune affaire ni victime réelle n'est évoquée.",
        )

        contest = self.write(
            "cm",
            "national",
            national,
            category=Category.INSTITUTIONAL,
            campaign=self.campaign,
            scheduled_at=self.next_week(1, 11),
            title="Recrutement — ouverture du concours de gardien de la paix",
            body="Devenez gardien de la paix ! Les inscriptions au concours 2027 sont "
            "ouvertes : conditions, épreuves et calendrier sur "
            "https://www.devenirpolicier.fr #RecrutementPolice",
            # Facebook takes a longer text than X or Bluesky.
            variants={
                self.channels["national", Network.FACEBOOK]: (
                    "👮 Devenez gardien de la paix !\n\nLes inscriptions au concours 2027 sont "
                    "ouvertes. Le concours est accessible dès 17 ans, avec le baccalauréat, et "
                    "la formation est rémunérée dès le premier jour en école.\n\nConditions, "
                    "épreuves et calendrier : https://www.devenirpolicier.fr\n\n"
                    "#RecrutementPolice"
                )
            },
        )
        live = self.write(
            "cm",
            "national",
            national,
            category=Category.INSTITUTIONAL,
            campaign=self.campaign,
            scheduled_at=self.next_week(2, 12),
            title="Recrutement — annonce du live questions-réponses",
            body="Live recrutement ce soir à 19 h : nos recruteurs répondent en direct à "
            "toutes vos questions sur le métier de policier. Posez-les dès maintenant "
            "en commentaire ! #RecrutementPolice",
        )
        open_day = self.write(
            "cm",
            "national",
            national,
            category=Category.INSTITUTIONAL,
            campaign=self.campaign,
            scheduled_at=self.next_week(3, 10),
            title="Recrutement — portes ouvertes de l'école de police de Nîmes",
            body="Portes ouvertes à l'École nationale de police de Nîmes samedi, de 9 h à "
            "17 h : rencontrez élèves et formateurs, découvrez la formation. Entrée "
            "libre. #RecrutementPolice",
        )
        match = self.write(
            "cm",
            "ddsp-13",
            self.on("ddsp-13", Network.MASTODON, Network.FACEBOOK),
            category=Category.PREVENTION,
            scheduled_at=self.next_week(4, 14),
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

        car_thefts = self.write(
            "contrib67",
            "ddsp-67",
            self.on("ddsp-67", Network.MASTODON, Network.FACEBOOK),
            category=Category.PREVENTION,
            scheduled_at=self.next_week(1, 8, 30),
            title="Vols dans les véhicules à Strasbourg",
            body="Vols dans les véhicules : à Strasbourg, la plupart visent des voitures où "
            "un sac ou un téléphone était visible. Ne laissez rien en vue, même quelques "
            "minutes, et verrouillez toujours. #Strasbourg",
        )
        # A department's post reaches the plan through the CM, who accepts it.
        wf.submit(car_thefts, self.user("contrib67"))
        wf.accept(car_thefts, cm)

        for post in (scams, contest, live, open_day, match):
            wf.plan_into_week(post, cm)
        plan = _fresh(scams).plan
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
            _fresh(open_day),
            cm,
            "L'école a reporté la journée portes ouvertes ; nouvelle date à annoncer.",
        )

        late = self.write(
            "cm",
            "national",
            self.on("national", *SOCIAL),
            category=Category.PREVENTION,
            scheduled_at=self.next_week(2, 17, 30),
            title="Rappel — faux policiers au téléphone",
            body="Rappel : un policier ne vous demandera jamais vos coordonnées bancaires, "
            "ni de lui remettre bijoux ou carte. Au moindre doute, raccrochez et "
            "composez le 17. #FauxPolicier",
        )
        # The week is already approved: a late item joins the review on its own.
        wf.plan_into_week(late, cm)

    def plan_after_next(self) -> None:
        """The CM has started the plan for the week after next: items planned, not sent,
        and one idea still to place."""
        cm = self.user("cm")
        portrait = self.write(
            "cm",
            "national",
            self.on("national", *SOCIAL, Network.ATOM),
            category=Category.COLD_NEWS,
            campaign=self.campaign,
            scheduled_at=self.next_week(0, 10, weeks=1),
            title="Recrutement — portrait d'Inès, gardienne de la paix",
            body="Inès, 26 ans, gardienne de la paix à Strasbourg : « Aucune journée ne "
            "ressemble à la précédente. » Découvrez son parcours et rejoignez-nous sur "
            "https://www.devenirpolicier.fr #RecrutementPolice",
        )
        scooters = self.write(
            "cm",
            "national",
            self.on("national", *SOCIAL, Network.LOG),
            category=Category.PREVENTION,
            scheduled_at=self.next_week(1, 17, weeks=1),
            title="Sécurité routière — trottinettes électriques",
            body="Trottinette électrique : casque conseillé, gilet réfléchissant la nuit, "
            "jamais sur le trottoir. Une seule personne par engin : c'est la loi. "
            "#SécuritéRoutière",
        )
        for post in (portrait, scooters):
            wf.plan_into_week(post, cm)
        # An idea with no time yet: it waits in the board's side list to be placed.
        self.write(
            "cm",
            "national",
            self.on("national", Network.MASTODON, Network.BLUESKY),
            category=Category.PREVENTION,
            title="Prévention — vols à la portière",
            body="Au feu rouge, verrouillez vos portières et gardez votre sac hors de vue. "
            "Un doute, un comportement suspect ? Composez le 17. #Prévention",
        )

    def hot_news(self) -> None:
        """Hot news outside the plan: fast-tracked, approved within the hour; the judicial
        one is sensitive and signed off by the director."""
        cm, head, director = self.user("cm"), self.user("head"), self.user("director")

        alert = self.write(
            "cm",
            "ddsp-67",
            self.on("ddsp-67", Network.MASTODON, Network.FACEBOOK),
            category=Category.HOT_NEWS,
            scheduled_at=self.soon(45),
            title="Alerte — faux policiers à Strasbourg-Neudorf",
            body="⚠️ Alerte : des habitants de Neudorf reçoivent en ce moment des appels de "
            "faux policiers. Un policier ne vous demande jamais vos bijoux ni votre "
            "carte bancaire. Au moindre doute, composez le 17.",
        )
        wf.fast_track(alert, cm)
        wf.approve(alert, head)

        dealing = self.write(
            "cm",
            "ddsp-13",
            self.on("ddsp-13", Network.MASTODON, Network.FACEBOOK),
            category=Category.HOT_NEWS,
            scheduled_at=self.soon(120),
            title="Démantèlement d'un point de deal à Marseille",
            body="Point de deal démantelé dans le 13e arrondissement : après des mois "
            "d'investigations, six personnes ont été placées en garde à vue. Drogue, "
            "armes et 40 000 € saisis. Bravo aux effectifs mobilisés.",
        )
        wf.fast_track(dealing, cm)
        wf.approve(dealing, head)  # sensitive ("garde à vue"): on to the director
        wf.comment(dealing, director, "Communication validée avec le parquet de Marseille.")
        wf.sign_off(dealing, director)

    def conversation(self) -> None:
        """A reply the CM clears on their own judgement, as the note-cadre allows."""
        cm = self.user("cm")
        reply = self.write(
            "cm",
            "national",
            self.on("national", Network.MASTODON),
            category=Category.CONVERSATION,
            scheduled_at=self.soon(30),
            title="Réponse — pré-plainte en ligne",
            body="@marie.l@mastodon.example Bonjour, pour un vol sans auteur identifié, "
            "faites une pré-plainte sur https://www.pre-plainte-en-ligne.gouv.fr puis "
            "signez-la au commissariat de votre choix. Bonne journée.",
        )
        wf.self_approve(reply, cm)

    def department_submissions(self) -> None:
        """Departments at work: a draft, a submission awaiting the CM, one sent back."""
        contrib67, contrib13 = self.user("contrib67"), self.user("contrib13")
        local67 = self.on("ddsp-67", Network.MASTODON, Network.FACEBOOK, Network.ATOM)
        local13 = self.on("ddsp-13", Network.MASTODON, Network.FACEBOOK)

        self.write(
            "contrib67",
            "ddsp-67",
            local67,
            category=Category.PREVENTION,
            scheduled_at=self.in_days(5, 10),
            title="Opération Tranquillité Vacances",
            body="Vous partez ? Signalez votre absence au commissariat : des patrouilles "
            "passeront devant votre domicile. Inscription en ligne ou à l'accueil. "
            "#Strasbourg #OTV",
        )
        toys = self.write(
            "contrib67",
            "ddsp-67",
            local67,
            category=Category.INSTITUTIONAL,
            scheduled_at=self.in_days(3, 14),
            title="Collecte de jouets au commissariat central",
            body="Le commissariat central de Strasbourg collecte des jouets neufs pour les "
            "enfants hospitalisés. Déposez vos dons à l'accueil jusqu'à la fin du mois. "
            "Merci pour eux ! #Strasbourg",
        )
        wf.submit(toys, contrib67)

        desk = self.write(
            "contrib13",
            "ddsp-13",
            local13,
            category=Category.INSTITUTIONAL,
            scheduled_at=self.in_days(2, 10),
            title="Permanence d'aide aux démarches à Marseille Nord",
            body="Besoin d'aide pour une pré-plainte ou une procuration ? Une permanence "
            "d'aide aux démarches en ligne vous accueille au commissariat de Marseille "
            "Nord tous les mardis.",
        )
        wf.submit(desk, contrib13)
        wf.return_submission(
            desk,
            self.user("cm"),
            "Merci ! Précisez les horaires et l'adresse exacte, puis renvoyez-le.",
        )

    def recent_publications(self) -> None:
        """What went out over the last day, as the publisher (a later issue) will leave it:
        published posts, one that failed, and a reply whose outcome is unknown (Mastodon
        did not answer): it waits in the community manager's inbox."""
        cm, head = self.user("cm"), self.user("head")
        yesterday = self.today - dt.timedelta(days=1)

        sms = self.write(
            "cm",
            "national",
            self.on("national", *SOCIAL, Network.ATOM),
            category=Category.HOT_NEWS,
            scheduled_at=self.soon(60),
            title="Alerte — SMS « amende impayée »",
            body="Attention aux SMS « amende impayée » : ils sont frauduleux. L'ANTAI ne "
            "demande jamais de paiement par SMS. Ne cliquez pas et signalez le message "
            "au 33700. #Arnaque",
        )
        desk_closed = self.write(
            "cm",
            "ddsp-69",
            self.on("ddsp-69", Network.MASTODON, Network.FACEBOOK),
            category=Category.HOT_NEWS,
            scheduled_at=self.soon(60),
            title="Accueil du commissariat de Lyon 3e fermé",
            body="L'accueil du commissariat de Lyon 3e est exceptionnellement fermé ce matin "
            "(panne électrique). Urgence : composez le 17. Plainte : commissariat de "
            "Lyon 7e.",
        )
        operation = self.write(
            "cm",
            "ddsp-69",
            self.on("ddsp-69", Network.MASTODON, Network.FACEBOOK),
            category=Category.HOT_NEWS,
            scheduled_at=self.soon(60),
            title="Intervention en cours à Vaulx-en-Velin",
            body="Intervention de police en cours à Vaulx-en-Velin, secteur du Mas du "
            "Taureau : évitez le secteur et suivez les consignes des policiers sur "
            "place.",
        )
        for post in (sms, desk_closed, operation):
            wf.fast_track(post, cm)
            wf.approve(post, head)

        thanks = self.write(
            "cm",
            "national",
            self.on("national", Network.MASTODON),
            category=Category.CONVERSATION,
            scheduled_at=self.soon(30),
            title="Réponse — signalement transmis",
            body="@karim_b@piaille.example Merci pour votre signalement, transmis aux "
            "policiers de votre secteur. Pour toute urgence, composez le 17.",
        )
        lost = self.write(
            "cm",
            "national",
            self.on("national", Network.MASTODON),
            category=Category.CONVERSATION,
            scheduled_at=self.soon(30),
            title="Réponse — objets trouvés",
            body="@lucie.m@mamot.example Bonjour, les objets trouvés se déclarent et se "
            "retirent en mairie, au service des objets trouvés. Bonne journée !",
        )
        for post in (thanks, lost):
            wf.self_approve(post, cm)

        for post in (sms, desk_closed, thanks):
            _publish(post)
        # What the networks answer is theirs (here in English); Cadence's own sentence
        # around it is stored as a message, shown in each reader's language.
        _publish(
            operation,
            refusal="Error validating access token: Session has expired "
            "(OAuthException, code 190).",
        )
        _leave_unknown(lost, "ReadTimeout('The read operation timed out')")
        # Approval needs a future time; these went out in the past, so their times are
        # moved back afterwards (time is not content: the approvals still hold).
        _move(sms, self.at(yesterday, 9, 45))
        _move(desk_closed, self.at(yesterday, 8, 15))
        _move(thanks, self.at(yesterday, 16, 20))
        _move(operation, self.at(yesterday, 21, 10))
        _move(lost, self.now.replace(second=0, microsecond=0))

    def overdue_submission(self) -> None:
        """A department's submission nobody accepted before its time: marked overdue."""
        contrib13 = self.user("contrib13")
        meeting = self.write(
            "contrib13",
            "ddsp-13",
            self.on("ddsp-13", Network.MASTODON, Network.FACEBOOK),
            category=Category.INSTITUTIONAL,
            scheduled_at=self.in_days(1, 8),
            title="Réunion publique de sécurité à Aubagne",
            body="Réunion publique de sécurité à Aubagne ce soir à 18 h 30, salle des fêtes : "
            "venez échanger avec les policiers de votre quartier.",
        )
        wf.submit(meeting, contrib13)
        # Submitting needs a future time; the clock then runs past it, unaccepted.
        _move(meeting, self.now - dt.timedelta(hours=2))
        wf.mark_overdue_posts(self.now)

    def going_out_in_two_minutes(self) -> None:
        """Approved now, due in two minutes, on the national Atom feed and the server log:
        watch it go out once, at that minute, while `make run` is running."""
        cm, head = self.user("cm"), self.user("head")
        due = (self.now + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
        if due - self.now < dt.timedelta(minutes=1, seconds=30):
            due += dt.timedelta(minutes=1)
        post = self.write(
            "cm",
            "national",
            self.on("national", Network.ATOM, Network.LOG),
            category=Category.PREVENTION,
            scheduled_at=due,
            title="Démo — publication dans deux minutes",
            body="Vols à la fausse qualité : un policier ne vous demandera jamais vos "
            "codes bancaires ni vos bijoux. Au moindre doute, composez le 17.",
        )
        wf.fast_track(post, cm)
        wf.approve(post, head)


# --- what the publisher will do, done by hand ---------------------------------------------


def _fresh(post: Post) -> Post:
    """Reload a post another action changed through its own copy (plans do)."""
    post.refresh_from_db()
    return post


def _move(post: Post, when: dt.datetime) -> None:
    Post.objects.filter(pk=post.pk).update(scheduled_at=when)
    post.publications.filter(sent_at__isnull=False).update(sent_at=when)


def _system_transition(post: Post, transition: str, action: str, **details) -> None:
    with transaction.atomic():
        from_state = post.state
        getattr(post, transition)()
        post.save(update_fields=Post.WORKFLOW_FIELDS)
        audit.record(
            actor=None,
            action=action,
            obj=post,
            from_state=from_state,
            to_state=post.state,
            **details,
        )


def _start_publishing(post: Post) -> None:
    _system_transition(_fresh(post), "start_publishing", "start_publishing")


def _publish(post: Post, *, refusal: str = "") -> None:
    """Leave the post as the publisher does: one publication per channel, sent (or,
    with the network's `refusal`, the last one failed), so the Atom feeds show what
    went out."""
    _start_publishing(post)
    channels = list(post.channels.order_by("pk"))
    content_hash = approved_hash(post)
    error = ""
    for index, channel in enumerate(channels):
        failed = refusal and index == len(channels) - 1
        if failed:
            answer = message("answered", channel=channel, status=400, text=refusal)
            error = store(answer, LAST_ERROR_LENGTH)
        publication = Publication.objects.create(
            post=post,
            channel=channel,
            content_hash=content_hash,
            attempts=1,
            state=PublicationState.FAILED if failed else PublicationState.SENT,
            last_error=error if failed else "",
            sent_at=None if failed else timezone.now(),
        )
        if not failed:
            built_in = channel.network in (Network.ATOM, Network.LOG)
            result = adapter_for(channel).publish(_outgoing(publication)) if built_in else None
            publication.external_id = result.external_id if result else f"demo:{publication.pk}"
            publication.external_url = result.url if result else ""
            publication.save(update_fields=["external_id", "external_url"])
    if error:
        _system_transition(post, "mark_failed", "mark_failed", comment=error)
    else:
        channels = [str(channel) for channel in channels]
        _system_transition(post, "mark_published", "mark_published", data={"channels": channels})


def _leave_unknown(post: Post, failure: str) -> None:
    """Leave the post as the publisher does when a request left and no answer came back
    (`failure`: the network library's error): its publication's outcome unknown, for a
    person to settle."""
    _start_publishing(post)
    with transaction.atomic():
        for channel in post.channels.order_by("pk"):
            answer = message("no_answer", channel=channel, error=failure)
            error = store(answer, LAST_ERROR_LENGTH)
            publication = Publication.objects.create(
                post=post,
                channel=channel,
                content_hash=approved_hash(post),
                attempts=1,
                state=PublicationState.UNKNOWN,
                last_error=error,
            )
            audit.record(
                actor=None,
                action="publication_unknown",
                obj=publication,
                from_state=PublicationState.SENDING,
                to_state=PublicationState.UNKNOWN,
                comment=error,
            )


def _outgoing(publication: Publication) -> Outgoing:
    return Outgoing(
        publication_id=publication.pk,
        idempotency_key=str(publication.idempotency_key),
        text=text_for(publication.post, publication.channel),
    )
