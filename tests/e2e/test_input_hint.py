"""Streamlit's "Press Enter to apply" hint never covers what was typed (issue 30, point 5).

Streamlit draws the hint inside a number or text box, at its bottom right, while a typed value is
not yet applied: a long value in a narrow box (epochs 99999999, a learning rate 0.000123456789)
ran under it. ui/nav.py's page style moves it below the box. The test types long values into
narrow boxes on several pages, without pressing Enter, and measures where the browser drew the
hint against the typed text (its width measured with the box's own font).
"""

from __future__ import annotations

from tests.e2e.helpers import open_page, wait_idle

# The typed text's extent in the box and the hint's box, in page pixels; null while no hint
# shows. The text starts at the input's content box and, longer than the box, scrolls inside it.
MEASURE = """(widget) => {
  const hint = widget.querySelector('[data-testid="InputInstructions"]');
  const input = widget.querySelector('input');
  if (!hint || !hint.checkVisibility({opacityProperty: true, visibilityProperty: true})) {
    return null;
  }
  const style = getComputedStyle(input);
  const px = (name) => parseFloat(style.getPropertyValue(name)) || 0;
  const context = document.createElement('canvas').getContext('2d');
  context.font = [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(' ');
  const box = input.getBoundingClientRect();
  const left = box.left + px('border-left-width') + px('padding-left');
  const right = box.right - px('border-right-width') - px('padding-right');
  const text = {
    left,
    right: Math.min(right, left + context.measureText(input.value).width),
    top: box.top + px('border-top-width') + px('padding-top'),
    bottom: box.bottom - px('border-bottom-width') - px('padding-bottom'),
  };
  const h = hint.getBoundingClientRect();
  // The page's other elements (a label, a caption): a hint moved out of the box must not
  // land on the next one.
  const others = [...document.querySelectorAll('[data-testid="stElementContainer"]')]
    .filter((e) => !e.contains(widget) && e.checkVisibility())
    .map((e) => ({text: e.innerText.slice(0, 60), ...e.getBoundingClientRect().toJSON()}));
  return {
    value: input.value,
    hint: {left: h.left, right: h.right, top: h.top, bottom: h.bottom},
    text,
    others,
  };
}"""


def _overlap(a: dict, b: dict) -> float:
    """The area two boxes share, in px² (0 when they only touch or are apart)."""
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(0.0, width) * max(0.0, height)


def hint_over_value(page, key: str, value: str) -> list[str]:
    """Type `value` into the box whose widget key is `key`, without Enter, and say what the hint
    covers: the typed text, another element, or nothing ([])."""
    widget = page.locator(f".st-key-{key.replace('.', '-')}")
    field = widget.locator("input")
    before = field.input_value()
    field.click()
    field.press("ControlOrMeta+a")
    page.keyboard.type(value)
    widget.get_by_test_id("InputInstructions").wait_for(timeout=10_000)
    found = widget.evaluate(MEASURE)
    assert found is not None, f"{key}: no hint shown after typing {value!r}"
    assert found["value"] == value, found
    covered = []
    if (area := _overlap(found["hint"], found["text"])) > 0:
        covered.append(
            f"{key}: the hint {found['hint']} covers {area:.0f} px² of the typed "
            f"{value!r} {found['text']}"
        )
    for other in found["others"]:
        if (area := _overlap(found["hint"], other)) > 0:
            covered.append(f"{key}: the hint covers {area:.0f} px² of {other['text']!r}")
    # Leave the box as it was (the box applies what it holds when it loses focus).
    field.press("ControlOrMeta+a")
    page.keyboard.type(before)
    page.keyboard.press("Tab")
    wait_idle(page)
    return covered


# Long values a person types (epochs or samples with many digits, a rate with its digits kept, a
# seed past its range), each reaching the right part of its box at 1280 px, where Streamlit puts
# the hint. A box under 180 px shows no hint (Streamlit hides it there): none of those here.
TRAIN = (
    ("train.samples", "123456789012345"),
    ("train.epochs", "100000000000000"),
    ("train.learning_rate", "0.000123456789012"),
)
OTHERS = (
    ("sweep", "sweep.name", "relu against tanh, ten layers deep"),
    ("playground", "pg.seed", "99999999"),
)


def test_press_enter_hint_leaves_the_typed_value_readable(page, server):
    # Fails if the "Press Enter to apply" hint, shown while a typed value is not yet applied,
    # is drawn over that value (Streamlit's place for it: inside the box, at its bottom right),
    # or, moved out of the box, over the next element (a label, a caption). The failure names
    # each box, the value and the px² covered.
    url, _ = server
    page.set_viewport_size({"width": 1280, "height": 900})
    covered = []
    open_page(page, f"{url}/train")
    for key, value in TRAIN:
        covered += hint_over_value(page, key, value)
    for path, key, value in OTHERS:
        open_page(page, f"{url}/{path}")
        covered += hint_over_value(page, key, value)
    assert covered == []
