"""What `generate` reports back to Python callers (its own module, so `import generator` needn't load dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Report:
    """What `generate` did (or, with check=True, would do), as paths relative to `out_dir`."""

    out_dir: Path
    created: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # what in the spec likely won't work in Dify (never fatal)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)
