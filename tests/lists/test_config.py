"""A list's config file: every mistake is named with its file and field (and line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.errors import ConfigError
from outreach.lists.config import load_list, load_lists
from outreach.resources import bundled

EXAMPLE = (bundled("config") / "lists" / "coalition.toml").read_text(encoding="utf-8")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_list_loads_with_its_derived_addresses(tmp_path: Path) -> None:
    config = load_list(write(tmp_path, "coalition", EXAMPLE))
    assert config.slug == "coalition" and config.prefix == "[coalition]"
    assert config.derived("moderate") == "coalition-moderate@valleywater.org"
    assert config.list_id == "coalition.valleywater.org"


@pytest.mark.parametrize(("old", "new", "field"), [
    ('posting = "members"', 'posting = "everyone"', "posting"),
    ('owners = ["maria@valleywater.org"]', 'owners = ["maria"]', "owners"),
    ('owners = ["maria@valleywater.org"]', "owners = []", "owners"),
    ("max_message_kb = 512", "max_message_kb = 0", "max_message_kb"),
    ('reply_to = "poster"', 'reply_to = "poster"\nreplyto = "list"', "replyto"),
    ('"application/pdf"]', '"pdf"]', "accepted_types"),
    ('address = "coalition@valleywater.org"', 'address = "coalition-join@valleywater.org"',
     "address"),
])
def test_a_mistake_names_the_file_and_the_field(tmp_path: Path, old: str, new: str,
                                                field: str) -> None:
    assert old in EXAMPLE
    path = write(tmp_path, "coalition", EXAMPLE.replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_list(path)
    message = str(raised.value)
    assert str(path) in message and field in message


def test_two_lists_may_not_share_an_address_and_every_bad_file_is_reported(
        tmp_path: Path) -> None:
    write(tmp_path, "coalition", EXAMPLE)
    write(tmp_path, "copy", EXAMPLE)
    write(tmp_path, "Bad Name", EXAMPLE.replace("coalition@", "other@"))
    with pytest.raises(ConfigError) as raised:
        load_lists(tmp_path)
    message = str(raised.value)
    assert "copy.toml" in message and "is also the address of list 'coalition'" in message
    assert "Bad Name.toml" in message and "must be a short name" in message
