"""Resolvers of the org area."""
