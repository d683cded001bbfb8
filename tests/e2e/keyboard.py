"""The keyboard alone (GB/T 37668, WCAG 2.1.1 and 2.4.7): Tab and Shift+Tab to a control, each
control passed on the way showing where the focus is, then Enter, Space or typing on it.

No click and no fill(): what a person without a mouse can reach is what these helpers reach."""
from playwright.sync_api import expect

from tests import factories
from tests.e2e.flows import SIGN_IN_PATHS, check_accessibility

# How many Tab presses a control may be away before the page is said to hide it.
TAB_LIMIT = 120

# The focused element, what a person sees of it, and whether its focus shows clearly: an outline
# at least 2 px wide, or a ring of box-shadow at least 2 px wide in a colour at least half opaque
# (Bootstrap's own rings, a quarter opaque, and Chromium's 1 px default are too faint to count).
FOCUSED = """
() => {
  const element = document.activeElement;
  if (!element || element === document.body) { return null; }
  // The calendar button inside a date field (its last Tab stop) has the focus while the field
  // itself is not :focus; Chromium draws that button's ring itself, out of the page's reach.
  if (/^(date|datetime-local|month|week|time)$/.test(element.type) && !element.matches(':focus')) {
    return {describe: 'calendar of ' + (element.id || element.name), tag: 'INPUT', outline: '',
            boxShadow: '', indicated: true, inView: true, browsersOwn: true};
  }
  const style = getComputedStyle(element);
  const rect = element.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const rings = (style.boxShadow === 'none' ? [] : style.boxShadow.split(/,(?![^(]*\\))/))
    .filter((layer) => {
      if (/inset/.test(layer)) { return false; }
      const colour = layer.match(/rgba?\\(([^)]*)\\)/);
      const channels = colour ? colour[1].split(',') : [];
      const alpha = channels.length > 3 ? parseFloat(channels[3]) : 1;
      const sizes = layer.replace(/rgba?\\([^)]*\\)/, '').match(/-?[\\d.]+px/g) || [];
      const [x, y, blur, spread] = sizes.map(parseFloat).concat([0, 0, 0, 0]);
      return alpha >= 0.5 && Math.max(Math.abs(x), Math.abs(y), spread) >= 2;
    });
  const describe = (element.getAttribute('aria-label') || (element.labels && element.labels[0]
    && element.labels[0].innerText) || element.innerText || element.value || element.title
    || element.name || element.tagName).trim().slice(0, 60);
  const inView = rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
    && rect.top < window.innerHeight && rect.left < window.innerWidth;
  return {describe, tag: element.tagName, outline: style.outline, boxShadow: style.boxShadow,
          indicated: Boolean(outline || rings.length), inView};
}
"""


def assert_focus_shows(page) -> dict | None:
    """The focused control is on screen and its focus is drawn (outline or box-shadow)."""
    focused = page.evaluate(FOCUSED)
    if focused is None:  # between the document's end and the address bar
        return None
    where = f"{focused['tag']} 「{focused['describe']}」 on {page.url}"
    assert focused["inView"], f"the focused {where} is off screen"
    assert focused["indicated"], (f"no visible focus on {where}: outline {focused['outline']}, "
                                  f"box-shadow {focused['boxShadow']}")
    return focused


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


# Whether the control lies before the focus (reached by Shift+Tab) or after it (Tab).
BEFORE_FOCUS = """
(element) => {
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused === element) { return false; }
  return Boolean(element.compareDocumentPosition(focused) & Node.DOCUMENT_POSITION_FOLLOWING);
}
"""


def tab_to(page, locator, *, backwards: bool | None = None, limit: int = TAB_LIMIT) -> int:
    """Press Tab (Shift+Tab when the control lies before the focus) until ``locator`` has the
    focus; every control passed on the way shows its focus. Returns the number of presses."""
    expect(locator).to_have_count(1)
    if is_focused(locator):
        return 0
    if backwards is None:
        backwards = locator.evaluate(BEFORE_FOCUS)
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        assert_focus_shows(page)
        if is_focused(locator):
            return presses
    raise AssertionError(f"{locator} not reached by {limit} × {key} on {page.url}")


def press_on(page, locator, key: str = "Enter", **tab) -> None:
    """Tab to ``locator`` and press ``key`` (Enter for links and buttons, Space for boxes)."""
    tab_to(page, locator, **tab)
    page.keyboard.press(key)


def type_into(page, locator, text: str, **tab) -> None:
    """Tab to a field and type, as a person does once the field has the focus."""
    tab_to(page, locator, **tab)
    page.keyboard.type(text)


def choose_with_arrows(page, locator, label: str, limit: int = 30) -> None:
    """Tab to a list (<select>) and press the Down arrow until it shows ``label``."""
    tab_to(page, locator)
    for _press in range(limit):
        if locator.evaluate("select => select.selectedIndex >= 0 && "
                            "select.options[select.selectedIndex].text.trim()") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"「{label}」 not reached with the arrow keys in {locator}")


def type_date(page, locator, iso_date: str) -> None:
    """Tab to a date field (forwards, so that its year comes first) and type the date as a person
    does in the Chinese field (年/月/日): the year, Tab out of it (it takes up to six digits),
    then month and day, each of which moves on by itself after two digits."""
    tab_to(page, locator, backwards=False)
    year, month, day = iso_date.split("-")
    page.keyboard.type(year)
    page.keyboard.press("Tab")
    page.keyboard.type(month + day)


def keyboard_sign_in(page, base: str, entry: str, label: str, username: str,
                     password: str = factories.PASSWORD) -> None:
    """The sign-in page opened by its address; the account and the password typed; Enter."""
    page.goto(base + SIGN_IN_PATHS[entry])
    type_into(page, page.get_by_label(label, exact=True), username)
    type_into(page, page.get_by_label("密码", exact=True), password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="退出登录", exact=True, include_hidden=True)
           ).to_have_count(1)
    check_accessibility(page)


def keyboard_menu(page, name: str) -> None:
    """A link of the top menu, reached by Tab (the 菜单 toggle opened with Enter first where the
    window is narrow)."""
    toggle = page.get_by_role("button", name="菜单", exact=True)
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        press_on(page, toggle)
        expect(page.locator(".navbar-collapse.show")).to_be_visible()
    # The main menu, not the breadcrumbs (which may name the same list).
    press_on(page, page.get_by_role("navigation", name="主菜单").get_by_role("link", name=name,
                                                                            exact=True))
    page.wait_for_load_state()
    check_accessibility(page)
