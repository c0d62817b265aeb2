"""The demo chain's people on Telegram: two staff and a manager per store, a pair per warehouse, one admin.

Telegram ids are predictable so a tester can impersonate anyone: staff count
up from 100001 (S01 has 100001 and 100002), managers from 200001 (S01's is
200001) and the admin is 300001.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.demo_chain.locations import Location

FIRST_STAFF_ID = 100001
FIRST_MANAGER_ID = 200001
ADMIN_ID = 300001
ADMIN_LOCATION = "W01"
STAFF_EMAIL_DOMAIN = "staff.example.com"


@dataclass(frozen=True)
class StaffMember:
    telegram_user_id: int
    name: str
    role: str  # staff | manager | admin
    location_code: str
    phone: str
    email: str


def roster(locations: list[Location]) -> list[tuple[int, str, str]]:
    """(telegram id, role, location code) for everyone, in id order within each role."""
    staff, managers = [], []
    for location in locations:
        for _ in range(2 if location.is_store else 1):
            staff.append((FIRST_STAFF_ID + len(staff), "staff", location.code))
        managers.append((FIRST_MANAGER_ID + len(managers), "manager", location.code))
    return staff + managers + [(ADMIN_ID, "admin", ADMIN_LOCATION)]


def build_staff(locations: list[Location], names: list[str], pinyin: list[str], phones: list[str]) -> list[StaffMember]:
    """Give everyone on the roster a name, phone and work email (names/pinyin/phones: one per person)."""
    return [
        StaffMember(user_id, names[i], role, code, phones[i], f"{pinyin[i]}.{user_id}@{STAFF_EMAIL_DOMAIN}")
        for i, (user_id, role, code) in enumerate(roster(locations))
    ]
