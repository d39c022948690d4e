// The poster's Print button (a file, not an inline handler: the CSP allows no inline script).
document.getElementById("print").addEventListener("click", () => window.print());
