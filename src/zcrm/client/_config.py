"""Where a client talks to: Zoho's data centres and environments, or any host (zcrm).

``Endpoints.for_zoho("eu", "sandbox")`` gives ``https://sandbox.zohoapis.eu`` and
``https://accounts.zoho.eu``; ``Endpoints(api_url=..., accounts_url=...)`` points at
anything else, e.g. a zcrm server.
"""

from __future__ import annotations

from dataclasses import dataclass

# data centre -> (API domain suffix, accounts host)
DATA_CENTRES: dict[str, tuple[str, str]] = {
    "com": ("com", "https://accounts.zoho.com"),
    "us": ("com", "https://accounts.zoho.com"),
    "eu": ("eu", "https://accounts.zoho.eu"),
    "in": ("in", "https://accounts.zoho.in"),
    "com.au": ("com.au", "https://accounts.zoho.com.au"),
    "au": ("com.au", "https://accounts.zoho.com.au"),
    "jp": ("jp", "https://accounts.zoho.jp"),
    "ca": ("ca", "https://accounts.zohocloud.ca"),
    "sa": ("sa", "https://accounts.zoho.sa"),
    "com.cn": ("com.cn", "https://accounts.zoho.com.cn"),
    "cn": ("com.cn", "https://accounts.zoho.com.cn"),
    "uk": ("uk", "https://accounts.zoho.uk"),
}
ENVIRONMENTS: dict[str, str] = {"production": "www", "sandbox": "sandbox", "developer": "developer"}


@dataclass(frozen=True)
class Endpoints:
    api_url: str  # e.g. https://www.zohoapis.com (the /crm/v6/... paths are appended)
    accounts_url: str  # e.g. https://accounts.zoho.com (/oauth/v2/token is appended)
    version: str = "v6"

    @classmethod
    def for_zoho(
        cls, data_centre: str = "com", environment: str = "production", version: str = "v6"
    ) -> Endpoints:
        try:
            suffix, accounts = DATA_CENTRES[data_centre.lower()]
        except KeyError:
            raise ValueError(
                f"unknown data centre {data_centre!r}: one of {', '.join(DATA_CENTRES)}"
            ) from None
        try:
            host = ENVIRONMENTS[environment.lower()]
        except KeyError:
            raise ValueError(
                f"unknown environment {environment!r}: one of {', '.join(ENVIRONMENTS)}"
            ) from None
        return cls(f"https://{host}.zohoapis.{suffix}", accounts, version)

    @property
    def token_url(self) -> str:
        return self.accounts_url.rstrip("/") + "/oauth/v2/token"

    @property
    def revoke_url(self) -> str:
        return self.token_url + "/revoke"

    def crm(self, path: str) -> str:
        return f"{self.api_url.rstrip('/')}/crm/{self.version}/{path.lstrip('/')}"
