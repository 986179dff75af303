"""Chat: conversations and messages over HTTP, and live updates over graphql-transport-ws."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.models import Conversation as ConversationModel
from carebase.models import Message as MessageModel
from carebase.resolvers.chat import conversations as chat_ops
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.scheduling import appointments as appointment_ops
from carebase.resolvers.scheduling import changes as change_ops
from carebase.resolvers.scheduling.events import appointments_channel
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.live_feed import live_feed
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Client, Viewer, person_of
from carebase.schema.relay import (
    Connection,
    Node,
    decode_id,
    decode_optional_id,
    to_global_id,
)
from carebase.schema.scheduling.types import Appointment


@strawberry.type(description="A chat message.")
class Message(Node):
    body: str = strawberry.field(description="The message text.")
    sent_at: datetime = strawberry.field(description="When it was sent.")
    join_url: str | None = strawberry.field(
        description=(
            "For a message about a video appointment, the caller's link to join it; otherwise null."
        )
    )
    model: strawberry.Private[MessageModel]

    @classmethod
    def from_model(cls, row: MessageModel) -> Message:
        return cls(
            id=to_global_id("Message", row.id),
            body=row.body,
            sent_at=row.created_at,
            join_url=row.join_url,
            model=row,
        )

    @strawberry.field(description="Who sent it (a member or the client).")  # type: ignore[untyped-decorator]
    async def sender(self, info: Info) -> Viewer:
        account = await info.context.loaders.account.load(self.model.sender_id)
        viewer = person_of(account)
        assert viewer is not None
        return viewer

    def _appointment_id(self) -> strawberry.ID | None:
        if self.model.appointment_id is None:
            return None
        return to_global_id("Appointment", self.model.appointment_id)

    appointment_id = strawberry.field(
        resolver=_appointment_id,
        deprecation_reason="Use `appointment { id }`.",
        description="The global id of the appointment this message is for, or null.",
    )

    @strawberry.field(description="The appointment it is about, or null.")  # type: ignore[untyped-decorator]
    async def appointment(self, info: Info) -> Appointment | None:
        ctx = info.context
        row = await appointment_ops.linked_appointment(
            ctx.uow,
            ctx.principal,
            appointment_id=self.model.appointment_id,
            load=ctx.loaders.appointment.load,
        )
        return Appointment.from_model(row) if row else None


@strawberry.type(
    description=(
        "A chat between a client and members of the organization. Its members and the client."
    )
)
class Conversation(Node):
    last_message_at: datetime | None = strawberry.field(
        description="When the last message was sent, or null."
    )
    model: strawberry.Private[ConversationModel]

    @classmethod
    def from_model(cls, row: ConversationModel) -> Conversation:
        return cls(
            id=to_global_id("Conversation", row.id),
            last_message_at=row.last_message_at,
            model=row,
        )

    @strawberry.field(description="The client of the conversation.")  # type: ignore[untyped-decorator]
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @strawberry.field(description="How many messages the caller has not read.")  # type: ignore[untyped-decorator]
    async def unread_count(self, info: Info) -> int:
        return await info.context.loaders.unread_count.load(self.model.id)

    @strawberry.field(description="The messages, newest first.")  # type: ignore[untyped-decorator]
    async def messages(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[Message]:
        page = await chat_ops.list_messages(
            info.context.uow,
            info.context.principal,
            self.model,
            page=page_request(first, after),
        )
        return Connection.from_page(page, Message.from_model)


@strawberry.input(description="Input of `startConversation`.")
class StartConversationInput:
    client_id: strawberry.ID = strawberry.field(description="The global id of the client.")
    member_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The global ids of the members taking part."
    )


@strawberry.input(description="Input of `sendMessage`.")
class SendMessageInput:
    conversation_id: strawberry.ID = strawberry.field(
        description="The global id of the conversation."
    )
    body: str = strawberry.field(description="The message text (not empty).")
    appointment_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The global id of an appointment of the conversation's client"
            " the message is about, optional."
        ),
    )


@strawberry.input(description="Input of `markConversationRead`.")
class MarkConversationReadInput:
    conversation_id: strawberry.ID = strawberry.field(
        description="The global id of the conversation."
    )


@strawberry.input(description="Input of `removeConversationMember`.")
class RemoveConversationMemberInput:
    conversation_id: strawberry.ID = strawberry.field(
        description="The global id of the conversation."
    )
    member_id: strawberry.ID = strawberry.field(
        description="The global id of the member to remove."
    )


@strawberry.type
class ConversationPayload(Payload):
    conversation: Conversation | None = strawberry.field(
        default=None, description="The conversation after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: ConversationModel, info: Info) -> Self:
        return cls(conversation=Conversation.from_model(result))


@strawberry.type(description="Result of `startConversation`.")
class StartConversationPayload(ConversationPayload):
    pass


@strawberry.type(description="Result of `markConversationRead`.")
class MarkConversationReadPayload(ConversationPayload):
    pass


@strawberry.type(description="Result of `removeConversationMember`.")
class RemoveConversationMemberPayload(ConversationPayload):
    pass


@strawberry.type(description="Result of `sendMessage`.")
class SendMessagePayload(Payload):
    message: Message | None = strawberry.field(
        default=None, description="The message sent; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: MessageModel, info: Info) -> Self:
        return cls(message=Message.from_model(result))


@strawberry.type
class ChatQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The caller's conversations, latest activity first. Members "
            "with `chat:read`, or the client."
        )
    )
    async def conversations(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[Conversation]:
        page = await chat_ops.list_conversations(
            info.context.uow, info.context.principal, page=page_request(first, after)
        )
        return Connection.from_page(page, Conversation.from_model)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=("One conversation by global id; null when not found or not the caller's.")
    )
    async def conversation(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The conversation's global id.")
        ],
    ) -> Conversation | None:
        row = await chat_ops.get_conversation(
            info.context.uow, info.context.principal, decode_id(id, "Conversation"), field="id"
        )
        return Conversation.from_model(row)


@strawberry.type
class ChatMutation:
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Start a conversation between a client and members. Members "
            "with `chat:write`, or the client. Errors: `INVALID_INPUT`, "
            "`NOT_FOUND`, `FORBIDDEN`."
        )
    )
    async def start_conversation(
        self,
        info: Info,
        input: Annotated[StartConversationInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> StartConversationPayload:
        ctx = info.context

        async def op() -> ConversationModel:
            members = None
            if input.member_ids is not None:
                members = [decode_id(m, "Member", field="memberIds") for m in input.member_ids]
            return await chat_ops.start_conversation(
                ctx.uow,
                ctx.principal,
                client_id=decode_id(input.client_id, "Client", field="clientId"),
                member_ids=members,
            )

        return await mutate(info, StartConversationPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Send a message in a conversation (delivered to "
            "`messageReceived` subscribers). Its members and the client. "
            "Errors: `INVALID_INPUT`, `NOT_FOUND`, `FORBIDDEN`."
        )
    )
    async def send_message(
        self,
        info: Info,
        input: Annotated[SendMessageInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> SendMessagePayload:
        ctx = info.context

        async def op() -> MessageModel:
            return await chat_ops.send_message(
                ctx.uow,
                ctx.principal,
                conversation_id=decode_id(
                    input.conversation_id, "Conversation", field="conversationId"
                ),
                body=input.body,
                appointment_id=decode_optional_id(
                    input.appointment_id, "Appointment", field="appointmentId"
                ),
            )

        return await mutate(info, SendMessagePayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Mark every message of a conversation read by the caller. "
            "Errors: `NOT_FOUND`, `FORBIDDEN`."
        )
    )
    async def mark_conversation_read(
        self,
        info: Info,
        input: Annotated[
            MarkConversationReadInput, strawberry.argument(description=MUTATION_INPUT)
        ],
    ) -> MarkConversationReadPayload:
        ctx = info.context

        async def op() -> ConversationModel:
            return await chat_ops.mark_conversation_read(
                ctx.uow,
                ctx.principal,
                conversation_id=decode_id(
                    input.conversation_id, "Conversation", field="conversationId"
                ),
            )

        return await mutate(info, MarkConversationReadPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Remove a member from a conversation. Owners and admins, or "
            "the member themself. Errors: `NOT_FOUND`, `FORBIDDEN`."
        )
    )
    async def remove_conversation_member(
        self,
        info: Info,
        input: Annotated[
            RemoveConversationMemberInput, strawberry.argument(description=MUTATION_INPUT)
        ],
    ) -> RemoveConversationMemberPayload:
        ctx = info.context

        async def op() -> ConversationModel:
            return await chat_ops.remove_participant(
                ctx.uow,
                ctx.principal,
                conversation_id=decode_id(
                    input.conversation_id, "Conversation", field="conversationId"
                ),
                member_id=decode_id(input.member_id, "Member", field="memberId"),
            )

        return await mutate(info, RemoveConversationMemberPayload, op)


AFTER_MESSAGE = (
    "Reconnecting: the id of the last message this client saw. The messages after it are "
    "sent first (oldest first, at most 500), then live ones, none twice."
)
AFTER_CHANGE = (
    "Reconnecting: the id of the last appointment change this client saw (the last entry "
    "of an appointment's `history`). Each appointment changed since is sent first, once, "
    "as it is now (in the order of its latest change), then live changes, none twice."
)


@strawberry.type(
    description=("Live updates over WebSocket (`graphql-transport-ws` at `/graphql`).")
)
class Subscription:
    @strawberry.subscription(  # type: ignore[untyped-decorator]
        description="New messages of a conversation the caller takes part in; with `after`, "
        "what was missed first."
    )
    async def message_received(
        self,
        info: Info,
        conversation_id: Annotated[
            strawberry.ID, strawberry.argument(description="The conversation's global id.")
        ],
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER_MESSAGE)] = (
            None
        ),
    ) -> AsyncGenerator[Message, None]:
        ctx = info.context
        key = decode_id(conversation_id, "Conversation", field="conversationId")
        after_key = decode_optional_id(after, "Message", field="after")
        async with ctx.db.unit_of_work(write=True) as uow:
            ctx.open(uow)
            await chat_ops.get_conversation(uow, ctx.principal, key)
        # listening before the catch-up is read: nothing falls between the two
        async with live_feed(ctx, chat_ops.conversation_channel(key)) as events:
            told: set[uuid.UUID] = set()
            if after_key is not None:
                async with ctx.db.unit_of_work(write=True) as uow:
                    ctx.open(uow)
                    missed = await chat_ops.messages_after(
                        uow, ctx.principal, conversation_id=key, after_message_id=after_key
                    )
                for row in missed:
                    told.add(row.id)
                    async with ctx.db.unit_of_work(write=True) as uow:
                        ctx.open(uow)
                        yield Message.from_model(row)
            async for event in events:
                async with ctx.db.unit_of_work(write=True) as uow:
                    ctx.open(uow)
                    if "removed" in event:
                        if not await chat_ops.still_participant(uow, ctx.principal, key):
                            return  # removed from the conversation: this subscription ends
                        continue
                    message_id = uuid.UUID(event["message_id"])
                    if message_id in told:
                        continue  # the catch-up sent it already
                    message = await chat_ops.message_for_subscriber(uow, ctx.principal, message_id)
                    if message is None:
                        return
                    yield Message.from_model(message)

    @strawberry.subscription(  # type: ignore[untyped-decorator]
        description="Appointments of the caller's organization as they change (a client: "
        "only their own); with `after`, what was missed first."
    )
    async def appointment_changed(
        self,
        info: Info,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER_CHANGE)] = (
            None
        ),
    ) -> AsyncGenerator[Appointment, None]:
        """Members get their organization's changes, a client only their own."""
        ctx = info.context
        after_key = decode_optional_id(after, "AppointmentChange", field="after")
        async with ctx.db.unit_of_work(write=True) as uow:
            ctx.open(uow)
            await appointment_ops.list_appointments(
                uow,
                ctx.principal,
                filter=appointment_ops.AppointmentFilter(),
                page=page_request(0, None),
            )  # the same policy as reading appointments
        assert ctx.principal.organization_id
        channel = appointments_channel(ctx.principal.organization_id)
        async with live_feed(ctx, channel) as events:
            told: frozenset[uuid.UUID] = frozenset()
            if after_key is not None:
                async with ctx.db.unit_of_work(write=True) as uow:
                    ctx.open(uow)
                    missed = await change_ops.changes_after(
                        uow, ctx.principal, after_change_id=after_key
                    )
                told = missed.change_ids
                for row in missed.appointments:
                    async with ctx.db.unit_of_work(write=True) as uow:
                        ctx.open(uow)
                        yield Appointment.from_model(row)
            async for event in events:
                change = event.get("change_id")
                if change is not None and uuid.UUID(change) in told:
                    continue  # the catch-up sent this appointment as it is after this change
                async with ctx.db.unit_of_work(write=True) as uow:
                    ctx.open(uow)
                    changed = await appointment_ops.find_appointment(
                        uow, ctx.principal, uuid.UUID(event["appointment_id"])
                    )
                    if changed is not None:
                        yield Appointment.from_model(changed)
