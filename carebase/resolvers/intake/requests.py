"""Intake: flows of forms requested when a client starts, filled, skipped, resent; the gate."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, func, select

from carebase.auth.policy import (
    require_authenticated,
    require_member,
    require_reader,
    scoped,
)
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from carebase.models import (
    Account,
    FormRequest,
    FormRequestStatus,
    FormVersion,
    IntakeFlow,
    IntakeGate,
    Organization,
    WebhookEventType,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.notifications import portal_link, queue_email
from carebase.resolvers.core.outbox import record_change
from carebase.resolvers.core.pagination import Load, Order, Page, PageRequest, asc, paginate
from carebase.resolvers.intake.flows import flow_items, get_flow
from carebase.resolvers.intake.forms import (
    Answer,
    form_incomplete,
    missing_required,
    validate_answers,
)
from carebase.resolvers.people.sessions import send_invitation


async def pending_by_form(
    uow: UnitOfWork, client: Account, flow: IntakeFlow
) -> dict[uuid.UUID, FormRequest]:
    """The client's pending requests from ``flow``, by form."""
    rows = await uow.session.execute(
        select(FormRequest)
        .where(
            FormRequest.client_id == client.id,
            FormRequest.intake_flow_id == flow.id,
            FormRequest.status == FormRequestStatus.PENDING,
        )
        .order_by(FormRequest.created_at, FormRequest.position, FormRequest.id)
    )
    found: dict[uuid.UUID, FormRequest] = {}
    for row in rows.scalars():
        found.setdefault(row.form_id, row)
    return found


def form_event(
    uow: UnitOfWork, principal: Principal, request: FormRequest, event_type: WebhookEventType
) -> None:
    record_change(
        uow,
        event_type,
        organization_id=request.organization_id,
        resource_type="FormRequest",
        resource_id=request.id,
        client_id=request.client_id,
        actor_id=principal.account_id,
    )


async def request_flow(
    uow: UnitOfWork,
    principal: Principal,
    client: Account,
    flow: IntakeFlow,
    pending: dict[uuid.UUID, FormRequest] | None = None,
) -> list[FormRequest]:
    """The flow's forms requested of the client, but for those ``pending`` already (by form)
    from this flow: asking again never leaves a form pending twice. Answers the new ones."""
    rows = [
        FormRequest(
            organization_id=client.organization_id,
            client_id=client.id,
            form_id=item.form.id,
            form_version=item.version.version,
            intake_flow_id=flow.id,
            position=position,
            required=item.required,
        )
        for position, item in enumerate(await flow_items(uow, flow))
        if item.form.id not in (pending or {})
    ]
    uow.session.add_all(rows)
    await uow.session.flush()
    for row in rows:
        form_event(uow, principal, row, WebhookEventType.FORM_REQUESTED)
        audit.record(
            uow,
            principal,
            action="write",
            resource="form_request",
            resource_id=row.id,
            client_id=client.id,
            operation="requestIntakeFlow",
            organization_id=client.organization_id,
        )
    return rows


def _intake_paragraph(uow: UnitOfWork, org: Organization) -> str:
    return (
        "Before your first appointment, please complete your intake forms:\n\n"
        f"{portal_link(uow, org, 'intake')}"
    )


async def _email_intake(
    uow: UnitOfWork, client: Account, org: Organization, *, again: bool = False
) -> None:
    await queue_email(
        uow,
        to=client.email,
        subject=f"{'Reminder: your' if again else 'Your'} intake forms for {org.name}",
        body=f"Hello {client.name},\n\n{_intake_paragraph(uow, org)}\n\n{org.name}\n",
        kind="intake_request",
        organization_id=org.id,
        account_id=client.id,
    )


async def request_default_flow(
    uow: UnitOfWork, principal: Principal, client: Account, org: Organization, invited: bool
) -> str | None:
    """When a client starts: the default flow is requested; the invitation (if one goes out
    in the same step, or later) carries the intake link."""
    flow = (
        await uow.session.execute(
            select(IntakeFlow).where(
                IntakeFlow.organization_id == org.id, IntakeFlow.is_default.is_(True)
            )
        )
    ).scalar_one_or_none()
    if flow is None or not await request_flow(uow, principal, client, flow):
        return None
    # a client not invited yet hears nothing: their invitation will carry the link
    return _intake_paragraph(uow, org) if invited else None


async def invitation_paragraph(uow: UnitOfWork, client: Account, org: Organization) -> str | None:
    """The intake link for a client's invitation, while any of their forms is pending."""
    pending = await uow.session.scalar(
        select(func.count())
        .select_from(FormRequest)
        .where(FormRequest.client_id == client.id, FormRequest.status == FormRequestStatus.PENDING)
    )
    return _intake_paragraph(uow, org) if pending else None


