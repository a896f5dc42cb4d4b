"""The audit trail: append-only through the ORM, one entry per workflow action, and a
chain that `manage.py verify_audit` checks, naming the entry a tamperer touched.

Tampering goes through raw SQL on `editorial_auditentry`, as someone with database
access would do it: the ORM refuses to change or remove entries.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from editorial import audit, sealing, workflow
from editorial.audit import verify_chain
from editorial.models import AuditChainHead, AuditEntry, Category, PostState
from editorial.models.audit import GENESIS_HASH, AppendOnlyError
from tests.factories import in_days

S = PostState
TABLE = "editorial_auditentry"


# --- helpers --------------------------------------------------------------------------


def _sql(query: str, params=()) -> None:
    """Raw SQL as a tamperer with the table owner's rights would run it: on PostgreSQL
    the append-only trigger is switched off first (the application's role cannot)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's own inserts still have deferred key checks pending, which
            # ALTER TABLE will not wait for: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_append_only")
        cursor.execute(query, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_append_only")


def _verify_audit() -> str:
    """Run the command; return what it printed (it raises CommandError on a break)."""
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _broken_chain_message() -> str:
    with pytest.raises(CommandError) as excinfo:
        _verify_audit()
    assert excinfo.value.returncode != 0
    return str(excinfo.value)


def _entry(seq: int) -> AuditEntry:
    return AuditEntry.objects.get(seq=seq)


def _raw_insert(entry: AuditEntry) -> None:
    """INSERT the entry with raw SQL, as a tamperer would, bypassing record()."""
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    _sql(f"INSERT INTO {TABLE} ({columns}) VALUES ({placeholders})", params)


def _forged_approval(*, seq: int, prev_hash: str, like: AuditEntry, approver) -> AuditEntry:
    """A plausible entry: an approval of the same post, chained to `prev_hash`, with a
    correctly computed hash of its own."""
    forged = AuditEntry(
        seq=seq,
        created_at=like.created_at,
        actor=approver,
        actor_name=approver.get_username(),
        action="approve",
        object_type=like.object_type,
        object_id=like.object_id,
        object_repr=like.object_repr,
        from_state=S.PENDING_APPROVAL,
        to_state=S.APPROVED,
        comment="",
        data={"level": "head"},
        prev_hash=prev_hash,
    )
    forged.entry_hash = forged.compute_hash()
    return forged


@pytest.fixture
def chain(post_a, writer_a, cm, head):
    """Six genuine entries, written by the workflow on one post."""
    workflow.submit(post_a, writer_a)
    workflow.fast_track(post_a, cm)
    workflow.request_changes(post_a, head, "Say where the event takes place.")
    workflow.submit(post_a, writer_a)
    workflow.fast_track(post_a, cm)
    workflow.comment(post_a, head, "Fine by me once the time is confirmed.")
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    return entries


# --- append-only through the ORM ------------------------------------------------------


def test_saving_an_existing_entry_again_is_refused(chain):
    entry = _entry(3)
    entry.comment = "Nothing to change."
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["comment"])
    assert _entry(3).comment == "Say where the event takes place."


def test_deleting_an_entry_is_refused(chain):
    with pytest.raises(AppendOnlyError):
        _entry(3).delete()
    assert AuditEntry.objects.count() == 6


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda qs: qs.update(comment="rewritten"), id="queryset-update"),
        pytest.param(lambda qs: qs.delete(), id="queryset-delete"),
        pytest.param(
            lambda qs: AuditEntry.objects.update(comment="rewritten"), id="manager-update"
        ),
        pytest.param(lambda qs: AuditEntry.objects.all().delete(), id="delete-everything"),
        pytest.param(
            lambda qs: AuditEntry.objects.bulk_update(
                [_set(e, comment="rewritten") for e in qs], ["comment"]
            ),
            id="bulk-update",
        ),
    ],
)
def test_changing_or_removing_entries_through_a_queryset_is_refused(chain, change):
    # In a savepoint: bulk_update runs in atomic(savepoint=False), so its error would
    # otherwise leave the test's transaction unusable.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        change(AuditEntry.objects.filter(seq__gte=2))
    assert [e.comment for e in AuditEntry.objects.order_by("seq")] == [e.comment for e in chain]
    assert verify_chain() is None


