"""A demo practice: an organization, two providers and some clients, with a progress bar."""

from __future__ import annotations

from rich.progress import Progress

from carebase.auth.passwords import hash_password
from carebase.config import Settings
from carebase.db import Database
from carebase.models import Account, Organization, Role
from carebase.resolvers.core.checks import now
from carebase.resolvers.reactions import build_hooks

DEMO_PASSWORD = "demo-practice-2026"
FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun"]
LAST = ["Moss", "Reyes", "Okafor", "Lund", "Silva", "Novak", "Park", "Haddad"]


async def seed_demo(settings: Settings, *, clients: int = 20) -> None:
    db = Database(settings, hooks=build_hooks())
    password = hash_password(DEMO_PASSWORD, settings.password_hash_cost)
    steps = 3 + clients
    with Progress() as progress:
        task = progress.add_task("Seeding the demo practice", total=steps)
        async with db.unit_of_work(write=True) as uow:
            org = Organization(name="Evergreen Wellness (demo)", timezone="America/New_York")
            uow.session.add(org)
            await uow.session.flush()
            progress.advance(task)
            people = [
                ("Olivia Owner", "owner@demo.carebase.local", Role.OWNER),
                ("Priya Provider", "priya@demo.carebase.local", Role.PROVIDER),
                ("Sam Provider", "sam@demo.carebase.local", Role.PROVIDER),
            ]
            providers = []
            for name, email, role in people[:3]:
                member = Account(
                    organization_id=org.id,
                    email=email,
                    name=name,
                    role=role,
                    timezone=org.timezone,
                    password_hash=password,
                    invitation_accepted_at=now(),
                )
                uow.session.add(member)
                providers.append(member)
            await uow.session.flush()
            progress.advance(task, 2)
            for i in range(clients):
                first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
                uow.session.add(
                    Account(
                        organization_id=org.id,
                        email=f"{first.lower()}.{last.lower()}{i}@demo.carebase.local",
                        name=f"{first} {last}",
                        role=Role.CLIENT,
                        timezone=org.timezone,
                        password_hash=password,
                        invitation_accepted_at=now(),
                        provider_id=providers[1 + i % 2].id,
                    )
                )
                progress.advance(task)
    await db.dispose()
    print(f"Demo practice ready. Sign in as owner@demo.carebase.local / {DEMO_PASSWORD}")


async def seed_large_practice(settings: Settings, *, scale: float = 1.0) -> None:
    """``carebase seed --size large``: the benchmarks' practice (see ``carebase.seed_large``)."""
    from carebase.seed_large import seed_large

    size = await seed_large(settings, password=DEMO_PASSWORD, scale=scale)
    print(
        f"Large practice ready: {size.providers} providers, {size.clients} clients, "
        f"{size.appointments} appointments. "
        f"Sign in as owner@demo.carebase.local / {DEMO_PASSWORD}"
    )
