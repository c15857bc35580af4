"""Public portal pages (门户). Every view here is explicitly public."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.accounts.models import Organisation


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(is_active=True).order_by("tree_path")
    return render(request, "portal/home.html", {"organisations": organisations})
