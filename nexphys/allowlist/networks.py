"""Network ranges as owners write them: parsing a list in plain words, and whether an address is inside.

Pure functions over the standard library's `ipaddress`, so the rules are tested without a request.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_NETWORKS = 100  # a list longer than this is a mistake (or a job for the studio's firewall)
_SEPARATORS = re.compile(r"[\s,;]+")
EXAMPLE = "203.0.113.0/24 or 2001:db8::/32"


def entries(text: str) -> list[str]:
    """The ranges written in `text`: one per line, or separated by commas; blank ones dropped."""
    return [part for part in _SEPARATORS.split(text or "") if part]


def parse(text: str) -> tuple[list[Network], list[str]]:
    """The distinct networks of `text` in the order written, and a plain-word message per bad entry."""
    networks: list[Network] = []
    problems: list[str] = []
    for written in entries(text):
        network, problem = _one(written)
        if problem:
            problems.append(problem)
        elif network not in networks:
            networks.append(network)
    if len(networks) > MAX_NETWORKS:
        problems.append(f"List at most {MAX_NETWORKS} networks; this list has {len(networks)}.")
    return networks, problems


def _one(written: str) -> tuple[Network | None, str | None]:
    """One entry: a network ("203.0.113.0/24") or a single address ("203.0.113.7" means just that one)."""
    try:
        return ipaddress.ip_network(written, strict=True), None
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(written, strict=False)
    except ValueError:
        return None, f"“{written[:60]}” is not a network. Write a range like {EXAMPLE}, or a single address."
    # "203.0.113.5/24" usually means the whole /24, but it may be a typo: ask rather than guess.
    return None, f"“{written}” is an address, not the start of its range: did you mean {loose}?"


def stored(values: Iterable[str]) -> tuple[Network, ...]:
    """The networks of a saved list (saved by `parse`, so each is valid; anything else is skipped)."""
    networks = []
    for value in values or ():
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except (TypeError, ValueError):
            continue
    return tuple(networks)


def address_of(remote_addr: str | None) -> Address | None:
    """The caller's address; an IPv4 address reached over IPv6 (::ffff:203.0.113.7) counts as IPv4."""
    try:
        address = ipaddress.ip_address((remote_addr or "").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def allows(networks: Iterable[Network], remote_addr: str | None) -> bool:
    """Whether `remote_addr` is inside one of `networks`. An address that cannot be read is outside."""
    address = address_of(remote_addr)
    return address is not None and any(address in network for network in networks)
