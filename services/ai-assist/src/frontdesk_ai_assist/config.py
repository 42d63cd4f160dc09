from frontdesk_platform.settings import ServiceSettings
from pydantic import SecretStr


class Settings(ServiceSettings):
    """FRONTDESK_BOOKING_URL reaches booking's internal API (free times, a customer's
    bookings). An LLM is used only when FRONTDESK_LLM_BASE_URL is set (an
    OpenAI-compatible endpoint, e.g. https://api.example.com/v1) with FRONTDESK_LLM_MODEL
    and FRONTDESK_LLM_API_KEY; without one everything works on rules and retrieval."""

    service_name: str = "ai-assist"
    http_port: int = 8104
    ops_port: int = 9104
    database_name: str = "frontdesk_ai_assist"

    booking_url: str = "http://127.0.0.1:8102"
    booking_reply_timeout_seconds: float = 5.0
    turn_poll_seconds: float = 0.25  # how often due messages (and timers) are looked for
    turn_concurrency: int = 8  # conversations answered at once by one instance
    turn_max_attempts: int = 5
    dialogue_memory_minutes: int = 360  # a booking talk older than this starts afresh

    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_seconds: float = 15.0
