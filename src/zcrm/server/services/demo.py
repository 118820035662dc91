"""The demo org: a few hundred realistic records, the same for the same seed.

:func:`generate` is pure: a seed and a date in, records out, in insertion order, with
links between them written as :class:`Ref` (the n-th record of a module). :func:`seed_demo`
inserts them through the record writer, exactly as API calls would (validation, audit
fields, outbox events), replacing each :class:`Ref` by the id the target got.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from zcrm.server.catalogue.common import INDUSTRIES, LEAD_SOURCES, NONE
from zcrm.server.runtime import Runtime
from zcrm.server.services import demo_data as words
from zcrm.server.services import oauth
from zcrm.server.services.caller import Caller
from zcrm.server.services.records.writer import insert_records
from zcrm.server.services.scopes import FULL_ACCESS
from zcrm.server.services.system_caller import admin_caller
from zcrm.server.storage.schema import records

T = TypeVar("T")

DEFAULT_SEED = 2024
DEMO_CLIENT_NAME = "zcrm demo"
BATCH_SIZE = 100  # records per insert, as one API call may carry
MULTI_MODULE_LOOKUPS = ("What_Id", "Parent_Id")  # written with a sibling "$se_module"

COUNTS: dict[str, int] = {
    "Accounts": 30,
    "Contacts": 75,
    "Products": len(words.PRODUCTS),
    "Campaigns": len(words.CAMPAIGNS),
    "Leads": 100,
    "Deals": 50,
    "Cases": 20,
    "Tasks": 40,
    "Calls": 30,
    "Events": 20,
    "Notes": 40,
}

LEAD_STATUSES = (
    "Not Contacted",
    "Attempted to Contact",
    "Contact in Future",
    "Contacted",
    "Pre-Qualified",
    "Not Qualified",
    "Junk Lead",
    "Lost Lead",
)
# (stage, weight): most deals are open, spread along the pipeline.
DEAL_STAGES = (
    ("Qualification", 9),
    ("Needs Analysis", 8),
    ("Value Proposition", 6),
    ("Identify Decision Makers", 5),
    ("Proposal/Price Quote", 5),
    ("Negotiation/Review", 4),
    ("Closed Won", 8),
    ("Closed Lost", 4),
)
ACCOUNT_TYPES = ("Customer", "Prospect", "Partner", "Reseller", "Distributor", "Vendor")
OWNERSHIPS = ("Private", "Public", "Subsidiary", "Partnership", "Privately Held")
RATINGS = ("Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down")


@dataclass(frozen=True)
class Ref:
    """A link to the ``index``-th demo record of ``module`` (resolved to its id on insert)."""

    module: str
    index: int


DemoRecords = dict[str, list[dict[str, Any]]]


class DemoDataError(RuntimeError):
    """A generated record was refused: a bug in the generator, never the user's fault."""


# --- generation ---------------------------------------------------------------------------------


def generate(seed: int = DEFAULT_SEED, today: date | None = None) -> DemoRecords:
    """Every demo record, per module, in an order where link targets come first."""
    return _Generator(random.Random(seed), today or date.today()).build()


@dataclass(frozen=True)
class _Company:
    name: str
    domain: str
    place: tuple[str, str, str, str]
    street: str
    phone: str


