"""What `manage.py serve` starts besides the web server and workers, and what it prints."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

DEMO_LOGINS = [
    ("admin@demo.formaliza.dev", "Administrador"),
    ("gerente@demo.formaliza.dev", "Gerente"),
    ("correspondente@demo.formaliza.dev", "Correspondente"),
    ("operador@demo.formaliza.dev", "Operador"),
    ("atendente@demo.formaliza.dev", "Atendente"),
    ("agente1@demo.formaliza.dev", "Agente de casos"),
    ("agente2@demo.formaliza.dev", "Agente de casos"),
]
DEMO_PASSWORD = "formaliza-demo"  # noqa: S105 - printed on purpose: demo data only


def extra_processes(*, host: str, port: int) -> list[tuple[str, list[str]]]:
    """Processes other apps ask `serve` to start (e.g. the fake WhatsApp Graph API), named in
    settings.SERVE_EXTRA_PROCESSES as dotted paths of callables returning (name, argv) pairs."""
    result: list[tuple[str, list[str]]] = []
    for path in getattr(settings, "SERVE_EXTRA_PROCESSES", []):
        result.extend(import_string(path)(host=host, port=port))
    return result


def demo_banner(*, host: str, port: int) -> str:
    lines = [
        "",
        "=" * 64,
        "  Formaliza está no ar",
        f"  Endereço:  http://{host}:{port}/",
        f"  API:       http://{host}:{port}/api/docs",
        "  Logins de demonstração (senha: " + DEMO_PASSWORD + "):",
    ]
    lines += [f"    {role:<15} {email}" for email, role in DEMO_LOGINS]
    lines += ["  Ctrl+C para parar.", "=" * 64, ""]
    return "\n".join(lines)
