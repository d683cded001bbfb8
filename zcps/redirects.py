"""Where a request may send the browser next: only a path on this site.

Every return address a request carries (``url``, ``next``) goes through ``safe_return_path``
before it becomes a link or a redirect: our pages, the sign-in, the language switch, and
Flask-Admin's own views and bulk actions (``admin_redirect_target``).
"""
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import request


def _clean(text: str) -> bool:
    """No backslash (read as a slash by browsers), no whitespace and no control or invisible
    format characters (browsers drop some of them, so ``/\\t/host`` becomes ``//host``)."""
    return not any(char == "\\" or char.isspace() or unicodedata.category(char) in ("Cc", "Cf")
                   for char in text)


def safe_return_path(target: str | None, default: str | None = None) -> str | None:
    """``target`` when it is a path on this site (``/unit/…?tab=all``), else ``default``.

    Refused: any scheme (``javascript:``, ``https:``), a host (``//host``), a relative path, and
    the characters browsers read differently from servers — in the address or once decoded.
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if not _clean(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    path = unquote(parts.path)
    if path.startswith("//") or not _clean(path):
        return default
    return target


def admin_redirect_target(param_name: str = "url") -> str | None:
    """Flask-Admin's ``get_redirect_target`` (where a form returns to), through the same check;
    Flask-Admin's own accepts any address on the same host."""
    return safe_return_path(request.values.get(param_name))
