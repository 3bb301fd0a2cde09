/* The SMS text's live counter: characters, encoding and parts of the message as sent.
 *
 * The same rule as oscar_loyalty/apps/newsletter/channels/text.py (count_segments and
 * compose): the text is wrapped as "פרסומת - {store}: {text}\n{refusal}" and counted whole;
 * GSM-7 holds 160 septets in one message and 153 per part (an extension character takes
 * two), anything else is UCS-2, 70 UTF-16 units and 67 per part. The alphabet comes from
 * Python in the textarea's data-loyalty-sms-counter, so the two cannot disagree.
 * No library, no build step. */
(function () {
  "use strict";

  function segments(text, basic, extension) {
    var gsm = true, septets = 0;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (basic.indexOf(ch) !== -1) { septets += 1; }
      else if (extension.indexOf(ch) !== -1) { septets += 2; }
      else { gsm = false; break; }
    }
    var encoding = gsm ? "GSM-7" : "UCS-2";
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    // UCS-2: a JavaScript string's length is its UTF-16 code units, as Python's utf-16-le / 2.
    var units = gsm ? septets : text.length;
    if (units <= single) {
      return {encoding: encoding, units: units, parts: units ? 1 : 0, perPart: single,
              remaining: single - units};
    }
    var parts = Math.ceil(units / multi);
    return {encoding: encoding, units: units, parts: parts, perPart: multi,
            remaining: parts * multi - units};
  }

  function compose(body, config) {
    // Python's str.strip() and the prefix rule of channels.text.compose.
    body = body.replace(/\r\n/g, "\n").trim();
    if (body.indexOf(config.prefix) === 0) {
      body = body.slice(config.prefix.length).replace(/^[ \-:|]+/, "");
    }
    return config.head + body + "\n" + config.refusal;
  }

  function format(label, values) {
    return label.replace(/%\((\w+)\)s/g, function (match, name) {
      return name in values ? String(values[name]) : match;
    });
  }

  function attach(textarea) {
    var config = JSON.parse(textarea.getAttribute("data-loyalty-sms-counter"));
    var output = document.createElement("output");
    output.className = "loyalty-sms-counter help";
    output.setAttribute("aria-live", "polite");
    output.setAttribute("for", textarea.id);
    textarea.insertAdjacentElement("afterend", output);
    function update() {
      var s = segments(compose(textarea.value, config), config.basic, config.extension);
      output.setAttribute("data-units", s.units);
      output.setAttribute("data-parts", s.parts);
      output.setAttribute("data-encoding", s.encoding);
      output.textContent = format(config.label, {
        units: s.units, encoding: s.encoding, parts: s.parts, per_part: s.perPart,
        remaining: s.remaining
      });
    }
    textarea.addEventListener("input", update);
    update();
  }

  function start() {
    var boxes = document.querySelectorAll("textarea[data-loyalty-sms-counter]");
    for (var i = 0; i < boxes.length; i++) { attach(boxes[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
