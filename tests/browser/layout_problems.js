// Horizontal scrolling, and visible controls smaller than 44 px (the touch target minimum).
() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push(`horizontal scroll ${doc.scrollWidth}`);
  for (const el of document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a.btn, .menu a, summary')) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === 'hidden') continue;
    if (el.type === 'radio' || el.type === 'checkbox') continue;
    if (r.height < 44) out.push(`${el.tagName}#${el.id || ''}.${el.className} ${el.textContent.trim().slice(0, 20)} is ${Math.round(r.height)}px tall`);
  }
  return out;
}
