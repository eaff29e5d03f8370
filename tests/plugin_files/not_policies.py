"""Defines a class that is not a policy, and a policy with a bad name."""

from sim.policies import Policy


class NotAPolicy:
    name = "not_a_policy"


class BadName(Policy):
    name = "Bad Name"
