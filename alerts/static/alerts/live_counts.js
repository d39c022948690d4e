// A live run's counts, refreshed without reloading the page (the truck's tablet stays
// where the operator scrolled). A file, not an inline script: the CSP allows none.
(() => {
  const section = document.querySelector("[data-counts-url]");
  if (!section) return;
  const url = section.dataset.countsUrl;
  const every = Number(section.dataset.refreshSeconds) * 1000;

  async function refresh() {
    let counts;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(response.status);
      counts = await response.json();
    } catch {
      window.setTimeout(refresh, every * 2); // offline for a moment (a truck): try again later
      return;
    }
    for (const cell of section.querySelectorAll("[data-count]")) {
      const value = counts[cell.dataset.count];
      if (value !== undefined) cell.textContent = value === "" ? "–" : value;
    }
    if (counts.live) window.setTimeout(refresh, every);
  }
  window.setTimeout(refresh, every);
})();
