from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render

from formaliza.core.errors import ApplicationError


def not_found(request, what: str = "Registro"):
    return render(
        request,
        "core/error.html",
        {"title": "Não encontrado", "message": f"{what} não encontrado nesta empresa."},
        status=404,
    )


def reply_posted(request, form, send, *, done: str, again):
    """A reply form was posted (the conversation page and the inbox share it): `send(text)`
    queues the message; a refusal comes back next to the field, with `again(form)` rendering
    the page (422); success goes to `done`."""
    if form.is_valid():
        try:
            send(form.cleaned_data["text"])
        except ApplicationError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, "Mensagem na fila de envio.")
            return redirect(done)
    return again(form)


def with_conversation(get):
    """Views of one conversation: `get(request, protocol)` finds it in the user's tenant; the
    view is called with it, and another tenant's or an unknown protocol is a 404 page."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, protocol: str):
            conversation = get(request, protocol)
            if conversation is None:
                return not_found(request, "Atendimento")
            return view(request, conversation)

        return wrapper

    return decorate
