"""Template context shared by every page: site identity (footer, 47号 meta tags) and the
navigation state (which 栏目 is current, for ``aria-current``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

# url name (namespace:name) → top-level 栏目 of the main navigation.
SECTION_BY_URL: dict[str, str] = {
    "portal:home": "home",
    "portal:gongkai_index": "gongkai",
    "portal:gongkai_zhidu": "gongkai",
    "portal:gongkai_fdzdgknr": "gongkai",
    "portal:gongkai_ysqgk": "gongkai",
    "portal:gongkai_nianbao": "gongkai",
    "portal:organisation": "gongkai",
    "portal:zhinan": "gongkai",
    "portal:mulu": "gongkai",
    "portal:org_fdzdgknr": "gongkai",
    "portal:services": "services",
    "portal:interaction": "interaction",
}


def site(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    nav_url = f"{match.namespace}:{match.url_name}" if match and match.namespace else (
        match.url_name if match else ""
    )
    return {
        "site_name": "公开 · 政务公开平台",
        "site_short_name": "公开",
        "site_sponsor": getattr(settings, "GONGKAI_SITE_SPONSOR", ""),
        "site_contact": getattr(settings, "GONGKAI_SITE_CONTACT", ""),
        "site_id_code": getattr(settings, "GONGKAI_SITE_ID_CODE", ""),
        "site_icp": getattr(settings, "GONGKAI_SITE_ICP", ""),
        "site_psb": getattr(settings, "GONGKAI_SITE_PSB", ""),
        "site_domain": request.get_host() if _host_ok(request) else "",
        "nav_url": nav_url,
        "nav_section": SECTION_BY_URL.get(nav_url, "policies" if str(nav_url).startswith("policies:") else (
            "gongkai" if str(nav_url).startswith("disclosure_public:") else "")),
    }


def _host_ok(request: HttpRequest) -> bool:
    # get_host() raises DisallowedHost for a bad Host header; the 400 page must still render.
    try:
        request.get_host()
    except Exception:  # noqa: BLE001
        return False
    return True
