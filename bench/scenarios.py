"""The scenarios of `manage.py loadtest`: fan-out, vote storm, poll storm, connect storm, join storm.

Each returns a `Result`. Latencies compare two `perf_counter()` readings of this one process
(the moderator's send and an attendee's receipt), so no clocks need to agree.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from .client import PUSHED, BenchError, Client, JoinStats, event_socket_url, join_participants, open_all
from .proc import Servers, own_cpu_seconds
from .report import Progress, Result, percentile

# The floor broadcasts what it is given: a payload the size of LiveHub's session.updated.
FLOOR_PAYLOAD = {
    "id": 0,
    "title": "How can we make gene therapies affordable?",
    "kind": "debate",
    "room": "Square, Hall 100",
    "starts_at": "2022-11-21T10:30:00+01:00",
    "ends_at": "2022-11-21T11:30:00+01:00",
    "status": "live",
    "stream_url": "",
    "speakers": [{"id": 1, "name": "A speaker of the seed", "affiliation": "A university hospital"}],
}


@dataclass(kw_only=True)
class Target:
    """Where the load goes: LiveHub processes (HTTP base URLs) or a floor server (a ws:// URL)."""

    name: str
    urls: list[str]
    floor: bool = False
    code: str = "SFH2022"
    moderator_key: str | None = None
    session_id: int | None = None
    servers: Servers = field(default_factory=Servers)
    # Tokens of participants joined by an earlier run, reused (joining is setup, not measured).
    tokens: list[str] = field(default_factory=list)
    # Called when the measured phase starts and ends (bench.compare attaches a profiler there).
    on_measure: Callable[[bool], None] | None = None

    def measuring(self, *, started: bool) -> None:
        if self.on_measure is not None:
            self.on_measure(started)

    def attendee_urls(self, *, count: int, mode: str) -> list[str]:
        if self.floor:
            return [self.urls[i % len(self.urls)] for i in range(count)]
        missing = count - len(self.tokens)
        if missing > 0:
            modes = [("room", "online")[i % 2] if mode == "mix" else mode for i in range(missing)]
            self.tokens += join_participants(
                base_url=self.urls[0], code=self.code, modes=modes, progress=Progress(label="joining", total=missing)
            )
        return [
            event_socket_url(base_url=self.urls[i % len(self.urls)], code=self.code, token=self.tokens[i])
            for i in range(count)
        ]

    def moderator_url(self) -> str:
        if self.floor:
            return self.urls[0]
        if not self.moderator_key:
            raise BenchError("a moderator role link (key) is needed: manage.py rolelink CODE moderator")
        return event_socket_url(base_url=self.urls[0], code=self.code, key=self.moderator_key)


def _measure_start(target: Target) -> tuple[float | None, float, float]:
    """The measured phase starts: the servers' and this client's CPU, and the clock."""
    target.measuring(started=True)
    return target.servers.cpu(), own_cpu_seconds(), perf_counter()


def _measure_end(target: Target, result: Result, measured: tuple[float | None, float, float]) -> None:
    server_cpu, client_cpu, started = measured
    target.measuring(started=False)
    result.seconds = perf_counter() - started
    result.client_cpu = own_cpu_seconds() - client_cpu
    if target.servers.pids:
        result.server_cpu = target.servers.cpu() - server_cpu


def _acknowledged(result: Result, replies: list, *, sent: int) -> list[float]:
    """Each command's seconds until its `ok`; the result counts them, and those never acknowledged."""
    acked = [elapsed for _i, elapsed, frame in replies if frame["type"] == "ok"]
    result.expected, result.received = sent, len(acked)
    result.lost = result.expected - result.received
    result.latencies_ms = [elapsed * 1000 for elapsed in acked]
    return acked


async def _connect(target: Target, *, clients: int, mode: str, watch: frozenset[str]) -> tuple[list[Client], int]:
    """Open the attendees' sockets; returns those that opened and how many were refused."""
    urls = await asyncio.to_thread(target.attendee_urls, count=clients, mode=mode)
    attendees = [Client(url=url, watch=watch) for url in urls]
    failures = await open_all(attendees, progress=Progress(label="connecting", total=clients))
    opened = [client for client, failure in zip(attendees, failures, strict=True) if failure is None]
    gc.freeze()  # open for the whole scenario: out of the load client's collections (bench/run.py)
    return opened, clients - len(opened)


async def _moderator(target: Target, *, watch: frozenset[str]) -> Client:
    moderator = Client(url=target.moderator_url(), watch=watch, queue_watched=True)
    await moderator.open(keep_snapshot=True)
    return moderator


async def _close(clients: list[Client]) -> None:
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)


