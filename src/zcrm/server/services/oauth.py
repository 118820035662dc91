"""The accounts server's logic: clients, grant codes, tokens, and who a token is.

Secrets, codes and tokens are stored as SHA-256 digests (they are long random
strings, so a fast hash is the right one); only the caller ever sees them in clear.
Failures raise :class:`OAuthError`, rendered as Zoho Accounts renders them:
``{"error": "<code>"}``.
"""

from __future__ import annotations

import hashlib
import hmac
import string
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from zcrm.server.errors import InvalidToken
from zcrm.server.runtime import Runtime
from zcrm.server.services.caller import Caller, OrgInfo, UserInfo
from zcrm.server.services.orgs import primary_admin
from zcrm.server.services.passwords import verify_password
from zcrm.server.services.scopes import InvalidScope, parse_scope_set
from zcrm.server.storage.schema import oauth_clients, oauth_codes, oauth_tokens, orgs, users
from zcrm.server.timefmt import to_storage

MAX_REFRESH_TOKENS_PER_USER_CLIENT = 20  # the 21st deletes the oldest (Zoho Accounts)
MAX_ACCESS_TOKENS_PER_REFRESH = 30  # the 31st deletes the oldest
REFRESH_WINDOW_SECONDS = 600  # a refresh token mints at most 10 access tokens in 10 minutes
REFRESHES_PER_WINDOW = 10
CLIENT_TYPES = ("self", "server", "browser")


