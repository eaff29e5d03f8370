"""Fails while it is imported."""

import math

RATIO = math.sqrt(-1)
