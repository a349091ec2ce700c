"""CPU time and memory of local processes, read from /proc (Linux), for the summary table."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(*, pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may hold spaces: fields are counted after its closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_bytes(*, pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Servers:
    """The server processes under test, when they run on this machine (else nothing is read)."""

    pids: tuple[int, ...] = ()

    def cpu(self) -> float | None:
        if not self.pids:
            return None
        return sum(cpu_seconds(pid=pid) for pid in self.pids)

    def rss(self) -> int | None:
        if not self.pids:
            return None
        return sum(rss_bytes(pid=pid) for pid in self.pids)
