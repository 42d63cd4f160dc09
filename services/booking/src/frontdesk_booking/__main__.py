from frontdesk_platform.cli import run_service

from .bootstrap import MIGRATIONS, create_app
from .config import Settings
from .projections.rebuild import rebuild_command


def main() -> None:
    run_service(Settings(), create_app, MIGRATIONS, {"rebuild-projections": rebuild_command})


if __name__ == "__main__":
    main()
