"""Provider webhooks for SMS and WhatsApp (mounted under ``club/sms/``, docs/sms.md)."""

from django.urls import path

from .channels import webhooks

urlpatterns = [
    path("twilio/inbound/", webhooks.twilio_inbound, name="sms-twilio-inbound"),
    path("twilio/status/", webhooks.twilio_status, name="sms-twilio-status"),
]
