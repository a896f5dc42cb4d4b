"""The claim just before a send: the one statement that decides whether a publication
goes out now.

Everything a send depends on is re-checked there, from the database, at the moment of
the send — not on the copy its batch read seconds earlier: the publication still
queued or retrying and past its own back-off (`not_before`); its post still publishing
and not held; no pause on its channel; no `forbid` blackout period in force now on its
channel or its post's or channel's department (even if a hold was missed); the channel
still active, not waiting to be reconnected (the network refused its credentials), and
one the post's department may use; and the channel's columns the adapter sends with
(network, encrypted credentials — a webhook's address, an access token —, department)
still those the batch read, so that the adapter posts with the channel exactly as it is
in the database at the claim. A channel switched off, handed to another department or
whose credentials were changed mid-batch (a webhook's address rotated, a token replaced:
the ciphertext is compared, so no key is needed and no secret read) stops the claim; the
sender then reads it fresh and refuses the publication or claims it again with the
new values (`sender._not_cleared`).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.db import connection
from django.db.models import F

from accounts.models import Department
from editorial.models import (
    Blackout,
    BlackoutRule,
    BlackoutScope,
    Channel,
    Post,
    PostState,
    Publication,
    PublicationState,
    PublishingPause,
)
from editorial.publishing.keeper import keeper

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

PS = PublicationState
PENDING = [PS.QUEUED, PS.RETRYING]


class Carry(Protocol):
    """A previous send's outcome not written yet (`sender._Carry`)."""

    sql: str
    params: list

    def write(self, cursor: CursorWrapper) -> None: ...

    def done(self, written: bool) -> None: ...


def claim(pk: int, now: datetime) -> bool:
    """The bare claim (queued/retrying -> sending), without the clearance conditions:
    for a publication about to be refused (failed), and for tests."""
    return bool(
        Publication.objects.filter(pk=pk, state__in=PENDING).update(
            state=PS.SENDING, sending_since=now, attempts=F("attempts") + 1
        )
    )


def claim_to_send(publication: Publication, now: datetime, carry: Carry | None = None) -> bool:
    """The claim just before a send: queued/retrying -> sending, attempts + 1, only if
    everything the send depends on still holds now (the module's docstring), with
    `publication.channel` as the channel's expected columns. One UPDATE whose WHERE is
    on the publication's own row, its conditions on other tables correlated
    sub-queries: PostgreSQL re-checks all of it on the row version it updates when a
    concurrent claim got there first (a join, which Django turns into
    `pk IN (SELECT …)`, would not be re-checked). Raw SQL: the ORM took ~5 ms of CPU to
    build this statement, the whole budget of a publication.

    `carry`: the outcome of the batch's previous send, not written yet. On PostgreSQL it
    is written by the same statement (two data-modifying CTEs, one commit, one round
    trip instead of two; each UPDATE keeps its own row condition); elsewhere just
    before."""
    at = connection.ops.adapt_datetimefield_value(now)  # as the ORM would store it
    channel = publication.channel
    params = [
        PS.SENDING,
        at,
        # The lease of the send in flight: kept alive by this worker (`keeper`); once it
        # lapses, the sweep has the publication looked up or marked unknown.
        connection.ops.adapt_datetimefield_value(keeper.hold_until(now)),
        publication.pk,
        PS.QUEUED,
        PS.RETRYING,
        at,
        PostState.PUBLISHING,
        True,
        False,
        channel.network,
        channel.encrypted_credentials,
        channel.department_id,
        True,
        BlackoutRule.FORBID,
        at,
        at,
        BlackoutScope.ALL,
        BlackoutScope.CHANNELS,
        BlackoutScope.DEPARTMENTS,
        True,
        at,
    ]
    with connection.cursor() as cursor:
        if carry is not None and connection.vendor == "postgresql":
            cursor.execute(
                f"WITH recorded AS ({carry.sql} RETURNING 1), claimed AS ({_claim_sql()} "
                f"RETURNING 1) SELECT (SELECT count(*) FROM recorded), "
                f"(SELECT count(*) FROM claimed)",
                [*carry.params, *params],
            )
            written, claimed = cursor.fetchone()
            carry.done(written == 1)
            return claimed == 1
        if carry is not None:
            carry.write(cursor)
        cursor.execute(_claim_sql(), params)
        return cursor.rowcount == 1


