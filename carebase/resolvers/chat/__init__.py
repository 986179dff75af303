"""Resolvers of the chat area."""
