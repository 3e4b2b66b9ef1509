"""The process supervisor of `manage.py serve`: starts every child, restarts one that dies (with
exponential backoff, logging why) and stops them all only on Ctrl+C or SIGTERM."""

from __future__ import annotations

import dataclasses
import logging
import signal
import subprocess
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

# A child that ran this long before dying is restarted at once; quicker deaths back off.
STABLE_AFTER_SECONDS = 30.0


@dataclasses.dataclass
class Child:
    name: str
    argv: Callable[[int], list[str]]  # generation (0, 1, 2, ...) -> command line
    proc: subprocess.Popen | None = None
    generation: int = 0
    quick_deaths: int = 0
    started_at: float = 0.0
    restart_at: float | None = None


def exit_reason(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"morto pelo sinal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"morto pelo sinal {-returncode}"
    return f"saiu com código {returncode}"


class Supervisor:
    def __init__(
        self,
        children: list[tuple[str, Callable[[int], list[str]]]],
        *,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        poll_every: float = 0.2,
        report: Callable[[str], None] | None = None,
        popen: Callable[..., subprocess.Popen] = subprocess.Popen,
    ):
        self.children = [Child(name, argv) for name, argv in children]
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.poll_every = poll_every
        self.report = report or logger.warning
        self.popen = popen
        self.stopping = False

    def _say(self, line: str) -> None:
        self.report(line)

    def _start(self, child: Child) -> None:
        child.proc = self.popen(child.argv(child.generation))
        child.started_at = time.monotonic()
        child.restart_at = None

    def backoff(self, quick_deaths: int) -> float:
        if quick_deaths <= 0:
            return 0.0
        return min(self.backoff_max, self.backoff_base * 2 ** (quick_deaths - 1))

    def check(self) -> None:
        """One round: notice dead children, restart those whose backoff is over."""
        now = time.monotonic()
        for child in self.children:
            if child.proc is not None and child.restart_at is None:
                code = child.proc.poll()
                if code is None:
                    continue
                lived = now - child.started_at
                child.quick_deaths = 0 if lived >= STABLE_AFTER_SECONDS else child.quick_deaths + 1
                delay = self.backoff(child.quick_deaths)
                child.restart_at = now + delay
                self._say(
                    f"{child.name} (pid {child.proc.pid}) {exit_reason(code)} após {lived:.0f} s; "
                    f"reiniciando em {delay:.0f} s (reinício nº {child.generation + 1})."
                )
            if child.restart_at is not None and now >= child.restart_at and not self.stopping:
                child.generation += 1
                self._start(child)
                self._say(f"{child.name} reiniciado (pid {child.proc.pid}).")

    def start_all(self) -> None:
        for child in self.children:
            self._start(child)

    def stop(self, *_) -> None:
        self.stopping = True

    def run(self, *, on_started: Callable[[], None] | None = None) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        try:
            self.start_all()
            if on_started:
                on_started()
            while not self.stopping:
                self.check()
                time.sleep(self.poll_every)
        finally:
            self.terminate_all()

    def terminate_all(self, grace: float = 10.0) -> None:
        alive = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in alive:
            proc.terminate()
        deadline = time.monotonic() + grace
        for proc in alive:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
