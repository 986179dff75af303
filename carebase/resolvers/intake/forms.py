"""Forms: typed questions with stable keys, versioned once requested; answers validated."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from carebase.auth.policy import org_id, require_manager
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.models import Form, FormRequest, FormVersion, QuestionType
from carebase.resolvers.core.checks import check_name, now
from carebase.resolvers.core.pagination import in_order

KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
CHOICES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
YES = {"yes", "true", "y", "1"}
NO = {"no", "false", "n", "0"}


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    label: str
    type: QuestionType
    required: bool = False
    options: list[str] | None = None


@dataclass(frozen=True)
class Answer:
    question_key: str
    value: str | None = None
    values: list[str] | None = None


def _check_questions(questions: Sequence[QuestionSpec]) -> list[dict[str, Any]]:
    if not questions:
        raise invalid("A form needs at least one question", "questions")
    if len(questions) > 200:
        raise invalid("At most 200 questions", "questions")
    seen: set[str] = set()
    result = []
    for i, q in enumerate(questions):
        field = ["questions", str(i)]
        if not KEY.match(q.key):
            raise invalid(
                "A key is lower case letters, digits and _ (from a letter)", [*field, "key"]
            )
        if q.key in seen:
            raise invalid(f"The key {q.key!r} is used twice", [*field, "key"])
        seen.add(q.key)
        label = check_name(q.label, [*field, "label"], max_length=500)
        options = None
        if q.type in CHOICES:
            options = [o.strip() for o in (q.options or []) if o.strip()]
            if len(options) < 2 or len(set(options)) != len(options):
                raise invalid("A choice needs two or more distinct options", [*field, "options"])
        elif q.options:
            raise invalid("Only choice questions have options", [*field, "options"])
        result.append(
            {
                "key": q.key,
                "label": label,
                "type": q.type.value,
                "required": q.required,
                "options": options,
            }
        )
    return result


async def create_form(
    uow: UnitOfWork, principal: Principal, *, name: str, questions: Sequence[QuestionSpec]
) -> tuple[Form, FormVersion]:
    require_manager(principal, "forms")
    form = Form(organization_id=org_id(principal), name=check_name(name), version=1)
    uow.session.add(form)
    await uow.session.flush()
    version = FormVersion(
        form_id=form.id, version=1, name=form.name, questions=_check_questions(questions)
    )
    uow.session.add(version)
    await uow.session.flush()
    return form, version


async def get_form(
    uow: UnitOfWork, principal: Principal, form_id: uuid.UUID, field: str = "id"
) -> Form:
    found = (
        await uow.session.execute(
            select(Form).where(
                Form.id == form_id, Form.organization_id == principal.organization_id
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise not_found("No such form", field)
    return found


async def current_version(uow: UnitOfWork, form: Form) -> FormVersion:
    return (
        await uow.session.execute(
            select(FormVersion).where(
                FormVersion.form_id == form.id, FormVersion.version == form.version
            )
        )
    ).scalar_one()


async def update_form(
    uow: UnitOfWork,
    principal: Principal,
    *,
    form_id: uuid.UUID,
    name: str | None,
    questions: Sequence[QuestionSpec] | None,
) -> tuple[Form, FormVersion]:
    """Keeps the id; once requests exist the edit is a new version, the old one kept as sent."""
    require_manager(principal, "forms")
    form = await get_form(uow, principal, form_id)
    version = await current_version(uow, form)
    new_name = check_name(name) if name is not None else form.name
    new_questions = _check_questions(questions) if questions is not None else version.questions
    requested = (
        await uow.session.execute(
            select(func.count())
            .select_from(FormRequest)
            .where(FormRequest.form_id == form.id, FormRequest.form_version == form.version)
        )
    ).scalar_one()
    form.name = new_name
    if requested:
        form.version += 1
        version = FormVersion(
            form_id=form.id, version=form.version, name=new_name, questions=new_questions
        )
        uow.session.add(version)
    else:
        version.name = new_name
        version.questions = new_questions
    await uow.session.flush()
    return form, version


async def archive_form(uow: UnitOfWork, principal: Principal, form_id: uuid.UUID) -> Form:
    require_manager(principal, "forms")
    form = await get_form(uow, principal, form_id)
    form.archived_at = form.archived_at or uow.now()
    return form


async def load_forms(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[Form | None]:
    """Forms by id, in order, for DataLoaders; the ids come from requests already scoped."""
    rows = await uow.session.execute(select(Form).where(Form.id.in_(ids)))
    return in_order(rows.scalars(), ids, lambda f: f.id)


async def load_versions(
    uow: UnitOfWork, keys: Sequence[tuple[uuid.UUID, int]]
) -> list[FormVersion | None]:
    form_ids = {k[0] for k in keys}
    rows = await uow.session.execute(select(FormVersion).where(FormVersion.form_id.in_(form_ids)))
    found = {(v.form_id, v.version): v for v in rows.scalars()}
    return [found.get(k) for k in keys]


def validate_answers(
    questions: list[dict[str, Any]],
    answers: Sequence[Answer],
    *,
    ip: str | None,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """Merge ``answers`` into what was saved; each value checked against its question."""
    by_key = {q["key"]: q for q in questions}
    result = dict(previous or {})
    for i, answer in enumerate(answers):
        question = by_key.get(answer.question_key)
        field = ["answers", str(i)]
        if question is None:
            raise invalid(f"The form has no question {answer.question_key!r}", field)
        label = question["label"]
        kind = QuestionType(question["type"])
        raw = answer.value.strip() if isinstance(answer.value, str) else None
        if kind is QuestionType.MULTIPLE_CHOICE:
            values = answer.values if answer.values is not None else ([raw] if raw else [])
            bad = [v for v in values if v not in question["options"]]
            if bad:
                raise invalid(f"{label}: {bad[0]!r} is not one of the options", field)
            result[question["key"]] = list(dict.fromkeys(values))
            continue
        if answer.values is not None:
            raise invalid(f"{label}: give one value, not a list", field)
        if not raw:
            result.pop(question["key"], None)
            continue
        result[question["key"]] = _coerce(kind, raw, question, label, field, ip)
    return result


def _coerce(
    kind: QuestionType,
    raw: str,
    question: dict[str, Any],
    label: str,
    field: list[str],
    ip: str | None,
) -> Any:
    if kind is QuestionType.TEXT:
        if len(raw) > 1000:
            raise invalid(f"{label}: keep it under 1,000 characters", field)
        return raw
    if kind is QuestionType.LONG_TEXT:
        if len(raw) > 20000:
            raise invalid(f"{label}: keep it under 20,000 characters", field)
        return raw
    if kind is QuestionType.SINGLE_CHOICE:
        if raw not in question["options"]:
            raise invalid(f"{label}: {raw!r} is not one of the options", field)
        return raw
    if kind is QuestionType.DATE:
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise invalid(f"{label}: give a date as YYYY-MM-DD", field) from None
    if kind is QuestionType.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            raise invalid(f"{label}: give a number", field) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise invalid(f"{label}: give a number", field)
        return int(number) if number.is_integer() and "." not in raw else number
    if kind is QuestionType.YES_NO:
        if raw.lower() in YES:
            return True
        if raw.lower() in NO:
            return False
        raise invalid(f"{label}: answer yes or no", field)
    # SIGNATURE: a typed full name, kept with when and from where it was signed
    if len(raw) < 2 or len(raw) > 200:
        raise invalid(f"{label}: type your full name to sign", field)
    return {"name": raw, "signedAt": now().isoformat(), "ip": ip}


def missing_required(questions: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    return [
        q["key"] for q in questions if q["required"] and answers.get(q["key"]) in (None, "", [])
    ]


def form_incomplete(questions: list[dict[str, Any]], missing: list[str]) -> DomainError:
    labels = [q["label"] for q in questions if q["key"] in missing]
    return DomainError(
        ErrorCode.FORM_INCOMPLETE,
        "Answer the required questions: " + "; ".join(labels),
        ["answers", *missing],
    )
