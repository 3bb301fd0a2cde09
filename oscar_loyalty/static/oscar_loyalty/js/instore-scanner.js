/*
 * The in-store page's card scanner: reads the member card's QR code (which
 * holds only the member number) with the device camera and the browser's
 * BarcodeDetector API, fills in the number and submits the lookup form.
 *
 * No library and no network: where BarcodeDetector or a camera is missing
 * the scanner stays hidden and the cashier types the number.
 * Also stops a second click on "Record purchase" (the server is idempotent
 * on the receipt anyway).
 */
(function () {
    "use strict";

    function once() {
        document.querySelectorAll("[data-loyalty-once]").forEach(function (button) {
            var form = button.form;
            if (!form) { return; }
            form.addEventListener("submit", function () {
                window.setTimeout(function () { button.disabled = true; }, 0);
            });
        });
    }

    function messages() {
        var script = document.querySelector("script[data-scanner-messages]");
        try {
            return JSON.parse(script.getAttribute("data-scanner-messages"));
        } catch (error) {
            return {};
        }
    }

    function scanner() {
        var box = document.querySelector("[data-loyalty-scanner]");
        var form = document.getElementById("loyalty-card-lookup");
        if (!box || !form) { return; }
        var supported = "BarcodeDetector" in window && navigator.mediaDevices &&
            typeof navigator.mediaDevices.getUserMedia === "function";
        if (!supported) { return; }  // typing only
        var text = messages();
        var start = box.querySelector("[data-loyalty-scan-start]");
        var stop = box.querySelector("[data-loyalty-scan-stop]");
        var video = box.querySelector("[data-loyalty-scan-video]");
        var status = box.querySelector("[data-loyalty-scan-status]");
        var input = form.querySelector("input[name=number]");
        var stream = null;
        var running = false;
        var detector;

        function finish() {
            running = false;
            if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
            stream = null;
            video.hidden = true;
            stop.hidden = true;
            start.hidden = false;
        }

        function fallback() {
            finish();
            status.textContent = text.denied || "";
            input.focus();
        }

        function tick() {
            if (!running) { return; }
            detector.detect(video).then(function (codes) {
                var value = codes.length ? String(codes[0].rawValue || "") : "";
                var digits = value.replace(/\D/g, "");
                if (digits.length >= 8) {
                    input.value = digits;
                    finish();
                    form.submit();
                    return;
                }
                window.requestAnimationFrame(tick);
            }).catch(function () { window.setTimeout(tick, 250); });
        }

        window.BarcodeDetector.getSupportedFormats().then(function (formats) {
            if (formats.indexOf("qr_code") === -1) { return; }
            detector = new window.BarcodeDetector({formats: ["qr_code"]});
            box.hidden = false;
            start.addEventListener("click", function () {
                status.textContent = text.starting || "";
                navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}})
                    .then(function (media) {
                        stream = media;
                        video.srcObject = media;
                        video.hidden = false;
                        stop.hidden = false;
                        start.hidden = true;
                        running = true;
                        status.textContent = text.scanning || "";
                        return video.play();
                    })
                    .then(tick)
                    .catch(fallback);
            });
            stop.addEventListener("click", finish);
        }).catch(function () { /* no QR support: typing only */ });
    }

    document.addEventListener("DOMContentLoaded", function () {
        once();
        scanner();
    });
}());
