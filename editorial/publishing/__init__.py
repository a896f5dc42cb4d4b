"""Publishing on schedule, exactly once.

- `scheduler`: the sweep over due posts (the source of truth) and the precise wake-ups;
  each post is claimed by one conditional update, whoever gets there first.
- `sender`: publications sent in batches (one message per PUBLISHING_TASK_BATCH), each
  claimed the same way just before its own send, checked, its outcome recorded at once;
  the batch's audit entries and the posts' settling together; retries and uncertain
  outcomes; the reaper.
- `claims`: the claim just before a send, which re-checks from the database everything
  the send depends on (post, hold, pause, the channel as the batch read it, the
  publication's back-off).
- `holds`: why a due post may not go out now (pause, crisis, outage, changed content).
- `alerts`: one WARNING line per publication or post that needs a person.
"""
