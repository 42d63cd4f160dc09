from frontdesk_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "ai-assist"
    http_port: int = 8104
    database_name: str = "frontdesk_ai_assist"
