"""Go's `text/tabwriter`, as `cilium status` uses it: lab output is padded like the real one.

The agent's status text is written with tabs into `tabwriter.NewWriter(os.Stdout, 2, 0, 3, ' ', 0)`
(minwidth 2, padding 3, space padding, no flags); nested sections (controllers, BPF maps, KPR
details) use their own `NewWriter(w, 0, 0, 3, ' ', 0)` and write the already padded text into the
outer writer. The column widths in real output therefore depend on which neighbouring lines share
a column, and reproducing them means reproducing the algorithm, not guessing spaces:

* a line is split into cells at tabs; the text after the last tab is not a cell of any column;
* a *column block* is a run of consecutive lines that all have a tab-terminated cell in that column;
  a line with fewer cells ends the block (so a line without tabs ends every block);
* a column's width in a block is the widest cell (in runes) plus the padding, at least minwidth.
"""

from __future__ import annotations

GO_STATUS_MINWIDTH = 2
"""The outer writer of `cilium status`: `tabwriter.NewWriter(os.Stdout, 2, 0, 3, ' ', 0)`."""
PADDING = 3


def tabwrite(text: str, *, minwidth: int = 0, padding: int = PADDING) -> str:
    """Format `text` exactly as a Go tabwriter with these settings and space padding would."""
    rows = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    widths: list[int] = []

    def write_lines(first: int, last: int) -> None:
        for cells in rows[first:last]:
            parts = [
                cell.ljust(widths[j]) if j < len(widths) else cell for j, cell in enumerate(cells)
            ]
            out.append("".join(parts))

    def format_block(first: int, last: int) -> None:
        column = len(widths)
        line = first
        while line < last:
            if column >= len(rows[line]) - 1:
                line += 1
                continue
            write_lines(first, line)
            first = line
            width = minwidth
            while line < last and column < len(rows[line]) - 1:
                width = max(width, len(rows[line][column]) + padding)
                line += 1
            widths.append(width)
            format_block(first, line)
            widths.pop()
            first = line
        write_lines(first, last)

    format_block(0, len(rows))
    return "\n".join(out)
