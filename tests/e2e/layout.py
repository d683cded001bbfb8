"""Reflow (WCAG 1.4.10): a narrow window (a phone, or 200% zoom) never scrolls the page sideways;
a table wider than the window scrolls inside a box of its own that fits in the window."""
from tests.e2e.flows import check_accessibility

# Sideways scrolling of the page, and each table wider than the window that is not inside a box
# that scrolls it sideways within the window.
REFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const escaping = [];
  for (const table of document.querySelectorAll('table')) {
    if (!table.offsetParent) { continue; }
    const rect = table.getBoundingClientRect();
    // What a cell holds may run out of the table (a form wider than its column).
    const right = Math.max(rect.right, rect.left + table.scrollWidth);
    if (right <= width + 1 && rect.left >= -1) { continue; }
    let box = table.parentElement, scrolled = false;
    while (box && box !== document.body) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') {
        const inner = box.getBoundingClientRect();
        scrolled = inner.right <= width + 1 && inner.left >= -1;
        break;
      }
      box = box.parentElement;
    }
    if (!scrolled) {
      escaping.push((table.querySelector('th') || table).innerText.trim().slice(0, 30));
    }
  }
  const wide = [...document.querySelectorAll('body *')].filter((element) => {
    if (!element.offsetParent || element.closest('table')) { return false; }
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.right > width + 1 && !element.closest('[style*="overflow"], .table-responsive');
  }).slice(0, 5).map((element) => element.tagName + '.' + element.className + ' '
                      + (element.innerText || '').trim().slice(0, 30));
  return {scrollWidth: document.documentElement.scrollWidth, width, escaping, wide};
}
"""


def assert_reflows(page) -> None:
    found = page.evaluate(REFLOW)
    assert found["scrollWidth"] <= found["width"] and not found["escaping"], (
        f"the page scrolls sideways on {page.url} ({found['width']} px wide): {found}")
    check_accessibility(page)
