"""Server settings: the database lives beside the config file; no config file, no guessing."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.errors import OutreachError
from outreach.settings import load_settings


def config_file(folder: Path, text: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "outreach.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///outreach.db", "sqlite:///{folder}/outreach.db"),
    ("sqlite:///data/o.db?timeout=5", "sqlite:///{folder}/data/o.db?timeout=5"),
    ("sqlite+pysqlite:///o.db", "sqlite+pysqlite:///{folder}/o.db"),
    ("sqlite:////srv/outreach/o.db", "sqlite:////srv/outreach/o.db"),
    ("sqlite:///:memory:", "sqlite:///:memory:"),
    ("postgresql+psycopg://outreach@db.example.org/outreach",
     "postgresql+psycopg://outreach@db.example.org/outreach"),
])
def test_a_relative_sqlite_path_is_relative_to_the_config_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, expected: str) -> None:
    folder = tmp_path / "etc" / "outreach"
    path = config_file(folder, f'[database]\nurl = "{url}"\n')
    monkeypatch.chdir(tmp_path)
    relative = Path("etc/outreach/outreach.toml")
    for given in (path, relative):
        assert load_settings(given, {}).database.url == expected.format(folder=folder)


def test_the_default_database_is_beside_the_config_file_too(tmp_path: Path) -> None:
    path = config_file(tmp_path / "conf")
    assert load_settings(path, {}).database.url == f"sqlite:///{tmp_path}/conf/outreach.db"


def test_the_environment_names_a_database_as_it_is(tmp_path: Path) -> None:
    path = config_file(tmp_path / "conf", '[database]\nurl = "sqlite:///outreach.db"\n')
    settings = load_settings(path, {"OUTREACH_DATABASE_URL": "sqlite:///elsewhere.db"})
    assert settings.database.url == "sqlite:///elsewhere.db"


def test_the_config_is_found_by_environment_or_in_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    named = config_file(tmp_path / "named", '[sender]\nname = "Named"\n')
    config_file(tmp_path / "here" / "config", '[sender]\nname = "Here"\n')
    monkeypatch.chdir(tmp_path / "here")
    assert load_settings(None, {}).sender.name == "Here"
    assert load_settings(None, {"OUTREACH_CONFIG": str(named)}).sender.name == "Named"


def test_no_config_file_is_an_error_that_says_where_it_looked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutreachError) as info:
        load_settings(None, {})
    message = str(info.value)
    assert f"{tmp_path}/config/outreach.toml does not exist" in message
    assert "OUTREACH_CONFIG is not set" in message and "--config FILE" in message
    assert not (tmp_path / "outreach.db").exists()
