"""Facebook: a Page, connected with Facebook Login for Business (a Page access token)."""

from editorial.channels.facebook.adapter import FacebookAdapter
from editorial.channels.facebook.config import FacebookConfig

__all__ = ["FacebookAdapter", "FacebookConfig"]
