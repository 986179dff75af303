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
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS, describe_values
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

QuestionType = strawberry.enum(
    QuestionTypeModel, name="QuestionType", description="The kind of answer a question takes."
)

describe_values(
    QuestionType,
    {
        "TEXT": "A short line of text.",
        "LONG_TEXT": "Free text over several lines.",
        "SINGLE_CHOICE": "Exactly one of `options`.",
        "MULTIPLE_CHOICE": "Any of `options`, answered in `AnswerInput.values`.",
        "DATE": "A calendar date, `YYYY-MM-DD`.",
        "NUMBER": "A decimal number.",
        "YES_NO": "`yes` or `no`.",
        "SIGNATURE": ("The signer's typed full name, recorded with who submitted and when."),
    },
)
FormRequestStatus = strawberry.enum(
    FormRequestStatusModel, name="FormRequestStatus", description="Where a form request stands."
)

describe_values(
    FormRequestStatus,
    {
        "PENDING": "Waiting for the client's answers.",
        "COMPLETED": "Submitted with `finished: true`.",
        "SKIPPED": "Skipped by a member (`skipFormRequest`); the reason is kept.",
    },
)


@strawberry.type(description="One question of a form.")
class Question:
    key: str = strawberry.field(
        description=("The question's key, unique within the form; answers are keyed by it.")
    )
    label: str = strawberry.field(description="The question as the client reads it.")
    type: QuestionType = strawberry.field(description="What kind of answer the question takes.")  # type: ignore[valid-type]
    required: bool = strawberry.field(description="True when a finished response must answer it.")
    options: list[str] | None = strawberry.field(
        description=(
            "The choices of a `SINGLE_CHOICE` or `MULTIPLE_CHOICE` question; null for other types."
        )
    )


@strawberry.type(
    description=(
        "An intake form: named, versioned questions. Editing a form "
        "that was requested makes a new version; requests keep "
        "theirs."
    )
)
class Form(Node):
    name: str = strawberry.field(description="The form's name as clients see it.")
    version: int = strawberry.field(
        description=(
            "The version shown, counting from 1; a new one is made when a requested form is edited."
        )
    )
    questions: list[Question] = strawberry.field(
        description="The questions of this version, in order."
    )
    archived: bool = strawberry.field(
        description=("True once archived: it can no longer be added to flows or requested.")
    )

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


@strawberry.type(description="One form of an intake flow.")
class IntakeFlowItem:
    form: Form = strawberry.field(description="The form.")
    required: bool = strawberry.field(
        description=("True when the form is required (pending, it keeps the intake gate closed).")
    )


@strawberry.type(
    description=(
        "An ordered set of forms requested of a client together (e.g."
        " on sign-up); one flow may be the organization's default."
    )
)
class IntakeFlow(Node):
    name: str = strawberry.field(description="The flow's name.")
    is_default: bool = strawberry.field(
        description="True for the flow requested of every new client."
    )
    items: list[IntakeFlowItem] = strawberry.field(
        description="The flow's forms in order, each marked required or optional."
    )

    @strawberry.field(description="The flow's forms in order (the forms of `items`).")  # type: ignore[untyped-decorator]
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


@strawberry.type(
    description=(
        "A form requested of a client (from an intake flow), with its"
        " answers once submitted. Answers are PHI: every read is "
        "audited; members of the organization and the client "
        "themself."
    )
)
class FormRequest(Node):
    form_version: int = strawberry.field(
        description="The version of the form the client was asked to fill in."
    )
    status: FormRequestStatus = strawberry.field(description="Where the request stands.")  # type: ignore[valid-type]
    required: bool = strawberry.field(
        description=(
            "True when the request is required: while it is `PENDING`, "
            "the intake gate may close the client's portal."
        )
    )
    skip_reason: str | None = strawberry.field(
        description=("Why a member skipped the request (`skipFormRequest`), or null.")
    )
    answers: JSON | None = strawberry.field(
        description=(
            "The answers submitted so far, as a JSON object from question"
            " key to value (a string, or a list of strings for "
            "`MULTIPLE_CHOICE`); null before the first submission."
        )
    )
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

    @strawberry.field(description="The client the form was requested of.")  # type: ignore[untyped-decorator]
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @strawberry.field(description="The form, in the version that was requested.")  # type: ignore[untyped-decorator]
    async def form(self, info: Info) -> Form:
        ctx = info.context
        version = await ctx.loaders.form_version.load((self.model.form_id, self.model.form_version))
        form = await ctx.loaders.form.load(self.model.form_id)
        assert version is not None and form is not None
        return Form.of(form, version)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "Who submitted the answers: the client, or a member on their "
            "behalf; null before submission."
        )
    )
    async def filled_by(self, info: Info) -> Viewer | None:
        if self.model.filled_by_id is None:
            return None
        account = await info.context.loaders.account.load(self.model.filled_by_id)
        return person_of(account)


