from functools import partial

from frontdesk_platform.cli import run_service
from frontdesk_platform.shredding import reseal_command

from .adapters.repository import SEALED_FIELDS
from .bootstrap import MIGRATIONS, create_app
from .config import MessagingSettings
from .projections.rebuild import rebuild_command


def main() -> None:
    run_service(
        MessagingSettings(),
        create_app,
        MIGRATIONS,
        {
            "rebuild-projections": rebuild_command,
            "reseal": partial(reseal_command, fields=SEALED_FIELDS),
        },
    )


if __name__ == "__main__":
    main()
