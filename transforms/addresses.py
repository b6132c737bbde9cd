"""Mail addresses of the roster (units.csv `emails`): what kaohe accepts as an address.

An address is the plain `local@domain` of RFC 5321 in ASCII: a dot-atom local part of at
most 64 characters and a domain of dot-separated labels with a top-level domain, at most
254 characters in all. Anything else in the cell (a display name, angle brackets, a header
such as `Bcc:`, a second `@`, Chinese characters) is refused with a Chinese reason, never
guessed at and never handed to the SMTP server, where it could stop the mailing or add
recipients.

The one change made to a typed address: full-width ASCII characters (ｇｌ＠ｊｄ．ｇｏｖ．ｃｎ,
typed with a Chinese input method) are the ASCII they stand for (their NFKC form). Only
that block (U+FF01–U+FF5E) is mapped, so the result is unambiguous; any other non-ASCII
character (张三@…, 。 for a dot, ① …) is refused.
"""

from __future__ import annotations

import re

#: full-width ASCII (U+FF01–U+FF5E) → ASCII (U+0021–U+007E): what NFKC does to them
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})")


_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def normalise_address(text: str, any_host: bool = False) -> tuple[str | None, str | None]:
    """(the address to mail, None) or (None, why `text` is no address, in Chinese).

    `text` is one address as split from the cell (no separators left in it). With
    `any_host` the domain may be any host name (a sender such as kaohe@localhost or
    kaohe@10.0.0.5 on an office's own relay)."""
    address = text.translate(_FULLWIDTH).strip()
    if not address:
        return None, "为空"
    if not address.isascii():
        bad = "".join(dict.fromkeys(c for c in address if not c.isascii()))
        return None, f"含有中文或其他非英文字符「{bad}」，邮件服务器大多不能投递，请改用英文地址"
    if any(c in address for c in '<>"()[]\\,;:') or address.count("@") != 1:
        if address.count("@") > 1:
            return None, "含有多个 @，一个格子里的多个地址请用分号隔开"
        if "@" not in address:
            return None, "不是邮箱地址（缺少 @）"
        return None, "含有尖括号、引号、冒号等符号；只填写地址本身，如 xxk@example.gov.cn"
    local, _, domain = address.partition("@")
    if not local:
        return None, "@ 前面缺少用户名"
    if not domain:
        return None, "@ 后面缺少域名"
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return None, "@ 前面的用户名不合规（过长、以点开头或结尾，或有连续的点）"
    pattern = _HOST if any_host else _DOMAIN
    if len(address) > 254 or not pattern.fullmatch(domain):
        return None, f"域名「{domain}」不合规（应形如 example.gov.cn）"
    return address, None