@strawberry.input(description="One question of a form being created or updated.")
class QuestionInput:
    key: str = strawberry.field(
        description=(
            "A key unique within the form (letters, digits, `_`), by which answers are stored."
        )
    )
    label: str = strawberry.field(description="The question as the client reads it.")
    type: QuestionType = strawberry.field(description="What kind of answer the question takes.")  # type: ignore[valid-type]
    required: bool = strawberry.field(
        default=False, description="Whether a finished response must answer it (default false)."
    )
    options: list[str] | None = strawberry.field(
        default=None,
        description=(
            "The choices (at least two) of a `SINGLE_CHOICE` or "
            "`MULTIPLE_CHOICE` question; leave out for other types."
        ),
    )


@strawberry.input(description="Input of `createForm`.")
class CreateFormInput:
    name: str = strawberry.field(
        description="The form's name as clients see it (1 to 200 characters)."
    )
    questions: list[QuestionInput] = strawberry.field(
        description=("The questions, in order (at least one; keys unique within the form).")
    )


@strawberry.input(description="Input of `updateForm`: an omitted field keeps its value.")
class UpdateFormInput:
    id: strawberry.ID = strawberry.field(description="The global id of the form to update.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    questions: list[QuestionInput] | None = strawberry.field(
        default=None, description="The full new list of questions (replaces the current ones)."
    )


@strawberry.input(description="Input of `archiveForm`.")
class ArchiveFormInput:
    id: strawberry.ID = strawberry.field(description="The global id of the form to archive.")


@strawberry.input(description="Input of `createIntakeFlow`.")
class CreateIntakeFlowInput:
    name: str = strawberry.field(description='The flow\'s name (e.g. "New client intake").')
    form_ids: list[strawberry.ID] = strawberry.field(
        description=(
            "The global ids of the flow's forms, in the order the client "
            "fills them in; required unless also listed in "
            "`optionalFormIds`."
        )
    )
    optional_form_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description=(
            "Which of `formIds` are optional (they do not close the intake gate). Default none."
        ),
    )
    is_default: bool = strawberry.field(
        default=False,
        description=(
            "Make this the default flow, requested of every new client "
            "(the previous default stops being it). Default false."
        ),
    )


@strawberry.input(description="Input of `requestIntakeFlow`.")
class RequestIntakeFlowInput:
    client_id: strawberry.ID = strawberry.field(
        description="The global id of the client asked to fill in the forms."
    )
    intake_flow_id: strawberry.ID = strawberry.field(
        description="The global id of the intake flow to request."
    )


@strawberry.input(description="Input of `resendIntakeRequest`.")
class ResendIntakeRequestInput:
    client_id: strawberry.ID = strawberry.field(
        description="The global id of the client to remind."
    )


@strawberry.input(description="One answer of a form response.")
class AnswerInput:
    question_key: str = strawberry.field(description="The `key` of the question answered.")
    value: str | None = strawberry.field(
        default=None,
        description=(
            "The answer of any question but `MULTIPLE_CHOICE`: text, a "
            "`YYYY-MM-DD` date (`DATE`), a number (`NUMBER`), `yes` or "
            "`no` (`YES_NO`), one of the options (`SINGLE_CHOICE`) or the"
            " signer's typed name (`SIGNATURE`)."
        ),
    )
    values: list[str] | None = strawberry.field(
        default=None, description="The chosen options of a `MULTIPLE_CHOICE` question."
    )


@strawberry.input(description="Input of `submitFormResponse`.")
class SubmitFormResponseInput:
    form_request_id: strawberry.ID = strawberry.field(
        description="The global id of the form request answered."
    )
    answers: list[AnswerInput] = strawberry.field(
        description=(
            "The answers, one per question answered (later submissions "
            "replace earlier answers to the same questions)."
        )
    )
    finished: bool = strawberry.field(
        default=True,
        description=(
            "True (default) to complete the request; false to save a draft and keep it `PENDING`."
        ),
    )


@strawberry.input(description="Input of `skipFormRequest`.")
class SkipFormRequestInput:
    form_request_id: strawberry.ID = strawberry.field(
        description="The global id of the pending form request to skip."
    )
    reason: str = strawberry.field(
        description="Why it is skipped (kept on the request, shown to members)."
    )


@strawberry.input(description="Which form requests to list; fields combine with AND.")
class FormRequestFilter:
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this client's requests (global id)."
    )
    status: FormRequestStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only requests in this status."
    )


