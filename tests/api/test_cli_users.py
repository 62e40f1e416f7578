"""``vigie users add/token/list``: users who can sign in, tokens that open the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from vigie.cli import app as cli


def test_users_add_token_list(database_url: str) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["users", "add", "alice", "--role", "buyer", "--password", "long enough pass"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["users", "add", "bob", "--role", "analyst"], input="another password\nanother password\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["users", "add", "alice", "--role", "buyer", "--password", "long enough pass"])
    assert r.exit_code == 2 and "already exists" in r.output
    r = runner.invoke(cli, ["users", "add", "carol", "--role", "boss", "--password", "long enough pass"])
    assert r.exit_code == 2 and "unknown role" in r.output
    r = runner.invoke(cli, ["users", "add", "dave", "--password", "short"])
    assert r.exit_code == 2 and "10 characters" in r.output
    assert runner.invoke(cli, ["users", "token", "nobody"]).exit_code == 2
    r = runner.invoke(cli, ["users", "token", "alice"])
    assert r.exit_code == 0
    token = r.output.strip().splitlines()[-1]
    assert token.startswith("vg_")
    listing = runner.invoke(cli, ["users", "list"]).output
    assert "alice\tbuyer\t1 token(s)" in listing and "bob\tanalyst\t0 token(s)" in listing

    app = create_app(database_url)
    assert app.state.bootstrap_password is None  # users exist: no bootstrap admin
    with TestClient(app) as c:
        me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["name"] == "alice" and "exclusions" in me["permissions"]
