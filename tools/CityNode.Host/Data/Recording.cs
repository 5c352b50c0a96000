using System.Globalization;

namespace CityNode.Host.Data;

/// <summary>
/// A CSV of readings: one time column (ISO 8601, or epoch seconds) and numeric columns; an empty
/// cell is a missing reading; columns with any non-numeric cell are ignored. A column named
/// <c>tz</c> with zone abbreviations (EST, EDT, ...) shifts naive times to UTC; otherwise naive
/// times are taken as UTC. Errors name the file, line and column.
/// </summary>
public sealed class Recording
{
    private static readonly Dictionary<string, int> ZoneHours = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0, ["EST"] = -5, ["EDT"] = -4, ["CST"] = -6, ["CDT"] = -5, ["MST"] = -7,
        ["MDT"] = -6, ["PST"] = -8, ["PDT"] = -7, ["CET"] = 1, ["CEST"] = 2, ["BST"] = 1, ["WET"] = 0, ["WEST"] = 1,
    };

    public required string Source { get; init; }

    public required string TimeColumn { get; init; }

    /// <summary>Unix seconds per row, in file order.</summary>
    public required long[] Times { get; init; }

    public required IReadOnlyList<Column> Columns { get; init; }

    public int Rows => Times.Length;

    public Column this[string name] => Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"{Source}: no numeric column '{name}' (have: {string.Join(", ", Columns.Select(c => c.Name))})");

    public bool Has(string name) => Columns.Any(c => c.Name == name);

    /// <summary>Index of the last row at or before <paramref name="unixSeconds"/> (0 before the first).</summary>
    public int RowAt(long unixSeconds)
    {
        int i = Array.BinarySearch(Times, unixSeconds);
        if (i >= 0)
        {
            while (i + 1 < Times.Length && Times[i + 1] == unixSeconds)
            {
                i++;
            }

            return i;
        }

        i = ~i - 1;
        return Math.Max(0, i);
    }

    public sealed class Column
    {
        public required string Name { get; init; }

        /// <summary>Values per row; NaN where the cell was empty.</summary>
        public required double[] Values { get; init; }

        /// <summary>The same values as written (for exact decimal quantisation); null where empty.</summary>
        public required string?[] Text { get; init; }

        /// <summary>Most decimals any cell shows: the resolution the column was recorded at is 10^-Decimals.</summary>
        public required int Decimals { get; init; }

        /// <summary>The last value at or before row <paramref name="row"/> (sample-and-hold over empty cells).</summary>
        public double Hold(int row)
        {
            for (int i = row; i >= 0; i--)
            {
                if (!double.IsNaN(Values[i]))
                {
                    return Values[i];
                }
            }

            return double.NaN;
        }
    }

    public static Recording Load(string path, string? timeColumn = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file");
        }

        using var reader = new StreamReader(path);
        return Parse(reader, path, timeColumn);
    }

    public static Recording Parse(TextReader reader, string source, string? timeColumn = null)
    {
        string? headerLine = reader.ReadLine();
        if (headerLine is null)
        {
            throw new FormatException($"{source}: empty file");
        }

        string[] header = Split(headerLine).Select(h => h.Trim()).ToArray();
        var rows = new List<string[]>();
        int lineNo = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = Split(line);
            if (cells.Length != header.Length)
            {
                throw new FormatException($"{source} line {lineNo}: {cells.Length} cells, header has {header.Length}");
            }

            rows.Add(cells);
        }

        int tz = Array.FindIndex(header, h => h.Equals("tz", StringComparison.OrdinalIgnoreCase));
        int tcol = timeColumn is null ? FindTimeColumn(header, rows) : Array.IndexOf(header, timeColumn);
        if (tcol < 0)
        {
            throw new FormatException(timeColumn is null
                ? $"{source}: no column holds ISO 8601 times or epoch seconds; name one with --time-column"
                : $"{source}: no column '{timeColumn}' (have: {string.Join(", ", header)})");
        }

        var times = new long[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            string zone = tz >= 0 ? rows[r][tz].Trim() : "";
            if (!TryParseTime(rows[r][tcol], zone, out times[r]))
            {
                throw new FormatException($"{source} line {r + 2}, column {header[tcol]}: '{rows[r][tcol]}' is not an ISO 8601 time or epoch seconds");
            }
        }

        var columns = new List<Column>();
        for (int c = 0; c < header.Length; c++)
        {
            if (c == tcol || c == tz)
            {
                continue;
            }

            var values = new double[rows.Count];
            var text = new string?[rows.Count];
            int decimals = 0;
            bool numeric = true;
            bool any = false;
            for (int r = 0; r < rows.Count && numeric; r++)
            {
                string cell = rows[r][c].Trim();
                if (cell.Length == 0)
                {
                    values[r] = double.NaN;
                    continue;
                }

                if (!decimal.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    numeric = false;
                    break;
                }

                any = true;
                values[r] = (double)d;
                text[r] = cell;
                int dot = cell.IndexOf('.');
                if (dot >= 0 && cell.IndexOfAny(['e', 'E']) < 0)
                {
                    decimals = Math.Max(decimals, cell.Length - dot - 1);
                }
            }

            if (numeric && any)
            {
                columns.Add(new Column { Name = header[c], Values = values, Text = text, Decimals = decimals });
            }
        }

        return new Recording { Source = source, TimeColumn = header[tcol], Times = times, Columns = columns };
    }

    public static bool TryParseTime(string cell, string zone, out long unixSeconds)
    {
        cell = cell.Trim().Trim('"');
        unixSeconds = 0;
        if (long.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out long epoch) && cell.Length >= 9)
        {
            unixSeconds = epoch;
            return true;
        }

        if (DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            bool naive = !cell.EndsWith('Z') && !System.Text.RegularExpressions.Regex.IsMatch(cell, @"[+-]\d\d:?\d\d$");
            int shift = naive && ZoneHours.TryGetValue(zone, out int h) ? h : 0;
            unixSeconds = t.ToUnixTimeSeconds() - (shift * 3600L);
            return true;
        }

        return false;
    }

    private static int FindTimeColumn(string[] header, List<string[]> rows)
    {
        if (rows.Count == 0)
        {
            return -1;
        }

        for (int c = 0; c < header.Length; c++)
        {
            string cell = rows[0][c].Trim().Trim('"');
            bool number = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v);
            bool named = header[c].Contains("time", StringComparison.OrdinalIgnoreCase) || header[c].Contains("date", StringComparison.OrdinalIgnoreCase) || header[c].Contains("epoch", StringComparison.OrdinalIgnoreCase);
            if (number ? named && v > 1e8 : TryParseTime(cell, "", out _))
            {
                return c;
            }
        }

        return -1;
    }

    private static string[] Split(string line)
    {
        var cells = new List<string>();
        var cur = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char ch in line)
        {
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == ',' && !quoted)
            {
                cells.Add(cur.ToString());
                cur.Clear();
            }
            else if (ch != '\r')
            {
                cur.Append(ch);
            }
        }

        cells.Add(cur.ToString());
        return cells.ToArray();
    }
}
