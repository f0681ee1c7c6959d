"""Errors the write side raises; each message is safe to show to the user as it is."""

from __future__ import annotations


class ServiceError(ValueError):
    """A request that cannot be carried out (answered 400 by the API)."""

    over_limit = False


class ServiceBusy(ServiceError):
    """The server cannot take this request now (its readers are all busy); try again soon."""


class LimitExceeded(ServiceError):
    """A request over one of the server's bounds (answered 422 by the API)."""

    over_limit = True


class ConflictError(ServiceError):
    """The request clashes with the current state (a taken name, a job that already ended)."""
