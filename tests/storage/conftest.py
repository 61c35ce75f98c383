"""The storage contract runs against both backends: the disk, and S3 through moto's standalone server over HTTP.

moto's server (`moto.server.ThreadedMotoServer`) is a real HTTP endpoint on a free local port: boto3 talks to it
exactly as to a bucket elsewhere (no in-process patching of boto3).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import boto3
import pytest

S3_SETTINGS = {"S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": "test-key", "S3_SECRET_ACCESS_KEY": "test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    stop: Callable[[], None]

    def settings(self, **extra) -> dict:
        return {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": self.endpoint, "S3_BUCKET": self.bucket,
                **S3_SETTINGS, **extra}

    def keys(self) -> list[str]:
        """Every key in the bucket, read straight from the server (not through the app)."""
        client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                              aws_access_key_id="test-key", aws_secret_access_key="test-secret")
        return [item["Key"] for item in client.list_objects_v2(Bucket=self.bucket).get("Contents", [])]


def start_s3(bucket: str) -> S3Server:
    """A moto S3 server on a free port with one empty bucket."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test-key",
                 aws_secret_access_key="test-secret").create_bucket(Bucket=bucket)
    return S3Server(endpoint, bucket, server.stop)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = start_s3("nexphys-test-uploads")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_app(app, app_factory, s3_server):
    """The app with the S3 backend (same database, tenants and migrations as `app`)."""
    return app_factory(**s3_server.settings())


@pytest.fixture(params=["local", "s3"])
def backend_app(request, app):
    """Each contract test once per backend."""
    return app if request.param == "local" else request.getfixturevalue("s3_app")
