/** The UI's one style sheet, served as /static/ui.css (no inline styles: the CSP forbids them). */
export const UI_CSS = `
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#fff; --soft:#f6f8fa; --accent:#0969da; --err:#cf222e; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { display:flex; align-items:center; gap:20px; padding:10px 20px; border-bottom:1px solid var(--line); background:var(--soft); }
header.top .brand { font-weight:700; font-size:16px; color:var(--fg); }
header.top nav a { margin-right:14px; color:var(--fg); }
header.top nav a.on { font-weight:600; border-bottom:2px solid var(--accent); }
header.top .mode { margin-left:auto; color:var(--muted); font-size:12px; }
main { padding:16px 20px 40px; max-width:1400px; }
h1 { font-size:20px; margin:4px 0 12px; overflow-wrap:anywhere; }
h2 { font-size:16px; margin:22px 0 8px; }
.crumbs { color:var(--muted); margin-bottom:4px; font-size:13px; overflow-wrap:anywhere; }
.muted { color:var(--muted); }
.empty { color:var(--muted); padding:14px; border:1px dashed var(--line); border-radius:6px; background:var(--soft); }
table.grid { border-collapse:collapse; width:100%; font-size:13px; }
table.grid th, table.grid td { border-bottom:1px solid var(--line); padding:5px 8px; text-align:left; vertical-align:top; }
table.grid th { background:var(--soft); font-weight:600; white-space:nowrap; position:sticky; top:0; vertical-align:bottom; }
table.grid td.time { white-space:nowrap; }
table.grid.runs td { white-space:nowrap; }
table.grid.runs td.val { max-width:120px; }
table.grid.runs td.name { max-width:200px; }
table.grid.runs th, table.grid.runs td { padding:5px 6px; }
table.grid th.group { text-align:center; border-bottom:1px solid var(--line); color:var(--muted); font-weight:500; }
table.grid thead tr:nth-child(2) th { top:28px; }
table.grid td .inline-form { margin:0; }
table.grid.middle td { vertical-align:middle; }
table.grid td.num, table.grid th.num { text-align:right; font-variant-numeric:tabular-nums; }
table.grid td.name { max-width:280px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
table.grid th.name { max-width:280px; overflow:hidden; text-overflow:ellipsis; }
table.grid td.key { white-space:nowrap; max-width:320px; overflow:hidden; text-overflow:ellipsis; }
table.grid td.val { max-width:220px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
table.grid tr:hover td { background:#f3f8ff; }
table.grid tr.diff td { background:#fff8c5; }
table.kv { border-collapse:collapse; font-size:13px; }
table.kv th { text-align:left; color:var(--muted); font-weight:500; padding:3px 16px 3px 0; vertical-align:top; white-space:nowrap; }
table.kv td { padding:3px 0; overflow-wrap:anywhere; }
.scroll { overflow-x:auto; max-width:100%; }
.badge { display:inline-block; padding:1px 7px; border-radius:10px; color:#fff; font-size:11px; font-weight:600; letter-spacing:.02em; }
.badge.RUNNING { background:#1f77b4; } .badge.FINISHED { background:#2a9d3f; } .badge.FAILED { background:#d62728; }
.badge.KILLED { background:#e07b00; } .badge.CRASHED { background:#8e44ad; } .badge.READY { background:#2a9d3f; }
.badge.DELETED { background:#fff8c5; color:#7d4e00; border:1px solid #d4a72c; }
table.grid tr.deleted td { background:#fffbea; } table.grid tr.deleted td.name a { color:var(--muted); text-decoration:line-through; }
table.grid.runs td.name.depth-1 { padding-left:28px; } table.grid.runs td.name.depth-2 { padding-left:50px; } table.grid.runs td.name.depth-3 { padding-left:72px; }
table.grid.runs td.name.depth-4 { padding-left:94px; } table.grid.runs td.name.depth-5 { padding-left:116px; } table.grid.runs td.name.depth-6 { padding-left:138px; }
table.grid.runs td.name.depth-1, table.grid.runs td.name.depth-2, table.grid.runs td.name.depth-3, table.grid.runs td.name.depth-4, table.grid.runs td.name.depth-5, table.grid.runs td.name.depth-6 { max-width:260px; }
button.fold { padding:0 5px; margin-right:5px; font-size:11px; line-height:16px; border-radius:9px; font-variant-numeric:tabular-nums; }
button.fold::before { content:'▾ '; } button.fold[aria-expanded="false"]::before { content:'▸ '; }
td.name .parent-of { font-size:12px; color:var(--muted); overflow:hidden; text-overflow:ellipsis; }
nav.segmented { display:inline-flex; border:1px solid var(--line); border-radius:6px; overflow:hidden; flex:none; }
nav.segmented a { padding:5px 12px; color:var(--fg); background:var(--soft); border-left:1px solid var(--line); }
nav.segmented a:first-child { border-left:0; }
nav.segmented a[aria-current="page"] { background:var(--accent); color:#fff; }
.badge.PENDING_REGISTRATION { background:#1f77b4; } .badge.FAILED_REGISTRATION { background:#d62728; }
.chip { display:inline-block; padding:0 6px; margin:1px 3px 1px 0; border:1px solid var(--line); border-radius:10px; font-size:12px; background:var(--soft); max-width:320px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; vertical-align:bottom; }
.toolbar { display:flex; flex-wrap:wrap; gap:8px; align-items:flex-start; margin:8px 0; }
.toolbar form.filter { flex:1 1 480px; display:flex; gap:6px; }
input[type=text], input[type=search], textarea, select { font:inherit; padding:5px 8px; border:1px solid var(--line); border-radius:6px; background:#fff; color:var(--fg); }
input.filter { flex:1; font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:13px; }
textarea { width:100%; min-height:60px; }
button, .button { font:inherit; padding:5px 12px; border:1px solid var(--line); border-radius:6px; background:var(--soft); color:var(--fg); cursor:pointer; }
button.primary, .button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
button:disabled, .button.disabled { opacity:.5; cursor:default; pointer-events:none; }
.filter-error { margin:6px 0; color:var(--err); }
.filter-error pre { margin:4px 0 0; padding:6px 8px; background:#fff0f0; border:1px solid #f5c2c7; border-radius:6px; color:var(--fg); overflow-x:auto; }
.caret { color:var(--err); font-weight:700; }
details.columns { position:relative; }
details.columns > summary { list-style:none; } details.columns > summary::-webkit-details-marker { display:none; }
details.columns .panel { position:absolute; right:0; z-index:5; background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 12px; width:360px; max-height:420px; overflow:auto; box-shadow:0 4px 16px rgba(0,0,0,.12); }
details.columns fieldset { border:0; padding:0; margin:0 0 8px; }
details.columns legend { font-weight:600; margin-bottom:2px; }
details.columns label { display:block; font-size:13px; overflow-wrap:anywhere; }
.pager { display:flex; gap:10px; align-items:center; margin:10px 0; color:var(--muted); }
.banner { padding:6px 10px; margin:6px 0; border-radius:6px; background:#ddf4ff; border:1px solid #54aeff; }
.banner.deleted { background:#fff8c5; border-color:#d4a72c; }
.hidden { display:none !important; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(500px,1fr)); gap:16px; }
.card.wide { grid-column:1 / -1; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px; background:#fff; min-width:0; overflow:hidden; }
.card h3 { margin:0 0 6px; font-size:14px; overflow-wrap:anywhere; }
.chart { min-height:60px; overflow-x:auto; }
.chart-controls { display:flex; flex-wrap:wrap; gap:16px; align-items:center; margin:6px 0 12px; font-size:13px; }
.chart-controls input[type=range] { vertical-align:middle; width:160px; }
.cols2 { display:grid; grid-template-columns:minmax(0,1fr) minmax(0,1fr); gap:24px; }
@media (max-width:900px) { .cols2 { grid-template-columns:minmax(0,1fr); } .cards { grid-template-columns:minmax(0,1fr); } }
pre.source { background:var(--soft); border:1px solid var(--line); border-radius:6px; padding:8px 10px; overflow-x:auto; font-size:12px; margin:4px 0 12px; max-height:360px; }
.cell-head { font-size:12px; color:var(--muted); }
.editable .view { white-space:pre-wrap; overflow-wrap:anywhere; }
.editable form { margin-top:6px; }
details.edit { margin-top:6px; } details.edit > summary { list-style:none; display:inline-block; font-size:13px; padding:3px 10px; }
details.edit > summary::-webkit-details-marker { display:none; } details.edit[open] > summary { display:none; }
.tags .tag { display:inline-flex; align-items:center; gap:4px; margin:2px 6px 2px 0; padding:1px 4px 1px 8px; border:1px solid var(--line); border-radius:12px; background:var(--soft); font-size:12px; max-width:100%; overflow-wrap:anywhere; }
.tags .tag button { padding:0 6px; border:0; background:none; color:var(--muted); }
.inline-form { display:flex; flex-wrap:wrap; gap:6px; align-items:center; margin:6px 0; }
.artifacts { display:grid; grid-template-columns:minmax(200px,300px) minmax(0,1fr); gap:16px; }
.tree { font-size:13px; border:1px solid var(--line); border-radius:6px; padding:6px 8px; max-height:520px; overflow:auto; }
.tree ul { list-style:none; margin:0; padding-left:14px; } .tree > ul { padding-left:0; }
.tree li { overflow-wrap:anywhere; } .tree a.on { font-weight:700; }
.tree .dir { color:var(--muted); }
.preview { border:1px solid var(--line); border-radius:6px; padding:8px 10px; min-width:0; overflow:auto; max-height:640px; }
.preview img { max-width:100%; height:auto; }
.preview iframe { width:100%; height:420px; border:1px solid var(--line); }
.nb-cell { border-left:3px solid var(--line); padding-left:8px; margin:8px 0; }
.nb-cell.markdown { border-color:#9a6700; }
.nb-out { font-size:12px; background:#fff; border:1px dashed var(--line); padding:4px 8px; white-space:pre-wrap; overflow-wrap:anywhere; }
.status-message { color:var(--err); white-space:pre-wrap; }
.toast { position:fixed; bottom:16px; right:16px; padding:8px 12px; border-radius:6px; background:#1f2328; color:#fff; font-size:13px; }
.toast.error { background:var(--err); }
td.sel, th.sel { width:28px; }
.live-dot { display:inline-block; width:8px; height:8px; border-radius:50%; background:#1f77b4; margin-right:4px; animation:pulse 1.5s infinite; }
@keyframes pulse { 50% { opacity:.3; } }
#vg-tooltip-element { visibility:hidden; padding:6px 8px; position:fixed; z-index:1000; font-size:12px; border-radius:4px; box-shadow:2px 2px 6px rgba(0,0,0,.15); background:#fff; border:1px solid #d9d9d9; color:#000; pointer-events:none; }
#vg-tooltip-element.visible { visibility:visible; }
#vg-tooltip-element table { border-spacing:0; } #vg-tooltip-element td { padding:1px 4px; }
#vg-tooltip-element td.key { color:#808080; text-align:right; } #vg-tooltip-element td.value { max-width:260px; overflow-wrap:anywhere; }
.vega-embed { display:inline-block; } .vega-embed summary { display:none; }
`;
