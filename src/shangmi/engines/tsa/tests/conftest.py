"""Real test TSAs (openssl ts -reply behind HTTP), shared by the tsa engine tests of one session."""

import pytest

from shangmi.engines.tsa.testing import TestTsa


@pytest.fixture(scope="session")
def rsa_tsa():
    with TestTsa("rsa") as tsa:
        yield tsa


@pytest.fixture(scope="session")
def ec_tsa():
    with TestTsa("ec") as tsa:
        yield tsa


@pytest.fixture(scope="session")
def ec384_tsa():
    with TestTsa("ec384") as tsa:
        yield tsa


@pytest.fixture(scope="session")
def other_tsa():
    """Same names as the others, different keys: a look-alike PKI that must not be trusted."""
    with TestTsa("ec") as tsa:
        yield tsa


@pytest.fixture
def tsa_by_type(rsa_tsa, ec_tsa, ec384_tsa):
    return {"rsa": rsa_tsa, "ec": ec_tsa, "ec384": ec384_tsa}
