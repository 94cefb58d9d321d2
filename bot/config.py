"""Configuration: pydantic v2 models read from ``config.toml`` plus ``MINEGNK_<SECTION>__<KEY>`` env vars.

Nothing here runs at import time; :func:`load_config` is called by the composition root or the CLI.
Secrets are :class:`~pydantic.SecretStr` so they never appear in reprs or logs.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.domain.numbers import parse_uint
from bot.errors import ConfigError

ENV_PREFIX = "MINEGNK_"
DEFAULT_CONFIG_PATH = Path("config.toml")

PositiveSeconds = Annotated[float, Field(gt=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    #: ``postgresql://user:pass@host:port/db``; when empty an embedded server in ``embedded_dir`` is used.
    url: SecretStr | None = None
    embedded_dir: Path = Path("var/pgdata")
    pool_min_size: int = Field(default=2, ge=1)
    pool_max_size: int = Field(default=10, ge=1)
    command_timeout_s: PositiveSeconds = 10.0
    migrate_on_start: bool = True
    migrate_lock_timeout_s: PositiveSeconds = 120.0

    @field_validator("url", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        return None if v in ("", None) else v

    @field_validator("url")
    @classmethod
    def _postgres_scheme(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql:// or postgres://")
        return v

    @model_validator(mode="after")
    def _pool_bounds(self) -> DatabaseConfig:
        if self.pool_min_size > self.pool_max_size:
            raise ValueError("pool_min_size must not exceed pool_max_size")
        return self


class TelegramConfig(_Section):
    token: SecretStr | None = None
    api_base: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    mode: Literal["polling", "webhook"] = "polling"
    #: public URL Telegram posts updates to (webhook mode), e.g. https://bot.example.com/telegram/webhook
    webhook_url: AnyHttpUrl | None = None
    webhook_path: str = "/telegram/webhook"
    webhook_secret: SecretStr | None = None
    request_timeout_s: PositiveSeconds = 20.0
    #: platform user ids that are admins even without a portal admin account
    admin_ids: tuple[int, ...] = ()
    #: overall outgoing messages per second of the bot, all replicas together (no one-second window
    #: holds more); Telegram allows about 30. Alert delivery leaves one slot of each second to replies.
    global_rate_per_s: float = Field(default=30.0, gt=0, le=30)
    #: replicas on one token share the send budget through PostgreSQL (``telegram_send_budget``);
    #: false: each process keeps its own (one replica only)
    shared_send_budget: bool = True
    #: while more than one replica sends, the shared window is this much longer than a second: their
    #: sends reach Telegram with different delays, and the margin keeps the interleaving under the rate
    replica_window_margin_s: float = Field(default=0.1, ge=0, le=1)
    per_chat_rate_per_s: float = Field(default=1.0, gt=0)
    per_group_rate_per_min: float = Field(default=20.0, gt=0)

    @field_validator("token", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        return None if v in ("", None) else v

    @field_validator("token")
    @classmethod
    def _token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None:
            head, _, tail = v.get_secret_value().partition(":")
            if parse_uint(head) is None or not tail:
                raise ValueError("must look like 123456:ABC... (the token BotFather gives)")
        return v

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramConfig:
        if self.mode == "webhook" and self.token is not None:
            if self.webhook_url is None:
                raise ValueError("webhook mode needs telegram.webhook_url")
            if self.webhook_secret is None:
                raise ValueError("webhook mode needs telegram.webhook_secret")
        return self


class DiscordConfig(_Section):
    token: SecretStr | None = None
    api_base: AnyHttpUrl = AnyHttpUrl("https://discord.com/api/v10")
    #: gateway websocket URL; when unset it is read from ``GET {api_base}/gateway/bot``
    gateway_url: str | None = None
    #: sync slash commands to this guild (instant) instead of globally
    guild_id: int | None = None
    admin_ids: tuple[int, ...] = ()
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: tuple[int, ...] | None = None
    request_timeout_s: PositiveSeconds = 20.0
    #: answer an interaction directly when the service is done this fast, else defer (Discord allows 3 s)
    ack_budget_s: float = Field(default=2.0, gt=0, le=2.5)
    #: how long to wait for the GUILD_CREATEs after READY before the client counts as ready
    guild_ready_timeout_s: float = Field(default=2.0, ge=0)

    @field_validator("token", "gateway_url", "guild_id", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        return None if v in ("", None) else v

    @field_validator("gateway_url")
    @classmethod
    def _ws_scheme(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return v

    @model_validator(mode="after")
    def _shards(self) -> DiscordConfig:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_ids needs shard_count (the total number of shards)")
            if not self.shard_ids or any(not 0 <= i < self.shard_count for i in self.shard_ids):
                raise ValueError("shard_ids must be a non-empty list of ids from 0 to shard_count - 1")
        return self


class HyperfusionConfig(_Section):
    enabled: bool = True
    base_url: AnyHttpUrl = AnyHttpUrl("https://tracker.gonka.hyperfusion.io")


class GonkaApiConfig(_Section):
    enabled: bool = True
    #: node1/node2 also serve plain http on :8000; https on :8443 (trackers README, "Base URLs")
    base_urls: tuple[AnyHttpUrl, ...] = (
        AnyHttpUrl("https://node1.gonka.ai:8443"),
        AnyHttpUrl("https://node2.gonka.ai:8443"),
        AnyHttpUrl("https://node3.gonka.ai"),
        AnyHttpUrl("https://node4.gonka.ai"),
    )
    #: whether the chain REST (/chain-api) is reachable on these nodes (hosts disable it by default)
    chain_api: bool = True

    @field_validator("base_urls")
    @classmethod
    def _not_empty(cls, v: tuple[AnyHttpUrl, ...]) -> tuple[AnyHttpUrl, ...]:
        if not v:
            raise ValueError("needs at least one base URL")
        return v


class HashiroConfig(_Section):
    #: Hashiro publishes no API; the adapter refuses to start when enabled without a base_url.
    enabled: bool = False
    base_url: AnyHttpUrl | None = None


class ProbesConfig(_Section):
    """Per-host probes (``/v1/versions``, ``/v1/mlnodes/metrics`` at each host's ``inference_url``) and
    the chain look-ups behind the collateral and model-participation conditions (docs/trackers.md)."""

    enabled: bool = True
    #: host requests per poll cycle at most (each host is asked at most once a cycle)
    host_requests_per_cycle: int = Field(default=30, ge=0, le=500)
    #: per-participant chain look-ups (collateral, PoC delegation) per cycle at most
    chain_lookups_per_cycle: int = Field(default=10, ge=0, le=500)
    concurrency: int = Field(default=5, ge=1, le=50)
    timeout_s: PositiveSeconds = 5.0
    #: a host's versions and metrics are asked again after these (hosts cache them 5 min and 10 s)
    versions_interval_s: float = Field(default=3600.0, ge=60)
    metrics_interval_s: float = Field(default=300.0, ge=30)
    #: a participant's collateral and delegations are read again after this (and at each new epoch)
    chain_interval_s: float = Field(default=3600.0, ge=60)
    #: a host answering 404, 429 or failing waits base × 2^(n−1) after its n-th failure in a row, at most max
    backoff_base_s: float = Field(default=600.0, ge=1)
    backoff_max_s: float = Field(default=86400.0, ge=1)
    #: probe the versions of every host of the network, not only watched ones (the majority needs them)
    network_versions: bool = True
    #: the version majority needs hosts carrying at least this share of the network's weight to answer
    min_majority_coverage: float = Field(default=0.5, gt=0, le=1)
    #: model participation: warn this many epochs before a model's penalty starts
    model_penalty_warn_epochs: int = Field(default=2, ge=0, le=100)
    #: collateral: warn when it exceeds what the weight requires by less than this share
    collateral_warn_margin: Decimal = Field(default=Decimal("0.1"), ge=0, le=10)
    #: probe hosts whose inference_url is loopback or private (only for tests and local networks)
    allow_private_hosts: bool = False
    #: /node reads a node's probe findings as unknown when the probe step last ran longer ago than this
    findings_max_age_s: float = Field(default=900.0, ge=60)


class TrackersConfig(_Section):
    poll_interval_s: float = Field(default=60.0, ge=5)
    request_timeout_s: PositiveSeconds = 10.0
    retries: int = Field(default=3, ge=0, le=10)
    backoff_base_s: PositiveSeconds = 0.5
    backoff_max_s: PositiveSeconds = 10.0
    user_agent: str = "minegnk-bot/0.1 (+https://minegnk.com; node monitoring)"
    #: sources in merge priority order (first wins where both say something)
    priority: tuple[Literal["hyperfusion", "gonka_api", "hashiro"], ...] = ("hyperfusion", "gonka_api")
    #: cycles a source may fail before admins get one "monitoring degraded" alert
    degraded_after_failures: int = Field(default=3, ge=1)
    hyperfusion: HyperfusionConfig = HyperfusionConfig()
    gonka_api: GonkaApiConfig = GonkaApiConfig()
    hashiro: HashiroConfig = HashiroConfig()
    probes: ProbesConfig = ProbesConfig()
    #: UI link for alerts; {address} and {epoch} are substituted
    tracker_link: str = "https://tracker.gonka.hyperfusion.io/?participant={address}"
    #: status thresholds (docs/architecture.md, "Node status"): above these rates a node is unhealthy
    missed_rate_threshold: float = Field(default=0.10, ge=0, le=1)
    invalidation_rate_threshold: float = Field(default=0.10, ge=0, le=1)
    #: a confirmation PoC ratio at or below this is unhealthy (it forfeits the epoch reward); the chain's
    #: ``confirmation_poc_params.alpha_threshold`` replaces it whenever the chain can be read
    confirmation_ratio_threshold: float = Field(default=0.5, ge=0, le=1)
    #: fallbacks for the chain's SPRT thresholds (``validation_params.invalidation_h_threshold`` /
    #: ``downtime_h_threshold``, the epoch's frozen values first), used and logged only when the chain
    #: cannot be read; defaults are the live values of 2026-09 (after proposal 96)
    invalidation_llr_threshold: Decimal = Field(default=Decimal(40), gt=0)
    inactive_llr_threshold: Decimal = Field(default=Decimal(10**9), gt=0)
    #: consecutive failed health probes after which the endpoint counts as unreachable (offline)
    offline_after_health_failures: int = Field(default=3, ge=1)
    #: settled income comes from one bulk summary per settled epoch; these per-node look-ups (one per
    #: node per epoch, never more) are only the fallback when the bulk call fails; 0 disables earnings
    income_lookups_per_cycle: int = Field(default=20, ge=0, le=1000)
    #: settled epochs missed while the bot was down that are fetched back (one summary each)
    income_backfill_epochs: int = Field(default=30, ge=0, le=400)
    #: bulk summaries one cycle may request (backfill spreads over cycles)
    income_summaries_per_cycle: int = Field(default=3, ge=1, le=50)
    #: the chain's reward estimate of the current epoch: look-ups per cycle (once per node per epoch)
    estimate_lookups_per_cycle: int = Field(default=20, ge=0, le=1000)
    #: PostgreSQL advisory lock key: only the replica holding it polls
    poll_lock_key: int = 0x6D696E65676E6B


class AlertsConfig(_Section):
    #: consecutive polls before a condition is confirmed, by condition name (bot/domain/conditions.py
    #: holds each one's default; names that are no condition are refused when the engine is built)
    confirm_polls: dict[str, int] = Field(default_factory=dict)
    #: the early warning fires when ``invalidLLR`` or ``inactiveLLR`` passes this share of the epoch's
    #: threshold
    llr_warning_share: Decimal = Field(default=Decimal("0.6"), gt=0, le=1)
    #: one cause hitting at least this many watched nodes in one cycle is one incident (one message per
    #: recipient naming it, one summary to admins)
    incident_min_nodes: int = Field(default=10, ge=2)
    #: ... or hitting more than this share of the network's weight (with at least two nodes)
    incident_weight_share: Decimal = Field(default=Decimal("0.1"), gt=0, le=1)
    recovery_polls: int = Field(default=2, ge=1)
    reminder_interval_s: float = Field(default=6 * 3600, ge=60)
    reminder_max: int = Field(default=3, ge=0)
    #: chat/channel ids that receive every alert (besides routes set with /alerts_here)
    admin_telegram_chat_ids: tuple[int, ...] = ()
    admin_discord_channel_ids: tuple[int, ...] = ()
    send_startup_message: bool = True
    outbox_batch_size: int = Field(default=50, ge=1)
    outbox_max_attempts: int = Field(default=12, ge=1)
    #: a worker's claim on a row lasts this long (renewed while sending); a crashed worker's rows
    #: are claimed again after it
    outbox_lease_s: float = Field(default=60.0, ge=5)
    #: how often idle workers look for due rows besides the LISTEN wake-up
    outbox_poll_interval_s: PositiveSeconds = 1.0
    #: network errors and 5xx: retry after base * 2^(attempt-1), at most max (with jitter)
    retry_backoff_base_s: PositiveSeconds = 2.0
    retry_backoff_max_s: PositiveSeconds = 300.0
    #: on SIGTERM, in-flight sends get this long to finish before being returned to the outbox
    shutdown_grace_s: float = Field(default=5.0, ge=0)

    @field_validator("confirm_polls")
    @classmethod
    def _positive(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if n < 1:
                raise ValueError(f"{k} must be at least 1")
        return v


class HttpConfig(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class ComponentsConfig(_Section):
    """Supervision of the running parts (see :mod:`bot.supervisor`)."""

    #: a failed component is started again after base * 2^(failures-1) seconds, at most max (+-20 %)
    restart_backoff_base_s: PositiveSeconds = 1.0
    restart_backoff_max_s: PositiveSeconds = 300.0
    #: a component up this long counts as recovered (its backoff starts over; "back" alert)
    healthy_after_s: float = Field(default=60.0, ge=0)
    #: admins are alerted when a component stays down this long
    alert_after_s: float = Field(default=300.0, ge=0)
    check_interval_s: PositiveSeconds = 5.0


class RetentionConfig(_Section):
    """How long finished rows are kept (see :mod:`bot.pruner`); undelivered notifications never go."""

    #: delivered, failed or suppressed notifications (the outbox)
    notifications_days: float = Field(default=30, gt=0)
    #: link attempts (the brute-force limits look back minutes, not days)
    login_records_days: float = Field(default=90, gt=0)
    #: link codes once used or expired
    link_codes_days: float = Field(default=1, gt=0)
    admin_audit_days: float = Field(default=365, gt=0)
    #: rows per DELETE statement
    batch_size: int = Field(default=1000, ge=1, le=100_000)
    #: seconds between pruning rounds (one replica prunes: an advisory lock)
    interval_s: float = Field(default=3600, ge=1)
    enabled: bool = True
    lock_key: int = 0x6D676E6B7072756E


class DigestConfig(_Section):
    """The daily digest (:mod:`bot.digest`): each user's summary at their chosen local time."""

    #: seconds between two looks for due digests
    interval_s: float = Field(default=60, ge=1)
    #: a digest more than this late (the bot was down at its hour) is skipped that day, not sent late
    max_delay_minutes: float = Field(default=30, gt=0)
    #: the safe upgrade window shown: this many blocks before the next PoC (operators' guidance: the
    #: few hundred blocks before PoC, outside any confirmation PoC)
    upgrade_window_blocks: int = Field(default=300, ge=1)
    enabled: bool = True
    lock_key: int = 0x6D676E6B64696765


class LoggingConfig(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class PricesConfig(_Section):
    #: none: GNK only; static: the table below; http: a JSON endpoint returning {"USD": 1.23, ...}
    source: Literal["none", "static", "http"] = "none"
    static: dict[str, float] = Field(default_factory=dict)
    http_url: AnyHttpUrl | None = None
    cache_ttl_s: PositiveSeconds = 300.0
    #: total time allowed for one price request (the earnings answer waits at most this long)
    request_timeout_s: PositiveSeconds = 5.0

    @model_validator(mode="after")
    def _source_needs_data(self) -> PricesConfig:
        if self.source == "http" and self.http_url is None:
            raise ValueError("prices.source = 'http' needs prices.http_url")
        if self.source == "static" and not self.static:
            raise ValueError("prices.source = 'static' needs a [prices.static] table")
        return self


class AccountsConfig(_Section):
    link_code_ttl_s: float = Field(default=15 * 60, ge=60)
    max_failures: int = Field(default=5, ge=1)
    failure_window_s: float = Field(default=15 * 60, ge=60)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)


class LimitsConfig(_Section):
    """What one person may ask of the bot, and how much the bot handles at once."""

    #: commands, button presses and form answers per platform identity: a burst of ``actions_burst``,
    #: then ``actions_per_min`` a minute; the excess is dropped
    actions_per_min: float = Field(default=60.0, gt=0)
    actions_burst: int = Field(default=20, ge=1)
    #: a person over the limit is told to slow down at most this often (the rest: no answer)
    slow_down_notice_s: float = Field(default=60.0, gt=0)
    #: support requests one account may send in an hour
    requests_per_hour: int = Field(default=20, ge=1)
    #: Telegram updates / Discord interactions handled at once per process (the others wait)
    max_concurrent_updates: int = Field(default=32, ge=1)
    #: identities whose limits are remembered (the least recently seen are forgotten first)
    max_tracked_identities: int = Field(default=100_000, ge=100)


class Config(BaseSettings):
    """The whole configuration. Build it with :func:`load_config`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        toml_file=None,
    )

    #: allow http:// and ws:// platform, tracker and price URLs (local test servers); off by default
    allow_insecure_urls: bool = False
    database: DatabaseConfig = DatabaseConfig()
    telegram: TelegramConfig = TelegramConfig()
    discord: DiscordConfig = DiscordConfig()
    trackers: TrackersConfig = TrackersConfig()
    alerts: AlertsConfig = AlertsConfig()
    http: HttpConfig = HttpConfig()
    components: ComponentsConfig = ComponentsConfig()
    retention: RetentionConfig = RetentionConfig()
    digest: DigestConfig = DigestConfig()
    logging: LoggingConfig = LoggingConfig()
    prices: PricesConfig = PricesConfig()
    accounts: AccountsConfig = AccountsConfig()
    limits: LimitsConfig = LimitsConfig()

    @model_validator(mode="after")
    def _secure_urls(self) -> Config:
        if self.allow_insecure_urls:
            return self
        insecure = [
            f"{key} = {url}"
            for key, url in self.external_urls()
            if url is not None and str(url).lower().startswith(("http://", "ws://"))
        ]
        if insecure:
            raise ValueError(
                "must be https:// (wss:// for the gateway): "
                + ", ".join(insecure)
                + "; set allow_insecure_urls = true (env MINEGNK_ALLOW_INSECURE_URLS=true) to allow "
                "plain http, e.g. for a local test server"
            )
        return self

    def external_urls(self) -> list[tuple[str, object]]:
        """Every platform, tracker and price endpoint, by its config key."""
        urls: list[tuple[str, object]] = [
            ("telegram.api_base", self.telegram.api_base),
            ("telegram.webhook_url", self.telegram.webhook_url),
            ("discord.api_base", self.discord.api_base),
            ("discord.gateway_url", self.discord.gateway_url),
            ("trackers.hyperfusion.base_url", self.trackers.hyperfusion.base_url),
            ("trackers.hashiro.base_url", self.trackers.hashiro.base_url),
            ("prices.http_url", self.prices.http_url),
        ]
        urls += [
            (f"trackers.gonka_api.base_urls[{i}]", u) for i, u in enumerate(self.trackers.gonka_api.base_urls)
        ]
        return urls

    @model_validator(mode="after")
    def _webhook_needs_http(self) -> Config:
        if self.telegram.token is not None and self.telegram.mode == "webhook" and not self.http.enabled:
            raise ValueError("telegram.mode = 'webhook' needs the HTTP server (http.enabled = true)")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = _TOML_PATH.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)


class _PathHolder:
    """Hands the TOML path to ``settings_customise_sources`` (a classmethod pydantic calls)."""

    def __init__(self) -> None:
        self._path: Path | None = None

    def get(self) -> Path | None:
        return self._path

    def set(self, path: Path | None) -> None:
        self._path = path


_TOML_PATH = _PathHolder()


def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """``--config`` wins, then ``MINEGNK_CONFIG``, then ``./config.toml`` when it exists."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MINEGNK_CONFIG")
    if env:
        return Path(env)
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def load_config(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Config:
    """Load and validate the configuration; raise :class:`ConfigError` naming the offending key."""
    toml_path = resolve_config_path(path)
    if toml_path is not None and not toml_path.is_file():
        raise ConfigError(f"config file not found: {toml_path}")
    _TOML_PATH.set(toml_path)
    try:
        return Config(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except ValueError as exc:  # a TOML syntax error surfaces as tomllib.TOMLDecodeError (a ValueError)
        raise ConfigError(f"{toml_path}: {exc}") from None
    finally:
        _TOML_PATH.set(None)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        msg = err["msg"].removeprefix("Value error, ")
        if not err["loc"]:  # a rule across sections names its keys itself
            parts.append(msg)
            continue
        key = ".".join(str(p) for p in err["loc"])
        env = ENV_PREFIX + "__".join(str(p) for p in err["loc"]).upper()
        parts.append(f"{key}: {msg} (env {env})")
    return "invalid configuration: " + "; ".join(parts)
