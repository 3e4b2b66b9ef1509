from django.urls import path

from formaliza.flows import views

app_name = "flows"

urlpatterns = [
    path("", views.flow_list, name="list"),
    # Two segments, so that no flow key (a slug) can shadow it or be shadowed by it.
    path("importar/json/", views.flow_import, name="import"),
    path("<slug:key>/", views.flow_detail, name="detail"),
    path("<slug:key>/exportar/", views.flow_export, name="export"),
    path("<slug:key>/publicar/", views.flow_publish, name="publish"),
    path("<slug:key>/inicio/", views.flow_trigger, name="trigger"),
    path("<slug:key>/versoes/", views.flow_versions, name="versions"),
    path("<slug:key>/versoes/<int:number>/reverter/", views.flow_rollback, name="rollback"),
    path("<slug:key>/arquivar/", views.flow_archive, name="archive"),
]
