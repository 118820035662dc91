"""Test support for zcrm and for integrations built on Zoho CRM.

The pytest plugin (:mod:`zcrm.testing.plugin`, active once zcrm is installed) gives the
fixtures ``zcrm_server``, ``zcrm_org``, ``crm``, ``zcrm_emulator`` and ``zcrm_recorder``
and the ``zoho_verified`` marker. The pieces below are what the fixtures are built from.
"""

from zcrm.testing.emulator import EmulatorControls
from zcrm.testing.live import LiveServer
from zcrm.testing.orgs import ALL_SCOPES, OrgHandle, make_org
from zcrm.testing.recorder import RecordedRequest, Recorder

__all__ = [
    "ALL_SCOPES",
    "EmulatorControls",
    "LiveServer",
    "OrgHandle",
    "RecordedRequest",
    "Recorder",
    "make_org",
]
