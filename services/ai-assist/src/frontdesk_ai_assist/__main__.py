from frontdesk_platform.cli import run_service

from .bootstrap import MIGRATIONS, create_app
from .config import Settings


def main() -> None:
    run_service(Settings(), create_app, MIGRATIONS)


if __name__ == "__main__":
    main()
