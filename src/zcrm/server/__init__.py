"""The zcrm server: the Zoho CRM v6 API, the accounts (OAuth) server and their storage."""
