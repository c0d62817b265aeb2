"""Who may do what. Enforced here, so no entry point can skip it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import NotAllowed


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"


class Permission(StrEnum):
    LOOKUP = "lookup"
    SCAN = "scan"
    COUNT = "count"
    REQUEST_TRANSFER = "request_transfer"
    HANDLE_TRANSFER = "handle_transfer"  # ship from / receive at one's own location
    APPROVE_TRANSFER = "approve_transfer"
    APPROVE_COUNT = "approve_count"
    SEE_COSTS = "see_costs"
    SEE_REPORTS = "see_reports"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    LINK_GROUP = "link_group"
    MANAGE_STAFF = "manage_staff"
    MANAGE_OUTBOX = "manage_outbox"


_STAFF = frozenset(
    {Permission.LOOKUP, Permission.SCAN, Permission.COUNT, Permission.REQUEST_TRANSFER, Permission.HANDLE_TRANSFER}
)
_MANAGER = _STAFF | {
    Permission.APPROVE_TRANSFER,
    Permission.APPROVE_COUNT,
    Permission.SEE_COSTS,
    Permission.SEE_REPORTS,
    Permission.MANAGE_CAMPAIGNS,
    Permission.LINK_GROUP,
}
_ADMIN = _MANAGER | {Permission.MANAGE_STAFF, Permission.MANAGE_OUTBOX}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {Role.STAFF: _STAFF, Role.MANAGER: _MANAGER, Role.ADMIN: _ADMIN}

# Actions a manager may take only for their own locations; admins act chain-wide.
_LOCATION_BOUND = frozenset(
    {Permission.APPROVE_TRANSFER, Permission.APPROVE_COUNT, Permission.HANDLE_TRANSFER, Permission.COUNT}
)


@dataclass(slots=True)
class StaffMember:
    telegram_user_id: int
    name: str
    role: Role
    locations: list[str] = field(default_factory=list)
    phone: str | None = None
    email: str | None = None
    active: bool = True

    @property
    def actor(self) -> str:
        return f"staff:{self.telegram_user_id}"

    @property
    def home(self) -> str | None:
        return self.locations[0] if self.locations else None

    def can(self, permission: Permission, location_code: str | None = None) -> bool:
        if not self.active or permission not in ROLE_PERMISSIONS[self.role]:
            return False
        if self.role is Role.ADMIN or location_code is None or permission not in _LOCATION_BOUND:
            return True
        return location_code in self.locations

    def require(self, permission: Permission, location_code: str | None = None) -> None:
        if not self.can(permission, location_code):
            raise NotAllowed(permission=permission.value, role=self.role.value, location=location_code or "")

    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS[self.role] if self.active else frozenset()