@strawberry.type
class FormPayload(Payload):
    form: Form | None = strawberry.field(
        default=None, description="The form created, updated or archived; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[FormModel, FormVersionModel], info: Info) -> Self:
        return cls(form=Form.of(*result))


@strawberry.type(description="Result of `createForm`.")
class CreateFormPayload(FormPayload):
    pass


@strawberry.type(description="Result of `updateForm`.")
class UpdateFormPayload(FormPayload):
    pass


@strawberry.type(description="Result of `archiveForm`.")
class ArchiveFormPayload(FormPayload):
    pass


@strawberry.type(description="Result of `createIntakeFlow`.")
class CreateIntakeFlowPayload(Payload):
    intake_flow: IntakeFlow | None = strawberry.field(
        default=None, description="The new intake flow; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: IntakeFlowModel, info: Info) -> Self:
        return cls(intake_flow=await intake_flow_of(info, result))


@strawberry.type
class FormRequestsPayload(Payload):
    form_requests: list[FormRequest] | None = strawberry.field(
        default=None,
        description=(
            "The client's form requests of this flow (new or still pending); null on failure."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: list[FormRequestModel], info: Info) -> Self:
        return cls(form_requests=[FormRequest.from_model(r) for r in result])


@strawberry.type(description="Result of `requestIntakeFlow`.")
class RequestIntakeFlowPayload(FormRequestsPayload):
    pass


@strawberry.type(description=("Result of `resendIntakeRequest`: the client's pending requests."))
class ResendIntakeRequestPayload(FormRequestsPayload):
    pass


@strawberry.type
class FormRequestPayload(Payload):
    form_request: FormRequest | None = strawberry.field(
        default=None, description="The form request after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: FormRequestModel, info: Info) -> Self:
        return cls(form_request=FormRequest.from_model(result))


@strawberry.type(description="Result of `submitFormResponse`.")
class SubmitFormResponsePayload(FormRequestPayload):
    pass


@strawberry.type(description="Result of `skipFormRequest`.")
class SkipFormRequestPayload(FormRequestPayload):
    pass


def _questions(items: list[QuestionInput] | None) -> list[form_ops.QuestionSpec] | None:
    if items is None:
        return None
    return [form_ops.QuestionSpec(q.key, q.label, q.type, q.required, q.options) for q in items]


@strawberry.type
class IntakeQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "Form requests of the organization, newest first; a client "
            "sees only their own. Members with `forms:read`."
        )
    )
    async def form_requests(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        filter: Annotated[
            FormRequestFilter | None,
            strawberry.argument(description="Only the requests that match."),
        ] = None,
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

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "One intake flow with its forms and questions, as a client "
            "would fill them in; null when not found or not the caller's "
            "to read."
        )
    )
    async def intake_flow_preview(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The intake flow's global id.")
        ],
    ) -> IntakeFlow | None:
        flow = await flow_ops.get_flow(
            info.context.uow, info.context.principal, decode_id(id, "IntakeFlow")
        )
        return await intake_flow_of(info, flow)


@strawberry.type
class IntakeMutation:
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Create an intake form with typed questions. Owners and "
            "admins (`forms:write`). Errors: `INVALID_INPUT`, "
            "`FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Rename a form or replace its questions; once the form was "
            "requested, this makes a new version (pending requests keep "
            "theirs). Owners and admins (`forms:write`). Errors: "
            "`INVALID_INPUT`, `NOT_FOUND`, `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Archive a form: it leaves `forms` and can no longer be "
            "requested; answers already given stay. Owners and admins "
            "(`forms:write`). Errors: `NOT_FOUND`, `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Create an intake flow from ordered forms. Owners and admins "
            "(`forms:write`). Errors: `INVALID_INPUT`, `NOT_FOUND`, "
            "`FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Request a flow's forms of a client (emailing them the link);"
            " asking again for the same flow does not duplicate requests "
            "still pending. Members with `forms:write`. Errors: "
            "`NOT_FOUND`, `INVALID_INPUT`, `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Email the client the link to their pending form requests "
            "again. Members with `forms:write`. Errors: `NOT_FOUND`, "
            "`FORBIDDEN`, `RATE_LIMITED`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Save answers to a form request, by the client or by a member"
            " on their behalf (the response records who). With `finished:"
            " true` (default) the request is `COMPLETED` and every "
            "required question must be answered (`FORM_INCOMPLETE`). "
            "Errors: `INVALID_INPUT`, `NOT_FOUND`, "
            "`INVALID_STATUS_TRANSITION`, `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Mark a pending form request `SKIPPED`, with a reason. "
            "Members with `forms:write`. Errors: `NOT_FOUND`, "
            "`INVALID_STATUS_TRANSITION`, `FORBIDDEN`."
        )
    )
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
