"""Meta's WhatsApp Cloud API over HTTP, served a recorded answer by a local server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from oscar_loyalty.apps.newsletter.channels import ChannelAPIError, ChannelMessage
from oscar_loyalty.apps.newsletter.channels.whatsapp_cloud import WhatsAppCloudBackend
from tests.apps.newsletter.sms_fixtures import recorded


@pytest.fixture
def graph():
    """A local stand-in for graph.facebook.com that answers with the recorded response."""
    seen, answer = [], {"status": 200, "body": recorded("whatsapp_cloud_message_sent.json.txt")}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers["Content-Length"])
            seen.append(
                {"path": self.path, "auth": self.headers["Authorization"],
                 "json": json.loads(self.rfile.read(length))}
            )  # fmt: skip
            body = answer["body"].encode()
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen, answer
    server.shutdown()
    server.server_close()


def backend(url):
    return WhatsAppCloudBackend(phone_number_id="1065", access_token="tok", base_url=url)


def test_a_marketing_template_is_posted_and_the_wamid_is_the_message_id(graph):
    url, seen, _answer = graph
    message = ChannelMessage(
        ref="9", to="+972502345678", body="", template="autumn_sale", language="he",
        parameters=["דנה"],
    )  # fmt: skip
    statuses = backend(url).send_messages([message])
    assert statuses["9"].status == "queued"
    assert statuses["9"].message_id.startswith("wamid.HBgL")
    (request,) = seen
    assert request["path"] == "/v21.0/1065/messages" and request["auth"] == "Bearer tok"
    sent = request["json"]
    assert sent["messaging_product"] == "whatsapp" and sent["to"] == "972502345678"
    assert sent["type"] == "template" and sent["template"]["name"] == "autumn_sale"
    assert sent["template"]["language"] == {"code": "he"}
    assert sent["template"]["components"][0]["parameters"] == [{"type": "text", "text": "דנה"}]


def test_an_http_error_is_a_refusal_with_its_status(graph):
    url, _seen, answer = graph
    answer["status"], answer["body"] = 400, '{"error": {"code": 132001}}'
    with pytest.raises(ChannelAPIError) as caught:
        backend(url).send_messages(
            [ChannelMessage(ref="1", to="+972502345678", body="", template="x")]
        )
    assert caught.value.status_code == 400


def test_no_server_is_no_answer_so_the_outbox_waits_for_the_lease():
    with pytest.raises(ChannelAPIError) as caught:
        backend("http://127.0.0.1:9").send_messages(
            [ChannelMessage(ref="1", to="+972502345678", body="", template="x")]
        )
    assert caught.value.status_code is None
