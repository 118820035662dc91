"""``python -m zcrm.cli …``: the same as the ``zcrm`` command."""

from zcrm.cli import main

main()
