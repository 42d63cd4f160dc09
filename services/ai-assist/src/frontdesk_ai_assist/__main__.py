from frontdesk_platform.cli import run_service

from .bootstrap import MIGRATIONS, create_app
from .config import Settings
from .service_layer.rebuild import rebuild_projections


def main() -> None:
    run_service(Settings(), create_app, MIGRATIONS, {"rebuild-projections": rebuild_projections})


if __name__ == "__main__":
    main()
