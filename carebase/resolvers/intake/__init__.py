"""Resolvers of the intake area."""
