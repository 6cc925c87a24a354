"""The report page's style sheet and script (kept as strings so the page is one file and the package needs
no data files). The script draws the charts from the JSON in ``#report-data`` and makes tables sortable."""

CSS = """
* { box-sizing: border-box; }
body { margin: 0; font-family: var(--font); color: #1d2330; background: #f5f6f8; line-height: 1.5; }
header { background: #1d2b44; color: #fff; padding: 20px max(24px, calc((100vw - 1180px) / 2)) 12px; }
header h1 { margin: 0 0 4px; font-size: 1.55rem; font-weight: 650; }
header .meta { margin: 0 0 10px; color: #c9d3e6; font-size: .92rem; }
header nav { display: flex; flex-wrap: wrap; gap: 2px 18px; }
header nav a { color: #fff; text-decoration: none; font-size: .9rem; opacity: .85; }
header nav a:hover { opacity: 1; text-decoration: underline; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 24px; }
section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 14px 20px 18px;
          margin: 16px 0; }
h2 { font-size: 1.2rem; margin: 0 0 8px; }
h3 { font-size: 1rem; margin: 12px 0 6px; }
.help { color: #5a6273; font-size: .86rem; margin: 0 0 10px; }
.conclusions { border-left: 5px solid #2f7be5; }
.conclusions ul { margin: 0; padding-left: 1.2em; }
.conclusions li { margin: 4px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(480px, 100%), 1fr)); gap: 12px; }
.chart.wide { grid-column: 1 / -1; }
td .hp { white-space: normal; min-width: 140px; max-width: 210px; font-size: .74rem; color: #5a6273; line-height: 1.3; }
td .sd { font-size: .78rem; color: #5a6273; }
table.sortable thead th { vertical-align: bottom; }
html:lang(en) table.sortable thead th { white-space: normal; }
html:lang(ja) table.sortable thead th { white-space: normal; word-break: keep-all; }
.chart { min-width: 0; min-height: 400px; border: 1px solid #eceef2; border-radius: 6px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88rem; width: 100%; }
th, td { padding: 5px 7px; border-bottom: 1px solid #e6e8ee; text-align: left; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable thead th { cursor: pointer; user-select: none; background: #f0f2f6; position: relative;
                          padding-right: 18px; }
table.sortable thead th:hover { background: #e3e8f2; }
table.sortable thead th button.sort { background: none; border: 0; padding: 0; margin: 0; font: inherit; color: inherit;
                                      text-align: inherit; cursor: pointer; width: 100%; }
table.sortable thead th button.sort:focus-visible { outline: 2px solid #2f7be5; outline-offset: 2px; }
/* the arrows are not read out (aria-sort says the order; "up down arrow" came with every column's name) */
table.sortable thead th::after { content: "\\2195"; content: "\\2195" / ""; position: absolute; right: 5px;
                                 color: #6b7385; font-size: .8em; }    /* (the first: browsers without alt text) */
table.sortable thead th[aria-sort="ascending"]::after { content: "\\25B2"; content: "\\25B2" / ""; color: #2f7be5; }
table.sortable thead th[aria-sort="descending"]::after { content: "\\25BC"; content: "\\25BC" / ""; color: #2f7be5; }
.js-plotly-plot .modebar-btn path { fill: #5f6673 !important; }      /* Plotly's grey was 1.7:1 on white */
.js-plotly-plot .modebar-btn.active path, .js-plotly-plot .modebar-btn:hover path { fill: #1f2430 !important; }
tbody th { font-weight: 600; }
#summary-table tbody th { white-space: normal; }   /* a long label wraps: the table fits the page */
.nobr { white-space: nowrap; }
/* a sweep's setting labels, 「Adam（BN あり、relu）」, wrap after the optimizer: the tables fit 1280 px (a review) */
#defaults-table tbody th, #ttt-table tbody th, #grid-table tbody th { white-space: normal; word-break: keep-all;
                                                                   min-width: 8.5em; }
/* the sweep's optimizers: settings wrap at their commas (Adam's ran the table to 1175 px in a 1092 px page), a class
   name at its dots (<wbr>) */
#optimizers-table td { white-space: normal; }
#defaults-table td > div { white-space: normal; }     /* a note under an interval, 「（3 シードでチャンスレベル付近）」 */
.on-paper { display: none; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px;
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }   /* printed: rows keep their run's colour */
details { margin-top: 12px; }
summary { cursor: pointer; color: #2f5fa7; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(340px, 100%), 1fr)); gap: 12px; }
figure { margin: 0; border: 1px solid #eceef2; border-radius: 6px; padding: 6px; background: #fff; min-width: 0; }
figure img { width: 100%; height: auto; display: block; cursor: zoom-in; }
figure.zoomed { grid-column: 1 / -1; }                 /* a clicked figure takes the section's whole width */
figure.zoomed img { cursor: zoom-out; }
figcaption { font-size: .8rem; color: #5a6273; text-align: center; overflow-wrap: anywhere; }  /* a long file name */
figcaption .file { font-size: .72rem; color: #5f6673; margin-left: .4em; }
/* a chart's lines as buttons for the keyboard (Plotly's legend takes clicks only): out of sight until one has focus,
   then just below the chart, over what follows it, so that nothing moves and the chart stays in view */
.chart { position: relative; }
.legend-keys { position: absolute; left: 6px; top: calc(100% + 2px); z-index: 10; display: flex; flex-wrap: wrap;
               gap: 4px 8px;
               max-width: calc(100% - 12px); padding: 6px 8px; font-size: .8rem; background: rgba(255,255,255,.96);
               border: 1px solid #c9ced8; border-radius: 6px; box-shadow: 0 2px 6px rgba(0,0,0,.12); }
.legend-keys:not(:focus-within) { width: 1px; height: 1px; padding: 0; border: 0; overflow: hidden;
                                  clip: rect(0 0 0 0); white-space: nowrap; }
.legend-keys button { font: inherit; background: #fff; border: 1px solid #c9ced8; border-radius: 4px; padding: 1px 6px;
                      cursor: pointer; }
.legend-keys button[aria-pressed="false"] { color: #5f6673; background: #eef0f3; text-decoration: line-through; }
.legend-keys button:focus-visible { outline: 2px solid #2f7be5; outline-offset: 1px; }
.legend-keys .keys-hint { flex-basis: 100%; font-size: .72rem; color: #5f6673; }
pre.command { white-space: pre-wrap; overflow-wrap: anywhere; }   /* the whole command in sight: its --out too */
pre { background: #f6f8fa; border: 1px solid #e6e8ee; border-radius: 6px; padding: 10px 12px; overflow: auto;
      max-height: 420px; font-size: .82rem; }
.kv th { width: 34%; color: #5a6273; font-weight: 500; white-space: normal; }   /* a long name wraps on a phone */
.kv td { white-space: normal; word-break: break-all; }
.two-col { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(360px, 100%), 1fr)); gap: 18px; }
footer { max-width: 1180px; margin: 0 auto; padding: 0 24px 24px; color: #5a6273; font-size: .8rem; }
/* a table wider than its box scrolls sideways: a shadow at the right edge says there is more (it goes at the end) */
.table-wrap { background: linear-gradient(to left, #fff 40%, rgba(255,255,255,0)) right / 28px 100% no-repeat local,
                          radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.2), rgba(0,0,0,0)) right / 12px 100%
                          no-repeat scroll; }
@media (max-width: 600px) {          /* a phone: narrower margins, so the charts and tables keep their width */
  header { padding: 14px 12px 10px; }
  header nav { gap: 4px 14px; }
  header nav a { display: inline-block; padding: 6px 0; }             /* a target a finger can hit: 34 px, not 22 */
  main { padding: 4px 8px 16px; }
  section { padding: 10px 10px 14px; }
  footer { padding: 0 12px 16px; }
  /* a wide table (the summary: 986 px in 339) scrolls under its first column, which stays: each row keeps its name */
  .table-wrap tbody th, .table-wrap thead th:first-child { position: sticky; left: 0; z-index: 1; background: #fff;
                                                           box-shadow: 1px 0 0 #e6e8ee; }
  .table-wrap thead th:first-child { background: #f0f2f6; z-index: 2; }
  #summary-table tbody th { min-width: 96px; max-width: 120px; }
  td .hp { display: none; }           /* each run's settings (in recipe.toml, under Configuration): the accuracies
                                         began 487 px into a 339 px screen */
  /* a label above its value, each the width of the screen (the value column was 62 px: sha256 on 4 lines) */
  .kv th, .kv td { display: block; width: auto; }
  .kv th { border-bottom: 0; padding-bottom: 0; }
  .kv td { word-break: normal; overflow-wrap: anywhere; }
  /* a figure tapped: its natural size, scrolled sideways (a 1260 px telemetry figure shown at 325 px, its text 3.6 px,
     stayed so when tapped: the grid is one column already) */
  figure.zoomed { overflow-x: auto; }
  figure.zoomed img { width: auto; max-width: none; }
}
@media print {                       /* backgrounds are not printed by default: dark text on white */
  body { background: #fff; }
  header { background: #fff; color: #1d2330; border-bottom: 2px solid #1d2b44; padding: 0 0 8px; }
  header .meta { color: #3d4452; }
  header nav, .modebar-container, .legend-keys { display: none !important; }
  main { max-width: none; padding: 0; }
  section { box-shadow: none; border: 1px solid #d5d9e0; }
  .chart, figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  pre { max-height: none; overflow: visible; white-space: pre-wrap; }
  .table-wrap { overflow: visible; background: none; }   /* a wide table wraps its cells on paper instead of losing columns */
  table { font-size: .72rem; }
  table.sortable thead th::after { content: none; }      /* no sort arrows on paper */
  table.sortable thead th { padding-right: 4px; }
  table.sortable thead th button.sort { display: none; }   /* a header repeated on the next page showed its arrows */
  table.sortable thead th .on-paper { display: inline; }   /* and not its words: Chromium paints no button there */
  th, td { white-space: normal; padding: 3px 4px; }
}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  Object.keys(data.locale || {}).forEach(function (name) {      // plotly's own words in the page's language
    Plotly.register({moduleType: "locale", name: name, dictionary: data.locale[name], format: {}});
  });
  Object.keys(data.charts).forEach(function (id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    // the box as tall as the chart before it is drawn: a legend below the axes stays inside its section
    el.style.minHeight = (data.charts[id].layout.height || 400) + 2 + "px";
    var layout = data.charts[id].layout;       // Plotly keeps this object and changes it: what fitLegend needs, now
    if (layout.showlegend !== false) {
      var legend = layout.legend || {};
      el.optimlabWide = {height: layout.height || 400, bottom: (layout.margin || {}).b || 48,
                         top: (layout.margin || {}).t || 44, below: legend.orientation === "h", y: legend.y,
                         grown: !!(layout.meta || {}).legendRows,   // room for a row per entry made already
                         entries: data.charts[id].data.filter(function (t) { return t.showlegend !== false; }).length};
    }
    // on a phone Plotly's toolbar, always shown on a touch screen, lay over the chart's title: none there (a finger
    // zooms and pans the chart itself); printed pages show none either
    var config = window.innerWidth <= 600 ? Object.assign({}, data.config, {displayModeBar: false}) : data.config;
    Plotly.newPlot(el, data.charts[id].data, layout, config).then(function () {
      fitLegend(el); fitTitle(el); quietDrawing(el);
    });
    legendKeys(el, data.charts[id]);
    toolbarKeys(el);
    el.on("plotly_afterplot", function () { toolbarKeys(el); quietDrawing(el); });   // Plotly may draw anew
    el.on("plotly_relayout", function () { toolbarKeys(el); });    // zoom or pan chosen: its button pressed
  });

  // A row of buttons is one Tab stop: the arrow keys, Home and End move along it (the ARIA toolbar pattern).
  // A chart's line buttons and Plotly's toolbar were 6 stops each, about 50 before the summary table.
  function roving(box, items) {
    var list = items();
    if (!list.length) { return; }
    var at = Math.min(box.optimlabAt || 0, list.length - 1);
    list.forEach(function (b, i) { b.tabIndex = i === at ? 0 : -1; });
    if (box.optimlabRoving) { return; }
    box.optimlabRoving = true;
    box.setAttribute("role", "toolbar");
    function go(i) {
      var now = items();
      i = (i + now.length) % now.length;
      box.optimlabAt = i;
      now.forEach(function (b, k) { b.tabIndex = k === i ? 0 : -1; });
      now[i].focus();
    }
    box.addEventListener("keydown", function (ev) {
      var i = items().indexOf(document.activeElement);
      if (i < 0) { return; }
      var to = {ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: -1}[ev.key];
      if (to === undefined) { return; }
      ev.preventDefault();
      go(to);
    });
    box.addEventListener("focusin", function (ev) {     // a click moves the stop too
      var i = items().indexOf(ev.target);
      if (i >= 0 && i !== box.optimlabAt) { go(i); }
    });
  }
  // a screen reader read Plotly's drawing as images of tick numbers out of order: the chart is named by its title,
  // its lines are the buttons below it, its numbers in the tables
  function quietDrawing(el) {
    el.querySelectorAll(".main-svg").forEach(function (svg) { svg.setAttribute("aria-hidden", "true"); });
    var tester = document.getElementById("js-plotly-tester");
    if (tester) { tester.setAttribute("aria-hidden", "true"); }
  }
  function toolbarKeys(el) {
    var bar = el.querySelector(".modebar");
    if (!bar) { return; }
    bar.querySelectorAll('.modebar-btn[data-attr="dragmode"]').forEach(function (b) {   // zoom or pan: which is on
      b.setAttribute("aria-pressed", b.classList.contains("active") ? "true" : "false");
    });
    if (!bar.getAttribute("aria-label")) {
      var ja = document.documentElement.lang === "ja";
      bar.setAttribute("aria-label", (ja ? "グラフの操作：" : "Chart tools: ") + (el.getAttribute("aria-label") || ""));
    }
    roving(bar, function () { return Array.prototype.slice.call(bar.querySelectorAll(".modebar-btn")); });
  }

  // a legend at the right of a narrow chart (a phone: 375 px) left the axes a few dozen pixels and lay over the
  // curves: below the axes there, the chart taller by a row per entry (one entry a row on a phone); back as it was
  // when the chart is wide again. Below means below the axis title too: a place given as a fraction of the plot's
  // height (-0.15) lay over it on a short plot
  var NARROW = 560;
  function fitLegend(el) {
    var wide = el.optimlabWide;
    var narrow = el.clientWidth < NARROW;
    if (!wide || narrow === !!el.optimlabNarrow) { return; }
    el.optimlabNarrow = narrow;
    var more = narrow && !wide.grown ? 20 + 22 * wide.entries : 0;     // (counted twice, it left a blank band)
    var h = wide.height + more;
    var bottom = wide.bottom + more;
    var y = -(wide.bottom + 24) / Math.max(h - wide.top - bottom, 1);    // below the axis title, in plot heights
    el.style.minHeight = h + 2 + "px";
    Plotly.relayout(el, narrow      // width null: the chart keeps following its box (a height alone fixed the width)
      ? {"legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left", "legend.y": y,
         "legend.yanchor": "top", "height": h, "width": null, "margin.b": bottom}
      : wide.below ? {"legend.y": wide.y, "height": h, "width": null, "margin.b": bottom}
      : {"legend.orientation": "v", "legend.x": null, "legend.xanchor": null, "legend.y": null,
         "legend.yanchor": null, "height": h, "width": null, "margin.b": bottom}
    ).then(function () { Plotly.Plots.resize(el); });
  }
  // a title longer than a narrow chart is wide was cut at its edge ("…learning rat" at 375 px): on two lines there,
  // split at the space (or, in Japanese, the character) nearest its middle; back on one line when the chart is wide
  function wrapTitle(text, width) {
    var cjk = (text.match(/[\u3000-\u9fff\uff00-\uffef]/g) || []).length;
    if ((text.length - cjk) * 7.5 + cjk * 17 < width - 30 || text.indexOf("<br>") >= 0) { return text; }
    var mid = Math.floor(text.length / 2), at = -1, reach = Math.floor(text.length / 4);
    var japanese = cjk * 2 > text.length;       // Japanese: before a "（" or after a "、", not at a space ("（3 シード）")
    function breaks(i) { return japanese ? text.charAt(i) === "（" || text.charAt(i - 1) === "、" : text.charAt(i) === " "; }
    for (var d = 0; d <= reach && at < 0; d++) {    // such a place near the middle, else the middle itself
      if (breaks(mid - d)) { at = mid - d; } else if (breaks(mid + d)) { at = mid + d; }
    }
    if (at > 0) { return text.slice(0, at) + "<br>" + text.slice(japanese ? at : at + 1); }
    var amp = text.lastIndexOf("&", mid);            // not inside an escaped character (&amp;) nor a surrogate pair
    if (amp >= 0 && text.indexOf(";", amp) >= mid) { mid = amp; }
    if (/[\udc00-\udfff]/.test(text.charAt(mid))) { mid -= 1; }
    return text.slice(0, mid) + "<br>" + text.slice(mid);
  }
  function fitTitle(el) {
    var title = el.layout && el.layout.title;
    if (!title || !title.text) { return; }
    if (!el.optimlabTitle) { el.optimlabTitle = {text: title.text, top: (el.layout.margin || {}).t || 80}; }
    var first = el.optimlabTitle;
    var want = el.clientWidth < NARROW ? wrapTitle(first.text, el.clientWidth) : first.text;
    if (want === title.text) { return; }
    Plotly.relayout(el, {"title.text": want, "margin.t": first.top + (want === first.text ? 0 : 20)});
  }
  function fitAll() {
    Object.keys(data.charts).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.data) { fitLegend(el); fitTitle(el); }
    });
  }
  var fitting = null;
  window.addEventListener("load", fitAll);            // a page opened on a phone: its width is known once laid out
  window.addEventListener("resize", function () {     // once the window has settled, after Plotly's own resize
    clearTimeout(fitting);
    fitting = setTimeout(fitAll, 200);
  });

  // Plotly's legend answers the mouse only: after each chart, one toggle button per legend entry (a line with its
  // band is one entry: its legendgroup), reached with Tab, pressed with Enter or Space, kept in step with the legend
  function legendKeys(el, chart) {
    if (chart.layout.showlegend === false) { return; }
    var entries = [], byGroup = {};
    chart.data.forEach(function (trace, i) {
      var key = trace.legendgroup ? "g:" + trace.legendgroup : "t:" + i;
      if (!byGroup[key]) { byGroup[key] = {traces: [], name: null}; entries.push(byGroup[key]); }
      byGroup[key].traces.push(i);
      if (trace.showlegend !== false && byGroup[key].name === null) { byGroup[key].name = trace.name; }
    });
    entries = entries.filter(function (e) { return e.name; });
    if (entries.length < 2) { return; }
    var ja = document.documentElement.lang === "ja";
    var bar = document.createElement("div");
    bar.className = "legend-keys";
    bar.setAttribute("aria-label", (ja ? "表示する線：" : "Lines shown: ") + (el.getAttribute("aria-label") || ""));
    var decode = document.createElement("textarea");       // names are HTML-escaped for Plotly: shown as text
    entries.forEach(function (e) {
      var b = document.createElement("button");
      b.type = "button";
      decode.innerHTML = e.name;
      b.textContent = decode.value;
      b.setAttribute("aria-pressed", "true");
      b.addEventListener("click", function () {
        var show = b.getAttribute("aria-pressed") !== "true";
        Plotly.restyle(el, {visible: show ? true : "legendonly"}, e.traces);
      });
      e.button = b;
      bar.appendChild(b);
    });
    var hint = document.createElement("span");
    hint.className = "keys-hint";
    hint.setAttribute("aria-hidden", "true");      // a screen reader says "toolbar" and knows the keys
    hint.textContent = ja ? "← → で移動、Enter / Space で表示・非表示" : "← → move, Enter / Space shows or hides";
    bar.appendChild(hint);
    el.insertBefore(bar, el.firstChild);           // before the chart's toolbar in the Tab order
    roving(bar, function () { return Array.prototype.slice.call(bar.querySelectorAll("button")); });
    el.on("plotly_restyle", function () {          // a click on Plotly's own legend too
      entries.forEach(function (e) {
        var v = el.data[e.traces[0]].visible;
        e.button.setAttribute("aria-pressed", v === "legendonly" || v === false ? "false" : "true");
      });
    });
  }
  // printed pages are narrower than the window: the charts take the page's width
  function resizeCharts() {
    Object.keys(data.charts).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.data) { Plotly.Plots.resize(el); }
    });
  }
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) { print.addEventListener("change", resizeCharts); }
  }
  window.addEventListener("beforeprint", resizeCharts);
  window.addEventListener("afterprint", resizeCharts);

  function sortKey(cell) {
    if (!cell) { return null; }
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (v === "" || v === "\u2014") { return null; }
    var n = Number(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  function compare(a, b) {
    if (a === null || b === null) { return a === b ? 0 : (a === null ? 1 : -1); }  // missing values last
    if (typeof a === typeof b) { return a < b ? -1 : (a > b ? 1 : 0); }
    return typeof a === "number" ? -1 : 1;
  }
  // a figure clicked (or Enter on it) takes the whole width of its section, and back
  var zoomHint = document.createElement("span");     // what pressing a figure does (it was a button named only by
  zoomHint.id = "zoom-hint";                          // its caption)
  zoomHint.hidden = true;
  zoomHint.textContent = document.documentElement.lang === "ja" ? "押すと拡大・縮小します" : "Enlarges or shrinks the figure";
  document.body.appendChild(zoomHint);
  document.querySelectorAll(".figures figure img").forEach(function (img) {
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.setAttribute("aria-expanded", "false");
    img.setAttribute("aria-describedby", "zoom-hint");
    function toggle() {
      var zoomed = img.parentNode.classList.toggle("zoomed");
      img.setAttribute("aria-expanded", zoomed ? "true" : "false");
    }
    img.addEventListener("click", toggle);
    img.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); }
    });
  });

  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.map.call(body.rows, function (r, i) { return [sortKey(r.cells[col]), i, r]; });
        rows.sort(function (x, y) {
          var c = compare(x[0], y[0]);
          if (x[0] !== null && y[0] !== null && dir === "descending") { c = -c; }
          return c || x[1] - y[1];
        });
        rows.forEach(function (r) { body.appendChild(r[2]); });
      }
      th.addEventListener("click", sort);          // its button's click (mouse, Enter, Space) reaches it
    });
  });
})();
"""
