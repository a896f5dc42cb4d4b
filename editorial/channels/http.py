"""What the networks' HTTP calls share: the process's one pooled client (the webhook
adapter's), its time-outs, and how a request that failed on its way is classed, the
same for every network:

- nothing reached the network (connection refused, DNS, connect or pool time-out, a
  proxy) -> `TransientError`;
- an address no request can go to -> `PermanentError`;
- the request left and no answer came back (read time-out, dropped connection) ->
  `UncertainError` when it `publishes` (it may be public now), else `TransientError`.

What the network answered (its status codes and error bodies) is each network's own
(`check` in its package). The token goes in the headers the caller gives: the error
messages name the exception, never the request.
"""

from __future__ import annotations

import httpx

from editorial.channels.base import PermanentError, TransientError, UncertainError
from editorial.channels.webhook.adapter import get_client, timeouts
from editorial.messages import message


def send(channel, method: str, url: str, *, publishes: bool = False, **kwargs) -> httpx.Response:
    """The network's answer, whatever its status; raises when none came."""
    try:
        return get_client().request(method, url, timeout=timeouts(), **kwargs)
    # Order matters: the connect/pool errors are subclasses of the broader ones below.
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError) as exc:
        raise TransientError(
            message("unreachable", channel=channel, error=error_name(exc))
        ) from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise PermanentError(
            message("bad_endpoint", channel=channel, error=error_name(exc))
        ) from exc
    except httpx.HTTPError as exc:
        error = UncertainError if publishes else TransientError
        raise error(message("no_answer", channel=channel, error=error_name(exc))) from exc


def error_name(exc: Exception) -> str:
    # The class and its words, never the request (whose headers carry the token).
    return f"{type(exc).__name__}: {exc}"[:300]
