"""Tables of a test's own, for behaviour that reads over everything in the table (see `private_table`
in tests/conftest.py): one CreateTable from infra/template.yaml's FlintTable, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from local.provision import load_template, provision
from tests.support.aws import FAKE_CREDENTIALS, REGION

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"


@contextmanager
def table_of_its_own(endpoint: str) -> Iterator[str]:
    """Create the template's table under a fresh name in the emulator at `endpoint`; yields the name."""
    name = f"flint-t-{uuid.uuid4().hex[:12]}"
    template = load_template(TEMPLATE)
    only_the_table = {
        **template,
        "Resources": {"FlintTable": template["Resources"]["FlintTable"]},
        "Outputs": {},
    }
    session = boto3.Session(
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    provision(only_the_table, parameters={"NamePrefix": name}, session=session, endpoint_url=endpoint)
    try:
        yield name
    finally:
        session.client("dynamodb", endpoint_url=endpoint).delete_table(TableName=name)
