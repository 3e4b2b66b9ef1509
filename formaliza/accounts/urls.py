from django.contrib.auth import views as auth_views
from django.urls import path

from formaliza.accounts import views

app_name = "accounts"

urlpatterns = [
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("sair/", auth_views.LogoutView.as_view(), name="logout"),
    path("chaves-api/", views.api_keys, name="api_keys"),
    path("chaves-api/<int:key_id>/revogar/", views.api_key_revoke, name="api_key_revoke"),
    path("usuarios/", views.users, name="users"),
]
