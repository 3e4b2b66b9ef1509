"""`db_worker` (django-tasks-db) plus a heartbeat, so that a task this process dies with goes
back to the queue within seconds (core.workers). `manage.py serve` runs these."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from formaliza.core.workers import Heartbeat


class Command(DBWorkerCommand):
    help = "Worker das tarefas em segundo plano, com batimento (sinal de vida) no banco."

    def handle(self, *args, worker_id: str, **options):
        # No autoreloader: it would run the tasks in a child process while this one kept beating.
        options["reload"] = False
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
