"""Resolvers of the billing area."""
