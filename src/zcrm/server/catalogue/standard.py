"""The catalogue of Zoho CRM's standard modules.

Each module is declared in a themed file (:mod:`.sales`, :mod:`.activities`,
:mod:`.inventory`, :mod:`.support`); this module assembles them in the order the
modules endpoint lists them. Quotes, Sales_Orders, Purchase_Orders and Invoices are
left out until line-item subforms are supported.
"""

from __future__ import annotations

from .activities import CALLS, EVENTS, NOTES, TASKS
from .inventory import PRICE_BOOKS, PRODUCTS, VENDORS
from .sales import ACCOUNTS, CAMPAIGNS, CONTACTS, DEALS, LEADS
from .spec import ModuleSpec
from .support import CASES, SOLUTIONS

STANDARD_MODULES: tuple[ModuleSpec, ...] = (
    LEADS,
    CONTACTS,
    ACCOUNTS,
    DEALS,
    TASKS,
    EVENTS,
    CALLS,
    PRODUCTS,
    PRICE_BOOKS,
    CAMPAIGNS,
    VENDORS,
    CASES,
    SOLUTIONS,
    NOTES,
)

__all__ = ["STANDARD_MODULES"]
