"""The web interface: thin views over `editorial.workflow`, one module per area.

Every view finds its object through `editorial.access` (404 outside the user's scope)
and acts only through the workflow functions (403/409/400 with the reason, never 500).
"""
