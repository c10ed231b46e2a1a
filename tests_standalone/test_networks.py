# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/networks.py: an API key's allowed networks (issue 29)."""

import pytest
from conftest import load_lib

networks = load_lib("networks")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("", False),
        (None, False),
        (" , ,", False),
        ("203.0.113.7", "203.0.113.7/32"),
        ("203.0.113.0/24,2001:DB8::/48", "203.0.113.0/24, 2001:db8::/48"),
        ("10.0.0.0/8\n10.0.0.0/8, ::1", "10.0.0.0/8, ::1/128"),
    ],
)
def test_normalize(text, stored):
    assert networks.normalize(text) == stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("203.0.113.7/24", "did you mean 203.0.113.0/24"),
        ("2001:db8::1/48", "did you mean 2001:db8::/48"),
        ("example.com", "not an IPv4 or IPv6 address"),
        ("10.0.0.0/33", "not an IPv4 or IPv6 address"),
        ("10.0.0.0/8 10.1.0.0/16", "not an IPv4 or IPv6 address"),
        (",".join(f"10.0.{i}.0/24" for i in range(21)), "At most 20"),
    ],
)
def test_invalid_lists_are_refused_with_a_reason(text, message):
    with pytest.raises(networks.NetworksError, match=message):
        networks.parse(text)


@pytest.mark.parametrize(
    ("allowed", "address", "verdict"),
    [
        ("", "198.51.100.1", True),
        ("", None, True),
        ("203.0.113.0/24", "203.0.113.255", True),
        ("203.0.113.0/24", "203.0.114.0", False),
        ("203.0.113.0/24", "::ffff:203.0.113.9", True),
        ("203.0.113.0/24", "2001:db8::1", False),
        ("2001:db8:1::/48", "2001:db8:1:ffff::1", True),
        ("2001:db8:1::/48", "2001:db8:2::1", False),
        ("2001:db8:1::/48", "203.0.113.1", False),
        ("::/0", "203.0.113.1", False),
        ("0.0.0.0/0", "2001:db8::1", False),
        ("fe80::/10", "fe80::1%eth0", True),
        ("203.0.113.0/24", None, False),
        ("203.0.113.0/24", "not an address", False),
    ],
)
def test_allows(allowed, address, verdict):
    assert networks.allows(networks.parse(allowed), address) is verdict
