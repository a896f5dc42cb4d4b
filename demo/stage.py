"""The stage the demo's scenes play on: its teams, people and channels once created, the
helpers they share (Paris hours, the channels a post can use, writing a post), and the
clock.

The clock. Every action in the demo is a real workflow or publisher function, and those
read the time themselves: an approval wants a time still to come, the sender stamps
`sent_at`, the audit stamps each entry with `timezone.now()`. A post published
yesterday at 9:45 can only be published by them if the clock reads yesterday 9:45, so
the scenes set in the past run inside `Stage.clock(when)`: time-machine moves the
process's clock there (ticking on from it) and back when the block ends. Running them
now and moving the times back afterwards, as the demo once did, left an audit trail
saying the posts went out while the demo was being seeded, feeds dated otherwise, and
approvals given after the time they approved. Django's `timezone.override` would not do:
it changes the zone times are shown in, not the clock. The past is played first, in the
order it happened, so that the audit chain reads in time order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from accounts.models import Department, User
from demo import people
from editorial import workflow as wf
from editorial.content import channel_publish_problem
from editorial.models import Campaign, Channel, Network, Post

# The demo team works in Paris time whatever the server's zone: hours below are local.
PARIS = ZoneInfo("Europe/Paris")
SOCIAL = (Network.MASTODON, Network.BLUESKY, Network.X, Network.FACEBOOK)
# How many days before yesterday the team was set up: the history starts after.
SINCE_DAYS = 45


class Stage:
    def __init__(self, now: dt.datetime):
        self.now = now
        self.today = timezone.localdate(now, timezone=PARIS)
        self.yesterday = self.today - dt.timedelta(days=1)
        self.next_monday = self.today + dt.timedelta(days=7 - self.today.weekday())
        self.teams: dict[str, Department] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[tuple[str, str], Channel] = {}

    def set_up(self) -> None:
        """The teams, people, channels, campaign and rules, in place for weeks (the
        history of demo/history.py): before anything the scenes do."""
        with self.clock(self.at(self.yesterday - dt.timedelta(days=SINCE_DAYS), 7)):
            self.teams = people.create_teams()
            self.users = people.create_users(self.teams)
            self.channels = people.create_channels(self.teams)
            self.campaign = Campaign.objects.create(
                name="Campagne de recrutement 2027",
                description=(
                    "Concours de gardien de la paix 2027 : portraits de policiers, cinq lives "
                    "avec des recruteurs, portes ouvertes des écoles de police."
                ),
                starts_on=self.today,
                ends_on=self.today + dt.timedelta(days=90),
                department=self.teams["national"],
            )
            people.create_rules(self.users["head"])

    # --- the clock (see the module's docstring) -----------------------------------------

    @contextmanager
    def clock(self, when: dt.datetime) -> Iterator[time_machine.Traveller]:
        """Run the block as if the clock read `when` (ticking on from there); the
        traveller it gives can `move_to` a later time."""
        with time_machine.travel(when, tick=True) as traveller:
            yield traveller

    # --- time: local Paris hours -------------------------------------------------------

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

    def ago(self, minutes: int) -> dt.datetime:
        """`minutes` before now, to the minute."""
        return (self.now - dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)

    # --- people, channels and posts -----------------------------------------------------

    def user(self, username: str) -> User:
        return self.users[username]

    def on(self, team: str, *networks: str) -> list[Channel]:
        """The team's channels on `networks` that can publish today. The demo's social
        accounts are not connected (Mastodon's have no instance nor token: the demo
        never reaches a network) or have no connector yet, so a post aimed only at them
        goes to the team's Atom feed: every demo post can then be approved and go out,
        as the review requires."""
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


def fresh(post: Post) -> Post:
    """Reload a post another action changed through its own copy (plans do)."""
    post.refresh_from_db()
    return post
