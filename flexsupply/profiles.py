"""Former path of ``flexsupply.solve.profiles``, kept so that existing scripts still import."""

from flexsupply.solve.profiles import (
    ProfileError,
    SolverProfile,
    bundled_profiles,
    find_profile,
    installed_engines,
    load_profile,
    parse_profile,
)

__all__ = [
    "ProfileError",
    "SolverProfile",
    "bundled_profiles",
    "find_profile",
    "installed_engines",
    "load_profile",
    "parse_profile",
]
