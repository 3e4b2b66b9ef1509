"""The fake provider is only useful if it refuses what Meta and Zenvia refuse: checked over real
HTTP against the documented limits and error shapes."""

import json

import httpx
import pytest

from formaliza.conversations.fake_provider import FakeProvider, Number, ZenviaSender, payloads
from formaliza.core.crypto import hmac_matches

TOKEN = "EAAG-token"


@pytest.fixture
def api():
    fake = FakeProvider(mode="collect", status_delay=0.0, read_after=None)
    fake.start()
    fake.register_number(Number(phone_number_id="123", access_token=TOKEN, app_secret="segredo",
                                callback_url="http://testserver/hook", waba_id="waba", throughput=3,
                                pair_interval=6.0, pair_burst=2))  # fmt: skip
    fake.register_template("waba", {"name": "convite", "language": "pt_BR", "category": "UTILITY",
                                    "components": [{"type": "BODY", "text": "Olá {{1}}"}]})  # fmt: skip
    yield fake
    fake.stop()


def post(fake, payload, token=TOKEN, path="/v21.0/123/messages"):
    return httpx.post(fake.url + path, json=payload, headers={"Authorization": f"Bearer {token}"})


def text(to="5511987654321", body="oi"):
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def buttons(titles):
    return {"messaging_product": "whatsapp", "to": "5511987654321", "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Escolha"},
                            "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": t}}
                                                   for i, t in enumerate(titles)]}}}  # fmt: skip


def template(params):
    return {"messaging_product": "whatsapp", "to": "5511987654321", "type": "template",
            "template": {"name": "convite", "language": {"code": "pt_BR"},
                         "components": [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]}}  # fmt: skip


def error_code(response) -> int:
    return response.json()["error"]["code"]


def test_accepts_a_valid_send_like_meta(api):
    api.open_window("123", "5511987654321")
    response = post(api, text())
    assert response.status_code == 200
    body = response.json()
    assert body["messages"][0]["id"].startswith("wamid.")
    assert body["contacts"] == [{"input": "5511987654321", "wa_id": "5511987654321"}]


@pytest.mark.parametrize(
    ("payload", "token", "path", "status", "code"),
    [
        (text(), "errado", "/v21.0/123/messages", 401, 190),
        (text(), TOKEN, "/v21.0/999/messages", 400, 100),
        (text(body=""), TOKEN, "/v21.0/123/messages", 400, 131009),
        (text(body="x" * 4097), TOKEN, "/v21.0/123/messages", 400, 131009),
        (buttons(["a", "b", "c", "d"]), TOKEN, "/v21.0/123/messages", 400, 131009),
        (buttons(["x" * 21]), TOKEN, "/v21.0/123/messages", 400, 131009),
        (buttons(["Sim", "Sim"]), TOKEN, "/v21.0/123/messages", 400, 131009),
        (template(["Maria", "extra"]), TOKEN, "/v21.0/123/messages", 400, 132000),
        (template(["Maria\nSantos"]), TOKEN, "/v21.0/123/messages", 400, 132018),
        ({**template(["Maria"]), "template": {"name": "nao_existe", "language": {"code": "pt_BR"}}},
         TOKEN, "/v21.0/123/messages", 404, 132001),
        ({"messaging_product": "whatsapp", "to": "5511987654321", "type": "image", "image": {"id": "nope"}},
         TOKEN, "/v21.0/123/messages", 400, 131009),
    ],
)  # fmt: skip
def test_refuses_what_the_cloud_api_refuses_with_its_error_shape(
    api, payload, token, path, status, code
):
    response = post(api, payload, token=token, path=path)
    assert (response.status_code, error_code(response)) == (status, code)
    error = response.json()["error"]
    assert (
        error["type"] == "OAuthException"
        and "fbtrace_id" in error
        and error["message"].startswith(f"(#{code})")
    )
    assert api.sent == []


def test_list_limits(api):
    rows = [{"id": f"r{i}", "title": f"Linha {i}"} for i in range(11)]
    payload = {"messaging_product": "whatsapp", "to": "5511987654321", "type": "interactive",
               "interactive": {"type": "list", "body": {"text": "x"},
                               "action": {"button": "Ver", "sections": [{"title": "S", "rows": rows}]}}}  # fmt: skip
    assert error_code(post(api, payload)) == 131009
    payload["interactive"]["action"]["sections"][0]["rows"] = rows[:10]
    assert post(api, payload).status_code == 200


