"""A local robot: an HTTP server on 127.0.0.1 (ephemeral port) in a thread that records every
request and answers from a script of replies."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

#: the secrets the tests use: none of them may ever appear in stdout or stderr
KEY = "k3y-0f-the-r0b0t-5ecret"
SECRET = "SEC-signing-secret-42"


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw.decode("utf-8"))


@dataclass
class Robot:
    port: int
    seen: list[Seen] = field(default_factory=list)
    #: replies in order (status, body); the last one repeats
    replies: list[tuple[int, bytes]] = field(default_factory=lambda: [(200, b'{"errcode":0}')])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reply(self, *replies: tuple[int, Any]) -> None:
        self.replies = [
            (s, b if isinstance(b, bytes) else json.dumps(b).encode()) for s, b in replies
        ]


@pytest.fixture
def robot() -> Iterator[Robot]:
    state = Robot(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            n = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(n)
            parts = urllib.parse.urlsplit(self.path)
            state.seen.append(
                Seen(parts.path, dict(urllib.parse.parse_qsl(parts.query)), dict(self.headers), raw)
            )
            i = min(len(state.seen) - 1, len(state.replies) - 1)
            status, body = state.replies[i]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries' backoff recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr("sqops.notify.send._sleep", waits.append)
    return waits


SOP = Path(__file__).resolve().parents[2] / "examples" / "skincare" / "sop.yaml"