async def _settle(attendees: list[Client], *, stream: str, final: int, within: float) -> None:
    """Wait until every attendee holds `final` on `stream` (or the time is up: those are lost)."""
    deadline = perf_counter() + within
    while perf_counter() < deadline:
        if all(client.seqs.get(stream, 0) >= final or client.close_code is not None for client in attendees):
            return
        await asyncio.sleep(0.05)


def _session_to_toggle(snapshot: dict[str, Any], *, session_id: int | None) -> tuple[int, str]:
    sessions = snapshot["data"]["sessions"]
    if session_id is not None:
        chosen = next((s for s in sessions if s["id"] == session_id), None)
        if chosen is None:
            raise BenchError(f"no session {session_id} in this event")
    else:
        # A talk or roundtable: going live may open a debate's polls, which is not what we measure.
        usable = [s for s in sessions if s["kind"] in {"talk", "roundtable"}] or sessions
        chosen = next((s for s in usable if s["status"] != "ended"), usable[0])
    return chosen["id"], chosen["status"]


async def fanout(*, target: Target, clients: int, mode: str, messages: int = 20, interval: float = 0.25) -> Result:
    """A moderator changes a session's status `messages` times; every attendee times each change."""
    result = Result(target=target.name, scenario="fanout", clients=clients, messages=messages)
    rss_before = target.servers.rss()
    moderator = await _moderator(target, watch=frozenset({"session.updated"}))
    attendees, refused = await _connect(target, clients=clients, mode=mode, watch=frozenset())
    result.connected = len(attendees)
    if refused:
        result.notes["refused"] = refused
    await asyncio.sleep(1.5)  # presence updates of the connect burst pass before measuring
    result.server_rss = target.servers.rss()
    if rss_before is not None and result.server_rss is not None and attendees:
        result.rss_per_socket = (result.server_rss - rss_before) / len(attendees)
    if target.floor:
        session_id, status = 0, "paused"
    else:
        session_id, status = _session_to_toggle(json.loads(moderator.snapshot or "{}"), session_id=target.session_id)

    sent: dict[int, float] = {}
    target.measuring(started=True)
    server_cpu, client_cpu = target.servers.cpu(), own_cpu_seconds()
    progress = Progress(label="fanout", total=messages)
    for number in range(messages):
        started = perf_counter()
        if target.floor:
            reply = await moderator.ok("publish", {**FLOOR_PAYLOAD, "id": number})
            sent[reply["seq"]] = started
        else:
            status = "paused" if status == "live" else "live"
            await moderator.ok("session.set_status", {"session": session_id, "status": status})
            # The moderator's own copy names the action's seq (its commands run one at a time).
            own = await moderator.next_watched(lambda f: f["data"]["id"] == session_id)
            sent[own["seq"]] = started
        progress(number + 1)
        await asyncio.sleep(max(0.0, started + interval - perf_counter()))
    final = max(sent)
    await _settle(attendees, stream="public", final=final, within=10 + clients / 200)
    if target.servers.pids:
        result.server_cpu = target.servers.cpu() - server_cpu
    result.client_cpu = own_cpu_seconds() - client_cpu
    target.measuring(started=False)

    first_sent, last_receipt = min(sent.values()), 0.0
    earliest: dict[int, float] = {}
    for client in attendees:
        for seq, at in client.public:
            if seq in sent:
                earliest[seq] = min(earliest.get(seq, at), at)
    for client in attendees:
        start = client.start_seqs.get("public", 0)
        wanted = set(range(start + 1, final + 1))
        got = {seq for seq, _ in client.public}
        result.expected += len(wanted)
        result.lost += len(wanted - got)
        result.received += len(got & wanted)
        result.disorder += client.disorder  # a late event after a gap counts here too
        for seq, at in client.public:
            if seq in sent:
                result.latencies_ms.append((at - sent[seq]) * 1000)
                result.spread_ms.append((at - earliest[seq]) * 1000)
                last_receipt = max(last_receipt, at)
    result.seconds = last_receipt - first_sent if last_receipt else 0.0
    closed = sum(1 for client in attendees if client.close_code is not None)
    if closed:
        result.notes["closed by server"] = closed
    await _close([moderator, *attendees])
    return result


