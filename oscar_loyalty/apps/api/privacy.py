"""``me/privacy/``: the privacy page's download and erasure, for a signed-in user.

Mounted only with the privacy app. The export is the page's file
(``privacy.views.json_download``: ``privacy.export``, every installed app's
section). The erasure is the page's form and service: the password and the
explicit confirmation (``privacy.forms.ErasureForm``), the page's limit on
wrong passwords per account (``privacy.views.PASSWORD_LIMIT``, one budget
for both ways in), then ``privacy.erasure.erase_user``. The account's API
tokens go with it, and a session is signed out.
"""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from oscar_loyalty import ratelimit
from oscar_loyalty.apps.privacy import erasure
from oscar_loyalty.apps.privacy.forms import ErasureForm
from oscar_loyalty.apps.privacy.models import ErasureRequest
from oscar_loyalty.apps.privacy.views import PASSWORD_LIMIT, json_download
from oscar_loyalty.exceptions import RateLimited

from .views import ClubAPIView, documented


class ErasureRequestSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    confirm = serializers.BooleanField(
        help_text="true: the member read that the account cannot be restored."
    )


class ExportView(ClubAPIView):
    @documented(
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        description="The user's personal data, the privacy page's download (a JSON file).",
    )
    def get(self, request):
        return json_download(request.user)


class ErasureView(ClubAPIView):
    @documented(
        request=ErasureRequestSerializer,
        responses={204: None},
        problems=(400, 409, 429),
        description="Erase the account and its personal data now, as the privacy page does. "
        "Needs the password and confirm=true; cannot be undone.",
    )
    def post(self, request):
        key = str(request.user.pk)
        if ratelimit.is_limited("erasure_password", key, limit=PASSWORD_LIMIT):
            raise RateLimited(retry_after=PASSWORD_LIMIT[1])
        body = ErasureRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        form = ErasureForm(request.user, data=body.validated_data)
        if not form.is_valid():
            if "password" in form.errors:
                ratelimit.count("erasure_password", key, limit=PASSWORD_LIMIT)
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        user = request.user
        erasure.erase_user(user, source=ErasureRequest.MEMBER)
        Token.objects.filter(user=user).delete()
        logout(request._request)
        return Response(status=204)
