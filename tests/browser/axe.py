"""axe-core (WCAG 2.1 A and AA rules) on every portal page a browser test opens.

The vendored `vendor/axe.min.js` is added to each new document as a Playwright init
script, which the page's Content-Security-Policy does not apply to (a `<script>` tag
would be refused). Each portal page is checked once loaded, and the page a test ends
on once more; serious or critical violations fail the test.
"""

from pathlib import Path

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
FAILING = ("serious", "critical")
OPTIONS = """{
  runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  rules: {"label-content-name-mismatch": {enabled: true}}
}"""
# The back office is Django's admin, outside this check; the portal is everything else.
CHECK = f"""async () => {{
  if (window.top !== window || location.pathname.startsWith("/admin/")) return null;
  if (typeof axe === "undefined") return null;  // a document Playwright opened before
  // One run at a time: the check made on load may still be running when the test ends
  // (axe refuses a second run meanwhile), so each run waits for the one before it.
  const previous = window.__axeRunning || Promise.resolve();
  const run = previous.catch(() => null).then(() => axe.run(document, {OPTIONS}));
  window.__axeRunning = run;
  const result = await run;
  return {{
    url: location.pathname,
    violations: result.violations
      .filter(v => {list(FAILING)}.includes(v.impact))
      .map(v => ({{id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}})),
  }};
}}"""
# Not parsed at all on back-office pages, which it would only slow down.
ON_LOAD = f"""if (!location.pathname.startsWith("/admin/")) {{
{AXE}
window.addEventListener("load", () => {{
  ({CHECK})().then(report => report && window.__axeReport(report));
}});
}}"""


class AxeWatch:
    """Collects what axe found on the pages of the contexts it watches."""

    def __init__(self):
        self.checked = []  # paths
        self.violations = []  # (path, rule id, impact, help, nodes)

    def watch(self, context):
        context.expose_function("__axeReport", self.record)
        context.add_init_script(script=ON_LOAD)
        return context

    def record(self, report):
        self.checked.append(report["url"])
        for v in report["violations"]:
            found = (report["url"], v["id"], v["impact"], v["help"], tuple(v["nodes"]))
            if found not in self.violations:
                self.violations.append(found)

    def check_open_pages(self, contexts):
        for context in contexts:
            for page in context.pages:
                if page.is_closed() or not page.url.startswith("http"):
                    continue
                try:
                    report = page.evaluate(CHECK)
                except Exception as error:  # a page closing under us
                    if "closed" in str(error) or "destroyed" in str(error):
                        continue
                    raise
                if report:
                    self.record(report)

    def failure(self):
        if not self.violations:
            return None
        lines = [
            f"{path}: {rule} ({impact}) {help} {list(nodes)}"
            for path, rule, impact, help, nodes in self.violations
        ]
        return "axe-core found serious or critical violations:\n" + "\n".join(lines)
