from django.urls import path

from formaliza.cases.views import calculations, cases, clients, payments

app_name = "cases"

urlpatterns = [
    path("", cases.case_list, name="list"),
    path("<int:case_id>/", cases.case_detail, name="detail"),
    path("<int:case_id>/atermacao/", cases.case_request_filing, name="request_filing"),
    path("<int:case_id>/cancelar/", cases.case_cancel, name="cancel"),
    path("<int:case_id>/usar-credito/", cases.case_pay_credit, name="pay_credit"),
    path("<int:case_id>/cobrar-cliente/", cases.case_charge_client, name="charge_client"),
    path("<int:case_id>/confirmar-pix/", cases.case_confirm_static, name="confirm_static"),
    path("<int:case_id>/protocolo/", cases.protocol_record, name="protocol"),
    path("calculo/", calculations.calculate, name="calculate"),
    path("calculo/<uuid:calculation_id>/", calculations.calculation, name="calculation"),
    path(
        "calculo/<uuid:calculation_id>/pdf/", calculations.calculation_pdf, name="calculation_pdf"
    ),
    path(
        "calculo/<uuid:calculation_id>/salvar/",
        calculations.calculation_save,
        name="calculation_save",
    ),
    path(
        "calculo/<uuid:calculation_id>/descartar/",
        calculations.calculation_discard,
        name="calculation_discard",
    ),
    path("clientes/", clients.client_list, name="clients"),
    path("clientes/novo/", clients.client_edit, name="client_new"),
    path("clientes/<int:client_id>/", clients.client_detail, name="client"),
    path("clientes/<int:client_id>/editar/", clients.client_edit, name="client_edit"),
    path("clientes/<int:client_id>/documentos/", clients.client_documents, name="client_documents"),
    path("documentos/<int:document_id>/", clients.document_file, name="document_file"),
    path("documentos/<int:document_id>/analise/", clients.document_review, name="document_review"),
    path("atermacoes/", cases.filing_queue, name="filing_queue"),
    path("tipos-de-documento/", cases.document_types, name="document_types"),
    path("meu-link/", cases.agent_link, name="agent_link"),
    path("creditos/", payments.credits, name="credits"),
    path("creditos/comprar/", payments.credits_buy, name="credits_buy"),
    path("cobrancas/", payments.charges, name="charges"),
    path("cobrancas/<str:txid>/aceitar/", payments.charge_accept, name="charge_accept"),
    path("cobrancas/<str:txid>/encerrar/", payments.charge_dismiss, name="charge_dismiss"),
]
