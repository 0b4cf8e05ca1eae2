"""Drives a Jupyter kernel the way a person at the Notebook does, one cell at a time,
through jupyter_client (the library the Notebook server uses): execute cells, interrupt
one when it prints a marker, restart the kernel, shut it down at the end.

Usage: python3 kernel-session.py SPEC.json  (prints one JSON document on stdout)
SPEC: {"kernel": "tslab", "cwd": DIR, "timeout": SECONDS, "steps": [STEP, ...]}
STEP: {"code": SOURCE, "interrupt_on": TEXT?} | {"restart": true} | {"interrupt": true}
An "interrupt" step presses Interrupt between cells, with the kernel idle, and reports whether
the kernel process is still alive 2 s later.

tslab answers `abort` for cells sent within 200 ms after a failed one; such a cell is
sent again, 50 ms later, until the kernel runs it, as a person would run it again.
"""
import json
import sys
import threading
import time

from jupyter_client.manager import KernelManager


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    km = KernelManager(kernel_name=spec["kernel"])
    kc = None
    results = []
    try:
        # Inside the try: a kernel that never answers is shut down too, not left holding our stdout and stderr.
        km.start_kernel(cwd=spec["cwd"])
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=spec["timeout"])
        for step in spec["steps"]:
            if step.get("restart"):
                km.restart_kernel(now=False)
                kc.wait_for_ready(timeout=spec["timeout"])
                results.append({"restart": True})
                continue
            if step.get("interrupt"):
                results.append({"interrupt": True, "alive": interrupt_idle(km)})
                if not results[-1]["alive"]:
                    break
                continue
            results.append(execute(km, kc, step, spec["timeout"]))
    finally:
        if kc is not None:
            kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=False)
    json.dump(results, sys.stdout)


def execute(km, kc, step, timeout):
    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        attempts += 1
        outputs = {"stdout": "", "stderr": "", "display": []}
        interrupted = [False]
        answered = threading.Event()

        def hook(msg):
            kind = msg["header"]["msg_type"]
            content = msg["content"]
            if kind == "stream":
                outputs[content["name"]] += content["text"]
                marker = step.get("interrupt_on")
                if marker and marker in outputs["stdout"] and not interrupted[0]:
                    interrupted[0] = True
                    km.interrupt_kernel()
                    # Should an interrupt be lost, press it again, as a person would, every 10 s until the cell answers
                    # (not sooner: a second press racing the answer would interrupt the next cell).
                    threading.Thread(target=repeat_interrupt, args=(km, answered), daemon=True).start()
            elif kind in ("display_data", "update_display_data"):
                outputs["display"].append(content.get("data", {}).get("text/plain", ""))

        try:
            reply = kc.execute_interactive(step["code"], timeout=max(1, deadline - time.monotonic()), output_hook=hook, allow_stdin=False)
        except TimeoutError:
            raise TimeoutError(f"no answer within {timeout} s to the cell {step['code'][:80]!r} (attempt {attempts}, "
                               f"kernel {'alive' if km.is_alive() else 'dead'}); output so far: {outputs}")
        finally:
            answered.set()
        status = reply["content"]["status"]
        if status != "abort" or time.monotonic() > deadline:
            return {"status": status, "execution_count": reply["content"].get("execution_count"), "attempts": attempts, **outputs}
        time.sleep(0.05)  # a person runs it again a moment later, not a hundred times in 200 ms


def interrupt_idle(km):
    km.interrupt_kernel()
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        if not km.is_alive():
            return False
        time.sleep(0.05)
    return km.is_alive()


def repeat_interrupt(km, answered):
    while not answered.wait(10.0):
        km.interrupt_kernel()


if __name__ == "__main__":
    main()