ARRIVALS = ("even", "random", "burst")
# Seeded: two runs (and two servers in one run) see the same moments.
ARRIVALS_SEED = 20221121


def arrival_offsets(*, count: int, window: float, arrivals: str, seed: int = ARRIVALS_SEED) -> list[float]:
    """When each of `count` clients acts, in seconds from the start of the window.

    even: one every window/count seconds; random: each at a uniformly random moment of the
    window (people do not take turns); burst: half within the first second (after "vote now!"),
    the rest at random over the window.
    """
    if arrivals == "even":
        return [window * index / max(count, 1) for index in range(count)]
    rng = random.Random(seed)
    if arrivals == "random":
        return [rng.uniform(0, window) for _ in range(count)]
    if arrivals == "burst":
        early = count // 2
        return [rng.uniform(0, min(1.0, window)) for _ in range(early)] + [
            rng.uniform(0, window) for _ in range(count - early)
        ]
    raise BenchError(f"unknown arrivals {arrivals!r}; one of {', '.join(ARRIVALS)}")


def _max_per_second(times: list[float]) -> int:
    """The most frames that arrived within any one second."""
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


async def _storm(
    *,
    result: Result,
    target: Target,
    attendees: list[Client],
    window: float,
    arrivals: str,
    command: str,
    data_for: Any,
    label: str,
) -> tuple[list[tuple[int, float, dict[str, Any]]], tuple[float | None, float, float]]:
    """After a second's calm, every attendee sends one command within `window` seconds (spread
    as `arrivals` says); returns the replies and the measured phase's start. The servers' CPU in
    the calm (2,000 idle sockets cost a little: pings, presence) is noted beside the storm's."""
    offsets = arrival_offsets(count=len(attendees), window=window, arrivals=arrivals)
    await asyncio.sleep(1.0)
    if target.servers.pids:
        calm, calm_started = target.servers.cpu(), perf_counter()
        await asyncio.sleep(2.0)
        idle = (target.servers.cpu() - calm) / (perf_counter() - calm_started)
        result.notes["server CPU idle (ms a second)"] = round(idle * 1000, 1)
    measured = _measure_start(target)
    progress = Progress(label=label, total=len(attendees))
    done = 0

    async def one(index: int, client: Client) -> tuple[int, float, dict[str, Any]]:
        nonlocal done
        await asyncio.sleep(offsets[index])
        try:
            elapsed, frame = await client.command(command, data_for(index))
        except (BenchError, TimeoutError) as error:
            elapsed, frame = float("nan"), {"type": "error", "error": {"code": str(error)}}
        done += 1
        progress(done)
        return index, elapsed, frame

    return await asyncio.gather(*(one(i, c) for i, c in enumerate(attendees))), measured


