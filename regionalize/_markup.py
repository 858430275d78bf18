"""User text as inert markup: HTML, folium map HTML, Markdown, matplotlib and terminal text.

Zone, area, layer, column and graph names are user data. Every place that writes one of
them into HTML, Markdown or a matplotlib figure passes it through one of these functions, so
that a name such as ``<script>alert(1)</script>``, ``a|b`` or ``$x$`` is shown literally
instead of being markup.

The escaped text reads as the original once rendered: ``html.unescape(html_text(s)) == s``
for every string, and so for :func:`map_text`. Markdown cannot keep line breaks inside a
cell, so :func:`markdown_cell` turns them into spaces; everything else renders literally.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "html_href",
    "html_text",
    "map_text",
    "markdown_cell",
    "markdown_row",
    "matplotlib_text",
    "terminal_text",
]

# braces as entities: folium/branca render some HTML (the categorical legend) as a Jinja2
# template, where "{{ ... }}" or "{% ... %}" in a name would be evaluated in Python
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
# Markdown: HTML specials as entities (no raw HTML), the rest backslash-escaped (no emphasis,
# code spans, links, strike-through, table cells split, heading closing sequence)
_MARKDOWN = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", **{c: "\\" + c for c in "\\`*_[]|~#"}}
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# URLs: browsers drop ASCII tabs and newlines anywhere (and C0 controls and spaces at the
# ends) before reading the scheme
_URL_DROPPED = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def html_text(value: Any) -> str:
    """Text (or attribute value) for HTML: ``& < > " '`` as character references.

    Parameters
    ----------
    value : object
        Anything; ``None`` gives ``""``, other values their ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(_text(value), quote=True)


def html_href(value: Any) -> str:
    r"""A link target for an ``href`` attribute: a web address or a relative path, escaped.

    Only ``http:``, ``https:`` and ``mailto:`` keep their scheme; anything else that reads as
    a scheme (``javascript:``, ``data:``, ``vbscript:``, even spelled with tabs, newlines or
    leading spaces, which browsers drop) is made a relative path by a leading ``./``, so a
    link cannot run code and a file named ``a:b.html`` still links to that file.

    Parameters
    ----------
    value : object

    Returns
    -------
    str

    Examples
    --------
    >>> html_href("map.html"), html_href("https://example.org/?a=1&b=2")
    ('map.html', 'https://example.org/?a=1&amp;b=2')
    >>> html_href(" java\nscript:alert(1)")
    './javascript:alert(1)'
    """
    url = _URL_DROPPED.sub("", _text(value).strip("".join(map(chr, range(33)))))
    scheme = _SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
        url = "./" + url
    return html_text(url)


def map_text(value: Any) -> str:
    """Text for a folium (Leaflet) map: :func:`html_text` with braces as ``&#123;``/``&#125;``.

    Leaflet inserts tooltip and popup cells, legend labels and layer names as HTML
    (``innerHTML``), so values must arrive escaped exactly once; folium renders the
    categorical legend through Jinja2, so they must not hold template delimiters either.
    The browser shows the original text.

    Parameters
    ----------
    value : object

    Returns
    -------
    str

    Examples
    --------
    >>> map_text("Saint-Étienne & <Lyon> {{x}}")
    'Saint-Étienne &amp; &lt;Lyon&gt; &#123;&#123;x&#125;&#125;'
    """
    return html_text(value).translate(_BRACES)


def markdown_cell(value: Any) -> str:
    r"""Text for a Markdown table cell (or heading, list item): shown literally.

    ``& < > "`` become character references (no raw HTML), the Markdown punctuation
    ``\ ` * _ [ ] | ~ #`` is backslash-escaped (no emphasis, code, link or cell break) and
    line breaks and other control characters become spaces (a row stays one line).

    Parameters
    ----------
    value : object

    Returns
    -------
    str

    Examples
    --------
    >>> markdown_cell("a|b\n<b>*c*</b>")
    'a\\|b &lt;b&gt;\\*c\\*&lt;/b&gt;'
    """
    text = " ".join(_text(value).splitlines())
    return _CONTROL.sub(" ", text).translate(_MARKDOWN)


def markdown_row(cells: Iterable[Any]) -> str:
    r"""One Markdown table row, every cell through :func:`markdown_cell`.

    Examples
    --------
    >>> markdown_row(["01", "a|b", 3])
    '| 01 | a\\|b | 3 |'
    """
    return "| " + " | ".join(markdown_cell(c) for c in cells) + " |"


def matplotlib_text(value: Any) -> str:
    r"""Text for a matplotlib label, title or legend entry: ``$`` escaped as ``\$``.

    matplotlib reads text between two ``$`` as mathtext: a name such as ``Cost $5 to $10``
    would be drawn in math italics and one such as ``$\frac{$`` would stop the figure from
    being drawn at all. Escaped, it is drawn literally, alone or inside a string that holds
    mathtext of its own (e.g. a colour bar label given by the caller).

    Examples
    --------
    >>> matplotlib_text("Cost $5 to $10")
    'Cost \\$5 to \\$10'
    """
    return _text(value).replace("$", "\\$")


_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(value: Any) -> str:
    r"""Text for a terminal: control characters shown as escapes, never obeyed.

    A name holding ``ESC [ ...`` (ANSI sequences), a carriage return or a bidirectional
    override could recolour the terminal, rewrite the line above or disguise what a command
    printed. They are written as ``\x1b``, ``\r``, ``\u202e``...; newlines and tabs
    stay.

    Examples
    --------
    >>> terminal_text("zone \x1b[31mred\x1b[0m\r")
    'zone \\x1b[31mred\\x1b[0m\\r'
    """
    return _TERMINAL.sub(lambda m: repr(m.group())[1:-1], _text(value))
