"""`flexsupply solvers`: the solver profiles and which engines are installed."""

from __future__ import annotations

import click

from flexsupply.cli.errors import friendly_errors


@click.command()
@friendly_errors
def solvers() -> None:
    """List the solver profiles for --solver and the engines installed here.

    Profiles ship in the solvers/ folder (installed with the package); a profile file of your own is
    given by its path. Flags such as --time-limit override a profile's settings.

    Example: flexsupply solvers
    """
    from flexsupply.solve.profiles import bundled_profiles, find_profile, installed_engines

    click.echo("Profiles (flexsupply solve FILE --solver NAME):")
    profiles = [find_profile(name) for name in bundled_profiles()]
    width = max(len(profile.summary()) for profile in profiles)
    for profile in profiles:
        line = f"  {profile.name:<14} {profile.summary():<{width}}  {profile.description or ''}"
        click.echo(line.rstrip())
    click.echo("\nEngines:")
    for backend, engines in installed_engines().items():
        shown = ", ".join(
            f"{e} ({'installed' if ok else 'not installed'})" for e, ok in engines.items()
        )
        click.echo(f"  {backend:<8} {shown}")
