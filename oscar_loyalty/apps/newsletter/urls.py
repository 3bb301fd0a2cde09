"""Provider webhooks for SMS and WhatsApp (mounted under ``club/sms/``, docs/sms.md)."""

from django.urls import path

from .channels import provider_webhooks, webhooks, whatsapp_webhooks

urlpatterns = [
    path("twilio/inbound/", webhooks.twilio_inbound, name="sms-twilio-inbound"),
    path("twilio/status/", webhooks.twilio_status, name="sms-twilio-status"),
    path("vonage/inbound/", provider_webhooks.vonage_inbound, name="sms-vonage-inbound"),
    path("vonage/status/", provider_webhooks.vonage_status, name="sms-vonage-status"),
    path(
        "whatsapp-cloud/webhook/",
        whatsapp_webhooks.whatsapp_cloud_webhook,
        name="sms-whatsapp-cloud-webhook",
    ),
    # 019 and InforU sign nothing: the secret is in the URL (docs/sms.md).
    path("inforu/<str:token>/inbound/", provider_webhooks.inforu_inbound, name="sms-inforu-in"),
    path("inforu/<str:token>/status/", provider_webhooks.inforu_status, name="sms-inforu-status"),
]
