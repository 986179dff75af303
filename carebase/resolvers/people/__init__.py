"""Resolvers of the people area."""