async def votes(*, target: Target, clients: int, mode: str, window: float = 10.0, arrivals: str = "even") -> Result:
    """Every attendee upvotes one approved question within `window` seconds."""
    if target.floor:
        raise BenchError("the floor has no votes; run the votes scenario against LiveHub")
    result = Result(target=target.name, scenario="votes", clients=clients)
    result.notes["arrivals"] = arrivals
    moderator = await _moderator(target, watch=frozenset())
    attendees, refused = await _connect(target, clients=clients, mode=mode, watch=frozenset({"votes.updated"}))
    result.connected = len(attendees)
    if refused:
        result.notes["refused"] = refused
    session_id, _status = _session_to_toggle(json.loads(moderator.snapshot or "{}"), session_id=target.session_id)
    asked = await attendees[0].ok(
        "question.ask", {"session": session_id, "text": "Load test: which gene therapies will payers cover first?"}
    )
    question = asked["question"]
    _elapsed, approved = await moderator.command("question.moderate", {"question": question, "action": "approve"})
    if approved["type"] == "error" and approved["error"]["code"] != "conflict":  # conflict: auto-approved
        raise BenchError(f"approving the question failed: {approved['error']}")
    replies, measured = await _storm(
        result=result,
        target=target,
        attendees=attendees,
        window=window,
        arrivals=arrivals,
        command="question.vote",
        data_for=lambda _i: {"question": question, "up": True},
        label="voting",
    )
    await asyncio.sleep(1.5)  # the last coalesced totals
    _measure_end(target, result, measured)
    acked = _acknowledged(result, replies, sent=len(attendees))
    _summarise_counts(result, attendees, key=str(question), extract=lambda data: data["counts"], want=len(acked))
    errors = {frame["error"]["code"] for _i, _e, frame in replies if frame["type"] != "ok"}
    if errors:
        result.notes["errors"] = ",".join(sorted(errors))
    await _close([moderator, *attendees])
    return result


def _summarise_counts(result: Result, attendees: list[Client], *, key: str, extract: Any, want: int) -> None:
    """Exact final totals on every client, and the most coalesced frames any client got in a second."""
    wrong, rates, frames = 0, [], 0
    for client in attendees:
        result.disorder += client.disorder + client.gaps
        times = [at for at, _text in client.watched]
        frames += len(times)
        rates.append(_max_per_second(times))
        finals = [extract(json.loads(text)["data"]) for _at, text in client.watched]
        final = next((counts[key] for counts in reversed(finals) if key in counts), None)
        if final != want:
            wrong += 1
    result.notes["clients with exact final total"] = f"{len(attendees) - wrong}/{len(attendees)}"
    result.notes["max updates/s on one client"] = max(rates, default=0)
    result.notes["max updates/s sent"] = _max_per_second(_sent_times(attendees))
    result.notes["updates received"] = frames


def _sent_times(attendees: list[Client]) -> list[float]:
    """When each update left the server, as near as a client can tell: its earliest receipt on any
    client (a busy server or client can bunch one client's receipts beyond what was sent)."""
    earliest: dict[int, float] = {}
    for client in attendees:
        for at, text in client.watched:
            seq = int(PUSHED.match(text).group(3))
            earliest[seq] = min(earliest.get(seq, at), at)
    return sorted(earliest.values())


async def polls(*, target: Target, clients: int, mode: str, window: float = 10.0, arrivals: str = "even") -> Result:
    """A moderator opens a poll with visible results; every attendee answers within `window` seconds."""
    if target.floor:
        raise BenchError("the floor has no polls; run the polls scenario against LiveHub")
    result = Result(target=target.name, scenario="polls", clients=clients)
    result.notes["arrivals"] = arrivals
    moderator = await _moderator(target, watch=frozenset({"poll.updated"}))
    attendees, refused = await _connect(target, clients=clients, mode=mode, watch=frozenset({"poll.results"}))
    result.connected = len(attendees)
    if refused:
        result.notes["refused"] = refused
    session_id, _status = _session_to_toggle(json.loads(moderator.snapshot or "{}"), session_id=target.session_id)
    created = await moderator.ok(
        "poll.create",
        {"kind": "single", "prompt": "Load test: who pays?", "session": session_id, "options": ["Payers", "Makers"]},
    )
    poll = created["poll"]
    await moderator.ok("poll.results_visible", {"poll": poll, "visible": True})
    await moderator.ok("poll.open", {"poll": poll})
    opened = await moderator.next_watched(lambda f: f["data"]["id"] == poll and f["data"]["state"] == "open")
    options = [option["id"] for option in opened["data"]["options"]]
    replies, measured = await _storm(
        result=result,
        target=target,
        attendees=attendees,
        window=window,
        arrivals=arrivals,
        command="poll.respond",
        data_for=lambda i: {"poll": poll, "options": [options[i % len(options)]]},
        label="answering",
    )
    await asyncio.sleep(1.5)
    _measure_end(target, result, measured)
    acked = _acknowledged(result, replies, sent=len(attendees))
    _summarise_counts(
        result,
        attendees,
        key="total",
        extract=lambda data: data if data.get("poll") == poll else {},
        want=len(acked),
    )
    await _close([moderator, *attendees])
    return result


