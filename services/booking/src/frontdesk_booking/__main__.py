from functools import partial

from frontdesk_platform.cli import run_service
from frontdesk_platform.shredding import reseal_command

from .adapters.repository import SEALED, SEALED_LISTS
from .bootstrap import MIGRATIONS, create_app
from .config import Settings
from .projections.rebuild import rebuild_command


def main() -> None:
    run_service(
        Settings(),
        create_app,
        MIGRATIONS,
        {
            "rebuild-projections": rebuild_command,
            "reseal": partial(reseal_command, fields=SEALED, lists=SEALED_LISTS),
        },
    )


if __name__ == "__main__":
    main()
