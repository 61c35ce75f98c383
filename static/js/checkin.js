/* The check-in desk's and the kiosk's QR scanner: the device camera in the page (served from static/: the CSP
   allows no inline script).

   A [data-scanner] section stays hidden without this script, so the typed search or code always remains. It uses
   the browser's BarcodeDetector where it reads QR codes, else jsQR (vendored, static/js/jsQR.js, loaded only
   then). A code read is posted by the section's form: the desk opens that member's page (or checks them in when
   one class is open), the kiosk checks them in. Without a camera, or when permission is refused, it says so in
   plain words and the typing stays. [data-autostart] (the kiosk) starts the camera at once. */
(function () {
  "use strict";
  var INTERVAL_MS = 150;  // a frame every 150 ms reads a held-up phone quickly without heating a tablet
  var MAX_WIDTH = 640;  // frames are scaled down to this before jsQR reads them

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function qrReader(fallbackSrc) {
    if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) { throw new Error("no qr"); }
        var detector = new window.BarcodeDetector({formats: ["qr_code"]});
        return function (video) {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }).catch(function () { return jsQrReader(fallbackSrc); });
    }
    return jsQrReader(fallbackSrc);
  }

  function jsQrReader(src) {
    var ready = window.jsQR ? Promise.resolve() : loadScript(src);
    return ready.then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", {willReadFrequently: true});
      return function (video) {
        if (!video.videoWidth) { return Promise.resolve(null); }
        var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "attemptBoth"});
        return Promise.resolve(found && found.data ? found.data : null);
      };
    });
  }

  function setUp(section) {
    var start = section.querySelector("[data-scan-start]");
    var stop = section.querySelector("[data-scan-stop]");
    var view = section.querySelector("[data-scan-view]");
    var video = section.querySelector("[data-scan-video]");
    var status = section.querySelector("[data-scan-status]");
    var form = section.querySelector("[data-scan-form]");
    var stream = null;
    var timer = null;

    function say(text) { status.textContent = text; }

    function halt() {
      if (timer) { window.clearTimeout(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
      view.hidden = true;
      start.hidden = false;
    }

    function refused(error) {
      halt();
      var name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError") {
        say("The camera is not allowed on this device. Allow it in the browser's settings, or type the code.");
      } else if (name === "NotFoundError" || name === "OverconstrainedError") {
        say("This device has no camera the page can use. Type the code or find the member by name.");
      } else {
        say("The camera could not be started. Type the code or find the member by name.");
      }
    }

    function scan(read) {
      read(video).then(function (value) {
        if (value) {
          halt();
          say("Code read. Opening…");
          form.querySelector("[data-scan-code]").value = value;
          form.submit();
          return;
        }
        timer = window.setTimeout(function () { scan(read); }, INTERVAL_MS);
      }).catch(function () { timer = window.setTimeout(function () { scan(read); }, INTERVAL_MS); });
    }

    function begin() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        refused({name: "NotFoundError"});
        return;
      }
      say("Starting the camera…");
      Promise.all([
        navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}),
        qrReader(section.dataset.fallback)
      ]).then(function (found) {
        stream = found[0];
        video.srcObject = stream;
        view.hidden = false;
        start.hidden = true;
        return video.play().then(function () {
          say("Hold the QR code up to the camera.");
          scan(found[1]);
        });
      }).catch(refused);
    }

    section.hidden = false;
    start.addEventListener("click", begin);
    stop.addEventListener("click", function () { halt(); say(""); });
    window.addEventListener("pagehide", halt);
    if (section.hasAttribute("data-autostart")) { begin(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-scanner]"), setUp);
  });
})();
