# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The allowed networks of an API key (``res.users.apikeys.
order_api_allowed_networks``): a comma-separated list of IPv4 and IPv6
addresses or CIDR ranges. Pure Python, imports nothing of Odoo."""

import ipaddress

MAX_NETWORKS = 20


class NetworksError(ValueError):
    """A list the key cannot be given; its message says why, for the user."""


def parse(text):
    """The networks of ``text`` (a tuple of ``ipaddress`` networks; empty:
    every address is allowed), or ``NetworksError``. An address alone is a
    network of one address; a range with host bits set is refused (a typo
    would allow another range than the one meant)."""
    items = [item.strip() for item in (text or "").replace("\n", ",").split(",")]
    items = [item for item in items if item]
    if len(items) > MAX_NETWORKS:
        raise NetworksError(f"At most {MAX_NETWORKS} allowed networks per key.")
    networks = []
    for item in items:
        try:
            network = ipaddress.ip_network(item, strict=True)
        except ValueError:
            try:
                loose = ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise NetworksError(
                    f"{item!r} is not an IPv4 or IPv6 address or CIDR range "
                    "(e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/48)."
                ) from None
            raise NetworksError(
                f"{item!r} has host bits set: did you mean {loose}?"
            ) from None
        if network not in networks:
            networks.append(network)
    return tuple(networks)


def normalize(text):
    """``text`` as stored: its networks in canonical form, comma-separated
    (False when empty); ``NetworksError`` when it is not valid."""
    return ", ".join(str(network) for network in parse(text)) or False


def allows(networks, address):
    """Whether the client ``address`` (a string, e.g. Odoo's
    ``remote_addr``) is in one of ``networks`` (``parse``'s); every address
    is when there are none, no address (unknown, malformed) when there
    are. An IPv4-mapped IPv6 address is compared as the IPv4 it carries."""
    if not networks:
        return True
    try:
        client = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if client.version == 6 and client.ipv4_mapped:
        client = client.ipv4_mapped
    return any(
        network.version == client.version and client in network for network in networks
    )
