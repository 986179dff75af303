"""Resolvers of the scheduling area."""
