import { createHash } from 'node:crypto';

/**
 * The console's one stylesheet, hand-written: served at a path that holds its content hash, so
 * it is cached for a year and a new release's is a new URL. Colours keep a contrast of 4.5:1 or
 * more against their backgrounds (WCAG 2.2 AA); focus is drawn by a thick outline on every
 * focusable element; one column below 40rem (360 px phones).
 */
const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:100%;line-height:1.5;color:#1b1f24;background:#f4f5f7}
body{margin:0}
a{color:#0b57b7}
a:hover{color:#06407f}
:focus-visible{outline:3px solid #c2410c;outline-offset:2px}
.visually-hidden{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
header.top{background:#14213d;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem}
header.top .brand{font-weight:700;color:#fff;text-decoration:none;font-size:1.1rem}
header.top nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}
header.top nav a{color:#fff;text-decoration:none;padding:.4rem .6rem;border-radius:4px;display:inline-block}
header.top nav a:hover{background:#24365f}
header.top nav a[aria-current="page"]{background:#fff;color:#14213d;font-weight:600}
header.top :focus-visible{outline-color:#fbbf24}
header.top .who{margin-left:auto;display:flex;align-items:center;gap:.5rem;flex-wrap:wrap;font-size:.9rem}
header.top .who button{background:transparent;color:#fff;border:1px solid #fff}
main{max-width:72rem;margin:0 auto;padding:1rem}
main:focus{outline:none}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .5rem}
.card{background:#fff;border:1px solid #d0d5dd;border-radius:8px;padding:1rem;margin:0 0 1rem}
.card>h2:first-child,.card>h3:first-child{margin-top:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem;margin-bottom:1rem}
.grid .card{margin:0}
.figure{font-size:2rem;font-weight:700;margin:0}
.muted{color:#4b5563}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;min-width:0}
code,.secret{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;overflow-wrap:anywhere}
.secret{word-break:break-all;display:block;background:#fff7e6;border:2px solid #b45309;border-radius:6px;padding:.75rem;margin:.25rem 0 1rem;user-select:all}
form{margin:0}
dl+form,p+form,ul+form,.actions+form{margin-top:.75rem}
form+.card,form+.problem{margin-top:1rem}
form.stack{display:grid;gap:.75rem;max-width:28rem}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
label{font-weight:600;display:block}
.choice label{display:inline;font-weight:400}
fieldset{border:1px solid #d0d5dd;border-radius:4px;padding:.5rem .75rem}
legend{font-weight:600;padding:0 .25rem}
input[type=text],input[type=search],input[type=email],input[type=password],input[type=url]{font:inherit;width:100%;padding:.5rem;border:1px solid #6b7280;border-radius:4px;background:#fff;color:#1b1f24}
form.inline .field{flex:1 1 16rem}
.hint{font-weight:400;font-size:.9rem;color:#4b5563;display:block}
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:4px;border:1px solid #0b57b7;background:#0b57b7;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button:hover,.button:hover{background:#06407f;color:#fff}
button.secondary,.button.secondary{background:#fff;color:#0b57b7}
button.secondary:hover,.button.secondary:hover{background:#e8f0fb;color:#06407f}
button.danger{background:#b42318;border-color:#b42318}
button.danger:hover{background:#8a1a12}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:.75rem}
.notice,.problem{border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem;border:1px solid}
.notice{background:#ecfdf3;border-color:#067647;color:#054f31}
.problem{background:#fef3f2;border-color:#b42318;color:#7a271a}
.badge{display:inline-block;white-space:nowrap;padding:0 .5rem;border-radius:999px;font-size:.8rem;font-weight:600;border:1px solid}
.badge.test{background:#eff8ff;color:#175cd3;border-color:#175cd3}
.badge.live{background:#fef3f2;color:#b42318;border-color:#b42318}
.badge.warn{background:#fffaeb;color:#93370d;border-color:#93370d}
.badge.ok{background:#ecfdf3;color:#067647;border-color:#067647}
.table-wrap{position:relative;overflow-x:auto;background:#fff;border:1px solid #d0d5dd;border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid #e4e7ec;vertical-align:top}
td code,th code{word-break:normal;overflow-wrap:normal;white-space:nowrap}
td.detail code{white-space:normal;overflow-wrap:anywhere}
td.when{white-space:nowrap}
td.error{min-width:12rem}
td.error code{white-space:normal;overflow-wrap:break-word}
thead th{background:#f9fafb}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain li{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem;padding:.4rem 0;border-bottom:1px solid #e4e7ec}
svg.chart{display:block;max-width:100%;overflow:visible;margin:.5rem 0}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;padding:0;margin:.25rem 0 1rem;font-size:.9rem}
ul.legend li{display:flex;align-items:center;gap:.4rem}
.swatch{display:inline-block;width:1rem;height:1rem;border-radius:2px}
.swatch.red{background:#b42318}
.swatch.blue{background:#175cd3}
.swatch.stripes{background:repeating-linear-gradient(45deg,#067647 0 4px,#d1fadf 4px 6px)}
details{margin:.75rem 0 0}
summary{cursor:pointer;font-weight:600;color:#0b57b7;padding:.25rem 0}
details .table-wrap{margin-top:.5rem}
caption{text-align:left;font-weight:600;padding:.5rem .75rem}
section .table-wrap+.table-wrap{margin-top:1rem}
.badge.bad{background:#fef3f2;color:#b42318;border-color:#b42318}
.badge.neutral{background:#f2f4f7;color:#344054;border-color:#344054}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-end}
form.filters .field{flex:1 1 12rem}
form.filters .check{display:flex;align-items:center;gap:.4rem;padding-bottom:.5rem}
form.filters .check label{font-weight:400;display:inline}
select{font:inherit;width:100%;padding:.45rem;border:1px solid #6b7280;border-radius:4px;background:#fff;color:#1b1f24}
input[type=checkbox],input[type=radio]{width:1.1rem;height:1.1rem;accent-color:#0b57b7}
td.nowrap{white-space:nowrap}
ol.timeline{list-style:none;padding:0;margin:0}
ol.timeline>li{padding:.5rem 0 .5rem .75rem;border-left:3px solid #d0d5dd;margin-left:.25rem}
ol.timeline>li.reauth{border-left-color:#93370d}
ol.timeline>li.bad{border-left-color:#b42318}
ol.timeline .at{font-size:.85rem;color:#4b5563;display:block}
ol.timeline ul{margin:.25rem 0 0;padding-left:1.1rem}
.table-actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.75rem 0}
nav.pages{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.narrow{max-width:30rem;margin:2rem auto}
@media (max-width:40rem){
  main{padding:.75rem}
  h1{font-size:1.35rem}
  dl.facts{grid-template-columns:1fr}
  dl.facts dd{margin-bottom:.5rem}
  th,td{padding:.4rem .5rem}
  table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)}
  table.stack tr{display:block;padding:.5rem 0;border-bottom:1px solid #e4e7ec}
  table.stack td,table.stack th[scope=row]{display:block;border:0;padding:.1rem .75rem}
  table.stack caption{display:block}
  table.stack td:empty{display:none}
  table.stack td::before{content:attr(data-label) ": ";font-weight:600}
  table.stack td code{white-space:normal;overflow-wrap:anywhere}
  header.top .who{margin-left:0}
  .narrow{margin:1rem auto}
}
`;

export const STYLESHEET = { body: CSS, path: `/dashboard/assets/console.${createHash('sha256').update(CSS).digest('hex').slice(0, 12)}.css` };
