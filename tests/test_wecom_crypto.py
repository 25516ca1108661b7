"""WeCom's callback encryption, checked against the sample values WeCom publishes (its
加解密方案 and callback documentation: token QDG6eK, corp wx5823bf96d3bd56c7) and against a
second, independent implementation of AES-256-CBC (the `openssl` command); and every kind
of bad callback refused before anything reads it."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wecom_io.callback import open_callback, parse_xml, verify_url
from wecom_io.crypto import Refused, WeComCrypto

TOKEN, KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
# Checking the URL (GET): WeCom's sample request and the plaintext to answer.
URL_CHECK = {"signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
             "timestamp": "1409659589", "nonce": "263014780",
             "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE"
                        "7OaBO+FZXvnaqQ=="}
# A member's message (POST): WeCom's sample callback.
MESSAGE = {"signature": "477715d11cdb4164915debcba66cb864d751f3e6",
           "timestamp": "1409659813", "nonce": "1372623149",
           "encrypted": "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfr"
                        "f0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL4"
                        "2aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2h"
                        "gf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMEL"
                        "NqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0"
                        "MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Y"
                        "oyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="}
CRYPTO = WeComCrypto.from_settings(TOKEN, KEY, CORP)


def at(timestamp: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(timestamp), dt.UTC)


def posted(encrypted: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><AgentID><![CDATA[218]]>"
            f"</AgentID><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()


def test_wecoms_url_check_sample_gives_its_plaintext() -> None:
    u = URL_CHECK
    assert verify_url(CRYPTO, u["signature"], u["timestamp"], u["nonce"], u["echostr"],
                      at(u["timestamp"])) == "1616140317555161061"


def test_wecoms_message_sample_opens_to_the_message() -> None:
    m = MESSAGE
    callback = open_callback(CRYPTO, m["signature"], m["timestamp"], m["nonce"],
                             posted(m["encrypted"]), at(m["timestamp"]))
    assert callback.fields["ToUserName"] == CORP
    assert callback.fields["FromUserName"] == "mycreate"
    assert callback.fields["MsgType"] == "text" and callback.fields["Content"] == "hello"
    assert callback.key == "msg:4561255354251345929"


openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


def _openssl(args: list[str], data: bytes) -> bytes:
    key = base64.b64decode(KEY + "=")
    return subprocess.run(["openssl", "enc", "-aes-256-cbc", "-nopad", "-K", key.hex(),
                           "-iv", key[:16].hex(), *args], input=data, capture_output=True,
                          check=True).stdout


@openssl
def test_openssl_reads_what_we_write_and_we_read_what_it_writes() -> None:
    message = "<xml><Content><![CDATA[沈阳 1月网络零售额 32000.5 万元]]></Content></xml>".encode()
    ours = base64.b64decode(CRYPTO.encrypt(message, random=b"r" * 16))
    plain = _openssl(["-d"], ours)
    assert plain[16:20] == len(message).to_bytes(4, "big")
    assert plain[20:20 + len(message)] == message
    assert plain[20 + len(message):-plain[-1]] == CORP.encode()
    theirs = _openssl([], plain)  # the same framing, encrypted by openssl
    assert CRYPTO.decrypt(base64.b64encode(theirs).decode()) == message
    assert _openssl(["-d"], base64.b64decode(MESSAGE["encrypted"]))[16:20] != b"\0" * 4


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=3000))
def test_any_message_comes_back_as_it_went(message: bytes) -> None:
    assert CRYPTO.decrypt(CRYPTO.encrypt(message)) == message


def sent_now(fields: str, crypto: WeComCrypto = CRYPTO, timestamp: str = "1796100000",
             nonce: str = "42") -> tuple[str, str, str, bytes]:
    encrypted = crypto.encrypt(f"<xml>{fields}</xml>".encode())
    return crypto.signature(timestamp, nonce, encrypted), timestamp, nonce, posted(encrypted)


NOW = at("1796100000")


def test_a_callback_posted_now_opens() -> None:
    """An event has no MsgId: WeCom's retry of it is known by what it carries (sender,
    time, event, key, the card's response code); another click is another event."""
    def key(fields: str) -> str:
        return open_callback(CRYPTO, *sent_now(fields), NOW).key

    event = ("<MsgType>event</MsgType><FromUserName>li</FromUserName>"
             "<CreateTime>17</CreateTime><Event>template_card_event</Event>"
             "<EventKey>f:c:1:q:a</EventKey><ResponseCode>R1</ResponseCode>")
    assert key(event) == key(event) and key(event).startswith("event:")
    assert key(event) != key(event.replace("R1", "R2"))  # a second click, same second
    assert key(event) != key(event.replace("<FromUserName>li", "<FromUserName>wang"))
    assert key("<MsgId>42</MsgId>" + event) == "msg:42"
    selected = open_callback(CRYPTO, *sent_now(
        event + "<SelectedItems><SelectedItem><QuestionKey>q</QuestionKey><OptionIds>"
        "<OptionId>a</OptionId><OptionId>b</OptionId></OptionIds></SelectedItem>"
        "</SelectedItems>"), NOW)
    assert selected.selected == {"q": ["a", "b"]} and "SelectedItems" not in selected.fields


@pytest.mark.parametrize(("case", "reason"), [
    ("signature", "signature"), ("other corp", "receiver"), ("stale", "timestamp"),
    ("future", "timestamp"), ("not a number", "timestamp"), ("not xml", "xml"),
    ("entities", "xml"), ("no encrypt", "xml"), ("huge", "size"), ("not base64", "ciphertext"),
    ("cut short", "ciphertext"),
])
def test_a_bad_callback_is_refused(case: str, reason: str) -> None:
    signature, timestamp, nonce, body = sent_now("<MsgType>text</MsgType>")
    now = NOW
    if case == "signature":
        signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    elif case == "other corp":
        signature, timestamp, nonce, body = sent_now(
            "<MsgType>text</MsgType>", WeComCrypto.from_settings(TOKEN, KEY, "ww-other-corp"))
    elif case == "stale":
        now = NOW + dt.timedelta(minutes=6)
    elif case == "future":
        now = NOW - dt.timedelta(minutes=6)
    elif case == "not a number":
        timestamp = "１７９６１０００００"
    elif case == "not xml":
        body = b"<xml><Encrypt>"
    elif case == "entities":
        body = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>')
    elif case == "no encrypt":
        body = b"<xml><ToUserName>x</ToUserName></xml>"
    elif case == "huge":
        body = b"<xml><Encrypt>" + b"A" * 70_000 + b"</Encrypt></xml>"
    elif case in ("not base64", "cut short"):
        encrypted = "%%%" if case == "not base64" else base64.b64encode(b"x" * 20).decode()
        body, signature = posted(encrypted), CRYPTO.signature(timestamp, nonce, encrypted)
    with pytest.raises(Refused) as refused:
        open_callback(CRYPTO, signature, timestamp, nonce, body, now)
    assert refused.value.reason == reason


def test_a_key_that_is_not_wecoms_shape_is_a_setting_error() -> None:
    with pytest.raises(ValueError, match="43"):
        WeComCrypto.from_settings(TOKEN, KEY[:-1], CORP)
    with pytest.raises(ValueError, match="Base64"):
        WeComCrypto.from_settings(TOKEN, KEY[:-1] + "!", CORP)


def test_the_xml_parser_refuses_a_dtd_even_without_entities() -> None:
    with pytest.raises(Refused):
        parse_xml(b'<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd"><xml/>')
