"""How many examples a property test tries: a quarter in the README's command, all of them in CI.

Hypothesis draws new examples on every run, so a developer's runs still explore; `.ci/run` runs
every property test again with DIFY_CODENODE_THOROUGH=1, where each tries its full count.
"""

from __future__ import annotations

import os


def examples(full: int) -> int:
    """`full` under DIFY_CODENODE_THOROUGH=1 (CI), else a quarter of it (at least 20)."""
    if os.environ.get("DIFY_CODENODE_THOROUGH") == "1":
        return full
    return max(full // 4, 20)
