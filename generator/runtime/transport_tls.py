"""The HTTPS transport: a verified TLS connection to the called app, through the sandbox's proxy when set."""

import http.client
import ssl
import urllib.parse
import urllib.request

from generator.runtime.connection import _unreachable
from generator.runtime.ended import _broke_mid_stream
from generator.runtime.hints import _hint_for
from generator.runtime.snippet import _URL, _Reply
from generator.runtime.stream import _remaining


def _connect(address: str, deadline: float) -> tuple:
    """A connection for `address`, through the sandbox's proxy (HTTP(S)_PROXY) when one is set."""
    url = urllib.parse.urlsplit(address)
    proxy = _proxy_for(url)
    if proxy is None:
        host, port = url.hostname, url.port or 443
    else:
        host, port = proxy.hostname, proxy.port or 80
    connection = http.client.HTTPSConnection(
        host, port, timeout=_remaining(deadline), context=_tls_context()
    )
    if proxy is not None:
        connection.set_tunnel(url.hostname, url.port or 443)
    return connection, url.path


def _proxy_for(url: urllib.parse.SplitResult):
    """The proxy from HTTPS_PROXY (as in Dify's sandbox), unless NO_PROXY skips it."""
    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(url.hostname):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy
    return urllib.parse.urlsplit(proxy)


def _tls_context() -> ssl.SSLContext:
    """Verify TLS with certifi's CA bundle when installed (Dify's sandbox has it), else the system's."""
    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _describe_transport_error(error: Exception, streaming: bool, reply: _Reply) -> str:
    """One line for a network failure before or during the stream, a certificate or proxy refusal included."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the TLS certificate of {_URL} could not be verified ({error.verify_message})"
    if "Tunnel connection failed" in str(error):
        return (
            f"the proxy refused the connection to {_URL} ({error}). Hint: "
            + _hint_for(403, "", "", True)
        )
    if streaming:
        return _broke_mid_stream(error, reply)
    return _unreachable(error)
