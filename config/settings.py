"""Settings, driven by environment variables.

Every variable has a default that runs the product on the embedded stack (SQLite, local files,
console e-mail). Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and the provider keys.
The list of variables is in the README.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FORMALIZA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    # The embedded default keeps a generated key on disk so sessions and encrypted fields survive
    # restarts; production must set SECRET_KEY.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL used in links sent to clients and integrators (journey links, downloads).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram lookups for the contact search (no-op on SQLite)
    "django_tasks",
    "django_tasks_db",
    # django-ninja's bundled Swagger UI (/api/docs): served from our static files, never a CDN.
    "ninja",
    "formaliza.core",
    "formaliza.accounts",
    "formaliza.contacts",
    "formaliza.webhooks",
    "formaliza.telephony",
    "formaliza.conversations",
    "formaliza.erp",
    "formaliza.evidence",
    "formaliza.payments",
    "formaliza.proposals",
    "formaliza.journeys",
    "formaliza.flows",
    "formaliza.history",
    "formaliza.cases",
    "formaliza.acceptance",
    "formaliza.triage",
    "formaliza.api",
    "formaliza.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "formaliza.core.tenancy.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "formaliza.api.nul.NulCharacterMiddleware",
    "formaliza.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "formaliza.core.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# SQLite (WAL) by default; PostgreSQL through DATABASE_URL=postgres://user@host:5432/name.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'formaliza.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on the
        # busy timeout instead of failing with "database is locked" when a read upgrades to a write.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file (not :memory:) so that worker subprocesses can see the same database.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test_formaliza.sqlite3")}
else:
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work --------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "webhooks", "messages", "media", "sealing", "exports"],
    }
}
# Periodic work enqueued by `manage.py scheduler`: (dotted task path, every N seconds).
PERIODIC_TASKS = [
    ("formaliza.webhooks.tasks.webhook_deliveries_sweep", 60),
    ("formaliza.core.tasks.stale_tasks_requeue", 120),
    ("formaliza.conversations.tasks.conversations_sweep", 30),
    ("formaliza.journeys.tasks.journeys_sweep", 300),
    ("formaliza.flows.tasks.flow_timers_sweep", 10),
]
# A task left RUNNING longer than this by a worker that died is handed to another worker.
TASK_STALE_AFTER_SECONDS = int(os.environ.get("TASK_STALE_AFTER_SECONDS", "900"))
# `manage.py task_worker` beats every N seconds; a worker silent for longer than
# TASK_WORKER_DEAD_AFTER_SECONDS is dead and its running task goes back to the queue (checked by the
# scheduler on every tick), so a task killed with its worker runs again within about 20 s.
TASK_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("TASK_WORKER_HEARTBEAT_SECONDS", "2"))
TASK_WORKER_DEAD_AFTER_SECONDS = float(os.environ.get("TASK_WORKER_DEAD_AFTER_SECONDS", "12"))

# --- auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "proposals:pipeline"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)")]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# --- files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    # Private files (documents, photos): never served directly; views check access and log it.
    "default": {
        "BACKEND": os.environ.get(
            "FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
    },
    # Files older than ACCEPTANCE_ARCHIVE_AFTER_DAYS (contact documents): a separate storage so
    # that on S3 it can be a colder class (GLACIER_IR...). Unarchiving copies them back.
    "archive": {
        "BACKEND": os.environ.get(
            "ARCHIVE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": (
            {"location": str(Path(os.environ.get("ARCHIVE_ROOT", VAR_DIR / "archive")))}
            if "ARCHIVE_STORAGE_BACKEND" not in os.environ
            else {}
        ),
    },
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_STORAGE_BACKEND",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024  # Meta's webhook bodies reach 3 MB

# --- crypto -----------------------------------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation). When unset, a key is
# derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")

# --- e-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Formaliza <nao-responda@localhost>")

# --- outbound HTTP ----------------------------------------------------------------------------
# Hosts (or CIDRs) that tenants' outbound calls may reach even when private or loopback.
# Production leaves it empty; the demo and tests allow 127.0.0.1 for the local fakes.
OUTBOUND_ALLOWED_PRIVATE = env_list("OUTBOUND_ALLOWED_PRIVATE")
# An extra CA bundle (PEM) the flows' HTTP card trusts besides the public ones (certifi): a
# tenant's integration behind a private CA. Empty: public CAs only.
OUTBOUND_CA_FILE = os.environ.get("OUTBOUND_CA_FILE", "")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "10"))
WEBHOOK_BACKOFF_BASE_SECONDS = float(os.environ.get("WEBHOOK_BACKOFF_BASE_SECONDS", "30"))
WEBHOOK_BACKOFF_MAX_SECONDS = float(os.environ.get("WEBHOOK_BACKOFF_MAX_SECONDS", "21600"))

# --- proposals --------------------------------------------------------------------------------
# Called (as tasks, in the transaction that opens it) when a formalization request opens.
# The journeys app plugs itself in here; the proposals app never imports it.
# Called the same way when a request closes (completed or cancelled): the journey revokes its link.
FORMALIZATION_CLOSED_HANDLERS = env_list(
    "FORMALIZATION_CLOSED_HANDLERS", "formaliza.journeys.tasks.journey_request_closed"
)
FORMALIZATION_OPENED_HANDLERS = env_list(
    "FORMALIZATION_OPENED_HANDLERS", "formaliza.journeys.tasks.journey_start"
)

# --- journeys (the client's link and web pages) -----------------------------------------------
# Who carries messages to the client (link, completion): a dotted path to a ClientMessenger
# (formaliza/journeys/ports.py). The default is the WhatsApp assistant (invitation template, then
# the tenant's formalization flow; docs/flows.md); "formaliza.journeys.adapters.console.
# ConsoleMessenger" only logs the messages.
JOURNEY_MESSENGER = os.environ.get(
    "JOURNEY_MESSENGER", "formaliza.flows.adapters.whatsapp_messenger.WhatsAppMessenger"
)
# The WhatsApp assistant (formaliza.flows.adapters.whatsapp_messenger.WhatsAppMessenger): the
# approved templates it sends outside the 24-hour window, on the tenant's first active WhatsApp
# channel — invitation (client's name), link (name, link), completion (name, formalization).
FORMALIZATION_INVITE_TEMPLATE = os.environ.get(
    "FORMALIZATION_INVITE_TEMPLATE", "convite_formalizacao"
)
FORMALIZATION_LINK_TEMPLATE = os.environ.get("FORMALIZATION_LINK_TEMPLATE", "formalizacao_link")
FORMALIZATION_DONE_TEMPLATE = os.environ.get(
    "FORMALIZATION_DONE_TEMPLATE", "formalizacao_concluida"
)
JOURNEY_MESSAGE_MAX_ATTEMPTS = int(os.environ.get("JOURNEY_MESSAGE_MAX_ATTEMPTS", "6"))
# A link stops working this long after it was issued (the client asks for a new one); the whole
# journey expires (terminal, formalization cancelled) this long after it opened.
JOURNEY_LINK_TTL_HOURS = float(os.environ.get("JOURNEY_LINK_TTL_HOURS", "24"))
JOURNEY_TTL_DAYS = float(os.environ.get("JOURNEY_TTL_DAYS", "7"))
# "Send me a new link" from an expired link's page: at most N per hour, one per cooldown.
JOURNEY_LINK_REQUESTS_PER_HOUR = int(os.environ.get("JOURNEY_LINK_REQUESTS_PER_HOUR", "3"))
JOURNEY_LINK_REQUEST_COOLDOWN_SECONDS = int(
    os.environ.get("JOURNEY_LINK_REQUEST_COOLDOWN_SECONDS", "60")
)
# A contract counts as read when scrolled to at least this fraction of its height.
JOURNEY_READ_MIN_FRACTION = float(os.environ.get("JOURNEY_READ_MIN_FRACTION", "0.98"))
# The reading time is measured by the server (contracts page served -> proof received). A proof
# that comes sooner than this many seconds per page of the contract (plus those of the contracts
# read before it: one person reads one at a time) is refused; a page is this many words.
JOURNEY_READ_MIN_SECONDS_PER_PAGE = float(os.environ.get("JOURNEY_READ_MIN_SECONDS_PER_PAGE", "10"))
JOURNEY_READ_WORDS_PER_PAGE = int(os.environ.get("JOURNEY_READ_WORDS_PER_PAGE", "500"))
# Photo checks (the phone already sends at most 1600 px on the long side).
JOURNEY_IMAGE_MAX_BYTES = int(os.environ.get("JOURNEY_IMAGE_MAX_BYTES", str(8 * 1024 * 1024)))
JOURNEY_IMAGE_MAX_PIXELS = int(os.environ.get("JOURNEY_IMAGE_MAX_PIXELS", "40000000"))
JOURNEY_IMAGE_MIN_LONG_SIDE = int(os.environ.get("JOURNEY_IMAGE_MIN_LONG_SIDE", "640"))
JOURNEY_IMAGE_MIN_SHORT_SIDE = int(os.environ.get("JOURNEY_IMAGE_MIN_SHORT_SIDE", "480"))
JOURNEY_IMAGE_BLUR_MIN = float(os.environ.get("JOURNEY_IMAGE_BLUR_MIN", "25"))
# ID photos must show an ID (formaliza/journeys/id_document.py): a card-shaped region covering at
# least this share of the frame, this long/short ratio (ID-1 is 1.585; perspective skews it),
# this many printed text lines covering this share of the card, and on the front a printed face
# at least this share of the card's height.
JOURNEY_ID_MIN_AREA = float(os.environ.get("JOURNEY_ID_MIN_AREA", "0.15"))
JOURNEY_ID_ASPECT_MIN = float(os.environ.get("JOURNEY_ID_ASPECT_MIN", "1.25"))
JOURNEY_ID_ASPECT_MAX = float(os.environ.get("JOURNEY_ID_ASPECT_MAX", "1.95"))
JOURNEY_ID_MIN_TEXT_LINES = int(os.environ.get("JOURNEY_ID_MIN_TEXT_LINES", "6"))
JOURNEY_ID_MIN_TEXT_DENSITY = float(os.environ.get("JOURNEY_ID_MIN_TEXT_DENSITY", "0.04"))
JOURNEY_ID_MIN_FACE_HEIGHT = float(os.environ.get("JOURNEY_ID_MIN_FACE_HEIGHT", "0.08"))
# Face match of the selfie against the ID front's photo (issue 18; docs/journeys.md "Face
# match"): after an accepted selfie a background task runs the FaceVerifier named here
# (formaliza/journeys/ports.py) and decides in three bands (formaliza/journeys/face_match.py):
# a score at or above ACCEPT is accepted, from REVIEW up it goes to the back office's review
# queue, below REVIEW the client is asked for a new selfie up to MAX_ATTEMPTS selfies, then
# review. The seal of a signed journey waits for the decision. These are the defaults of a
# tenant without its own policy (journeys.FaceMatchPolicy, "Conferência facial" settings).
JOURNEY_FACE_MATCH_ENABLED = env_bool("JOURNEY_FACE_MATCH_ENABLED", True)
JOURNEY_FACE_VERIFIER = os.environ.get(
    "JOURNEY_FACE_VERIFIER", "formaliza.journeys.adapters.dlib_face.DlibFaceVerifier"
)
JOURNEY_FACE_MATCH_ACCEPT = float(os.environ.get("JOURNEY_FACE_MATCH_ACCEPT", "0.45"))
JOURNEY_FACE_MATCH_REVIEW = float(os.environ.get("JOURNEY_FACE_MATCH_REVIEW", "0.35"))
JOURNEY_FACE_MATCH_MAX_ATTEMPTS = int(os.environ.get("JOURNEY_FACE_MATCH_MAX_ATTEMPTS", "3"))

# --- evidence: sealing, timestamps, verification ----------------------------------------------
# Without EVIDENCE_SIGNING_PKCS12 the embedded PKI (NOT FOR PRODUCTION) is generated on first use
# under EVIDENCE_PKI_DIR, and `manage.py serve` starts the local TSA behind EVIDENCE_TSA_URL.
EVIDENCE_PKI_DIR = Path(os.environ.get("EVIDENCE_PKI_DIR", VAR_DIR / "evidence-pki"))
EVIDENCE_SIGNING_PKCS12 = os.environ.get("EVIDENCE_SIGNING_PKCS12", "")
EVIDENCE_SIGNING_PKCS12_PASSWORD = os.environ.get("EVIDENCE_SIGNING_PKCS12_PASSWORD", "")
EVIDENCE_TSA_URL = os.environ.get("EVIDENCE_TSA_URL", "http://127.0.0.1:3161/")
EVIDENCE_TSA_USERNAME = os.environ.get("EVIDENCE_TSA_USERNAME", "")
EVIDENCE_TSA_PASSWORD = os.environ.get("EVIDENCE_TSA_PASSWORD", "")
EVIDENCE_TSA_TIMEOUT_SECONDS = float(os.environ.get("EVIDENCE_TSA_TIMEOUT_SECONDS", "10"))
# PEM/DER files of the roots trusted for the seal and its timestamp (verification).
EVIDENCE_TRUST_ROOTS = env_list("EVIDENCE_TRUST_ROOTS")
EVIDENCE_SEAL_MAX_ATTEMPTS = int(os.environ.get("EVIDENCE_SEAL_MAX_ATTEMPTS", "8"))
EVIDENCE_SEAL_BACKOFF_BASE_SECONDS = float(
    os.environ.get("EVIDENCE_SEAL_BACKOFF_BASE_SECONDS", "60")
)
EVIDENCE_SEAL_BACKOFF_MAX_SECONDS = float(
    os.environ.get("EVIDENCE_SEAL_BACKOFF_MAX_SECONDS", "3600")
)
EVIDENCE_DOWNLOAD_LINK_MAX_AGE_SECONDS = int(
    os.environ.get("EVIDENCE_DOWNLOAD_LINK_MAX_AGE_SECONDS", str(72 * 3600))
)
EVIDENCE_VERIFY_MAX_UPLOAD_BYTES = int(
    os.environ.get("EVIDENCE_VERIFY_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
)
# Tasks enqueued (with the sealed document's id) when a seal is done / has definitely failed.
# The journeys app plugs itself in here; evidence never imports it.
EVIDENCE_SEALED_HANDLERS = env_list(
    "EVIDENCE_SEALED_HANDLERS",
    "formaliza.journeys.tasks.journey_sealed,formaliza.acceptance.tasks.acceptance_sealed",
)
EVIDENCE_SEAL_FAILED_HANDLERS = env_list(
    "EVIDENCE_SEAL_FAILED_HANDLERS", "formaliza.journeys.tasks.journey_seal_failed"
)
PERIODIC_TASKS += [("formaliza.evidence.tasks.sealed_documents_sweep", 120)]
# Processes `manage.py serve` starts besides web, workers and scheduler.
SERVE_EXTRA_PROCESSES = ["formaliza.evidence.serving.local_tsa"]


# --- telephony (the Telephony port: formaliza/telephony) ------------------------------------------
# TELEPHONY_ADAPTER=tel_link (default: no PBX, the operator dials a tel: link and types the
# outcome) or asterisk_ari (Asterisk REST Interface at ARI_URL with ARI_USERNAME/ARI_PASSWORD).
TELEPHONY_ADAPTER = os.environ.get("TELEPHONY_ADAPTER", "tel_link")
FAKE_ARI_URL = os.environ.get("FAKE_ARI_URL", "http://127.0.0.1:8027").rstrip("/")
ARI_URL = os.environ.get("ARI_URL", FAKE_ARI_URL).rstrip("/")
TELEPHONY = {
    "tel_link": {"adapter": "formaliza.telephony.adapters.tel_link.TelLinkTelephony"},
    "asterisk_ari": {
        "adapter": "formaliza.telephony.adapters.asterisk_ari.AsteriskAriTelephony",
        "options": {
            "url": ARI_URL,
            "username": os.environ.get("ARI_USERNAME", "formaliza"),
            "password": os.environ.get("ARI_PASSWORD", "formaliza"),
            "app": os.environ.get("ARI_APP", "formaliza"),
            "context": os.environ.get("ARI_CONTEXT", "from-internal"),
        },
    },
}[TELEPHONY_ADAPTER]
# `manage.py serve` starts the fake ARI (and the events listener) when ARI points at it.
FAKE_ARI_SERVE = env_bool(
    "FAKE_ARI_SERVE", TELEPHONY_ADAPTER == "asterisk_ari" and ARI_URL == FAKE_ARI_URL
)
SERVE_EXTRA_PROCESSES += ["formaliza.telephony.serving.fake_ari_process"]


# --- conversations (WhatsApp, SMS, e-mail) ----------------------------------------------------
# Adapter of each provider (dotted path of a class taking a ChannelConfig).
CONVERSATION_PROVIDERS = {
    "meta_cloud": "formaliza.conversations.adapters.meta_cloud.MetaCloudProvider",
    "zenvia": "formaliza.conversations.adapters.zenvia.ZenviaProvider",
    "email": "formaliza.conversations.adapters.email.EmailProvider",
    "fake": "formaliza.conversations.adapters.fake.FakeProvider",
    "twilio": "formaliza.conversations.adapters.twilio.TwilioProvider",
}
META_GRAPH_API_URL = os.environ.get("META_GRAPH_API_URL", "https://graph.facebook.com/v21.0")
ZENVIA_API_URL = os.environ.get("ZENVIA_API_URL", "https://api.zenvia.com/v2")
TWILIO_API_URL = os.environ.get("TWILIO_API_URL", "https://api.twilio.com/2010-04-01")
# The local fake provider (Meta Graph API + Zenvia wire formats) used by `fake` channels;
# `manage.py serve` starts it unless FAKE_PROVIDER_SERVE=false.
FAKE_PROVIDER_URL = os.environ.get("FAKE_PROVIDER_URL", "http://127.0.0.1:8025").rstrip("/")
FAKE_PROVIDER_SERVE = env_bool("FAKE_PROVIDER_SERVE", True)
SERVE_EXTRA_PROCESSES += ["formaliza.conversations.serving.fake_provider_process"]
# --- payments (Pix, credits) ------------------------------------------------------------------
# Adapter of each PixAccount.provider (a class taking the account; see docs/payments.md).
PAYMENT_PROVIDERS = {
    "pix_api": "formaliza.payments.adapters.pix_api.PixApiProvider",
    "static": "formaliza.payments.adapters.static.StaticBrCodeProvider",
}
# Tasks enqueued with a charge's id when it is paid (same transaction). Cases plug in here;
# payments never imports them.
PAYMENT_CONFIRMED_HANDLERS = env_list(
    "PAYMENT_CONFIRMED_HANDLERS",
    "formaliza.payments.tasks.credit_purchase_paid,formaliza.cases.tasks.case_charge_paid",
)
PAYMENT_HTTP_TIMEOUT_SECONDS = float(os.environ.get("PAYMENT_HTTP_TIMEOUT_SECONDS", "10"))
# mTLS to the PSP's Pix API: our client certificate (PEM) and key.
PAYMENT_PIX_CLIENT_CERT = os.environ.get("PAYMENT_PIX_CLIENT_CERT", "")
PAYMENT_PIX_CLIENT_KEY = os.environ.get("PAYMENT_PIX_CLIENT_KEY", "")
# mTLS of the PSP's webhook call, terminated at the proxy: the header in which the proxy passes
# its verdict ("SUCCESS"), e.g. "X-SSL-Client-Verify" (nginx $ssl_client_verify). "" = not checked.
PAYMENT_PIX_MTLS_HEADER = os.environ.get("PAYMENT_PIX_MTLS_HEADER", "")
PAYMENT_CREDIT_PRICE = os.environ.get("PAYMENT_CREDIT_PRICE", "120.00")
PAYMENT_CREDIT_MAX_PER_PURCHASE = int(os.environ.get("PAYMENT_CREDIT_MAX_PER_PURCHASE", "100"))
# The local fake PSP (Pix API wire format) of the demo; `manage.py serve` starts it.
FAKE_PIX_PSP_URL = os.environ.get("FAKE_PIX_PSP_URL", "http://127.0.0.1:8026").rstrip("/")
FAKE_PIX_PSP_SERVE = env_bool("FAKE_PIX_PSP_SERVE", True)
SERVE_EXTRA_PROCESSES += ["formaliza.payments.serving.fake_psp_process"]

# Tasks (dotted paths) enqueued with a new inbound message's id / an outbound message's id and
# its new status. The flow engine and the journeys plug in here; this app never imports them.
CONVERSATION_INBOUND_HANDLERS = env_list(
    "CONVERSATION_INBOUND_HANDLERS", "formaliza.flows.tasks.flow_inbound_message"
)
# Tasks told each time an outbound message's status advances (the contact base's AR digital
# puts a certified message's delivery, reading or failure on the contact's activity).
CONVERSATION_STATUS_HANDLERS = env_list(
    "CONVERSATION_STATUS_HANDLERS", "formaliza.acceptance.tasks.certified_status"
)
# The bot of the attendants' inbox (a conversations.ports.ConversationBot; "" for none).
CONVERSATION_BOT = os.environ.get(
    "CONVERSATION_BOT", "formaliza.flows.adapters.conversation_bot.FlowBot"
)
# Classifier of the flows' `intent` card (dotted path of a class; see formaliza/flows/intent.py).
FLOW_INTENT_CLASSIFIER = os.environ.get(
    "FLOW_INTENT_CLASSIFIER", "formaliza.flows.intent.KeywordClassifier"
)
CONVERSATION_HTTP_TIMEOUT_SECONDS = float(os.environ.get("CONVERSATION_HTTP_TIMEOUT_SECONDS", "10"))
CONVERSATION_MAX_ATTEMPTS = int(os.environ.get("CONVERSATION_MAX_ATTEMPTS", "8"))
CONVERSATION_BACKOFF_BASE_SECONDS = float(os.environ.get("CONVERSATION_BACKOFF_BASE_SECONDS", "5"))
CONVERSATION_BACKOFF_MAX_SECONDS = float(os.environ.get("CONVERSATION_BACKOFF_MAX_SECONDS", "900"))
# A send interrupted by a dead worker waits this long for the provider's receipt before it is
# failed as "dispatch_interrupted" (it is never sent again automatically).
CONVERSATION_UNCERTAIN_GRACE_SECONDS = int(
    os.environ.get("CONVERSATION_UNCERTAIN_GRACE_SECONDS", "300")
)
# Longest a worker sleeps for a throughput or pacing slot before rescheduling instead.
CONVERSATION_LIMITER_MAX_WAIT_SECONDS = 2.0
CONVERSATION_IDLE_CLOSE_HOURS = float(os.environ.get("CONVERSATION_IDLE_CLOSE_HOURS", "24"))
# Raw webhook bodies of processed events are deleted after this many days (failed ones stay).
CONVERSATION_RAW_EVENT_RETENTION_DAYS = int(
    os.environ.get("CONVERSATION_RAW_EVENT_RETENTION_DAYS", "30")
)
CONVERSATION_WEBHOOK_CHANNEL_CACHE_SECONDS = 30
CONVERSATION_EMAIL_MAX_BYTES = 20 * 1024 * 1024
CONVERSATION_EMAIL_MESSAGE_ID_DOMAIN = os.environ.get(
    "CONVERSATION_EMAIL_DOMAIN", "formaliza.local"
)

# --- history and message portal (issue 7) ---------------------------------------------------
# A history search covers at most this many days (the seed: "período de no máximo 30 dias").
HISTORY_MAX_PERIOD_DAYS = int(os.environ.get("HISTORY_MAX_PERIOD_DAYS", "30"))
HISTORY_PAGE_SIZE = int(os.environ.get("HISTORY_PAGE_SIZE", "50"))
# Exports up to this many rows download at once; larger ones run in the background.
HISTORY_EXPORT_SYNC_MAX_ROWS = int(os.environ.get("HISTORY_EXPORT_SYNC_MAX_ROWS", "2000"))
HISTORY_EXPORT_TTL_HOURS = float(os.environ.get("HISTORY_EXPORT_TTL_HOURS", "24"))
PERIODIC_TASKS += [("formaliza.history.tasks.history_exports_prune", 3600)]

# --- cases (claim agents: calculation, clients, documents, filing; docs/cases.md) ---------------
# The RevisionCalculator (formaliza/cases/calculation/ports.py) and the index table the demo and
# tests import when none is active (imported by `manage.py cases_index_import`).
CASE_REVISION_CALCULATOR = os.environ.get(
    "CASE_REVISION_CALCULATOR", "formaliza.cases.calculation.inss.InssRevisionCalculator"
)
CASE_DEMO_INDEX_TABLE = BASE_DIR / "formaliza/cases/data/indices/sintetica-demo-2026.1.json"
# Documents: largest file; PDFs up to this many pages (photos go through the journey's checks).
CASE_DOCUMENT_MAX_BYTES = int(os.environ.get("CASE_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
CASE_DOCUMENT_MAX_PDF_PAGES = int(os.environ.get("CASE_DOCUMENT_MAX_PDF_PAGES", "30"))
# The link sent to a client to see and resend documents; the code to join a record by e-mail.
CASE_CLIENT_LINK_TTL_DAYS = float(os.environ.get("CASE_CLIENT_LINK_TTL_DAYS", "30"))
CASE_EMAIL_CODE_TTL_MINUTES = int(os.environ.get("CASE_EMAIL_CODE_TTL_MINUTES", "30"))
# The tenant's approved WhatsApp templates for messages outside the 24-hour window.
CASE_DOCUMENT_REJECTED_TEMPLATE = os.environ.get(
    "CASE_DOCUMENT_REJECTED_TEMPLATE", "caso_documento_rejeitado"
)
CASE_PROTOCOL_TEMPLATE = os.environ.get("CASE_PROTOCOL_TEMPLATE", "caso_protocolado")
CASE_PAID_TEMPLATE = os.environ.get("CASE_PAID_TEMPLATE", "caso_pago")
# Price of a case paid by the client through Pix ("cobrança direta ao cliente").
CASE_PRICE = os.environ.get("CASE_PRICE", "150.00")

# --- logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"

# --- back-office navigation ------------------------------------------------------------------
# The menu, by area, in order: a list of groups `(area label, [entries])`; an entry is
# `(label, url name, permission or None)`. A user sees the entries their role's permissions
# allow (formaliza/accounts/roles.py) and a group only when one of its entries is visible; the
# entry whose URL holds the current page is marked (aria-current). A new app's entry goes into
# the group of its area (or a new group, placed where its users look for it). An entry left at
# the top level, outside any group, is shown in a last group, "Outros", until it is placed.
NAVIGATION = [
    ("Formalização", [
        ("Esteira", "proposals:pipeline", "proposal.view"),
        ("Nova proposta", "proposals:new", "proposal.create"),
        ("Formalizações", "proposals:formalizations", "proposal.view"),
        ("Jornadas", "journeys:list", "journey.view"),
        ("Pendências", "journeys:issues", "journey.view"),
        ("Conferência facial", "journeys:face_queue", "journey.images"),
        ("Documentos selados", "evidence:documents", "evidence.view"),
    ]),
    ("Atendimento", [
        ("Caixa de atendimento", "inbox:home", "conversation.reply"),
        ("Conversas", "conversations:list", "conversation.view"),
        ("Simulador", "conversations:simulator", "conversation.simulate"),
    ]),
    ("Histórico e envio", [
        ("Histórico", "history:search", "history.view"),
        ("Portal de Envio", "history:portal", "portal.send"),
        ("Status de finalização", "history:labels", "history.labels"),
    ]),
    ("Contatos", [
        ("Base de contatos", "contacts:search", "contact.view"),
    ]),
    ("Triagem", [
        ("Conferência geral", "triage:overview", "triage.view"),
        ("Importar pedidos", "triage:import", "triage.manage"),
        ("Modelos da triagem", "triage:templates", "triage.manage"),
    ]),
    ("Casos", [
        ("Meus casos", "cases:list", "case.view"),
        ("Meus clientes", "cases:clients", "case.view"),
        ("Novo cálculo", "cases:calculate", "case.work"),
        ("Meu link de cadastro", "cases:agent_link", "case.work"),
        ("Meus créditos", "cases:credits", "case.work"),
        ("Atermações", "cases:filing_queue", "case.filing"),
        ("Cobranças com divergência", "cases:charges", "case.filing"),
        ("Documentos de casos", "cases:document_types", "case.settings"),
    ]),
    ("Fluxos", [
        ("Fluxos", "flows:list", "flow.view"),
        ("Configurações dos fluxos", "flows_system:index", "template.manage"),
    ]),
    ("Configuração", [
        ("Canais", "conversations:channels", "channel.manage"),
        ("Modelos de mensagem", "conversations:templates_all", "template.manage"),
        ("Termos e contratos", "journeys:content", "journey.content"),
        ("Webhooks", "webhooks:deliveries", "webhook.view"),
        ("Chaves de API", "accounts:api_keys", "apikey.manage"),
        ("Usuários", "accounts:users", "user.manage"),
    ]),
]  # fmt: skip

# --- contact base, digital acceptance, certified delivery, archive (issue 14) ---------------
CONTACT_SEARCH_PAGE_SIZE = int(os.environ.get("CONTACT_SEARCH_PAGE_SIZE", "20"))
# "Nº do documento": functions (tenant=, number=) -> contact ids, from the apps that number
# documents (contacts cannot import them).
CONTACT_DOCUMENT_NUMBER_FINDERS = ["formaliza.acceptance.selectors.contact_ids_by_document_number"]
# A kit's documents: PDFs only, at most this many and this size each.
ACCEPTANCE_MAX_DOCUMENTS = int(os.environ.get("ACCEPTANCE_MAX_DOCUMENTS", "10"))
ACCEPTANCE_MAX_FILE_BYTES = int(os.environ.get("ACCEPTANCE_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
ACCEPTANCE_MAX_DEADLINE_DAYS = int(os.environ.get("ACCEPTANCE_MAX_DEADLINE_DAYS", "90"))
ACCEPTANCE_ARCHIVE_AFTER_DAYS = int(os.environ.get("ACCEPTANCE_ARCHIVE_AFTER_DAYS", "365"))
PERIODIC_TASKS += [
    ("formaliza.acceptance.tasks.kits_expire_sweep", 300),
    ("formaliza.acceptance.tasks.documents_archive_sweep", 3600),
]
ACCEPTANCE_UNARCHIVED_KEEP_DAYS = int(os.environ.get("ACCEPTANCE_UNARCHIVED_KEEP_DAYS", "30"))

# --- triage of digital-certificate orders (issue 16, docs/triage.md) -------------------------
# The daily follow-up: an order whose client did not answer comes back at this local hour.
TRIAGE_FOLLOW_UP_HOUR = int(os.environ.get("TRIAGE_FOLLOW_UP_HOUR", "8"))
# The operators' PBX extensions for triage calls (asterisk_ari): {"email": "1001", ...} as
# JSON; the default for everyone else. The tel_link adapter ignores them.
TRIAGE_EXTENSIONS = json.loads(os.environ.get("TRIAGE_EXTENSIONS", "{}"))
TRIAGE_DEFAULT_EXTENSION = os.environ.get("TRIAGE_DEFAULT_EXTENSION", "1001")
# The links the triage messages carry ({pedido}: the order's external id, {id}: ours): the
# tenant's scheduling page and the documents page.
# Empty: the built-in slots' signed link (/t/agendar/<token>/).
TRIAGE_SCHEDULING_URL = os.environ.get("TRIAGE_SCHEDULING_URL", "")
TRIAGE_BOOKING_LINK_DAYS = int(os.environ.get("TRIAGE_BOOKING_LINK_DAYS", "30"))
TRIAGE_DOCUMENTS_URL = os.environ.get(
    "TRIAGE_DOCUMENTS_URL", "https://agenda.example.com/documentos?pedido={pedido}"
)
# The scheduler's rules (formaliza/triage/services/rules.py), every minute.
TRIAGE_ESCALATE_AFTER_MINUTES = int(os.environ.get("TRIAGE_ESCALATE_AFTER_MINUTES", "30"))
TRIAGE_SAME_DAY_CALL_HOUR = int(os.environ.get("TRIAGE_SAME_DAY_CALL_HOUR", "17"))
PERIODIC_TASKS += [("formaliza.triage.tasks.triage_rules_run", 60)]
