"""``python -m redshift_utils``: the book's command line (``redshift_utils.book.cli``)."""

import sys

from redshift_utils.book.cli import main

sys.exit(main())
