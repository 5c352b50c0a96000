using System.CommandLine;
using System.Text;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using Spectre.Console;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode decode FILE|HEX|-</c>: a payload to SenML JSON (default) or a table.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("FILE|HEX|-") { Description = "a payload file (binary or hex text), a hex string, or - for standard input" };
        var table = new Option<bool>("--table") { Description = "print a table of readings (with fault flags) and the diagnostics instead of SenML" };
        var command = new Command("decode", "Decode a CityNode payload to SenML JSON (RFC 8428) or a table") { input, table };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(input)!;
            byte[] payload;
            try
            {
                payload = Read(source);
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("decode: " + e.Message);
                return 1;
            }

            ReceivedBatch batch;
            try
            {
                batch = ReceivedBatch.Decode(payload, DateTimeOffset.UtcNow);
            }
            catch (PayloadException e)
            {
                Console.Error.WriteLine($"decode: not a valid CityNode payload ({payload.Length} bytes): {e.Message}");
                return 1;
            }

            if (parse.GetValue(table))
            {
                PrintTable(batch);
            }
            else
            {
                Console.WriteLine(Senml.ToJson(new[] { batch }, indented: true));
            }

            return 0;
        });
        return command;
    }

    /// <summary>Reads a payload from a file, a hex string, or standard input (binary or hex).</summary>
    public static byte[] Read(string source)
    {
        byte[] raw;
        if (source == "-")
        {
            using var stdin = Console.OpenStandardInput();
            using var ms = new MemoryStream();
            stdin.CopyTo(ms);
            raw = ms.ToArray();
        }
        else if (File.Exists(source))
        {
            raw = File.ReadAllBytes(source);
        }
        else if (LooksHex(source))
        {
            return FromHex(source, "argument");
        }
        else
        {
            throw new FormatException($"'{(source.Length > 40 ? source[..40] + "..." : source)}' is neither a file nor a hex string");
        }

        return raw.Length > 0 && LooksHex(Encoding.ASCII.GetString(raw)) ? FromHex(Encoding.ASCII.GetString(raw), source == "-" ? "standard input" : source) : raw;
    }

    private static bool LooksHex(string s) => s.Any(char.IsAsciiHexDigit) && s.All(c => char.IsAsciiHexDigit(c) || char.IsWhiteSpace(c));

    private static byte[] FromHex(string text, string where)
    {
        string digits = new(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (digits.Length % 2 != 0)
        {
            throw new FormatException($"{where}: hex text has an odd number of digits ({digits.Length})");
        }

        return Convert.FromHexString(digits);
    }

    private static void PrintTable(ReceivedBatch b)
    {
        AnsiConsole.MarkupLine($"node [bold]{b.NodeId}[/], batch {b.Sequence}, {b.Samples.Count} samples × {b.Samples.ChannelCount} channels, {b.PayloadBytes} bytes ({(double)b.PayloadBytes / Math.Max(1, b.ReadingCount):F2} per reading)");
        var t = new Table().Border(TableBorder.Simple).AddColumn("time (UTC)").AddColumn("channel").AddColumn(new TableColumn("value").RightAligned()).AddColumn("unit").AddColumn("status");
        foreach (var r in Reading.From(b).OrderBy(r => r.Time).ThenBy(r => r.ChannelId))
        {
            t.AddRow(
                DateTimeOffset.FromUnixTimeSeconds(r.Time).ToString("yyyy-MM-dd HH:mm:ss"),
                r.Channel,
                r.Value is decimal v ? Reading.Format(v) : "—",
                Markup.Escape(r.Unit),
                r.Status == ReadingStatus.Ok ? "ok" : $"[yellow]{r.StatusName}[/]");
        }

        AnsiConsole.Write(t);
        if (b.Diagnostics.Count > 0)
        {
            AnsiConsole.MarkupLine("diagnostics: " + Markup.Escape(string.Join(", ", b.Diagnostics.Select(kv => $"{kv.Key}={kv.Value}"))));
        }

        if (b.DiagnosticsText is { } text)
        {
            AnsiConsole.MarkupLine("note: " + Markup.Escape(text));
        }
    }
}
