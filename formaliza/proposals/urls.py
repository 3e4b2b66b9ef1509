from django.urls import path

from formaliza.proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("nova/", views.proposal_new, name="new"),
    path("formalizacoes/", views.formalizations, name="formalizations"),
    path(
        "formalizacoes/<str:request_id>/", views.formalization_detail, name="formalization_detail"
    ),
    path(
        "formalizacoes/<str:request_id>/cancelar/",
        views.formalization_cancel,
        name="formalization_cancel",
    ),
    path("<str:number>/", views.proposal_detail, name="detail"),
    path("<str:number>/decidir/", views.proposal_decide, name="decide"),
]
