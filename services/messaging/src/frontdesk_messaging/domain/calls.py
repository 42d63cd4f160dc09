"""How a call that is over reads in the conversation ("视频通话 3:12", "未接语音通话").
Clients with their own wording use the message's `call` summary instead of its text."""

from __future__ import annotations

_MEDIA = {
    "zh-CN": {"audio": "语音通话", "video": "视频通话", "live_view": "实时观看"},
    "en": {"audio": "Voice call", "video": "Video call", "live_view": "Live view"},
}
_OUTCOME = {
    "zh-CN": {
        "missed": "未接{media}",
        "declined": "{media}已拒绝",
        "cancelled": "{media}已取消",
        "failed": "{media}未接通",
    },
    "en": {
        "missed": "Missed {media_lower}",
        "declined": "{media} declined",
        "cancelled": "{media} cancelled",
        "failed": "{media} did not connect",
    },
}


def call_text(language: str, media: str, outcome: str, duration_ms: int) -> str:
    lang = language if language in _MEDIA else "zh-CN"
    name = _MEDIA[lang].get(media, media)
    if outcome == "completed":
        minutes, seconds = divmod(duration_ms // 1000, 60)
        return f"{name} {minutes}:{seconds:02d}"
    return _OUTCOME[lang][outcome].format(media=name, media_lower=name.lower())
