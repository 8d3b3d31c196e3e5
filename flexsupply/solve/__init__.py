"""The solve stage: from a scenario to a plan; the only code that calls a backend."""
