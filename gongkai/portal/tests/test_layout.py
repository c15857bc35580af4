"""The web shell (base.html): language, accessibility structure, CSP-safe markup, local static
files only, footer facts and the English layout catalogue."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

FOCUSABLE = {"a", "button", "input", "select", "textarea"}
PUBLIC_PAGES = ["portal:home", "policies:home", "policies:interpretation_list", "policies:library_list",
                "portal:gongkai_fdzdgknr", "portal:gongkai_index", "portal:gongkai_ysqgk",
                "portal:services", "portal:interaction", "accounts:login"]


class Outline(HTMLParser):
    """Collects what the assertions need from a page in one pass."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.first_focusable: tuple[str, dict[str, str | None]] | None = None
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if self.first_focusable is None and tag in FOCUSABLE and a.get("type") != "hidden":
            self.first_focusable = (tag, a)
        self._in_script = tag == "script" and "src" not in a

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def names(self) -> list[str]:
        return [t for t, _ in self.tags]


def _outline(client: Client, url: str, **headers: str) -> tuple[Outline, str]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    parser = Outline()
    parser.feed(html)
    return parser, html


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_page_is_chinese_with_skip_link_and_landmarks(client: Client, url_name: str) -> None:
    page, html = _outline(client, reverse(url_name))
    assert '<html lang="zh-Hans">' in html
    tag, attrs = page.first_focusable or ("", {})
    assert tag == "a" and attrs["href"] == "#main" and "跳到主要内容" in html
    names = page.names()
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in names, landmark
    assert ("main", {"id": "main", "class": "container", "tabindex": "-1"}) in page.tags
    assert names.count("h1") == 1
    assert re.search(r"<title>[^<]+ - 公开 · 政务公开平台</title>|<title>公开 · 政务公开平台</title>", html)


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_no_inline_script_or_style_and_no_external_resources(client: Client, url_name: str) -> None:
    page, html = _outline(client, reverse(url_name))
    assert page.inline_scripts == 0
    assert not any("style" in attrs for _, attrs in page.tags)
    assert "style" not in page.names()
    for tag, attrs in page.tags:
        for attr in ("src", "href"):
            value = attrs.get(attr) or ""
            if tag in {"script", "link", "img", "iframe"} and value:
                assert value.startswith("/"), f"{tag} {attr}={value}"
                assert not value.startswith("//")


def test_every_nav_and_group_has_an_accessible_name(client: Client) -> None:
    page, _ = _outline(client, reverse("portal:gongkai_nianbao"))
    navs = [a for t, a in page.tags if t == "nav"]
    assert len(navs) == 2 and all(a.get("aria-label") for a in navs)
    assert len({a["aria-label"] for a in navs}) == 2
    groups = [a for t, a in page.tags if a.get("role") == "group"]
    assert groups and all(a.get("aria-label") for a in groups)


def test_font_size_switch_has_three_steps_driven_by_site_js(client: Client) -> None:
    page, _ = _outline(client, reverse("portal:home"))
    buttons = [a for t, a in page.tags if t == "button" and "data-font-size" in a]
    assert [b["data-font-size"] for b in buttons] == ["normal", "large", "xlarge"]
    assert all(b.get("type") == "button" and b.get("aria-pressed") in {"true", "false"} for b in buttons)
    scripts = [a["src"] for t, a in page.tags if t == "script"]
    assert scripts == ["/static/gongkai/site.js"]
    js = b"".join(client.get("/static/gongkai/site.js").streaming_content).decode()  # type: ignore[attr-defined]
    assert "localStorage" in js and "aria-pressed" in js


@pytest.mark.parametrize("path", ["/static/gongkai/site.css", "/static/gongkai/site.js"])
def test_static_files_are_served_by_the_app(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", body), "no external URL in static files"


def test_css_supports_font_steps_focus_and_narrow_screens() -> None:
    css = (settings.BASE_DIR / "static" / "gongkai" / "site.css").read_text()
    assert 'html[data-font-size="large"]' in css and 'html[data-font-size="xlarge"]' in css
    assert re.search(r"outline: [2-9]px solid", css)
    assert "@media (max-width: 600px)" in css
    assert "@import" not in css and "url(" not in css  # no web fonts or remote resources


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize(("fg", "bg", "where"), [
    ("#1b1b1b", "#ffffff", "body text"),
    ("#454545", "#ffffff", "muted text"),
    ("#454545", "#f3f3f3", "footer text"),
    ("#0b4ea2", "#ffffff", "links"),
    ("#ffffff", "#9e1c1c", "header"),
    ("#ffffff", "#7a1515", "main navigation"),
    ("#ffffff", "#5c0f0f", "current navigation item"),
    ("#5c0f0f", "#fbf3f3", "sub navigation"),
    ("#b3261e", "#ffffff", "error messages"),
    ("#ffffff", "#00703c", "buttons"),
    ("#1b1b1b", "#ffe8a3", "pressed font-size button"),
])
def test_colour_pairs_in_site_css_meet_4_5_to_1(fg: str, bg: str, where: str) -> None:
    css = (settings.BASE_DIR / "static" / "gongkai" / "site.css").read_text().lower()
    assert fg in css and bg in css, where
    assert _contrast(fg, bg) >= 4.5, where


def test_footer_shows_site_facts_and_not_provided_when_unset(client: Client) -> None:
    html = client.get(reverse("portal:home")).content.decode()
    footer = html[html.index("<footer"):]
    for label in ["主办单位", "联系方式", "网站标识码", "ICP备案号", "公安机关备案号"]:
        assert label in footer
    assert footer.count("暂未提供") == 5


@override_settings(GONGKAI_SITE_SPONSOR="示范县人民政府办公室", GONGKAI_SITE_ID_CODE="1101010001",
                   GONGKAI_SITE_ICP="京ICP备00000000号")
def test_footer_and_meta_tags_use_configured_site_identity(client: Client) -> None:
    html = client.get(reverse("portal:home")).content.decode()
    assert "示范县人民政府办公室" in html and "京ICP备00000000号" in html
    assert '<meta name="SiteIDCode" content="1101010001">' in html
    assert '<meta name="SiteName" content="公开 · 政务公开平台">' in html


def test_layout_strings_are_translatable_to_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:home")).content.decode()
    assert "Skip to main content" in html
    assert '<html lang="en">' in html
    assert "Main navigation" in html and "Policy library" in html


def test_chinese_is_the_default_language(client: Client) -> None:
    html = client.get(reverse("portal:home")).content.decode()
    assert "政策库" in html and "Policy library" not in html


def test_browser_language_alone_does_not_switch_to_english(client: Client) -> None:
    html = client.get(reverse("portal:home"), headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-Hans">' in html and "政策库" in html
