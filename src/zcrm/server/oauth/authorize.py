"""``/oauth/v2/auth``: a person signs in as a CRM user and approves an app's scopes.

The authorization-code flow (``response_type=code``) ends with a redirect to the
registered ``redirect_uri`` carrying ``code``, ``location``, ``accounts-server`` and
the caller's ``state``; the implicit flow (``response_type=token``) carries an access
token in the URI fragment. An unknown client or a redirect URI that is not registered
gets an error page, never a redirect.

State between the steps: the validated request travels as a signed blob in a hidden
form field; the signed-in user is a signed, HttpOnly, SameSite=Lax session cookie
(1 hour; "Not you?" on the consent page signs out); forms carry a CSRF token bound by
HMAC to a random cookie (double submit). Signed values expire on ``runtime.clock``.
As on Zoho, a refresh token comes only with the first offline grant of a user to an
app, unless the request says ``prompt=consent``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from zcrm.server.oauth.params import oauth_params
from zcrm.server.oauth.signing import csrf_for, csrf_ok, sign, unsign
from zcrm.server.runtime import Runtime
from zcrm.server.services import oauth
from zcrm.server.services.oauth import OAuthError
from zcrm.server.services.orgs import org_by_id
from zcrm.server.services.passwords import verify_password

SESSION_COOKIE = "zcrm_session"
CSRF_COOKIE = "zcrm_csrf"
SESSION_SECONDS = 3600
REQUEST_SECONDS = 900
CODE_SECONDS = 120  # Zoho Accounts: an authorization code lives two minutes
LOCATION = "us"

templates = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html"]),
)


class PageError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status)


def _redirect(uri: str, params: dict[str, str], *, fragment: bool = False) -> RedirectResponse:
    parts = urlsplit(uri)
    encoded = urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, encoded))
    else:
        query = f"{parts.query}&{encoded}" if parts.query else encoded
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return RedirectResponse(target, status_code=302)


def validate(runtime: Runtime, params: dict[str, str]) -> dict[str, Any]:
    """The request's checked parameters; :class:`PageError` where no redirect is safe."""
    client_id = params.get("client_id", "")
    with runtime.db.read() as conn:
        client = oauth.find_client(conn, client_id)
    if client is None:
        raise PageError("invalid_client", "The application asking for access is not known.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or redirect_uri not in (client.redirect_uris or []):
        raise PageError(
            "invalid_redirect_uri", "The redirect URI is not one registered for this application."
        )
    return {
        "client_id": client.client_id,
        "client_name": client.name,
        "redirect_uri": redirect_uri,
        "response_type": params.get("response_type", ""),
        "scope": params.get("scope", ""),
        "access_type": params.get("access_type", "online"),
        "prompt": params.get("prompt", ""),
        "state": params.get("state"),
    }


def _early_error(req: dict[str, Any]) -> str | None:
    if req["response_type"] not in ("code", "token"):
        return "unsupported_response_type"
    try:
        oauth.validate_scopes(req["scope"])
    except OAuthError:
        return "invalid_scope"
    return None


def _csrf_cookie(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def _with_cookies(
    response: Response, request: Request, csrf: str, session: str | None = None
) -> Response:
    secure = request.url.scheme == "https"
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="lax", secure=secure, path="/oauth"
    )
    if session is not None:
        response.set_cookie(
            SESSION_COOKIE,
            session,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/oauth",
        )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _signed_in(runtime: Runtime, request: Request) -> tuple[int, int] | None:
    value = unsign(
        runtime.secret, "session", request.cookies.get(SESSION_COOKIE), runtime.clock.timestamp()
    )
    if not isinstance(value, list) or len(value) != 2:
        return None
    return int(value[0]), int(value[1])


def _render_step(
    request: Request,
    runtime: Runtime,
    req: dict[str, Any],
    error: str | None = None,
    email: str = "",
    status: int = 200,
    signed_in: tuple[int, int] | None = None,
    signed_out: bool = False,
) -> Response:
    """The sign-in page, or the consent page for a signed-in user (``signed_in`` or cookie)."""
    csrf = _csrf_cookie(request)
    blob = sign(runtime.secret, "auth-request", req, REQUEST_SECONDS, runtime.clock.timestamp())
    who = signed_in
    if who is None and not signed_out:
        who = _signed_in(runtime, request)
    user = _user(runtime, who) if who else None
    if user is None:
        page = _page(
            "signin.html",
            status,
            client_name=req["client_name"],
            error=error,
            email=email,
            csrf=csrf_for(runtime.secret, csrf),
            request_blob=blob,
            action="/oauth/v2/auth/signin",
        )
    else:
        org = org_by_id(runtime, user.org_id)
        page = _page(
            "consent.html",
            status,
            client_name=req["client_name"],
            user_email=user.email,
            org_name=org.company_name if org else "",
            scopes=oauth.validate_scopes(req["scope"]).split(","),
            offline=req["access_type"] == "offline",
            csrf=csrf_for(runtime.secret, csrf),
            request_blob=blob,
            action="/oauth/v2/auth/consent",
            signout_action="/oauth/v2/auth/signout",
        )
    session = None
    if signed_in is not None:
        session = sign(
            runtime.secret, "session", list(signed_in), SESSION_SECONDS, runtime.clock.timestamp()
        )
    return _with_cookies(page, request, csrf, session)


def _user(runtime: Runtime, who: tuple[int, int]) -> Any:
    from zcrm.server.storage.schema import users

    user_id, org_id = who
    with runtime.db.read_org(org_id) as scope:
        return scope.execute(
            scope.select(users).where(users.c.id == user_id, users.c.status == "active")
        ).first()


async def authorize(request: Request) -> Response:
    """The sign-in and consent page of the authorization-code and implicit flows."""
    runtime = _runtime(request)
    params = await oauth_params(request)
    if request.method == "POST" and params.get("grant_type") == "client_credentials":
        # The CRM v4+ docs show the client-credentials call against /oauth/v2/auth.
        from zcrm.server.oauth.token_endpoint import token_response

        return await run_in_threadpool(token_response, runtime, params)
    try:
        req = await run_in_threadpool(validate, runtime, params)
    except PageError as error:
        return _page("error.html", 400, code=error.code, message=error.message)
    early = _early_error(req)
    if early is not None:
        return _redirect(
            req["redirect_uri"],
            {"error": early, "state": req["state"]},
            fragment=early == "invalid_scope" and req["response_type"] == "token",
        )
    return await run_in_threadpool(_render_step, request, runtime, req)


async def _form(request: Request) -> tuple[Runtime, dict[str, str], dict[str, Any] | None]:
    runtime = _runtime(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    req = unsign(runtime.secret, "auth-request", form.get("request"), runtime.clock.timestamp())
    if not isinstance(req, dict):
        return runtime, form, None
    try:  # the app or its redirect URI may have gone since the page was shown
        await run_in_threadpool(validate, runtime, req)
    except PageError:
        return runtime, form, None
    return runtime, form, req


def _refuse(message: str) -> Response:
    return _page("error.html", 400, code="invalid_request", message=message)


async def signin(request: Request) -> Response:
    """Check the CRM user's email and password, then show the consent step."""
    runtime, form, req = await _form(request)
    if req is None:
        return _refuse("The sign-in form has expired. Start again from the application.")
    if not csrf_ok(runtime.secret, request.cookies.get(CSRF_COOKIE), form.get("csrf")):
        return _refuse("The form could not be verified (CSRF). Reload the page and retry.")

    def check() -> Any:
        with runtime.db.read() as conn:
            user = oauth.find_login(conn, form.get("email", ""))
        if user is None or not verify_password(user.password_hash, form.get("password", "")):
            return None
        return user

    user = await run_in_threadpool(check)
    if user is None:
        return await run_in_threadpool(
            _render_step,
            request,
            runtime,
            req,
            "Wrong email or password.",
            form.get("email", ""),
            401,
        )
    return await run_in_threadpool(
        _render_step, request, runtime, req, signed_in=(int(user.id), int(user.org_id))
    )


async def consent(request: Request) -> Response:
    """Accept: redirect with a code (or a token); reject: redirect with access_denied."""
    runtime, form, req = await _form(request)
    if req is None:
        return _refuse("The consent form has expired. Start again from the application.")
    if not csrf_ok(runtime.secret, request.cookies.get(CSRF_COOKIE), form.get("csrf")):
        return _refuse("The form could not be verified (CSRF). Reload the page and retry.")
    who = _signed_in(runtime, request)
    if who is None:
        return _refuse("You are not signed in any more. Start again from the application.")
    if form.get("decision") != "approve":
        return _redirect(
            req["redirect_uri"],
            {"error": "access_denied", "state": req["state"]},
            fragment=req["response_type"] == "token",
        )
    user_id, org_id = who
    accounts = runtime.settings.accounts_base_url()

    def grant() -> Response:
        if _user(runtime, who) is None:
            return _refuse("This user cannot sign in any more.")
        try:
            return issue()
        except OAuthError as error:
            return _page("error.html", 400, code=error.error, message="The grant was refused.")

    def issue() -> Response:
        if req["response_type"] == "token":
            token = oauth.issue_browser_token(
                runtime,
                client_id=req["client_id"],
                org_id=org_id,
                user_id=user_id,
                scopes=req["scope"],
            )
            return _redirect(
                req["redirect_uri"],
                {
                    "access_token": token.access_token,
                    "token_type": "Bearer",
                    "expires_in": str(token.expires_in),
                    "api_domain": runtime.settings.base_url(),
                    "location": LOCATION,
                    "accounts-server": accounts,
                    "state": req["state"],
                },
                fragment=True,
            )
        access_type = "offline" if req["access_type"] == "offline" else "online"
        if (
            access_type == "offline"
            and req["prompt"] != "consent"
            and (oauth.has_live_refresh_token(runtime, req["client_id"], org_id, user_id))
        ):
            access_type = "online"  # Zoho: only the first offline grant brings a refresh token
        code, _ = oauth.issue_grant_code(
            runtime,
            client_id=req["client_id"],
            org_id=org_id,
            user_id=user_id,
            scopes=req["scope"],
            redirect_uri=req["redirect_uri"],
            access_type=access_type,
            ttl_seconds=CODE_SECONDS,
        )
        return _redirect(
            req["redirect_uri"],
            {
                "state": req["state"],
                "code": code,
                "location": LOCATION,
                "accounts-server": accounts,
            },
        )

    return await run_in_threadpool(grant)


async def signout(request: Request) -> Response:
    """The consent page's "Not you?": forget the signed-in user, show the sign-in step."""
    runtime, form, req = await _form(request)
    if req is None:
        return _refuse("The form has expired. Start again from the application.")
    if not csrf_ok(runtime.secret, request.cookies.get(CSRF_COOKIE), form.get("csrf")):
        return _refuse("The form could not be verified (CSRF). Reload the page and retry.")
    response = await run_in_threadpool(_render_step, request, runtime, req, signed_out=True)
    response.delete_cookie(SESSION_COOKIE, path="/oauth", httponly=True, samesite="lax")
    return response


routes = [
    Route("/oauth/v2/auth", authorize, methods=["GET", "POST"]),
    Route("/oauth/v2/auth/signin", signin, methods=["POST"]),
    Route("/oauth/v2/auth/consent", consent, methods=["POST"]),
    Route("/oauth/v2/auth/signout", signout, methods=["POST"]),
]
