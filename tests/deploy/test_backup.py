"""The backup of docs/deploy.md, restored once: deploy/backup dumps, pg_restore brings it back."""

import os
import subprocess

import pytest
from django.db import connection

from tests.deploy.conftest import ROOT
from tests.integration.conftest import database_url

pytestmark = pytest.mark.integration


@pytest.fixture
def scratch_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    base = database_url().rsplit("/", 1)[0]
    subprocess.run(
        ["dropdb", "--if-exists", "--maintenance-db", f"{base}/postgres", name], check=True, capture_output=True
    )
    yield name, f"{base}/{name}", f"{base}/postgres"
    subprocess.run(
        ["dropdb", "--if-exists", "--maintenance-db", f"{base}/postgres", name], check=True, capture_output=True
    )


def test_a_dump_restores_into_a_new_database_with_the_event(transactional_db, event, tmp_path, scratch_database):
    name, url, maintenance = scratch_database
    dumped = subprocess.run(
        [str(ROOT / "deploy" / "backup"), str(tmp_path)],
        env={**os.environ, "DATABASE_URL": database_url()},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert dumped.startswith(str(tmp_path / "livehub-")) and dumped.endswith(".dump")
    # docs/deploy.md's restore: createdb, then pg_restore --no-owner --dbname.
    subprocess.run(["createdb", "--maintenance-db", maintenance, name], check=True, capture_output=True)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}", dumped], check=True, capture_output=True)
    codes = subprocess.run(
        ["psql", url, "-tAc", "SELECT code FROM livesessions_event"], check=True, capture_output=True, text=True
    ).stdout.split()
    assert codes == [event.code]
