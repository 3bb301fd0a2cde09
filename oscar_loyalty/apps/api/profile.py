"""``me/profile/``: the club profile the web page edits, read and changed as JSON.

The web form (``membership.forms.ProfileForm``) stays the one place the
profile's rules live (a birthday not in the future nor 120 years back, budgets
not negative and in order, a business name only for a business); the API
checks the JSON's shape and types first (a string where a string belongs),
then hands the values to that form and saves through the same service
(``membership.services.update_profile``: row lock, birthday change date).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from oscar.core.loading import get_model
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from oscar_loyalty.apps.membership import services as membership_services
from oscar_loyalty.apps.membership.forms import ProfileForm
from oscar_loyalty.apps.membership.models import Member

from .views import ClubAPIView, documented

Category = get_model("catalogue", "Category")

#: The profile's fields, in the web form's order (``ProfileForm.Meta.fields``).
FIELDS = tuple(ProfileForm.Meta.fields)


def _language_choices():
    return [("", _("Store default")), *settings.LANGUAGES]


class InterestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProfileSerializer(serializers.Serializer):
    """The profile as read; ``interests`` are the top-level categories chosen."""

    birthday = serializers.DateField(allow_null=True)
    interests = InterestSerializer(many=True)
    preferred_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Member.CHANNEL_CHOICES),
        help_text="How the member likes to be contacted: a preference, not consent.",
    )
    notice_channel = serializers.ChoiceField(
        choices=Member.NOTICE_CHANNEL_CHOICES,
        help_text="How club notices (points, birthday, draws, referrals) reach the member; "
        "by email when the chosen channel cannot (no number or no consent).",
    )
    city = serializers.CharField(allow_blank=True)
    region = serializers.ChoiceField(choices=Member.REGION_CHOICES, allow_blank=True)
    customer_type = serializers.ChoiceField(choices=Member.CUSTOMER_TYPE_CHOICES)
    business_name = serializers.CharField(allow_blank=True)
    budget_min = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    language = serializers.CharField(
        allow_blank=True, help_text="A language code of the store; empty: the store's default."
    )


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class CategoryIdsField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ProfileUpdateSerializer(serializers.Serializer):
    """A partial update: the fields sent change, the others stay as they are.

    Types and sizes are checked here; the rules are the web form's.
    """

    birthday = serializers.DateField(required=False, allow_null=True)
    interests = CategoryIdsField(
        required=False, max_length=200, help_text="Ids of top-level categories."
    )
    preferred_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Member.CHANNEL_CHOICES),
        required=False,
        max_length=len(Member.CHANNEL_CHOICES),
    )
    notice_channel = serializers.ChoiceField(
        choices=Member.NOTICE_CHANNEL_CHOICES,
        required=False,
        help_text="Only email where the store does not send SMS or WhatsApp.",
    )
    city = serializers.CharField(required=False, allow_blank=True, max_length=128)
    region = serializers.ChoiceField(
        choices=Member.REGION_CHOICES, required=False, allow_blank=True
    )
    customer_type = serializers.ChoiceField(choices=Member.CUSTOMER_TYPE_CHOICES, required=False)
    business_name = serializers.CharField(required=False, allow_blank=True, max_length=128)
    budget_min = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    budget_max = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    language = serializers.ChoiceField(choices=(), required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The store's languages when asked, not at import.
        self.fields["language"].choices = _language_choices()


def profile_data(member: Member) -> dict:
    return {
        "birthday": member.birthday,
        "interests": [
            {"id": category.pk, "name": category.name}
            for category in member.interests.order_by("name")
        ],
        "preferred_channels": list(member.preferred_channels or []),
        "notice_channel": member.notice_channel,
        "city": member.city,
        "region": member.region,
        "customer_type": member.customer_type,
        "business_name": member.business_name,
        "budget_min": member.budget_min,
        "budget_max": member.budget_max,
        "language": member.language,
    }


def _form_value(value):
    return "" if value is None else value


class ProfileView(ClubAPIView):
    @documented(
        responses={200: ProfileSerializer},
        problems=(404,),
        description="The member's club profile (the web profile page's fields).",
    )
    def get(self, request):
        member = self.get_member()
        return Response(ProfileSerializer(profile_data(member)).data)

    @documented(
        request=ProfileUpdateSerializer,
        responses={200: ProfileSerializer},
        problems=(400, 404),
        description="Change some of the profile's fields; the others stay. "
        "Validated by the web profile form's rules.",
    )
    def patch(self, request):
        member = self.get_member()
        update = ProfileUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        current = profile_data(member)
        current["interests"] = [item["id"] for item in current["interests"]]
        data = {name: _form_value(current[name]) for name in FIELDS}
        data.update({name: _form_value(value) for name, value in update.validated_data.items()})
        form = ProfileForm(data=data, instance=member)
        channel = update.validated_data.get("notice_channel", Member.NOTICE_EMAIL)
        if channel != Member.NOTICE_EMAIL and "notice_channel" not in form.fields:
            # Without the newsletter app every notice goes by email: no choice to make.
            raise ValidationError(
                {"notice_channel": [_("Club notices are sent by email only in this store.")]}
            )
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        # The profile's fields only (the web form also has the phone and its
        # consent boxes, which this endpoint does not take), as far as the form has them.
        cleaned = {name: form.cleaned_data[name] for name in FIELDS if name in form.fields}
        interests = cleaned.pop("interests")
        # LoyaltyError answers as a problem, where the web page shows a message.
        saved = membership_services.update_profile(member, interests=interests, **cleaned)
        return Response(ProfileSerializer(profile_data(saved)).data)
