"""``me/consent/``: the preference centre's boxes, granted and withdrawn as JSON.

Mounted only with the consent app. Each change is the preference centre's
own record (``consent.services.grant_consent`` / ``withdraw_consent``, source
``preferences``, the request's IP address and user agent cleaned by
``request_metadata``, the wording in the request's language), so the evidence
of a change made through the API is the row the web page writes. A grant of
marketing email is ``pending`` until the member follows the emailed link, as
on the web (``OSCAR_LOYALTY_DOUBLE_OPT_IN``).

The client must show the wording before asking: it sends back the version it
showed (``wording_version``), and a grant against a wording changed since is
refused (409) rather than recorded with a text the member never read.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
from oscar_loyalty.apps.consent.wording import CHANNELS, PURPOSES, get_wording
from oscar_loyalty.exceptions import ConsentWordingChanged

from .views import ClubAPIView, documented

#: A pair never recorded reads as this (the web page shows an empty box).
NOT_ASKED = "none"


class WordingSerializer(serializers.Serializer):
    version = serializers.CharField()
    text = serializers.CharField(help_text="Show this text, exactly, next to the choice.")


class ConsentSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    purpose_display = serializers.CharField()
    channel = serializers.CharField()
    channel_display = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[NOT_ASKED, ConsentState.GRANTED, ConsentState.PENDING, ConsentState.WITHDRAWN],
        help_text="pending: granted, waiting for the emailed confirmation link.",
    )
    wording = WordingSerializer()


class GrantSerializer(serializers.Serializer):
    wording_version = serializers.CharField(
        max_length=64, help_text="The version of the wording the member was shown."
    )


def offered(purpose: str, channel: str) -> bool:
    return purpose in PURPOSES and channel in app_settings.CONSENT_CHANNELS_OFFERED


def item(purpose: str, channel: str, states: dict) -> dict:
    wording = get_wording(purpose, channel)
    return {
        "purpose": purpose,
        "purpose_display": str(PURPOSES[purpose]),
        "channel": channel,
        "channel_display": str(CHANNELS[channel]),
        "status": states.get((purpose, channel), NOT_ASKED),
        "wording": {"version": wording.version, "text": wording.text},
    }


class ConsentListView(ClubAPIView):
    @documented(
        responses={200: ConsentSerializer(many=True)},
        description="Every purpose and channel the preference centre offers, with its "
        "state and the wording to show.",
    )
    def get(self, request):
        states = services.consent_states(request.user)
        return Response(
            ConsentSerializer(
                [
                    item(purpose, channel, states)
                    for purpose in PURPOSES
                    for channel in app_settings.CONSENT_CHANNELS_OFFERED
                ],
                many=True,
            ).data
        )


class ConsentView(ClubAPIView):
    def pair(self, purpose: str, channel: str) -> tuple[str, str]:
        if not offered(purpose, channel):
            raise NotFound()
        return purpose, channel

    def answer(self, purpose: str, channel: str) -> Response:
        states = services.consent_states(self.request.user)
        return Response(ConsentSerializer(item(purpose, channel, states)).data)

    @documented(
        request=GrantSerializer,
        responses={200: ConsentSerializer},
        problems=(400, 404, 409),
        description="Grant (idempotent: a granted or pending choice records nothing more). "
        "Marketing email stays pending until the member confirms by email.",
    )
    def put(self, request, purpose: str, channel: str):
        purpose, channel = self.pair(purpose, channel)
        form = GrantSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        wording = get_wording(purpose, channel)
        if form.validated_data["wording_version"] != wording.version:
            raise ConsentWordingChanged()
        services.grant_consent(
            request.user,
            purpose=purpose,
            channel=channel,
            source=ConsentRecord.SOURCE_PREFERENCES,
            request=request._request,
            wording=wording,
        )
        return self.answer(purpose, channel)

    @documented(
        responses={200: ConsentSerializer},
        problems=(404,),
        description="Withdraw (idempotent: a choice never granted records nothing).",
    )
    def delete(self, request, purpose: str, channel: str):
        purpose, channel = self.pair(purpose, channel)
        # As the preference centre: an empty box left empty records nothing. A
        # granted one is withdrawn under the lock (``withdraw_consent`` records once).
        status = services.consent_states(request.user).get((purpose, channel))
        if status not in (ConsentState.GRANTED, ConsentState.PENDING):
            return self.answer(purpose, channel)
        services.withdraw_consent(
            request.user,
            purpose=purpose,
            channel=channel,
            source=ConsentRecord.SOURCE_PREFERENCES,
            request=request._request,
        )
        return self.answer(purpose, channel)
