"""What a consultant does without kartlegg: load the CSV export into pandas and compute the
section and subdomain scores of two rounds of one service. BENCHMARKS.md times it beside
`kartlegg compare`; with --check it also proves that both give the same numbers.

    python3 benches/pandas_compare.py EXPORT.csv SERVICE FROM TO [--check COMPARE.json]

EXPORT.csv is `kartlegg export --format csv` (long form, one row per answer); COMPARE.json
is `kartlegg compare --format json` for the same service and rounds.
"""

import argparse
import json
import math
import sys

import pandas as pd

# The scales, as the instrument gives them: 1-5 agreement for the first three sections, the
# 0-2 driver scale (not / partly / in place) for the rest.
SCALES = {
    "readiness": (1, 5),
    "fit": (1, 5),
    "support": (1, 5),
    "competence": (0, 2),
    "leadership": (0, 2),
    "organisation": (0, 2),
}


def whole_percent(fraction_sum, scored):
    """kartlegg's reported score: a whole percent, halves rounded away from zero."""
    if scored == 0:
        return None
    return math.floor(100.0 * fraction_sum / scored + 0.5)


def scores(answers):
    """Per section and subdomain: scored answers, percent, "vet ikke", "ikke relevant"."""
    parts = answers["item_key"].str.split(".", n=2, expand=True)
    answers = answers.assign(section=parts[0], subdomain=parts[0] + "." + parts[1])
    low = answers["section"].map(lambda s: SCALES[s][0])
    high = answers["section"].map(lambda s: SCALES[s][1])
    in_scale = answers["value"].between(low, high)
    answers = answers.assign(
        scored=in_scale.astype(int),
        fraction=((answers["value"] - low) / (high - low)).where(in_scale, 0.0),
        dont_know=(answers["missing"] == "dont_know").astype(int),
        not_applicable=(answers["missing"] == "not_applicable").astype(int),
    )
    result = {}
    for level in ("section", "subdomain"):
        grouped = answers.groupby(level)[
            ["scored", "fraction", "dont_know", "not_applicable"]
        ].sum()
        for key, row in grouped.iterrows():
            result[key] = {
                "percent": whole_percent(row["fraction"], int(row["scored"])),
                "scored": int(row["scored"]),
                "dont_know": int(row["dont_know"]),
                "not_applicable": int(row["not_applicable"]),
            }
    return result


def compare(csv_path, service, before, after):
    table = pd.read_csv(csv_path)
    # The service's own score: the process leader (role consultant) apart, as kartlegg does.
    of_service = table[(table["service"] == service) & (table["role"] != "consultant")]
    rounds = {label: scores(of_service[of_service["round"] == label]) for label in (before, after)}
    keys = sorted(set(rounds[before]) | set(rounds[after]))
    empty = {"percent": None, "scored": 0, "dont_know": 0, "not_applicable": 0}
    out = {}
    for key in keys:
        b, a = rounds[before].get(key, empty), rounds[after].get(key, empty)
        delta = None
        if b["percent"] is not None and a["percent"] is not None:
            delta = a["percent"] - b["percent"]
        out[key] = {
            "from": b["percent"],
            "to": a["percent"],
            "delta": delta,
            "scored_from": b["scored"],
            "scored_to": a["scored"],
            "dont_know_from": b["dont_know"],
            "dont_know_to": a["dont_know"],
            "not_applicable_from": b["not_applicable"],
            "not_applicable_to": a["not_applicable"],
        }
    return out


def kartlegg_areas(compare_json):
    """The same fields from `kartlegg compare --format json` (format 3), by section and
    subdomain key. Every item of the national demo is scored in both rounds, so the change
    over the items in common is the change over all of them."""
    areas = {}
    whole = lambda v: None if v is None else int(v)
    for section in compare_json["sections"]:
        for area in [section] + section["subdomains"]:
            before, after = area["answers"]["from"], area["answers"]["to"]
            areas[area["key"]] = {
                "from": whole(area["from"]),
                "to": whole(area["to"]),
                "delta": whole(area["delta"]),
                "scored_from": area["scored_from"],
                "scored_to": area["scored_to"],
                "dont_know_from": before["dont_know"],
                "dont_know_to": after["dont_know"],
                "not_applicable_from": before["not_applicable"],
                "not_applicable_to": after["not_applicable"],
            }
    return areas


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("service")
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--check", metavar="COMPARE_JSON")
    args = parser.parse_args()
    ours = compare(args.csv, args.service, args.before, args.after)
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            theirs = kartlegg_areas(json.load(f))
        # kartlegg lists every area; pandas only those with an answer in either round.
        theirs = {k: v for k, v in theirs.items() if k in ours or any(v.values())}
        if ours != theirs:
            for key in sorted(set(ours) | set(theirs)):
                if ours.get(key) != theirs.get(key):
                    print(f"{key}: pandas {ours.get(key)} kartlegg {theirs.get(key)}")
            sys.exit("pandas and kartlegg differ")
        print(f"pandas and kartlegg agree on {len(ours)} sections and subdomains")
    else:
        json.dump(ours, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
