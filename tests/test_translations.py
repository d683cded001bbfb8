"""The English switch: every interface string has its English, and the compiled catalog is current."""
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from zcps.translations.english import ENGLISH, MO

ROOT = Path(__file__).resolve().parent.parent


def test_every_marked_string_has_english_in_the_compiled_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
                                "--no-location", "--omit-header", str(ROOT)])
    with pot.open("rb") as handle:
        source_ids = {message.id for message in read_po(handle) if message.id}
    with MO.open("rb") as handle:
        compiled = {message.id: message.string for message in read_mo(handle) if message.id}
    missing = sorted(source_ids - ENGLISH.keys())
    assert missing == [], "add English for these in zcps/translations/english.py"
    stale = sorted(key for key in source_ids if compiled.get(key) != ENGLISH[key])
    assert stale == [], "run: pybabel extract/update, then python -m zcps.translations.english"
