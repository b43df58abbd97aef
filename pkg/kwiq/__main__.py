import sys

from kwiq.cli import main

sys.exit(main())
