// Charts from JSON: <canvas data-chart="ID"> is drawn from <script type="application/json" id="ID">
// {type: "line" | "bar", labels: [...], y_label: "kg", datasets: [{label, data: [...], marks?: [bool...]}]}.
// `marks` makes those points larger (e.g. records). Generic: any page (the analytics dashboard too) can use it;
// the strict CSP allows no inline script, so the data travels in a JSON element and the drawing is here.
(() => {
  "use strict";
  const COLOURS = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#dc2626"];

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart !== "function") return;
    let spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      return; // a broken series leaves the table twin, never a script error
    }
    const datasets = (spec.datasets || []).map((set, n) => {
      const colour = set.colour || COLOURS[n % COLOURS.length];
      const marks = set.marks || [];
      return {
        label: set.label,
        data: set.data,
        borderColor: colour,
        backgroundColor: colour,
        spanGaps: true,
        tension: 0.2,
        pointRadius: set.data.map((_, i) => (marks[i] ? 7 : 3)),
        pointStyle: set.data.map((_, i) => (marks[i] ? "rectRot" : "circle")),
      };
    });
    new window.Chart(canvas, {
      type: spec.type || "line",
      data: { labels: spec.labels || [], datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { title: { display: Boolean(spec.y_label), text: spec.y_label || "" } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