def _set(entry: AuditEntry, **values) -> AuditEntry:
    for name, value in values.items():
        setattr(entry, name, value)
    return entry


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_base_manager_refuses_changes_too(chain, change):
    entries = AuditEntry._base_manager.filter(seq=3)
    with pytest.raises(AppendOnlyError), transaction.atomic():
        entries.update(comment="rewritten") if change == "update" else entries.delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recording_outside_a_transaction_is_refused(post_a, writer_a):
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        audit.record(actor=writer_a, action="submit", obj=post_a)
    assert not AuditEntry.objects.exists()
    assert not AuditChainHead.objects.filter(last_seq__gt=0).exists()


# --- one entry per workflow action ------------------------------------------------------


def test_every_workflow_action_writes_exactly_one_entry_saying_who_what_and_why(
    dept_a, channel_a, writer_a, cm, head, director
):
    post = workflow.create_post(
        writer_a,
        department=dept_a,
        channels=[channel_a],
        title="Fêtes de fin d'année",
        body="Conseils de prévention pour les fêtes.",
        category=Category.HOT_NEWS,
        scheduled_at=in_days(3),
    )
    steps = [
        # (action, actor, call, from, to, comment)
        (
            "edit",
            writer_a,
            lambda: workflow.edit_post(post, writer_a, body="Nos conseils pour les fêtes."),
            S.DRAFT,
            S.DRAFT,
            "",
        ),
        ("submit", writer_a, lambda: workflow.submit(post, writer_a), S.DRAFT, S.SUBMITTED, ""),
        (
            "comment",
            cm,
            lambda: workflow.comment(post, cm, "I'll take it this week."),
            S.SUBMITTED,
            S.SUBMITTED,
            "I'll take it this week.",
        ),
        (
            "fast_track",
            cm,
            lambda: workflow.fast_track(post, cm),
            S.SUBMITTED,
            S.PENDING_APPROVAL,
            "",
        ),
        (
            "request_changes",
            head,
            lambda: workflow.request_changes(post, head, "  Add the emergency number.  "),
            S.PENDING_APPROVAL,
            S.CHANGES_REQUESTED,
            "Add the emergency number.",
        ),
        (
            "submit",
            writer_a,
            lambda: workflow.submit(post, writer_a),
            S.CHANGES_REQUESTED,
            S.SUBMITTED,
            "",
        ),
        (
            "fast_track",
            cm,
            lambda: workflow.fast_track(post, cm),
            S.SUBMITTED,
            S.PENDING_APPROVAL,
            "",
        ),
        (
            "mark_sensitive",
            cm,
            lambda: workflow.mark_sensitive(post, cm, "Ongoing trial."),
            S.PENDING_APPROVAL,
            S.PENDING_APPROVAL,
            "Ongoing trial.",
        ),
        (
            "approve",
            head,
            lambda: workflow.approve(post, head),
            S.PENDING_APPROVAL,
            S.PENDING_SIGNOFF,
            "",
        ),
        (
            "sign_off",
            director,
            lambda: workflow.sign_off(post, director),
            S.PENDING_SIGNOFF,
            S.APPROVED,
            "",
        ),
        (
            "cancel",
            cm,
            lambda: workflow.cancel(post, cm, "The event is called off."),
            S.APPROVED,
            S.CANCELLED,
            "The event is called off.",
        ),
    ]
    created = AuditEntry.objects.get()
    assert (created.action, created.actor, created.to_state) == ("create", writer_a, S.DRAFT)

    for action, actor, call, from_state, to_state, comment in steps:
        before = AuditEntry.objects.count()
        call()
        assert AuditEntry.objects.count() == before + 1, action
        entry = AuditEntry.objects.order_by("seq").last()
        assert (entry.action, entry.from_state, entry.to_state, entry.comment) == (
            action,
            from_state,
            to_state,
            comment,
        )
        assert entry.actor == actor
        assert entry.actor_name == actor.get_username()
        assert (entry.object_type, entry.object_id) == ("editorial.post", post.pk)
        assert entry.object_repr == str(post)

    assert list(audit.entries_for(post).values_list("action", flat=True)) == [
        "create",
        *(step[0] for step in steps),
    ]
    assert verify_chain() is None


def test_submit_then_request_changes_records_both_with_the_reviewers_comment(
    post_a, writer_a, cm, head
):
    workflow.submit(post_a, writer_a)
    workflow.fast_track(post_a, cm)
    workflow.request_changes(post_a, head, "The photo needs an alternative text.")

    submit, fast_track, request = AuditEntry.objects.order_by("seq")
    assert (submit.actor, submit.action, submit.from_state, submit.to_state, submit.comment) == (
        writer_a,
        "submit",
        S.DRAFT,
        S.SUBMITTED,
        "",
    )
    assert (fast_track.actor, fast_track.action) == (cm, "fast_track")
    assert (request.actor, request.action, request.from_state, request.to_state) == (
        head,
        "request_changes",
        S.PENDING_APPROVAL,
        S.CHANGES_REQUESTED,
    )
    assert request.comment == "The photo needs an alternative text."
    assert request.prev_hash == fast_track.entry_hash
    assert fast_track.prev_hash == submit.entry_hash


