from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# expect: convert (authenticate/login)
def login_view(request):
    error = None
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is not None:
            login(request, user)
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
        error = "Invalid username or password."
    return render(
        request,
        "accounts/login.html",
        {"error": error, "next": request.GET.get("next", "")},
        status=400 if error else 200,
    )


@require_POST
# expect: convert (logout)
def logout_view(request):
    logout(request)
    return redirect("catalog:book_list")


@login_required
# expect: convert (request.user attributes and reverse relations; login_required)
def profile(request):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "username": user.username,
            "review_count": user.review_set.count(),
            "order_count": user.orders.count(),
        },
    )
