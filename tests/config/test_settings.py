"""Settings as the environment drives them, read by fresh processes so nothing leaks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from accounts.models import Commune

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "x7!k2-production-secret-" + "q" * 40,
    "DJANGO_ALLOWED_HOSTS": "hocso.tuyenquang.gov.vn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://hocso.tuyenquang.gov.vn",
    "DJANGO_HTTPS": "1",
    "DATABASE_URL": "postgres://hocso:secret@127.0.0.1:5432/hocso",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
BARE = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
# A key of its own for a site started the way an operator would, without production's rest.
KEY = {"DJANGO_SECRET_KEY": "test-settings-" + "k" * 40}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**BARE, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(env: dict, expression: str):
    code = f"import json; from django.conf import settings as s; print(json.dumps({expression}))"
    result = run(["shell", "-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_variables():
    result = run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_them():
    result = run(["check", "--deploy", "--fail-level", "WARNING"], KEY)
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


def test_debug_is_off_unless_asked_for():
    assert settings_of(KEY, "s.DEBUG") is False
    assert settings_of({**KEY, "DJANGO_DEBUG": "1"}, "s.DEBUG") is True


@pytest.mark.parametrize("debug", [{}, {"DJANGO_DEBUG": "0"}], ids=["unset", "zero"])
def test_site_without_a_secret_key_refuses_to_start_when_debug_is_off(debug):
    """The public development key would let anyone forge live-game tokens and reset links."""
    result = run(
        ["shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"], debug
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
    assert "django-insecure" not in result.stdout


def test_development_site_without_a_key_starts_on_the_development_key():
    key = settings_of({"DJANGO_DEBUG": "1"}, "s.SECRET_KEY")
    assert key.startswith("django-insecure-")


def test_an_empty_secret_key_counts_as_none():
    result = run(["check"], {"DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_the_key_from_the_environment_is_used():
    assert settings_of(KEY, "s.SECRET_KEY") == KEY["DJANGO_SECRET_KEY"]


def test_embedded_default_is_sqlite_in_wal_mode_and_in_memory_layer(tmp_path):
    env = {**KEY, "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = run(["shell", "-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"
    backend = settings_of(env, "s.CHANNEL_LAYERS['default']['BACKEND']")
    assert backend == "channels.layers.InMemoryChannelLayer"


def test_production_variables_select_postgresql_and_redis_with_a_bounded_pool():
    config = settings_of(
        PRODUCTION,
        "[s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "{k: v for k, v in s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0].items() "
        "if k != 'retry_on_error'}, "
        "s.CACHES['default']['BACKEND'], s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ, "
        "s.DATABASES['default']['OPTIONS']]",
    )
    engine, layer, host, cache_backend, language, zone, use_tz, options = config
    assert engine == "django.db.backends.postgresql"
    assert options == {"server_side_binding": True, "prepare_threshold": 5}
    assert layer.startswith("channels_redis.")
    assert host["max_connections"] == 1000
    assert (host["socket_connect_timeout"], host["socket_timeout"]) == (2, 5)  # fail fast
    assert cache_backend == "config.cache.SharedRedisCache"
    assert (language, zone, use_tz) == ("vi", "Asia/Ho_Chi_Minh", True)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="prepared statements are PostgreSQL's; the suite's second pass runs on it",
)
@pytest.mark.django_db
def test_postgresql_plans_a_query_once_per_connection():
    """A query run again and again (a submission, an answer) is prepared on the server."""
    for n in range(6):
        list(Commune.objects.filter(code=f"{n:05}").values_list("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("accounts_commune" in statement for statement in prepared), prepared


def test_the_configured_channel_layer_carries_a_message():
    """In-memory by default; the real Redis layer when the suite runs with REDIS_URL."""
    layer = get_channel_layer()

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "ping", "text": "Xin chào"})
        return await layer.receive(channel)

    assert async_to_sync(round_trip)() == {"type": "ping", "text": "Xin chào"}


@pytest.mark.parametrize("value", ["Tuyên Quang", 124, {"xã": 117, "phường": 7}])
def test_the_configured_cache_keeps_a_value(value):
    cache.set("hocso-test-key", value, 30)
    assert cache.get("hocso-test-key") == value


def test_behind_nginx_the_rate_limits_see_the_phones_address_not_nginxs():
    assert settings_of(PRODUCTION, "s.ALLAUTH_TRUSTED_PROXY_COUNT") == 1
    assert settings_of(KEY, "s.ALLAUTH_TRUSTED_PROXY_COUNT") == 0  # reached directly
    assert (
        settings_of({**KEY, "DJANGO_TRUSTED_PROXY_COUNT": "2"}, "s.ALLAUTH_TRUSTED_PROXY_COUNT")
        == 2
    )
