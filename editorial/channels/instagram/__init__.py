"""Instagram: a professional account linked to a Facebook Page, connected with Facebook
Login for Business; images go out by the container → publish two-step flow, fetched by
Instagram from a signed, short-lived address Cadence serves."""

from editorial.channels.instagram.adapter import InstagramAdapter
from editorial.channels.instagram.config import InstagramConfig

__all__ = ["InstagramAdapter", "InstagramConfig"]
