"""Who and where: the demo's teams, one user per role (password "demo"), their
channels on the networks and the note-cadre's sensitivity rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import add_member, create_department, give_role
from editorial.models import Channel, Network, SensitivityRule

PASSWORD = "demo"


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
# The webhook channels, whose receivers the demo sets up itself, are created with their
# addresses in demo/publishing.py.
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


def create_teams() -> dict[str, Department]:
    return {t.code: create_department(t.name, t.code, is_national=t.is_national) for t in TEAMS}


def create_users(teams: dict[str, Department]) -> dict[str, User]:
    return {person.username: _create_user(person, teams[person.team]) for person in DEMO_USERS}


def _create_user(person: DemoUser, team: Department) -> User:
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
    add_member(team, user)
    return user


def create_channels(teams: dict[str, Department]) -> dict[tuple[str, str], Channel]:
    return {
        (team, network): Channel.objects.create(
            department=teams[team], network=network, name=name, handle=handle
        )
        for team, network, name, handle in CHANNELS
    }


def create_rules(author: User) -> None:
    # Before any post: create_post applies the rules, so flags in the demo are real.
    for kind, pattern, topic in RULES:
        SensitivityRule.objects.create(kind=kind, pattern=pattern, topic=topic, created_by=author)
