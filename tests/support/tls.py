"""A test certificate authority: TLS for the loopback servers, and a `certifi` that trusts it for the code under test.

Generated snippets verify TLS with certifi's CA bundle (dify-sandbox ships certifi). Runs that
should trust the test servers put a stand-in `certifi` package first on PYTHONPATH whose
where() names this CA, so the snippet's own verification code runs unchanged.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from functools import lru_cache
from pathlib import Path

import trustme


@lru_cache(maxsize=1)
def _authority() -> tuple[trustme.CA, Path]:
    ca = trustme.CA()
    folder = Path(tempfile.mkdtemp(prefix="dify-codenode-tls-"))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    package = folder / "trusting" / "certifi"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"def where():\n    return {str(folder / 'ca.pem')!r}\n", encoding="utf-8")
    hiding = folder / "hiding" / "certifi"
    hiding.mkdir(parents=True)
    (hiding / "__init__.py").write_text("raise ImportError('certifi is not installed here')\n", encoding="utf-8")
    return ca, folder


def remove_authority() -> None:
    """Delete the CA's folder, if this process made one."""
    if _authority.cache_info().currsize:
        shutil.rmtree(_authority()[1], ignore_errors=True)
        _authority.cache_clear()


def server_context() -> ssl.SSLContext:
    """A server-side context with a certificate for 127.0.0.1 and localhost, signed by the test CA."""
    ca, _ = _authority()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def ca_file() -> str:
    """The test CA's certificate file (for SSL_CERT_FILE: the system's default context then trusts it)."""
    return str(_authority()[1] / "ca.pem")


def trusting_env() -> dict[str, str]:
    """Environment for a node run whose certifi trusts the test CA."""
    return {"PYTHONPATH": str(_authority()[1] / "trusting")}


def without_certifi_env() -> dict[str, str]:
    """Environment for a node run where `import certifi` fails (the snippet falls back to the system's CAs)."""
    return {"PYTHONPATH": str(_authority()[1] / "hiding")}
