"""The DEMO's example budgets file: written beside the DEMO cache so the Budgets tab shows file budgets too.

It doubles as the documented example of the format (every key is used once). Its figures are
made up for the DEMO company, like the rest of the DEMO; the tab labels them "DEMO file".
"""

from __future__ import annotations

from pathlib import Path

from finops_tui import locations

DEMO_BUDGETS = """\
# finops-tui budgets file (DEMO example). Copy it to the config dir as budgets.toml and edit.
# Each [[budget]]: name, amount, currency, period (monthly | quarterly | annual), optional id,
# parent (another budget's id) and [budget.filters] (provider, account, service, region, tag).

[[budget]]
id = "cloud"
name = "DEMO file: cloud total (quarter)"
amount = 480000
currency = "USD"
period = "quarterly"

[[budget]]
id = "platform"
name = "DEMO file: platform team"
amount = 100000
currency = "USD"
period = "monthly"
parent = "cloud"
[budget.filters]
account = ["210987654321", "410987654321"]

[[budget]]
id = "platform-ec2"
name = "DEMO file: platform EC2 in us-east-1"
amount = 30000
currency = "USD"
period = "monthly"
parent = "platform"
[budget.filters]
service = ["Amazon Elastic Compute Cloud"]
region = ["us-east-1"]

[[budget]]
id = "aws-year"
name = "DEMO file: AWS annual"
amount = 1800000
currency = "USD"
period = "annual"
[budget.filters]
provider = ["AWS"]

[[budget]]
id = "eu-entity"
name = "DEMO file: EU entity (EUR)"
amount = 20000
currency = "EUR"
period = "monthly"
"""


def write_demo_budgets(path: Path | None = None) -> Path:
    """Write the example (again when it differs: it is generated, never edited in place); returns its path."""
    path = path or locations.demo_budgets_file()
    if not path.is_file() or path.read_text(encoding="utf-8") != DEMO_BUDGETS:
        locations.make_private_dir(path.parent)
        path.write_text(DEMO_BUDGETS, encoding="utf-8")
    return path
