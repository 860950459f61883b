"""How the service runs, and the one safety rule for binding it: anything but loopback
needs a bearer token, so a review store is never open to the network by accident."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from ..errors import ConfigError

#: Default largest upload accepted by ``POST /v1/extract`` (bytes); ``--max-upload`` changes it.
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """What the app needs: where the store is, the token (if any), the upload limit."""

    db: str | None = None
    token: str | None = None
    max_upload: int = DEFAULT_MAX_UPLOAD


def bind_settings(host: str, db: str | None, max_upload: int) -> ServiceSettings:
    """Settings for serving on ``host``; a :class:`ConfigError` when the host is not loopback
    and ``NIANBAO_TOKEN`` is unset (the token, once set, is required on loopback too)."""
    token = os.environ.get("NIANBAO_TOKEN") or None
    if token is None and not is_loopback(host):
        raise ConfigError(f"refusing to serve on {host} without a token: set NIANBAO_TOKEN (or bind 127.0.0.1)")
    if max_upload <= 0:
        raise ConfigError(f"--max-upload must be positive, not {max_upload}")
    return ServiceSettings(db=db, token=token, max_upload=max_upload)
