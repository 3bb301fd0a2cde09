"""WhatsApp through Meta's Cloud API, plain HTTP: approved templates for marketing.

Options: ``phone_number_id`` (the business number's id), ``access_token``
(a system user's token), ``api_version`` (``v21.0``), ``base_url``
(``https://graph.facebook.com``), and for the webhook (``whatsapp_webhooks``)
``app_secret`` (signs each event) and ``verify_token`` (Meta's subscription
check). Each message is one
``POST {base_url}/{api_version}/{phone_number_id}/messages`` with a
``template`` whose body placeholders get the message's parameters (Meta:
business-initiated messages must be approved templates; the marketing
template's own text must carry "פרסומת", the store's name and the refusal,
docs/sms.md). The answer's ``messages[0].id`` (``wamid.…``) is the message id
the status webhooks name.
"""

from __future__ import annotations

from .base import BaseBackend, ChannelAPIError, ChannelMessage, RecipientStatus


class WhatsAppCloudBackend(BaseBackend):
    name = "whatsapp_cloud"
    channels = ("whatsapp",)
    batch_size = 100
    phone_number_id = ""
    access_token = ""
    api_version = "v21.0"
    base_url = "https://graph.facebook.com"
    app_secret = ""
    verify_token = ""

    def build_payload(self, message: ChannelMessage) -> dict:
        if not message.template:
            raise ChannelAPIError("WhatsApp marketing needs an approved template", status_code=400)
        template = {
            "name": message.template,
            "language": {"code": message.language or "he"},
        }
        if message.parameters:
            template["components"] = [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": value} for value in message.parameters
                    ],
                }
            ]
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to.lstrip("+"),
            "type": "template",
            "template": template,
        }

    def post(self, payload: dict):
        url = f"{self.base_url.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"
        return self.http(
            "POST", url, json=payload, headers={"Authorization": f"Bearer {self.access_token}"}
        )

    def parse_response(self, response, messages):
        (message,) = messages
        data = response.json()
        ids = [m.get("id", "") for m in data.get("messages", [])]
        if ids and ids[0]:
            return {message.ref: RecipientStatus("queued", message_id=ids[0])}
        return {message.ref: RecipientStatus("failed", error=str(data)[:2000])}
