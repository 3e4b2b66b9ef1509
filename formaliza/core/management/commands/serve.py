"""Run the whole product on one machine: web server, background workers and scheduler.

`make run` calls this after migrating and loading the demo data. Each part is a child process;
Ctrl+C stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from formaliza.core.serving import demo_banner, extra_processes


class Command(BaseCommand):
    help = "Sobe o servidor web, os workers e o agendador juntos."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--task-workers", type=int, default=int(os.environ.get("TASK_WORKERS", "2"))
        )

    def handle(self, *args, host, port, web_workers, task_workers, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        commands: list[tuple[str, list[str]]] = [
            (
                "web",
                [
                    python, "-m", "gunicorn", "config.wsgi:application",
                    "--bind", f"{host}:{port}", "--workers", str(web_workers),
                    "--access-logfile", "-", "--graceful-timeout", "5",
                ],
            ),
            ("scheduler", [python, manage, "scheduler"]),
        ]  # fmt: skip
        for n in range(task_workers):
            commands.append(
                (
                    f"worker{n + 1}",
                    [python, manage, "db_worker", "--queue-name", "*", "--interval", "0.2",
                     "--no-reload", "--worker-id", f"worker-{os.getpid()}-{n + 1}"],
                )
            )  # fmt: skip
        commands.extend(extra_processes(host=host, port=port))

        children = [(name, subprocess.Popen(cmd)) for name, cmd in commands]  # noqa: S603
        self.stdout.write(demo_banner(host=host, port=port))

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in children:
                    if proc.poll() is not None:
                        self.stderr.write(
                            f"{name} saiu com código {proc.returncode}; parando tudo."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for _, proc in children:
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for _, proc in children:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
