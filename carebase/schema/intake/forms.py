"""Forms, intake flows and form requests."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry
from strawberry.scalars import JSON

from carebase.models import Form as FormModel
from carebase.models import FormRequest as FormRequestModel
from carebase.models import FormRequestStatus as FormRequestStatusModel
from carebase.models import FormVersion as FormVersionModel
from carebase.models import IntakeFlow as IntakeFlowModel
from carebase.models import QuestionType as QuestionTypeModel
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.intake import flows as flow_ops
from carebase.resolvers.intake import forms as form_ops
from carebase.resolvers.intake import requests as intake_ops
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Client, Viewer, person_of
from carebase.schema.relay import (
    Connection,
    Node,
    decode_id,
    decode_optional_id,
    to_global_id,
)

QuestionType = strawberry.enum(QuestionTypeModel, name="QuestionType")
FormRequestStatus = strawberry.enum(FormRequestStatusModel, name="FormRequestStatus")


@strawberry.type
class Question:
    key: str
    label: str
    type: QuestionType  # type: ignore[valid-type]
    required: bool
    options: list[str] | None


@strawberry.type
class Form(Node):
    name: str
    version: int
    questions: list[Question]
    archived: bool

    @classmethod
    def of(cls, form: FormModel, version: FormVersionModel) -> Form:
        return cls(
            id=to_global_id("Form", form.id),
            name=version.name,
            version=version.version,
            questions=[
                Question(
                    key=q["key"],
                    label=q["label"],
                    type=QuestionTypeModel(q["type"]),
                    required=q["required"],
                    options=q["options"],
                )
                for q in version.questions
            ],
            archived=form.archived_at is not None,
        )


@strawberry.type
class IntakeFlowItem:
    form: Form
    required: bool


@strawberry.type
class IntakeFlow(Node):
    name: str
    is_default: bool
    items: list[IntakeFlowItem]

    @strawberry.field
    def forms(self) -> list[Form]:
        return [item.form for item in self.items]


async def intake_flow_of(info: Info, flow: IntakeFlowModel) -> IntakeFlow:
    return flow_of(flow, await flow_ops.flow_items(info.context.uow, flow))


def flow_of(flow: IntakeFlowModel, items: list[flow_ops.FlowItem]) -> IntakeFlow:
    return IntakeFlow(
        id=to_global_id("IntakeFlow", flow.id),
        name=flow.name,
        is_default=flow.is_default,
        items=[IntakeFlowItem(form=Form.of(i.form, i.version), required=i.required) for i in items],
    )


@strawberry.type
class FormRequest(Node):
    form_version: int
    status: FormRequestStatus  # type: ignore[valid-type]
    required: bool
    skip_reason: str | None
    answers: JSON | None
    model: strawberry.Private[FormRequestModel]

    @classmethod
    def from_model(cls, row: FormRequestModel) -> FormRequest:
        return cls(
            id=to_global_id("FormRequest", row.id),
            form_version=row.form_version,
            status=row.status,
            required=row.required,
            skip_reason=row.skip_reason,
            answers=row.answers,  # type: ignore[arg-type]
            model=row,
        )

    @strawberry.field
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @strawberry.field
    async def form(self, info: Info) -> Form:
        ctx = info.context
        version = await ctx.loaders.form_version.load((self.model.form_id, self.model.form_version))
        form = await ctx.loaders.form.load(self.model.form_id)
        assert version is not None and form is not None
        return Form.of(form, version)

    @strawberry.field
    async def filled_by(self, info: Info) -> Viewer | None:
        if self.model.filled_by_id is None:
            return None
        account = await info.context.loaders.account.load(self.model.filled_by_id)
        return person_of(account)


@strawberry.input
class QuestionInput:
    key: str
    label: str
    type: QuestionType  # type: ignore[valid-type]
    required: bool = False
    options: list[str] | None = None


@strawberry.input
class CreateFormInput:
    name: str
    questions: list[QuestionInput]


@strawberry.input
class UpdateFormInput:
    id: strawberry.ID
    name: str | None = None
    questions: list[QuestionInput] | None = None


@strawberry.input
class ArchiveFormInput:
    id: strawberry.ID


@strawberry.input
class CreateIntakeFlowInput:
    name: str
    form_ids: list[strawberry.ID]
    optional_form_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    is_default: bool = False


@strawberry.input
class RequestIntakeFlowInput:
    client_id: strawberry.ID
    intake_flow_id: strawberry.ID


@strawberry.input
class ResendIntakeRequestInput:
    client_id: strawberry.ID


@strawberry.input
class AnswerInput:
    question_key: str
    value: str | None = None
    values: list[str] | None = None


@strawberry.input
class SubmitFormResponseInput:
    form_request_id: strawberry.ID
    answers: list[AnswerInput]
    finished: bool = True


@strawberry.input
class SkipFormRequestInput:
    form_request_id: strawberry.ID
    reason: str


@strawberry.input
class FormRequestFilter:
    client_id: strawberry.ID | None = None
    status: FormRequestStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class FormPayload(Payload):
    form: Form | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[FormModel, FormVersionModel], info: Info) -> Self:
        return cls(form=Form.of(*result))


@strawberry.type
class CreateFormPayload(FormPayload):
    pass


@strawberry.type
class UpdateFormPayload(FormPayload):
    pass


@strawberry.type
class ArchiveFormPayload(FormPayload):
    pass


@strawberry.type
class CreateIntakeFlowPayload(Payload):
    intake_flow: IntakeFlow | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: IntakeFlowModel, info: Info) -> Self:
        return cls(intake_flow=await intake_flow_of(info, result))


@strawberry.type
class FormRequestsPayload(Payload):
    form_requests: list[FormRequest] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: list[FormRequestModel], info: Info) -> Self:
        return cls(form_requests=[FormRequest.from_model(r) for r in result])


@strawberry.type
class RequestIntakeFlowPayload(FormRequestsPayload):
    pass


@strawberry.type
class ResendIntakeRequestPayload(FormRequestsPayload):
    pass


@strawberry.type
class FormRequestPayload(Payload):
    form_request: FormRequest | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: FormRequestModel, info: Info) -> Self:
        return cls(form_request=FormRequest.from_model(result))


@strawberry.type
class SubmitFormResponsePayload(FormRequestPayload):
    pass


@strawberry.type
class SkipFormRequestPayload(FormRequestPayload):
    pass


def _questions(items: list[QuestionInput] | None) -> list[form_ops.QuestionSpec] | None:
    if items is None:
        return None
    return [form_ops.QuestionSpec(q.key, q.label, q.type, q.required, q.options) for q in items]


@strawberry.type
class IntakeQuery:
    @strawberry.field
    async def form_requests(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        filter: FormRequestFilter | None = None,
    ) -> Connection[FormRequest]:
        f = filter or FormRequestFilter()
        page = await intake_ops.list_form_requests(
            info.context.uow,
            info.context.principal,
            filter=intake_ops.FormRequestFilter(
                client_id=decode_optional_id(f.client_id, "Client", field="clientId"),
                status=f.status,
            ),
            page=page_request(first, after),
        )
        return Connection.from_page(page, FormRequest.from_model)

    @strawberry.field
    async def intake_flow_preview(self, info: Info, id: strawberry.ID) -> IntakeFlow | None:
        flow = await flow_ops.get_flow(
            info.context.uow, info.context.principal, decode_id(id, "IntakeFlow")
        )
        return await intake_flow_of(info, flow)


@strawberry.type
class IntakeMutation:
    @strawberry.mutation
    async def create_form(
        self,
        info: Info,
        input: Annotated[CreateFormInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> CreateFormPayload:
        ctx = info.context

        async def op() -> tuple[FormModel, FormVersionModel]:
            return await form_ops.create_form(
                ctx.uow, ctx.principal, name=input.name, questions=_questions(input.questions) or []
            )

        return await mutate(info, CreateFormPayload, op)

    @strawberry.mutation
    async def update_form(
        self,
        info: Info,
        input: Annotated[UpdateFormInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> UpdateFormPayload:
        ctx = info.context

        async def op() -> tuple[FormModel, FormVersionModel]:
            return await form_ops.update_form(
                ctx.uow,
                ctx.principal,
                form_id=decode_id(input.id, "Form"),
                name=input.name,
                questions=_questions(input.questions),
            )

        return await mutate(info, UpdateFormPayload, op)

    @strawberry.mutation
    async def archive_form(
        self,
        info: Info,
        input: Annotated[ArchiveFormInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> ArchiveFormPayload:
        ctx = info.context

        async def op() -> tuple[FormModel, FormVersionModel]:
            form = await form_ops.archive_form(ctx.uow, ctx.principal, decode_id(input.id, "Form"))
            return form, await form_ops.current_version(ctx.uow, form)

        return await mutate(info, ArchiveFormPayload, op)

    @strawberry.mutation
    async def create_intake_flow(
        self,
        info: Info,
        input: Annotated[CreateIntakeFlowInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> CreateIntakeFlowPayload:
        ctx = info.context

        async def op() -> IntakeFlowModel:
            return await flow_ops.create_intake_flow(
                ctx.uow,
                ctx.principal,
                name=input.name,
                form_ids=[decode_id(i, "Form", field="formIds") for i in input.form_ids],
                optional_form_ids=[
                    decode_id(i, "Form", field="optionalFormIds") for i in input.optional_form_ids
                ],
                is_default=input.is_default,
            )

        return await mutate(info, CreateIntakeFlowPayload, op)

    @strawberry.mutation
    async def request_intake_flow(
        self,
        info: Info,
        input: Annotated[RequestIntakeFlowInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> RequestIntakeFlowPayload:
        ctx = info.context

        async def op() -> list[FormRequestModel]:
            return await intake_ops.request_intake_flow(
                ctx.uow,
                ctx.principal,
                client_id=decode_id(input.client_id, "Client", field="clientId"),
                flow_id=decode_id(input.intake_flow_id, "IntakeFlow", field="intakeFlowId"),
            )

        return await mutate(info, RequestIntakeFlowPayload, op)

    @strawberry.mutation
    async def resend_intake_request(
        self,
        info: Info,
        input: Annotated[ResendIntakeRequestInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> ResendIntakeRequestPayload:
        ctx = info.context

        async def op() -> list[FormRequestModel]:
            return await intake_ops.resend_intake_request(
                ctx.uow,
                ctx.principal,
                client_id=decode_id(input.client_id, "Client", field="clientId"),
            )

        return await mutate(info, ResendIntakeRequestPayload, op)

    @strawberry.mutation
    async def submit_form_response(
        self,
        info: Info,
        input: Annotated[SubmitFormResponseInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> SubmitFormResponsePayload:
        ctx = info.context

        async def op() -> FormRequestModel:
            return await intake_ops.submit_form_response(
                ctx.uow,
                ctx.principal,
                request_id=decode_id(input.form_request_id, "FormRequest", field="formRequestId"),
                answers=[form_ops.Answer(a.question_key, a.value, a.values) for a in input.answers],
                finished=input.finished,
            )

        return await mutate(info, SubmitFormResponsePayload, op)

    @strawberry.mutation
    async def skip_form_request(
        self,
        info: Info,
        input: Annotated[SkipFormRequestInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> SkipFormRequestPayload:
        ctx = info.context

        async def op() -> FormRequestModel:
            return await intake_ops.skip_form_request(
                ctx.uow,
                ctx.principal,
                request_id=decode_id(input.form_request_id, "FormRequest", field="formRequestId"),
                reason=input.reason,
            )

        return await mutate(info, SkipFormRequestPayload, op)
