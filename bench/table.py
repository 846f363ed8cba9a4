#!/usr/bin/env python3
"""Prints the Markdown tables of docs/performance.md from one results directory of bench/compare.sh.

    python3 bench/table.py docs/performance-results/2026-11-30

Reads <target>-fanout.json, <target>-connections.json, <target>-rpc.json and <target>-cost.json for every target
present (in compare.sh's order) and prints: the fan-out steps, the highest rate each target held with its p99, the idle
memory per connection and the round trips per second, each with the load average recorded at the start and end of
that target's run; and, from the cost runs, the server's CPU per delivery at the fixed rate and its memory per idle
connection, each also as a ratio to raw Kestrel's and Node's.
"""
import json
import os
import sys

TARGETS = ["switchboard", "switchboard-batch", "signalr", "raw", "node"]


def load(directory, target, mode):
    path = os.path.join(directory, f"{target}-{mode}.json")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path) as f:
        return json.load(f)


def load_avg(report):
    return f'{report["loadAverageStart"].split()[0]} → {(report.get("loadAverageEnd") or "?").split()[0]}'


def main(directory):
    if any(load(directory, t, m) for t in TARGETS for m in ("fanout", "connections", "rpc")):
        main_tables(directory)
    cost_table(directory)


def main_tables(directory):
    print("| target | msgs/s | deliveries/s | lost | p50 ms | p99 ms | max ms | server CPU | bench CPU | held | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    summary = {}
    for target in TARGETS:
        report = load(directory, target, "fanout")
        if report is None:
            continue
        best = None
        at100 = None
        for i, step in enumerate(report["steps"]):
            lat = step["latency"]
            if step["rate"] == 100:
                at100 = lat["p99"]
            if step["held"]:
                best = (step["rate"], lat["p99"])
            print(f'| {target} | {step["rate"]:,.0f} | {step["deliveriesPerSecond"]:,.0f} | {step["lost"]:,} | {lat["p50"]:.1f} | '
                  f'{lat["p99"]:.1f} | {lat["max"]:.1f} | {step.get("serverCpuPercent") or 0:.0f} % | '
                  f'{step.get("loadGeneratorCpuPercent") or 0:.0f} % | {"yes" if step["held"] else "no"} | {load_avg(report) if i == 0 else ""} |')
        summary[target] = {"held": best, "p99_100": at100}
    print()
    print("| target | highest rate held (p99) | p99 at 100 msgs/s | KiB per idle connection | connects/s | round trips/s | rpc p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for target in TARGETS:
        s = summary.get(target, {})
        held = s.get("held")
        idle = (load(directory, target, "connections") or {}).get("idle") or {}
        rpc = (load(directory, target, "rpc") or {}).get("rpc") or {}
        print(f'| {target} | {f"{held[0]:,.0f} ({held[1]:.1f} ms)" if held else "none"} | '
              f'{s["p99_100"] if s.get("p99_100") is not None else "-"} | {idle.get("serverKiBPerConnection", "-")} | '
              f'{idle.get("connectsPerSecond", "-")} | {rpc.get("roundTripsPerSecond", "-")} | '
              f'{rpc.get("latency", {}).get("p99", "-")} |')


def ratio(value, reference):
    return f"{value / reference:.2f}" if value is not None and reference else "-"


def cost_table(directory):
    costs = {t: (load(directory, t, "cost") or {}).get("cost") for t in TARGETS}
    costs = {t: c for t, c in costs.items() if c}
    if not costs:
        return
    raw = costs.get("raw") or {}
    node = costs.get("node") or {}
    print()
    print("| target | server CPU per delivery (µs) | x raw | x node | server CPU | KiB per idle connection | x raw | x node | "
          "deliveries | lost | held | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for target, c in costs.items():
        us = c.get("serverCpuMicrosecondsPerDelivery")
        kib = c.get("serverKiBPerConnection")
        report = load(directory, target, "cost")
        print(f'| {target} | {us if us is not None else "-"} | {ratio(us, raw.get("serverCpuMicrosecondsPerDelivery"))} | '
              f'{ratio(us, node.get("serverCpuMicrosecondsPerDelivery"))} | {c.get("serverCpuPercent") or 0:.0f} % | '
              f'{kib if kib is not None else "-"} | {ratio(kib, raw.get("serverKiBPerConnection"))} | '
              f'{ratio(kib, node.get("serverKiBPerConnection"))} | {c["deliveries"]:,} | {c["lost"]:,} | '
              f'{"yes" if c["held"] else "no"} | {load_avg(report)} |')
    first = next(iter(costs.values()))
    print()
    print(f'CPU per delivery at {first["rate"]:,.0f} msgs/s to {first["subscribers"]:,} subscribers; memory per idle '
          f'connection over {first["subscribers"] + first["idleConnections"]:,} connections.')


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
