"""zcrm: a self-hostable CRM that speaks the Zoho CRM REST API v6, and a client for it."""

__version__ = "0.1.0"

__all__ = ["__version__"]
