"""Configuration errors name the file, the field and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.campaign.config import load_campaign
from outreach.errors import ConfigError, OutreachError
from outreach.settings import load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_example_campaign_loads(campaign_dir: Path) -> None:
    config = load_campaign(campaign_dir / "campaigns" / "clean-water.toml")
    assert config.slug == "clean-water"
    assert config.soft_deadline.tzinfo is not None
    # 17:00 in Los Angeles in January is 01:00 UTC the next day.
    assert config.soft_deadline.isoformat() == "2027-01-16T01:00:00+00:00"
    assert config.draft_url_for(3) == "https://valleywater.org/letter/draft-v3"
    assert [w.name for w in config.waves] == ["early", "everyone"]


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ('timezone = "America/Los_Angeles"', 'timezone = "Mars/Olympus"', "timezone: "),
        ("target_signers = 60", "target_signers = 0", "target_signers: "),
        ("hard_deadline = 2027-02-01T12:00:00", "hard_deadline = 2026-02-01T12:00:00",
         "hard_deadline must not be before soft_deadline"),
        ('days = ["mon", "tue", "wed", "thu"]', 'days = ["mon", "someday"]',
         "send_window.days: "),
        ("end = 16:30:00", "end = 08:00:00", "start 09:00:00 must be before end"),
        ('draft_url = "https://valleywater.org/letter/draft-v{version}"',
         'draft_url = "https://x.example/{versoin}"', "draft_url: "),
        ("individuals_may_sign = false", "individuals_may_sign = false\ncolour = 'red'",
         "colour: unknown field"),
        ('engagement = ["Core", "Comrade"]', 'engagement = ["Best Friends"]',
         "waves.0.engagement.0: "),
    ],
)
def test_campaign_errors_name_file_and_field(campaign_dir: Path, replace: str, by: str,
                                              expected: str) -> None:
    path = campaign_dir / "campaigns" / "clean-water.toml"
    text = path.read_text(encoding="utf-8")
    assert replace in text
    write(path, text.replace(replace, by))
    with pytest.raises(ConfigError) as info:
        load_campaign(path)
    message = str(info.value)
    assert str(path) in message
    assert expected in message


def line_number(text: str, fragment: str) -> int:
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return number


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        # Not a date at all for TOML: the parser stops at it.
        ("soft_deadline = 2027-01-15T17:00:00", "soft_deadline = 2027-02-30T17:00:00",
         "soft_deadline: not valid TOML: Invalid date or datetime (at line {line}, column"),
        ("# on = 2027-02-15", "on = 2027-02-31", "release.on: not valid TOML"),
        # A string where a date belongs: the schema says so.
        ("opens = 2026-12-01", 'opens = "the first of December"',
         "waves.1.opens.date: Input should be a valid date"),
        ("hard_deadline = 2027-02-01T12:00:00", 'hard_deadline = "February"',
         "hard_deadline: Input should be a valid datetime"),
        ("quiet_days = [2026-12-24,", 'quiet_days = ["Christmas Eve",',
         "cadence.quiet_days.0: Input should be a valid date"),
    ],
)
def test_a_bad_date_names_its_field_and_line(campaign_dir: Path, replace: str, by: str,
                                             expected: str) -> None:
    path = campaign_dir / "campaigns" / "clean-water.toml"
    text = path.read_text(encoding="utf-8").replace(replace, by)
    write(path, text)
    with pytest.raises(ConfigError) as info:
        load_campaign(path)
    line = line_number(text, by)
    assert any(problem.startswith(expected.format(line=line)) and f"line {line}" in problem
               for problem in info.value.problems), info.value.problems


def test_a_bad_value_in_the_server_config_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "outreach.toml", '[smtp]\nhost = "mail"\nport = "twenty-five"\n')
    with pytest.raises(OutreachError, match=r"smtp\.port: Input should be a valid integer.* "
                                            r"\(line 3\)"):
        load_settings(path, {})


def test_missing_letter_is_named(campaign_dir: Path) -> None:
    (campaign_dir / "campaigns" / "clean-water.md").unlink()
    with pytest.raises(ConfigError, match=r"letter: file .*clean-water\.md not found"):
        load_campaign(campaign_dir / "campaigns" / "clean-water.toml")


def test_broken_toml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "oops.toml", 'title = "x"\nletter = \n')
    with pytest.raises(ConfigError, match=r"oops\.toml: invalid configuration\n.*line 2"):
        load_campaign(path)


def test_server_settings_and_environment(campaign_dir: Path) -> None:
    settings = load_settings(campaign_dir / "outreach.toml", {
        "OUTREACH_SECRET_KEY": "k", "OUTREACH_SMTP_PASSWORD": "pw",
        "OUTREACH_DATABASE_URL": "sqlite:///elsewhere.db",
    })
    assert settings.smtp.security == "starttls"
    assert settings.smtp_password == "pw"
    assert settings.database.url == "sqlite:///elsewhere.db"
    assert settings.campaigns_dir == campaign_dir / "campaigns"


def test_secrets_are_refused_in_files(tmp_path: Path) -> None:
    path = write(tmp_path / "outreach.toml", 'secret_key = "hunter2"\n')
    with pytest.raises(OutreachError, match="OUTREACH_SECRET_KEY"):
        load_settings(path, {})


def test_server_setting_error_names_field(tmp_path: Path) -> None:
    path = write(tmp_path / "outreach.toml", '[smtp]\nport = 70000\nsecurity = "ssl"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, {})
    assert "smtp.port" in str(info.value)
    assert "smtp.security" in str(info.value)


def test_sending_without_a_secret_key_explains_how_to_set_one(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "outreach.toml", ""), {})
    with pytest.raises(OutreachError, match="OUTREACH_SECRET_KEY is not set"):
        settings.require_secret_key()


def test_every_mail_kind_has_a_template_setting() -> None:
    from outreach.campaign.config import Templates
    from outreach.campaign.mailings import KINDS

    assert set(KINDS) <= set(Templates.model_fields)
    for kind in KINDS.values():
        if kind.by_engagement:
            assert f"{kind.name}_by_engagement" in Templates.model_fields
