from django.urls import path

from formaliza.conversations.views import inbox as views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_home, name="home"),
    path("<str:protocol>/", views.inbox_detail, name="detail"),
    path("<str:protocol>/responder/", views.inbox_reply, name="reply"),
    path("<str:protocol>/assumir/", views.inbox_take, name="take"),
    path("<str:protocol>/observacao/", views.inbox_note, name="note"),
    path("<str:protocol>/atribuir/", views.inbox_assign, name="assign"),
    path("<str:protocol>/transferir/", views.inbox_transfer, name="transfer"),
    path("<str:protocol>/devolver/", views.inbox_release, name="release"),
    path(
        "<str:protocol>/assistente/<int:run_id>/iniciar/",
        views.inbox_assistant_start,
        name="assistant_start",
    ),
    path("<str:protocol>/finalizar/", views.inbox_finish, name="finish"),
]
