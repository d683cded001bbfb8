"""Every SMS is a fixed template: what users typed goes in cut short and without links."""
import re

import pytest

from models import AuthorizationStatus, Notification
from tests import factories
from zcps.extensions import db
from zcps.workflow import sms

LINK = re.compile(r"https?:|www\.|\b[a-z0-9-]+\.(?:com|cn|net|top|xyz|io)\b|\d+\.\d+\.\d+\.\d+",
                  re.I)


def queued() -> list[Notification]:
    return list(db.session.scalars(db.select(Notification).order_by(Notification.id)))


@pytest.mark.parametrize("name", [
    "张三 http://evil.example/pay 领取补贴",
    "张三HTTPS://x.cn/a?b=1",
    "张三 www.evil-bank.com 核验",
    "张三 点击 evil.top/r 退费",
    "张三 evil。com 退费",
    "张三 10.0.0.1:8080/login",
])
def test_a_name_with_a_link_reaches_the_text_without_it(app, name):
    sms.send("application_return", "13800000000", name=name, title="工程师", unit="某单位")
    db.session.commit()
    (message,) = queued()
    assert message.text.startswith(sms.SIGNATURE + "张三")
    assert not LINK.search(message.text), message.text
    assert "evil" not in message.text.lower()
    assert "被某单位退回修改" in message.text  # the template itself is intact


def test_line_breaks_and_control_characters_are_taken_out(app):
    sms.send("application_return", "13800000000", name="张\r\n三\x07\u202e\t",
             title="工程师\n【平台通知】请回复", unit="某单位")
    db.session.commit()
    text = queued()[0].text
    assert "\n" not in text and "\r" not in text and "\x07" not in text and "\u202e" not in text
    assert "\t" not in text
    assert text.startswith(sms.SIGNATURE + "张三：")


def test_full_width_punctuation_stays_and_full_width_links_go(app):
    sms.send("archive_item_return", "13800000000", name="张三", unit="某单位",
             item="论文论著：一篇（第２版）ｗｗｗ．ｅｖｉｌ．ｃｏｍ")
    db.session.commit()
    text = queued()[0].text
    assert "「论文论著：一篇（第２版）」" in text and "ｅｖｉｌ" not in text


def test_each_typed_part_is_cut_to_its_length(app):
    sms.send("authorization_rejected", "13800000000", unit="单" * 200, reason="因" * 500)
    db.session.commit()
    text = queued()[0].text
    assert "单" * (sms.LIMITS["unit"] + 1) not in text
    assert "因" * (sms.LIMITS["reason"] + 1) not in text
    assert len(text) < 200


def test_a_unit_named_with_a_phishing_link_gets_its_decision_without_it(app):
    unit = factories.unit("钓鱼单位http://pay.evil.example/x", authorized=False)
    factories.authorization(unit, AuthorizationStatus.REJECTED,
                            reason="扫描件不清晰，请访问 www.evil.example 重新上传")
    db.session.commit()
    texts = [message.text for message in queued()]
    assert texts and all(not LINK.search(text) and "evil" not in text for text in texts), texts
    assert any("钓鱼单位" in text and "扫描件不清晰" in text for text in texts)
