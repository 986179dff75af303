"""One unit of work per query or mutation, over HTTP and WebSocket alike.

Subscriptions open their own per event (a subscription lives longer than any transaction).
A unit of work that cannot open or commit answers a masked error, never the exception's
text: an exception escaping an extension would pass strawberry's masking by.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from carebase.schema.context import Context

log = logging.getLogger("carebase.graphql")


class UnitOfWorkExtension(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if (
            not isinstance(context, Context)
            or context.has_scope
            or execution.operation_type is OperationType.SUBSCRIPTION
        ):
            yield
            return
        # A mutation takes SQLite's write lock up front (upgrading a read transaction fails
        # at once when another writer got in first); a query reads in a plain transaction and
        # writes its audit rows after. The unit of work commits even when a field failed
        # unexpectedly: each mutation ran in its own savepoint (a failed one left nothing),
        # and what was read must stay audited.
        query = execution.operation_type is OperationType.QUERY
        boundary = context.db.unit_of_work(write=not query, reads=query)
        try:
            uow = await boundary.__aenter__()
        except Exception as exc:
            log.exception("could not open the request's unit of work")
            execution.result = GraphQLExecutionResult(data=None, errors=[_unexpected(exc)])
            yield
            return
        token = context.open(uow)
        failed: BaseException | None = None
        try:
            yield
        except BaseException as exc:  # re-raised below, after rolling back
            failed = exc
        finally:
            context.close(token)
        try:
            if failed is None:
                await boundary.__aexit__(None, None, None)
            else:
                await boundary.__aexit__(type(failed), failed, failed.__traceback__)
        except Exception as exc:
            if exc is failed:
                raise
            log.exception("the request's unit of work failed to commit")
            result = execution.result
            if isinstance(result, GraphQLExecutionResult):
                # the very object strawberry returns: what it says must not outlive the failure
                result.data = None
                result.errors = [_unexpected(exc)]
            return
        if failed is not None:
            raise failed


def _unexpected(exc: Exception) -> GraphQLError:
    """Masked on the way out (the original error is no DomainError)."""
    return GraphQLError("Unexpected error.", original_error=exc)
