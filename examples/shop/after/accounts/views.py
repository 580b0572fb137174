from django.conf import settings
from django.contrib.auth import aauthenticate, alogin, alogout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.template.response import TemplateResponse


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# expect: convert (authenticate/login)
async def login_view(request):
    error = None
    if request.method == "POST":
        user = await aauthenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is not None:
            await alogin(request, user)
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
        error = "Invalid username or password."
    return TemplateResponse(
        request,
        "accounts/login.html",
        {"error": error, "next": request.GET.get("next", "")},
        status=400 if error else 200,
    )


@require_POST
# expect: convert (logout)
async def logout_view(request):
    await alogout(request)
    return redirect("catalog:book_list")


@login_required
# expect: convert (request.user attributes and reverse relations; login_required)
async def profile(request):
    current_user = await request.auser()
    user = current_user
    return TemplateResponse(
        request,
        "accounts/profile.html",
        {
            "username": user.username,
            "review_count": await user.review_set.acount(),
            "order_count": await user.orders.acount(),
        },
    )
