"""Persistence: models, migrations and the queries the rest of Vigie shares."""
