"""Insurance policies of a client: at most one PRIMARY and one SECONDARY current at a time;
the subscriber is the client for SELF, else given (name, birth date, sex, address)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from carebase.auth.policy import require_member, require_reader, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import invalid, not_found
from carebase.models import (
    Account,
    InsurancePolicy,
    PlanType,
    PolicyPriority,
    SubscriberRelationship,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.addresses import check_address, check_legal_name, check_sex
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.pagination import Load, grouped

TEXT_FIELDS = {"payer_name": 200, "payer_id": 80, "member_id": 80, "group_number": 80}


def _text(name: str, value: str | None, *, required: bool) -> str | None:
    field = "".join(w if i == 0 else w.title() for i, w in enumerate(name.split("_")))
    text = (value or "").strip()
    if not text:
        if required:
            raise invalid(f"{field} is required", field)
        return None
    if len(text) > TEXT_FIELDS[name]:
        raise invalid(f"{field} is at most {TEXT_FIELDS[name]} characters", field)
    return text


def check_subscriber(value: dict[str, Any]) -> dict[str, Any]:
    born = value.get("date_of_birth")
    if not isinstance(born, date):
        raise invalid("subscriber.dateOfBirth is required", ["subscriber", "dateOfBirth"])
    return {
        "first_name": check_legal_name(value.get("first_name") or "", ["subscriber", "firstName"]),
        "last_name": check_legal_name(value.get("last_name") or "", ["subscriber", "lastName"]),
        "date_of_birth": born.isoformat(),
        "sex": check_sex(value.get("sex") or "", ["subscriber", "sex"]),
        "address": check_address(value.get("address") or {}, ["subscriber", "address"]),
    }


def current_on(policy: InsurancePolicy, day: date) -> bool:
    return (
        policy.removed_at is None
        and (policy.valid_from is None or policy.valid_from <= day)
        and (policy.valid_to is None or day <= policy.valid_to)
    )


def _overlaps(a: InsurancePolicy, b: InsurancePolicy) -> bool:
    a_from, a_to = a.valid_from or date.min, a.valid_to or date.max
    b_from, b_to = b.valid_from or date.min, b.valid_to or date.max
    return a_from <= b_to and b_from <= a_to


async def _check_one_per_priority(uow: UnitOfWork, policy: InsurancePolicy) -> None:
    if policy.valid_from and policy.valid_to and policy.valid_to < policy.valid_from:
        raise invalid("validTo is before validFrom", "validTo")
    others = (
        await uow.session.execute(
            select(InsurancePolicy).where(
                InsurancePolicy.client_id == policy.client_id,
                InsurancePolicy.priority == policy.priority,
                InsurancePolicy.removed_at.is_(None),
                InsurancePolicy.id != policy.id,
            )
        )
    ).scalars()
    if any(_overlaps(policy, other) for other in others):
        raise invalid(
            f"The client already has a {policy.priority.value} policy for these dates",
            "priority",
        )


async def add_policy(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    values: dict[str, Any],
) -> InsurancePolicy:
    require_member(principal, "billing", write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    relationship = SubscriberRelationship(values.get("relationship") or "SELF")
    policy = InsurancePolicy(
        id=uuid.uuid4(),
        organization_id=client.organization_id,
        client_id=client.id,
        payer_name=_text("payer_name", values.get("payer_name"), required=True),
        payer_id=_text("payer_id", values.get("payer_id"), required=True),
        member_id=_text("member_id", values.get("member_id"), required=True),
        group_number=_text("group_number", values.get("group_number"), required=False),
        priority=PolicyPriority(values.get("priority") or "PRIMARY"),
        plan_type=PlanType(values.get("plan_type") or "GROUP_HEALTH"),
        relationship=relationship,
        subscriber=_subscriber_for(relationship, values.get("subscriber")),
        valid_from=values.get("valid_from"),
        valid_to=values.get("valid_to"),
    )
    uow.session.add(policy)
    await _check_one_per_priority(uow, policy)
    await uow.session.flush()
    _audit(uow, principal, policy, "addInsurancePolicy")
    return policy


def _subscriber_for(
    relationship: SubscriberRelationship, subscriber: dict[str, Any] | None
) -> dict[str, Any] | None:
    if relationship is SubscriberRelationship.SELF:
        return None if subscriber is None else check_subscriber(subscriber)
    if subscriber is None:
        raise invalid("Give the subscriber unless the relationship is SELF", "subscriber")
    return check_subscriber(subscriber)


def _audit(uow: UnitOfWork, principal: Principal, policy: InsurancePolicy, op: str) -> None:
    audit.record(
        uow,
        principal,
        action="write",
        resource="insurance_policy",
        resource_id=policy.id,
        client_id=policy.client_id,
        operation=op,
    )


async def _get_policy(
    uow: UnitOfWork, principal: Principal, policy_id: uuid.UUID
) -> InsurancePolicy:
    policy: InsurancePolicy | None = (
        await uow.session.execute(
            scoped(
                select(InsurancePolicy).where(
                    InsurancePolicy.id == policy_id, InsurancePolicy.removed_at.is_(None)
                ),
                principal,
                InsurancePolicy.organization_id,
                InsurancePolicy.client_id,
            ).with_for_update()
        )
    ).scalar_one_or_none()
    if policy is None:
        raise not_found("No such insurance policy", "id")
    return policy


async def update_policy(
    uow: UnitOfWork, principal: Principal, *, policy_id: uuid.UUID, changes: dict[str, Any]
) -> InsurancePolicy:
    require_member(principal, "billing", write=True)
    policy = await _get_policy(uow, principal, policy_id)
    for name in ("payer_name", "payer_id", "member_id"):
        if name in changes:
            setattr(policy, name, _text(name, changes[name], required=True))
    if "group_number" in changes:
        policy.group_number = _text("group_number", changes["group_number"], required=False)
    for name, kind in (("priority", PolicyPriority), ("plan_type", PlanType)):
        if name in changes:
            if changes[name] is None:
                raise invalid("This field cannot be cleared", name)
            setattr(policy, name, kind(changes[name]))
    if "relationship" in changes or "subscriber" in changes:
        given = changes.get("relationship")
        relationship = SubscriberRelationship(given) if given else policy.relationship
        if "subscriber" in changes:
            policy.subscriber = _subscriber_for(relationship, changes["subscriber"])
        elif relationship is SubscriberRelationship.SELF:
            policy.subscriber = None
        elif policy.subscriber is None:
            raise invalid("Give the subscriber unless the relationship is SELF", "subscriber")
        policy.relationship = relationship
    for name in ("valid_from", "valid_to"):
        if name in changes:
            setattr(policy, name, changes[name])
    await _check_one_per_priority(uow, policy)
    _audit(uow, principal, policy, "updateInsurancePolicy")
    return policy


async def remove_policy(
    uow: UnitOfWork, principal: Principal, *, policy_id: uuid.UUID
) -> uuid.UUID:
    require_member(principal, "billing", write=True)
    policy = await _get_policy(uow, principal, policy_id)
    policy.removed_at = uow.now()
    _audit(uow, principal, policy, "removeInsurancePolicy")
    return policy.id


async def load_client_policies(
    uow: UnitOfWork, ids: Sequence[uuid.UUID]
) -> list[list[InsurancePolicy]]:
    """Each client's current policies (not removed), primary first; one query for all."""
    rows = await uow.session.execute(
        select(InsurancePolicy)
        .where(InsurancePolicy.client_id.in_(ids), InsurancePolicy.removed_at.is_(None))
        .order_by(InsurancePolicy.priority, InsurancePolicy.created_at, InsurancePolicy.id)
    )
    return grouped(rows.scalars(), ids, lambda p: p.client_id)


async def client_policies(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client: Account,
    load: Load[uuid.UUID, list[InsurancePolicy]],
) -> list[InsurancePolicy]:
    """``Client.insurancePolicies``: the client reads their own; a member needs billing:read.
    An audited PHI read."""
    require_reader(principal, "billing")
    if principal.is_client and principal.client_id != client.id:
        return []
    policies = await load(client.id)
    if policies:
        audit.record_client_reads(uow, principal, [client.id], resource="insurance_policy")
    return policies


def subscriber_of(policy: InsurancePolicy, client: Account) -> dict[str, Any] | None:
    """The subscriber as printed: the stored one, or for SELF the client's legal identity
    (None while the client lacks a part of it)."""
    if policy.subscriber is not None:
        return policy.subscriber
    if not (client.first_name and client.last_name and client.date_of_birth and client.sex):
        return None
    if client.address is None:
        return None
    return {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "sex": client.sex,
        "address": client.address,
    }
