"""Composition root: the app factory, its lifespan, and the `saduak` command."""
