"""Outgoing addresses: public only, unless the operator allows private ones."""

import socket

import pytest

from livehub.errors import Invalid
from webhooks.addresses import resolve


@pytest.fixture
def dns(monkeypatch):
    """A resolver answering from a table, so a test says what a name resolves to."""
    table: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror("unknown")
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in table[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "10.1.2.3",  # private
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # link-local: the cloud's metadata service
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.1.1",  # multicast
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1",
        "fc00::1",  # unique local
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "2002:a00:1::",  # 6to4 of 10.0.0.1
    ],
)
def test_a_url_leading_inside_is_refused(dns, settings, address):
    dns["hooks.example.org"] = [address]
    with pytest.raises(Invalid) as refused:
        resolve("https://hooks.example.org/livehub")
    assert "private" in refused.value.fields["url"]


def test_a_name_with_one_private_address_among_public_ones_is_refused(dns):
    dns["hooks.example.org"] = ["93.184.215.14", "10.0.0.5"]
    with pytest.raises(Invalid):
        resolve("https://hooks.example.org/")


def test_a_public_address_is_the_one_connected_to(dns):
    dns["hooks.example.org"] = ["93.184.215.14"]
    target = resolve("https://hooks.example.org:8443/in?x=1")
    assert (target.ip, target.host, target.port, target.path) == ("93.184.215.14", "hooks.example.org", 8443, "/in?x=1")
    assert target.host_header == "hooks.example.org:8443"


def test_the_operator_may_allow_private_addresses(dns, settings):
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ALLOW_PRIVATE": True}
    dns["intranet.local"] = ["10.0.0.5"]
    assert resolve("http://intranet.local/").ip == "10.0.0.5"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://hooks.example.org/", "https://"),
        ("file:///etc/passwd", "https://"),
        ("https://user:pw@hooks.example.org/", "user name"),
        ("https://hooks.example.org:99999/", "port"),
        ("https://nowhere.invalid/", "resolved"),
    ],
)
def test_a_url_that_is_no_webhook_address_is_refused(dns, url, says):
    dns["hooks.example.org"] = ["93.184.215.14"]
    with pytest.raises(Invalid) as refused:
        resolve(url)
    assert says in refused.value.fields["url"]
