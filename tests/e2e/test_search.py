"""An activation search in the browser: started from the Search page, its leaderboard fills in
beside the relu and silu baselines, Stop stops it and offers Resume, and Runs lists it and opens
it again. The searches are tiny (600 MNIST-1D signals, K = 2); the tests wait for what the page
says, not for a time."""

from core.serve.store import RunStore
from tests.e2e.helpers import errors, grid_has, open_page, wait_idle

TINY = "n=600&ep=1&seeds=1&k=2&budget=4&width=32&pop=2&sample=1"


def test_a_search_fills_its_leaderboard_beside_the_baselines_and_runs_lists_it(page, server):
    # Fails if Start search does not start it server-side, if the finished page lacks the relu
    # and silu baselines or the scored candidates' rows, if its batches are not runs on Runs, or
    # if Runs' Searches section does not open it on the Search page again.
    url, _ = server
    open_page(page, f"{url}/search?{TINY}")
    assert errors(page) == []
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Finished", exact=True).wait_for(timeout=300_000)
    wait_idle(page)
    assert errors(page) == []
    assert page.get_by_text("Baseline relu").is_visible()
    assert page.get_by_text("Baseline silu (Swish, β = 1)").is_visible()
    store = RunStore()
    row = store.searches()[0]
    assert row.status == "finished" and f"search={row.id}" in page.url
    scored = [e for e in row.state["entries"] if e["status"] == "scored"]
    assert len(scored) == 4
    assert grid_has(page, f"c{scored[0]['index']:04d}")
    names = [r.name for r in store.runs()]
    assert f"search {row.id} · baselines" in names and f"search {row.id} · batch 1" in names

    open_page(page, f"{url}/runs")
    page.get_by_text("Searches (").first.click()
    assert page.get_by_text(f"Search {row.id}").first.is_visible()
    # Only the opened section's links are visible (the sweeps' stay folded); newest first.
    page.get_by_role("link", name="Open").first.click()
    wait_idle(page)
    assert f"search={row.id}" in page.url and errors(page) == []
    page.get_by_text("Finished", exact=True).wait_for(timeout=60_000)


def test_stop_ends_a_running_search_and_offers_resume(page, server):
    # Fails if Stop search does not reach the server's search (it would go on training), if the
    # page does not say it stopped, or if it does not offer Resume.
    url, _ = server
    # The budget (200 candidates, 30 epochs) keeps it running until Stop is pressed.
    open_page(page, f"{url}/search?n=600&ep=30&seeds=1&k=2&budget=200&width=32")
    page.get_by_role("button", name="Start search").click()
    stop = page.get_by_role("button", name="Stop search")
    stop.wait_for(timeout=120_000)
    wait_idle(page)
    stop.click()
    page.get_by_text("Stopped", exact=True).wait_for(timeout=300_000)
    wait_idle(page)
    assert errors(page) == []
    assert RunStore().searches()[0].status == "stopped"
    assert page.get_by_role("button", name="Resume search").is_visible()
