"""A BPNT sale queued while the Wi-Fi is down keeps no full card number on the tablet.

The till looks the card up ("Cek") while online, the Wi-Fi drops, the cashier pays by card:
the sale waits in the outbox with the look-up's signed token and the masked number only.
Back online, the sale is delivered and charges the KPM whose card was looked up.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.till_kit import make_till_shop, open_till, remaining, sales, tap

pytestmark = pytest.mark.browser

#: everything the tablet keeps: local and session storage, IndexedDB, the service worker's cache
STORED = """
async () => {
  const out = {local: {}, session: {}, idb: {}, cache: []};
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i); out.local[k] = localStorage.getItem(k);
  }
  for (let i = 0; i < sessionStorage.length; i++) {
    const k = sessionStorage.key(i); out.session[k] = sessionStorage.getItem(k);
  }
  for (const info of (await indexedDB.databases?.()) || []) {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = fail;
    });
    for (const name of db.objectStoreNames) {
      out.idb[`${info.name}/${name}`] = await new Promise((ok) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => ok(r.result); r.onerror = () => ok(null);
      });
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const resp = await cache.match(req);
      out.cache.push(req.url + "\\n" + (resp ? await resp.clone().text() : ""));
    }
  }
  return out;
}
"""


@pytest.fixture
def shop(app, db):
    return make_till_shop(app, db)


def test_an_offline_bpnt_sale_keeps_no_card_number_on_the_tablet(tablet, shop, db):
    card, kpm_id, other_id = shop["cards"][1], shop["kpm"][1], shop["kpm"][0]
    open_till(tablet)
    tablet.evaluate("navigator.serviceWorker.ready")
    tap(tablet, shop["ids"]["rice"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", card)
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    assert tablet.inner_text("#kpm-name") == "Nining Suryani"
    tablet.context.set_offline(True)  # the Wi-Fi drops while the KPM enters the PIN on the EDC
    tablet.fill("#edc-ref", "004512")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert "disimpan di tablet" in tablet.inner_text("#print-status")
    stored = tablet.evaluate(STORED)
    outbox = json.loads(stored["local"]["ewarung.outbox.v1"])
    assert len(outbox) == 1
    everything = json.dumps(stored)
    spaced = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    for text in (card, spaced, card[:-1], card[6:12]):
        assert text not in everything, "the card number is kept on the tablet"
    tender = outbox[0]["body"]["tenders"][0]
    assert tender["kind"] == "bpnt" and tender["masked_card"] == card[:6] + "******" + card[-4:]
    assert tender["card_token"] and "card" not in tender
    assert card not in tablet.content()
    assert sales(db) == []

    tablet.context.set_offline(False)
    tablet.locator("#outbox-banner[hidden]").wait_for(state="attached", timeout=20000)
    sold = sales(db)
    assert len(sold) == 1 and sold[0].beneficiary_id == kpm_id
    assert remaining(db, kpm_id) == 200_000 - 68_000
    assert remaining(db, other_id) == 200_000
    assert card not in json.dumps(tablet.evaluate(STORED))
    assert tablet.errors == []
