from django.urls import path

from formaliza.evidence import views

app_name = "verification"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("<str:code>/", views.verify_by_code, name="code"),
]
