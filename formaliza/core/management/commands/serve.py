"""Run the whole product on one machine: web server, background workers and scheduler.

`make run` calls this after migrating and loading the demo data. Each part is a child process;
one that dies is restarted (with backoff, the reason logged); Ctrl+C or SIGTERM stops them all.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from formaliza.core.serving import demo_banner, extra_processes
from formaliza.core.supervisor import Supervisor


class Command(BaseCommand):
    help = "Sobe o servidor web, os workers e o agendador juntos (e reinicia o que cair)."

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

        def fixed(argv):
            return lambda generation: argv

        def worker(n):
            # A new id on every restart: the dead process's heartbeat must not look alive.
            return lambda generation: [
                python, manage, "task_worker", "--queue-name", "*", "--interval", "0.2",
                "--no-reload", "--worker-id", f"worker-{os.getpid()}-{n}-{generation}",
            ]  # fmt: skip

        children = [
            ("web", fixed([
                python, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(web_workers),
                "--access-logfile", "-", "--graceful-timeout", "5",
            ])),
            ("scheduler", fixed([python, manage, "scheduler"])),
        ]  # fmt: skip
        children += [(f"worker{n}", worker(n)) for n in range(1, task_workers + 1)]
        children += [(name, fixed(cmd)) for name, cmd in extra_processes(host=host, port=port)]

        supervisor = Supervisor(children, report=lambda line: self.stderr.write(line))
        supervisor.run(on_started=lambda: self.stdout.write(demo_banner(host=host, port=port)))