async def connect_storm(
    *, target: Target, clients: int, mode: str, window: float = 10.0, arrivals: str = "even"
) -> Result:
    """`clients` sockets open within `window` seconds; each times its handshake and snapshot."""
    result = Result(target=target.name, scenario="connect", clients=clients)
    result.notes["arrivals"] = arrivals
    urls = await asyncio.to_thread(target.attendee_urls, count=clients, mode=mode)
    attendees = [Client(url=url) for url in urls]
    if arrivals == "even":
        # Evenly spread, with a little jitter so that they do not arrive in lockstep.
        offsets = [window * (index + random.random()) / clients for index in range(clients)]
    else:
        offsets = arrival_offsets(count=clients, window=window, arrivals=arrivals)
    rss_before = target.servers.rss()
    measured = _measure_start(target)
    progress = Progress(label="connecting", total=clients)
    done = 0
    errors: dict[str, int] = {}

    async def one(index: int, client: Client) -> None:
        nonlocal done
        await asyncio.sleep(offsets[index])
        try:
            await client.open(wait=30)
        except Exception as error:  # noqa: BLE001 - every failure is a refused connection, counted by kind
            name = f"{error.__class__.__name__}{f' {client.close_code}' if client.close_code else ''}"
            errors[name] = errors.get(name, 0) + 1
        done += 1
        progress(done)

    await asyncio.gather(*(one(i, c) for i, c in enumerate(attendees)))
    _measure_end(target, result, measured)
    opened = [client for client in attendees if client.connect_seconds is not None]
    result.connected = result.received = len(opened)
    result.expected = clients
    result.lost = clients - len(opened)
    result.latencies_ms = [client.connect_seconds * 1000 for client in opened]
    await asyncio.sleep(1.0)
    result.server_rss = target.servers.rss()
    if rss_before is not None and result.server_rss is not None and opened:
        result.rss_per_socket = (result.server_rss - rss_before) / len(opened)
    if errors:
        result.notes["refused"] = errors
    await _close(attendees)
    return result


async def join_storm(*, target: Target, clients: int, mode: str, concurrency: int = 32) -> Result:
    """ "Scan the QR code now": `clients` joins from this one address, `concurrency` in flight, each
    waiting out a busy answer (429, 503) as the attend page does. Latency: a join's first try to
    its token; joins/s over the whole storm."""
    result = Result(target=target.name, scenario="joins", clients=clients)
    modes = [("room", "online")[i % 2] if mode == "mix" else mode for i in range(clients)]
    stats = JoinStats()
    measured = _measure_start(target)
    tokens = await asyncio.to_thread(
        join_participants,
        base_url=target.urls[0],
        code=target.code,
        modes=modes,
        workers=concurrency,
        stats=stats,
        progress=Progress(label="joining", total=clients),
    )
    _measure_end(target, result, measured)
    result.connected = result.received = len(tokens)
    result.expected = clients
    result.lost = clients - len(set(tokens))
    result.latencies_ms = [seconds * 1000 for seconds in stats.seconds]
    result.notes["answers"] = dict(sorted(stats.statuses.items()))
    result.server_rss = target.servers.rss()
    return result


