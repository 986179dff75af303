"""Resolvers of the core area."""
