from frontdesk_platform.cli import run_service

from .bootstrap import MIGRATIONS, create_app
from .config import GatewaySettings


def main() -> None:
    run_service(GatewaySettings(), create_app, MIGRATIONS)


if __name__ == "__main__":
    main()
