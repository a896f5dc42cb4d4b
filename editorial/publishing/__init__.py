"""Publishing on schedule, exactly once.

- `scheduler`: the sweep over due posts (the source of truth) and the precise wake-ups;
  each post is claimed by one conditional update, whoever gets there first.
- `sender`: publications sent in batches (one message per PUBLISHING_TASK_BATCH), each
  claimed the same way just before its own send, checked, its outcome recorded at once;
  the batch's audit entries and the posts' settling together; retries and uncertain
  outcomes; the reaper.
- `holds`: why a due post may not go out now (pause, crisis, outage, changed content).
"""
