"""A real HTTP receiver on 127.0.0.1 (the tests allow loopback) that checks signatures and, as a
receiver should, acts once per delivery id however often it is sent. It also listens on ::1, and
over TLS with a certificate of the tests' own CA (trustme)."""

import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


class Receiver:
    def __init__(self, *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.status = 200
        self.secret = ""
        self.requests: list[dict] = []  # every request, repeats included
        self.effects: dict[str, dict] = {}  # what the receiver did: once per delivery id
        self.bad_signatures = 0
        self.hold = False  # hold the first request until `release` is set
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received(self, body)

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

        self.server = Server((host, 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            # The handshake happens at accept: a client that refuses the certificate never sends.
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        name = f"[{host}]" if ":" in host else host
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://{name}:{self.server.server_address[1]}/hooks/livehub?source=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = dict(handler.headers)
        signed = verify(
            secret=self.secret,
            timestamp=headers.get(TIMESTAMP_HEADER, ""),
            body=body,
            header=headers.get(SIGNATURE_HEADER, ""),
            now=time.time(),
        )
        with self.lock:
            self.requests.append(
                {"headers": headers, "body": body, "path": handler.path, "peer": handler.client_address[0]}
            )
            first = len(self.requests) == 1
            if not signed:
                self.bad_signatures += 1
            else:
                self.effects.setdefault(headers[DELIVERY_HEADER], json.loads(body))
        if self.hold and first:
            self.holding.set()
            self.release.wait(60)
            return  # the sender is gone by now
        handler.send_response(self.status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def allow_loopback(settings):
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ALLOW_PRIVATE": True}


@pytest.fixture
def endpoint(event, receiver, allow_loopback):
    from webhooks.models import EVENT_TYPES
    from webhooks.services import endpoint_register

    registered = endpoint_register(event=event, url=receiver.url, events=list(EVENT_TYPES))
    receiver.secret = registered.secret
    return registered