@functools.cache
def _claim_sql() -> str:
    q = connection.ops.quote_name
    pub, post, channel = Publication._meta, Post._meta, Channel._meta
    pause, department = PublishingPause._meta, Department._meta

    def col(meta, name: str) -> str:
        return f"{q(meta.db_table)}.{q(meta.get_field(name).column)}"

    return (
        f"UPDATE {q(pub.db_table)} SET {q('state')} = %s, {q('sending_since')} = %s, "
        f"{q('next_attempt_at')} = %s, {q('attempts')} = {q('attempts')} + 1 "
        f"WHERE {col(pub, 'id')} = %s AND {col(pub, 'state')} IN (%s, %s) "
        f"AND ({col(pub, 'not_before')} IS NULL OR {col(pub, 'not_before')} <= %s) "
        # The post, and the channel as the batch read it, in one correlated sub-query.
        f"AND EXISTS (SELECT 1 FROM {q(post.db_table)} INNER JOIN {q(channel.db_table)} "
        f"ON {col(channel, 'id')} = {col(pub, 'channel')} "
        f"WHERE {col(post, 'id')} = {col(pub, 'post')} AND {col(post, 'state')} = %s "
        f"AND {col(post, 'held_at')} IS NULL AND {col(channel, 'is_active')} = %s "
        f"AND {col(channel, 'needs_reconnecting')} = %s "
        f"AND {col(channel, 'network')} = %s AND {col(channel, 'encrypted_credentials')} = %s "
        f"AND {col(channel, 'department')} = %s "
        f"AND ({col(channel, 'department')} = {col(post, 'origin_department')} "
        f"OR EXISTS (SELECT 1 FROM {q(department.db_table)} WHERE {col(department, 'id')} = "
        f"{col(channel, 'department')} AND {col(department, 'is_national')} = %s)) "
        f"AND NOT EXISTS ({_blackout_sql(col, pub, post, channel)})) "
        f"AND NOT EXISTS (SELECT 1 FROM {q(pause.db_table)} WHERE "
        f"{col(pause, 'stops_publishing')} = %s AND {col(pause, 'ended_at')} IS NULL "
        f"AND ({col(pause, 'ends_at')} IS NULL OR {col(pause, 'ends_at')} > %s) "
        f"AND ({col(pause, 'channel')} IS NULL OR {col(pause, 'channel')} = "
        f"{col(pub, 'channel')}))"
    )


def _blackout_sql(col, pub, post, channel) -> str:
    """A `forbid` blackout period in force now that concerns the publication's channel:
    every channel, this one, or its department or its post's."""
    q = connection.ops.quote_name
    period = Blackout._meta
    by_channel = Blackout.channels.through._meta
    by_department = Blackout.departments.through._meta
    return (
        f"SELECT 1 FROM {q(period.db_table)} WHERE {col(period, 'rule')} = %s "
        f"AND {col(period, 'ended_at')} IS NULL AND {col(period, 'starts_at')} <= %s "
        f"AND {col(period, 'ends_at')} > %s AND ({col(period, 'scope')} = %s "
        f"OR ({col(period, 'scope')} = %s AND EXISTS (SELECT 1 FROM "
        f"{q(by_channel.db_table)} WHERE {col(by_channel, 'blackout')} = {col(period, 'id')} "
        f"AND {col(by_channel, 'channel')} = {col(pub, 'channel')})) "
        f"OR ({col(period, 'scope')} = %s AND EXISTS (SELECT 1 FROM "
        f"{q(by_department.db_table)} WHERE {col(by_department, 'blackout')} = "
        f"{col(period, 'id')} AND {col(by_department, 'department')} IN "
        f"({col(post, 'origin_department')}, {col(channel, 'department')}))))"
    )
