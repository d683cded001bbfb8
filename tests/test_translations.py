"""The English switch: every interface string has its English, and the compiled catalog is current."""
import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from zcps.translations.english import ENGLISH, MO, key

ROOT = Path(__file__).resolve().parent.parent
# Chinese characters and the punctuation of Chinese text.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]")


def as_compiled(string):
    return tuple(string) if isinstance(string, list | tuple) else string


def test_every_marked_string_has_english_in_the_compiled_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2",
                                "-o", str(pot), "--no-location", "--omit-header", str(ROOT)])
    with pot.open("rb") as handle:
        source_ids = {key(message) for message in read_po(handle) if message.id}
    with MO.open("rb") as handle:
        compiled = {key(message): as_compiled(message.string)
                    for message in read_mo(handle) if message.id}
    missing = sorted(source_ids - ENGLISH.keys(), key=str)
    assert missing == [], "add English for these in zcps/translations/english.py"
    stale = sorted((k for k in source_ids if compiled.get(k) != ENGLISH[k]), key=str)
    assert stale == [], "run: pybabel extract/update, then python -m zcps.translations.english"
    unused = sorted(ENGLISH.keys() - source_ids, key=str)
    assert unused == [], "the interface no longer says these: remove them from english.py"


def test_the_english_has_no_chinese_in_it():
    """What an English reader reads is English, whatever the Chinese it stands for."""
    def texts(english):
        return english if isinstance(english, tuple) else (english,)

    chinese = {source: english for source, english in ENGLISH.items()
               if any(CHINESE.search(text) for text in texts(english))}
    assert chinese == {}