async def request_intake_flow(
    uow: UnitOfWork, principal: Principal, *, client_id: uuid.UUID, flow_id: uuid.UUID
) -> list[FormRequest]:
    require_member(principal, "forms", write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    flow = await get_flow(uow, principal, flow_id, field="intakeFlowId")
    pending = await pending_by_form(uow, client, flow)
    rows = await request_flow(uow, principal, client, flow, pending)
    if rows:  # a repeat adds nothing and sends nothing (resendIntakeRequest reminds)
        org = await uow.session.get_one(Organization, client.organization_id)
        await _email_intake(uow, client, org)
    made = {r.form_id: r for r in rows}
    # the flow's pending requests, in its order: the ones just made and those already there
    return [
        made.get(form_id) or pending[form_id]
        for form_id in (uuid.UUID(i["form_id"]) for i in flow.items)
        if form_id in made or form_id in pending
    ]


def _requests(principal: Principal) -> Select[Any]:
    return scoped(
        select(FormRequest), principal, FormRequest.organization_id, FormRequest.client_id
    )


async def get_form_request(
    uow: UnitOfWork,
    principal: Principal,
    request_id: uuid.UUID,
    *,
    write: bool = False,
    field: str = "formRequestId",
) -> FormRequest:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "forms", write=write)
    stmt = _requests(principal).where(FormRequest.id == request_id)
    if write:
        stmt = stmt.with_for_update()
    found: FormRequest | None = (await uow.session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise not_found("No such form request", field)
    audit.record(
        uow,
        principal,
        action="write" if write else "read",
        resource="form_request",
        resource_id=found.id,
        client_id=found.client_id,
    )
    return found


async def submit_form_response(
    uow: UnitOfWork,
    principal: Principal,
    *,
    request_id: uuid.UUID,
    answers: Sequence[Answer],
    finished: bool = True,
) -> FormRequest:
    request = await get_form_request(uow, principal, request_id, write=True)
    if request.status is not FormRequestStatus.PENDING:
        raise invalid("This form was already completed or skipped", "formRequestId")
    version = (
        await uow.session.execute(
            select(FormVersion).where(
                FormVersion.form_id == request.form_id, FormVersion.version == request.form_version
            )
        )
    ).scalar_one()
    merged = validate_answers(version.questions, answers, ip=principal.ip, previous=request.answers)
    if finished:
        missing = missing_required(version.questions, merged)
        if missing:
            raise form_incomplete(version.questions, missing)
        request.status = FormRequestStatus.COMPLETED
        request.completed_at = uow.now()
        form_event(uow, principal, request, WebhookEventType.FORM_COMPLETED)
    request.answers = merged
    request.filled_by_id = principal.account_id
    audit.record(
        uow,
        principal,
        action="write",
        resource="form_request",
        resource_id=request.id,
        client_id=request.client_id,
        operation="submitFormResponse",
    )
    await uow.session.flush()
    return request


async def skip_form_request(
    uow: UnitOfWork, principal: Principal, *, request_id: uuid.UUID, reason: str
) -> FormRequest:
    require_authenticated(principal)
    if not principal.is_member:
        raise forbidden("Only the practice may skip a form")
    request = await get_form_request(uow, principal, request_id, write=True)
    if request.status is not FormRequestStatus.PENDING:
        raise invalid("Only a pending form can be skipped", "formRequestId")
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise invalid("Give a reason (up to 2,000 characters)", "reason")
    request.status = FormRequestStatus.SKIPPED
    form_event(uow, principal, request, WebhookEventType.FORM_SKIPPED)
    request.skip_reason = reason
    request.skipped_by_id = principal.account_id
    audit.record(
        uow,
        principal,
        action="write",
        resource="form_request",
        resource_id=request.id,
        client_id=request.client_id,
        operation="skipFormRequest",
    )
    return request


async def resend_intake_request(
    uow: UnitOfWork, principal: Principal, *, client_id: uuid.UUID
) -> list[FormRequest]:
    require_member(principal, "forms", write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    pending = list(
        (
            await uow.session.execute(
                select(FormRequest)
                .where(
                    FormRequest.client_id == client.id,
                    FormRequest.status == FormRequestStatus.PENDING,
                )
                .order_by(FormRequest.created_at, FormRequest.position)
            )
        ).scalars()
    )
    if not pending:
        raise invalid("This client has no pending forms", "clientId")
    org = await uow.session.get_one(Organization, client.organization_id)
    if client.password_hash is None:
        # never accepted: a fresh invitation, carrying the intake link
        await send_invitation(uow, client, org, extra=_intake_paragraph(uow, org))
    else:
        await _email_intake(uow, client, org, again=True)
    audit.record(
        uow,
        principal,
        action="write",
        resource="form_request",
        client_id=client.id,
        operation="resendIntakeRequest",
    )
    return pending


@dataclass(frozen=True)
class FormRequestFilter:
    client_id: uuid.UUID | None = None
    status: FormRequestStatus | None = None


# oldest first, a flow's forms in its order; cursors carry these values
REQUEST_ORDER = Order(
    "form_requests", asc(FormRequest.created_at), asc(FormRequest.position), asc(FormRequest.id)
)


def request_key(r: FormRequest) -> tuple[Any, ...]:
    return (r.created_at, r.position, r.id)


async def list_form_requests(
    uow: UnitOfWork, principal: Principal, *, filter: FormRequestFilter, page: PageRequest
) -> Page[FormRequest]:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "forms")
    stmt = _requests(principal)
    if filter.client_id:
        stmt = stmt.where(FormRequest.client_id == filter.client_id)
    if filter.status:
        stmt = stmt.where(FormRequest.status == filter.status)
    result = await paginate(uow, stmt, page, REQUEST_ORDER)
    for r in result.items:
        audit.record(
            uow,
            principal,
            action="read",
            resource="form_request",
            resource_id=r.id,
            client_id=r.client_id,
        )
    return result


async def has_pending_required(uow: UnitOfWork, client_id: uuid.UUID) -> bool:
    count = (
        await uow.session.execute(
            select(func.count())
            .select_from(FormRequest)
            .where(
                FormRequest.client_id == client_id,
                FormRequest.status == FormRequestStatus.PENDING,
                FormRequest.required.is_(True),
            )
        )
    ).scalar_one()
    return bool(count)


async def intake_gate(uow: UnitOfWork, principal: Principal) -> IntakeGate | None:
    """The gate closing this client's portal now (PORTAL or BOOKING), or None."""
    if not principal.is_client or principal.client_id is None:
        return None
    assert principal.organization_id
    key = ("intake_gate", principal.client_id)
    if key in uow.memo:
        return cast(IntakeGate | None, uow.memo[key])
    org = await uow.session.get_one(Organization, principal.organization_id)
    # kept alive with the answer: the session's identity map holds rows weakly, and the
    # operation reads the organization again
    uow.memo[("organization", org.id)] = org
    gate: IntakeGate | None = org.intake_gate
    if gate is IntakeGate.OFF or not await has_pending_required(uow, principal.client_id):
        gate = None
    uow.memo[key] = gate
    return gate


def intake_required() -> DomainError:
    return DomainError(ErrorCode.INTAKE_REQUIRED, "Complete your intake forms first")


async def booking_gate(
    uow: UnitOfWork, principal: Principal, client: Account, org: Organization
) -> None:
    if principal.is_client and await intake_gate(uow, principal) is not None:
        raise intake_required()


async def load_form_requests(
    uow: UnitOfWork, principal: Principal, client_ids: Sequence[uuid.UUID]
) -> list[list[FormRequest]]:
    """Each client's requests, for DataLoaders: one query whatever the number of clients."""
    rows = await uow.session.execute(
        _requests(principal)
        .where(FormRequest.client_id.in_(client_ids))
        .order_by(FormRequest.created_at, FormRequest.position, FormRequest.id)
    )
    grouped: dict[uuid.UUID, list[FormRequest]] = {c: [] for c in client_ids}
    for r in rows.scalars():
        grouped[r.client_id].append(r)
        audit.record(
            uow,
            principal,
            action="read",
            resource="form_request",
            resource_id=r.id,
            client_id=r.client_id,
        )
    return [grouped[c] for c in client_ids]


async def client_form_requests(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    load: Load[uuid.UUID, list[FormRequest]],
) -> list[FormRequest]:
    """``Client.formRequests``: a client reads their own, a member or key needs forms:read.
    ``load`` is the request's batch loader over ``load_form_requests``."""
    require_reader(principal, "forms")
    return await load(client_id)


async def pending_intake(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    load: Load[uuid.UUID, list[FormRequest]],
) -> list[FormRequest]:
    """``Client.pendingIntake``: the required requests still pending, read as
    ``client_form_requests``."""
    require_reader(principal, "forms")
    rows = await load(client_id)
    return [r for r in rows if r.required and r.status is FormRequestStatus.PENDING]
