from frontdesk_platform.settings import ServiceSettings


class MessagingSettings(ServiceSettings):
    service_name: str = "messaging"
    http_port: int = 8101
    ops_port: int = 9101
    database_name: str = "frontdesk_messaging"
    recall_window_seconds: int = 120
    edit_window_seconds: int = 15 * 60
    default_language: str = "zh-CN"  # the shop's own messages (a waitlist offer); zh-CN or en
