"""Storage backends resolve from settings without any network access."""

import importlib.util
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages

import tinhso.config.settings as settings_module


def load_settings(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("tinhso_settings_probe", Path(settings_module.__file__))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_s3_settings_resolve_to_s3_storage(monkeypatch, tmp_path):
    from storages.backends.s3 import S3Storage

    probe = load_settings(monkeypatch, TINHSO_ENV="test", TINHSO_VAR_DIR=str(tmp_path), TINHSO_S3_BUCKET="tinhso-tep",
                          TINHSO_S3_ENDPOINT_URL="http://minio.invalid:9000", TINHSO_S3_REGION="ap-southeast-1")
    storage = storages.create_storage(probe.STORAGES["default"])
    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == "tinhso-tep"
    assert storage.default_acl == "private"
    assert storage.querystring_auth is True
    assert storage.file_overwrite is False


def test_default_is_a_private_local_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("TINHSO_S3_BUCKET", raising=False)
    probe = load_settings(monkeypatch, TINHSO_ENV="test", TINHSO_VAR_DIR=str(tmp_path))
    storage = storages.create_storage(probe.STORAGES["default"])
    assert isinstance(storage, FileSystemStorage)
    assert Path(storage.location) == tmp_path / "media"