class OAuthError(Exception):
    def __init__(self, error: str, description: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.description = description

    def to_json(self) -> dict[str, Any]:
        if self.description:
            return {"error": self.error, "error_description": self.description, "status": "failure"}
        return {"error": self.error}


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    client_secret: str
    name: str
    client_type: str
    redirect_uris: list[str]


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str

    def to_json(self, api_domain: str) -> dict[str, Any]:
        body: dict[str, Any] = {"access_token": self.access_token}
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        body.update(
            {
                "scope": self.scope,
                "api_domain": api_domain,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
            }
        )
        return body


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(runtime: Runtime) -> str:
    return f"1000.{runtime.random.token_hex(16)}.{runtime.random.token_hex(16)}"


def _client_id(runtime: Runtime) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "1000." + "".join(runtime.random.choice(alphabet) for _ in range(30))


# --- clients ------------------------------------------------------------------------------------


def create_client(
    runtime: Runtime,
    *,
    name: str,
    client_type: str = "self",
    redirect_uris: list[str] | None = None,
    org_id: int | None = None,
    homepage: str | None = None,
) -> RegisteredClient:
    if client_type not in CLIENT_TYPES:
        raise ValueError(f"client_type must be one of {', '.join(CLIENT_TYPES)}")
    client_id = _client_id(runtime)
    secret = runtime.random.token_hex(21)
    uris = list(redirect_uris or [])
    with runtime.db.write() as conn:
        conn.execute(
            oauth_clients.insert().values(
                client_id=client_id,
                secret_hash=digest(secret),
                name=name,
                client_type=client_type,
                redirect_uris=uris,
                org_id=org_id,
                homepage=homepage,
                created_time=to_storage(runtime.clock.now()),
            )
        )
    return RegisteredClient(client_id, secret, name, client_type, uris)


def rotate_client_secret(runtime: Runtime, client_id: str) -> str:
    secret = runtime.random.token_hex(21)
    with runtime.db.write() as conn:
        conn.execute(
            oauth_clients.update()
            .where(oauth_clients.c.client_id == client_id)
            .values(secret_hash=digest(secret))
        )
    return secret


def find_client(conn: Connection, client_id: str | None) -> Any:
    if not client_id:
        return None
    return conn.execute(select(oauth_clients).where(oauth_clients.c.client_id == client_id)).first()


def find_client_by_name(runtime: Runtime, name: str, org_id: int) -> Any:
    with runtime.db.read() as conn:
        return conn.execute(
            select(oauth_clients).where(
                oauth_clients.c.name == name, oauth_clients.c.org_id == org_id
            )
        ).first()


def _authenticate_client(conn: Connection, client_id: str | None, secret: str | None) -> Any:
    client = find_client(conn, client_id)
    if client is None:
        raise OAuthError("invalid_client")
    if not secret or not hmac.compare_digest(client.secret_hash, digest(secret)):
        raise OAuthError("invalid_client_secret")
    return client


def validate_scopes(text: str | None) -> str:
    """Normalise a requested scope list; raises ``invalid_scope`` for a malformed one."""
    if not text or not text.strip():
        raise OAuthError("invalid_scope")
    try:
        return parse_scope_set(text).joined(",")
    except InvalidScope as exc:
        raise OAuthError("invalid_scope") from exc


# --- grant codes --------------------------------------------------------------------------------


def issue_grant_code(
    runtime: Runtime,
    *,
    client_id: str,
    org_id: int,
    user_id: int,
    scopes: str,
    redirect_uri: str | None = None,
    access_type: str = "offline",
    ttl_seconds: int | None = None,
) -> tuple[str, int]:
    """A single-use grant code (what Zoho's Self Client or the consent page gives)."""
    normalised = validate_scopes(scopes)
    ttl = ttl_seconds if ttl_seconds is not None else runtime.settings.grant_code_seconds
    code = _token(runtime)
    with runtime.db.write() as conn:
        if find_client(conn, client_id) is None:
            raise OAuthError("invalid_client")
        conn.execute(
            oauth_codes.insert().values(
                code_hash=digest(code),
                client_id=client_id,
                org_id=org_id,
                user_id=user_id,
                scopes=normalised,
                redirect_uri=redirect_uri,
                access_type=access_type,
                expires_at=runtime.clock.timestamp() + ttl,
                used=False,
            )
        )
    return code, ttl


def exchange_code(
    runtime: Runtime,
    *,
    client_id: str | None,
    client_secret: str | None,
    code: str | None,
    redirect_uri: str | None,
) -> TokenGrant:
    now = runtime.clock.timestamp()
    with runtime.db.write() as conn:
        client = _authenticate_client(conn, client_id, client_secret)
        if not code:
            raise OAuthError("invalid_code")
        row = conn.execute(
            select(oauth_codes).where(oauth_codes.c.code_hash == digest(code))
        ).first()
        if row is None or row.client_id != client.client_id or row.used or row.expires_at <= now:
            raise OAuthError("invalid_code")
        if redirect_uri and row.redirect_uri and redirect_uri != row.redirect_uri:
            raise OAuthError("invalid_redirect_uri")
        if (
            redirect_uri
            and not row.redirect_uri
            and client.redirect_uris
            and (redirect_uri not in client.redirect_uris)
        ):
            raise OAuthError("invalid_redirect_uri")
        conn.execute(
            oauth_codes.update().where(oauth_codes.c.code_hash == row.code_hash).values(used=True)
        )
        return _mint(
            runtime,
            conn,
            client.client_id,
            row.org_id,
            row.user_id,
            row.scopes,
            with_refresh=row.access_type == "offline",
        )


def refresh_access_token(
    runtime: Runtime,
    *,
    client_id: str | None,
    client_secret: str | None,
    refresh_token: str | None,
) -> TokenGrant:
    now = runtime.clock.timestamp()
    with runtime.db.write() as conn:
        client = _authenticate_client(conn, client_id, client_secret)
        if not refresh_token:
            raise OAuthError("invalid_code")
        row = conn.execute(
            select(oauth_tokens).where(
                oauth_tokens.c.token_hash == digest(refresh_token),
                oauth_tokens.c.kind == "refresh",
            )
        ).first()
        if row is None or row.revoked or row.client_id != client.client_id:
            raise OAuthError("invalid_code")
        window_start = now - REFRESH_WINDOW_SECONDS
        recent = conn.execute(
            select(oauth_tokens.c.token_hash).where(
                oauth_tokens.c.refresh_hash == row.token_hash,
                oauth_tokens.c.created_at > window_start,
            )
        ).all()
        # The access token issued together with the refresh token was not minted by
        # refreshing: it does not count against the ten refreshes of the window.
        minted_by_refreshing = len(recent) - (1 if row.created_at > window_start else 0)
        if minted_by_refreshing >= REFRESHES_PER_WINDOW:
            raise OAuthError(
                "Access Denied",
                "You have made too many requests continuously. Please try again after some time.",
            )
        access = _token(runtime)
        expires_in = runtime.settings.access_token_seconds
        conn.execute(
            oauth_tokens.insert().values(
                token_hash=digest(access),
                kind="access",
                client_id=client.client_id,
                org_id=row.org_id,
                user_id=row.user_id,
                scopes=row.scopes,
                expires_at=now + expires_in,
                refresh_hash=row.token_hash,
                revoked=False,
                created_at=now,
            )
        )
        _trim(conn, oauth_tokens.c.refresh_hash == row.token_hash, MAX_ACCESS_TOKENS_PER_REFRESH)
        return TokenGrant(access, None, expires_in, row.scopes.replace(",", " "))


def client_credentials(
    runtime: Runtime,
    *,
    client_id: str | None,
    client_secret: str | None,
    scope: str | None,
    soid: str | None,
) -> TokenGrant:
    with runtime.db.write() as conn:
        client = _authenticate_client(conn, client_id, client_secret)
        scopes = validate_scopes(scope)
        if not soid:
            raise OAuthError("missing_org_info")
        org = _org_from_soid(conn, soid)
        if org is None or (client.org_id is not None and client.org_id != org.id):
            raise OAuthError("invalid_org_info")
    admin = primary_admin(runtime, org.id)
    if admin is None:
        raise OAuthError("invalid_org_info")
    with runtime.db.write() as conn:
        return _mint(runtime, conn, client.client_id, org.id, admin.id, scopes, with_refresh=False)


def password_grant(
    runtime: Runtime,
    *,
    client_id: str | None,
    client_secret: str | None,
    username: str | None,
    password: str | None,
    scope: str | None,
    soid: str | None = None,
) -> TokenGrant:
    with runtime.db.read() as conn:
        _authenticate_client(conn, client_id, client_secret)
        scopes = validate_scopes(scope)
        user = find_login(conn, username or "", soid)
    if user is None or not verify_password(user.password_hash, password or ""):
        raise OAuthError("invalid_user_credentials")
    with runtime.db.write() as conn:
        assert client_id is not None
        return _mint(runtime, conn, client_id, user.org_id, user.id, scopes, with_refresh=True)


def issue_browser_token(
    runtime: Runtime, *, client_id: str, org_id: int, user_id: int, scopes: str
) -> TokenGrant:
    """The implicit flow's access token (no refresh token), for a signed-in user."""
    normalised = validate_scopes(scopes)
    with runtime.db.write() as conn:
        if find_client(conn, client_id) is None:
            raise OAuthError("invalid_client")
        return _mint(runtime, conn, client_id, org_id, user_id, normalised, with_refresh=False)


def has_live_refresh_token(runtime: Runtime, client_id: str, org_id: int, user_id: int) -> bool:
    with runtime.db.read() as conn:
        row = conn.execute(
            select(oauth_tokens.c.token_hash)
            .where(
                oauth_tokens.c.kind == "refresh",
                oauth_tokens.c.client_id == client_id,
                oauth_tokens.c.org_id == org_id,
                oauth_tokens.c.user_id == user_id,
                oauth_tokens.c.revoked.is_(False),
            )
            .limit(1)
        ).first()
    return row is not None


def find_login(conn: Connection, email: str, soid: str | None = None) -> Any:
    """The active user with this email; with ``soid``, in that org only."""
    query = select(users).where(users.c.email == email.strip(), users.c.status == "active")
    if soid:
        org = _org_from_soid(conn, soid)
        if org is None:
            return None
        query = query.where(users.c.org_id == org.id)
    rows = conn.execute(query.order_by(users.c.org_id)).all()
    return rows[0] if rows else None


def revoke(runtime: Runtime, token: str | None) -> None:
    if not token:
        raise OAuthError("invalid_token")
    forget_callers()
    hashed = digest(token)
    with runtime.db.write() as conn:
        row = conn.execute(select(oauth_tokens).where(oauth_tokens.c.token_hash == hashed)).first()
        if row is None:
            return  # RFC 7009: an unknown token is already as revoked as it gets
        conn.execute(
            oauth_tokens.update().where(oauth_tokens.c.token_hash == hashed).values(revoked=True)
        )
        if row.kind == "refresh":
            conn.execute(
                oauth_tokens.update()
                .where(oauth_tokens.c.refresh_hash == hashed)
                .values(revoked=True)
            )


def _org_from_soid(conn: Connection, soid: str) -> Any:
    value = soid.split(".", 1)[1] if "." in soid else soid
    if not value.isdigit():
        return None
    return conn.execute(
        select(orgs).where((orgs.c.id == int(value)) | (orgs.c.zgid == value))
    ).first()


def _mint(
    runtime: Runtime,
    conn: Connection,
    client_id: str,
    org_id: int,
    user_id: int,
    scopes: str,
    *,
    with_refresh: bool,
) -> TokenGrant:
    now = runtime.clock.timestamp()
    refresh: str | None = None
    refresh_hash: str | None = None
    if with_refresh:
        refresh = _token(runtime)
        refresh_hash = digest(refresh)
        conn.execute(
            oauth_tokens.insert().values(
                token_hash=refresh_hash,
                kind="refresh",
                client_id=client_id,
                org_id=org_id,
                user_id=user_id,
                scopes=scopes,
                expires_at=None,
                refresh_hash=None,
                revoked=False,
                created_at=now,
            )
        )
        _trim(
            conn,
            and_(
                oauth_tokens.c.kind == "refresh",
                oauth_tokens.c.client_id == client_id,
                oauth_tokens.c.user_id == user_id,
                oauth_tokens.c.org_id == org_id,
            ),
            MAX_REFRESH_TOKENS_PER_USER_CLIENT,
        )
    access = _token(runtime)
    expires_in = runtime.settings.access_token_seconds
    conn.execute(
        oauth_tokens.insert().values(
            token_hash=digest(access),
            kind="access",
            client_id=client_id,
            org_id=org_id,
            user_id=user_id,
            scopes=scopes,
            expires_at=now + expires_in,
            refresh_hash=refresh_hash,
            revoked=False,
            created_at=now,
        )
    )
    return TokenGrant(access, refresh, expires_in, scopes.replace(",", " "))


def _trim(conn: Connection, condition: Any, keep: int) -> None:
    """Revoke the oldest live tokens matching ``condition`` beyond the newest ``keep``."""
    live = conn.execute(
        select(oauth_tokens.c.token_hash)
        .where(condition, oauth_tokens.c.revoked.is_(False))
        .order_by(oauth_tokens.c.created_at.desc())
        .offset(keep)
    ).all()
    stale = [r.token_hash for r in live]
    if stale:
        forget_callers()
        conn.execute(
            oauth_tokens.update().where(oauth_tokens.c.token_hash.in_(stale)).values(revoked=True)
        )
        # An evicted refresh token takes its access tokens with it.
        conn.execute(
            oauth_tokens.update().where(oauth_tokens.c.refresh_hash.in_(stale)).values(revoked=True)
        )


# --- resolving a bearer token -------------------------------------------------------------------

_CALLER_QUERY = (
    select(
        oauth_tokens.c.expires_at,
        oauth_tokens.c.revoked,
        oauth_tokens.c.scopes,
        oauth_tokens.c.client_id,
        users.c.id.label("user_id"),
        users.c.email,
        users.c.first_name,
        users.c.last_name,
        users.c.profile,
        users.c.role,
        users.c.status,
        users.c.time_zone.label("user_time_zone"),
        users.c.zuid,
        orgs.c.id.label("org_id"),
        orgs.c.zgid,
        orgs.c.id_prefix,
        orgs.c.company_name,
        orgs.c.plan,
        orgs.c.time_zone.label("org_time_zone"),
        orgs.c.metadata_version,
    )
    .select_from(
        oauth_tokens.join(
            users,
            and_(users.c.org_id == oauth_tokens.c.org_id, users.c.id == oauth_tokens.c.user_id),
        ).join(orgs, orgs.c.id == oauth_tokens.c.org_id)
    )
    .where(oauth_tokens.c.kind == "access")
)


class CallerCache:
    """Recently resolved access tokens, so a busy client costs one query per second, not
    one per call.

    Entries live ``ttl`` seconds (monotonic); expiry is still checked on the injected
    clock at every hit. Anything in this process that revokes a token or changes a user,
    an org's plan or its metadata clears the cache at once (:func:`forget_callers`);
    another process sees such a change within ``ttl`` seconds.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, float | None, Caller]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, ttl: float, now: float) -> Caller | None:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > ttl:
            return None
        if entry[1] is not None and entry[1] <= now:
            return None
        return entry[2]

    def put(self, key: str, expires_at: float | None, caller: Caller) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), expires_at, caller)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CALLERS = CallerCache()


def forget_callers() -> None:
    """Drop every cached caller (after revoking tokens or changing users, plans, metadata)."""
    CALLERS.clear()


def caller_for_token(runtime: Runtime, token: str) -> Caller:
    key = digest(token)
    ttl = runtime.settings.caller_cache_seconds
    now = runtime.clock.timestamp()
    if ttl > 0:
        cached = CALLERS.get(key, ttl, now)
        if cached is not None:
            return cached
    with runtime.db.read() as conn:
        row = conn.execute(_CALLER_QUERY.where(oauth_tokens.c.token_hash == key)).first()
    if (
        row is None
        or row.revoked
        or row.status != "active"
        or (row.expires_at is not None and row.expires_at <= now)
    ):
        raise InvalidToken()
    caller = _caller_from_row(row)
    if ttl > 0:
        CALLERS.put(key, row.expires_at, caller)
    return caller


def _caller_from_row(row: Any) -> Caller:
    return Caller(
        org=OrgInfo(
            id=row.org_id,
            zgid=row.zgid,
            id_prefix=row.id_prefix,
            company_name=row.company_name,
            plan=row.plan,
            time_zone=row.org_time_zone,
            metadata_version=row.metadata_version,
        ),
        user=UserInfo(
            id=row.user_id,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            profile=row.profile,
            role=row.role,
            time_zone=row.user_time_zone,
            zuid=row.zuid,
        ),
        scopes=parse_scope_set(row.scopes),
        client_id=row.client_id,
    )
