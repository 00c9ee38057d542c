import sys

from lumikb_app.cli import main

sys.exit(main())