class _Generator:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.companies = self._companies(COUNTS["Accounts"] + COUNTS["Leads"])
        self.contacts_of: dict[int, list[int]] = {}  # account index -> contact indexes
        self.account_of: list[int] = []  # contact index -> account index
        self.used_emails: set[str] = set()

    def build(self) -> DemoRecords:
        out: DemoRecords = {}
        out["Accounts"] = [self.account(i) for i in range(COUNTS["Accounts"])]
        out["Contacts"] = [self.contact(i) for i in range(COUNTS["Contacts"])]
        out["Products"] = [self.product(i) for i in range(COUNTS["Products"])]
        out["Campaigns"] = [self.campaign(i) for i in range(COUNTS["Campaigns"])]
        out["Leads"] = [self.lead(i) for i in range(COUNTS["Leads"])]
        out["Deals"] = [self.deal(i) for i in range(COUNTS["Deals"])]
        out["Cases"] = [self.case() for _ in range(COUNTS["Cases"])]
        out["Tasks"] = [self.task() for _ in range(COUNTS["Tasks"])]
        out["Calls"] = [self.call() for _ in range(COUNTS["Calls"])]
        out["Events"] = [self.event() for _ in range(COUNTS["Events"])]
        out["Notes"] = [self.note() for _ in range(COUNTS["Notes"])]
        return out

    # -- building blocks ---------------------------------------------------------------------------

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def weighted(self, pairs: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def day(self, start: int, end: int) -> date:
        """A date between ``today + start`` and ``today + end`` days."""
        return self.today + timedelta(days=self.rng.randint(start, end))

    def moment(self, start: int, end: int, hours: tuple[int, int] = (8, 17)) -> str:
        hour = self.rng.randint(*hours)
        minute = self.pick((0, 15, 30, 45))
        return f"{self.day(start, end).isoformat()}T{hour:02d}:{minute:02d}:00+00:00"

    def phone(self) -> str:
        return f"+1 ({self.pick(words.AREA_CODES)}) 555-{self.rng.randint(100, 199):04d}"

    def person(self) -> tuple[str, str]:
        return self.pick(words.FIRST_NAMES), self.pick(words.LAST_NAMES)

    def email(self, first: str, last: str, domain: str) -> str:
        base = f"{first}.{last}".lower()
        address = f"{base}@{domain}"
        number = 2
        while address in self.used_emails:
            address = f"{base}{number}@{domain}"
            number += 1
        self.used_emails.add(address)
        return address

    def revenue(self) -> float:
        return float(self.pick((250, 500, 750, 1_200, 2_500, 4_000, 8_000, 15_000, 40_000)) * 1000)

    def industry(self) -> str:
        return str(self.pick([v for v in INDUSTRIES if v != NONE]))

    def lead_source(self) -> str:
        return str(self.pick([v for v in LEAD_SOURCES if v != NONE]))

    def _companies(self, count: int) -> list[_Company]:
        names = [(s, k) for s in words.COMPANY_STEMS for k in words.COMPANY_KINDS]
        chosen = self.rng.sample(names, count)
        out = []
        for stem, kind in chosen:
            suffix = self.pick(words.COMPANY_SUFFIXES)
            domain = re.sub(r"[^a-z]", "", f"{stem}{kind}".lower()) + ".example"
            street = f"{self.rng.randint(1, 980)} {self.pick(words.STREET_NAMES)}"
            out.append(
                _Company(
                    f"{stem} {kind} {suffix}", domain, self.pick(words.PLACES), street, self.phone()
                )
            )
        return out

    # -- modules -----------------------------------------------------------------------------------

    def account(self, index: int) -> dict[str, Any]:
        company = self.companies[index]
        city, state, country, code = company.place
        ownership = self.pick(OWNERSHIPS)
        record: dict[str, Any] = {
            "Account_Name": company.name,
            "Account_Type": self.pick(ACCOUNT_TYPES),
            "Industry": self.industry(),
            "Annual_Revenue": self.revenue(),
            "Employees": self.pick((12, 45, 120, 250, 800, 1_500, 5_000, 12_000)),
            "Ownership": ownership,
            "Rating": self.pick(RATINGS[:2]),
            "Phone": company.phone,
            "Website": f"https://www.{company.domain}",
            "Account_Number": 100_000 + index,
            "Billing_Street": company.street,
            "Billing_City": city,
            "Billing_State": state,
            "Billing_Code": code,
            "Billing_Country": country,
            "Shipping_Street": company.street,
            "Shipping_City": city,
            "Shipping_State": state,
            "Shipping_Code": code,
            "Shipping_Country": country,
        }
        if ownership == "Public":
            record["Ticker_Symbol"] = re.sub(r"[^A-Z]", "", company.name.upper())[:4]
        return record

    def contact(self, index: int) -> dict[str, Any]:
        # Every account gets at least two contacts, the rest are spread at random.
        accounts = COUNTS["Accounts"]
        account = index % accounts if index < 2 * accounts else self.rng.randrange(accounts)
        self.account_of.append(account)
        self.contacts_of.setdefault(account, []).append(index)
        company = self.companies[account]
        city, state, country, code = company.place
        first, last = self.person()
        record: dict[str, Any] = {
            "Salutation": self.pick(("Mr.", "Ms.", "Mrs.", "Dr.")),
            "First_Name": first,
            "Last_Name": last,
            "Account_Name": Ref("Accounts", account),
            "Email": self.email(first, last, company.domain),
            "Title": self.pick(words.JOB_TITLES),
            "Department": self.pick(words.DEPARTMENTS),
            "Phone": company.phone,
            "Mobile": self.phone(),
            "Lead_Source": self.lead_source(),
            "Mailing_Street": company.street,
            "Mailing_City": city,
            "Mailing_State": state,
            "Mailing_Zip": code,
            "Mailing_Country": country,
        }
        if self.chance(0.3):
            record["Date_of_Birth"] = date(
                self.rng.randint(1960, 1998), self.rng.randint(1, 12), self.rng.randint(1, 28)
            ).isoformat()
        return record

    def product(self, index: int) -> dict[str, Any]:
        name, code, category, manufacturer, price, unit = words.PRODUCTS[index]
        record: dict[str, Any] = {
            "Product_Name": name,
            "Product_Code": code,
            "Product_Category": category,
            "Manufacturer": manufacturer,
            "Unit_Price": price,
            "Usage_Unit": unit,
            "Product_Active": index != len(words.PRODUCTS) - 1,
            "Taxable": category == "Hardware",
            "Sales_Start_Date": self.day(-700, -200).isoformat(),
        }
        if category == "Hardware":
            record["Tax"] = ["Sales Tax"]
            record["Qty_in_Stock"] = float(self.rng.randint(0, 400))
            record["Reorder_Level"] = 25.0
        return record

    def campaign(self, index: int) -> dict[str, Any]:
        name, kind = words.CAMPAIGNS[index]
        start = self.day(-200, 60)
        budget = float(self.rng.randint(2, 40) * 500)
        status = "Complete" if start < self.today - timedelta(days=60) else "Active"
        if start > self.today:
            status = "Planning"
        record: dict[str, Any] = {
            "Campaign_Name": name,
            "Type": kind,
            "Status": status,
            "Start_Date": start.isoformat(),
            "End_Date": (start + timedelta(days=self.rng.randint(14, 60))).isoformat(),
            "Budgeted_Cost": budget,
            "Expected_Revenue": budget * self.rng.randint(3, 12),
            "Expected_Response": self.rng.randint(20, 400),
        }
        if status != "Planning":
            record["Actual_Cost"] = round(budget * self.rng.uniform(0.6, 1.1), 2)
            record["Num_sent"] = self.rng.randint(500, 20_000)
        return record

    def lead(self, index: int) -> dict[str, Any]:
        company = self.companies[COUNTS["Accounts"] + index]
        city, state, country, code = company.place
        first, last = self.person()
        record: dict[str, Any] = {
            "Salutation": self.pick(("Mr.", "Ms.", "Mrs.", "Dr.")),
            "First_Name": first,
            "Last_Name": last,
            "Company": company.name,
            "Designation": self.pick(words.JOB_TITLES),
            "Email": self.email(first, last, company.domain),
            "Phone": company.phone,
            "Lead_Source": self.lead_source(),
            "Lead_Status": self.pick(LEAD_STATUSES),
            "Industry": self.industry(),
            "Annual_Revenue": self.revenue(),
            "No_of_Employees": self.pick((8, 25, 60, 150, 400, 1_000, 3_000)),
            "Rating": self.pick(RATINGS[:2]),
            "Website": f"https://www.{company.domain}",
            "Street": company.street,
            "City": city,
            "State": state,
            "Zip_Code": code,
            "Country": country,
        }
        if self.chance(0.5):
            record["Mobile"] = self.phone()
        if self.chance(0.1):
            record["Email_Opt_Out"] = True
        return record

    def deal(self, index: int) -> dict[str, Any]:
        account = index % COUNTS["Accounts"]
        company = self.companies[account]
        stage = self.weighted(DEAL_STAGES)
        closed = stage.startswith("Closed")
        record: dict[str, Any] = {
            "Deal_Name": f"{company.name.rsplit(' ', 1)[0]} - {self.pick(words.DEAL_NEEDS)}",
            "Account_Name": Ref("Accounts", account),
            "Stage": stage,
            "Amount": float(self.rng.randint(4, 300) * 250),
            "Closing_Date": (self.day(-150, -1) if closed else self.day(3, 180)).isoformat(),
            "Type": self.pick(("New Business", "Existing Business")),
            "Lead_Source": self.lead_source(),
        }
        contacts = self.contacts_of.get(account)
        if contacts:
            record["Contact_Name"] = Ref("Contacts", self.pick(contacts))
        if not closed:
            record["Next_Step"] = self.pick(words.NEXT_STEPS)
        if self.chance(0.3):
            record["Campaign_Source"] = Ref("Campaigns", self.rng.randrange(COUNTS["Campaigns"]))
        return record

    def case(self) -> dict[str, Any]:
        contact = self.rng.randrange(COUNTS["Contacts"])
        account = self.account_of[contact]
        status = self.pick(("New", "New", "On Hold", "Escalated", "Closed", "Closed"))
        record: dict[str, Any] = {
            "Subject": self.pick(words.CASE_SUBJECTS),
            "Status": status,
            "Case_Origin": self.pick(("Email", "Phone", "Web")),
            "Priority": self.pick(("High", "Medium", "Medium", "Low")),
            "Type": self.pick(("Problem", "Feature Request", "Question")),
            "Account_Name": Ref("Accounts", account),
            "Related_To": Ref("Contacts", contact),
            "Product_Name": Ref("Products", self.rng.randrange(COUNTS["Products"])),
            "Phone": self.companies[account].phone,
        }
        if status == "Closed":
            record["Solution"] = "Resolved with the customer; steps shared by e-mail."
        return record

    def related(self) -> dict[str, Any]:
        """What an activity is about: a deal or an account with one of its contacts, or a lead."""
        kind = self.pick(("Deals", "Deals", "Accounts", "Leads"))
        if kind == "Leads":
            return {"What_Id": Ref("Leads", self.rng.randrange(COUNTS["Leads"]))}
        index = self.rng.randrange(COUNTS[kind])
        account = index % COUNTS["Accounts"] if kind == "Deals" else index
        out: dict[str, Any] = {"What_Id": Ref(kind, index)}
        contacts = self.contacts_of.get(account)
        if contacts:
            out["Who_Id"] = Ref("Contacts", self.pick(contacts))
        return out

    def task(self) -> dict[str, Any]:
        due = self.day(-30, 30)
        status = "Completed" if due < self.today and self.chance(0.7) else None
        return {
            "Subject": self.pick(words.TASK_SUBJECTS),
            "Due_Date": due.isoformat(),
            "Status": status or self.pick(("Not Started", "In Progress", "Waiting for input")),
            "Priority": self.pick(("High", "Normal", "Normal", "Low")),
            **self.related(),
        }

    def call(self) -> dict[str, Any]:
        record: dict[str, Any] = {"Subject": self.pick(words.CALL_SUBJECTS), **self.related()}
        if self.chance(0.25):  # a scheduled call: outbound, in the future, no outcome yet
            record.update(
                {
                    "Call_Type": "Outbound",
                    "Call_Start_Time": self.moment(1, 21),
                    "Call_Purpose": self.pick(("Prospecting", "Negotiation", "Demo")),
                    "Call_Agenda": "Walk through open questions and agree next steps.",
                }
            )
            return record
        record.update(
            {
                "Call_Type": self.pick(("Outbound", "Outbound", "Inbound")),
                "Call_Start_Time": self.moment(-60, -1),
                "Call_Duration": f"{self.rng.randint(2, 45):02d}:{self.rng.randint(0, 59):02d}",
                "Call_Purpose": self.pick(("Prospecting", "Negotiation", "Demo", "Project")),
                "Call_Result": self.pick(
                    ("Interested", "Requested more info", "Requested call back", "Not interested")
                ),
            }
        )
        return record

    def event(self) -> dict[str, Any]:
        start_day = self.day(-20, 30)
        hour = self.rng.randint(9, 16)
        length = self.pick((30, 60, 60, 90))
        end_hour, end_minute = divmod(hour * 60 + length, 60)
        return {
            "Event_Title": self.pick(words.MEETING_TITLES),
            "Venue": self.pick(words.VENUES),
            "Start_DateTime": f"{start_day.isoformat()}T{hour:02d}:00:00+00:00",
            "End_DateTime": f"{start_day.isoformat()}T{end_hour:02d}:{end_minute:02d}:00+00:00",
            **self.related(),
        }

    def note(self) -> dict[str, Any]:
        title, content = self.pick(words.NOTE_TEXTS)
        parent = self.pick(("Deals", "Deals", "Accounts", "Leads", "Contacts"))
        return {
            "Note_Title": title,
            "Note_Content": content,
            "Parent_Id": Ref(parent, self.rng.randrange(COUNTS[parent])),
        }


# --- inserting ----------------------------------------------------------------------------------


def has_records(runtime: Runtime, org_id: int) -> bool:
    with runtime.db.read_org(org_id) as scope:
        return scope.execute(scope.select(records, records.c.id).limit(1)).first() is not None


def seed_demo(
    runtime: Runtime,
    org_id: int,
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    caller: Caller | None = None,
) -> dict[str, int]:
    """Insert the demo records as the org's admin (or ``caller``); the count per module."""
    caller = caller or admin_caller(runtime, org_id)
    meta = runtime.metadata.get(caller.org.id, caller.org.metadata_version)
    ids: dict[str, list[int]] = {}
    for module_name, rows in generate(seed, today or runtime.clock.now().date()).items():
        module = meta.module(module_name)
        if module is None:
            raise DemoDataError(f"the org has no {module_name} module")
        ids[module_name] = []
        for start in range(0, len(rows), BATCH_SIZE):
            batch = [resolve_refs(row, ids) for row in rows[start : start + BATCH_SIZE]]
            for result in insert_records(runtime, caller, module, batch):
                if result.get("status") != "success":
                    raise DemoDataError(f"a demo {module_name} record was refused: {result}")
                ids[module_name].append(int(result["details"]["id"]))
    return {name: len(found) for name, found in ids.items()}


def resolve_refs(record: dict[str, Any], ids: dict[str, list[int]]) -> dict[str, Any]:
    """``record`` with every :class:`Ref` replaced by ``{"id": ...}`` of the inserted target."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Ref):
            out[key] = {"id": str(ids[value.module][value.index])}
            if key in MULTI_MODULE_LOOKUPS:
                out["$se_module"] = value.module
        else:
            out[key] = value
    return out


# --- credentials --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccess:
    """What a person needs to call the demo org at once: a client and fresh tokens."""

    client_id: str
    client_secret: str
    refresh_token: str
    access_token: str
    expires_in: int
    scope: str


def demo_access(runtime: Runtime, org_id: int, user_id: int) -> DemoAccess:
    """The "zcrm demo" self client (created once; its secret rotated on every call, as only
    its hash is stored) and a full-access refresh + access token for ``user_id``."""
    existing = oauth.find_client_by_name(runtime, DEMO_CLIENT_NAME, org_id)
    if existing is None:
        client = oauth.create_client(
            runtime, name=DEMO_CLIENT_NAME, client_type="self", org_id=org_id
        )
        client_id, secret = client.client_id, client.client_secret
    else:
        client_id = existing.client_id
        secret = oauth.rotate_client_secret(runtime, client_id)
    code, _ = oauth.issue_grant_code(
        runtime, client_id=client_id, org_id=org_id, user_id=user_id, scopes=FULL_ACCESS
    )
    grant = oauth.exchange_code(
        runtime, client_id=client_id, client_secret=secret, code=code, redirect_uri=None
    )
    assert grant.refresh_token is not None  # an offline grant always carries one
    return DemoAccess(
        client_id, secret, grant.refresh_token, grant.access_token, grant.expires_in, grant.scope
    )