def test_a_refused_action_writes_no_entry(post_a, writer_a, cm, head):
    workflow.submit(post_a, writer_a)
    workflow.fast_track(post_a, cm)
    before = AuditEntry.objects.count()
    with pytest.raises(workflow.InvalidInput):
        workflow.request_changes(post_a, head, "   ")
    with pytest.raises(workflow.ActionNotAllowed):
        workflow.request_changes(post_a, writer_a, "Non.")
    assert AuditEntry.objects.count() == before


def test_a_refused_approval_is_in_the_trail_with_who_tried_and_why(post_a, writer_a, cm):
    workflow.submit(post_a, writer_a)
    workflow.fast_track(post_a, cm)
    with pytest.raises(workflow.ActionNotAllowed) as refused:
        workflow.approve(post_a, writer_a)
    entry = AuditEntry.objects.order_by("seq").last()
    assert (entry.actor, entry.action, entry.comment) == (
        writer_a,
        "approval_refused",
        str(refused.value),
    )
    assert entry.data["attempted"] == "approve"
    assert post_a.state == S.PENDING_APPROVAL
    assert verify_chain() is None


# --- verify_audit ---------------------------------------------------------------------


def test_verify_audit_says_the_trail_is_intact_and_counts_the_entries(chain):
    assert _verify_audit().strip() == "Audit trail intact: 6 entries."


def test_verify_audit_accepts_an_empty_trail(db):
    assert _verify_audit().strip() == "Audit trail intact: 0 entries."


def test_verify_audit_names_an_entry_whose_content_was_altered(chain):
    _sql(f"UPDATE {TABLE} SET comment = %s WHERE seq = %s", ["Looks perfect.", 3])

    message = _broken_chain_message()
    assert message == (
        "Audit trail broken at entry #3: its content was altered after it was written"
    )


def test_verify_audit_notices_an_altered_entry_even_when_its_hash_was_recomputed(chain):
    altered = _set(_entry(3), comment="Looks perfect.")
    _sql(
        f"UPDATE {TABLE} SET comment = %s, entry_hash = %s WHERE seq = %s",
        [altered.comment, altered.compute_hash(), 3],
    )

    message = _broken_chain_message()
    assert message == (
        "Audit trail broken at entry #3: its seal does not match: it was written without "
        "the audit key"
    )


def test_verify_audit_names_the_entry_after_one_deleted_from_the_middle(chain):
    _sql(f"DELETE FROM {TABLE} WHERE seq = %s", [3])

    message = _broken_chain_message()
    assert message == ("Audit trail broken at entry #4: expected entry #3 here: entries missing")


def test_verify_audit_names_the_entry_displaced_by_a_forged_entry_in_the_middle(chain, head):
    # Make room at #3 the way a tamperer would (in two steps: seq is unique), slip in
    # a plausible approval chained to #2, and move the chain head along.
    _sql(f"UPDATE {TABLE} SET seq = seq + 1000000 WHERE seq >= %s", [3])
    _sql(f"UPDATE {TABLE} SET seq = seq - 999999 WHERE seq >= %s", [1000000])
    _raw_insert(
        _forged_approval(seq=3, prev_hash=chain[1].entry_hash, like=chain[1], approver=head)
    )
    _sql("UPDATE editorial_auditchainhead SET last_seq = last_seq + 1")

    message = _broken_chain_message()
    assert message == (
        "Audit trail broken at entry #3: its seal does not match: it was written without "
        "the audit key"
    )


def test_verify_audit_refuses_a_forged_entry_appended_after_the_chain_head(chain, head):
    _raw_insert(
        _forged_approval(seq=7, prev_hash=chain[-1].entry_hash, like=chain[-1], approver=head)
    )
    assert AuditChainHead.objects.get().last_seq == 6

    message = _broken_chain_message()
    assert message.startswith("Audit trail broken at ")


