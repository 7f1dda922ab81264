"""The command line finds its database beside the config file, from any folder, and says
so when it finds no config file instead of making an empty database (both databases)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli import main
from tests.cli.test_cli import write_server_config
from tests.conftest import SECRET
from tests.smtpserver import SmtpServer


def run(*args: str, config_env: str | None = None) -> tuple[int, str, str]:
    """`outreach ARGS` with no database named in the environment, only the config's."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OUTREACH_DATABASE_URL", "OUTREACH_CONFIG")}
    env["OUTREACH_SECRET_KEY"] = SECRET
    if config_env is not None:
        env["OUTREACH_CONFIG"] = config_env
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_commands_run_elsewhere_use_the_database_beside_the_config(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite = database_url.startswith("sqlite")
    config = write_server_config(campaign_dir, smtp_server.port)
    url = "sqlite:///outreach.db" if sqlite else database_url  # relative to the file
    config.write_text(config.read_text(encoding="utf-8")
                      + f'[database]\nurl = "{url}"\n', encoding="utf-8")
    targets = campaign_dir / "targets" / "clean-water.csv"
    for folder in ("elsewhere", "other"):
        (tmp_path / folder).mkdir()

    monkeypatch.chdir(tmp_path / "elsewhere")
    code, _, err = run("--config", "../config/test-outreach.toml", "import", str(targets),
                       "--campaign", "clean-water")
    assert code == 0, err
    monkeypatch.chdir(tmp_path / "other")
    code, out, err = run("export", "targets", "clean-water", config_env=str(config))
    assert code == 0, err
    assert len(list(csv.DictReader(io.StringIO(out)))) == 23
    code, out, err = run("--config", str(config), "db", "upgrade")
    assert code == 0, err
    if sqlite:
        assert f"database at sqlite:///{campaign_dir}/outreach.db is up to date" in out
        assert (campaign_dir / "outreach.db").exists()
    assert not (tmp_path / "elsewhere" / "outreach.db").exists()
    assert not (tmp_path / "other" / "outreach.db").exists()


@pytest.mark.parametrize("args", [
    ["status"], ["db", "upgrade"], ["review"], ["tasks"], ["export", "signers", "x"],
    ["stakeholders", "x"], ["review", "accept", "1", "--by", "ana"],
])
def test_a_command_that_finds_no_config_file_says_where_it_looked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*args)
    assert code == 2, err
    assert err.startswith("error: no server config file: "
                          f"{tmp_path}/config/outreach.toml does not exist"), err
    assert "OUTREACH_CONFIG" in err and "--config FILE" in err
    assert list(tmp_path.iterdir()) == []  # no empty database made


def test_a_config_file_named_but_missing_is_named(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("status", config_env=str(tmp_path / "nowhere.toml"))
    assert code == 2
    assert err.startswith(f"error: {tmp_path / 'nowhere.toml'}: invalid configuration")
    assert "file not found" in err


def test_classify_needs_no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    reply = tmp_path / "reply.eml"
    reply.write_bytes(b"From: Ana <ana@river.example>\r\nSubject: Re: sign on?\r\n\r\n"
                      b"Yes, list us as Friends of the River.\r\n")
    code, out, err = run("classify", str(reply))
    assert code == 0, err
    assert "human sign_on" in out and "Friends of the River" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reply.eml"]
