/* Live length and SMS count under each SMS template's text (SPEC N-3).
   Same rule as notifications/channels/sms.py: one character outside GSM-7
   switches the whole text to UCS-2, 70 characters a segment instead of 160. */
(function () {
  "use strict";
  const BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const EXTENDED = "^{}\\[~]|€\f";

  function count(text) {
    const chars = Array.from(text);
    if (chars.every((c) => BASIC.includes(c) || EXTENDED.includes(c))) {
      const length = chars.reduce((n, c) => n + (EXTENDED.includes(c) ? 2 : 1), 0);
      return { encoding: "GSM-7", length, segments: length <= 160 ? 1 : Math.ceil(length / 153) };
    }
    const length = text.length;  // UTF-16 units: an emoji counts two, as in UCS-2
    return { encoding: "UCS-2", length, segments: length <= 70 ? 1 : Math.ceil(length / 67) };
  }

  function attach(body) {
    const prefix = body.name.slice(0, -"body".length);
    const channel = document.querySelector(`select[name="${prefix}channel"]`);
    if (!channel) return;
    const output = document.createElement("p");
    output.className = "help relais-sms-count";
    output.setAttribute("aria-live", "polite");
    body.insertAdjacentElement("afterend", output);
    const template = body.dataset.smsCountTemplate;
    function update() {
      if (channel.value !== "sms") { output.hidden = true; return; }
      const info = count(body.value);
      output.hidden = false;
      output.textContent = template
        .replace("{length}", info.length)
        .replace("{encoding}", info.encoding)
        .replace("{segments}", info.segments);
    }
    body.addEventListener("input", update);
    channel.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-sms-count-template]").forEach(attach);
  });
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("textarea[data-sms-count-template]").forEach(attach);
  });
})();
