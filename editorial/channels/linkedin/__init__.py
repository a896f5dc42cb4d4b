"""LinkedIn: an organisation page, connected by LinkedIn's OAuth authorisation."""

from editorial.channels.linkedin.adapter import LinkedInAdapter
from editorial.channels.linkedin.config import LinkedInConfig

__all__ = ["LinkedInAdapter", "LinkedInConfig"]
