from django.urls import path

from formaliza.flows.views import system as views

app_name = "flows_system"

urlpatterns = [
    path("", views.index, name="index"),
    path("grupos/", views.groups, name="groups"),
    path("grupos/<int:group_id>/", views.group_edit, name="group_edit"),
    path("grupos/<int:group_id>/excluir/", views.group_delete, name="group_delete"),
    path("setores/", views.departments, name="departments"),
    path("setores/<int:department_id>/", views.department_edit, name="department_edit"),
    path("setores/<int:department_id>/ativo/", views.department_toggle, name="department_toggle"),
    path("rede-permitida/", views.allowlist, name="allowlist"),
    path("erp/", views.erp, name="erp"),
    path("erp/testar/", views.erp_test, name="erp_test"),
    path("horarios/", views.hours, name="hours"),
    path("horarios/<int:period_id>/excluir/", views.hour_delete, name="hour_delete"),
    path("metricas/", views.metrics, name="metrics"),
    path("envios/", views.bulks, name="bulks"),
    path("envios/<int:bulk_id>/", views.bulk, name="bulk"),
    path("envios/<int:bulk_id>/progresso.json", views.bulk_progress, name="bulk_progress"),
    path("avisos/", views.notices, name="notices"),
]
