"""`manage.py serve`'s supervisor: a child killed with SIGKILL is restarted (reason logged, with
backoff) while the others keep running; only SIGTERM/Ctrl+C stops everything."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from formaliza.core.supervisor import Supervisor, exit_reason

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]

# A supervisor of three sleeping children, as `serve` runs it (signals included).
SCRIPT = textwrap.dedent(
    f"""
    import json, sys
    from formaliza.core.supervisor import Supervisor
    sleeper = {SLEEPER!r}
    sup = Supervisor([(n, lambda g: sleeper) for n in ("web", "worker1", "worker2")],
                     backoff_base=0.5, report=lambda line: print(line, file=sys.stderr, flush=True))
    sup.run(on_started=lambda: print(json.dumps({{c.name: c.proc.pid for c in sup.children}}),
                                     flush=True))
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) is not alive.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[-1][0] != "Z"


def _wait_for(predicate, timeout=90.0):
    # Generous: the machine running the suite may be loaded; the behaviour, not speed, is tested.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_child_is_restarted_and_the_others_keep_running():
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    sup = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        pids = json.loads(sup.stdout.readline())
        assert set(pids) == {"web", "worker1", "worker2"}
        os.kill(pids["worker1"], signal.SIGKILL)

        died = sup.stderr.readline()
        assert died.startswith(f"worker1 (pid {pids['worker1']}) morto pelo sinal SIGKILL")
        assert "reiniciando em" in died
        restarted = sup.stderr.readline()
        assert restarted.startswith("worker1 reiniciado (pid ")
        new_pid = int(restarted.split("pid ")[1].split(")")[0])
        assert new_pid != pids["worker1"] and _alive(new_pid)
        assert _alive(pids["web"]) and _alive(pids["worker2"])  # nobody else was touched
        assert sup.poll() is None

        sup.send_signal(signal.SIGTERM)
        assert sup.wait(timeout=60) == 0
        for pid in (pids["web"], pids["worker2"], new_pid):
            assert _wait_for(lambda pid=pid: not _alive(pid)), f"child {pid} outlived serve"
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()


class FakeProc:
    pid = 1

    def __init__(self):
        self.code = None

    def poll(self):
        return self.code


def test_quick_deaths_back_off_exponentially_and_a_stable_run_resets_it(monkeypatch):
    started, lines = [], []
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])

    def popen(argv):
        started.append(argv)
        return FakeProc()

    sup = Supervisor([("worker1", lambda g: [f"gen-{g}"])], backoff_base=1, backoff_max=8,
                     report=lines.append, popen=popen)  # fmt: skip
    sup.start_all()
    child = sup.children[0]
    delays = []
    for _ in range(5):
        child.proc.code = -9
        sup.check()
        delays.append(child.restart_at - now[0])
        now[0] = child.restart_at
        sup.check()
        now[0] += 1  # dies again one second later: a quick death
    assert delays == [1, 2, 4, 8, 8]
    assert started == [[f"gen-{g}"] for g in range(6)]
    child.proc.code = 1
    now[0] += 600  # ran ten minutes before dying: restarted at once
    sup.check()
    assert len(started) == 7  # restarted in the same round, no wait
    assert "worker1 (pid 1) saiu com código 1 após 601 s; reiniciando em 0 s" in lines[-2]
    sup.stop()
    child.proc.code = -9
    sup.check()
    assert len(started) == 7  # stopping: nothing is restarted


@pytest.mark.parametrize(
    ("code", "reason"),
    [(-9, "morto pelo sinal SIGKILL"), (-15, "morto pelo sinal SIGTERM"), (3, "saiu com código 3")],
)
def test_exit_reasons_are_told_in_portuguese(code, reason):
    assert exit_reason(code) == reason
