"""``python -m resemble_nb.cli``: the same as the ``resemble-nb`` command."""

import sys

from ._main import main

sys.exit(main())
