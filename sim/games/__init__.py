"""Tournaments and evolutionary dynamics over the policy library: round robins of the repeated
game and of the embassy model, Moran processes; run on the sweep's executors."""
