"""The solve stage: from a scenario to a plan; the only code that calls a backend.

``engine`` (``fs.solve``: demand → model → method → plan), ``settings`` (``SolveSettings``),
``deadline`` (the one time budget of a call), ``methods`` (the registry of solve methods and how
to add one), ``profiles`` (named settings files), ``progress`` (best plan and bound seen),
``stochastic`` (VSS, EVPI), ``explain`` (why no plan), ``simulate`` (a plan on fresh demand),
``inputs`` (plan file or scenario).

``fs.solve`` the function and ``flexsupply.solve`` the package share a name: import from the
modules (``from flexsupply.solve.settings import SolveSettings``), not ``import
flexsupply.solve.x as y``, which finds the function.
"""
