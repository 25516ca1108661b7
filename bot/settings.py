"""Settings from the environment and `.env`; every one is listed in `.env.example`."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from reporting.campaign_folder import DEFAULT_CAMPAIGNS_DIR, campaign_files
from texts.catalog import t

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/bot.db"
SUPPORTED_DATABASES = {"sqlite+aiosqlite", "postgresql+asyncpg"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    bot_username: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    # The campaigns served: every file in CAMPAIGNS_DIR, or only CAMPAIGN_FILE when it is set.
    campaigns_dir: Path = DEFAULT_CAMPAIGNS_DIR
    campaign_file: Path | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    invite_days: int = 14
    unit_storage_mb: int = Field(default=200, gt=0)  # files one unit may keep
    send_timeout: float = Field(default=10, gt=0)
    send_rate: float = Field(default=29.5, gt=0)
    send_lease: float = Field(default=120, gt=0)
    send_retries: int = Field(default=5, ge=1)
    send_backoff: float = Field(default=2, ge=0)
    wake_interval: float = Field(default=30, gt=0)
    log_level: str = "INFO"
    clock_start: dt.datetime | None = None
    clock_speed: float = Field(default=1.0, gt=0)
    # WeCom (企业微信): none set, the bot runs on Telegram alone.
    wecom_corp_id: str = ""
    wecom_agent_id: int | None = None
    wecom_secret: SecretStr | None = None
    wecom_token: SecretStr | None = None
    wecom_aes_key: SecretStr | None = None
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"
    wecom_callback_path: str = "/wecom/callback"
    # Where members' phones reach the bot's HTTP server (https://...): documents are sent
    # through a page there, as WeCom does not pass a member's files to an app.
    wecom_public_url: str = ""
    # WeCom drops what an app sends one member past 30 a minute (1000 an hour); the bot
    # keeps under it. Only a stand-in (the demo, whose month passes in a minute) is faster.
    wecom_member_per_minute: int = Field(default=30, gt=0)

    def campaign_paths(self) -> list[Path]:
        """The campaign files to load, in order (the first is the default campaign)."""
        if self.campaign_file is not None:
            return [self.campaign_file]
        return campaign_files(self.campaigns_dir)

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_URL is set: set WEBHOOK_SECRET too")
        return self

    @model_validator(mode="after")
    def _wecom_whole(self) -> Settings:
        given = {"WECOM_CORP_ID": self.wecom_corp_id, "WECOM_AGENT_ID": self.wecom_agent_id,
                 "WECOM_SECRET": self.wecom_secret, "WECOM_TOKEN": self.wecom_token,
                 "WECOM_AES_KEY": self.wecom_aes_key}
        missing = [name for name, value in given.items() if not value]
        if len(missing) < len(given) and missing:
            raise ValueError(f"WeCom is half set up: set {', '.join(missing)} too")
        if self.wecom_aes_key is not None and len(self.wecom_aes_key.get_secret_value()) != 43:
            raise ValueError("WECOM_AES_KEY must be the 43 characters WeCom shows")
        return self

    @property
    def wecom_enabled(self) -> bool:
        return bool(self.wecom_corp_id)

    @model_validator(mode="after")
    def _lease_outlasts_a_request(self) -> Settings:
        if self.send_lease <= self.send_timeout:
            raise ValueError("SEND_LEASE must be longer than SEND_TIMEOUT")
        return self

    @field_validator("clock_start")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("CLOCK_START needs a time zone, e.g. 2021-01-20T09:00+08:00")
        return value

    @field_validator("telegram_bot_token", "webhook_secret", "wecom_secret", "wecom_token",
                     "wecom_aes_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("ADMIN_IDS: Telegram user ids separated by commas") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the usual URLs and pick the async driver the bot uses."""
        for plain, driver in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if value.startswith(plain):
                value = driver + value[len(plain) :]
                break
        try:
            backend = make_url(value).drivername
        except ArgumentError:
            backend = ""
        if backend not in SUPPORTED_DATABASES:
            raise ValueError(t("cli.bad_database_url", url=hide_password(value)))
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @cached_property
    def token(self) -> str:
        if self.telegram_bot_token is None:
            raise MissingToken
        return self.telegram_bot_token.get_secret_value()

    def secrets(self) -> list[str]:
        """Every secret value, for the log redactor."""
        return [
            s.get_secret_value()
            for s in (self.telegram_bot_token, self.webhook_secret, self.wecom_secret,
                      self.wecom_token, self.wecom_aes_key)
            if s is not None and s.get_secret_value()
        ]

    @property
    def safe_database_url(self) -> str:
        return hide_password(self.database_url)


class MissingToken(Exception):
    """TELEGRAM_BOT_TOKEN is not set."""


def hide_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid database URL>"
