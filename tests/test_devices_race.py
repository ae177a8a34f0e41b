"""Twenty copies of the same push at the same moment (a device retrying hard over a flaky link): one
detection and one report, the others answered 200 with the first detection. The device's row lock
decides (on SQLite the single writer), the unique (device, idempotency key) constraint backs it up.

Real threads with their own connections, released together by a barrier.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from jusha.cases.models import Case, Report
from jusha.devices.models import Detection
from tests.devices_helpers import URL, body, camera, headers, rule

RACERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_pushes_make_one_detection_and_one_report(world):
    rule(world)
    device, secret = camera(world)
    raw = body(0.95)
    sent = headers(device, secret, raw, key="retry-me")
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def run(index):
        try:
            barrier.wait(timeout=30)
            response = Client().post(URL, data=raw, content_type="application/json", **sent)
            results[index] = (response.status_code, response.json().get("id"))
        except Exception as exc:  # noqa: BLE001 (reported by the assertions)
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    statuses = [r[0] for r in results]
    assert statuses.count(201) == 1 and statuses.count(200) == RACERS - 1, results
    assert len({r[1] for r in results}) == 1, results
    assert Detection.objects.count() == 1
    assert Report.objects.count() == 1 and Case.objects.count() == 1
