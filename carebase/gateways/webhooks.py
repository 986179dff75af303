"""Webhook delivery over HTTP, safe against server-side request forgery.

``check_target`` resolves the URL's host and refuses an address that is private, loopback,
link-local, shared, reserved, multicast or a cloud metadata service (loopback is allowed in
development, for a receiver on ``http://127.0.0.1``); in production only ``https`` is allowed.
``post`` then connects to the very address that passed the check (the Host header and TLS
server name stay the URL's host), so a DNS answer that changes in between (rebinding)
changes nothing, and it follows no redirect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

EXCERPT_BYTES = 1024
# metadata services that sit on addresses the checks below would otherwise let through
METADATA_NETWORKS = (
    ipaddress.ip_network("169.254.169.254/32"),
    ipaddress.ip_network("100.100.100.200/32"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)
SHARED_NETWORK = ipaddress.ip_network("100.64.0.0/10")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(Exception):
    """The URL may not be called: its scheme, or an address its host resolves to."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP the request connects to


@dataclass(frozen=True)
class Answer:
    status: int | None
    duration_ms: int
    excerpt: str | None
    error: str | None
    timed_out: bool = False


def refused_address(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why the address may not be called, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in net for net in METADATA_NETWORKS if net.version == address.version):
        return "a metadata service address"
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if isinstance(address, ipaddress.IPv4Address) and address in SHARED_NETWORK:
        return "a shared (carrier-grade NAT) address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    return None


def parse_target(url: str, *, production: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an acceptable URL shape, or UnsafeUrl."""
    if len(url) > 2000:
        raise UnsafeUrl("The URL is too long (at most 2,000 characters)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl("Not a valid URL") from None
    scheme = parts.scheme.lower()
    allowed = ("https",) if production else ("https", "http")
    if scheme not in allowed:
        raise UnsafeUrl("The URL must use https" if production else "The URL must use http(s)")
    if not parts.hostname:
        raise UnsafeUrl("The URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("The URL may not carry credentials")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


async def check_target(url: str, *, production: bool) -> Target:
    """The URL's target, its host resolved now and every address it resolves to checked."""
    scheme, host, port, path = parse_target(url, production=production)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError:
            raise UnsafeUrl("The URL's host does not resolve") from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        if not addresses:
            raise UnsafeUrl("The URL's host does not resolve")
    for address in addresses:
        why = refused_address(address, allow_loopback=not production)
        if why:
            raise UnsafeUrl(f"The URL's host resolves to {why}")
    return Target(scheme, host, port, path, str(addresses[0]))


async def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST to the checked address; no redirects; the whole exchange within ``timeout``."""
    address = f"[{target.address}]" if ":" in target.address else target.address
    url = f"{target.scheme}://{address}:{target.port}{target.path}"
    default_port = 443 if target.scheme == "https" else 80
    host = target.host if target.port == default_port else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    async def exchange() -> Answer:
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST",
                url,
                content=body,
                headers={**headers, "host": host, "content-type": "application/json"},
                extensions=extensions,
            )
            response = await client.send(request, stream=True)
            try:
                excerpt = b""
                async for chunk in response.aiter_raw():
                    excerpt += chunk
                    if len(excerpt) >= EXCERPT_BYTES:
                        break
            finally:
                await response.aclose()
            text = excerpt[:EXCERPT_BYTES].decode("utf-8", errors="replace")
            error = None
            if response.is_redirect:
                error = "UNSAFE_URL: redirects are not followed"
            return Answer(response.status_code, elapsed(), text, error)

    try:
        return await asyncio.wait_for(exchange(), timeout=timeout)
    except TimeoutError:
        return Answer(None, elapsed(), None, f"timed out after {timeout:g} s", timed_out=True)
    except httpx.HTTPError as failure:
        return Answer(None, elapsed(), None, f"{type(failure).__name__}: could not deliver")
