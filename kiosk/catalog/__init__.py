"""The catalogue: titles and copies, their import (CSV, MARC) and export."""
