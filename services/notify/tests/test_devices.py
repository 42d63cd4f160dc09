import json

import pytest
from frontdesk_notify.domain.devices import InvalidDevice, check


def subscription(endpoint: str, **keys: str) -> str:
    return json.dumps({"endpoint": endpoint, "keys": keys or {"p256dh": "BNcR", "auth": "tBHI"}})


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QGuQ",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ],
)
def test_browsers_push_services_are_accepted(endpoint):
    check("webpush", subscription(endpoint))


@pytest.mark.parametrize(
    "address",
    [
        subscription("http://fcm.googleapis.com/fcm/send/abc"),  # not https
        subscription("https://127.0.0.1/internal"),  # not a push service: would reach inside
        subscription("https://fcm.googleapis.com.evil.example/x"),  # looks alike, is not
        subscription("https://fcm.googleapis.com/x", p256dh="BNcR"),  # no auth secret
        "not json",
    ],
)
def test_anything_else_is_refused_before_notify_would_send_to_it(address):
    with pytest.raises(InvalidDevice):
        check("webpush", address)


def test_apns_and_fcm_tokens_look_like_tokens():
    check("apns", "a" * 64)
    check("fcm", "dGVzdC10b2tlbg:APA91b")
    for platform, token in (("apns", "not-hex"), ("fcm", "has spaces in it")):
        with pytest.raises(InvalidDevice):
            check(platform, token)
