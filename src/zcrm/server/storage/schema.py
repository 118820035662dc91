"""The relational schema, identical on SQLite and PostgreSQL.

Every table that holds an org's data has ``org_id`` as the first column of its
primary key and of every index, so the same schema can be sharded by org.

Records of every module share one table: system columns (owner, times, users) are
real columns, business fields live in one JSON document (``data``). Fields that are
filtered or sorted get expression indexes (see :mod:`zcrm.server.storage.indexes`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# JSON on SQLite (text + json_extract), JSONB on PostgreSQL (->> and expression indexes).
Document = JSON().with_variant(JSONB(), "postgresql")

# Timestamps are UTC ISO-8601 strings with a +00:00 offset and no fraction
# ("2024-05-10T08:10:47+00:00"): they sort as they compare, on both engines, and are
# stored the same way inside JSON documents.
Timestamp = String(25)

server_settings = Table(
    "server_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

id_blocks = Table(
    "id_blocks",
    metadata,
    Column("org_id", BigInteger, primary_key=True),  # 0 allocates org ids themselves
    Column("next_value", BigInteger, nullable=False),
)

orgs = Table(
    "orgs",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("zgid", String(32), nullable=False, unique=True),
    Column("id_prefix", BigInteger, nullable=False, unique=True),
    Column("company_name", String(200), nullable=False),
    Column("plan", String(32), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("currency", String(64), nullable=False),
    Column("currency_symbol", String(8), nullable=False),
    Column("iso_code", String(8), nullable=False),
    Column("country", String(64), nullable=True),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("metadata_version", Integer, nullable=False, default=1),
    Column("settings", Document, nullable=False, default=dict),
    Column("created_time", Timestamp, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("zuid", String(32), nullable=False),
    Column("email", String(100), nullable=False),
    Column("first_name", String(40), nullable=True),
    Column("last_name", String(80), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("profile", String(32), nullable=False),  # Administrator | Standard
    Column("role", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # active | disabled | deleted
    Column("confirm", Boolean, nullable=False, default=True),
    Column("time_zone", String(64), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("is_primary", Boolean, nullable=False, default=False),
    Column("created_time", Timestamp, nullable=False),
    Column("modified_time", Timestamp, nullable=False),
    Column("created_by", BigInteger, nullable=True),
    Column("modified_by", BigInteger, nullable=True),
    PrimaryKeyConstraint("org_id", "id"),
    UniqueConstraint("org_id", "email", name="uq_users_org_email"),
)
Index("ix_users_email", users.c.email)

oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("secret_hash", String(128), nullable=False),
    Column("name", String(200), nullable=False),
    Column("client_type", String(16), nullable=False),  # self | server | browser
    Column("redirect_uris", Document, nullable=False, default=list),
    Column("org_id", BigInteger, nullable=True),  # the org whose admin registered it
    Column("homepage", String(300), nullable=True),
    Column("created_time", Timestamp, nullable=False),
)

oauth_codes = Table(
    "oauth_codes",
    metadata,
    Column("code_hash", String(128), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("org_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("redirect_uri", String(1000), nullable=True),
    Column("access_type", String(16), nullable=False),  # offline | online
    Column("expires_at", Float, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("kind", String(8), nullable=False),  # access | refresh
    Column("client_id", String(64), nullable=False),
    Column("org_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("expires_at", Float, nullable=True),  # epoch seconds; None = until revoked
    Column("refresh_hash", String(128), nullable=True),  # access token: its refresh token
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
)
Index("ix_oauth_tokens_refresh", oauth_tokens.c.refresh_hash)
Index("ix_oauth_tokens_client_user", oauth_tokens.c.client_id, oauth_tokens.c.user_id)

modules = Table(
    "modules",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("api_name", String(100), nullable=False),
    Column("module_name", String(100), nullable=False),
    Column("singular_label", String(100), nullable=False),
    Column("plural_label", String(100), nullable=False),
    Column("generated_type", String(32), nullable=False),  # default | custom
    Column("api_supported", Boolean, nullable=False),
    Column("creatable", Boolean, nullable=False),
    Column("searchable", Boolean, nullable=False),
    Column("upsert_supported", Boolean, nullable=False),
    Column("display_field", String(100), nullable=False),
    Column("duplicate_check_field", String(100), nullable=True),
    Column("scope_name", String(100), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("related_lists", Document, nullable=False, default=list),
    Column("created_time", Timestamp, nullable=False),
    Column("modified_time", Timestamp, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
    UniqueConstraint("org_id", "api_name", name="uq_modules_org_api_name"),
)

fields = Table(
    "fields",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module_id", BigInteger, nullable=False),
    Column("api_name", String(100), nullable=False),
    Column("field_label", String(100), nullable=False),
    Column("data_type", String(32), nullable=False),
    Column("length", Integer, nullable=True),
    Column("decimal_place", Integer, nullable=True),
    Column("system_mandatory", Boolean, nullable=False),
    Column("read_only", Boolean, nullable=False),
    Column("unique_field", Boolean, nullable=False),
    Column("custom_field", Boolean, nullable=False),
    Column("system_column", Boolean, nullable=False),
    Column("searchable", Boolean, nullable=False),
    Column("lookup_module", String(100), nullable=True),
    Column("multi_module", Document, nullable=False, default=list),
    Column("pick_list_values", Document, nullable=False, default=list),
    Column("default_value", Document, nullable=True),
    Column("textarea_type", String(16), nullable=True),
    Column("sequence", Integer, nullable=False),
    Column("created_time", Timestamp, nullable=False),
    Column("modified_time", Timestamp, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
    UniqueConstraint("org_id", "module_id", "api_name", name="uq_fields_org_module_api_name"),
)

layouts = Table(
    "layouts",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module_id", BigInteger, nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_time", Timestamp, nullable=False),
    Column("modified_time", Timestamp, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
)

records = Table(
    "records",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module_id", BigInteger, nullable=False),
    Column("owner_id", BigInteger, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("modified_by", BigInteger, nullable=False),
    Column("created_time", Timestamp, nullable=False),
    Column("modified_time", Timestamp, nullable=False),
    Column("data", Document, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
)
Index("ix_records_module_id", records.c.org_id, records.c.module_id, records.c.id)
Index(
    "ix_records_module_modified",
    records.c.org_id,
    records.c.module_id,
    records.c.modified_time,
    records.c.id,
)
Index(
    "ix_records_module_created",
    records.c.org_id,
    records.c.module_id,
    records.c.created_time,
    records.c.id,
)
Index("ix_records_module_owner", records.c.org_id, records.c.module_id, records.c.owner_id)

# Deleted records leave ``records`` for the recycle bin (type "recycle"), from which
# they can later be purged to "permanent" (the row stays, without its document).
recycle_bin = Table(
    "recycle_bin",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("module_id", BigInteger, nullable=False),
    Column("display_name", String(255), nullable=True),
    Column("type", String(16), nullable=False),  # recycle | permanent
    Column("created_by", BigInteger, nullable=True),
    Column("deleted_by", BigInteger, nullable=True),
    Column("deleted_time", Timestamp, nullable=False),
    Column("record", Document, nullable=True),  # the whole row, for restore
    PrimaryKeyConstraint("org_id", "id"),
)
Index(
    "ix_recycle_bin_module_time",
    recycle_bin.c.org_id,
    recycle_bin.c.module_id,
    recycle_bin.c.deleted_time,
)

# The transactional outbox: one row per record change, written in the same transaction.
events = Table(
    "events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("org_id", BigInteger, nullable=False),
    Column("module", String(100), nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("operation", String(16), nullable=False),  # insert | update | delete
    Column("changed_fields", Document, nullable=False, default=list),
    Column("changed_values", Document, nullable=False, default=dict),
    Column("user_id", BigInteger, nullable=True),
    Column("workflow", Boolean, nullable=False, default=True),  # the write let workflows run
    Column("write_id", String(32), nullable=True),  # events of one API write share it
    Column("occurred_at", Timestamp, nullable=False),
    Column("dispatched", Boolean, nullable=False, default=False),
)
Index("ix_events_undispatched", events.c.dispatched, events.c.id)
Index("ix_events_org_record", events.c.org_id, events.c.record_id)

# API usage per minute, client and API: the SQL limiter's counters and the usage report.
usage_counters = Table(
    "usage_counters",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("minute", BigInteger, nullable=False),  # epoch minute, on the injected clock
    Column("client_id", String(64), nullable=False),
    Column("api", String(100), nullable=False),
    Column("calls", BigInteger, nullable=False, default=0),
    Column("credits", BigInteger, nullable=False, default=0),
    PrimaryKeyConstraint("org_id", "minute", "client_id", "api"),
)

# Calls in flight (the SQL limiter's concurrency slots), each with a lease.
limiter_inflight = Table(
    "limiter_inflight",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("ticket", String(32), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
    PrimaryKeyConstraint("org_id", "ticket"),
)
Index("ix_limiter_inflight_client", limiter_inflight.c.org_id, limiter_inflight.c.client_id)

# Emulator fault injection: faults by route pattern and method, and every injection.
emulator_faults = Table(
    "emulator_faults",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("route", String(300), nullable=False),  # glob on the path, e.g. /crm/v6/Leads*
    Column("method", String(10), nullable=False),  # GET, POST, ... or *
    Column("status", Integer, nullable=True),  # HTTP status to answer with
    Column("code", String(64), nullable=True),  # Zoho error code in the body
    Column("message", String(300), nullable=True),
    Column("latency_ms", Integer, nullable=False, default=0),
    Column("drop_connection", Boolean, nullable=False, default=False),
    Column("probability", Float, nullable=False, default=1.0),
    Column("remaining", Integer, nullable=True),  # None: until removed
    Column("retry_after", Integer, nullable=True),
    Column("scope_org_id", BigInteger, nullable=True),  # only requests with this org's tokens
    Column("created_at", Timestamp, nullable=False),
)

emulator_fault_log = Table(
    "emulator_fault_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("fault_id", BigInteger, nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", String(1000), nullable=False),
    Column("injected", String(64), nullable=False),  # status code, "latency" or "drop"
    Column("occurred_at", Timestamp, nullable=False),
)

# --- events: notification channels, webhooks, deliveries ---------------------------------------

# One row per channel and module it watches (Zoho answers per channel/module pair).
notification_channels = Table(
    "notification_channels",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("module", String(100), nullable=False),
    Column("events", Document, nullable=False),  # ["create", "edit", "delete"]
    Column("notify_url", String(2000), nullable=False),
    Column("token", String(50), nullable=True),
    Column("channel_expiry", Timestamp, nullable=False),
    Column("return_affected_field_values", Boolean, nullable=False, default=False),
    Column("notify_on_related_action", Boolean, nullable=False, default=True),
    Column("notification_condition", Document, nullable=True),
    Column("user_id", BigInteger, nullable=False),
    Column("client_id", String(64), nullable=True),
    Column("created_time", Timestamp, nullable=False),
    Column("modified_time", Timestamp, nullable=False),
    PrimaryKeyConstraint("org_id", "channel_id", "module"),
)
Index("ix_channels_module", notification_channels.c.org_id, notification_channels.c.module)

webhooks = Table(
    "webhooks",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("name", String(100), nullable=False),
    Column("module", String(100), nullable=False),
    Column("events", Document, nullable=False),  # ["create", "edit", "delete"]
    Column("url", String(2000), nullable=False),
    Column("http_method", String(8), nullable=False),
    Column("token", String(100), nullable=True),
    Column("custom_parameters", Document, nullable=False, default=list),
    Column("criteria", Text, nullable=True),  # search-criteria syntax, the shared filter core
    Column("fields_updated", Document, nullable=False, default=list),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_time", Timestamp, nullable=False),
    Column("modified_time", Timestamp, nullable=False),
    PrimaryKeyConstraint("org_id", "id"),
)
Index("ix_webhooks_module", webhooks.c.org_id, webhooks.c.module)

deliveries = Table(
    "deliveries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("org_id", BigInteger, nullable=False),
    Column("target_kind", String(8), nullable=False),  # channel | webhook
    Column("target_id", String(100), nullable=False),  # "<channel_id>:<module>" | webhook id
    Column("target_key", String(140), nullable=False),  # kind:id — deliveries keep its order
    Column("event_ids", Document, nullable=False),
    Column("method", String(8), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("body", Text, nullable=True),
    Column("signing_key", String(100), nullable=True),
    Column("status", String(12), nullable=False),  # pending | delivering | delivered | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),  # epoch seconds, injected clock
    Column("lease_until", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("delivered_at", Float, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", String(500), nullable=True),
)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)
Index("ix_deliveries_target", deliveries.c.org_id, deliveries.c.target_key, deliveries.c.id)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("org_id", BigInteger, nullable=False),
    Column("delivery_id", BigInteger, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("response_excerpt", String(500), nullable=True),
    Column("error", String(500), nullable=True),
    Column("worker", String(64), nullable=True),
)
Index("ix_attempts_delivery", delivery_attempts.c.org_id, delivery_attempts.c.delivery_id)

# The records each delivery is about, per target: a delivery waits while an earlier one for
# the same target and record is still pending (ordering per record, not per target).
delivery_records = Table(
    "delivery_records",
    metadata,
    Column("org_id", BigInteger, nullable=False),
    Column("delivery_id", BigInteger, nullable=False),
    Column("target_key", String(140), nullable=False),
    Column("record_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("org_id", "delivery_id", "target_key", "record_id"),
)
Index(
    "ix_delivery_records_order",
    delivery_records.c.org_id,
    delivery_records.c.target_key,
    delivery_records.c.record_id,
    delivery_records.c.delivery_id,
)