def test_verify_audit_names_a_forged_entry_appended_after_the_chain_head(chain, head):
    _raw_insert(
        _forged_approval(seq=7, prev_hash=chain[-1].entry_hash, like=chain[-1], approver=head)
    )

    message = _broken_chain_message()
    assert message.startswith("Audit trail broken at entry #7: ")
    assert "missing" not in message


@pytest.mark.parametrize("removed", [1, 2])
def test_verify_audit_notices_entries_removed_from_the_end(chain, removed):
    _sql(f"DELETE FROM {TABLE} WHERE seq > %s", [6 - removed])

    message = _broken_chain_message()
    assert message == (
        "Audit trail broken at end of chain: the chain should end at entry #6: entries missing"
    )


def test_verify_audit_notices_the_whole_trail_removed(chain):
    _sql(f"DELETE FROM {TABLE}")

    message = _broken_chain_message()
    assert "the chain should end at entry #6" in message


def test_verify_audit_stays_intact_after_a_refused_orm_change(chain):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=3).update(comment="rewritten")
    assert _verify_audit().strip() == "Audit trail intact: 6 entries."


# --- the seal and the published head (issue 16) --------------------------------------


def _rewrite_the_whole_chain(comment_of_3: str) -> None:
    """What a tamperer with write access but not the key does: change an entry, then
    recompute every hash from the start and move the chain head along."""
    prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("seq"):
        if entry.seq == 3:
            entry.comment = comment_of_3
        entry.prev_hash = prev
        entry.entry_hash = entry.compute_hash()
        _sql(
            f"UPDATE {TABLE} SET comment = %s, prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [entry.comment, entry.prev_hash, entry.entry_hash, entry.seq],
        )
        prev = entry.entry_hash
    _sql("UPDATE editorial_auditchainhead SET last_hash = %s", [prev])


def test_a_chain_recomputed_from_the_start_without_the_key_is_caught_by_its_seal(chain):
    _rewrite_the_whole_chain("Looks perfect.")

    message = _broken_chain_message()
    assert message == (
        "Audit trail broken at entry #3: its seal does not match: it was written without "
        "the audit key"
    )


def test_a_key_holder_rewriting_the_tail_is_caught_by_the_head_published_before(chain):
    published = audit.head_line()  # logged hourly, outside the database
    last = AuditEntry.objects.order_by("seq").last()
    forged = _set(last, comment="Rewritten.")
    forged.entry_hash = forged.compute_hash()
    _sql(
        f"UPDATE {TABLE} SET comment = %s, entry_hash = %s, seal = %s WHERE seq = %s",
        [forged.comment, forged.entry_hash, sealing.seal(forged.entry_hash), last.seq],
    )
    _sql("UPDATE editorial_auditchainhead SET last_hash = %s", [forged.entry_hash])
    assert _verify_audit().startswith("Audit trail intact")  # the key holder's rewrite

    with pytest.raises(CommandError) as refused:
        call_command("verify_audit", published=published, stdout=StringIO())
    assert str(refused.value) == (
        f"Audit trail broken at entry #{last.seq}: differs from the head published earlier"
    )


def test_the_audit_head_task_logs_the_head_for_an_operator_to_keep(chain, caplog):
    from editorial.tasks import publish_audit_head

    with caplog.at_level("INFO", logger="cadence.audit"):
        line = publish_audit_head()
    assert line == f"#6 {chain[-1].entry_hash}"
    assert f"Audit chain head {line}" in caplog.text


def test_the_scheduled_check_logs_an_error_when_the_chain_is_broken(chain, caplog):
    from editorial.tasks import verify_audit

    assert verify_audit() is True
    _sql(f"UPDATE {TABLE} SET comment = %s WHERE seq = %s", ["Changé.", 2])
    with caplog.at_level("ERROR", logger="cadence.audit"):
        assert verify_audit() is False
    assert "Audit trail broken at entry #2" in caplog.text


def test_postgresql_itself_refuses_to_change_or_remove_an_entry(chain, postgres):
    from django.db import DatabaseError

    for statement in (f"UPDATE {TABLE} SET comment = 'x' WHERE seq = 2", f"DELETE FROM {TABLE}"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert _verify_audit().strip() == "Audit trail intact: 6 entries."


def test_production_without_an_audit_key_fails_the_deploy_check(settings):
    settings.DEBUG = False
    settings.CADENCE_AUDIT_KEYS = []
    assert [m.id for m in sealing.check_keys()] == ["cadence.E003"]
    settings.CADENCE_AUDIT_KEYS = ["short"]
    assert [m.id for m in sealing.check_keys()] == ["cadence.E004"]
