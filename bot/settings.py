"""Settings from environment variables (and an optional ``.env``), read when asked, not at import.

The bot token is a ``SecretStr`` so that it never appears in logs, reprs or error reports.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the bot needs to know about its deployment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    data_dir: Path = Path("data")
    database_url: str = ""
    timezone: str = "Asia/Shanghai"
    office_chat_id: int | None = None
    admin_user_ids: str = ""
    evidence_dir: Path | None = None
    default_campaign: str = "hejin"
    campaigns_dir: Path | None = None  # a deployment's own campaign YAML files, beside the shipped ones
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    max_download_mb: int | None = Field(None, ge=1)
    unit_quota_mb: int | None = Field(None, ge=1)  # a unit's stored evidence, all versions
    uploads_per_hour: int = Field(20, ge=1)  # files one officer may send in an hour
    upload_mb_per_hour: int | None = Field(None, ge=1)
    sweep_grace_hours: float = Field(24, gt=0)  # unreferenced files younger than this are kept
    log_level: str = "INFO"
    log_format: str = "text"
    # The DingTalk face (``channels.dingtalk``): the app's credentials, its robot, the OpenAPI host.
    dingtalk_client_id: str = ""
    dingtalk_client_secret: SecretStr | None = None
    dingtalk_robot_code: str = ""
    dingtalk_openapi_endpoint: str = "https://api.dingtalk.com"
    dingtalk_oapi_endpoint: str = "https://oapi.dingtalk.com"  # the older API: media uploads (files the bot sends)
    dingtalk_admin_user_ids: str = ""
    # Interactive cards: the template made in DingTalk's card platform, and on|off (default: on when
    # a template is set). Off, or when DingTalk refuses a card (4xx), buttons are numbered choices.
    dingtalk_card_template_id: str = ""
    dingtalk_cards: str = ""

    @field_validator("office_chat_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @property
    def db_url(self) -> str:
        """``DATABASE_URL``, or an SQLite file under ``DATA_DIR``."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'liaison.db').as_posix()}"

    @property
    def admins(self) -> frozenset[int]:
        """Telegram user ids of office admins (``ADMIN_USER_IDS``, comma separated)."""
        parts = self.admin_user_ids.replace(";", ",").split(",")
        return frozenset(int(p) for p in (s.strip() for s in parts) if p.lstrip("-").isdigit())

    @property
    def dingtalk_admins(self) -> frozenset[str]:
        """DingTalk staff ids of office admins (``DINGTALK_ADMIN_USER_IDS``, comma separated)."""
        return frozenset(p.strip() for p in self.dingtalk_admin_user_ids.replace(";", ",").split(",") if p.strip())

    @property
    def dingtalk_cards_on(self) -> bool:
        """Whether replies with buttons go out as interactive cards (``DINGTALK_CARDS``)."""
        switch = self.dingtalk_cards.strip().lower()
        return bool(self.dingtalk_card_template_id) and switch not in ("off", "0", "false", "no")

    @property
    def dingtalk_secret(self) -> str:
        """The DingTalk app secret, or an empty string."""
        return self.dingtalk_client_secret.get_secret_value() if self.dingtalk_client_secret else ""

    @property
    def evidence_path(self) -> Path:
        """Where submitted files are stored (``EVIDENCE_DIR``, default ``DATA_DIR/evidence``)."""
        return self.evidence_dir or self.data_dir / "evidence"

    @property
    def download_limit(self) -> int:
        """Bytes the Bot API lets us download: 20 MB on Telegram's servers, 2 GB self-hosted."""
        if self.max_download_mb:
            return self.max_download_mb * 1024 * 1024
        official = "api.telegram.org" in self.telegram_base_file_url
        return (20 if official else 2000) * 1024 * 1024

    @property
    def unit_quota(self) -> int:
        """Bytes of evidence one unit may keep (``UNIT_QUOTA_MB``): by default 1 GB, or room for
        two files of the largest size allowed when that is more (a self-hosted Bot API)."""
        if self.unit_quota_mb:
            return self.unit_quota_mb * 1024 * 1024
        return max(1024 * 1024 * 1024, 2 * self.download_limit)

    @property
    def upload_bytes_per_hour(self) -> int:
        """Bytes one officer may send in an hour (``UPLOAD_MB_PER_HOUR``): by default 200 MB, or
        one file of the largest size allowed when that is more."""
        if self.upload_mb_per_hour:
            return self.upload_mb_per_hour * 1024 * 1024
        return max(200 * 1024 * 1024, self.download_limit)

    @property
    def token(self) -> str:
        """The bot token, or an empty string when none is configured."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