def test_throughput_and_pair_rate_limits(api):
    # A clock the test moves: the limits are checked, not how fast this machine posts.
    now = [1_000_000.0]
    api.clock = lambda: now[0]
    api.numbers["123"].pair_burst = 100
    codes = [post(api, template([f"{n}"])).status_code for n in range(4)]
    assert codes == [200, 200, 200, 400]  # 3 per second
    last = post(api, template(["x"]))
    assert error_code(last) == 130429
    now[0] += 1.0  # the next second
    assert post(api, template(["y"])).status_code == 200

    api.numbers["123"].throughput, api.numbers["123"].pair_burst = 1000, 2
    other = {**template(["y"]), "to": "5521987654321"}  # a recipient not written to yet
    answers = [post(api, other) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 400]  # a burst of 2, then 1 per 6 s
    assert error_code(answers[-1]) == 131056
    now[0] += 5.9
    assert error_code(post(api, other)) == 131056
    now[0] += 0.2  # 6 s after the burst: one more
    assert [post(api, other).status_code for _ in range(2)] == [200, 400]


def test_window_and_undeliverable_numbers_fail_asynchronously_with_signed_webhooks(api):
    assert post(api, text()).status_code == 200  # accepted, like Meta...
    assert post(api, template(["Maria"]), path="/v21.0/123/messages").status_code == 200
    assert post(api, {**template(["Maria"]), "to": "5511987650000"}).status_code == 200
    deliveries = api.take_deliveries()
    statuses = [
        json.loads(d.body)["entry"][0]["changes"][0]["value"]["statuses"][0] for d in deliveries
    ]
    failed = {s["errors"][0]["code"] for s in statuses if s["status"] == "failed"}
    assert failed == {131047, 131026}  # ...then fails: no window; not on WhatsApp
    assert {s["status"] for s in statuses} == {"sent", "delivered", "failed"}
    for d in deliveries:
        assert hmac_matches(
            "segredo", d.body, d.headers["X-Hub-Signature-256"].removeprefix("sha256=")
        )


def test_legacy_brazilian_wa_ids(api):
    api.open_window("123", "553187654321")
    response = post(api, text(to="5531987654321"))
    assert response.json()["contacts"][0]["wa_id"] == "553187654321"


def test_media_upload_info_and_download_need_the_token(api):
    upload = httpx.post(api.url + "/v21.0/123/media", headers={"Authorization": f"Bearer {TOKEN}"},
                        data={"messaging_product": "whatsapp", "type": "application/pdf"},
                        files={"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")})  # fmt: skip
    media_id = upload.json()["id"]
    info = httpx.get(
        f"{api.url}/v21.0/{media_id}", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()
    assert (info["mime_type"], info["file_size"]) == ("application/pdf", "10")
    assert httpx.get(info["url"]).status_code == 401
    assert (
        httpx.get(info["url"], headers={"Authorization": f"Bearer {TOKEN}"}).content
        == b"%PDF-1.4 x"
    )


def test_zenvia_side(api):
    api.register_zenvia(ZenviaSender(sender_id="formaliza", token="zt", webhook_secret="ws",
                                     callback_url="http://testserver/zhook"))  # fmt: skip
    ok = httpx.post(api.url + "/v2/channels/sms/messages", headers={"X-API-TOKEN": "zt"},
                    json={"from": "formaliza", "to": "5511987654321", "contents": [{"type": "text", "text": "oi"}]})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["direction"] == "OUT"
    bad = httpx.post(api.url + "/v2/channels/sms/messages", headers={"X-API-TOKEN": "errado"},
                     json={"from": "formaliza", "to": "5511987654321", "contents": [{"type": "text", "text": "oi"}]})  # fmt: skip
    assert (bad.status_code, bad.json()["code"]) == (401, "AUTHENTICATION_ERROR")
    long = httpx.post(api.url + "/v2/channels/sms/messages", headers={"X-API-TOKEN": "zt"},
                      json={"from": "formaliza", "to": "5511987654321", "contents": [{"type": "text", "text": "x" * 1521}]})  # fmt: skip
    assert (long.status_code, long.json()["code"]) == (400, "VALIDATION_ERROR")
    events = [json.loads(d.body) for d in api.take_deliveries()]
    assert [e["messageStatus"]["code"] for e in events] == ["SENT", "DELIVERED"]


def test_client_side_messages_are_signed_meta_webhooks(api):
    result = api.client_says(
        {"phone_number_id": "123", "from": "5511987654321", "text": "Oi", "name": "Maria"}
    )
    (delivery,) = api.take_deliveries()
    body = json.loads(delivery.body)
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    assert (message["id"], message["text"]["body"], message["type"]) == (
        result["message_id"],
        "Oi",
        "text",
    )
    assert delivery.headers["X-Hub-Signature-256"] == payloads.meta_signature(
        "segredo", delivery.body
    )
