import pytest


@pytest.fixture(autouse=True)
def own_log(settings, tmp_path):
    """Each test gets its own data directory: the log on disk is not rolled back with the database."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.EVIDENCE_TSA_URL = ""
    return settings.DATA_DIR


@pytest.fixture
def material():
    from shangmi.engines.tlog.material import digest_bytes

    def make(text: str):
        return digest_bytes(text.encode())

    return make
