"""zcrm.client: a typed Zoho CRM client for zcrm and for Zoho's own data centres.

    from zcrm.client import CRM, field

    with CRM(client_id=…, client_secret=…, refresh_token=…, data_centre="eu") as crm:
        result = crm.leads.create([{"Last_Name": "Ortega"}, {"First_Name": "no last name"}])
        print(result.succeeded, result.failed)            # every record's outcome
        for lead in crm.leads.search(field("Lead_Source").equals("Web Download")):
            ...
        for row in crm.coql("select Last_Name from Leads where Last_Name is not null"):
            ...

Against a zcrm server: ``CRM(..., api_url="http://127.0.0.1:8000")`` (the accounts
server is on the same port). See docs/client.md.
"""

from zcrm.client._async import AsyncCRM, AsyncModule
from zcrm.client._batch import BatchResult, Outcome
from zcrm.client._channels import AsyncWatchKeeper, WatchKeeper
from zcrm.client._config import Endpoints
from zcrm.client._criteria import Criteria, field
from zcrm.client._deadletter import DeadLetter, DeadLetterStore, SQLiteDeadLetterStore
from zcrm.client._errors import (
    AuthError,
    InvalidRequest,
    NotFound,
    OAuthError,
    PermissionDenied,
    QueryError,
    RateLimited,
    ServerError,
    TransportError,
    ValidationError,
    ZohoAPIError,
)
from zcrm.client._retry import RetryPolicy
from zcrm.client._sync import CRM, Module
from zcrm.client._tokens import (
    FileTokenStore,
    MemoryTokenStore,
    SQLTokenStore,
    Token,
    TokenStore,
)

__all__ = [
    "CRM",
    "AsyncCRM",
    "AsyncModule",
    "AsyncWatchKeeper",
    "AuthError",
    "BatchResult",
    "Criteria",
    "DeadLetter",
    "DeadLetterStore",
    "Endpoints",
    "FileTokenStore",
    "InvalidRequest",
    "MemoryTokenStore",
    "Module",
    "NotFound",
    "OAuthError",
    "Outcome",
    "PermissionDenied",
    "QueryError",
    "RateLimited",
    "RetryPolicy",
    "SQLTokenStore",
    "SQLiteDeadLetterStore",
    "ServerError",
    "Token",
    "TokenStore",
    "TransportError",
    "ValidationError",
    "WatchKeeper",
    "ZohoAPIError",
    "field",
]
