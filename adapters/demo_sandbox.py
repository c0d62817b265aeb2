"""The people and chats of the demo, set up in the sandbox from the database.

With no TELEGRAM_TOKEN, `make demo` runs the bot against the sandbox and a
person picks one of these identities on the chat page: every member of staff,
one group per store (linked to that store), and a few members.
"""

from __future__ import annotations

from adapters.db.unit_of_work import UnitOfWorkFactory
from adapters.telegram_sandbox import TelegramSandbox
from domain.staff import Role

DEMO_TOKEN = "100000001:DEMO-sandbox-token"
GROUP_ID_BASE = -1_000_000_000


def populate_demo_sandbox(sandbox: TelegramSandbox, uow: UnitOfWorkFactory, member_limit: int = 6) -> None:
    sandbox.add_bot(DEMO_TOKEN, "retail_assistant_bot", "零售助手 Retail Assistant")
    with uow() as unit:
        locations = unit.locations.all()
        staff = unit.staff.all()
        members = [m for m in unit.members.with_telegram(limit=member_limit)]
        admins = [s.telegram_user_id for s in staff if s.role is Role.ADMIN]
        for person in staff:
            where = ",".join(person.locations)
            sandbox.add_user(
                person.telegram_user_id,
                person.name,
                language_code="zh-hans",
                label=f"{person.name} · {where} {person.role.value}",
                role=f"{person.role.value} @ {where}",
                phone=person.phone,
                email=person.email,
            )
        for number, location in enumerate(locations, start=1):
            chat_id = location.chat_id or GROUP_ID_BASE - number
            if location.chat_id is None:
                unit.locations.link_chat(location.code, chat_id)
            people = [s.telegram_user_id for s in staff if location.code in s.locations]
            sandbox.add_group(chat_id, f"{location.name} {location.code}", sorted({*people, *admins}))
        for member in members:
            sandbox.add_user(
                member.telegram_user_id,
                member.name,
                language_code="zh-hans",
                label=f"{member.name} · 会员 member {member.member_id}",
                role="member",
                phone=member.phone,
                email=member.email,
            )
        unit.commit()
