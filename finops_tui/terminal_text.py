"""Text from billing data made safe to show on a terminal.

Billing exports are written by other people's systems: a ServiceName or a tag can hold an
`ESC ]0;…BEL` (retitles the terminal), `ESC [31m` (recolours it) or worse. Every place that
prints data, the `query` writers and the cockpit's tables alike, passes it through here.
"""

from __future__ import annotations

import re

CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROLS_PATTERN = r"[\x00-\x1f\x7f-\x9f]"  # the same set, for pyarrow.compute's regex functions
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """C0 and C1 control characters as visible escapes: ESC as '\\x1b', a newline as '\\n'."""
    if not CONTROLS.search(text):
        return text
    return CONTROLS.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)
