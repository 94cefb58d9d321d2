"""`check-config` accepts a good configuration and names the key of a bad one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def _check(config: Path | None, **env: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "bot"]
    if config is not None:
        args += ["--config", str(config)]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MINEGNK_")}
    return subprocess.run(
        [*args, "check-config"], env={**clean, **env}, capture_output=True, text=True, timeout=30, cwd=REPO
    )


def test_the_shipped_config_toml_is_valid() -> None:
    result = _check(REPO / "config.toml")
    assert result.returncode == 0, result.stderr


def test_a_bad_value_in_the_file_is_rejected_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[trackers]\npoll_interval_s = 'soon'\n")
    result = _check(bad)
    assert result.returncode == 2
    assert "trackers.poll_interval_s" in result.stderr


def test_an_unknown_key_is_rejected_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[telegram]\ntokn = '1:x'\n")
    result = _check(bad)
    assert result.returncode == 2
    assert "telegram.tokn" in result.stderr


def test_a_bad_env_value_is_rejected_naming_the_key() -> None:
    result = _check(REPO / "config.toml", MINEGNK_HTTP__PORT="eighty")
    assert result.returncode == 2
    assert "http.port" in result.stderr and "MINEGNK_HTTP__PORT" in result.stderr


def test_a_toml_syntax_error_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[database\nurl=")
    result = _check(bad)
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    result = _check(tmp_path / "nope.toml")
    assert result.returncode == 2
    assert "not found" in result.stderr


def test_env_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[trackers]\npoll_interval_s = 30\n")
    monkeypatch.setenv("MINEGNK_TRACKERS__POLL_INTERVAL_S", "90")
    assert load_config(path).trackers.poll_interval_s == 90


def test_gonka_base_urls_list_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("allow_insecure_urls = true\n")
    monkeypatch.setenv(
        "MINEGNK_TRACKERS__GONKA_API__BASE_URLS", '["http://127.0.0.1:1", "http://127.0.0.1:2"]'
    )
    urls = load_config(path).trackers.gonka_api.base_urls
    assert [str(u) for u in urls] == ["http://127.0.0.1:1/", "http://127.0.0.1:2/"]


def test_secrets_are_masked_in_reprs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("")
    monkeypatch.setenv("MINEGNK_TELEGRAM__TOKEN", "123456:SECRETSECRETSECRET")
    cfg = load_config(path)
    assert "SECRETSECRET" not in repr(cfg) and "SECRETSECRET" not in str(cfg.model_dump())


def test_webhook_mode_requires_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[telegram]\ntoken='1:abc'\nmode='webhook'\nwebhook_url='https://bot.example.com/tg'\n")
    with pytest.raises(ConfigError, match="webhook_secret"):
        load_config(path)


def test_the_shipped_config_binds_http_to_loopback() -> None:
    import tomllib

    shipped = tomllib.loads((REPO / "config.toml").read_text())
    assert shipped["http"]["host"] == "127.0.0.1"
    assert shipped["allow_insecure_urls"] is False


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"MINEGNK_TELEGRAM__API_BASE": "http://127.0.0.1:8081"}, "telegram.api_base"),
        ({"MINEGNK_DISCORD__API_BASE": "http://discord.example/api/v10"}, "discord.api_base"),
        ({"MINEGNK_DISCORD__GATEWAY_URL": "ws://gateway.example"}, "discord.gateway_url"),
        (
            {"MINEGNK_TRACKERS__HYPERFUSION__BASE_URL": "http://tracker.example"},
            "trackers.hyperfusion.base_url",
        ),
        (
            {"MINEGNK_TRACKERS__GONKA_API__BASE_URLS": '["http://node1.gonka.ai:8000"]'},
            "gonka_api.base_urls[0]",
        ),
    ],
)
def test_plain_http_urls_are_refused_unless_allowed(env: dict[str, str], key: str) -> None:
    refused = _check(REPO / "config.toml", **env)
    assert refused.returncode == 2
    assert key in refused.stderr and "allow_insecure_urls" in refused.stderr
    assert "Traceback" not in refused.stderr
    allowed = _check(REPO / "config.toml", MINEGNK_ALLOW_INSECURE_URLS="true", **env)
    assert allowed.returncode == 0, allowed.stderr


def test_the_test_and_bench_configs_load() -> None:
    """The tests' config allows the loopback fakes; every default is https."""
    assert load_config(REPO / "tests" / "empty_config.toml").allow_insecure_urls is True
    defaults = Config()
    assert all(str(url).startswith(("https://", "wss://")) for _, url in defaults.external_urls() if url)
