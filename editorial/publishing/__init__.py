"""Publishing on schedule, exactly once.

- `scheduler`: the sweep over due posts (the source of truth) and the precise wake-ups;
  each post is claimed by one conditional update, whoever gets there first.
- `sender`: one publication sent to one channel, claimed the same way, checked just
  before sending, its outcome recorded; retries and uncertain outcomes.
- `holds`: why a due post may not go out now (pause, crisis, outage, changed content).
"""
