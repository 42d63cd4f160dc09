from frontdesk_platform.cli import run_service

from .bootstrap import MIGRATIONS, create_app
from .config import MessagingSettings
from .projections.rebuild import rebuild_command


def main() -> None:
    run_service(MessagingSettings(), create_app, MIGRATIONS, {"rebuild-projections": rebuild_command})


if __name__ == "__main__":
    main()
