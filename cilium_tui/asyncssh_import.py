"""asyncssh, imported with exactly one warning silenced.

cryptography 51 deprecates DSA, and asyncssh (2.24) names the DSA key types in module-level
annotations, so merely importing it prints five `CryptographyDeprecationWarning`s on stderr: noise
at the top of every command and in `check`'s CI logs. We silence that category only, and only when
it comes from asyncssh's own modules; every other warning still shows. The filter is installed for
good, not just around the import, because asyncssh imports some of its modules lazily.

Import asyncssh from here (`from cilium_tui.asyncssh_import import asyncssh`), never directly.
"""

from __future__ import annotations

import warnings

from cryptography.utils import CryptographyDeprecationWarning

warnings.filterwarnings(
    "ignore", category=CryptographyDeprecationWarning, module=r"asyncssh(\..*)?$"
)

import asyncssh  # noqa: E402  (the filter must be in place first)

__all__ = ["asyncssh"]
