from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from formaliza.accounts import selectors, services
from formaliza.accounts.decorators import perm_required
from formaliza.accounts.forms import ApiKeyForm, LoginForm, UserForm
from formaliza.accounts.models import ApiKey
from formaliza.accounts.roles import Perm
from formaliza.core.errors import ApplicationError
from formaliza.core.navigation import home_url


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return home_url(self.request.user)


@login_required
def home(request):
    """`/`: the first page of the user's menu (the pipeline is not everyone's: attendants
    work the inbox)."""
    return redirect(home_url(request.user))


@perm_required(Perm.APIKEY_MANAGE)
def api_keys(request):
    issued = None
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = services.api_key_create(
            tenant=request.tenant, name=form.cleaned_data["name"], created_by=request.user
        )
        form = ApiKeyForm()
    return render(
        request,
        "accounts/api_keys.html",
        {"keys": selectors.api_key_list(tenant=request.tenant), "form": form, "issued": issued},
    )


@require_POST
@perm_required(Perm.APIKEY_MANAGE)
def api_key_revoke(request, key_id: int):
    try:
        key = services.api_key_revoke(tenant=request.tenant, key_id=key_id)
    except ApiKey.DoesNotExist:
        return render(
            request,
            "core/error.html",
            {"title": "Não encontrado", "message": "Chave de API não encontrada."},
            status=404,
        )
    messages.success(request, f"Chave “{key.name}” revogada. Ela deixa de funcionar agora.")
    return redirect("accounts:api_keys")


@perm_required(Perm.USER_MANAGE)
def users(request):
    branches = list(selectors.branch_list(tenant=request.tenant))
    form = UserForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        branch = next((b for b in branches if str(b.pk) == data["branch"]), None)
        try:
            validate_password(data["password"])
            services.user_create(
                tenant=request.tenant,
                email=data["email"],
                password=data["password"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                branch=branch,
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        except IntegrityError:
            form.add_error("email", "Já existe um usuário com este e-mail.")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Usuário {data['email']} criado.")
            return redirect("accounts:users")
    return render(
        request,
        "accounts/users.html",
        {"users": selectors.user_list(tenant=request.tenant), "form": form},
    )
