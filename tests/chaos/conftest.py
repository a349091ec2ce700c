"""The real topology, made to fail: two Daphne processes, a Redis of the test's own (so it can be
killed and restarted) and PostgreSQL behind a proxy that can cut every connection."""

import contextlib
import random
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.servers import descendants, kill_all
from qa.models import Question
from sessions.models import Event
from tests.integration.conftest import Server, database_url, free_port, start_server

# Nothing saved: a restart starts empty, like a lost node.
REDIS_SERVER = ("redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
# A dead primary is failed over within about two seconds; a replica syncs at once.
CLUSTER_MODE = (
    *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000"),
    *("--repl-diskless-sync-delay", "0"),
)


class RedisProcess:
    """A throwaway redis-server: nothing saved, so a restart starts empty like a lost node."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*REDIS_SERVER, "--port", str(self.port)],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_pong(self.port)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


class RedisClusterProcesses:
    """A Redis Cluster of the test's own on loopback ports, nothing saved: three primaries, the
    slots spread over them as `redis-cli --cluster create` does, each with `replicas` replicas
    (which take over within about two seconds of their primary's death)."""

    def __init__(self, tmp_path: Path, *, replicas: int = 0) -> None:
        self.ports = [_cluster_port() for _ in range(3 * (1 + replicas))]
        self.processes: dict[int, subprocess.Popen] = {}
        try:
            self._start(tmp_path, replicas)
        except BaseException:
            self.kill()  # no node outlives a cluster that never came up
            raise

    def _start(self, tmp_path: Path, replicas: int) -> None:
        for port in self.ports:
            directory = tmp_path / f"redis-cluster-{port}"
            directory.mkdir()
            self.processes[port] = subprocess.Popen(
                [*REDIS_SERVER, "--port", str(port), *CLUSTER_MODE, "--logfile", "redis.log"],
                cwd=directory,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        for port in self.ports:
            _wait_for_pong(port)
        addresses = [f"127.0.0.1:{port}" for port in self.ports]
        subprocess.run(
            ["redis-cli", "--cluster", "create", *addresses, "--cluster-replicas", str(replicas), "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        deadline = time.monotonic() + 30
        # Up: every node sees all slots served, and every replica holds its primary's data (else
        # it would not be promoted).
        while not all(self._up(port) for port in self.ports):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Redis Cluster did not come up: {[self._info(p) for p in self.ports]}")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}"

    @classmethod
    def _up(cls, port: int) -> bool:
        replication = cls._info(port, "info", "replication")
        linked = replication.get("role") != "slave" or replication.get("master_link_status") == "up"
        return linked and cls._info(port, "cluster", "info").get("cluster_state") == "ok"

    @staticmethod
    def _info(port: int, *command: str) -> dict[str, str]:
        done = subprocess.run(
            ["redis-cli", "-p", str(port), *(command or ("cluster", "info"))],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return dict(line.strip().split(":", 1) for line in done.stdout.splitlines() if ":" in line)

    def move_slot(self, slot: int, source: int, target: int) -> None:
        """Reshard: hand `slot` and its keys from the node on port `source` to the one on `target`."""

        def cli(port: int, *command: str) -> str:
            done = subprocess.run(["redis-cli", "-p", str(port), *command], capture_output=True, text=True, timeout=10)
            return done.stdout.strip()

        ids = {port: cli(port, "cluster", "myid") for port in (source, target)}
        cli(target, "cluster", "setslot", str(slot), "importing", ids[source])
        cli(source, "cluster", "setslot", str(slot), "migrating", ids[target])
        keys = cli(source, "cluster", "getkeysinslot", str(slot), "1000").split()
        if keys:
            cli(source, "migrate", "127.0.0.1", str(target), "", "0", "5000", "keys", *keys)
        for port in (target, source):
            cli(port, "cluster", "setslot", str(slot), "node", ids[target])

    def kill(self, port: int | None = None) -> None:
        """SIGKILL one node (`port`), or all of them."""
        for each, process in self.processes.items():
            if port in (None, each) and process.poll() is None:
                process.kill()
                process.wait(5)


def _cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too, so both are below 65536."""
    while True:
        port = random.randrange(20000, 45000)
        try:
            for candidate in (port, port + 10000):
                with socket.create_server(("127.0.0.1", candidate)):
                    pass
        except OSError:
            continue
        return port


def _wait_for_pong(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server on {port} did not start")


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.cuts = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()  # refused at once, like a database that is restarting
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with self._lock:
                    self._open.discard(end)
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def cut(self) -> None:
        self.down = True
        self.cuts += 1
        with self._lock:
            ends, self._open = list(self._open), set()
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.down = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


class Cluster:
    """Two server processes on fixed ports, so a restarted one comes back where clients look;
    Daphne, or another of bench.servers' kinds."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        env: dict[str, str],
        args: tuple[str, ...] = (),
        count: int = 2,
        kind: str = "daphne",
    ) -> None:
        self.tmp_path = tmp_path
        self.env = env
        self.args = args
        self.kind = kind
        self.ports = [free_port() for _ in range(count)]
        self.servers: list[Server | None] = [self._start(port) for port in self.ports]

    def _start(self, port: int) -> Server:
        return start_server(self.tmp_path, env=self.env, port=port, args=self.args, kind=self.kind)

    @property
    def urls(self) -> list[str]:
        return [f"ws://127.0.0.1:{port}/ws/events/SFH2022/" for port in self.ports]

    def http(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def kill(self, index: int) -> None:
        """SIGKILL: no goodbye, sockets drop, whatever was in flight is gone. The server's workers
        die with it, as with a lost machine (Granian's worker would outlive its parent alone)."""
        server = self.servers[index]
        workers = descendants(server.process.pid)
        server.process.send_signal(signal.SIGKILL)
        kill_all(workers)
        server.process.wait(10)

    def terminate(self, index: int) -> None:
        """SIGTERM: the process closes its sockets with "reconnect" and stops."""
        server = self.servers[index]
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(5)

    def restart(self, index: int) -> None:
        self.servers[index] = self._start(self.ports[index])

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.tmp_path.glob("server-*.log")))

    def stop(self) -> None:
        for server in self.servers:
            if server is not None:
                server.stop()


def health(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def congress(transactional_db, event) -> Event:
    """The demo congress with questions approved at once (so everyone can vote at once)."""
    Event.objects.filter(pk=event.pk).update(auto_approve=True, stream_delay=0)
    Question.objects.filter(session__event=event).delete()
    event.refresh_from_db()
    return event


@pytest.fixture
def private_redis(tmp_path):
    redis = RedisProcess(tmp_path)
    yield redis
    redis.kill()


@pytest.fixture
def db_proxy():
    proxy = TcpProxy(5432)
    yield proxy
    proxy.close()


def proxied_database_url(proxy: TcpProxy) -> str:
    return database_url().replace(":5432/", f":{proxy.port}/")


def _clusters(tmp_path: Path, redis_url: str):
    started: list[Cluster] = []

    def start(
        *, env: dict[str, str] | None = None, args: tuple[str, ...] = (), count: int = 2, kind: str = "daphne"
    ) -> Cluster:
        environment = {"REDIS_URL": redis_url, **(env or {})}
        running = Cluster(tmp_path, env=environment, args=args, count=count, kind=kind)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def cluster(tmp_path, private_redis):
    """`cluster(**options)` starts two servers on the private Redis; they are stopped afterwards."""
    yield from _clusters(tmp_path, private_redis.url)


@pytest.fixture
def cluster_on_redis_cluster(tmp_path):
    """`cluster_on_redis_cluster(**options)`: as `cluster`, the servers on a three-node Redis
    Cluster of the test's own (killed at the end)."""
    nodes = RedisClusterProcesses(tmp_path)
    try:
        yield from _clusters(tmp_path, nodes.url)
    finally:
        nodes.kill()
