"""The production shape's nginx site balances by requests in flight: a real nginx in front of two
real HTTP servers, one of them kept busy."""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from launcher.local_services import NginxServer, free_port, nginx_site


class Backend:
    """An HTTP server that answers with its own port; ``/slow`` is held until ``release``."""

    def __init__(self):
        self.release = threading.Event()
        self.holding = threading.Event()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/slow":
                    backend.holding.set()
                    backend.release.wait(30)
                body = str(backend.port).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def post(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=b"{}", headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200
        return int(response.read())
    finally:
        connection.close()


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def two_backends_behind_nginx(request):
    backends = [Backend(), Backend()]
    bot_port, actions_port = free_port(), free_port()
    site = nginx_site(
        f"127.0.0.1:{bot_port}",
        [f"127.0.0.1:{b.port}" for b in backends],
        f"127.0.0.1:{actions_port}",
        [f"127.0.0.1:{b.port}" for b in backends],
    )
    # production nginx runs a worker per core: the counts must be shared between them
    nginx = NginxServer(
        site, [bot_port, actions_port], workers=request.param
    ).start()  # its own folder in /tmp: workers reach it
    try:
        yield backends, bot_port, actions_port
    finally:
        for backend in backends:
            backend.release.set()
        nginx.stop()
        for backend in backends:
            backend.stop()


@pytest.mark.parametrize("upstream", ["rasa", "actions"])
def test_a_busy_server_gets_no_new_requests_while_the_other_is_free(two_backends_behind_nginx, upstream):
    backends, bot_port, actions_port = two_backends_behind_nginx
    port = bot_port if upstream == "rasa" else actions_port
    answered = {}
    slow = threading.Thread(target=lambda: answered.setdefault("slow", post(port, "/slow")))
    slow.start()
    for _ in range(200):
        busy = [b for b in backends if b.holding.is_set()]
        if busy:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the slow request reached no backend")
    busy = busy[0]
    free = next(b for b in backends if b is not busy)
    # round robin would send every other one of these to the busy server (it answers them at once)
    assert [post(port, "/fast") for _ in range(4)] == [free.port] * 4
    busy.release.set()
    slow.join(30)
    assert answered["slow"] == busy.port
    # with neither busy, the two take turns
    assert set(post(port, "/fast") for _ in range(4)) == {b.port for b in backends}
