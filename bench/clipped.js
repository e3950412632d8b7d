// Loaded by bench/browser.py's clipped(page): see the comment there for what counts.
async () => {
  await document.fonts.ready;
  const out = [];
  const px = v => Math.round(v);
  const short = s => {
    s = s.replace(/\s+/g, ' ').trim();
    return s.length > 60 ? s.slice(0, 57) + '…' : s;
  };
  const describe = el => {
    const bits = [];
    for (let e = el; e && e !== document.body && bits.length < 2; e = e.parentElement) {
      const id = e.getAttribute && e.getAttribute('data-testid');
      if (id) bits.unshift(id);
    }
    const own = el.tagName.toLowerCase() + (el.classList.length ? '.' + el.classList[0] : '');
    return bits.join(' > ') + (bits.length ? ' > ' : '') + own;
  };
  // Drawn at all: not display none, not hidden, not inside a closed <details> (Streamlit keeps
  // a folded expander's content laid out).
  const visible = el => el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});

  // Text kept for screen readers only (clipped to a pixel, as KaTeX's MathML copy is) is not
  // drawn: it is nobody's clipped text.
  const readerOnly = new Map();
  const forReaders = (el, box) => {
    if (!el || el === box) return false;
    if (!readerOnly.has(el)) {
      const s = getComputedStyle(el);
      const cut = s.clip !== 'auto' || s.clipPath !== 'none' ||
        (s.overflow !== 'visible' && (el.clientWidth <= 2 || el.clientHeight <= 2));
      readerOnly.set(el, cut || forReaders(el.parentElement, box));
    }
    return readerOnly.get(el);
  };

  // Text cut off by an HTML box: one entry per box, naming its most cut text node.
  for (const box of document.body.querySelectorAll('*')) {
    if (box.closest('svg') || box.tagName === 'CANVAS') continue;
    const s = getComputedStyle(box);
    const cutsX = s.overflowX !== 'visible';
    // A field shows its whole value: its box scrolling down (a multiselect's chips) cuts too.
    const field = box.closest('[data-testid="stMultiSelect"], [data-testid="stSelectbox"]');
    const cutsY = s.overflowY === 'hidden' || s.overflowY === 'clip' ||
      (field !== null && s.overflowY !== 'visible');
    const wide = cutsX && box.scrollWidth > box.clientWidth + 1;
    const tall = cutsY && box.scrollHeight > box.clientHeight + 1;
    if (!(wide || tall) || box.clientWidth <= 2 || box.clientHeight <= 2) continue;
    if (s.clipPath !== 'none' || s.clip !== 'auto' || !visible(box)) continue;
    const r = box.getBoundingClientRect();
    const left = r.left + box.clientLeft, top = r.top + box.clientTop;
    const right = left + box.clientWidth, bottom = top + box.clientHeight;
    let most = null, count = 0;
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || node.parentElement.closest('svg')) continue;
      if (!visible(node.parentElement) || forReaders(node.parentElement, box)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      // Downwards a line counts as tall as its line-height, not its font's whole box (which
      // the glyphs seldom fill); in a KaTeX formula, whose glyph boxes (struts, pieces of big
      // delimiters) reach well past their ink, only sideways.
      const lineStyle = getComputedStyle(node.parentElement);
      const lineHeight = parseFloat(lineStyle.lineHeight);
      const tallHere = tall && !node.parentElement.closest('.katex');
      let by = 0;
      for (const t of range.getClientRects()) {
        if (t.width < 1 || t.height < 1) continue;
        if (wide) by = Math.max(by, t.right - right, left - t.left);
        if (tallHere) {
          const trim = Number.isFinite(lineHeight) ? Math.max(0, (t.height - lineHeight) / 2) : 0;
          by = Math.max(by, t.bottom - trim - bottom, top - (t.top + trim));
        }
      }
      if (by <= 1) continue;
      count += 1;
      if (!most || most.by < by) most = {node, by};
    }
    if (!most) continue;
    // A code block names its longest line, anything else the text cut the most.
    const code = box.tagName === 'PRE' || box.closest('pre');
    const lines = code ? box.innerText.split('\n') : [most.node.textContent];
    const line = lines.reduce((a, b) => (b.length > a.length ? b : a));
    const more = count > 1 ? ` (${count} text pieces cut)` : '';
    const how = wide ? `overflow-x ${s.overflowX}` : `overflow-y ${s.overflowY}`;
    out.push({kind: 'text', where: `${describe(box)} (${how})${more}`,
              text: short(line), px: px(most.by)});
  }

  // A field's value (a select box shows its choice in one) or, empty, its placeholder, wider
  // than the field. Not while someone types in it.
  const ruler = document.createElement('canvas').getContext('2d');
  const FIELDS = 'input:not([type]), input[type="text"], input[type="search"], input[type="number"]';
  for (const field of document.querySelectorAll(FIELDS)) {
    if (!visible(field) || field === document.activeElement || field.clientWidth <= 2) continue;
    const text = field.value || field.placeholder;
    if (!text) continue;
    const s = getComputedStyle(field);
    ruler.font = s.font;
    const room = field.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const by = ruler.measureText(text).width - room;
    if (by > 1) {
      const label = field.getAttribute('aria-label') || field.name || '';
      out.push({kind: 'field', where: `${describe(field)} "${short(label)}"`,
                text: short(text), px: px(by)});
    }
  }

  // Plotly charts: text outside the chart's SVG, legend entries outside the legend.
  const TEXTS = '.gtitle, .g-xtitle text, .g-ytitle text, .g-x2title text, .g-y2title text, ' +
    '.xtick text, .ytick text, .x2tick text, .y2tick text, .legendtext, .legendtitletext, ' +
    '.annotation-text, .cbtitle text, .cbaxis text, g[class*="title"] > text';
  document.querySelectorAll('.js-plotly-plot').forEach((plot, i) => {
    const svg = plot.querySelector('svg.main-svg');
    if (!svg || !visible(plot)) return;
    const b = svg.getBoundingClientRect();
    const name = (plot.querySelector('.gtitle') || {}).textContent || `chart ${i + 1}`;
    const seen = new Set();
    plot.querySelectorAll(TEXTS).forEach(t => {
      if (seen.has(t) || !t.textContent.trim()) return;
      seen.add(t);
      const r = t.getBoundingClientRect();
      if (r.width < 1) return;
      const by = Math.max(b.left - r.left, r.right - b.right, b.top - r.top, r.bottom - b.bottom);
      if (by > 1) out.push({kind: 'chart', where: `chart "${short(name)}"`,
                            text: short(t.textContent), px: px(by)});
    });
    plot.querySelectorAll('g.legend').forEach(legend => {
      const bg = legend.querySelector('rect.bg');
      if (!bg) return;
      const box = bg.getBoundingClientRect();
      legend.querySelectorAll('.legendtext').forEach(t => {
        const r = t.getBoundingClientRect();
        const by = Math.max(box.top - r.top, r.bottom - box.bottom, r.right - box.right);
        if (by > 1) out.push({kind: 'chart', where: `legend of chart "${short(name)}"`,
                              text: short(t.textContent), px: px(by)});
      });
    });
  });

  // Dataframes: the grid's own columns and cells, through the canvas's React props.
  document.querySelectorAll('[data-testid="stDataFrame"]').forEach((frame, i) => {
    const canvas = frame.querySelector('canvas[data-testid="data-grid-canvas"]');
    const scroller = frame.querySelector('.dvn-scroller');
    if (!canvas || !scroller || !visible(frame)) return;
    const key = Object.keys(canvas).find(k => k.startsWith('__reactFiber$'));
    let grid = null;
    for (let f = key && canvas[key]; f && !grid; f = f.return) {
      const p = f.memoizedProps || {};
      if (Array.isArray(p.columns) && p.getCellContent && p.theme) grid = p;
    }
    const where = `dataframe ${i + 1}`;
    if (!grid) { out.push({kind: 'table', where, text: 'grid not readable', px: 0}); return; }
    const theme = grid.theme, pad = theme.cellHorizontalPadding;
    const headerFont = `${theme.headerFontStyle} ${theme.fontFamily}`;
    const cellFont = `${theme.baseFontStyle} ${theme.fontFamily}`;
    const seenWidth = scroller.clientWidth;
  // How far a cell's text reaches past its cell: sideways on one line; wrapped where the grid
  // wraps (in rows taller than 64 px), as its line splitter (canvas-hypertxt) does: at spaces,
  // a line after the first measured with the space it starts with, widths given 1 % to spare
  // (the splitter may estimate them); a word wider than the cell is broken between characters
  // on lines of its own (the grid draws 'elu_sin_with' / '_a_rather_lo' / 'ng_name'); then
  // lines below the row.
  const cellOverflow = (text, room, wraps, rowHeight) => {
    const width = t => ruler.measureText(t).width * 1.01;
    if (!wraps) return ruler.measureText(text.split('\n')[0]).width - room;
    let lines = 0, wide = 0;
    for (const paragraph of text.split('\n')) {
      let line = '', first = true;
      for (let word of paragraph.split(' ').filter(w => w)) {
        if (width(word) > room) {
          if (line) { lines += 1; first = false; }
          let piece = '';
          for (const ch of word) {
            if (piece && width(piece + ch) > room) { lines += 1; piece = ch; first = false; }
            else piece += ch;
          }
          line = piece;
          continue;
        }
        const longer = line ? line + ' ' + word : word;
        if (line && width(first ? longer : ' ' + longer) > room) {
          lines += 1; line = word; first = false;
        } else line = longer;
      }
      lines += 1;
    }
    const size = parseFloat(ruler.font.match(/(\d+(\.\d+)?)px/)[1]);
    const tall = lines * size * theme.lineHeight - (rowHeight - 2 * theme.cellVerticalPadding);
    return Math.max(wide, tall);
  };
    let x = 0;
    grid.columns.forEach((col, c) => {
      const title = col.title || '';
      if (title) {
        ruler.font = headerFont;
        const icon = col.icon ? theme.headerIconSize + pad : 0;
        const by = ruler.measureText(title).width + 2 * pad + icon - col.width;
        if (by > 1) out.push({kind: 'table', where: `${where}, header of "${short(title)}"`,
                              text: short(title), px: px(by)});
      }
      ruler.font = cellFont;
      let widest = {by: 0};
      for (let r = 0; r < Math.min(grid.rows, 500); r++) {
        const cell = grid.getCellContent([c, r]);
        const text = typeof cell.displayData === 'string' ? cell.displayData : cell.data;
        if (typeof text !== 'string' || !text.trim()) continue;
        const height = typeof grid.rowHeight === 'function' ? grid.rowHeight(r) : grid.rowHeight;
        const by = cellOverflow(text, col.width - 2 * pad, cell.allowWrapping, height);
        if (by > widest.by) widest = {by, text, row: r};
      }
      if (widest.by > 1) out.push({kind: 'table',
          where: `${where}, column "${short(title)}" row ${widest.row + 1}`,
          text: short(widest.text), px: px(widest.by)});
      const beyond = x + col.width - seenWidth;
      if (beyond > 1) out.push({kind: 'table',
          where: `${where}, column "${short(title)}" outside the table (it scrolls sideways)`,
          text: short(title), px: px(Math.min(beyond, col.width))});
      x += col.width;
    });
  });
  return out;
}
