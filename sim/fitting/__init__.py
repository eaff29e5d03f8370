"""Learning from the record: the act-response table (:mod:`sim.fitting.table`), maximum
likelihood fits of the reactive policy families (:mod:`sim.fitting.families`,
:mod:`sim.fitting.fit`) and their out-of-sample scores (:mod:`sim.fitting.scores`).

A layer above ``analysis``: it reads documented logs (``scenario``) and writes policy blocks
that validate against the registry (``policies``), and nothing below it needs it.
"""
