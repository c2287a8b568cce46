"""The plain-HTTP transport: a connection to the called app, through the sandbox's proxy when one is set."""

import http.client
import urllib.parse
import urllib.request

from generator.runtime.connection import _unreachable
from generator.runtime.ended import _broke_mid_stream
from generator.runtime.snippet import _Reply
from generator.runtime.stream import _remaining


def _connect(address: str, deadline: float) -> tuple:
    """A connection for `address`, through the sandbox's proxy (HTTP(S)_PROXY) when one is set."""
    url = urllib.parse.urlsplit(address)
    proxy = _proxy_for(url)
    if proxy is None:
        connection = http.client.HTTPConnection(
            url.hostname, url.port or 80, timeout=_remaining(deadline)
        )
        return connection, url.path
    connection = http.client.HTTPConnection(
        proxy.hostname, proxy.port or 80, timeout=_remaining(deadline)
    )
    return connection, address


def _proxy_for(url: urllib.parse.SplitResult):
    """The proxy from HTTP_PROXY (as in Dify's sandbox), unless NO_PROXY skips it."""
    proxy = urllib.request.getproxies().get("http")
    if not proxy or urllib.request.proxy_bypass(url.hostname):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy
    return urllib.parse.urlsplit(proxy)


def _describe_transport_error(error: Exception, streaming: bool, reply: _Reply) -> str:
    """One line for a network failure before or during the stream."""
    if streaming:
        return _broke_mid_stream(error, reply)
    return _unreachable(error)
