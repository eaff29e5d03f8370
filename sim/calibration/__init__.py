"""``sim calibrate``: scenario parameters that no source gives (processing times, tour lengths)
fitted by simulation to the documented figures of the scenario's log, through ``sim score``.

A layer above ``sweep`` (its runs go through the sweep's executors, its parameter paths are the
sweep's grid keys) and ``analysis`` (each trial is scored as ``sim score`` scores a scenario),
and below ``cli``: ``problem`` (the parameters and the observations fitted or held out),
``runs`` (the task each worker runs: one seed's simulated figures), ``study`` (the optimiser,
resumable in a folder), ``result`` (best values, their spread over seeds, the scores).
"""
