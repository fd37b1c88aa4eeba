"""The table: one row per figure, each side's median of the runs with [min-max], and the ratio
of the medians oriented so that > 1 always means our daemon did better (Python / ours for
lower-is-better figures, ours / Python for higher-is-better ones)."""
import statistics

from figures import Unavailable


def summarize(values):
    """values: one per run, numbers or Unavailable. -> dict(median, min, max, runs) or reason."""
    numbers = [value for value in values if not isinstance(value, Unavailable)]
    if not numbers:
        reasons = [value.reason for value in values if isinstance(value, Unavailable)]
        return {"unavailable": reasons[0] if reasons else "not run"}
    return {"median": statistics.median(numbers), "min": min(numbers), "max": max(numbers),
            "runs": len(numbers), "samples": numbers}


def _number(value, figure):
    digits = figure.digits
    if digits is None:
        magnitude = abs(value)
        digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    return "%.*f" % (digits, value)


def cell(summary, figure):
    if "unavailable" in summary:
        return "n/a (%s)" % summary["unavailable"]
    text = _number(summary["median"], figure)
    if summary["runs"] > 1 and summary["min"] != summary["max"]:
        text += " [%s-%s]" % (_number(summary["min"], figure), _number(summary["max"], figure))
    return text


def ratio(ours, python, figure):
    if "unavailable" in ours or "unavailable" in python:
        return ""
    a, b = ours["median"], python["median"]
    if figure.better == "higher":
        a, b = b, a
    if a == 0:
        return "" if b == 0 else "inf"
    return "%.2fx" % (b / a)


def rows(scenario_figures, results, sides):
    """scenario_figures: [(scenario name, [Figure])]; results[scenario][side][key] = summary."""
    table = []
    for scenario, figures in scenario_figures:
        for figure in figures:
            summaries = [results[scenario][side.name][figure.key] for side in sides]
            unit = " (%s)" % figure.unit if figure.unit else ""
            row = [scenario, figure.label + unit] + [cell(summary, figure) for summary in summaries]
            if len(sides) == 2:
                row.append(ratio(summaries[0], summaries[1], figure))
            table.append(row)
    return table


def markdown(header, table):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table]
    return "\n".join(lines)


def plain(header, table, max_cell=72):
    clipped = [[text if len(text) <= max_cell else text[:max_cell - 3] + "..." for text in row]
               for row in table]
    widths = [max(len(row[i]) for row in [header] + clipped) for i in range(len(header))]
    out = ["  ".join(text.ljust(width) for text, width in zip(header, widths)).rstrip()]
    out.append("  ".join("-" * width for width in widths))
    out += ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip() for row in clipped]
    return "\n".join(out)