REACTION_KINDS = ("applause", "like", "love", "laugh", "think")


async def reactions(*, target: Target, clients: int, mode: str, window: float = 30.0) -> Result:
    """Every attendee reacts once a second for `window` seconds (the hall's sends spread evenly over each
    second). Latency: from a reaction's send to the first coalesced `reactions.updated` its client
    receives after the reaction's `ok` (the counter was incremented before the `ok`, so that update
    or the next holds it). Checks exact final totals on every client."""
    if target.floor:
        raise BenchError("the floor has no reactions; run the reactions scenario against LiveHub")
    result = Result(target=target.name, scenario="reactions", clients=clients)
    moderator = await _moderator(target, watch=frozenset())
    attendees, refused = await _connect(target, clients=clients, mode=mode, watch=frozenset({"reactions.updated"}))
    result.connected = len(attendees)
    if refused:
        result.notes["refused"] = refused
    snapshot = json.loads(moderator.snapshot or "{}")
    session_id, status = _session_to_toggle(snapshot, session_id=target.session_id)
    if status not in {"live", "paused"}:
        await moderator.ok("session.set_current", {"session": session_id})
    before = snapshot["data"].get("reactions", {}).get(str(session_id), {})
    already = sum(sum(modes.values()) for modes in before.values())
    await asyncio.sleep(1.0)
    measured = _measure_start(target)
    started = perf_counter()
    progress = Progress(label="reacting", total=len(attendees))
    done = 0
    seconds = int(window)

    async def one(index: int, client: Client) -> list[tuple[float, float, dict[str, Any]]]:
        nonlocal done
        sent = []
        for second in range(seconds):
            await asyncio.sleep(max(0.0, started + second + index / len(attendees) - perf_counter()))
            at = perf_counter()
            kind = REACTION_KINDS[(index + second) % len(REACTION_KINDS)]
            try:
                elapsed, frame = await client.command("reaction.send", {"session": session_id, "kind": kind})
            except (BenchError, TimeoutError) as error:
                elapsed, frame = float("nan"), {"type": "error", "error": {"code": str(error)}}
            sent.append((at, elapsed, frame))
        done += 1
        progress(done)
        return sent

    replies = await asyncio.gather(*(one(i, c) for i, c in enumerate(attendees)))
    await asyncio.sleep(1.5)  # the last coalesced totals
    _measure_end(target, result, measured)
    result.expected = len(attendees) * seconds
    counted, latencies, acks, gaps, errors = 0, [], [], [], set()
    for client, sent in zip(attendees, replies, strict=True):
        updates = [at for at, _text in client.watched]
        gaps.extend((later - earlier) * 1000 for earlier, later in itertools.pairwise(updates))
        for at, elapsed, frame in sent:
            if frame["type"] != "ok":
                errors.add(frame["error"]["code"])
                continue
            counted += 1
            acks.append(elapsed * 1000)
            after = bisect.bisect_left(updates, at + elapsed)
            if after < len(updates):
                latencies.append((updates[after] - at) * 1000)
    result.received, result.lost = counted, result.expected - counted
    result.latencies_ms = latencies
    # Where a latency goes: waiting for the `ok`, then for the next update.
    result.notes["ok p50 / p99 (ms)"] = _p50_p99(acks)
    result.notes["between updates on a client p50 / p99 (ms)"] = _p50_p99(gaps)
    key = str(session_id)
    _summarise_counts(
        result,
        attendees,
        key=key,
        extract=lambda data: {
            name: sum(sum(modes.values()) for modes in kinds.values()) for name, kinds in data["sessions"].items()
        },
        want=already + counted,
    )
    if errors:
        result.notes["errors"] = ",".join(sorted(errors))
    await _close([moderator, *attendees])
    return result


def _p50_p99(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{percentile(values, 50):.0f} / {percentile(values, 99):.0f}"


SCENARIOS = {
    "fanout": fanout,
    "votes": votes,
    "polls": polls,
    "connect": connect_storm,
    "joins": join_storm,
    "reactions": reactions,
}
