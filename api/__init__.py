"""The REST API (/api/v1/): the pages' workflow, catalog and access helpers, for scripts.

A capability beside editorial/: it imports the workflow, never the other way round.
"""
