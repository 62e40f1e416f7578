"""User commands: ``vigie users add NAME --role ROLE [--password ...]``,
``vigie users token NAME`` (an API token for scripts, shown once) and ``vigie users list``."""

from __future__ import annotations

from typing import Annotated

import typer

from store.db import session_scope
from store.users import ROLES, create_user, get_user, mint_token
from vigie.commands.core import database_url, fail
from vigie.errors import UserError

MIN_PASSWORD = 10




def add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="viewer | analyst | buyer | admin")] = "viewer",
    password: Annotated[str | None, typer.Option("--password", help="Prompted (hidden) when not given.")] = None,
) -> None:
    """Add a user who signs in to the dashboard with a password (hashed with argon2)."""
    from api.auth import hash_password

    if role not in ROLES:
        fail(f"--role: unknown role {role!r} (expected one of {', '.join(ROLES)})")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        fail(f"--password: at least {MIN_PASSWORD} characters")
    try:
        with session_scope(database_url()) as session:
            create_user(session, name, role, hash_password(password))
    except UserError as exc:
        fail(str(exc))
    typer.echo(f"user {name.strip()} added with role {role}")


def token(
    name: Annotated[str, typer.Argument(help="An existing user.")],
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
) -> None:
    """Mint an API token for NAME (use it as 'Authorization: Bearer TOKEN'); shown once."""
    with session_scope(database_url()) as session:
        user = get_user(session, name)
        if user is None:
            fail(f"no user named {name!r}; add one with 'vigie users add {name} --role ROLE'")
            return
        value = mint_token(session, user, label)
    typer.echo(value)


def list_users() -> None:
    """Every user with their role and how many API tokens they hold."""
    from sqlalchemy import func, select

    from store.models import ApiToken, User

    with session_scope(database_url()) as session:
        tokens = dict(session.execute(select(ApiToken.user_id, func.count()).group_by(ApiToken.user_id)).tuples().all())
        for user in session.scalars(select(User).order_by(User.name)):
            typer.echo(f"{user.name}\t{user.role}\t{tokens.get(user.id, 0)} token(s)")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    users = typer.Typer(no_args_is_help=True, help="Dashboard users and API tokens.")
    users.command("add")(add)
    users.command("token")(token)
    users.command("list")(list_users)
    app.add_typer(users, name="users")
