"""Managing who may use the assistant, and which chat group belongs to which store."""

from __future__ import annotations

from domain.errors import DomainError, NotFound
from domain.staff import Permission, Role, StaffMember


def add_staff(uow, actor: StaffMember, telegram_user_id: int, role: str, location_code: str, name: str = "") -> StaffMember:  # type: ignore[no-untyped-def]
    """An admin grants (or changes) someone's role at a location."""
    actor.require(Permission.MANAGE_STAFF)
    if role not in {r.value for r in Role}:
        raise DomainError("unknown_role", role=role)
    if uow.locations.get(location_code) is None:
        raise NotFound("unknown_location", location=location_code)
    person = uow.staff.get(telegram_user_id)
    if person is None:
        person = StaffMember(telegram_user_id, name or str(telegram_user_id), Role(role), [location_code])
    else:
        person.role = Role(role)
        person.active = True
        if location_code not in person.locations:
            person.locations = sorted([*person.locations, location_code])
    uow.staff.save(person)
    uow.commit()
    return person


def link_group(uow, actor: StaffMember, chat_id: int, location_code: str) -> None:  # type: ignore[no-untyped-def]
    """Bind a chat group to a store, so lookups and alerts in it are about that store."""
    actor.require(Permission.LINK_GROUP)
    if uow.locations.get(location_code) is None:
        raise NotFound("unknown_location", location=location_code)
    if not actor.can(Permission.APPROVE_TRANSFER, location_code):  # managers link only their own stores
        raise DomainError("not_your_location", location=location_code)
    uow.locations.link_chat(location_code, chat_id)
    uow.commit()
