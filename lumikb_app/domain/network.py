"""Who is calling and from which page: client addresses behind trusted proxies, and origins.

Anyone can write X-Forwarded-For, -Host and -Proto, so they count only when the connection
comes from an address in TRUSTED_PROXIES. Pure functions: the API routes, the Reflex state and
the sign-in service share them.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

Network = IPv4Network | IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR blocks; a ValueError names the first bad one."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or CIDR block") from None
    return tuple(networks)


def _address(text: str | None) -> IPv4Address | IPv6Address | None:
    try:
        parsed = ip_address((text or "").strip())
    except ValueError:
        return None
    mapped = parsed.ipv4_mapped if isinstance(parsed, IPv6Address) else None
    return mapped or parsed


def is_trusted(address: str | None, networks: Iterable[Network]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in networks)


def is_loopback(address: str | None) -> bool:
    parsed = _address(address)
    return parsed is not None and parsed.is_loopback


def client_address(peer: str | None, forwarded_for: str, networks: Iterable[Network]) -> str | None:
    """The client behind a chain of trusted proxies: X-Forwarded-For read from the right, each
    hop believed only while the one that reported it is trusted. A direct connection is its peer."""
    trusted = tuple(networks)
    if not is_trusted(peer, trusted):
        return peer
    current = peer
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        parsed = _address(hop)
        if parsed is None:  # garbage: the client is unknown, so the last proxy stands for it
            break
        current = str(parsed)
        if not is_trusted(current, trusted):
            break
    return current


def first_value(header: str) -> str:
    """A proxy appends to X-Forwarded-Host/-Proto; the first value is what the browser used."""
    return header.split(",")[0].strip()


def normalize_origin(text: str) -> str:
    """`scheme://host[:port]` in lower case without a default port; ValueError if it is not one."""
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{text!r} is not an origin like https://kb.example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{text!r} is not an origin: no path, query or user part")
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{text!r} has a bad port") from None
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return (
        f"{scheme}://{host}"
        if port in (None, DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )


def origin_allowed(origin: str, public_host: str, allowed: tuple[str, ...]) -> bool:
    """With ALLOWED_ORIGINS set, exactly those; otherwise only the host the request came to."""
    try:
        normalized = normalize_origin(origin)
    except ValueError:
        return False
    if allowed:
        return normalized in allowed
    return urlsplit(origin).netloc.lower() == public_host.lower()
